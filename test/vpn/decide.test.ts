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

describe("decideVpn: tunnel crypto", () => {
  const vpnId = "vpn-0aaaaaaaaaaaaaaaa";
  /** A connection whose tunnels hold these options (DescribeVpnConnections output spellings). */
  const existing = (tunnels: Array<Record<string, unknown>>): Partial<VpnFacts> => ({
    vpn: {
      VpnConnectionId: vpnId,
      State: "available",
      Options: {
        StaticRoutesOnly: true,
        TunnelOptions: tunnels.map((t, i) => ({ OutsideIpAddress: `52.196.10.${21 + i}`, TunnelInsideCidr: `169.254.${10 + i}.0/30`, ...t })),
      },
      Routes: [{ DestinationCidrBlock: "10.0.0.0/8", State: "available" }],
    },
  });
  const v = <T>(...list: T[]) => list.map((Value) => ({ Value }));
  /** What AWS lists for a tunnel left at its defaults (every allowed value). */
  const awsDefaults = {
    IkeVersions: v("ikev1", "ikev2"),
    Phase1EncryptionAlgorithms: v("AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16"),
    Phase2EncryptionAlgorithms: v("AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16"),
    Phase1IntegrityAlgorithms: v("SHA1", "SHA2-256", "SHA2-384", "SHA2-512"),
    Phase2IntegrityAlgorithms: v("SHA1", "SHA2-256", "SHA2-384", "SHA2-512"),
    Phase1DHGroupNumbers: v(2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24),
    Phase2DHGroupNumbers: v(2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24),
    DpdTimeoutSeconds: 30,
    DpdTimeoutAction: "clear",
    StartupAction: "add",
  };
  /** `modern` as AWS lists it back (order differs from what was sent: lists compare as sets). */
  const modern = {
    IkeVersions: v("ikev2"),
    Phase1EncryptionAlgorithms: v("AES256", "AES256-GCM-16"),
    Phase2EncryptionAlgorithms: v("AES256", "AES256-GCM-16"),
    Phase1IntegrityAlgorithms: v("SHA2-384", "SHA2-256"),
    Phase2IntegrityAlgorithms: v("SHA2-256", "SHA2-384"),
    Phase1DHGroupNumbers: v(20, 19),
    Phase2DHGroupNumbers: v(19, 20),
    DpdTimeoutSeconds: 30,
    DpdTimeoutAction: "restart",
    StartupAction: "start",
  };
  const plan = (facts: Partial<VpnFacts>, extra?: Record<string, unknown>) => decideVpn(input(extra), fresh(facts), where);

  it("a new connection: the plan and its params show both tunnels' crypto", () => {
    const p = plan({});
    const vpn = p.steps.find((s) => s.id === "vpn")!;
    expect(vpn.summary).toMatch(
      /both tunnels: modern crypto \(IKEv2; phase 1 AES256\/AES256-GCM-16, SHA2-256\/SHA2-384, DH 19,20;.*DPD 30 s then restart; AWS starts IKE\)/,
    );
    expect(vpn.params.cryptoProfile).toBe("modern");
    expect(vpn.params.tunnels).toEqual([
      { tunnel: 1, crypto: expect.stringMatching(/^IKEv2; /) },
      { tunnel: 2, crypto: expect.stringMatching(/^IKEv2; /) },
    ]);
    expect(p.warnings.join("\n")).not.toMatch(/FN72510/);
  });

  it("tunnels that already have the asked crypto: converged, nothing to update", () => {
    const p = plan(existing([modern, modern]));
    expect(p.steps.filter((s) => s.type === "vpn-tunnel-options")).toEqual([]);
    expect(p.steps.find((s) => s.id === "vpn")!.action).toBe("reuse");
    expect(p.steps.find((s) => s.id === "vpn")!.summary).toMatch(/both tunnels already have the modern crypto/);
  });

  it("AWS's defaults listed in full equal compatible (an empty list means every value)", () => {
    const p = plan(existing([awsDefaults, {}]), { crypto: "compatible" });
    expect(p.steps.some((s) => s.type === "vpn-tunnel-options")).toBe(false);
  });

  it("other crypto on an existing connection: one update per tunnel, the second after the first, each saying the tunnel restarts", () => {
    const p = plan(existing([awsDefaults, awsDefaults]));
    const updates = p.steps.filter((s) => s.type === "vpn-tunnel-options");
    expect(updates.map((s) => [s.id, s.action, s.dependsOn])).toEqual([
      ["tunnel-options:1", "update", ["vpn"]],
      ["tunnel-options:2", "update", ["tunnel-options:1"]],
    ]);
    expect(updates[0]!.resourceId).toBe(`${vpnId}/52.196.10.21`);
    expect(updates[0]!.params).toMatchObject({
      vpnConnectionId: vpnId,
      tunnel: 1,
      outsideIp: "52.196.10.21",
      differences: [
        "IKEVersions",
        "Phase1EncryptionAlgorithms",
        "Phase1IntegrityAlgorithms",
        "Phase1DHGroupNumbers",
        "Phase2EncryptionAlgorithms",
        "Phase2IntegrityAlgorithms",
        "Phase2DHGroupNumbers",
        "DPDTimeoutAction",
        "StartupAction",
      ],
      from: expect.stringMatching(/^AWS defaults/),
      to: expect.stringMatching(/^IKEv2; /),
    });
    expect(updates[1]!.summary).toMatch(
      /^tunnel 2 \(52\.196\.10\.22\) of vpn-0a+: update tunnel options \(.*\) to modern crypto .*; the tunnel restarts, the other stays up/,
    );
  });

  it("only the tunnel that differs is updated, and it waits only for the connection", () => {
    const p = plan(existing([modern, { ...modern, DpdTimeoutAction: "clear" }]));
    const updates = p.steps.filter((s) => s.type === "vpn-tunnel-options");
    expect(updates.map((s) => [s.id, s.dependsOn, s.params.differences])).toEqual([["tunnel-options:2", ["vpn"], ["DPDTimeoutAction"]]]);
  });

  it("an override is compared too: --phase1-dh-groups 20 on modern tunnels updates phase 1 DH only", () => {
    const p = plan(existing([modern, modern]), { phase1DhGroups: ["20"] });
    expect(p.steps.filter((s) => s.type === "vpn-tunnel-options").map((s) => s.params.differences)).toEqual([
      ["Phase1DHGroupNumbers"],
      ["Phase1DHGroupNumbers"],
    ]);
  });

  it("a connection still modifying is reused (waited for) before its tunnels are updated", () => {
    const facts = existing([awsDefaults, awsDefaults]);
    (facts.vpn as { State: string }).State = "modifying";
    const p = plan(facts);
    expect(p.steps.find((s) => s.id === "vpn")!.summary).toMatch(/\(modifying: wait until available\)/);
    expect(p.steps.find((s) => s.id === "tunnel-options:1")!.dependsOn).toEqual(["vpn"]);
  });

  it("a connection that lists no tunnel options is left alone, with a warning", () => {
    const p = plan({ vpn: { VpnConnectionId: vpnId, State: "available", Options: { StaticRoutesOnly: true } } });
    expect(p.steps.some((s) => s.type === "vpn-tunnel-options")).toBe(false);
    expect(p.warnings).toContain(
      `VPN connection ${vpnId} lists no tunnel options: its crypto cannot be compared with what this run asks for, so it is left as it is.`,
    );
  });

  it("compatible warns what refuses it (IOS-XE 17.11+, FN72510), whatever the device", () => {
    for (const device of ["csr1000v", "strongswan"]) {
      const warning = plan({}, { crypto: "compatible", device }).warnings.find((w) => w.startsWith("--crypto compatible"));
      expect(warning).toMatch(
        /for old devices: IOS-XE 17\.11 and later \(Catalyst 8000V\) refuses phase 1 DH groups 2, 24 \(IKEv2\) and phase 2 DH groups 2, 5 by default \(Cisco Field Notice FN72510\)/,
      );
    }
  });

  it("an override the chosen device refuses is warned about; the same for strongSwan is not", () => {
    expect(plan({}, { phase2DhGroups: ["5", "20"] }).warnings).toContain(
      "the tunnels allow what the csr1000v refuses: IOS-XE 17.11 and later (Catalyst 8000V) refuses phase 2 DH group 5 by default (Cisco Field Notice FN72510).",
    );
    expect(plan({}, { phase2DhGroups: ["5", "20"], device: "strongswan" }).warnings.join("\n")).not.toMatch(/refuses/);
  });
});

