/**
 * What arrived over Direct Connect: per interface its state, VLAN and BGP peers, and per route table of
 * the VPC whether propagation is on and which routes the gateway propagated. Shared by
 * `dx accept-vif` (after applying) and `dx status` / `vpcwire status` (any time later).
 *
 * Route propagation and health. A table without propagation from the gateway is not by itself a
 * failure: `--route-tables` may have left it out on purpose. It counts as down (✖, `healthy: false`):
 * - in `dx accept-vif`'s report, for a table the run chose (`--route-tables` ids, or every table of the
 *   VPC with `all`, the default) that has no propagation;
 * - everywhere, when no route table of the VPC gets the gateway's routes at all (no propagation from it
 *   and no static route through it): Direct Connect then reaches no subnet, whatever was chosen
 *   (`--route-tables none` included). `dx status` and `vpcwire status` have no record of which tables
 *   a run chose, so this is all they can tell.
 */
import type { VirtualInterface } from "@aws-sdk/client-direct-connect";
import type { RouteTable } from "@aws-sdk/client-ec2";
import { VIF_GONE_STATES } from "../aws/dx.js";
import { STACK_TAG } from "../aws/tags.js";
import { attachedVpcOf, getVpnGateway } from "../aws/vgw.js";
import { listRouteTables, nameOf } from "../aws/vpc.js";
import type { Context } from "../core/context.js";
import { bgpSummary, customerAsnOf, dxTagValue, isVifHealthy, livePeers } from "./aws.js";

export interface BgpPeerReport {
  bgpPeerId: string | null;
  addressFamily: string | null;
  /** The partner's (or your router's) side, with prefix length. */
  customerAddress: string | null;
  amazonAddress: string | null;
  customerAsn: number | null;
  bgpPeerState: string | null;
  /** `up`, `down` or `unknown`. */
  bgpStatus: string | null;
}

export interface VifReport {
  virtualInterfaceId: string;
  name: string | null;
  state: string;
  /** Available with every BGP peer up. */
  healthy: boolean;
  vlan: number | null;
  connectionId: string | null;
  location: string | null;
  ownerAccount: string | null;
  customerAsn: number | null;
  amazonAsn: number | null;
  virtualGatewayId: string | null;
  directConnectGatewayId: string | null;
  mtu: number | null;
  stack: string | null;
  bgpPeers: BgpPeerReport[];
  /** What is wrong, in words, when not healthy. */
  problem: string | null;
}

export interface RouteTableReport {
  routeTableId: string;
  name: string | null;
  main: boolean;
  subnets: string[];
  /** Route propagation from the gateway is on. */
  propagation: boolean;
  /**
   * Whether propagation was asked for this table (`dx accept-vif --route-tables`): true, false, or
   * null when unknown (`dx status`).
   */
  chosen: boolean | null;
  /** A route through the gateway that is not propagated (added by hand). */
  staticRouteToGateway: boolean;
  /** Routes the gateway propagated into this table (learned over BGP). */
  propagatedRoutes: Array<{ destination: string; state: string }>;
}

export interface GatewayReport {
  virtualGatewayId: string;
  state: string;
  vpcId: string | null;
  routeTables: RouteTableReport[];
  /** Why the gateway's routes do not reach the VPC as they should, in words; null when they do. */
  problem: string | null;
}

export interface DxReport {
  /**
   * Every interface available with every BGP peer up (false when there is none), and every gateway
   * without a problem (attached, its routes reach the chosen route tables).
   */
  healthy: boolean;
  virtualInterfaces: VifReport[];
  virtualPrivateGateways: GatewayReport[];
}

export interface DxReportOptions {
  /** The route tables the run propagated into (`dx accept-vif --route-tables`); unknown when absent. */
  routeTables?: string[] | "all" | "none";
}

/** Build the report from freshly read interfaces; reads the gateways and route tables behind them. */
export async function readDxReport(ctx: Context, vifs: VirtualInterface[], opts: DxReportOptions = {}): Promise<DxReport> {
  const virtualInterfaces = vifs.map(vifReport);
  const vgwIds = [...new Set(vifs.map((v) => v.virtualGatewayId).filter((id): id is string => Boolean(id)))];
  const virtualPrivateGateways: GatewayReport[] = [];
  for (const id of vgwIds) {
    const vgw = await getVpnGateway(ctx, id);
    const vpcId = attachedVpcOf(vgw) ?? null;
    const tables = vpcId ? await listRouteTables(ctx, vpcId) : [];
    const gateway = {
      virtualGatewayId: id,
      state: vgw?.State ?? "not found",
      vpcId,
      routeTables: tables.map((t) => tableReport(t, id, opts.routeTables)),
    };
    virtualPrivateGateways.push({ ...gateway, problem: gatewayProblem(gateway) });
  }
  return {
    healthy: virtualInterfaces.length > 0 && virtualInterfaces.every((v) => v.healthy) && virtualPrivateGateways.every((g) => !g.problem),
    virtualInterfaces,
    virtualPrivateGateways,
  };
}

