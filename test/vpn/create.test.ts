import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeAws, installFakeAws, uninstallFakeAws } from "../fakes/aws.js";
import { seedCgw, seedRouteTable, seedSecurityGroup, seedSubnet, seedVgw, seedVpc } from "../fakes/ec2.js";
import { ec2Error } from "../fakes/model.js";
import { ALL_SERVICES } from "../fakes/services.js";
import { runCli } from "../helpers/cli.js";

let aws: FakeAws;
let vpcId: string;
let sgId: string;
let rtbIds: string[];

beforeEach(() => {
  aws = installFakeAws(new FakeAws(), ALL_SERVICES);
  const vpc = seedVpc(aws, { cidr: "172.31.0.0/16", name: "prod" });
  vpcId = vpc.VpcId!;
  const main = aws.ec2.routeTables.find((t) => t.VpcId === vpcId)!;
  const priv = seedRouteTable(aws, vpcId, "private");
  seedSubnet(aws, vpcId, "172.31.1.0/24", "ap-northeast-1a", { routeTableId: priv.RouteTableId! });
  rtbIds = [main.RouteTableId!, priv.RouteTableId!];
  sgId = seedSecurityGroup(aws, vpcId, "app").GroupId!;
});
afterEach(() => uninstallFakeAws());

const base = () => ["vpn", "create", "--vpc-id", vpcId, "--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.0.0.0/8"];

