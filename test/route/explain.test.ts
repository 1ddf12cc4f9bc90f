import type { Instance } from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeAws, installFakeAws, uninstallFakeAws } from "../fakes/aws.js";
import { seedHostedVif } from "../fakes/dx.js";
import { seedRouteTable, seedSubnet, seedVpc, setTunnelStatus } from "../fakes/ec2.js";
import { seedPrefixList } from "../fakes/ec2-prefix-lists.js";
import { ALL_SERVICES } from "../fakes/services.js";
import { runCli } from "../helpers/cli.js";

/**
 * Seed 001's VPC: 192.168.0.0/16 with subnets 192.168.1.0/24 (public: its own table with
 * 0.0.0.0/0 → internet gateway), 192.168.2.0/24 and 192.168.3.0/24 (the main table: local only).
 */
let aws: FakeAws;
let vpcId: string;
let mainRtb: string;
let publicRtb: string;
let subnets: string[];
let instance: Instance;
const IGW = "igw-0000000000000000a";

beforeEach(() => {
  aws = installFakeAws(new FakeAws(), ALL_SERVICES);
  vpcId = seedVpc(aws, { cidr: "192.168.0.0/16", name: "seed001" }).VpcId!;
  mainRtb = aws.ec2.routeTables.find((t) => t.VpcId === vpcId)!.RouteTableId!;
  const pub = seedRouteTable(aws, vpcId, "public");
  pub.Routes!.push({ DestinationCidrBlock: "0.0.0.0/0", GatewayId: IGW, Origin: "CreateRoute", State: "active" });
  publicRtb = pub.RouteTableId!;
  subnets = [
    seedSubnet(aws, vpcId, "192.168.1.0/24", "ap-northeast-1a", { name: "public", routeTableId: publicRtb }).SubnetId!,
    seedSubnet(aws, vpcId, "192.168.2.0/24", "ap-northeast-1a", { name: "app" }).SubnetId!,
    seedSubnet(aws, vpcId, "192.168.3.0/24", "ap-northeast-1c", { name: "db" }).SubnetId!,
  ];
  instance = {
    InstanceId: "i-0123456789abcdef0",
    State: { Name: "running", Code: 16 },
    VpcId: vpcId,
    SubnetId: subnets[0],
    PrivateIpAddress: "192.168.1.10",
  };
  aws.ec2.instances.push(instance);
});
afterEach(() => uninstallFakeAws());

const explain = (args: string[]) => runCli(["route", "explain", "--vpc-id", vpcId, ...args], { aws });

describe("seed 001: local route, internet gateway, explicit association vs main table", () => {
  it("192.168.1.0/24 → 192.168.2.5 stays in the VPC through the local route of the subnet's own table", async () => {
    const r = await explain(["--to", "192.168.2.5", "--subnet", subnets[0]!]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Route table ${publicRtb} (associated with ${subnets[0]})`);
    expect(r.stdout).toMatch(
      /✔ 192\.168\.0\.0\/16\s+local\s+local\s+active\s+wins: the local route covers the VPC's own addresses; \/16 is the longest prefix/,
    );
    expect(r.stdout).toMatch(/· 0\.0\.0\.0\/0\s+igw-0000000000000000a\s+static\s+active\s+loses: \/0 is less specific than \/16/);
    expect(r.stdout).toContain("Answer: 192.168.2.5 stays in the VPC");
    expect(aws.operations({ writesOnly: true })).toEqual([]);
  });

  it("from the instance to the internet: the internet gateway, and why a private-only instance gets no replies", async () => {
    const r = await explain(["--to", "8.8.8.8", "--instance-id", instance.InstanceId!]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Route table ${publicRtb} (associated with ${subnets[0]}; ${instance.InstanceId} is in ${subnets[0]})`);
    expect(r.stdout).toContain(`Answer: 8.8.8.8 leaves through internet gateway ${IGW}`);
    expect(r.stdout).toMatch(/Note: i-0123456789abcdef0 has no public or Elastic IP: the internet gateway does no many-to-one NAT/);
    instance.PublicIpAddress = "203.0.113.25";
    const withEip = await explain(["--to", "8.8.8.8", "--instance-id", instance.InstanceId!]);
    expect(withEip.stdout).toContain("Note: i-0123456789abcdef0 has public IP 203.0.113.25");
  });

  it("a subnet without its own table uses the main table, which has no internet route: dropped", async () => {
    const r = await explain(["--to", "8.8.8.8", "--subnet", subnets[1]!, "--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      schemaVersion: 1,
      ok: true,
      command: "route explain",
      region: "ap-northeast-1",
      vpcId,
      to: "8.8.8.8",
      routeTable: { id: mainRtb, association: "main", subnetId: subnets[1] },
      outcome: "no-route",
      winner: null,
      candidates: [],
    });
    expect(doc.reason).toMatch(/No route in this table covers 8\.8\.8\.8/);
  });

  it("without --subnet: the main table, and which subnets have a table of their own", async () => {
    const r = await explain(["--to", "192.168.3.9"]);
    expect(r.stdout).toContain(`Route table ${mainRtb} (the main table (give --subnet or --instance-id`);
    expect(r.stdout).toContain(`Subnets with their own table: ${subnets[0]} → ${publicRtb}.`);
  });
});

