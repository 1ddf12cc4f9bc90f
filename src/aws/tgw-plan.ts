/**
 * Plan steps around a Transit Gateway, shared by every capability that puts a VPC on one (`vpn create
 * --transit-gateway*`, a fleet's TGW hub): the gateway (reuse or create), the VPC attachment (one
 * subnet per Availability Zone), and the VPC route-table routes to on-prem ranges through it (a TGW
 * does not propagate into VPC route tables). The VPN-side steps (the VPN attachment AWS makes, static
 * routes in the TGW route table) are `decideTgwVpnSteps`. Reads only; the runners are in tgw-runners.ts.
 */
import type { RouteTable, TransitGateway, TransitGatewayAttachment, TransitGatewayRoute, TransitGatewayVpcAttachment } from "@aws-sdk/client-ec2";
import type { Context } from "../core/context.js";
import { flagError } from "../core/errors.js";
import type { PlanStep } from "../core/plan.js";
import { STACK_TAG, tagValue } from "./tags.js";
import { findStackTgw, findTgwStaticRoutes, findVpcAttachment, findVpnAttachment, getTransitGateway, isLiveAttachment, tgwOptions } from "./tgw.js";
import { tableLabel } from "./vgw-plan.js";
import { listSubnets, nameOf, type SubnetInfo } from "./vpc.js";

/** Placeholder ids of what the plan will create. */
export const NEW_TGW = "<new-tgw-id>";
export const NEW_TGW_ATTACHMENT = "<new-tgw-attach-id>";

/** Amazon side ASN of a new Transit Gateway unless `--tgw-asn` says otherwise (AWS's default). */
export const DEFAULT_TGW_ASN = 64512;

export interface TgwPlanInput {
  stack: string;
  vpcId: string;
  /** `new` (the stack's own gateway, created on the first run) or an existing gateway's id. */
  tgwId: string;
  /** Amazon side ASN of a new gateway. */
  asn: number;
  /** `--tgw-subnets`: the attachment's subnets; default one per Availability Zone, chosen from the VPC's. */
  subnets?: string[];
}

/** What the account says about the gateway question. Offline: nothing was read. */
export interface TgwFacts {
  read: boolean;
  /** The named gateway, or (for `new`) the one an earlier run of the stack created. */
  tgw?: TransitGateway;
  /** The VPC's live attachment to that gateway. */
  vpcAttachment?: TransitGatewayVpcAttachment;
  /** The VPC's subnets (to choose or check the attachment's); undefined offline. */
  subnets?: SubnetInfo[];
}

export interface TgwPlan {
  /** The `tgw` (type `transit-gateway`) and `tgw-attach` (type `tgw-vpc-attachment`) steps. */
  steps: PlanStep[];
  warnings: string[];
  tgw?: TransitGateway;
  /** The gateway's id, or a placeholder when it is still to be created. */
  tgwLabel: string;
  /** The Amazon side ASN in effect (a reused gateway keeps its own; undefined when not read). */
  asn: number | undefined;
  /** Whether BGP can use both tunnels at once (VpnEcmpSupport); undefined when not read. */
  ecmp: boolean | undefined;
}

/** Read the gateway, the VPC's attachment to it and the VPC's subnets. Offline nothing is read. */
export async function observeTgw(ctx: Context, input: TgwPlanInput): Promise<TgwFacts> {
  if (ctx.config.offline) return { read: false };
  const [tgw, subnets] = await Promise.all([
    input.tgwId === "new" ? findStackTgw(ctx, input.stack) : getTransitGateway(ctx, input.tgwId),
    listSubnets(ctx, input.vpcId),
  ]);
  if (input.tgwId !== "new" && (!tgw || !["pending", "available", "modifying"].includes(tgw.State ?? ""))) {
    throw flagError("--transit-gateway-id", `${input.tgwId} does not exist in this account and Region${tgw?.State ? ` (it is ${tgw.State})` : ""}`);
  }
  const vpcAttachment = tgw ? await findVpcAttachment(ctx, tgw.TransitGatewayId!, input.vpcId) : undefined;
  return { read: true, ...(tgw ? { tgw } : {}), ...(vpcAttachment ? { vpcAttachment } : {}), subnets };
}

/**
 * The attachment's subnets: the ones given (each in the VPC, at most one per Availability Zone), or
 * the first of each zone. Pure; exit 2 naming `--tgw-subnets` when the rule is broken.
 */