function vifReport(vif: VirtualInterface): VifReport {
  const state = vif.virtualInterfaceState ?? "unknown";
  const healthy = isVifHealthy(vif);
  return {
    virtualInterfaceId: vif.virtualInterfaceId!,
    name: vif.virtualInterfaceName || null,
    state,
    healthy,
    vlan: vif.vlan ?? null,
    connectionId: vif.connectionId || null,
    location: vif.location || null,
    ownerAccount: vif.ownerAccount || null,
    customerAsn: customerAsnOf(vif) ?? null,
    amazonAsn: vif.amazonSideAsn || null,
    virtualGatewayId: vif.virtualGatewayId || null,
    directConnectGatewayId: vif.directConnectGatewayId || null,
    mtu: vif.mtu ?? null,
    stack: dxTagValue(vif.tags, STACK_TAG) ?? null,
    bgpPeers: livePeers(vif).map((p) => ({
      bgpPeerId: p.bgpPeerId ?? null,
      addressFamily: p.addressFamily ?? null,
      customerAddress: p.customerAddress ?? null,
      amazonAddress: p.amazonAddress ?? null,
      customerAsn: customerAsnOf(p) ?? null,
      bgpPeerState: p.bgpPeerState ?? null,
      bgpStatus: p.bgpStatus ?? null,
    })),
    problem: healthy ? null : problemOf(vif),
  };
}

function tableReport(t: RouteTable, vgwId: string, chosen: DxReportOptions["routeTables"]): RouteTableReport {
  return {
    routeTableId: t.RouteTableId!,
    name: nameOf(t.Tags) ?? null,
    main: t.Associations?.some((a) => a.Main) ?? false,
    subnets: (t.Associations ?? []).filter((a) => a.SubnetId).map((a) => a.SubnetId!),
    propagation: t.PropagatingVgws?.some((p) => p.GatewayId === vgwId) ?? false,
    chosen: chosen === undefined ? null : chosen === "all" || (Array.isArray(chosen) && chosen.includes(t.RouteTableId!)),
    staticRouteToGateway: (t.Routes ?? []).some((r) => r.GatewayId === vgwId && r.Origin !== "EnableVgwRoutePropagation"),
    propagatedRoutes: (t.Routes ?? [])
      .filter((r) => r.Origin === "EnableVgwRoutePropagation" && r.GatewayId === vgwId)
      .map((r) => ({ destination: (r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock)!, state: r.State ?? "unknown" }))
      .filter((r) => Boolean(r.destination)),
  };
}

/** Why the gateway's routes do not reach the VPC as they should (see the top of this file), or null. */
function gatewayProblem(g: Omit<GatewayReport, "problem">): string | null {
  if (!g.vpcId) return unattachedLine(g);
  const off = g.routeTables.filter((t) => t.chosen === true && !t.propagation).map((t) => t.routeTableId);
  if (off.length) {
    return `Route propagation from ${g.virtualGatewayId} is off in ${off.join(", ")}, chosen with --route-tables: Direct Connect routes do not reach ${off.length > 1 ? "their" : "its"} subnets; run the same dx accept-vif command again to turn it on.`;
  }
  const reached = g.routeTables.some((t) => t.propagation || t.staticRouteToGateway);
  if (g.routeTables.length && !reached) {
    return (
      `No route table of ${g.vpcId} propagates from ${g.virtualGatewayId} or routes to it: Direct Connect routes reach no subnet; ` +
      `turn propagation on with dx accept-vif --route-tables (or aws ec2 enable-vgw-route-propagation).`
    );
  }
  return null;
}

/**
 * A route table's mark: ✔ (true) propagation on with routes, ✖ (false) propagation off where it is
 * needed (see gatewayProblem), · (null) otherwise (on with no route yet, or off and not chosen).
 */
