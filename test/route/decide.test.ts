/**
 * The route decision against the cases of AWS's "How route priority works" (Amazon VPC User Guide)
 * and the VPN guide's "Route tables and VPN route priority", plus seed 001's VPC (192.168.0.0/16).
 */
import { describe, expect, it } from "vitest";
import { type CarrierInput, chooseCarrier, decideRoute, type TableRoute } from "../../src/route/decide.js";

const local = (cidr: string): TableRoute => ({ DestinationCidrBlock: cidr, GatewayId: "local", Origin: "CreateRouteTable", State: "active" });
const stat = (cidr: string, target: Partial<TableRoute>, state = "active"): TableRoute => ({
  DestinationCidrBlock: cidr,
  Origin: "CreateRoute",
  State: state,
  ...target,
});
const propagated = (cidr: string, vgw = "vgw-11223344556677889"): TableRoute => ({
  DestinationCidrBlock: cidr,
  GatewayId: vgw,
  Origin: "EnableVgwRoutePropagation",
  State: "active",
});
const plRoute = (pl: string, target: Partial<TableRoute>): TableRoute => ({ DestinationPrefixListId: pl, Origin: "CreateRoute", State: "active", ...target });

const IGW = { GatewayId: "igw-12345678901234567" };
const PCX = { VpcPeeringConnectionId: "pcx-11223344556677889" };

describe("longest prefix match (the guide's first example)", () => {
  const routes = [local("10.0.0.0/16"), stat("172.31.0.0/16", PCX), stat("0.0.0.0/0", IGW)];
  const vpcCidrs = ["10.0.0.0/16"];

  it("traffic to 172.31.0.0/16 uses the peering connection: more specific than the internet gateway's 0.0.0.0/0", () => {
    const d = decideRoute({ ip: "172.31.7.9", routes, vpcCidrs });
    expect(d.outcome).toBe("forwarded");
    expect(d.winner).toMatchObject({ destination: "172.31.0.0/16", target: { kind: "vpc-peering", id: "pcx-11223344556677889" } });
    expect(d.candidates.map((c) => [c.destination, c.verdict])).toEqual([
      ["172.31.0.0/16", "wins"],
      ["0.0.0.0/0", "less-specific"],
    ]);
    expect(d.candidates[1]!.why).toMatch(/\/0 is less specific than \/16/);
  });

  it("traffic inside the VPC is covered by the local route", () => {
    const d = decideRoute({ ip: "10.0.3.4", routes, vpcCidrs });
    expect(d.winner).toMatchObject({ origin: "local", target: { kind: "local" } });
    expect(d.reason).toMatch(/stays in the VPC/);
  });

  it("everything else goes to the internet gateway", () => {
    const d = decideRoute({ ip: "8.8.8.8", routes, vpcCidrs });
    expect(d.winner?.target).toEqual({ kind: "internet-gateway", id: "igw-12345678901234567" });
    expect(d.candidates).toHaveLength(1);
    expect(d.winner?.why).toBe("the only route that matches");
  });

  it("10.10.2.15/32 has priority over 10.10.2.0/24 (the summary's example)", () => {
    const d = decideRoute({
      ip: "10.10.2.15",
      routes: [local("10.0.0.0/16"), stat("10.10.2.0/24", { TransitGatewayId: "tgw-0a" }), stat("10.10.2.15/32", { NetworkInterfaceId: "eni-0b" })],
      vpcCidrs: ["10.0.0.0/16"],
    });
    expect(d.winner?.target).toEqual({ kind: "network-interface", id: "eni-0b" });
  });

  it("routes to IPv4 and IPv6 are independent: ::/0 does not catch an IPv4 packet, 0.0.0.0/0 no IPv6 one", () => {
    const routes6: TableRoute[] = [
      local("10.0.0.0/16"),
      { DestinationIpv6CidrBlock: "2600:1f18::/56", GatewayId: "local", State: "active" },
      { DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: "eigw-0c", State: "active" },
      stat("0.0.0.0/0", IGW),
    ];
    const v4 = decideRoute({ ip: "1.1.1.1", routes: routes6, vpcCidrs: ["10.0.0.0/16", "2600:1f18::/56"] });
    expect(v4.winner?.target.kind).toBe("internet-gateway");
    const v6 = decideRoute({ ip: "2606:4700::1111", routes: routes6, vpcCidrs: ["10.0.0.0/16", "2600:1f18::/56"] });
    expect(v6.family).toBe(6);
    expect(v6.winner?.target).toEqual({ kind: "egress-only-internet-gateway", id: "eigw-0c" });
    expect(v6.candidates).toHaveLength(1);
  });
});