describe("on-prem destinations: which VPN or Direct Connect interface carries them", () => {
  async function vpnStack(): Promise<string> {
    const r = await runCli(
      ["vpn", "create", "--stack", "office", "--vpc-id", vpcId, "--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.0.0.0/8", "--route-tables", mainRtb, "--yes"],
      { aws },
    );
    expect(r.code).toBe(0);
    const vpn = aws.ec2.vpns[0]!;
    // The static route propagates into the table as AWS does it (the fake does not model VPN propagation).
    aws.ec2.routeTables
      .find((t) => t.RouteTableId === mainRtb)!
      .Routes!.push({ DestinationCidrBlock: "10.0.0.0/8", GatewayId: vpn.VpnGatewayId, Origin: "EnableVgwRoutePropagation", State: "active" });
    return vpn.VpnConnectionId!;
  }

  it("a propagated route to the stack's gateway: the static VPN carries it once a tunnel is UP", async () => {
    const vpnId = await vpnStack();
    aws.calls.length = 0;
    let r = await explain(["--to", "10.1.2.3", "--subnet", subnets[1]!]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✔ 10\.0\.0\.0\/8\s+vgw-\w+\s+propagated\s+active\s+wins/);
    expect(r.stdout).toMatch(
      new RegExp(`✖ VPN connection ${vpnId} \\(stack office\\), static, available: static route 10\\.0\\.0\\.0/8 holds 10\\.1\\.2\\.3, but no tunnel is UP\\.`),
    );
    expect(r.stdout).toContain("No connection on the gateway can carry it now");
    expect(aws.operations()).toEqual(expect.arrayContaining(["DescribeVpnConnections", "DescribeVirtualInterfaces"]));
    setTunnelStatus(aws, vpnId, [
      { status: "UP", message: "" },
      { status: "DOWN", message: "IPSEC IS DOWN" },
    ]);
    r = await explain(["--to", "10.1.2.3", "--subnet", subnets[1]!, "--json"]);
    const doc = JSON.parse(r.stdout);
    expect(doc.gateway.winner).toMatchObject({ kind: "vpn", id: vpnId, stack: "office", verdict: "carries", matchedRoute: "10.0.0.0/8" });
    expect(doc.gateway.winner.tunnels.map((t: { status: string }) => t.status)).toEqual(["UP", "DOWN"]);
    expect(doc.gateway.reason).toMatch(new RegExp(`VPN connection ${vpnId} \\(stack office\\) carries it`));
  });

  it("a Direct Connect interface with BGP up on the same gateway is preferred over the static VPN", async () => {
    const vpnId = await vpnStack();
    setTunnelStatus(aws, vpnId, [
      { status: "UP", message: "" },
      { status: "UP", message: "" },
    ]);
    const vgwId = aws.ec2.vpns[0]!.VpnGatewayId!;
    const vif = seedHostedVif(aws, { acceptedOnto: { virtualGatewayId: vgwId }, advertise: ["10.0.0.0/8"] });
    const doc = JSON.parse((await explain(["--to", "10.1.2.3", "--json"])).stdout);
    expect(doc.gateway.winner).toMatchObject({ kind: "dx", id: vif.virtualInterfaceId, verdict: "carries" });
    expect(doc.gateway.carriers.find((c: { id: string }) => c.id === vpnId)).toMatchObject({ verdict: "standby" });
    expect(doc.gateway.carriers.find((c: { id: string }) => c.id === vpnId).why).toMatch(/Direct Connect BGP comes before VPN static/);
  });

  it("a static route to a peering connection for the same prefix beats the propagated VPN route", async () => {
    await vpnStack();
    aws.ec2.routeTables
      .find((t) => t.RouteTableId === mainRtb)!
      .Routes!.push({ DestinationCidrBlock: "10.0.0.0/8", VpcPeeringConnectionId: "pcx-0123456789abcdef0", Origin: "CreateRoute", State: "active" });
    const doc = JSON.parse((await explain(["--to", "10.1.2.3", "--json"])).stdout);
    expect(doc.winner).toMatchObject({ origin: "static", target: { kind: "vpc-peering" } });
    expect(doc.candidates[1]).toMatchObject({ origin: "propagated", verdict: "static-wins-tie" });
    expect(doc.gateway).toBeUndefined();
  });
});