export function tableOk(g: GatewayReport, t: RouteTableReport): boolean | null {
  if (t.propagation) return t.propagatedRoutes.length ? true : null;
  if (t.chosen === true) return false;
  return g.problem && t.chosen !== false && !t.staticRouteToGateway ? false : null;
}

/** Why an interface is not carrying traffic, in words a network engineer can act on. */
function problemOf(vif: VirtualInterface): string {
  const id = vif.virtualInterfaceId!;
  const state = vif.virtualInterfaceState ?? "unknown";
  const peer = livePeers(vif)[0];
  switch (state) {
    case "confirming":
      return `waiting for you to accept it: vpcwire dx accept-vif --vif-id ${id} --vpc-id <your VPC>`;
    case "pending":
      return "accepted; AWS is still setting it up (usually a few minutes)";
    case "down": {
      const aws = peer?.amazonAddress ? `AWS (${peer.amazonAddress}${vif.amazonSideAsn ? `, ASN ${vif.amazonSideAsn}` : ""})` : "AWS";
      const them = peer?.customerAddress ? ` at ${peer.customerAddress}${customerAsnOf(peer) ? ` (ASN ${customerAsnOf(peer)})` : ""}` : "";
      return (
        `accepted, but the BGP session with the partner/on-prem router is not up yet: ${aws} waits for the peer${them}` +
        `${vif.vlan !== undefined ? ` on VLAN ${vif.vlan}` : ""}. With a partner's hosted interface (NTT East Cloud Gateway and others) ` +
        `that peer is the partner's router: tell them it is accepted. If it is your router, check its BGP neighbor address, remote ASN, MD5 key and VLAN.`
      );
    }
    case "available":
      return `available, but BGP is ${bgpSummary(vif)}${peer ? "" : " (no BGP peer configured)"}: a peer that is not up carries no routes`;
    case "testing":
      return "a BGP failover test is running on it";
    case "verifying":
      return "AWS is verifying it";
    default:
      if (VIF_GONE_STATES.includes(state)) {
        return state === "rejected"
          ? "rejected: it was declined (or deleted before it was accepted); ask the partner for a new one"
          : `${state}: the partner or the owner deleted it`;
      }
      return `state ${state}: AWS does not report its state right now`;
  }
}

/** `dxvif-0abc (name)  available  VLAN 101  on vgw-0abc`: an interface in one line. */
export function vifHeadline(v: VifReport): string {
  return `${v.virtualInterfaceId}${v.name ? ` (${v.name})` : ""}  ${v.state}${v.vlan !== null ? `  VLAN ${v.vlan}` : ""}  ${gatewayText(v)}`;
}

function gatewayText(v: VifReport): string {
  return v.virtualGatewayId ? `on ${v.virtualGatewayId}` : v.directConnectGatewayId ? `on Direct Connect gateway ${v.directConnectGatewayId}` : "not accepted";
}

/** Where the interface comes from (connection, location, owner, MTU, stack), or undefined. */
export function vifWhere(v: VifReport): string | undefined {
  const where = [
    v.connectionId ? `connection ${v.connectionId}${v.location ? ` at ${v.location}` : ""}` : v.location ? `at ${v.location}` : undefined,
    v.ownerAccount ? `owner ${v.ownerAccount}` : undefined,
    v.mtu ? `MTU ${v.mtu}` : undefined,
    v.stack ? `stack ${v.stack}` : undefined,
  ].filter(Boolean);
  return where.length ? where.join(", ") : undefined;
}

/** One BGP peer: both ends with their ASNs, and its bgpStatus. */
export function peerLine(v: VifReport, p: BgpPeerReport): string {
  return (
    `BGP ${p.addressFamily ?? "peer"} ${p.customerAddress ?? "?"}${p.customerAsn ? ` (ASN ${p.customerAsn})` : ""}` +
    ` <-> AWS ${p.amazonAddress ?? "?"}${v.amazonAsn ? ` (ASN ${v.amazonAsn})` : ""}: ${p.bgpStatus ?? "unknown"}`
  );
}

/** One route table: propagation from the gateway and the routes it brought. */
export function tableLine(g: GatewayReport, t: RouteTableReport): string {
  const what = `${t.routeTableId}${t.name ? ` (${t.name})` : ""}${t.main ? " [main]" : ""}`;
  if (!t.propagation) return `${what}: propagation off (Direct Connect routes do not reach ${t.subnets.length ? t.subnets.join(", ") : "its subnets"})`;
  if (t.propagatedRoutes.length === 0) return `${what}: propagation on; no routes from ${g.virtualGatewayId} yet`;
  return `${what}: propagation on; ${t.propagatedRoutes.map((r) => `${r.destination} (${r.state})`).join(", ")}`;
}