export function chooseTgwSubnets(given: string[] | undefined, subnets: SubnetInfo[], vpcId: string): SubnetInfo[] {
  if (given?.length) {
    const chosen: SubnetInfo[] = [];
    for (const id of given) {
      const s = subnets.find((x) => x.id === id);
      if (!s) throw flagError("--tgw-subnets", `${id} is not a subnet of ${vpcId}`);
      const same = chosen.find((c) => c.az === s.az);
      if (same) {
        throw flagError("--tgw-subnets", `${same.id} and ${id} are both in ${s.az}; a Transit Gateway attachment takes one subnet per Availability Zone`);
      }
      chosen.push(s);
    }
    return chosen;
  }
  const byZone = new Map<string, SubnetInfo>();
  for (const s of [...subnets].sort((a, b) => a.az.localeCompare(b.az) || a.cidr.localeCompare(b.cidr))) if (!byZone.has(s.az)) byZone.set(s.az, s);
  if (byZone.size === 0)
    throw flagError("--vpc-id", `${vpcId} has no subnets; a Transit Gateway attachment needs one subnet in each Availability Zone it serves`);
  return [...byZone.values()];
}

/** Decide the gateway and VPC attachment steps from what was read. Pure. */
export function decideTgwSteps(input: TgwPlanInput, facts: TgwFacts): TgwPlan {
  const steps: PlanStep[] = [];
  const warnings: string[] = [];
  const owned = (tags: Array<{ Key?: string; Value?: string }> | undefined) => tagValue(tags, STACK_TAG) === input.stack;
  const { tgw } = facts;
  const options = tgwOptions(tgw);
  let asn: number | undefined = input.asn;
  let ecmp: boolean | undefined = true;

  if (tgw) {
    const isOwned = owned(tgw.Tags);
    asn = options.asn;
    ecmp = options.ecmp;
    const pending = tgw.State === "pending" || tgw.State === "modifying";
    const ecmpText =
      ecmp === undefined
        ? "ECMP not reported"
        : ecmp
          ? "VPN ECMP enabled (BGP can use both tunnels at once)"
          : "VPN ECMP disabled (BGP uses one tunnel at a time)";
    if (ecmp === false) warnings.push(`${tgw.TransitGatewayId} has VPN ECMP support disabled: BGP sends traffic over one tunnel at a time.`);
    if (!tgw.Options?.AssociationDefaultRouteTableId || tgw.Options?.DefaultRouteTableAssociation === "disable") {
      warnings.push(
        `${tgw.TransitGatewayId} does not associate new attachments with a default route table: associate the VPN and VPC attachments with a route table yourself.`,
      );
    }
    steps.push({
      id: "tgw",
      type: "transit-gateway",
      action: "reuse",
      resource: "transit gateway",
      resourceId: tgw.TransitGatewayId!,
      owned: isOwned,
      summary: `transit gateway ${tgw.TransitGatewayId}${nameOf(tgw.Tags) ? ` (${nameOf(tgw.Tags)})` : ""}, Amazon ASN ${asn ?? "?"}, ${ecmpText}${pending ? `, ${tgw.State}: wait until available` : ""}${isOwned ? "" : ", not created by this stack"}`,
      params: { asn: asn ?? null, ecmp: ecmp ?? null, state: tgw.State },
      dependsOn: [],
    });
  } else if (input.tgwId !== "new") {
    ecmp = undefined;
    asn = undefined;
    steps.push({
      id: "tgw",
      type: "transit-gateway",
      action: "reuse",
      resource: "transit gateway",
      resourceId: input.tgwId,
      owned: false,
      summary: `transit gateway ${input.tgwId} (not checked offline: its ASN and ECMP setting are read when the plan runs against AWS)`,
      params: {},
      dependsOn: [],
    });
  } else {
    steps.push({
      id: "tgw",
      type: "transit-gateway",
      action: "create",
      resource: "transit gateway",
      owned: true,
      summary: `transit gateway ${NEW_TGW}, Amazon ASN ${input.asn}, VPN ECMP enabled, default route table association and propagation on (AWS's defaults), tagged ${STACK_TAG}=${input.stack}; wait until available`,
      params: {
        asn: input.asn,
        vpnEcmpSupport: "enable",
        defaultRouteTableAssociation: "enable",
        defaultRouteTablePropagation: "enable",
        dnsSupport: "enable",
        autoAcceptSharedAttachments: "disable",
      },
      dependsOn: [],
    });
  }
  const tgwLabel = tgw?.TransitGatewayId ?? (input.tgwId === "new" ? NEW_TGW : input.tgwId);

  // The VPC attachment: one per VPC and gateway.
  const att = facts.vpcAttachment;
  if (att && isLiveAttachment(att.State)) {
    if (input.subnets?.length && [...input.subnets].sort().join() !== [...(att.SubnetIds ?? [])].sort().join()) {
      warnings.push(`${att.TransitGatewayAttachmentId} keeps its subnets ${(att.SubnetIds ?? []).join(", ")} (--tgw-subnets applies to a new attachment).`);
    }
    const available = att.State === "available";
    steps.push({
      id: "tgw-attach",
      type: "tgw-vpc-attachment",
      action: available ? "no-op" : "reuse",
      resource: "transit gateway VPC attachment",
      resourceId: att.TransitGatewayAttachmentId!,
      owned: owned(att.Tags),
      summary: `attachment ${att.TransitGatewayAttachmentId} of ${input.vpcId} to ${tgwLabel} (subnets ${(att.SubnetIds ?? []).join(", ")}; ${available ? "available" : `${att.State}: wait until available`})`,
      params: { vpcId: input.vpcId, subnetIds: att.SubnetIds ?? [], state: att.State },
      dependsOn: ["tgw"],
    });
  } else {
    const chosen = facts.subnets ? chooseTgwSubnets(input.subnets, facts.subnets, input.vpcId) : undefined;
    const ids = chosen?.map((s) => s.id) ?? input.subnets;
    const text = chosen
      ? chosen.map((s) => `${s.id} (${s.az}${s.name ? `, ${s.name}` : ""})`).join(", ")
      : ids?.length
        ? `${ids.join(", ")} (not checked offline)`
        : "one subnet per Availability Zone, chosen from the VPC's when the plan runs against AWS";
    steps.push({
      id: "tgw-attach",
      type: "tgw-vpc-attachment",
      action: "create",
      resource: "transit gateway VPC attachment",
      owned: true,
      summary: `attachment ${NEW_TGW_ATTACHMENT} of ${input.vpcId} to ${tgwLabel} in ${text}; wait until available`,
      params: { vpcId: input.vpcId, subnetIds: ids ?? [] },
      dependsOn: ["tgw"],
    });
  }
  return { steps, warnings, ...(tgw ? { tgw } : {}), tgwLabel, asn, ecmp };
}

