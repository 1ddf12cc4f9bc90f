/**
 * Representative runs of every command against the fake account, for the permission tests: each
 * scenario builds its own account, runs its setup (not recorded), then the command under test, and
 * returns the AWS calls that command made (`aws.calls`). Create commands run with
 * flags, again (re-run: reuse), as a dry-run, and through the wizard (the pickers' listing reads);
 * `list`, `status` and `destroy` run against a stack of every kind.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateVpcEndpointCommand, EC2Client } from "@aws-sdk/client-ec2";
import { expect } from "vitest";
import { FakeAws as Fake, type FakeAws, installFakeAws, type RecordedCall } from "../fakes/aws.js";
import { seedDxGateway, seedHostedVif, setBgpStatus } from "../fakes/dx.js";
import { seedRouteTable, seedSecurityGroup, seedSubnet, seedVgw, seedVpc, setTunnelStatus } from "../fakes/ec2.js";
import { endpointsState } from "../fakes/ec2-endpoints.js";
import { seedPrefixList } from "../fakes/ec2-prefix-lists.js";
import { elbState } from "../fakes/elbv2.js";
import { ALL_SERVICES } from "../fakes/services.js";
import { fletsAccount, SEED, seedVif } from "../flets/account.js";
import { type CliResult, KEY, type RunOptions, runCli } from "../helpers/cli.js";
import { seedWorld, vpcFlags } from "../privatelink/world.js";

export interface Scenario {
  name: string;
  /** Builds the account and runs the command; returns the AWS calls of the command under test. */
  run(): Promise<RecordedCall[]>;
}

/** Run the command under test: only its calls count, and it must succeed (or end as `expectCode`). */
async function measured(aws: FakeAws, argv: string[], opts: Omit<RunOptions, "aws"> & { expectCode?: number } = {}): Promise<RecordedCall[]> {
  aws.calls.length = 0;
  const r: CliResult = await runCli(argv, { aws, ...opts });
  expect(r.stderr, `${argv.join(" ")}\n${r.stderr}`).not.toMatch(/internal error/);
  expect(r.code, `${argv.join(" ")}\n${r.stderr}`).toBe(opts.expectCode ?? 0);
  return [...aws.calls];
}

async function setup(aws: FakeAws, argv: string[]): Promise<void> {
  const r = await runCli(argv, { aws });
  expect(r.code, `${argv.join(" ")}\n${r.stderr}`).toBe(0);
}

// --- Accounts ---------------------------------------------------------------------------------------

function vpnAccount() {
  const aws = installFakeAws(new Fake(), ALL_SERVICES);
  seedVpc(aws, { cidr: "10.99.0.0/16", name: "sandbox" });
  const vpcId = seedVpc(aws, { cidr: "172.31.0.0/16", name: "prod" }).VpcId!;
  const rtb = seedRouteTable(aws, vpcId, "private").RouteTableId!;
  const sgId = seedSecurityGroup(aws, vpcId, "app").GroupId!;
  const vpnFlags = ["--vpc-id", vpcId, "--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.0.0.0/8", "--security-group", sgId, "--allow", "icmp,ssh"];
  return { aws, vpcId, rtb, sgId, vpnFlags: ["vpn", "create", "--stack", "office", ...vpnFlags] };
}

/** A sites file for `vpn apply` on the account's VPC: one static site with a security-group rule, one BGP site. */
function sitesFile(a: ReturnType<typeof vpnAccount>, crypto = "modern", hub = [`  vpc-id: ${a.vpcId}`], defaults: string[] = []): string {
  const path = join(mkdtempSync(join(tmpdir(), "vpcwire-policy-")), "sites.yaml");
  writeFileSync(
    path,
    [
      "hub:",
      ...hub,
      "defaults:",
      `  crypto: ${crypto}`,
      ...defaults,
      "sites:",
      "  - name: office",
      "    cgw-ip: 203.0.113.10",
      "    onprem-cidr: 10.0.0.0/16",
      `    security-group: ${a.sgId}`,
      "  - name: branch",
      "    cgw-ip: 203.0.113.20",
      "    routing: bgp",
      "    cgw-asn: 65020",
      "    onprem-cidr: 10.1.0.0/16",
      "",
    ].join("\n"),
  );
  return path;
}