export function unattachedLine(g: Pick<GatewayReport, "virtualGatewayId" | "state">): string {
  return `Gateway ${g.virtualGatewayId} (${g.state}) is not attached to a VPC: no route table receives its routes.`;
}

/** The closing verdict: all up, or which interfaces are not. */
export function verdictLine(report: DxReport): string {
  const up = report.virtualInterfaces.filter((v) => v.healthy).length;
  const total = report.virtualInterfaces.length;
  const routing = report.virtualPrivateGateways.filter((g) => g.problem && g.vpcId).length;
  const but = routing ? ` But the routes do not reach the route tables they should (see above).` : "";
  return (
    (up === total
      ? `${total === 1 ? "The virtual interface is" : `All ${total} virtual interfaces are`} available with BGP up.`
      : `${total - up} of ${total} virtual interface${total > 1 ? "s" : ""} not up: ${report.virtualInterfaces
          .filter((v) => !v.healthy)
          .map((v) => `${v.virtualInterfaceId} (${v.state})`)
          .join(", ")}.`) + but
  );
}

const mark = (ok: boolean | null) => (ok === true ? "✔" : ok === false ? "✖" : "·");

/** The report as text for people. */
export function formatDxReport(report: DxReport): string {
  const lines: string[] = [];
  if (report.virtualInterfaces.length === 0) {
    lines.push("No Direct Connect virtual interfaces found.");
    return lines.join("\n");
  }
  lines.push("Direct Connect virtual interfaces:");
  for (const v of report.virtualInterfaces) {
    lines.push(`  ${mark(v.healthy)} ${vifHeadline(v)}`);
    const where = vifWhere(v);
    if (where) lines.push(`      ${where}`);
    for (const p of v.bgpPeers) lines.push(`      ${peerLine(v, p)}`);
    if (v.problem) lines.push(`      ${v.problem}`);
  }
  for (const g of report.virtualPrivateGateways) {
    if (!g.vpcId) {
      lines.push(unattachedLine(g));
      continue;
    }
    lines.push(`Route tables of ${g.vpcId} (routes propagated from ${g.virtualGatewayId}):`);
    for (const t of g.routeTables) lines.push(`  ${mark(tableOk(g, t))} ${tableLine(g, t)}`);
    if (g.problem) lines.push(`  ${g.problem}`);
  }
  lines.push(verdictLine(report));
  return lines.join("\n");
}

/**
 * The same report as titled sections of lines marked healthy (true), down (false) or plain
 * information (null), for `vpcwire status`: one section per interface (its state, each BGP peer),
 * then one per gateway (propagation per route table).
 */
export function dxReportSections(report: DxReport): Array<{ title: string; lines: Array<{ ok: boolean | null; text: string }> }> {
  const sections: Array<{ title: string; lines: Array<{ ok: boolean | null; text: string }> }> = [];
  for (const v of report.virtualInterfaces) {
    const lines: Array<{ ok: boolean | null; text: string }> = [{ ok: v.state === "available", text: `state ${v.state}${v.healthy ? ", BGP up" : ""}` }];
    const where = vifWhere(v);
    if (where) lines.push({ ok: null, text: where });
    for (const p of v.bgpPeers) lines.push({ ok: p.bgpStatus === "up", text: peerLine(v, p) });
    if (v.bgpPeers.length === 0) lines.push({ ok: false, text: "no BGP peer" });
    if (v.problem) lines.push({ ok: false, text: v.problem });
    sections.push({
      title: `Virtual interface ${v.virtualInterfaceId}${v.name ? ` (${v.name})` : ""}${v.vlan !== null ? `, VLAN ${v.vlan}` : ""}, ${gatewayText(v)}`,
      lines,
    });
  }
  for (const g of report.virtualPrivateGateways) {
    if (!g.vpcId) {
      sections.push({ title: `Gateway ${g.virtualGatewayId}`, lines: [{ ok: false, text: unattachedLine(g) }] });
      continue;
    }
    sections.push({
      title: `Route propagation from ${g.virtualGatewayId} in ${g.vpcId}`,
      lines: [...g.routeTables.map((t) => ({ ok: tableOk(g, t), text: tableLine(g, t) })), ...(g.problem ? [{ ok: false, text: g.problem }] : [])],
    });
  }
  return sections;
}