describe("static and propagated routes on an identical destination", () => {
  it("the guide's example: a static route to an internet gateway beats a propagated route to the VGW for 172.31.0.0/24", () => {
    const d = decideRoute({
      ip: "172.31.0.20",
      routes: [local("10.0.0.0/16"), propagated("172.31.0.0/24"), stat("172.31.0.0/24", IGW)],
      vpcCidrs: ["10.0.0.0/16"],
    });
    expect(d.winner).toMatchObject({ origin: "static", target: { kind: "internet-gateway" } });
    const vgw = d.candidates.find((c) => c.origin === "propagated")!;
    expect(vgw.verdict).toBe("static-wins-tie");
    expect(vgw.why).toMatch(/static route beats a propagated route/);
    expect(d.winner?.why).toMatch(/on the same \/24 a static route beats a propagated route/);
  });

  it.each([
    ["NAT gateway", { NatGatewayId: "nat-0a" }, "nat-gateway"],
    ["network interface", { NetworkInterfaceId: "eni-0a" }, "network-interface"],
    ["instance", { InstanceId: "i-0a", NetworkInterfaceId: "eni-0a" }, "instance"],
    ["gateway VPC endpoint", { GatewayId: "vpce-0a" }, "gateway-endpoint"],
    ["transit gateway", { TransitGatewayId: "tgw-0a" }, "transit-gateway"],
    ["VPC peering connection", { VpcPeeringConnectionId: "pcx-0a" }, "vpc-peering"],
  ])("the same holds for a static route to a %s", (_name, target, kind) => {
    const d = decideRoute({ ip: "192.168.5.5", routes: [propagated("192.168.5.0/24"), stat("192.168.5.0/24", target)], vpcCidrs: ["10.0.0.0/16"] });
    expect(d.winner?.target.kind).toBe(kind);
    expect(d.winner?.origin).toBe("static");
  });

  it("a more specific propagated route beats a less specific static one: the longest prefix comes first", () => {
    const d = decideRoute({
      ip: "192.168.5.5",
      routes: [propagated("192.168.5.0/24"), stat("192.168.0.0/16", { TransitGatewayId: "tgw-0a" })],
      vpcCidrs: ["10.0.0.0/16"],
    });
    expect(d.winner).toMatchObject({ origin: "propagated", target: { kind: "virtual-private-gateway" } });
  });
});