function dxAccount() {
  const aws = installFakeAws(new Fake(), ALL_SERVICES);
  seedVpc(aws, { cidr: "10.99.0.0/16", name: "sandbox" });
  const vpcId = seedVpc(aws, { cidr: "10.216.0.0/24", name: "cloudgw" }).VpcId!;
  const rtb = seedRouteTable(aws, vpcId, "private").RouteTableId!;
  seedSubnet(aws, vpcId, "10.216.0.0/25", "ap-northeast-1a", { routeTableId: rtb });
  const vifs = [
    seedHostedVif(aws, { name: "ntte-cgw-a", vlan: 1101, partnerAsn: 65100, advertise: ["192.168.103.0/24"], bgpUpAfterMs: 0 }),
    seedHostedVif(aws, { name: "ntte-cgw-b", vlan: 1102, partnerAsn: 65100, advertise: ["192.168.103.0/24"], bgpUpAfterMs: 0 }),
  ];
  const ids = vifs.map((v) => v.virtualInterfaceId!);
  return { aws, vpcId, rtb, ids, accept: ["dx", "accept-vif", "--vif-id", ids.join(","), "--vpc-id", vpcId] };
}

function fletsFlags(instanceId: string) {
  return ["flets", "isatap", "--prefix", SEED.prefix, "--router", SEED.router, "--instance-id", instanceId, "--allow", "tcp:22"];
}

function relayArgs(w: ReturnType<typeof seedWorld>, stack = "relay", targetIp = "192.168.0.10") {
  return [
    "privatelink",
    "relay",
    "--stack",
    stack,
    "--target-ip",
    targetIp,
    "--ports",
    "80,443",
    "--relay-ip",
    "172.16.0.10",
    "--onprem-ip",
    "10.200.0.10",
    "--onprem-ports",
    "80",
    ...vpcFlags(w),
  ];
}

/**
 * One account with a stack of every kind: a VPN (tunnels up), a Direct Connect acceptance, a
 * FLET'S rule and a PrivateLink relay, for list / status / destroy.
 */
async function everyKind(): Promise<{ aws: FakeAws; stacks: string[]; world: ReturnType<typeof seedWorld> }> {
  const w = seedWorld();
  const aws = w.aws;
  const vpcId = seedVpc(aws, { cidr: "172.31.0.0/16", name: "prod" }).VpcId!;
  seedRouteTable(aws, vpcId, "private");
  const sgId = seedSecurityGroup(aws, vpcId, "app").GroupId!;
  await setup(aws, [
    "vpn",
    "create",
    "--stack",
    "office",
    "--vpc-id",
    vpcId,
    "--cgw-ip",
    "203.0.113.10",
    "--onprem-cidr",
    "10.0.0.0/8",
    "--security-group",
    sgId,
    "--yes",
  ]);
  setTunnelStatus(aws, aws.ec2.vpns[0]!.VpnConnectionId!, [
    { status: "UP", message: "" },
    { status: "DOWN", message: "IPSEC IS DOWN" },
  ]);
  const dxVpc = seedVpc(aws, { cidr: "10.216.0.0/24", name: "cloudgw" }).VpcId!;
  const vif = seedHostedVif(aws, { advertise: ["192.168.103.0/24"], bgpUpAfterMs: 0 });
  await setup(aws, ["dx", "accept-vif", "--vif-id", vif.virtualInterfaceId!, "--vpc-id", dxVpc, "--stack", "ntt", "--yes"]);
  const subnet = seedSubnet(aws, dxVpc, "10.216.0.0/25", "ap-northeast-1a").SubnetId!;
  const isatapSg = seedSecurityGroup(aws, dxVpc, "isatap-host").GroupId!;
  aws.ec2.instances.push({
    InstanceId: "i-0123456789abcdef0",
    State: { Name: "running", Code: 16 },
    VpcId: dxVpc,
    SubnetId: subnet,
    PrivateIpAddress: SEED.privateIp,
    PlatformDetails: "Linux/UNIX",
    SecurityGroups: [{ GroupId: isatapSg, GroupName: "isatap-host" }],
    NetworkInterfaces: [
      { NetworkInterfaceId: "eni-0123456789abcdef0", SubnetId: subnet, VpcId: dxVpc, PrivateIpAddress: SEED.privateIp, Groups: [{ GroupId: isatapSg }] },
    ],
  });
  await setup(aws, [...fletsFlags("i-0123456789abcdef0"), "--yes"]);
  await setup(aws, [...relayArgs(w), "--yes"]);
  // A VPN stack on a new Transit Gateway (static routes: TGW and VPC routes).
  const hubVpc = seedVpc(aws, { cidr: "10.120.0.0/16", name: "hub" }).VpcId!;
  seedSubnet(aws, hubVpc, "10.120.1.0/24", "ap-northeast-1a");
  await setup(aws, [
    "vpn",
    "create",
    "--stack",
    "hub",
    "--vpc-id",
    hubVpc,
    "--cgw-ip",
    "198.51.100.20",
    "--onprem-cidr",
    "10.30.0.0/16",
    "--transit-gateway",
    "new",
    "--yes",
  ]);
  const listed = JSON.parse((await runCli(["list", "--json"], { aws })).stdout) as { stacks: Array<{ stack: string; kind: string }> };
  const stacks = listed.stacks.map((x) => x.stack);
  expect(listed.stacks.map((x) => x.kind).sort()).toEqual(["dx", "flets", "privatelink", "vpn", "vpn"]);
  return { aws, stacks, world: w };
}