describe("vpn create against the fake account", () => {
  it("creates everything, waits through pending states, and prints a CSR1000V config for both tunnels", async () => {
    const r = await runCli([...base(), "--security-group", sgId, "--allow", "icmp,ssh", "--yes"], { aws });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(aws.operations({ writesOnly: true }).sort()).toEqual(
      [
        "CreateVpnGateway",
        "AttachVpnGateway",
        "CreateCustomerGateway",
        "CreateVpnConnection",
        "CreateVpnConnectionRoute",
        "EnableVgwRoutePropagation",
        "EnableVgwRoutePropagation",
        "AuthorizeSecurityGroupIngress",
        "AuthorizeSecurityGroupIngress",
      ].sort(),
    );
    const vpn = aws.ec2.vpns[0]!;
    expect(vpn.State).toBe("available");
    expect(vpn.Options?.StaticRoutesOnly).toBe(true);
    expect(vpn.Routes?.map((x) => x.DestinationCidrBlock)).toEqual(["10.0.0.0/8"]);
    // Tagged at creation with the stack name.
    const stack = `vpn-${vpcId.slice(-8)}-203-0-113-10`;
    for (const res of [aws.ec2.vgws[0]!, aws.ec2.cgws[0]!, vpn]) {
      expect(res.Tags).toContainEqual({ Key: "vpcwire:stack", Value: stack });
    }
    for (const id of rtbIds) {
      expect(aws.ec2.routeTables.find((t) => t.RouteTableId === id)!.PropagatingVgws).toEqual([{ GatewayId: aws.ec2.vgws[0]!.VpnGatewayId }]);
    }
    // Both tunnels in the config, matched by outside IP even though the XML lists them reversed.
    const [t1, t2] = vpn.Options!.TunnelOptions!;
    expect(r.stdout).toContain(`tunnel destination ${t1!.OutsideIpAddress}`);
    expect(r.stdout).toContain(`tunnel destination ${t2!.OutsideIpAddress}`);
    expect(r.stdout.indexOf(t1!.OutsideIpAddress!)).toBeLessThan(r.stdout.indexOf(t2!.OutsideIpAddress!));
    expect(r.stdout).toContain("ip tcp adjust-mss 1379");
    expect(r.stdout).toContain(t1!.PreSharedKey);
    // PSKs never reach stderr (progress, summaries).
    expect(r.stderr).not.toContain(t1!.PreSharedKey);
    expect(r.stderr).toMatch(/VPN connection vpn-\w+ is available/);
    // Progress shows states while waiting.
    expect(r.stderr).toMatch(/pending/);
  });

  it("polls from about 2 s backing off to 15 s, so a 5-minute wait costs few calls", async () => {
    const r = await runCli([...base(), "--yes", "--route-tables", "none"], { aws });
    expect(r.code).toBe(0);
    expect(aws.clock.sleeps[0]).toBe(2000);
    expect(Math.max(...aws.clock.sleeps)).toBe(15_000);
    expect(aws.count("DescribeVpnConnections")).toBeLessThan(35);
  });

  it("creates the customer gateway without waiting for the gateway attachment", async () => {
    await runCli([...base(), "--yes"], { aws });
    const ops = aws.operations({ writesOnly: true });
    expect(ops.indexOf("CreateCustomerGateway")).toBeLessThan(ops.indexOf("AttachVpnGateway"));
  });

  it("converges: a second run creates nothing and says so", async () => {
    expect((await runCli([...base(), "--yes", "--security-group", sgId], { aws })).code).toBe(0);
    const writes = aws.operations({ writesOnly: true }).length;
    const again = await runCli([...base(), "--yes", "--security-group", sgId], { aws });
    expect(again.code).toBe(0);
    expect(aws.operations({ writesOnly: true }).length).toBe(writes);
    expect(again.stderr).toMatch(/already exists; nothing was changed/);
    expect(aws.ec2.vgws).toHaveLength(1);
    expect(aws.ec2.vpns).toHaveLength(1);
    // The config is printed again from the existing connection.
    expect(again.stdout).toContain("crypto ikev2 proposal");
  });

  it("reuses a VGW already attached to the VPC and an identical customer gateway", async () => {
    const vgw = seedVgw(aws, { attachTo: vpcId, asn: 64600 });
    const cgw = seedCgw(aws, "203.0.113.10", 65000);
    const r = await runCli([...base(), "--yes", "--dry-run"], { aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`reuse .*${vgw.VpnGatewayId}`));
    expect(r.stdout).toMatch(new RegExp(`reuse .*${cgw.CustomerGatewayId}`));
    expect(r.stdout).toMatch(/already attached/);
    const run = await runCli([...base(), "--yes"], { aws });
    expect(run.code).toBe(0);
    expect(aws.operations({ writesOnly: true })).not.toContain("CreateVpnGateway");
    expect(aws.operations({ writesOnly: true })).not.toContain("AttachVpnGateway");
    expect(aws.operations({ writesOnly: true })).not.toContain("CreateCustomerGateway");
    expect(aws.ec2.vpns[0]!.VpnGatewayId).toBe(vgw.VpnGatewayId);
  });

  it("refuses --vgw-id when the VPC already has another gateway attached", async () => {
    const attached = seedVgw(aws, { attachTo: vpcId });
    const other = seedVgw(aws);
    const r = await runCli([...base(), "--vgw-id", other.VpnGatewayId!, "--yes"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--vgw-id: ${vpcId} already has ${attached.VpnGatewayId} attached`);
    expect(aws.operations({ writesOnly: true })).toEqual([]);
  });

  it("BGP: no static routes, config has a neighbor per tunnel and the on-prem networks", async () => {
    const r = await runCli(
      ["vpn", "create", "--vpc-id", vpcId, "--cgw-ip", "203.0.113.10", "--routing", "bgp", "--cgw-asn", "65010", "--onprem-cidr", "10.20.0.0/16", "--yes"],
      { aws },
    );
    expect(r.code).toBe(0);
    expect(aws.operations()).not.toContain("CreateVpnConnectionRoute");
    expect(aws.ec2.vpns[0]!.Options?.StaticRoutesOnly).toBe(false);
    expect(r.stdout).toContain("router bgp 65010");
    expect(r.stdout.match(/remote-as 64512/g)?.length).toBe(2);
    expect(r.stdout).toContain("network 10.20.0.0 mask 255.255.0.0");
  });

  it("writes --out with mode 0600 and keeps keys out of JSON unless --reveal-secrets", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vpcwire-"));
    const out = join(dir, "csr.cfg");
    const r = await runCli([...base(), "--json", "--out", out], { aws });
    expect(r.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const psk = aws.ec2.vpns[0]!.Options!.TunnelOptions![0]!.PreSharedKey!;
    expect(readFileSync(out, "utf8")).toContain(psk);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, ok: true, deviceConfig: { path: out } });
    expect(doc.tunnels).toHaveLength(2);
    expect(r.stdout).not.toContain(psk);
    expect(r.stderr).not.toContain(psk);
    const revealed = await runCli([...base(), "--json", "--reveal-secrets"], { aws });
    expect(JSON.parse(revealed.stdout).tunnels[0].preSharedKey).toBeDefined();
  });

  it("--json without --out redacts the keys inside the embedded config", async () => {
    const r = await runCli([...base(), "--json"], { aws });
    const doc = JSON.parse(r.stdout);
    const psk = aws.ec2.vpns[0]!.Options!.TunnelOptions![0]!.PreSharedKey!;
    expect(doc.deviceConfig.text).toContain("<redacted");
    expect(r.stdout).not.toContain(psk);
  });

  it("uses given inside CIDRs and pre-shared keys", async () => {
    const r = await runCli(
      [
        ...base(),
        "--yes",
        "--tunnel1-inside-cidr",
        "169.254.10.0/30",
        "--tunnel2-inside-cidr",
        "169.254.11.0/30",
        "--tunnel1-psk",
        "Secret.one_1",
        "--tunnel2-psk",
        "Secret.two_2",
      ],
      { aws },
    );
    expect(r.code).toBe(0);
    const opts = aws.ec2.vpns[0]!.Options!.TunnelOptions!;
    expect(opts.map((t) => t.TunnelInsideCidr)).toEqual(["169.254.10.0/30", "169.254.11.0/30"]);
    expect(r.stdout).toContain("Secret.one_1");
    expect(r.stdout).toContain("ip address 169.254.10.2 255.255.255.252");
  });

  it("strongSwan config for Linux routers", async () => {
    const r = await runCli([...base(), "--yes", "--device", "strongswan"], { aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/connections\s*\{/);
    for (const t of aws.ec2.vpns[0]!.Options!.TunnelOptions!) expect(r.stdout).toContain(t.OutsideIpAddress!);
    expect(r.stdout.match(/ local_addrs = 203\.0\.113\.10\n/g)).toHaveLength(2);
  });

  it("strongSwan behind NAT: --local-address is what IKE is sent from; AWS still knows the NAT's address", async () => {
    const argv = [...base(), "--yes", "--device", "strongswan", "--local-address", "192.168.0.10"];
    const preview = await runCli([...argv, "--dry-run"], { aws });
    expect(preview.stdout).toContain("    local_addrs = 192.168.0.10\n");
    // The command to resume with carries it.
    aws.failNext("CreateVpnConnection", ec2Error("VpnConnectionLimitExceeded", "You have reached the limit of VPN connections"));
    const failed = await runCli(argv, { aws });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/run the same command again:\n\s+vpcwire vpn create --stack vpn-\S+ .*--device strongswan --local-address 192\.168\.0\.10/);

    const r = await runCli(argv, { aws });
    expect(r.code).toBe(0);
    expect(r.stdout.match(/ local_addrs = 192\.168\.0\.10\n/g)).toHaveLength(2);
    expect(r.stdout.match(/ id = 203\.0\.113\.10\n/g)).toHaveLength(2);
    expect(r.stdout).toContain("This host sends IKE from 192.168.0.10 but AWS knows it as\n# 203.0.113.10");
    expect(aws.ec2.cgws[0]!.IpAddress).toBe("203.0.113.10");
  });
});

describe("vpn create: the preview banner says what the preview is", () => {
  it("--dry-run that read the account says PREVIEW, not OFFLINE", async () => {
    const r = await runCli([...base(), "--dry-run"], { aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("##  PREVIEW - DO NOT PASTE THIS INTO A ROUTER");
    expect(r.stdout).not.toMatch(/offline/i);
    const swan = await runCli([...base(), "--dry-run", "--device", "strongswan"], { aws });
    expect(swan.stdout).toContain("##  PREVIEW - DO NOT LOAD THIS INTO STRONGSWAN");
    expect(swan.stdout).not.toMatch(/offline/i);
  });

  it("--dry-run --offline says OFFLINE PREVIEW", async () => {
    const r = await runCli([...base(), "--dry-run", "--offline", "--vpc-cidr", "172.31.0.0/16"], { aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("##  OFFLINE PREVIEW - DO NOT PASTE THIS INTO A ROUTER");
    expect(r.stdout).toContain("Nothing was read from AWS.");
  });

  it("--dry-run --offline with a --device close to one of vpcwire's own asks whether that was meant", async () => {
    const r = await runCli([...base(), "--dry-run", "--offline", "--vpc-cidr", "172.31.0.0/16", "--device", "strongwan"], { aws });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `--device "strongwan" is not one of vpcwire's own devices (offline, AWS's catalog was not searched): did you mean --device strongswan?`,
    );
  });

  it("--dry-run --offline: keys the user chose are in the preview (in JSON only with --reveal-secrets); the others stay placeholders", async () => {
    const args = [...base(), "--dry-run", "--offline", "--vpc-cidr", "172.31.0.0/16", "--tunnel1-psk", "Abcdefgh1234"];
    const text = await runCli(args, { aws });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("pre-shared-key Abcdefgh1234");
    expect(text.stdout).toContain("pre-shared-key <TUNNEL2-PSK>");
    const json = await runCli([...args, "--json"], { aws });
    expect(json.stdout).not.toContain("Abcdefgh1234");
    expect(JSON.parse(json.stdout).deviceConfigPreview.text).toContain("pre-shared-key <TUNNEL1-PSK>");
    const revealed = await runCli([...args, "--json", "--reveal-secrets"], { aws });
    expect(JSON.parse(revealed.stdout).deviceConfigPreview.text).toContain("pre-shared-key Abcdefgh1234");
  });

  it("--dry-run with --out writes nothing and says so (the preview is on stdout)", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "vpcwire-")), "router.cfg");
    const r = await runCli([...base(), "--dry-run", "--offline", "--vpc-cidr", "172.31.0.0/16", "--out", out], { aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("OFFLINE PREVIEW");
    expect(r.stderr).toContain(`--dry-run: nothing was written to ${out} (the same command without --dry-run writes it)`);
    expect(existsSync(out)).toBe(false);
  });
});

describe("vpn create: an endpoint that ignores Filters", () => {
  const ignoreFilters = () => {
    aws.beforeCall = (_op, input) => {
      delete input.Filters;
    };
  };
  const planOf = async (argv: string[]) => {
    const r = await runCli([...argv, "--dry-run", "--json"], { aws });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { steps: Array<{ id: string; action: string; resourceId?: string }> };
    return Object.fromEntries(plan.steps.map((x) => [x.id, x.action === "create" ? "create" : `${x.action} ${x.resourceId}`]));
  };
  const other = () =>
    runCli(["vpn", "create", "--stack", "other", "--vpc-id", vpcId, "--cgw-ip", "198.51.100.7", "--onprem-cidr", "10.60.0.0/16", "--yes"], { aws });

  it("a new router does not reuse another stack's VPN connection", async () => {
    expect((await other()).code).toBe(0);
    ignoreFilters();
    const vgw = aws.ec2.vgws[0]!.VpnGatewayId!;
    expect(await planOf(base())).toMatchObject({ vgw: `reuse ${vgw}`, cgw: "create", vpn: "create" });
    // And the run creates its own connection.
    const r = await runCli([...base(), "--yes"], { aws });
    expect(r.code).toBe(0);
    expect(aws.ec2.vpns).toHaveLength(2);
    expect(aws.ec2.vpns[1]!.Tags).toContainEqual({ Key: "vpcwire:stack", Value: `vpn-${vpcId.slice(-8)}-203-0-113-10` });
  });

  it("a connection is reused for the same gateways only when it joins exactly those", async () => {
    expect((await other()).code).toBe(0);
    // This router's customer gateway already exists (made by hand), with no connection yet.
    const cgw = seedCgw(aws, "203.0.113.10", 65000);
    ignoreFilters();
    expect(await planOf(base())).toMatchObject({ cgw: `reuse ${cgw.CustomerGatewayId}`, vpn: "create" });
  });

  it("inside CIDRs are compared only with the connections on this gateway", async () => {
    // Another VPC's gateway has a connection using 169.254.10.0/30: no conflict here.
    const vpc2 = seedVpc(aws, { cidr: "10.99.0.0/16" }).VpcId!;
    expect(
      (
        await runCli(
          [
            "vpn",
            "create",
            "--stack",
            "far",
            "--vpc-id",
            vpc2,
            "--cgw-ip",
            "198.51.100.7",
            "--onprem-cidr",
            "10.60.0.0/16",
            "--tunnel1-inside-cidr",
            "169.254.10.0/30",
            "--route-tables",
            "none",
            "--yes",
          ],
          { aws },
        )
      ).code,
    ).toBe(0);
    seedVgw(aws, { attachTo: vpcId });
    ignoreFilters();
    expect(await planOf([...base(), "--tunnel1-inside-cidr", "169.254.10.0/30", "--route-tables", "none"])).toMatchObject({ vpn: "create" });
  });

  it("another stack's detached gateway is not taken for this stack's", async () => {
    const theirs = seedVgw(aws, {
      tags: [
        { Key: "vpcwire:stack", Value: "other" },
        { Key: "vpcwire:kind", Value: "vpn" },
        { Key: "vpcwire:role", Value: "vgw" },
      ],
    });
    ignoreFilters();
    expect(await planOf(base())).toMatchObject({ vgw: "create", attach: "create" });
    // The stack's own detached gateway (from an earlier, partly undone run) is still found.
    theirs.Tags = theirs.Tags!.map((t) => (t.Key === "vpcwire:stack" ? { ...t, Value: "mine" } : t));
    expect(await planOf([...base(), "--stack", "mine"])).toMatchObject({ vgw: `reuse ${theirs.VpnGatewayId}`, attach: "create" });
  });
});

describe("vpn create: failures", () => {
  it("an unknown VPC is a usage error naming the flag", async () => {
    const r = await runCli(["vpn", "create", "--vpc-id", "vpc-0123456789abcdef0", "--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.0.0.0/8", "--yes"], {
      aws,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--vpc-id: vpc-0123456789abcdef0 does not exist");
  });

  it("on-prem CIDR overlapping the VPC is refused after reading the VPC, before any write", async () => {
    const r = await runCli(["vpn", "create", "--vpc-id", vpcId, "--cgw-ip", "203.0.113.10", "--onprem-cidr", "172.31.128.0/17", "--yes"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--onprem-cidr: 172\.31\.128\.0\/17 lies inside the VPC's 172\.31\.0\.0\/16/);
    expect(aws.operations({ writesOnly: true })).toEqual([]);
  });

  it("an on-prem range that CONTAINS the VPC is accepted, and the plan says which part stays local", async () => {
    const r = await runCli(["vpn", "create", "--vpc-id", vpcId, "--cgw-ip", "203.0.113.10", "--onprem-cidr", "172.16.0.0/12", "--yes"], { aws });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("172.16.0.0/12 contains the VPC's 172.31.0.0/16: 172.31.0.0/16 stays local");
    expect(aws.ec2.vpns[0]!.Routes?.map((x) => x.DestinationCidrBlock)).toEqual(["172.16.0.0/12"]);
  });

  it("an on-prem range equal to the VPC's CIDR is refused", async () => {
    const r = await runCli(["vpn", "create", "--vpc-id", vpcId, "--cgw-ip", "203.0.113.10", "--onprem-cidr", "172.31.0.0/16", "--yes"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--onprem-cidr: 172\.31\.0\.0\/16 is the VPC's 172\.31\.0\.0\/16/);
    expect(aws.operations({ writesOnly: true })).toEqual([]);
  });

  it("an AWS error part-way reports code, request id, what exists, and how to resume or remove", async () => {
    aws.failNext("CreateVpnConnection", ec2Error("VpnConnectionLimitExceeded", "You have reached the limit of VPN connections"));
    const r = await runCli([...base(), "--yes"], { aws });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("EC2 CreateVpnConnection failed: VpnConnectionLimitExceeded");
    expect(r.stderr).toMatch(/request id: fake-req-\d+/);
    expect(r.stderr).toContain(`created virtual private gateway ${aws.ec2.vgws[0]!.VpnGatewayId}`);
    expect(r.stderr).toContain(`created customer gateway ${aws.ec2.cgws[0]!.CustomerGatewayId}`);
    expect(r.stderr).toMatch(/To continue where it stopped, run the same command again:\n\s+vpcwire vpn create --stack vpn-/);
    expect(r.stderr).toMatch(/vpcwire destroy --stack vpn-/);
    // Resuming finishes the job without duplicating anything.
    const again = await runCli([...base(), "--yes"], { aws });
    expect(again.code).toBe(0);
    expect(aws.ec2.vgws).toHaveLength(1);
    expect(aws.ec2.cgws).toHaveLength(1);
    expect(aws.ec2.vpns).toHaveLength(1);
  });

  it("RequestLimitExceeded that outlasts the SDK's retries is reported with its code", async () => {
    aws.failNext("CreateVpnGateway", ec2Error("RequestLimitExceeded", "Request limit exceeded."));
    const r = await runCli([...base(), "--yes", "--json"], { aws });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.error.aws.code).toBe("RequestLimitExceeded");
    expect(doc.error.aws.requestId).toMatch(/^fake-req-/);
  });

  it("an existing identical security-group rule is fine", async () => {
    seedSecurityGroup(aws, vpcId, "x");
    const sg = aws.ec2.securityGroups.find((g) => g.GroupId === sgId)!;
    // Someone adds the rule by hand between our plan and our apply.
    aws.beforeCall = (op) => {
      if (op === "AuthorizeSecurityGroupIngress" && !sg.IpPermissions?.length) {
        sg.IpPermissions = [{ IpProtocol: "icmp", FromPort: -1, ToPort: -1, IpRanges: [{ CidrIp: "10.0.0.0/8" }] }];
      }
    };
    const r = await runCli([...base(), "--yes", "--security-group", sgId], { aws });
    expect(r.code).toBe(0);
  });

  it("times out with --timeout, reports what exists (exit 1)", async () => {
    aws.timings.vpnAvailableMs = 60 * 60_000;
    const r = await runCli([...base(), "--yes", "--timeout", "10m"], { aws });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Timed out after \d+m\d+s waiting for VPN connection vpn-\w+ \(last state: pending\)/);
    expect(r.stderr).toMatch(/created VPN connection vpn-\w+/);
    // "while:" names the connection that now exists, not the plan's placeholder.
    const id = aws.ec2.vpns[0]!.VpnConnectionId!;
    expect(r.stderr).toContain(`  while: VPN connection ${id} (static routes, two tunnels; wait until available); both tunnels: modern crypto (IKEv2; `);
  });

  it("the failure report fills in ids created earlier in the run", async () => {
    aws.failNext("EnableVgwRoutePropagation", ec2Error("InternalError", "An internal error has occurred"));
    const r = await runCli([...base(), "--yes"], { aws });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/route table rtb-\w+.*: enable propagation from <new-vgw-id>/);
    // The gateway was created by this run; the plan only knew it as <new-vgw-id>.
    const vgw = aws.ec2.vgws[0]!.VpnGatewayId!;
    expect(r.stderr).toMatch(new RegExp(`  while: route table rtb-\\w+.*: enable propagation from ${vgw}\\n`));
  });

  it("a create call that fails outright leaves the placeholder (nothing was created)", async () => {
    aws.failNext("CreateVpnConnection", ec2Error("VpnConnectionLimitExceeded", "You have reached the limit of VPN connections"));
    const r = await runCli([...base(), "--yes"], { aws });
    expect(r.stderr).toContain("  while: VPN connection <new-vpn-id> (static routes, two tunnels; wait until available); both tunnels: modern crypto (IKEv2; ");
  });

  it("Ctrl-C during the wait stops cleanly with the report (exit 130)", async () => {
    const controller = new AbortController();
    aws.clock.onSleep = (total) => {
      if (total > 60_000) controller.abort();
    };
    const r = await runCli([...base(), "--yes"], { aws, signal: controller.signal });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/Interrupted after/);
    expect(r.stderr).toMatch(/To continue where it stopped/);
  });
});