export interface TgwRoutesPlanInput {
  vpcId: string;
  /** Route tables that get the routes: ids, every table of the VPC, or none. */
  routeTables: string[] | "all" | "none";
  /** On-prem ranges to route through the gateway. */
  cidrs: string[];
  /** The existing gateway (undefined when it is still to be created). */
  tgwId: string | undefined;
  tgwLabel: string;
  /** @default ["tgw-attach"]: CreateRoute to a TGW needs the VPC's attachment. */
  dependsOn?: string[];
}

/**
 * One `vpc-route` step per route table and on-prem range: `create` a route to the gateway, `no-op`
 * when it is there. A route to the same range through something else is the user's to resolve
 * (exit 2 naming --route-tables). Pure.
 */
export function decideTgwVpcRouteSteps(input: TgwRoutesPlanInput, tables: RouteTable[] | undefined): PlanStep[] {
  if (input.routeTables === "none") return [];
  const dependsOn = input.dependsOn ?? ["tgw-attach"];
  const step = (rtb: string, cidr: string, has: boolean, what: string): PlanStep => ({
    id: `vpc-route:${rtb}:${cidr}`,
    type: "vpc-route",
    action: has ? "no-op" : "create",
    resource: "route",
    ...(has ? { resourceId: `${rtb}/${cidr}` } : {}),
    owned: true,
    summary: `route table ${what}: ${cidr} via ${input.tgwLabel}${has ? " (already there)" : ""}`,
    params: { routeTableId: rtb, cidr },
    dependsOn,
  });
  if (tables === undefined) {
    if (input.routeTables === "all") {
      return input.cidrs.map((cidr) => ({
        ...step("all", cidr, false, `every route table of ${input.vpcId}`),
        summary: `every route table of ${input.vpcId}: ${cidr} via ${input.tgwLabel}`,
      }));
    }
    return input.routeTables.flatMap((rtb) => input.cidrs.map((cidr) => step(rtb, cidr, false, rtb)));
  }
  const steps: PlanStep[] = [];
  for (const t of tables) {
    for (const cidr of input.cidrs) {
      const route = (t.Routes ?? []).find((r) => r.DestinationCidrBlock === cidr && r.Origin !== "EnableVgwRoutePropagation");
      const ours = Boolean(route && input.tgwId && route.TransitGatewayId === input.tgwId);
      if (route && !ours) {
        const target =
          route.GatewayId ?? route.TransitGatewayId ?? route.NatGatewayId ?? route.NetworkInterfaceId ?? route.VpcPeeringConnectionId ?? "another target";
        throw flagError(
          "--route-tables",
          `${t.RouteTableId} already routes ${cidr} to ${target}; remove that route or leave the table out (--route-tables <ids> or none)`,
        );
      }
      steps.push(step(t.RouteTableId!, cidr, ours, tableLabel(t.RouteTableId!, t)));
    }
  }
  return steps;
}

