/** `decideDx` is pure: these cases drive it with hand-made facts, no fake AWS. */
import type { VirtualInterface } from "@aws-sdk/client-direct-connect";
import type { RouteTable, VpnGateway } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.js";
import { type DxAcceptFlags, validateDxAcceptFlags } from "../../src/dx/inputs.js";
import { type DxFacts, decideDx } from "../../src/dx/plan.js";

const where = { region: "ap-northeast-1", offline: false };
const VPC = "vpc-0123456789abcdef0";
const VGW = "vgw-0aaaaaaaaaaaaaaaa";
const OTHER_VGW = "vgw-0bbbbbbbbbbbbbbbb";
const DXGW = "5f294f92-bafb-4011-916d-9b0b1f1e0f2a";
const A = "dxvif-ffaa0001";
const B = "dxvif-ffaa0002";
const RTB_MAIN = "rtb-0aaaaaaaaaaaaaaaa";
const RTB_PRIV = "rtb-0bbbbbbbbbbbbbbbb";

const input = (extra: Partial<DxAcceptFlags> = {}) => validateDxAcceptFlags({ vifId: [A, B], vpcId: VPC, ...extra });

/** A hosted interface as DescribeVirtualInterfaces returns it. */
const vif = (id: string, extra: Partial<VirtualInterface> = {}): VirtualInterface => ({
  virtualInterfaceId: id,
  virtualInterfaceName: `ntte-${id.slice(-1)}`,
  virtualInterfaceType: "private",
  virtualInterfaceState: "confirming",
  vlan: 1100 + Number(id.slice(-1)),
  connectionId: "dxcon-ffbb0001",
  location: "EqTY2",
  ownerAccount: "123456789012",
  asn: 65100,
  virtualGatewayId: "",
  directConnectGatewayId: "",
  bgpPeers: [{ bgpPeerState: "pending", bgpStatus: "down" }],
  ...extra,
});
/** Accepted onto `gateway` and settled, BGP up, tagged for `stack` (none: untagged). */
const accepted = (id: string, stack: string | undefined, extra: Partial<VirtualInterface> = {}): VirtualInterface =>
  vif(id, {
    virtualInterfaceState: "available",
    virtualGatewayId: VGW,
    bgpPeers: [{ bgpPeerState: "available", bgpStatus: "up" }],
    ...(stack ? { tags: [{ key: "vpcwire:stack", value: stack }] } : {}),
    ...extra,
  });
const attachedVgw = (extra: Partial<VpnGateway> = {}): VpnGateway => ({
  VpnGatewayId: VGW,
  State: "available",
  AmazonSideAsn: 64512,
  VpcAttachments: [{ VpcId: VPC, State: "attached" }],
  ...extra,
});
const tables = (propagating?: string): RouteTable[] =>
  [RTB_MAIN, RTB_PRIV].map((id) => ({ RouteTableId: id, VpcId: VPC, PropagatingVgws: propagating ? [{ GatewayId: propagating }] : [] }));