describe("prefix lists", () => {
  const lists = { "pl-0aa": ["192.168.0.0/16", "172.20.0.0/16"], "pl-0bb": ["192.168.0.0/16"], "pl-63a5400a": ["52.219.0.0/20"] };

  it("a route that references a prefix list beats a propagated route to the same destination", () => {
    const d = decideRoute({
      ip: "192.168.1.1",
      routes: [local("10.0.0.0/16"), propagated("192.168.0.0/16"), plRoute("pl-0aa", { TransitGatewayId: "tgw-0a" })],
      vpcCidrs: ["10.0.0.0/16"],
      prefixLists: lists,
    });
    expect(d.winner).toMatchObject({ origin: "prefix-list", destination: "pl-0aa", matchedCidr: "192.168.0.0/16" });
    expect(d.candidates.find((c) => c.origin === "propagated")!.verdict).toBe("prefix-list-wins-tie");
  });

  it("a static route to the same CIDR beats the prefix-list route (static routes come before prefix-list routes)", () => {
    const d = decideRoute({
      ip: "192.168.1.1",
      routes: [plRoute("pl-0aa", { TransitGatewayId: "tgw-0a" }), stat("192.168.0.0/16", PCX)],
      vpcCidrs: ["10.0.0.0/16"],
      prefixLists: lists,
    });
    expect(d.winner?.target.kind).toBe("vpc-peering");
    expect(d.candidates[1]).toMatchObject({ origin: "prefix-list", verdict: "static-wins-tie" });
  });

  it("more specific routes win whatever their kind: a propagated /24 beats the prefix list's /16", () => {
    const d = decideRoute({
      ip: "192.168.1.1",
      routes: [propagated("192.168.1.0/24"), plRoute("pl-0aa", { TransitGatewayId: "tgw-0a" })],
      vpcCidrs: ["10.0.0.0/16"],
      prefixLists: lists,
    });
    expect(d.winner?.origin).toBe("propagated");
  });

  it("overlapping prefix lists to different targets: AWS picks one at random, so no winner is claimed", () => {
    const d = decideRoute({
      ip: "192.168.1.1",
      routes: [plRoute("pl-0aa", { TransitGatewayId: "tgw-0a" }), plRoute("pl-0bb", PCX)],
      vpcCidrs: ["10.0.0.0/16"],
      prefixLists: lists,
    });
    expect(d.outcome).toBe("ambiguous");
    expect(d.winner).toBeUndefined();
    expect(d.candidates.map((c) => c.verdict)).toEqual(["tie", "tie"]);
    expect(d.reason).toMatch(/at random/);
  });

  it("a gateway endpoint's AWS-managed list sends S3 addresses to the endpoint, not the internet gateway", () => {
    const d = decideRoute({
      ip: "52.219.4.10",
      routes: [local("10.0.0.0/16"), stat("0.0.0.0/0", IGW), plRoute("pl-63a5400a", { GatewayId: "vpce-0123" })],
      vpcCidrs: ["10.0.0.0/16"],
      prefixLists: lists,
    });
    expect(d.winner?.target).toEqual({ kind: "gateway-endpoint", id: "vpce-0123" });
  });

  it("a prefix list that was not read is said, not guessed", () => {
    const d = decideRoute({ ip: "52.219.4.10", routes: [stat("0.0.0.0/0", IGW), plRoute("pl-0zz", { GatewayId: "vpce-0123" })], vpcCidrs: [] });
    expect(d.winner?.target.kind).toBe("internet-gateway");
    expect(d.reason).toMatch(/Prefix list pl-0zz not read/);
  });
});

describe("the local route", () => {
  it("a propagated route inside the VPC's CIDR is not used, however specific: the local route wins", () => {
    const d = decideRoute({ ip: "10.0.1.5", routes: [local("10.0.0.0/16"), propagated("10.0.1.0/24")], vpcCidrs: ["10.0.0.0/16"] });
    expect(d.winner?.origin).toBe("local");
    expect(d.candidates.find((c) => c.origin === "propagated")).toMatchObject({ verdict: "inside-local" });
  });

  it("a static route to a subnet CIDR through an appliance (middlebox routing) is more specific than the local route and wins", () => {
    const d = decideRoute({
      ip: "10.0.1.5",
      routes: [local("10.0.0.0/16"), stat("10.0.1.0/24", { NetworkInterfaceId: "eni-0fw" })],
      vpcCidrs: ["10.0.0.0/16"],
    });
    expect(d.winner?.target).toEqual({ kind: "network-interface", id: "eni-0fw" });
  });
});

describe("states", () => {
  it("a blackhole winner drops the packet; there is no fall back to the less specific route", () => {
    const d = decideRoute({ ip: "8.8.8.8", routes: [stat("0.0.0.0/0", IGW), stat("8.8.8.0/24", { NatGatewayId: "nat-0gone" }, "blackhole")], vpcCidrs: [] });
    expect(d.outcome).toBe("blackhole");
    expect(d.winner?.target.id).toBe("nat-0gone");
    expect(d.reason).toMatch(/dropped; AWS does not fall back/);
  });

  it("no matching route: dropped", () => {
    const d = decideRoute({ ip: "8.8.8.8", routes: [local("10.0.0.0/16")], vpcCidrs: ["10.0.0.0/16"] });
    expect(d).toMatchObject({ outcome: "no-route", candidates: [] });
  });
});