/** What the account says about the VPN side on a gateway: the connection's attachment and its static routes. */
export interface TgwVpnFacts {
  attachment?: TransitGatewayAttachment;
  /** Static routes in the attachment's association route table that point at it. */
  staticRoutes: TransitGatewayRoute[];
}

/** Read the VPN attachment of an existing connection and the static routes that point at it. */
export async function observeTgwVpn(ctx: Context, vpnConnectionId: string | undefined): Promise<TgwVpnFacts> {
  if (!vpnConnectionId || ctx.config.offline) return { staticRoutes: [] };
  const attachment = await findVpnAttachment(ctx, vpnConnectionId);
  const rtb = attachment?.Association?.TransitGatewayRouteTableId;
  const staticRoutes = attachment && rtb ? await findTgwStaticRoutes(ctx, rtb, attachment.TransitGatewayAttachmentId!) : [];
  return { ...(attachment ? { attachment } : {}), staticRoutes };
}

export interface TgwVpnPlanInput {
  tgwLabel: string;
  /** The connection's id, or a placeholder. */
  vpnLabel: string;
  /** Static routing: one TGW route per range; BGP: none. */
  staticCidrs: string[];
  /** @default ["vpn"] */
  dependsOn?: string[];
}

/**
 * The `tgw-vpn-attach` step (wait for the attachment AWS makes for the connection) and, for static
 * routing, one `tgw-route` step per range in the attachment's association route table. On a gateway
 * the connection's static routes live there, not on the connection (CreateVpnConnectionRoute is for
 * virtual private gateways). Pure.
 */
export function decideTgwVpnSteps(input: TgwVpnPlanInput, facts: TgwVpnFacts): PlanStep[] {
  const att = facts.attachment && isLiveAttachment(facts.attachment.State) ? facts.attachment : undefined;
  const available = att?.State === "available";
  const rtb = att?.Association?.TransitGatewayRouteTableId;
  const steps: PlanStep[] = [
    {
      id: "tgw-vpn-attach",
      type: "tgw-vpn-attachment",
      action: available ? "no-op" : att ? "reuse" : "create",
      resource: "transit gateway VPN attachment",
      ...(att ? { resourceId: att.TransitGatewayAttachmentId! } : {}),
      owned: true,
      summary: att
        ? `VPN attachment ${att.TransitGatewayAttachmentId} of ${input.vpnLabel} to ${input.tgwLabel} (${available ? "available" : `${att.State}: wait until available`}${rtb ? `, route table ${rtb}` : ""})`
        : `VPN attachment of ${input.vpnLabel} to ${input.tgwLabel} (AWS makes it with the connection); wait until available`,
      params: { ...(rtb ? { routeTableId: rtb } : {}), ...(att ? { state: att.State } : {}) },
      dependsOn: input.dependsOn ?? ["vpn"],
    },
  ];
  const existing = new Set(facts.staticRoutes.map((r) => r.DestinationCidrBlock));
  for (const cidr of input.staticCidrs) {
    const has = Boolean(att && existing.has(cidr));
    steps.push({
      id: `tgw-route:${cidr}`,
      type: "tgw-route",
      action: has ? "no-op" : "create",
      resource: "transit gateway route",
      ...(has ? { resourceId: `${rtb}/${cidr}` } : {}),
      owned: true,
      summary: `static route ${cidr} to the VPN attachment in ${rtb ? `route table ${rtb}` : "its transit gateway route table"}${has ? " (already there)" : ""}`,
      params: { cidr, ...(rtb ? { routeTableId: rtb } : {}) },
      dependsOn: ["tgw-vpn-attach"],
    });
  }
  return steps;
}
