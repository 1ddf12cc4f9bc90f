/**
 * Read-only EC2 calls about Transit Gateways, shared by every capability that puts a VPC or a VPN
 * connection on one (`vpn create --transit-gateway*`, and a fleet's TGW hub): the gateway, its VPC
 * attachments, the VPN attachment AWS makes for a connection, and the static routes of a TGW route
 * table. Plan steps are in tgw-plan.ts, writes in tgw-runners.ts.
 */
import type { TransitGateway, TransitGatewayAttachment, TransitGatewayRoute, TransitGatewayVpcAttachment } from "@aws-sdk/client-ec2";
import type { Context } from "../core/context.js";
import { send } from "./call.js";
import { isNotFound } from "./errors.js";
import { hasStackTags, ROLE_TAG, stackFilters, tagValue } from "./tags.js";

type Ctx = Pick<Context, "clients" | "io" | "config">;

/** The EC2 SDK module, loaded on first use so offline runs and --help never pay for it. */
const ec2 = () => import("@aws-sdk/client-ec2");

/** TGW states in which it still exists and can be used (or soon). */
export const LIVE_TGW_STATES: readonly string[] = ["pending", "available", "modifying"];

/**
 * Attachment states that still hold the VPC (or VPN) on the gateway. `pendingAcceptance` is for
 * another account's gateway; the rest of `TransitGatewayAttachmentState` means going or gone.
 */
export const LIVE_ATTACHMENT_STATES: readonly string[] = ["initiating", "initiatingRequest", "pendingAcceptance", "pending", "available", "modifying"];

export const isLiveAttachment = (state: string | undefined): boolean => LIVE_ATTACHMENT_STATES.includes(state ?? "");