/** A VPC without a gateway, both interfaces waiting for acceptance. */
const fresh = (extra: Partial<DxFacts> = {}): DxFacts => ({
  read: true,
  vpcId: VPC,
  gateway: { read: true },
  vifs: { [A]: vif(A), [B]: vif(B) },
  routeTables: tables(),
  ...extra,
});
const actions = (facts: DxFacts, flags?: Partial<DxAcceptFlags>) => decideDx(input(flags), facts, where).steps.map((s) => `${s.action} ${s.id}`);
/** The usage error decide throws, as `--flag: message`. */
const refusal = (facts: DxFacts, flags?: Partial<DxAcceptFlags>): string => {
  try {
    decideDx(input(flags), facts, where);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error("decideDx did not refuse");
};

describe("decideDx: a VPC target", () => {
  it("a VPC without a gateway: create and attach one, accept both interfaces, then propagate into every table", () => {
    const plan = decideDx(input(), fresh(), where);
    expect(plan).toMatchObject({ command: "dx accept-vif", kind: "dx", stack: "dx-ffaa0001", region: "ap-northeast-1", offline: false });
    expect(plan.steps.map((s) => `${s.action} ${s.id}`)).toEqual([
      "create vgw",
      "create attach",
      `update vif:${A}`,
      `update vif:${B}`,
      `update propagation:${RTB_MAIN}`,
      `update propagation:${RTB_PRIV}`,
    ]);
    const [, , vifStep, , propagation] = plan.steps;
    expect(vifStep).toMatchObject({
      type: "dx-vif",
      owned: false,
      dependsOn: ["attach"],
      params: { virtualInterfaceId: A, name: "ntte-1", vlan: 1101, state: "confirming", confirm: true, tag: true, gatewayKind: "vgw" },
    });
    expect(vifStep!.summary).toBe(
      `accept ${A} "ntte-1" (VLAN 1101, dxcon-ffbb0001 at EqTY2, partner ASN 65100) onto <new-vgw-id>, wait until available (or down: BGP not up yet), tag vpcwire:stack=dx-ffaa0001`,
    );
    expect(propagation!.dependsOn).toEqual(["attach", `vif:${A}`, `vif:${B}`]);
    expect(plan.warnings).toEqual(["A new virtual private gateway gets Amazon side ASN 64512; tell the partner if they need it for BGP."]);
  });

  it("uses the attached gateway and keeps its ASN; says so only when --amazon-asn asked for another", () => {
    const facts = fresh({ gateway: { read: true, vgw: attachedVgw({ AmazonSideAsn: 64600 }) }, routeTables: tables(VGW) });
    expect(actions(facts)).toEqual([
      "reuse vgw",
      "no-op attach",
      `update vif:${A}`,
      `update vif:${B}`,
      `no-op propagation:${RTB_MAIN}`,
      `no-op propagation:${RTB_PRIV}`,
    ]);
    expect(decideDx(input(), facts, where).warnings).toEqual([]);
    expect(decideDx(input({ amazonAsn: "65010" }), facts, where).warnings).toEqual([
      `${VGW} keeps its Amazon side ASN 64600 (--amazon-asn 65010 applies only to a new gateway).`,
    ]);
  });

  it("a re-run: interfaces accepted onto the gateway and tagged are no-ops, with --wait-bgp too when BGP is up", () => {
    const facts = fresh({
      gateway: { read: true, vgw: attachedVgw() },
      vifs: { [A]: accepted(A, "dx-ffaa0001"), [B]: accepted(B, "dx-ffaa0001") },
      routeTables: tables(VGW),
    });
    const plan = decideDx(input({ waitBgp: true }), facts, where);
    expect(plan.steps.every((s) => s.action === "no-op" || s.id === "vgw")).toBe(true);
    expect(plan.steps.filter((s) => s.type === "dx-bgp").map((s) => s.summary)).toEqual([
      `BGP of ${A}: every peer already up`,
      `BGP of ${B}: every peer already up`,
    ]);
    expect(plan.warnings).toEqual([]);
  });

  it("an interface accepted in the console is only tagged; one still pending is waited for; one tagged for another stack is left alone", () => {
    const facts = fresh({
      gateway: { read: true, vgw: attachedVgw() },
      vifs: { [A]: accepted(A, undefined), [B]: accepted(B, "other", { virtualInterfaceState: "pending" }) },
      routeTables: tables(VGW),
    });
    const plan = decideDx(input(), facts, where);
    const [a, b] = plan.steps.filter((s) => s.type === "dx-vif");
    expect(a).toMatchObject({ action: "update", params: { confirm: false, tag: true, state: "available" } });
    expect(a!.summary).toContain("already accepted onto vgw-0aaaaaaaaaaaaaaaa (available); tag vpcwire:stack=dx-ffaa0001");
    expect(b).toMatchObject({ action: "reuse", params: { confirm: false, tag: false, state: "pending" } });
    expect(b!.summary).toContain("(pending: wait until available or down)");
    expect(plan.warnings).toEqual([`${B} is tagged for stack other; its tags are left alone.`]);
  });

  it("--route-tables none: no propagation steps; a chosen table only", () => {
    expect(actions(fresh({ routeTables: [] }), { routeTables: ["none"] })).toEqual(["create vgw", "create attach", `update vif:${A}`, `update vif:${B}`]);
    expect(actions(fresh({ routeTables: tables().slice(1) }), { routeTables: [RTB_PRIV] })).toContain(`update propagation:${RTB_PRIV}`);
  });

  it("--wait-bgp: each BGP wait comes after its interface and every propagation step", () => {
    const plan = decideDx(input({ waitBgp: true }), fresh(), where);
    const bgp = plan.steps.filter((s) => s.type === "dx-bgp");
    expect(bgp.map((s) => `${s.action} ${s.id}`)).toEqual([`reuse bgp:${A}`, `reuse bgp:${B}`]);
    expect(bgp[0]).toMatchObject({
      owned: false,
      params: { virtualInterfaceId: A, name: "ntte-1", vlan: 1101 },
      dependsOn: [`vif:${A}`, `propagation:${RTB_MAIN}`, `propagation:${RTB_PRIV}`],
    });
    expect(bgp[0]!.resourceId).toBeUndefined();
  });

  it("--vgw-id alone: the gateway's VPC, as read, gets the propagation", () => {
    const facts = fresh({ gateway: { read: true, vgw: attachedVgw() } });
    const plan = decideDx(validateDxAcceptFlags({ vifId: [A], vgwId: VGW }), facts, where);
    expect(plan.steps.map((s) => `${s.action} ${s.id}`)).toEqual([
      "reuse vgw",
      "no-op attach",
      `update vif:${A}`,
      `update propagation:${RTB_MAIN}`,
      `update propagation:${RTB_PRIV}`,
    ]);
  });
});

describe("decideDx: a Direct Connect gateway target", () => {
  it("no gateway or propagation steps; the interfaces go onto the Direct Connect gateway by name", () => {
    const facts: DxFacts = {
      read: true,
      dxGateway: { directConnectGatewayId: DXGW, directConnectGatewayName: "core", amazonSideAsn: 64700, directConnectGatewayState: "available" },
      vifs: { [A]: vif(A) },
      routeTables: undefined,
    };
    const plan = decideDx(validateDxAcceptFlags({ vifId: [A], dxGatewayId: DXGW }), facts, where);
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]).toMatchObject({ dependsOn: [], params: { gatewayKind: "dxgw", directConnectGatewayId: DXGW, confirm: true } });
    expect(plan.steps[0]!.summary).toContain(`onto Direct Connect gateway ${DXGW} (core)`);
    expect(plan.warnings).toEqual([]);
  });

  it("the partner's ASN equal to the Direct Connect gateway's: a warning, not a refusal (the gateway exists)", () => {
    const facts: DxFacts = {
      read: true,
      dxGateway: { directConnectGatewayId: DXGW, amazonSideAsn: 65100 },
      vifs: { [A]: vif(A) },
      routeTables: undefined,
    };
    expect(decideDx(validateDxAcceptFlags({ vifId: [A], dxGatewayId: DXGW }), facts, where).warnings).toEqual([
      `${A}: the partner's BGP ASN 65100 equals ${DXGW}'s Amazon side ASN; BGP will not come up.`,
    ]);
  });
});

