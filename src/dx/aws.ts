/**
 * Read-only AWS calls for `dx accept-vif` and `dx status` (the VIF reads shared with other
 * capabilities live in src/aws/dx.ts). Writes live in runners.ts.
 */
import type { BGPPeer, DirectConnectGateway, VirtualInterface } from "@aws-sdk/client-direct-connect";
import type { VpnGateway } from "@aws-sdk/client-ec2";
import { send } from "../aws/call.js";
import { getVif, isDxNotFound, listVifs, VIF_GONE_STATES } from "../aws/dx.js";
import { listAll, tokenPaginator } from "../aws/list.js";
import { batched } from "../core/batch.js";
import type { Context } from "../core/context.js";

type Ctx = Pick<Context, "clients" | "io" | "config">;

/** The SDK modules, loaded on first use so offline runs and --help never pay for them. */
const dx = () => import("@aws-sdk/client-direct-connect");
const ec2 = () => import("@aws-sdk/client-ec2");

/**
 * A look-up for waits on several VIFs at once: pollers that ask in the same tick share one
 * DescribeVirtualInterfaces call (one id: that id; several: the whole list).
 */
export function vifLoader(ctx: Ctx): (id: string) => Promise<VirtualInterface | undefined> {
  return batched(async (ids: string[]) => {
    if (ids.length === 1) {
      const vif = await getVif(ctx, ids[0]!);
      return new Map(vif ? [[ids[0]!, vif]] : []);
    }
    const all = await listVifs(ctx);
    return new Map(all.filter((v) => ids.includes(v.virtualInterfaceId ?? "")).map((v) => [v.virtualInterfaceId!, v]));
  });
}

export async function getDxGateway(ctx: Ctx, id: string): Promise<DirectConnectGateway | undefined> {
  const { DescribeDirectConnectGatewaysCommand } = await dx();
  try {
    const out = await send(ctx, "dx", new DescribeDirectConnectGatewaysCommand({ directConnectGatewayId: id }));
    return out.directConnectGateways?.find((g) => g.directConnectGatewayId === id);
  } catch (error) {
    if (isDxNotFound(error)) return undefined;
    throw error;
  }
}

export async function listDxGateways(ctx: Ctx): Promise<DirectConnectGateway[]> {
  const { DescribeDirectConnectGatewaysCommand } = await dx();
  // Direct Connect ships no paginators.
  return listAll(ctx, "dx", tokenPaginator(DescribeDirectConnectGatewaysCommand, "nextToken"), {}, (o) => o.directConnectGateways);
}

/** Every virtual private gateway of the account in this Region that is not deleted (for the wizard). */
export async function listVpnGateways(ctx: Ctx): Promise<VpnGateway[]> {
  const { DescribeVpnGatewaysCommand } = await ec2();
  const out = await send(ctx, "ec2", new DescribeVpnGatewaysCommand({}));
  return (out.VpnGateways ?? []).filter((g) => g.State === "available" || g.State === "pending");
}

/** The tag value of a Direct Connect tag list (camelCase keys). */
export function dxTagValue(tags: Array<{ key?: string; value?: string }> | undefined, key: string): string | undefined {
  return tags?.find((t) => t.key === key)?.value;
}

/** The ARN Direct Connect tagging takes for a virtual interface. */
export function vifArn(region: string, account: string, id: string): string {
  const partition = region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
  return `arn:${partition}:directconnect:${region}:${account}:dxvif/${id}`;
}

/** `""` is what Direct Connect returns for "no gateway"; treat it as absent. */
export function gatewayOf(vif: VirtualInterface): { kind: "vgw"; id: string } | { kind: "dxgw"; id: string } | undefined {
  if (vif.virtualGatewayId) return { kind: "vgw", id: vif.virtualGatewayId };
  if (vif.directConnectGatewayId) return { kind: "dxgw", id: vif.directConnectGatewayId };
  return undefined;
}

/** The customer (partner) side ASN: `asn` is 0 when a 4-byte `asnLong` is used. */
export function customerAsnOf(v: { asn?: number; asnLong?: number }): number | undefined {
  return v.asnLong || v.asn || undefined;
}

/** BGP peers that still exist. */
export function livePeers(vif: VirtualInterface): BGPPeer[] {
  return (vif.bgpPeers ?? []).filter((p) => p.bgpPeerState !== "deleted" && p.bgpPeerState !== "deleting");
}

/** Available, with every BGP peer up. */
export function isVifHealthy(vif: VirtualInterface): boolean {
  const peers = livePeers(vif);
  return vif.virtualInterfaceState === "available" && peers.length > 0 && peers.every((p) => p.bgpStatus === "up");
}

/** `up`, `down`, `1 of 2 up`: the BGP sessions of a VIF in a few words. */
export function bgpSummary(vif: VirtualInterface): string {
  const peers = livePeers(vif);
  if (peers.length === 0) return "no BGP peer";
  const up = peers.filter((p) => p.bgpStatus === "up").length;
  if (up === peers.length) return "up";
  if (up === 0) return peers.every((p) => p.bgpStatus === "unknown") ? "unknown" : "down";
  return `${up} of ${peers.length} up`;
}

/** The state as a progress line shows it: `pending`, `down (BGP down)`, `available (BGP up)`. */
export function vifStateLabel(vif: VirtualInterface | undefined): string {
  if (!vif) return "not listed";
  const state = vif.virtualInterfaceState ?? "unknown";
  if (state === "confirming" || VIF_GONE_STATES.includes(state)) return state;
  return livePeers(vif).length ? `${state} (BGP ${bgpSummary(vif)})` : state;
}