/** The gateway by id, or undefined when this account and Region have no such gateway (or it is deleted). */
export async function getTransitGateway(ctx: Ctx, tgwId: string): Promise<TransitGateway | undefined> {
  const { DescribeTransitGatewaysCommand } = await ec2();
  try {
    const out = await send(ctx, "ec2", new DescribeTransitGatewaysCommand({ TransitGatewayIds: [tgwId] }));
    return out.TransitGateways?.find((t) => t.TransitGatewayId === tgwId);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Every live gateway of the account (the wizard's choice). */
export async function listTransitGateways(ctx: Ctx): Promise<TransitGateway[]> {
  const { DescribeTransitGatewaysCommand } = await ec2();
  const out = await send(ctx, "ec2", new DescribeTransitGatewaysCommand({ Filters: [{ Name: "state", Values: [...LIVE_TGW_STATES] }] }));
  return (out.TransitGateways ?? []).filter((t) => LIVE_TGW_STATES.includes(t.State ?? ""));
}

/**
 * The gateway an earlier run of the stack created (role `tgw`). Tags are checked here too: an
 * emulator may ignore Filters, and another stack's gateway must never be taken for this one's.
 */
export async function findStackTgw(ctx: Ctx, stack: string): Promise<TransitGateway | undefined> {
  const { DescribeTransitGatewaysCommand } = await ec2();
  const out = await send(ctx, "ec2", new DescribeTransitGatewaysCommand({ Filters: stackFilters(stack, "tgw") }));
  return out.TransitGateways?.find((t) => LIVE_TGW_STATES.includes(t.State ?? "") && hasStackTags(t.Tags, { stack }) && tagValue(t.Tags, ROLE_TAG) === "tgw");
}

/** The live attachment of the VPC to the gateway: a gateway takes one per VPC (DuplicateTransitGatewayAttachment). */
export async function findVpcAttachment(ctx: Ctx, tgwId: string, vpcId: string): Promise<TransitGatewayVpcAttachment | undefined> {
  const { DescribeTransitGatewayVpcAttachmentsCommand } = await ec2();
  const out = await send(
    ctx,
    "ec2",
    new DescribeTransitGatewayVpcAttachmentsCommand({
      Filters: [
        { Name: "transit-gateway-id", Values: [tgwId] },
        { Name: "vpc-id", Values: [vpcId] },
      ],
    }),
  );
  return out.TransitGatewayVpcAttachments?.find((a) => a.TransitGatewayId === tgwId && a.VpcId === vpcId && isLiveAttachment(a.State));
}

/** A VPC attachment by id (undefined when gone). */
export async function getVpcAttachment(ctx: Ctx, attachmentId: string): Promise<TransitGatewayVpcAttachment | undefined> {
  const { DescribeTransitGatewayVpcAttachmentsCommand } = await ec2();
  try {
    const out = await send(ctx, "ec2", new DescribeTransitGatewayVpcAttachmentsCommand({ TransitGatewayAttachmentIds: [attachmentId] }));
    return out.TransitGatewayVpcAttachments?.find((a) => a.TransitGatewayAttachmentId === attachmentId);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** VPC attachments the stack created (tagged with it), live ones only. */
export async function findStackVpcAttachments(ctx: Ctx, stack: string): Promise<TransitGatewayVpcAttachment[]> {
  const { DescribeTransitGatewayVpcAttachmentsCommand } = await ec2();
  const out = await send(ctx, "ec2", new DescribeTransitGatewayVpcAttachmentsCommand({ Filters: stackFilters(stack, "tgw-attach") }));
  return (out.TransitGatewayVpcAttachments ?? []).filter((a) => isLiveAttachment(a.State) && hasStackTags(a.Tags, { stack }));
}

/**
 * The attachment AWS makes for a VPN connection on a gateway (resource type `vpn`, resource id = the
 * connection), with its association (the TGW route table its static routes go in). Live ones first.
 */
export async function findVpnAttachment(ctx: Ctx, vpnConnectionId: string): Promise<TransitGatewayAttachment | undefined> {
  const { DescribeTransitGatewayAttachmentsCommand } = await ec2();
  const out = await send(
    ctx,
    "ec2",
    new DescribeTransitGatewayAttachmentsCommand({
      Filters: [
        { Name: "resource-type", Values: ["vpn"] },
        { Name: "resource-id", Values: [vpnConnectionId] },
      ],
    }),
  );
  const mine = (out.TransitGatewayAttachments ?? []).filter((a) => a.ResourceType === "vpn" && a.ResourceId === vpnConnectionId);
  // After a delete and a re-create AWS lists the deleted attachment too: take the live one.
  return mine.find((a) => isLiveAttachment(a.State)) ?? mine[0];
}

/** The static routes of a TGW route table that point at one attachment. */
export async function findTgwStaticRoutes(ctx: Ctx, routeTableId: string, attachmentId: string): Promise<TransitGatewayRoute[]> {
  const { SearchTransitGatewayRoutesCommand } = await ec2();
  const out = await send(
    ctx,
    "ec2",
    new SearchTransitGatewayRoutesCommand({
      TransitGatewayRouteTableId: routeTableId,
      Filters: [
        { Name: "type", Values: ["static"] },
        { Name: "attachment.transit-gateway-attachment-id", Values: [attachmentId] },
      ],
    }),
  );
  return (out.Routes ?? []).filter(
    (r) => r.Type === "static" && r.State !== "deleted" && r.TransitGatewayAttachments?.some((a) => a.TransitGatewayAttachmentId === attachmentId),
  );
}

/** The TGW's Amazon side ASN and ECMP setting, as plans show them. */
export function tgwOptions(tgw: TransitGateway | undefined): { asn: number | undefined; ecmp: boolean | undefined } {
  const asn = tgw?.Options?.AmazonSideAsn;
  const ecmp = tgw?.Options?.VpnEcmpSupport;
  return { asn: asn === undefined ? undefined : Number(asn), ecmp: ecmp === undefined ? undefined : ecmp === "enable" };
}

/** Tags on a VPN connection on a gateway: the VPC and the on-prem ranges its VPC routes point at the gateway. */
export const ROUTES_VPC_TAG = "vpcwire:routes-vpc";
export const ROUTES_TAG = "vpcwire:routes";

/**
 * The tags that record which VPC routes a stack added (route-table routes cannot be tagged): the VPC,
 * and the ranges space-separated in `vpcwire:routes`, `vpcwire:routes-2`, ... (a tag value holds at
 * most 256 characters).
 */
export function routeTags(vpcId: string, cidrs: string[]): Array<{ Key: string; Value: string }> {
  const tags = [{ Key: ROUTES_VPC_TAG, Value: vpcId }];
  let chunk: string[] = [];
  const flush = () => {
    if (!chunk.length) return;
    const n = tags.length;
    tags.push({ Key: n === 1 ? ROUTES_TAG : `${ROUTES_TAG}-${n}`, Value: chunk.join(" ") });
    chunk = [];
  };
  for (const cidr of cidrs) {
    if ([...chunk, cidr].join(" ").length > 256) flush();
    chunk.push(cidr);
  }
  flush();
  return tags;
}

/** What `routeTags` recorded: the VPC and the ranges (empty when the tags are missing). */
export function routesFromTags(tags: Array<{ Key?: string; Value?: string }> | undefined): { vpcId?: string; cidrs: string[] } {
  const vpcId = tagValue(tags, ROUTES_VPC_TAG);
  const cidrs = (tags ?? [])
    .filter((t) => t.Key === ROUTES_TAG || /^vpcwire:routes-\d+$/.test(t.Key ?? ""))
    .flatMap((t) => (t.Value ?? "").split(" ").filter(Boolean));
  return { ...(vpcId ? { vpcId } : {}), cidrs };
}