describe("decideDx: refusals name the flag", () => {
  it("an interface the account does not have: says which Region was asked", () => {
    expect(refusal(fresh({ vifs: { [A]: vif(A) } }))).toBe(
      `--vif-id: ${B} does not exist in this account and Region (ap-northeast-1); a hosted interface appears in the Region of the partner's connection`,
    );
  });

  it("a public interface, a rejected one, a deleted one", () => {
    expect(refusal(fresh({ vifs: { [A]: vif(A, { virtualInterfaceType: "public" }), [B]: vif(B) } }))).toBe(
      `--vif-id: ${A} is a public virtual interface; dx accept-vif accepts private ones`,
    );
    expect(refusal(fresh({ vifs: { [A]: vif(A, { virtualInterfaceState: "rejected" }), [B]: vif(B) } }))).toMatch(
      new RegExp(`^--vif-id: ${A} is rejected: it was declined .*; ask the partner to provision a new one$`),
    );
    expect(refusal(fresh({ vifs: { [A]: vif(A), [B]: vif(B, { virtualInterfaceState: "deleted" }) } }))).toContain(
      `${B} is deleted: its owner or the partner deleted it`,
    );
  });

  it("an interface already accepted onto another gateway: names it and the flag to check it", () => {
    const facts = fresh({ gateway: { read: true, vgw: attachedVgw() }, vifs: { [A]: accepted(A, undefined, { virtualGatewayId: OTHER_VGW }), [B]: vif(B) } });
    expect(refusal(facts)).toBe(
      `--vif-id: ${A} is already accepted onto virtual private gateway ${OTHER_VGW} (state available) and cannot be moved to ${VGW}; use --vgw-id ${OTHER_VGW} to check it, or ask the partner for a new interface`,
    );
    const onDxgw = fresh({ vifs: { [A]: accepted(A, undefined, { virtualGatewayId: "", directConnectGatewayId: DXGW }), [B]: vif(B) } });
    expect(refusal(onDxgw)).toContain(`Direct Connect gateway ${DXGW} (state available) and cannot be moved to <new-vgw-id>; use --dx-gateway-id ${DXGW}`);
  });

  it("a new gateway with the partner's ASN: refused on --amazon-asn; an existing one only warns", () => {
    const same = fresh({ vifs: { [A]: vif(A, { asn: 64512 }), [B]: vif(B) } });
    expect(refusal(same)).toMatch(/^--amazon-asn: the partner's BGP ASN on dxvif-ffaa0001 is 64512, the same as the new gateway's Amazon side ASN/);
    expect(actions(same, { amazonAsn: "64513" })).toContain(`update vif:${A}`);
    const existing = decideDx(input(), { ...same, gateway: { read: true, vgw: attachedVgw() } }, where);
    expect(existing.warnings).toContain(`${A}: the partner's BGP ASN 64512 equals ${VGW}'s Amazon side ASN; BGP will not come up.`);
  });
});