describe("seed 001: VPC 192.168.0.0/16, subnets 192.168.1.0/24, .2.0/24, .3.0/24", () => {
  const routes = [local("192.168.0.0/16")];
  it("a packet from 192.168.1.0/24 to 192.168.2.5 is routed by the local route: the table shows the whole VPC, not each subnet", () => {
    const d = decideRoute({ ip: "192.168.2.5", routes, vpcCidrs: ["192.168.0.0/16"] });
    expect(d.winner).toMatchObject({ destination: "192.168.0.0/16", origin: "local" });
  });
  it("without a route to an internet gateway, internet traffic has no route; with 0.0.0.0/0 → IGW it leaves through it", () => {
    expect(decideRoute({ ip: "203.0.113.80", routes, vpcCidrs: ["192.168.0.0/16"] }).outcome).toBe("no-route");
    const d = decideRoute({ ip: "203.0.113.80", routes: [...routes, stat("0.0.0.0/0", IGW)], vpcCidrs: ["192.168.0.0/16"] });
    expect(d.winner?.target.kind).toBe("internet-gateway");
    expect(d.reason).toMatch(/one-to-one NAT/);
  });
});

describe("inside the virtual private gateway (VPN guide: DX BGP > VPN static > VPN BGP)", () => {
  const vpnStatic = (id: string, cidrs: string[], tunnels = ["UP", "DOWN"]): CarrierInput => ({
    kind: "vpn",
    id,
    state: "available",
    routing: "static",
    staticRoutes: cidrs.map((cidr) => ({ cidr, state: "available" })),
    tunnels: tunnels.map((status) => ({ status, acceptedRoutes: 0 })),
  });
  const vpnBgp = (id: string, accepted = 3): CarrierInput => ({
    kind: "vpn",
    id,
    state: "available",
    routing: "bgp",
    tunnels: [
      { status: "UP", acceptedRoutes: accepted },
      { status: "DOWN", acceptedRoutes: 0 },
    ],
  });
  const dx = (id: string, bgp = "up"): CarrierInput => ({
    kind: "dx",
    id,
    state: bgp === "up" ? "available" : "down",
    routing: "bgp",
    tunnels: [{ status: bgp }],
  });

  it("Direct Connect BGP is preferred over a static VPN and a BGP VPN", () => {
    const d = chooseCarrier("10.1.2.3", [vpnBgp("vpn-b"), vpnStatic("vpn-s", ["10.0.0.0/8"]), dx("dxvif-a")]);
    expect(d.winner?.id).toBe("dxvif-a");
    expect(d.carriers.map((c) => [c.id, c.verdict])).toEqual([
      ["vpn-b", "standby"],
      ["vpn-s", "standby"],
      ["dxvif-a", "carries"],
    ]);
  });

  it("without Direct Connect, a VPN static route is preferred over routes learned over a BGP VPN", () => {
    const d = chooseCarrier("10.1.2.3", [vpnBgp("vpn-b"), vpnStatic("vpn-s", ["10.0.0.0/8"]), dx("dxvif-down", "down")]);
    expect(d.winner?.id).toBe("vpn-s");
    expect(d.winner?.matchedRoute).toBe("10.0.0.0/8");
    expect(d.carriers.find((c) => c.id === "dxvif-down")?.verdict).toBe("down");
  });

  it("a static VPN without a route for the address, or with both tunnels down, carries nothing; a BGP VPN that accepted no routes neither", () => {
    const d = chooseCarrier("10.1.2.3", [
      vpnStatic("vpn-other", ["172.16.0.0/12"]),
      vpnStatic("vpn-down", ["10.0.0.0/8"], ["DOWN", "DOWN"]),
      vpnBgp("vpn-empty", 0),
    ]);
    expect(d.winner).toBeUndefined();
    expect(d.carriers.map((c) => c.verdict)).toEqual(["no-route", "down", "no-route"]);
    expect(d.reason).toMatch(/No connection on the gateway can carry it/);
  });

  it("between two static VPNs, the more specific static route wins", () => {
    const d = chooseCarrier("10.1.2.3", [vpnStatic("vpn-wide", ["10.0.0.0/8"]), vpnStatic("vpn-narrow", ["10.1.0.0/16"])]);
    expect(d.winner?.id).toBe("vpn-narrow");
  });
});
