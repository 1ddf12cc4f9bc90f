import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeAws, installFakeAws, uninstallFakeAws } from "../fakes/aws.js";
import { seedRouteTable, seedSecurityGroup, seedSubnet, seedVpc } from "../fakes/ec2.js";
import { seedTgw } from "../fakes/ec2-tgw.js";
import { ALL_SERVICES } from "../fakes/services.js";
import { KEY, runCli } from "../helpers/cli.js";

let aws: FakeAws;
let prodId: string;
let sgId: string;

beforeEach(() => {
  aws = installFakeAws(new FakeAws(), ALL_SERVICES);
  seedVpc(aws, { cidr: "10.99.0.0/16", name: "sandbox" });
  const prod = seedVpc(aws, { cidr: "172.31.0.0/16", name: "prod" });
  prodId = prod.VpcId!;
  seedRouteTable(aws, prodId, "private");
  sgId = seedSecurityGroup(aws, prodId, "app").GroupId!;
});
afterEach(() => uninstallFakeAws());

describe("vpn create wizard", () => {
  it("asks for what is missing with pickers filled from the account, confirms, and applies", async () => {
    const r = await runCli(["vpn", "create"], {
      aws,
      tty: true,
      answers: [
        // VPC picker lists both VPCs with Name tag and CIDR; pick the second (prod).
        { waitFor: "prod", keys: KEY.down + KEY.enter },
        { waitFor: "Public IPv4 address of your on-prem router", keys: `203.0.113.10${KEY.enter}` },
        { waitFor: "Which gateway should the VPN connection use?", keys: KEY.enter },
        { waitFor: "How should routes be exchanged?", keys: KEY.enter },
        { waitFor: "On-prem ranges to route", keys: `10.0.0.0/8, 192.168.10.0/24${KEY.enter}` },
        // Route tables checkbox: all checked by default; accept.
        { waitFor: "Enable route propagation on which route tables?", keys: KEY.enter },
        // Security group picker: first entry is "no"; pick the app group (default SG is second, app third).
        { waitFor: "Allow the on-prem ranges in a security group?", keys: KEY.down + KEY.down + KEY.enter },
        { waitFor: "What to allow from on-prem", keys: KEY.enter },
        { waitFor: "Which router config should vpcwire write?", keys: KEY.enter },
        // The config holds the keys: the wizard offers a file; '-' keeps it on the terminal.
        // Tunnel crypto: modern is the default.
        { waitFor: "Which tunnel crypto?", keys: KEY.enter },
        { waitFor: "Write the router config (it holds the pre-shared keys) to which file?", keys: `-${KEY.enter}` },
        { waitFor: "Apply this plan?", keys: `y${KEY.enter}` },
      ],
    });
    expect(r.stderr).toContain("sandbox");
    expect(r.stderr).toContain("172.31.0.0/16");
    expect(r.code).toBe(0);
    expect(aws.ec2.vpns).toHaveLength(1);
    expect(aws.ec2.vpns[0]!.Routes?.map((x) => x.DestinationCidrBlock)).toEqual(["10.0.0.0/8", "192.168.10.0/24"]);
    expect(aws.ec2.vgws[0]!.VpcAttachments?.[0]?.VpcId).toBe(prodId);
    const sg = aws.ec2.securityGroups.find((g) => g.GroupId === sgId)!;
    expect(sg.IpPermissions?.map((p) => p.IpRanges?.[0]?.CidrIp)).toEqual(["10.0.0.0/8", "192.168.10.0/24"]);
    // The equivalent non-interactive command is shown for next time.
    expect(r.stderr).toMatch(/The same run without questions:\n\s+vpcwire vpn create --stack vpn-\S+ --vpc-id vpc-\S+ --cgw-ip 203\.0\.113\.10/);
    expect(r.stdout).toContain("crypto ikev2 proposal");
  });

  it("re-asks when an answer breaks a rule", async () => {
    const r = await runCli(["vpn", "create", "--vpc-id", prodId, "--onprem-cidr", "10.0.0.0/8", "--route-tables", "none", "--device", "strongswan"], {
      aws,
      tty: true,
      answers: [
        { waitFor: "Public IPv4 address of your on-prem router", keys: `10.1.1.1${KEY.enter}` },
        { waitFor: "this must be a public address", keys: `${KEY.backspace.repeat(8)}203.0.113.10${KEY.enter}` },
        { waitFor: "Which gateway should the VPN connection use?", keys: KEY.enter },
        { waitFor: "Allow the on-prem ranges in a security group?", keys: KEY.enter },
        { waitFor: "Which tunnel crypto?", keys: KEY.enter },
        { waitFor: "to which file?", keys: KEY.enter },
        { waitFor: "Apply this plan?", keys: `n${KEY.enter}` },
      ],
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("Cancelled: nothing was changed.");
    expect(aws.operations({ writesOnly: true })).toEqual([]);
  });

  it("refuses an on-prem range that overlaps the VPC picked a moment ago, at the question", async () => {
    const r = await runCli(["vpn", "create", "--route-tables", "none", "--device", "strongswan"], {
      aws,
      tty: true,
      answers: [
        { waitFor: "prod", keys: KEY.down + KEY.enter },
        { waitFor: "Public IPv4 address of your on-prem router", keys: `203.0.113.10${KEY.enter}` },
        { waitFor: "Which gateway should the VPN connection use?", keys: KEY.enter },
        { waitFor: "How should routes be exchanged?", keys: KEY.enter },
        { waitFor: "On-prem ranges to route", keys: `10.0.0.0/8, 172.31.128.0/17${KEY.enter}` },
        {
          waitFor: "172.31.128.0/17 lies inside the VPC's 172.31.0.0/16; traffic to it would never leave the VPC",
          keys: `${KEY.backspace.repeat("172.31.128.0/17".length)}192.168.0.0/16${KEY.enter}`,
        },
        { waitFor: "Allow the on-prem ranges in a security group?", keys: KEY.enter },
        { waitFor: "Which tunnel crypto?", keys: KEY.enter },
        { waitFor: "to which file?", keys: KEY.enter },
        { waitFor: "Apply this plan?", keys: `n${KEY.enter}` },
      ],
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/The same run without questions:\n.*--onprem-cidr 10\.0\.0\.0\/8 --onprem-cidr 192\.168\.0\.0\/16/);
  });

  it("checks the overlap at the question for a VPC given by flag too", async () => {
    const r = await runCli(["vpn", "create", "--vpc-id", prodId, "--cgw-ip", "203.0.113.10", "--route-tables", "none", "--device", "strongswan"], {
      aws,
      tty: true,
      answers: [
        { waitFor: "Which gateway should the VPN connection use?", keys: KEY.enter },
        { waitFor: "How should routes be exchanged?", keys: KEY.enter },
        { waitFor: "On-prem ranges to route", keys: `172.31.5.0/24${KEY.enter}` },
        { waitFor: "172.31.5.0/24 lies inside the VPC's 172.31.0.0/16", keys: `${KEY.backspace.repeat(13)}10.0.0.0/8${KEY.enter}` },
        { waitFor: "Allow the on-prem ranges in a security group?", keys: KEY.enter },
        { waitFor: "Which tunnel crypto?", keys: KEY.enter },
        { waitFor: "to which file?", keys: KEY.enter },
        { waitFor: "Apply this plan?", keys: `n${KEY.enter}` },
      ],
    });
    expect(r.code).toBe(3);
  });

  it("offers a Transit Gateway (new, or one of the account's); BGP on it still asks for the on-prem ranges to route", async () => {
    const existing = seedTgw(aws, { asn: 64700 }).TransitGatewayId!;
    seedSubnet(aws, prodId, "172.31.1.0/24", "ap-northeast-1a");
    const r = await runCli(["vpn", "create", "--vpc-id", prodId, "--cgw-ip", "203.0.113.10", "--route-tables", "none", "--device", "strongswan"], {
      aws,
      tty: true,
      answers: [
        { waitFor: `Transit Gateway ${existing}`, keys: KEY.down + KEY.down + KEY.enter },
        { waitFor: "How should routes be exchanged?", keys: KEY.down + KEY.enter },
        { waitFor: "BGP ASN of your router:", keys: `65010${KEY.enter}` },
        { waitFor: "On-prem ranges to route over the VPN", keys: `10.0.0.0/8${KEY.enter}` },
        { waitFor: "Allow the on-prem ranges in a security group?", keys: KEY.enter },
        { waitFor: "Which tunnel crypto?", keys: KEY.enter },
        { waitFor: "to which file?", keys: KEY.enter },
        { waitFor: "Apply this plan?", keys: `n${KEY.enter}` },
      ],
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("virtual private gateway: the VPC's own (up to 10 VPN connections)");
    expect(r.stderr).toContain("Transit Gateway: a new one for this stack");
    expect(r.stderr).toMatch(new RegExp(`The same run without questions:\\n.*--transit-gateway-id ${existing}`));
    expect(r.stderr).toMatch(/reuse .*transit gateway tgw-\w+, Amazon ASN 64700/);
  });

  it("BGP: asks for the router's ASN when --cgw-asn was not given", async () => {
    const r = await runCli(["vpn", "create", "--vpc-id", prodId, "--cgw-ip", "203.0.113.10", "--route-tables", "none", "--device", "strongswan"], {
      aws,
      tty: true,
      answers: [
        { waitFor: "Which gateway should the VPN connection use?", keys: KEY.enter },
        { waitFor: "How should routes be exchanged?", keys: KEY.down + KEY.enter },
        { waitFor: "BGP ASN of your router:", keys: `65010${KEY.enter}` },
        { waitFor: "On-prem ranges your router will announce", keys: `10.0.0.0/8${KEY.enter}` },
        { waitFor: "Allow the on-prem ranges in a security group?", keys: KEY.enter },
        { waitFor: "Which tunnel crypto?", keys: KEY.enter },
        { waitFor: "to which file?", keys: KEY.enter },
        { waitFor: "Apply this plan?", keys: `n${KEY.enter}` },
      ],
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/The same run without questions:\n.*--cgw-asn 65010 --routing bgp/);
  });

  it("writes the router config to a file named after the stack by default (mode 0600), not to the terminal", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vpcwire-wizard-"));
    const r = await runCli(["vpn", "create", "--vpc-id", prodId, "--onprem-cidr", "10.0.0.0/8", "--route-tables", "none"], {
      aws,
      tty: true,
      cwd: dir,
      answers: [
        { waitFor: "Public IPv4 address of your on-prem router", keys: `203.0.113.10${KEY.enter}` },
        { waitFor: "Which gateway should the VPN connection use?", keys: KEY.enter },
        { waitFor: "Allow the on-prem ranges in a security group?", keys: KEY.enter },
        { waitFor: "Which router config should vpcwire write?", keys: KEY.down + KEY.enter },
        // compatible: for old devices, and the same run without questions says so.
        { waitFor: "Which tunnel crypto?", keys: KEY.down + KEY.enter },
        { waitFor: ".swanctl.conf", keys: KEY.enter },
        { waitFor: "Apply this plan?", keys: `y${KEY.enter}` },
      ],
    });
    expect(r.code).toBe(0);
    const stack = `vpn-${prodId.slice(-8)}-203-0-113-10`;
    const path = join(dir, `${stack}.swanctl.conf`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, "utf8")).toContain("connections {");
    expect(r.stdout).not.toContain("connections {");
    expect(r.stderr).toMatch(new RegExp(`--out \\S*${stack}\\.swanctl\\.conf`));
    expect(r.stderr).toMatch(/The same run without questions:\n.*--crypto compatible/);
    expect(r.stderr).toMatch(/--crypto compatible keeps AWS's defaults/);
    // AWS's defaults: no algorithm list, no actions, nothing per tunnel.
    const create = aws.calls.find((c) => c.operation === "CreateVpnConnection")!.input as { Options: { TunnelOptions: unknown[] } };
    expect(create.Options.TunnelOptions).toEqual([{}, {}]);
  });

  it("off a TTY never prompts: missing flags are a usage error listing them (exit 2)", async () => {
    const r = await runCli(["vpn", "create", "--routing", "static"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required flags: --vpc-id, --cgw-ip, --onprem-cidr");
    expect(aws.calls).toEqual([]);
  });

  it("--yes in a terminal also never prompts", async () => {
    const r = await runCli(["vpn", "create", "--yes"], { aws, tty: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required flags");
  });
});