describe("prefix lists and blackholes", () => {
  it("reads the entries of a prefix list the table references (a gateway endpoint's S3 list)", async () => {
    const pl = seedPrefixList(aws, "com.amazonaws.ap-northeast-1.s3", ["52.219.0.0/20", "3.5.152.0/21"]);
    aws.ec2.routeTables
      .find((t) => t.RouteTableId === publicRtb)!
      .Routes!.push({ DestinationPrefixListId: pl.PrefixListId, GatewayId: "vpce-0123456789abcdef0", Origin: "CreateRoute", State: "active" });
    const doc = JSON.parse((await explain(["--to", "3.5.153.1", "--subnet", subnets[0]!, "--json"])).stdout);
    expect(doc.winner).toMatchObject({ destination: pl.PrefixListId, matchedCidr: "3.5.152.0/21", target: { kind: "gateway-endpoint" } });
    expect(aws.count("GetManagedPrefixListEntries")).toBe(1);
  });

  it("a blackhole route wins and drops the packet", async () => {
    aws.ec2.routeTables
      .find((t) => t.RouteTableId === publicRtb)!
      .Routes!.push({ DestinationCidrBlock: "8.8.8.0/24", NatGatewayId: "nat-0123456789abcdef0", Origin: "CreateRoute", State: "blackhole" });
    const r = await explain(["--to", "8.8.8.8", "--subnet", subnets[0]!]);
    expect(r.stdout).toMatch(/✖ 8\.8\.8\.0\/24\s+nat-0123456789abcdef0/);
    expect(r.stdout).toMatch(/state blackhole\): the packet is dropped; AWS does not fall back/);
  });
});

describe("bad input: exit 2 before any AWS call", () => {
  it.each([
    [["--to", "10.1.2.300"], /--to: "10\.1\.2\.300" is not an IPv4 or IPv6 address/],
    [["--to", "10.0.0.0/8"], /--to: "10\.0\.0\.0\/8" is not an IPv4 or IPv6 address \(one address, not a CIDR block/],
    [["--to", "10.1.2.3", "--subnet", "sub-123"], /--subnet: "sub-123" is not a subnet id/],
    [["--to", "10.1.2.3", "--instance-id", "i-xyz"], /--instance-id: "i-xyz" is not a instance id/],
    [["--to", "10.1.2.3", "--subnet", "subnet-0123456789abcdef0", "--instance-id", "i-0123456789abcdef0"], /give --subnet or --instance-id, not both/],
  ])("%j", async (args, message) => {
    const r = await explain(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(aws.calls).toEqual([]);
  });

  it("a bad --vpc-id and a missing --to", async () => {
    let r = await runCli(["route", "explain", "--vpc-id", "vpc-nothex", "--to", "10.1.2.3"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--vpc-id: "vpc-nothex" is not a vpc id/);
    r = await runCli(["route", "explain", "--vpc-id", vpcId], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing required flags: --to/);
    expect(aws.calls).toEqual([]);
  });

  it("ids that do not fit the VPC are usage errors naming the flag (after the read)", async () => {
    const other = seedVpc(aws, { cidr: "10.9.0.0/16" }).VpcId!;
    const foreign = seedSubnet(aws, other, "10.9.1.0/24", "ap-northeast-1a").SubnetId!;
    let r = await explain(["--to", "10.1.2.3", "--subnet", foreign]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--subnet: ${foreign} is not a subnet of ${vpcId}`);
    aws.ec2.instances.push({ InstanceId: "i-0fedcba9876543210", State: { Name: "running", Code: 16 }, VpcId: other, SubnetId: foreign });
    r = await explain(["--to", "10.1.2.3", "--instance-id", "i-0fedcba9876543210"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--instance-id: i-0fedcba9876543210 is in ${other}, not ${vpcId}`);
    r = await runCli(["route", "explain", "--vpc-id", "vpc-0000000000000dead", "--to", "10.1.2.3"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--vpc-id: vpc-0000000000000dead does not exist");
  });

  it("--offline is refused: there is nothing to explain without the route tables", async () => {
    const r = await explain(["--to", "10.1.2.3", "--dry-run", "--offline"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--offline: route explain reads the route tables/);
  });
});
