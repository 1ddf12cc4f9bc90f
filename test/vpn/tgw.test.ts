/** `vpn create --transit-gateway*` against the fake account: new and reused gateways, routes, re-runs, failures. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeAws, installFakeAws, uninstallFakeAws } from "../fakes/aws.js";
import { seedRouteTable, seedSubnet, seedVgw, seedVpc } from "../fakes/ec2.js";
import { seedTgw } from "../fakes/ec2-tgw.js";
import { ec2Error } from "../fakes/model.js";
import { ALL_SERVICES } from "../fakes/services.js";
import { runCli } from "../helpers/cli.js";

let aws: FakeAws;
let vpcId: string;
let rtbIds: string[];
let subnets: string[];

beforeEach(() => {
  aws = installFakeAws(new FakeAws(), ALL_SERVICES);
  const vpc = seedVpc(aws, { cidr: "172.31.0.0/16", name: "prod" });
  vpcId = vpc.VpcId!;
  const main = aws.ec2.routeTables.find((t) => t.VpcId === vpcId)!;
  const priv = seedRouteTable(aws, vpcId, "private");
  subnets = [
    seedSubnet(aws, vpcId, "172.31.1.0/24", "ap-northeast-1a", { routeTableId: priv.RouteTableId! }).SubnetId!,
    seedSubnet(aws, vpcId, "172.31.2.0/24", "ap-northeast-1a").SubnetId!,
    seedSubnet(aws, vpcId, "172.31.3.0/24", "ap-northeast-1c").SubnetId!,
  ];
  rtbIds = [main.RouteTableId!, priv.RouteTableId!];
});
afterEach(() => uninstallFakeAws());

const STACK = "branch-tgw";
const base = () => ["vpn", "create", "--stack", STACK, "--vpc-id", vpcId, "--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.0.0.0/8"];
const routesTo = (rtb: string) =>
  aws.ec2.routeTables
    .find((t) => t.RouteTableId === rtb)!
    .Routes!.filter((r) => r.TransitGatewayId)
    .map((r) => `${r.DestinationCidrBlock}->${r.TransitGatewayId}:${r.State}`);

describe("vpn create on a new Transit Gateway", () => {
  it("static: creates the gateway, attaches the VPC one subnet per AZ, routes both ways, and waits for every attachment", async () => {
    const r = await runCli([...base(), "--transit-gateway", "new", "--yes"], { aws });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(aws.operations({ writesOnly: true }).sort()).toEqual(
      [
        "CreateTransitGateway",
        "CreateTransitGatewayVpcAttachment",
        "CreateCustomerGateway",
        "CreateVpnConnection",
        "CreateTransitGatewayRoute",
        "CreateRoute",
        "CreateRoute",
      ].sort(),
    );
    // No virtual private gateway, no VGW-only calls.
    expect(aws.ec2.vgws).toEqual([]);
    expect(aws.count("CreateVpnConnectionRoute")).toBe(0);
    const tgw = aws.ec2.tgws[0]!;
    expect(tgw.State).toBe("available");
    expect(tgw.Options).toMatchObject({
      AmazonSideAsn: 64512,
      VpnEcmpSupport: "enable",
      DefaultRouteTableAssociation: "enable",
      DefaultRouteTablePropagation: "enable",
    });
    expect(tgw.Tags).toContainEqual({ Key: "vpcwire:stack", Value: STACK });
    const vpcAtt = aws.ec2.tgwAttachments.find((a) => a.ResourceType === "vpc")!;
    // One subnet per Availability Zone: the first of 1a, and 1c.
    expect(vpcAtt.SubnetIds).toEqual([subnets[0], subnets[2]]);
    expect(vpcAtt.State).toBe("available");
    expect(vpcAtt.Tags).toContainEqual({ Key: "vpcwire:stack", Value: STACK });
    const vpn = aws.ec2.vpns[0]!;
    expect(vpn.TransitGatewayId).toBe(tgw.TransitGatewayId);
    expect(vpn.VpnGatewayId).toBeUndefined();
    const vpnAtt = aws.ec2.tgwAttachments.find((a) => a.ResourceType === "vpn")!;
    expect(vpnAtt).toMatchObject({ ResourceId: vpn.VpnConnectionId, State: "available" });
    // The static route is in the gateway's route table, pointing at the VPN attachment.
    const table = aws.ec2.tgwRouteTables.find((t) => t.TransitGatewayRouteTableId === tgw.Options!.AssociationDefaultRouteTableId)!;
    expect(table.routes.map((x) => [x.DestinationCidrBlock, x.TransitGatewayAttachments?.[0]?.TransitGatewayAttachmentId])).toEqual([
      ["10.0.0.0/8", vpnAtt.TransitGatewayAttachmentId],
    ]);
    for (const rtb of rtbIds) expect(routesTo(rtb)).toEqual([`10.0.0.0/8->${tgw.TransitGatewayId}:active`]);
    // Waits: the gateway, the VPC attachment, the VPN attachment.
    expect(aws.count("DescribeTransitGateways")).toBeGreaterThan(1);
    expect(aws.count("DescribeTransitGatewayAttachments")).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/transit gateway tgw-\w+/);
    expect(r.stdout).toContain("tunnel destination");
  });

  it("BGP with --tgw-asn and --acceleration: an accelerated connection on a gateway with that ASN, no TGW static routes", async () => {
    const r = await runCli(
      [...base(), "--transit-gateway", "new", "--tgw-asn", "64600", "--routing", "bgp", "--cgw-asn", "65010", "--acceleration", "--json", "--yes"],
      { aws },
    );
    expect(r.code).toBe(0);
    expect(aws.ec2.tgws[0]!.Options?.AmazonSideAsn).toBe(64600);
    const create = aws.calls.find((c) => c.operation === "CreateVpnConnection")!.input as {
      Options: { EnableAcceleration?: boolean };
      TransitGatewayId?: string;
    };
    expect(create.Options.EnableAcceleration).toBe(true);
    expect(create.TransitGatewayId).toBe(aws.ec2.tgws[0]!.TransitGatewayId);
    expect(aws.count("CreateTransitGatewayRoute")).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.resources.transitGatewayId).toBe(aws.ec2.tgws[0]!.TransitGatewayId);
    // The router config's BGP neighbor uses the gateway's ASN.
    expect(doc.deviceConfig.text).toContain("remote-as 64600");
  });

  it("re-running the same command converges: everything is found by tags and state, nothing is written", async () => {
    expect((await runCli([...base(), "--transit-gateway", "new", "--yes"], { aws })).code).toBe(0);
    const writes = aws.operations({ writesOnly: true }).length;
    const again = await runCli([...base(), "--transit-gateway", "new", "--yes"], { aws });
    expect(again.code).toBe(0);
    expect(aws.operations({ writesOnly: true }).length).toBe(writes);
    expect(again.stderr).toMatch(/already exists; nothing was changed/);
    const plan = await runCli([...base(), "--transit-gateway", "new", "--dry-run", "--json"], { aws });
    const steps = JSON.parse(plan.stdout).steps as Array<{ id: string; action: string }>;
    expect(steps.filter((s) => s.action === "create")).toEqual([]);
    expect(steps.map((s) => s.id)).toEqual(
      expect.arrayContaining(["tgw", "tgw-attach", "tgw-vpn-attach", "tgw-route:10.0.0.0/8", `vpc-route:${rtbIds[0]}:10.0.0.0/8`]),
    );
  });

  it("a failure halfway leaves tagged resources and says how to resume; the same command then finishes", async () => {
    aws.failNext("CreateVpnConnection", ec2Error("VpnConnectionLimitExceeded", "Maximum number of VPN connections reached"));
    const r = await runCli([...base(), "--transit-gateway", "new", "--yes"], { aws });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/transit gateway.*tgw-/);
    expect(r.stderr).toContain(`vpcwire destroy --stack ${STACK}`);
    expect(r.stderr).toMatch(/vpcwire vpn create --stack branch-tgw .*--transit-gateway new/);
    expect(aws.ec2.tgws[0]!.Tags).toContainEqual({ Key: "vpcwire:stack", Value: STACK });
    // No VPC route before the connection that records it exists (destroy finds routes through those tags).
    expect(aws.count("CreateRoute")).toBe(0);
    const again = await runCli([...base(), "--transit-gateway", "new", "--yes"], { aws });
    expect(again.code).toBe(0);
    expect(aws.ec2.tgws).toHaveLength(1);
    expect(aws.count("CreateTransitGateway")).toBe(1);
    expect(aws.count("CreateTransitGatewayVpcAttachment")).toBe(1);
  });
});

describe("vpn create on an existing Transit Gateway", () => {
  it("reuses it (never tagging it), attaches the VPC with --tgw-subnets, and says whether ECMP is on", async () => {
    const tgw = seedTgw(aws, { asn: 64700, ecmp: false });
    const plan = await runCli([...base(), "--transit-gateway-id", tgw.TransitGatewayId!, "--tgw-subnets", subnets[1]!, "--routing", "bgp", "--dry-run"], {
      aws,
    });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/reuse .*transit gateway tgw-\w+, Amazon ASN 64700, VPN ECMP disabled/);
    expect(plan.stdout).toContain("does not propagate routes into VPC route tables");
    expect(aws.operations({ writesOnly: true })).toEqual([]);
    const r = await runCli([...base(), "--transit-gateway-id", tgw.TransitGatewayId!, "--tgw-subnets", subnets[1]!, "--routing", "bgp", "--yes"], { aws });
    expect(r.code).toBe(0);
    expect(aws.count("CreateTransitGateway")).toBe(0);
    expect(aws.ec2.tgws[0]!.Tags).toEqual([]);
    expect(aws.ec2.tgwAttachments.find((a) => a.ResourceType === "vpc")!.SubnetIds).toEqual([subnets[1]]);
  });

  it("a gateway id that does not exist is exit 2 naming --transit-gateway-id", async () => {
    const r = await runCli([...base(), "--transit-gateway-id", "tgw-0123456789abcdef0", "--dry-run"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--transit-gateway-id: tgw-0123456789abcdef0 does not exist/);
  });

  it("two subnets in one Availability Zone are exit 2 naming --tgw-subnets, before any write", async () => {
    const tgw = seedTgw(aws);
    const r = await runCli([...base(), "--transit-gateway-id", tgw.TransitGatewayId!, "--tgw-subnets", `${subnets[0]},${subnets[1]}`, "--yes"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--tgw-subnets: .*both in ap-northeast-1a; a Transit Gateway attachment takes one subnet per Availability Zone/);
    expect(aws.operations({ writesOnly: true })).toEqual([]);
  });

  it("a route table that already sends the range elsewhere is exit 2 naming --route-tables", async () => {
    const tgw = seedTgw(aws);
    aws.ec2.routeTables[0]!.Routes!.push({ DestinationCidrBlock: "10.0.0.0/8", GatewayId: "igw-0123456789abcdef0", Origin: "CreateRoute", State: "active" });
    const r = await runCli([...base(), "--transit-gateway-id", tgw.TransitGatewayId!, "--dry-run"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--route-tables: rtb-\w+ already routes 10.0.0.0\/8 to igw-/);
  });
});

describe("Transit Gateway flags", () => {
  const cases: Array<[string[], RegExp]> = [
    [["--transit-gateway", "new", "--vgw-id", "vgw-0123456789abcdef0"], /--transit-gateway: cannot be used with --vgw-id/],
    [["--transit-gateway-id", "tgw-0123456789abcdef0", "--vgw-id", "vgw-0123456789abcdef0"], /--transit-gateway-id: cannot be used with --vgw-id/],
    [["--transit-gateway", "new", "--transit-gateway-id", "tgw-0123456789abcdef0"], /--transit-gateway: use either/],
    [["--transit-gateway", "tgw-0123456789abcdef0"], /--transit-gateway: takes only "new"; for an existing gateway use --transit-gateway-id/],
    [["--acceleration"], /--acceleration: Accelerated VPN works only on a Transit Gateway/],
    [["--tgw-asn", "64600"], /--tgw-asn: applies only to --transit-gateway new/],
    [["--transit-gateway-id", "tgw-0123456789abcdef0", "--tgw-asn", "64600"], /--tgw-asn: applies only to --transit-gateway new/],
    [["--tgw-subnets", "subnet-0123456789abcdef0"], /--tgw-subnets: applies only with/],
    [["--transit-gateway", "new", "--amazon-asn", "64600"], /--amazon-asn: is the virtual private gateway's ASN/],
    [["--transit-gateway", "new", "--tgw-asn", "65000", "--routing", "bgp"], /--cgw-asn: BGP needs different ASNs/],
    [["--transit-gateway", "new", "--tgw-asn", "100"], /--tgw-asn: /],
    [["--transit-gateway-id", "tgw-xyz"], /--transit-gateway-id: "tgw-xyz" is not a tgw id/],
    [["--transit-gateway", "new", "--tgw-subnets", "sub-1"], /--tgw-subnets: "sub-1" is not a subnet id/],
  ];
  for (const [flags, message] of cases) {
    it(`${flags.join(" ")}: exit 2 before any AWS call`, async () => {
      const r = await runCli([...base(), ...flags, "--yes"], { aws });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(aws.calls).toEqual([]);
    });
  }

  it("BGP on a Transit Gateway still needs the on-prem ranges (the VPC's routes are vpcwire's to add)", async () => {
    const r = await runCli(["vpn", "create", "--vpc-id", vpcId, "--cgw-ip", "203.0.113.10", "--routing", "bgp", "--transit-gateway", "new", "--yes"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing required flags: --onprem-cidr/);
  });
});

describe("Transit Gateway plans", () => {
  it("--dry-run --offline shows every TGW piece with placeholders and makes no call", async () => {
    const r = await runCli([...base(), "--transit-gateway", "new", "--vpc-cidr", "172.31.0.0/16", "--dry-run", "--offline", "--json"], { aws });
    expect(r.code).toBe(0);
    expect(aws.calls).toEqual([]);
    const plan = JSON.parse(r.stdout);
    expect(plan.steps.map((s: { id: string; type: string }) => `${s.id}:${s.type}`)).toEqual([
      "tgw:transit-gateway",
      "tgw-attach:tgw-vpc-attachment",
      "cgw:customer-gateway",
      "vpn:vpn-connection",
      "tgw-vpn-attach:tgw-vpn-attachment",
      "tgw-route:10.0.0.0/8:tgw-route",
      "vpc-route:all:10.0.0.0/8:vpc-route",
    ]);
    expect(plan.warnings.join(" ")).toContain("A Transit Gateway does not propagate routes into VPC route tables");
  });
});

describe("vpn config for a connection on a Transit Gateway", () => {
  it("renders the config with the gateway's ASN and the on-prem ranges the stack routed", async () => {
    const tgw = seedTgw(aws, { asn: 64700 }).TransitGatewayId!;
    expect((await runCli([...base(), "--transit-gateway-id", tgw, "--routing", "bgp", "--cgw-asn", "65010", "--yes"], { aws })).code).toBe(0);
    const r = await runCli(["vpn", "config", "--stack", STACK], { aws });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("remote-as 64700");
    expect(r.stdout).toContain("network 10.0.0.0 mask 255.0.0.0");
    const s = await runCli(["vpn", "config", "--stack", STACK, "--device", "strongswan"], { aws });
    expect(s.code, s.stderr).toBe(0);
  });
});

describe("the fake's virtual private gateway limit", () => {
  it("an 11th VPN connection on one VGW is refused as AWS does (VpnConnectionLimitExceeded, exit 1)", async () => {
    const vgw = seedVgw(aws, { attachTo: vpcId });
    for (let i = 0; i < 10; i++) {
      aws.ec2.vpns.push({
        VpnConnectionId: `vpn-0000000000000f0${i.toString(16)}`,
        VpnGatewayId: vgw.VpnGatewayId,
        State: "available",
        transitions: [],
        xmlTunnelsReversed: false,
      });
    }
    const r = await runCli([...base(), "--yes"], { aws });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("VpnConnectionLimitExceeded");
  });
});
