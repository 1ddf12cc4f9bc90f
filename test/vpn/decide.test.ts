/** `decideVpn` is pure: these cases drive it with hand-made facts, no fake AWS. */
import { describe, expect, it } from "vitest";
import { validateVpnFlags } from "../../src/vpn/inputs.js";
import { decideVpn, type VpnFacts } from "../../src/vpn/plan.js";

const where = { region: "ap-northeast-1", offline: false };
const input = (extra: Record<string, unknown> = {}) =>
  validateVpnFlags({ vpcId: "vpc-0123456789abcdef0", cgwIp: "203.0.113.10", onpremCidr: ["10.0.0.0/8"], ...extra }, { cwd: "/" });
const fresh = (extra: Partial<VpnFacts> = {}): VpnFacts => ({
  vpcCidrs: ["172.31.0.0/16"],
  read: true,
  gateway: { read: true },
  routeTables: [{ RouteTableId: "rtb-0aaaaaaaaaaaaaaaa", VpcId: "vpc-0123456789abcdef0", PropagatingVgws: [] }],
  ...extra,
});
const actions = (facts: VpnFacts, extra?: Record<string, unknown>) => decideVpn(input(extra), facts, where).steps.map((s) => `${s.action} ${s.id}`);

describe("decideVpn", () => {
  it("an empty account: everything is created, in dependency order", () => {
    expect(actions(fresh())).toEqual([
      "create vgw",
      "create attach",
      "create cgw",
      "create vpn",
      "create route:10.0.0.0/8",
      "update propagation:rtb-0aaaaaaaaaaaaaaaa",
    ]);
  });

  it("reuses the attached gateway, the router's customer gateway and the stack's connection; a route already there is a no-op", () => {
    const facts = fresh({
      gateway: {
        read: true,
        vgw: {
          VpnGatewayId: "vgw-0aaaaaaaaaaaaaaaa",
          State: "available",
          AmazonSideAsn: 64512,
          VpcAttachments: [{ VpcId: "vpc-0123456789abcdef0", State: "attached" }],
        },
      },
      cgw: { CustomerGatewayId: "cgw-0aaaaaaaaaaaaaaaa", State: "available" },
      vpn: {
        VpnConnectionId: "vpn-0aaaaaaaaaaaaaaaa",
        State: "available",
        Options: { StaticRoutesOnly: true },
        Routes: [{ DestinationCidrBlock: "10.0.0.0/8", State: "available" }],
      },
      routeTables: [{ RouteTableId: "rtb-0aaaaaaaaaaaaaaaa", PropagatingVgws: [{ GatewayId: "vgw-0aaaaaaaaaaaaaaaa" }] }],
    });
    expect(actions(facts)).toEqual([
      "reuse vgw",
      "no-op attach",
      "reuse cgw",
      "reuse vpn",
      "no-op route:10.0.0.0/8",
      "no-op propagation:rtb-0aaaaaaaaaaaaaaaa",
    ]);
  });

  it("refuses to switch routing on an existing connection, naming --routing", () => {
    const facts = fresh({ vpn: { VpnConnectionId: "vpn-0aaaaaaaaaaaaaaaa", State: "available", Options: { StaticRoutesOnly: true } } });
    expect(() => decideVpn(input({ routing: "bgp", cgwAsn: "65010" }), facts, where)).toThrow(
      /--routing: the existing VPN connection vpn-0a+ uses static routing/,
    );
  });

  it("an inside CIDR another connection on the gateway uses is refused by tunnel flag", () => {
    const facts = fresh({ insideCidrClash: { cidr: "169.254.10.0/30", tunnel: 2, vpnConnectionId: "vpn-0bbbbbbbbbbbbbbbb", vgwId: "vgw-0aaaaaaaaaaaaaaaa" } });
    expect(() => decideVpn(input(), facts, where)).toThrow(/--tunnel2-inside-cidr: 169\.254\.10\.0\/30 is already used by vpn-0b+/);
  });

  it("BGP with the gateway's own ASN is refused", () => {
    const facts = fresh({ gateway: { read: true, vgw: { VpnGatewayId: "vgw-0aaaaaaaaaaaaaaaa", AmazonSideAsn: 65010, VpcAttachments: [] } } });
    expect(() => decideVpn(input({ routing: "bgp", cgwAsn: "65010" }), facts, where)).toThrow(/--cgw-asn: BGP needs different ASNs/);
  });

  it("a range containing the VPC is planned, with a note of what stays local", () => {
    const plan = decideVpn(input({ onpremCidr: ["172.16.0.0/12"] }), fresh(), where);
    expect(plan.warnings).toContain(
      "172.16.0.0/12 contains the VPC's 172.31.0.0/16: 172.31.0.0/16 stays local (the VPC's local route is more specific); the rest of 172.16.0.0/12 goes over the VPN.",
    );
  });

  it("facts that were not read (offline) plan every resource with placeholders and one propagation step for all tables", () => {
    const plan = decideVpn(input(), { vpcCidrs: [], read: false, gateway: { read: false }, routeTables: undefined }, { region: null, offline: true });
    expect(plan.offline).toBe(true);
    expect(plan.steps.map((s) => s.id)).toContain("propagation:all");
    expect(plan.warnings.join("\n")).toContain("<VPC-CIDR>");
  });
});