// --- The scenarios, by command ---------------------------------------------------------------------

export const SCENARIOS: Record<string, Scenario[]> = {
  "vpn create": [
    {
      name: "create (new gateway, static routes, security-group rule), then the same again (everything reused)",
      async run() {
        const a = vpnAccount();
        const first = await measured(a.aws, [...a.vpnFlags, "--yes"]);
        const again = await measured(a.aws, [...a.vpnFlags, "--yes"]);
        return [...first, ...again];
      },
    },
    {
      name: "re-run with other crypto: the tunnels' options are modified",
      async run() {
        const a = vpnAccount();
        await setup(a.aws, [...a.vpnFlags, "--crypto", "compatible", "--yes"]);
        setTunnelStatus(a.aws, a.aws.ec2.vpns[0]!.VpnConnectionId!, [
          { status: "UP", message: "IPSEC IS UP" },
          { status: "UP", message: "IPSEC IS UP" },
        ]);
        return measured(a.aws, [...a.vpnFlags, "--yes"]);
      },
    },
    {
      name: "BGP on an existing, unattached gateway given with --vgw-id",
      async run() {
        const a = vpnAccount();
        const vgw = seedVgw(a.aws).VpnGatewayId!;
        return measured(a.aws, [
          "vpn",
          "create",
          "--vpc-id",
          a.vpcId,
          "--vgw-id",
          vgw,
          "--cgw-ip",
          "198.51.100.7",
          "--routing",
          "bgp",
          "--cgw-asn",
          "65010",
          "--yes",
        ]);
      },
    },
    {
      name: "keys in Secrets Manager: the config is rendered from the connection's secret",
      async run() {
        const a = vpnAccount();
        return measured(a.aws, [...a.vpnFlags, "--psk-storage", "secrets-manager", "--yes"]);
      },
    },
    {
      name: "dry-run",
      async run() {
        const a = vpnAccount();
        return measured(a.aws, [...a.vpnFlags, "--dry-run"]);
      },
    },
    {
      name: "on a new Transit Gateway (static: TGW and VPC routes), then the same again; BGP on an existing gateway",
      async run() {
        const a = vpnAccount();
        seedSubnet(a.aws, a.vpcId, "172.31.1.0/24", "ap-northeast-1a");
        const tgwFlags = [
          "vpn",
          "create",
          "--stack",
          "hub",
          "--vpc-id",
          a.vpcId,
          "--cgw-ip",
          "203.0.113.10",
          "--onprem-cidr",
          "10.0.0.0/8",
          "--transit-gateway",
          "new",
        ];
        const first = await measured(a.aws, [...tgwFlags, "--yes"]);
        const again = await measured(a.aws, [...tgwFlags, "--yes"]);
        const tgwId = a.aws.ec2.tgws[0]!.TransitGatewayId!;
        const bgp = await measured(a.aws, [
          "vpn",
          "create",
          "--stack",
          "bgp-site",
          "--vpc-id",
          a.vpcId,
          "--cgw-ip",
          "198.51.100.7",
          "--routing",
          "bgp",
          "--cgw-asn",
          "65010",
          "--onprem-cidr",
          "10.50.0.0/16",
          "--transit-gateway-id",
          tgwId,
          "--acceleration",
          "--yes",
        ]);
        return [...first, ...again, ...bgp];
      },
    },
    {
      name: "wizard listing (cancelled at the confirmation)",
      async run() {
        const a = vpnAccount();
        return measured(a.aws, ["vpn", "create"], {
          tty: true,
          expectCode: 3,
          answers: [
            { waitFor: "prod", keys: KEY.down + KEY.enter },
            { waitFor: "Public IPv4 address of your on-prem router", keys: `203.0.113.10${KEY.enter}` },
            { waitFor: "Which gateway should the VPN connection use?", keys: KEY.enter },
            { waitFor: "How should routes be exchanged?", keys: KEY.enter },
            { waitFor: "On-prem ranges to route", keys: `10.0.0.0/8${KEY.enter}` },
            { waitFor: "Enable route propagation on which route tables?", keys: KEY.enter },
            { waitFor: "Allow the on-prem ranges in a security group?", keys: KEY.down + KEY.down + KEY.enter },
            { waitFor: "What to allow from on-prem", keys: KEY.enter },
            { waitFor: "Which router config should vpcwire write?", keys: KEY.enter },
            { waitFor: "Which tunnel crypto?", keys: KEY.enter },
            { waitFor: "Write the router config (it holds the pre-shared keys) to which file?", keys: `-${KEY.enter}` },
            { waitFor: "Apply this plan?", keys: `n${KEY.enter}` },
          ],
        });
      },
    },
  ],
  "dx accept-vif": [
    {
      name: "accept two hosted VIFs onto a new gateway for a VPC, then the same again",
      async run() {
        const a = dxAccount();
        const first = await measured(a.aws, [...a.accept, "--yes"]);
        const again = await measured(a.aws, [...a.accept, "--yes"]);
        return [...first, ...again];
      },
    },
    {
      name: "onto an existing gateway (--vgw-id) and onto a Direct Connect gateway",
      async run() {
        const a = dxAccount();
        const vgw = seedVgw(a.aws, { attachTo: a.vpcId }).VpnGatewayId!;
        const gw = seedDxGateway(a.aws).directConnectGatewayId!;
        const onVgw = await measured(a.aws, ["dx", "accept-vif", "--vif-id", a.ids[0]!, "--vgw-id", vgw, "--yes"]);
        const onDxgw = await measured(a.aws, ["dx", "accept-vif", "--vif-id", a.ids[1]!, "--dx-gateway-id", gw, "--yes"]);
        return [...onVgw, ...onDxgw];
      },
    },
    {
      name: "dry-run",
      async run() {
        const a = dxAccount();
        return measured(a.aws, [...a.accept, "--dry-run"]);
      },
    },
    {
      name: "wizard listing (cancelled at the confirmation)",
      async run() {
        const a = dxAccount();
        return measured(a.aws, ["dx", "accept-vif"], {
          tty: true,
          expectCode: 3,
          answers: [
            { waitFor: "Accept which virtual interfaces?", keys: KEY.enter },
            { waitFor: "Where should the interfaces go?", keys: KEY.down + KEY.enter },
            { waitFor: "Propagate the routes learned over BGP into which route tables?", keys: KEY.enter },
            { waitFor: "Apply this plan?", keys: `n${KEY.enter}` },
          ],
        });
      },
    },
  ],
  "vpn config": [
    {
      name: "vpcwire's own config by stack, AWS's sample for a device type, and by --vpn-id",
      async run() {
        const a = vpnAccount();
        await setup(a.aws, [...a.vpnFlags, "--yes"]);
        const own = await measured(a.aws, ["vpn", "config", "--stack", "office"]);
        const sample = await measured(a.aws, ["vpn", "config", "--stack", "office", "--device", "yamaha"]);
        const byId = await measured(a.aws, ["vpn", "config", "--vpn-id", a.aws.ec2.vpns[0]!.VpnConnectionId!, "--device", "strongswan"]);
        return [...own, ...sample, ...byId];
      },
    },
    {
      name: "a stack on a Transit Gateway (static routes read from the gateway's route table)",
      async run() {
        const a = vpnAccount();
        seedSubnet(a.aws, a.vpcId, "172.31.1.0/24", "ap-northeast-1a");
        await setup(a.aws, [
          "vpn",
          "create",
          "--stack",
          "hub",
          "--vpc-id",
          a.vpcId,
          "--cgw-ip",
          "203.0.113.10",
          "--onprem-cidr",
          "10.0.0.0/8",
          "--transit-gateway",
          "new",
          "--yes",
        ]);
        return measured(a.aws, ["vpn", "config", "--stack", "hub"]);
      },
    },
    {
      name: "a connection whose keys live in Secrets Manager",
      async run() {
        const a = vpnAccount();
        await setup(a.aws, [...a.vpnFlags, "--psk-storage", "secrets-manager", "--yes"]);
        return measured(a.aws, ["vpn", "config", "--stack", "office"]);
      },
    },
  ],
  "vpn apply": [
    {
      name: "a fleet of two sites (new hub, static with a security-group rule, BGP), then the same again (everything reused)",
      async run() {
        const a = vpnAccount();
        const argv = ["vpn", "apply", "-f", sitesFile(a), "--yes"];
        const first = await measured(a.aws, argv);
        const again = await measured(a.aws, argv);
        return [...first, ...again];
      },
    },
    {
      name: "re-run with other crypto: the sites' tunnels are modified",
      async run() {
        const a = vpnAccount();
        await setup(a.aws, ["vpn", "apply", "-f", sitesFile(a, "compatible"), "--yes"]);
        return measured(a.aws, ["vpn", "apply", "-f", sitesFile(a), "--yes"]);
      },
    },
    {
      name: "dry-run",
      async run() {
        const a = vpnAccount();
        return measured(a.aws, ["vpn", "apply", "-f", sitesFile(a), "--dry-run"]);
      },
    },
    {
      name: "a fleet with its keys in Secrets Manager, the configs written (--out-dir): the keys are read back",
      async run() {
        const a = vpnAccount();
        const out = mkdtempSync(join(tmpdir(), "vpcwire-policy-out-"));
        return measured(a.aws, ["vpn", "apply", "-f", sitesFile(a, "modern", undefined, ["  psk-storage: secrets-manager"]), "--out-dir", out, "--yes"]);
      },
    },
    {
      name: "a fleet on a new Transit Gateway hub (static site with a security-group rule, BGP site), then the same again",
      async run() {
        const a = vpnAccount();
        seedSubnet(a.aws, a.vpcId, "172.31.1.0/24", "ap-northeast-1a");
        const argv = ["vpn", "apply", "-f", sitesFile(a, "modern", ["  transit-gateway: new", `  vpcs: [${a.vpcId}]`]), "--yes"];
        const first = await measured(a.aws, argv);
        const again = await measured(a.aws, argv);
        return [...first, ...again];
      },
    },
  ],
  "vpn devices": [
    {
      name: "the catalog, and a search",
      async run() {
        const a = vpnAccount();
        return [...(await measured(a.aws, ["vpn", "devices"])), ...(await measured(a.aws, ["vpn", "devices", "--search", "palo alto", "--json"]))];
      },
    },
  ],
  export: [
    {
      name: "each stack of every kind, as Terraform and as JSON",
      async run() {
        const { aws, stacks } = await everyKind();
        const calls: RecordedCall[] = [];
        for (const stack of stacks) {
          calls.push(...(await measured(aws, ["export", "--stack", stack])));
          calls.push(...(await measured(aws, ["export", "--stack", stack, "--format", "json"])));
        }
        return calls;
      },
    },
  ],
  "dx status": [
    {
      name: "by stack and by interface id, BGP up and down",
      async run() {
        const a = dxAccount();
        await setup(a.aws, [...a.accept, "--stack", "ntt", "--yes"]);
        const up = await measured(a.aws, ["dx", "status", "--stack", "ntt"]);
        setBgpStatus(a.aws, a.ids[1]!, "down");
        const byId = await measured(a.aws, ["dx", "status", "--vif-id", a.ids.join(",")], { expectCode: 1 });
        return [...up, ...byId];
      },
    },
  ],
  "flets isatap": [
    {
      name: "fix the AWS side for the instance (rule + propagation), then the same again",
      async run() {
        const acct = fletsAccount();
        seedVif(acct.aws, { state: "available", vgwId: acct.vgwId });
        const first = await measured(acct.aws, [...fletsFlags(acct.instanceId), "--yes"]);
        const again = await measured(acct.aws, [...fletsFlags(acct.instanceId), "--yes"]);
        return [...first, ...again];
      },
    },
    {
      name: "dry-run",
      async run() {
        const acct = fletsAccount();
        seedVif(acct.aws, { state: "available", vgwId: acct.vgwId });
        return measured(acct.aws, [...fletsFlags(acct.instanceId), "--dry-run"]);
      },
    },
    {
      name: "wizard listing (cancelled at the confirmation)",
      async run() {
        const acct = fletsAccount();
        seedVif(acct.aws, { state: "available", vgwId: acct.vgwId });
        return measured(acct.aws, ["flets", "isatap"], {
          tty: true,
          expectCode: 3,
          answers: [
            { waitFor: "IPv6 /64 prefix NTT assigned", keys: SEED.prefix + KEY.enter },
            { waitFor: "IPv4 address of NTT's ISATAP router", keys: SEED.router + KEY.enter },
            { waitFor: "Which EC2 instance ends the ISATAP tunnel?", keys: KEY.enter },
            { waitFor: "Operating system of the instance (EC2 reports Linux/UNIX)", keys: KEY.enter },
            { waitFor: "How should the tunnel come up at boot?", keys: KEY.enter },
            { waitFor: "What may the site open on the instance over FLET'S?", keys: KEY.enter },
            { waitFor: "Apply this plan?", keys: `n${KEY.enter}` },
          ],
        });
      },
    },
  ],
  "privatelink relay": [
    {
      name: "both directions, then the same again",
      async run() {
        const w = seedWorld();
        const first = await measured(w.aws, [...relayArgs(w), "--yes"]);
        const again = await measured(w.aws, [...relayArgs(w), "--yes"]);
        return [...first, ...again];
      },
    },
    {
      name: "re-run after drift (a changed target, a listener edited by hand), on a service that wants acceptance",
      async run() {
        const w = seedWorld();
        w.aws.beforeCall = (op) => {
          if (op === "CreateVpcEndpoint") for (const svc of endpointsState(w.aws).services) svc.AcceptanceRequired = true;
        };
        const first = await measured(w.aws, [...relayArgs(w), "--yes"]);
        w.aws.beforeCall = undefined;
        w.aws.ec2.instances.push({ ...w.instance, InstanceId: w.aws.ids.next("i"), PrivateIpAddress: "192.168.0.11" });
        const listener = elbState(w.aws).listeners.find((l) => !l.deleted)!;
        listener.Protocol = "UDP" as typeof listener.Protocol;
        const again = await measured(w.aws, [...relayArgs(w, "relay", "192.168.0.11"), "--yes"]);
        return [...first, ...again];
      },
    },
    {
      name: "dry-run",
      async run() {
        const w = seedWorld();
        return measured(w.aws, [...relayArgs(w), "--dry-run"]);
      },
    },
    {
      name: "wizard listing (cancelled at the confirmation)",
      async run() {
        const w = seedWorld();
        return measured(w.aws, ["privatelink", "relay", "--stack", "wiz"], {
          tty: true,
          expectCode: 3,
          answers: [
            { waitFor: "Which directions should the relay carry?", keys: KEY.enter },
            { waitFor: "Which VPC holds the existing EC2", keys: KEY.enter },
            { waitFor: "Which host should on-prem reach?", keys: KEY.enter },
            { waitFor: "TCP ports on that host to relay", keys: `80,443${KEY.enter}` },
            { waitFor: "Subnets of the target VPC for the relay", keys: KEY.down + KEY.space + KEY.enter },
            { waitFor: "Which VPC is the relay VPC", keys: KEY.enter },
            { waitFor: "Subnets of the relay VPC", keys: KEY.enter },
            { waitFor: "Address on-prem should connect to", keys: `172.16.0.10${KEY.enter}` },
            { waitFor: "Private IP of the on-prem host", keys: `10.200.0.10${KEY.enter}` },
            { waitFor: "TCP ports on the on-prem host", keys: `80${KEY.enter}` },
            { waitFor: "Apply this plan?", keys: `n${KEY.enter}` },
          ],
        });
      },
    },
  ],
  list: [
    {
      name: "a stack of every kind",
      async run() {
        const { aws } = await everyKind();
        return measured(aws, ["list"]);
      },
    },
  ],
  status: [
    {
      name: "each stack of every kind",
      async run() {
        const { aws, stacks } = await everyKind();
        const ops: RecordedCall[] = [];
        for (const stack of stacks) {
          aws.calls.length = 0;
          const r = await runCli(["status", "--stack", stack], { aws });
          expect([0, 1], `${stack}\n${r.stderr}`).toContain(r.code);
          ops.push(...aws.calls);
        }
        return ops;
      },
    },
  ],
  destroy: [
    {
      name: "dry-run, then destroy each stack of every kind",
      async run() {
        const { aws, stacks, world } = await everyKind();
        // Someone else's endpoint on the relay's service: destroy rejects its connection first.
        const service = endpointsState(aws).services[0]!;
        await new EC2Client({ region: "ap-northeast-1" }).send(
          new CreateVpcEndpointCommand({
            VpcEndpointType: "Interface",
            VpcId: world.relayVpc,
            ServiceName: service.ServiceName,
            SubnetIds: [world.relaySubnets[1]],
          }),
        );
        const ops = await measured(aws, ["destroy", "--stack", "office", "--dry-run"]);
        for (const stack of stacks) ops.push(...(await measured(aws, ["destroy", "--stack", stack, "--yes"])));
        return ops;
      },
    },
  ],
  "route explain": [
    {
      name: "to on-prem over the gateway (VPN and Direct Connect), to S3 through a prefix list, from an instance",
      async run() {
        const a = vpnAccount();
        await setup(a.aws, [...a.vpnFlags, "--yes"]);
        const vpn = a.aws.ec2.vpns[0]!;
        const main = a.aws.ec2.routeTables.find((t) => t.VpcId === a.vpcId && t.Associations?.some((x) => x.Main))!;
        main.Routes!.push({ DestinationCidrBlock: "10.0.0.0/8", GatewayId: vpn.VpnGatewayId, Origin: "EnableVgwRoutePropagation", State: "active" });
        const pl = seedPrefixList(a.aws, "com.amazonaws.ap-northeast-1.s3", ["52.219.0.0/20"]);
        main.Routes!.push({ DestinationPrefixListId: pl.PrefixListId, GatewayId: "vpce-0123456789abcdef0", Origin: "CreateRoute", State: "active" });
        const subnet = seedSubnet(a.aws, a.vpcId, "172.31.1.0/24", "ap-northeast-1a").SubnetId!;
        a.aws.ec2.instances.push({ InstanceId: "i-0123456789abcdef0", State: { Name: "running", Code: 16 }, VpcId: a.vpcId, SubnetId: subnet });
        const onprem = await measured(a.aws, ["route", "explain", "--vpc-id", a.vpcId, "--to", "10.1.2.3", "--subnet", subnet]);
        const s3 = await measured(a.aws, ["route", "explain", "--vpc-id", a.vpcId, "--to", "52.219.0.9", "--instance-id", "i-0123456789abcdef0"]);
        return [...onprem, ...s3];
      },
    },
  ],
};