describe("decideDx: facts that were not read (offline)", () => {
  it("a VPC: a new gateway, each interface accepted as if waiting, every table of the VPC", () => {
    const plan = decideDx(input(), { read: false, vpcId: VPC, gateway: { read: false }, vifs: {}, routeTables: undefined }, where);
    expect(plan.offline).toBe(true);
    expect(plan.steps.map((s) => `${s.action} ${s.id}`)).toEqual([
      "create vgw",
      "create attach",
      `update vif:${A}`,
      `update vif:${B}`,
      "update propagation:all",
    ]);
    expect(plan.steps[2]!.summary).toBe(`accept ${A} onto <new-vgw-id> (not checked offline), wait until available or down, tag vpcwire:stack=dx-ffaa0001`);
    expect(plan.warnings).toEqual([
      "Offline: the interfaces were not read; each is planned as waiting for acceptance (confirming).",
      "A new virtual private gateway gets Amazon side ASN 64512; tell the partner if they need it for BGP.",
    ]);
  });

  it("--vgw-id alone: reused as given, its VPC a placeholder; the interfaces wait only for the gateway", () => {
    const plan = decideDx(validateDxAcceptFlags({ vifId: [A], vgwId: VGW }), { read: false, vifs: {}, routeTables: undefined }, where);
    expect(plan.steps.map((s) => `${s.action} ${s.id}`)).toEqual(["reuse vgw", `update vif:${A}`, "update propagation:all"]);
    expect(plan.steps[0]!.summary).toBe(`virtual private gateway ${VGW} (not checked offline; must be attached to its VPC)`);
    expect(plan.steps[1]!.dependsOn).toEqual(["vgw"]);
    expect(plan.steps[2]!.summary).toBe(`every route table of <VPC of ${VGW}>: enable propagation from ${VGW}`);
    expect(plan.steps[2]!.dependsOn).toEqual(["vgw", `vif:${A}`]);
  });

  it("--vpc-id with --vgw-id: the named gateway is reused and no new-gateway warning is given", () => {
    const plan = decideDx(input({ vgwId: VGW }), { read: false, vpcId: VPC, gateway: { read: false }, vifs: {}, routeTables: undefined }, where);
    expect(plan.steps.slice(0, 2).map((s) => `${s.action} ${s.id}`)).toEqual(["reuse vgw", "create attach"]);
    expect(plan.warnings.some((w) => w.includes("new virtual private gateway"))).toBe(false);
  });

  it("a Direct Connect gateway: named by id only", () => {
    const plan = decideDx(validateDxAcceptFlags({ vifId: [A], dxGatewayId: DXGW }), { read: false, vifs: {}, routeTables: undefined }, where);
    expect(plan.steps.map((s) => s.summary)).toEqual([
      `accept ${A} onto Direct Connect gateway ${DXGW} (not checked offline), wait until available or down, tag vpcwire:stack=dx-ffaa0001`,
    ]);
  });
});