describe("decideVpn on a Transit Gateway", () => {
  const subnets = [
    { id: "subnet-0aaaaaaaaaaaaaaaa", vpcId: "vpc-0123456789abcdef0", az: "ap-northeast-1a", cidr: "172.31.1.0/24" },
    { id: "subnet-0bbbbbbbbbbbbbbbb", vpcId: "vpc-0123456789abcdef0", az: "ap-northeast-1a", cidr: "172.31.2.0/24" },
    { id: "subnet-0cccccccccccccccc", vpcId: "vpc-0123456789abcdef0", az: "ap-northeast-1c", cidr: "172.31.3.0/24" },
  ];
  const tgw = (ecmp: "enable" | "disable" = "enable") => ({
    TransitGatewayId: "tgw-0aaaaaaaaaaaaaaaa",
    State: "available" as const,
    Options: {
      AmazonSideAsn: 64700,
      VpnEcmpSupport: ecmp,
      DefaultRouteTableAssociation: "enable" as const,
      AssociationDefaultRouteTableId: "tgw-rtb-0aaaaaaaaaaaaaaaa",
    },
    Tags: [],
  });
  const withTgw = (extra: Partial<VpnFacts> = {}): VpnFacts => fresh({ tgw: { read: true, subnets }, ...extra });

  it("a new gateway: gateway, VPC attachment (one subnet per zone), connection, its attachment, a TGW route and VPC routes; no VGW steps", () => {
    const plan = decideVpn(input({ transitGateway: "new" }), withTgw(), where);
    expect(plan.steps.map((s) => `${s.action} ${s.id}`)).toEqual([
      "create tgw",
      "create tgw-attach",
      "create cgw",
      "create vpn",
      "create tgw-vpn-attach",
      "create tgw-route:10.0.0.0/8",
      "create vpc-route:rtb-0aaaaaaaaaaaaaaaa:10.0.0.0/8",
    ]);
    expect(plan.steps.find((s) => s.id === "tgw-attach")!.params.subnetIds).toEqual(["subnet-0aaaaaaaaaaaaaaaa", "subnet-0cccccccccccccccc"]);
    expect(plan.steps.find((s) => s.id === "tgw")!.params).toMatchObject({ asn: 64512, vpnEcmpSupport: "enable", defaultRouteTableAssociation: "enable" });
    expect(plan.steps.find((s) => s.id === "vpn")!.dependsOn).toEqual(["tgw", "cgw"]);
    expect(plan.steps.find((s) => s.id.startsWith("vpc-route"))!.dependsOn).toEqual(["tgw-attach", "vpn"]);
    expect(plan.warnings.join(" ")).toMatch(/does not propagate routes into VPC route tables/);
  });

  it("BGP: no TGW static routes; a reused gateway keeps its ASN and its ECMP setting is said in the plan", () => {
    const plan = decideVpn(
      input({ transitGatewayId: "tgw-0aaaaaaaaaaaaaaaa", routing: "bgp", cgwAsn: "65010" }),
      withTgw({ tgw: { read: true, subnets, tgw: tgw("disable") } }),
      where,
    );
    expect(plan.steps.some((s) => s.type === "tgw-route")).toBe(false);
    const step = plan.steps.find((s) => s.id === "tgw")!;
    expect(step.action).toBe("reuse");
    expect(step.owned).toBe(false);
    expect(step.summary).toMatch(/Amazon ASN 64700, VPN ECMP disabled/);
    expect(plan.warnings.join(" ")).toMatch(/VPN ECMP support disabled/);
  });

  it("BGP with the router's ASN equal to a reused gateway's: exit 2 naming --cgw-asn", () => {
    expect(() =>
      decideVpn(
        input({ transitGatewayId: "tgw-0aaaaaaaaaaaaaaaa", routing: "bgp", cgwAsn: "64700" }),
        withTgw({ tgw: { read: true, subnets, tgw: tgw() } }),
        where,
      ),
    ).toThrow(/--cgw-asn: BGP needs different ASNs/);
  });

  it("everything in place: no-ops and reuses only", () => {
    const facts = withTgw({
      tgw: {
        read: true,
        subnets,
        tgw: tgw(),
        vpcAttachment: {
          TransitGatewayAttachmentId: "tgw-attach-0aaaaaaaaaaaaaaaa",
          TransitGatewayId: "tgw-0aaaaaaaaaaaaaaaa",
          VpcId: "vpc-0123456789abcdef0",
          State: "available",
          SubnetIds: ["subnet-0aaaaaaaaaaaaaaaa"],
        },
      },
      cgw: { CustomerGatewayId: "cgw-0aaaaaaaaaaaaaaaa", State: "available" },
      vpn: {
        VpnConnectionId: "vpn-0aaaaaaaaaaaaaaaa",
        TransitGatewayId: "tgw-0aaaaaaaaaaaaaaaa",
        State: "available",
        Options: { StaticRoutesOnly: true, EnableAcceleration: false },
      },
      tgwVpn: {
        attachment: {
          TransitGatewayAttachmentId: "tgw-attach-0bbbbbbbbbbbbbbbb",
          State: "available",
          Association: { TransitGatewayRouteTableId: "tgw-rtb-0aaaaaaaaaaaaaaaa", State: "associated" },
        },
        staticRoutes: [{ DestinationCidrBlock: "10.0.0.0/8", Type: "static", State: "active" }],
      },
      routeTables: [
        {
          RouteTableId: "rtb-0aaaaaaaaaaaaaaaa",
          Routes: [{ DestinationCidrBlock: "10.0.0.0/8", TransitGatewayId: "tgw-0aaaaaaaaaaaaaaaa", Origin: "CreateRoute", State: "active" }],
        },
      ],
    });
    const plan = decideVpn(input({ transitGatewayId: "tgw-0aaaaaaaaaaaaaaaa" }), facts, where);
    expect(plan.steps.map((s) => `${s.action} ${s.id}`)).toEqual([
      "reuse tgw",
      "no-op tgw-attach",
      "reuse cgw",
      "reuse vpn",
      "no-op tgw-vpn-attach",
      "no-op tgw-route:10.0.0.0/8",
      "no-op vpc-route:rtb-0aaaaaaaaaaaaaaaa:10.0.0.0/8",
    ]);
    // Acceleration cannot be changed on an existing connection.
    expect(() => decideVpn(input({ transitGatewayId: "tgw-0aaaaaaaaaaaaaaaa", acceleration: true }), facts, where)).toThrow(
      /--acceleration: .*cannot be changed/,
    );
  });

  it("a stack's VGW connection cannot move to a gateway, nor the other way round (exit 2)", () => {
    const onVgw = withTgw({
      vpn: { VpnConnectionId: "vpn-0aaaaaaaaaaaaaaaa", VpnGatewayId: "vgw-0aaaaaaaaaaaaaaaa", State: "available", Options: { StaticRoutesOnly: true } },
    });
    expect(() => decideVpn(input({ transitGateway: "new" }), onVgw, where)).toThrow(/--transit-gateway: .*cannot move to a Transit Gateway/);
    const onTgw = fresh({
      vpn: { VpnConnectionId: "vpn-0aaaaaaaaaaaaaaaa", TransitGatewayId: "tgw-0aaaaaaaaaaaaaaaa", State: "available", Options: { StaticRoutesOnly: true } },
    });
    expect(() => decideVpn(input(), onTgw, where)).toThrow(/--transit-gateway-id: .*run it with --transit-gateway-id tgw-0aaaaaaaaaaaaaaaa/);
  });

  it("--tgw-subnets: one per zone, in the VPC (exit 2 naming the flag)", () => {
    expect(() => decideVpn(input({ transitGateway: "new", tgwSubnets: ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"] }), withTgw(), where)).toThrow(
      /--tgw-subnets: .*both in ap-northeast-1a/,
    );
    expect(() => decideVpn(input({ transitGateway: "new", tgwSubnets: ["subnet-0dddddddddddddddd"] }), withTgw(), where)).toThrow(
      /--tgw-subnets: subnet-0dddddddddddddddd is not a subnet of vpc-0123456789abcdef0/,
    );
  });

  it("offline: placeholders, the given subnets not checked, every route table as one step per range", () => {
    const plan = decideVpn(
      input({ transitGateway: "new", tgwSubnets: ["subnet-0aaaaaaaaaaaaaaaa"] }),
      { vpcCidrs: [], read: false, gateway: { read: false }, tgw: { read: false }, routeTables: undefined },
      { region: null as never, offline: true },
    );
    expect(plan.steps.find((s) => s.id === "tgw-attach")!.summary).toMatch(/subnet-0aaaaaaaaaaaaaaaa \(not checked offline\)/);
    expect(plan.steps.find((s) => s.id === "vpc-route:all:10.0.0.0/8")!.summary).toMatch(
      /every route table of vpc-0123456789abcdef0: 10.0.0.0\/8 via <new-tgw-id>/,
    );
  });
});

describe("route tags (which VPC routes a Transit Gateway stack added)", () => {
  it("round-trip: the VPC and every range, split over tags of at most 256 characters", async () => {
    const { routeTags, routesFromTags } = await import("../../src/aws/tgw.js");
    const cidrs = Array.from({ length: 40 }, (_, i) => `10.${i}.128.0/17`);
    const tags = routeTags("vpc-0123456789abcdef0", cidrs);
    expect(tags.every((t) => t.Value.length <= 256)).toBe(true);
    expect(tags.length).toBeGreaterThan(2);
    expect(routesFromTags(tags)).toEqual({ vpcId: "vpc-0123456789abcdef0", cidrs });
    expect(routesFromTags(undefined)).toEqual({ cidrs: [] });
  });
});
