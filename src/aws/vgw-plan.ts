/**
 * Plan steps around a virtual private gateway, shared by every capability that puts one on a VPC:
 * the gateway itself (reuse the one attached to the VPC, or create one), its attachment, and route
 * propagation per route table. Reads only; the runners are in vgw-runners.ts.
 */
import type { RouteTable, VpnGateway } from "@aws-sdk/client-ec2";
import type { Context } from "../core/context.js";
import { flagError } from "../core/errors.js";
import type { PlanStep } from "../core/plan.js";
import { STACK_TAG, tagValue } from "./tags.js";
import { findAttachedVgw, findStackVgw, getVpnGateway } from "./vgw.js";
import { getRouteTables, listRouteTables, nameOf } from "./vpc.js";

/** The placeholder id of a gateway the plan will create. */
export const NEW_VGW = "<new-vgw-id>";

export interface VgwPlanInput {
  stack: string;
  vpcId: string;
  /** A gateway the user named (--vgw-id); otherwise the one attached to the VPC, the stack's, or a new one. */
  vgwId?: string;
  /** Amazon side ASN for a new gateway (--amazon-asn). */
  amazonAsn: number;
}

export interface VgwPlan {
  /** The `vgw` (type `vpn-gateway`) and `attach` (type `vgw-attachment`) steps. */
  steps: PlanStep[];
  warnings: string[];
  /** The existing gateway, when there is one. */
  vgw?: VpnGateway;
  /** The Amazon side ASN in effect (a reused gateway keeps its own). */
  amazonAsn: number;
  /** The gateway's id, or a placeholder when it is still to be created. */
  vgwLabel: string;
}

/** What the account says about the gateway question. Offline: nothing was read. */
export interface VgwFacts {
  /** False offline: `--vgw-id` was not checked and no attached gateway could be looked for. */
  read: boolean;
  /** The gateway to reuse: the one named, the one attached to the VPC, or the stack's own. */
  vgw?: VpnGateway;
}

/**
 * Read the gateway question: a VPC can have only one gateway, so one already attached is reused;
 * --vgw-id must be that one (or a free one). Offline nothing is read.
 */
export async function observeVgw(ctx: Context, input: VgwPlanInput): Promise<VgwFacts> {
  if (ctx.config.offline) return { read: false };
  const attached = await findAttachedVgw(ctx, input.vpcId);
  if (!input.vgwId) {
    const vgw = attached ?? (await findStackVgw(ctx, input.stack));
    return { read: true, ...(vgw ? { vgw } : {}) };
  }
  const vgw = await getVpnGateway(ctx, input.vgwId);
  if (!vgw || vgw.State === "deleted" || vgw.State === "deleting") throw flagError("--vgw-id", `${input.vgwId} does not exist`);
  if (attached && attached.VpnGatewayId !== input.vgwId) {
    throw flagError(
      "--vgw-id",
      `${input.vpcId} already has ${attached.VpnGatewayId} attached and a VPC can have only one; use --vgw-id ${attached.VpnGatewayId} or leave it out`,
    );
  }
  const elsewhere = vgw.VpcAttachments?.find((a) => a.VpcId !== input.vpcId && (a.State === "attached" || a.State === "attaching"));
  if (elsewhere) throw flagError("--vgw-id", `${input.vgwId} is attached to ${elsewhere.VpcId}; detach it first or pick another gateway`);
  return { read: true, vgw };
}

/** Decide the gateway and attachment steps from what was read. Pure. */
export function decideVgwSteps(input: VgwPlanInput, facts: VgwFacts): VgwPlan {
  const steps: PlanStep[] = [];
  const warnings: string[] = [];
  const owned = (tags: Array<{ Key?: string; Value?: string }> | undefined) => tagValue(tags, STACK_TAG) === input.stack;
  const { vgw } = facts;
  let amazonAsn = input.amazonAsn;
  const vgwAttachment = vgw?.VpcAttachments?.find((a) => a.VpcId === input.vpcId);
  if (vgw) {
    const isOwned = owned(vgw.Tags);
    if (vgw.AmazonSideAsn !== undefined && vgw.AmazonSideAsn !== input.amazonAsn) {
      warnings.push(`${vgw.VpnGatewayId} keeps its Amazon side ASN ${vgw.AmazonSideAsn} (--amazon-asn ${input.amazonAsn} applies only to a new gateway).`);
      amazonAsn = vgw.AmazonSideAsn;
    }
    steps.push({
      id: "vgw",
      type: "vpn-gateway",
      action: "reuse",
      resource: "virtual private gateway",
      resourceId: vgw.VpnGatewayId!,
      owned: isOwned,
      summary: `virtual private gateway ${vgw.VpnGatewayId}${nameOf(vgw.Tags) ? ` (${nameOf(vgw.Tags)})` : ""}, Amazon ASN ${vgw.AmazonSideAsn ?? "?"}${isOwned ? "" : ", not created by this stack"}`,
      params: { amazonAsn, state: vgw.State },
      dependsOn: [],
    });
  } else if (input.vgwId) {
    // Named but not read (offline): reused as given.
    steps.push({
      id: "vgw",
      type: "vpn-gateway",
      action: "reuse",
      resource: "virtual private gateway",
      resourceId: input.vgwId,
      owned: false,
      summary: `virtual private gateway ${input.vgwId} (not checked offline)`,
      params: { amazonAsn },
      dependsOn: [],
    });
  } else {
    steps.push({
      id: "vgw",
      type: "vpn-gateway",
      action: "create",
      resource: "virtual private gateway",
      owned: true,
      summary: `virtual private gateway ${NEW_VGW}, Amazon ASN ${amazonAsn}, tagged ${STACK_TAG}=${input.stack}`,
      params: { amazonAsn },
      dependsOn: [],
    });
  }
  const vgwLabel = vgw?.VpnGatewayId ?? input.vgwId ?? NEW_VGW;
  const attachState = vgwAttachment?.State;
  steps.push({
    id: "attach",
    type: "vgw-attachment",
    action: attachState === "attached" ? "no-op" : attachState === "attaching" ? "reuse" : "create",
    resource: "gateway attachment",
    ...(attachState === "attached" || attachState === "attaching" ? { resourceId: `${vgwLabel}/${input.vpcId}` } : {}),
    owned: vgw ? owned(vgw.Tags) : true,
    summary:
      attachState === "attached"
        ? `attachment of ${vgwLabel} to ${input.vpcId} (already attached)`
        : attachState === "attaching"
          ? `attachment of ${vgwLabel} to ${input.vpcId} (attaching: wait until attached)`
          : `attachment of ${vgwLabel} to ${input.vpcId} (wait until attached)`,
    params: { vpcId: input.vpcId },
    dependsOn: ["vgw"],
  });
  return { steps, warnings, ...(vgw ? { vgw } : {}), amazonAsn, vgwLabel };
}

export interface PropagationPlanInput {
  vpcId: string;
  /** Route tables to propagate into: ids, every table of the VPC, or none. */
  routeTables: string[] | "all" | "none";
  /** The existing gateway (undefined when it is still to be created). */
  vgwId: string | undefined;
  vgwLabel: string;
  /** @default ["attach"] */
  dependsOn?: string[];
}

/** `rtb-... (name) [main] [subnet-..., ...]`: a route table as plans show it. */
export function tableLabel(id: string, table?: RouteTable): string {
  const subnets = (table?.Associations ?? []).filter((a) => a.SubnetId).map((a) => a.SubnetId!);
  const main = table?.Associations?.some((a) => a.Main) ?? false;
  return `${id}${nameOf(table?.Tags) ? ` (${nameOf(table?.Tags)})` : ""}${main ? " [main]" : ""}${subnets.length ? ` [${subnets.join(", ")}]` : ""}`;
}

/**
 * A `route-propagation` step: `update` to enable propagation from the gateway, `no-op` when it is on.
 * `gatewayId` goes into the params when the plan has no `vgw` step for the runner to read it from.
 */
export function propagationStep(id: string, on: boolean, opts: { vgwLabel: string; dependsOn: string[]; what?: string; gatewayId?: string }): PlanStep {
  const what = opts.what ?? id;
  return {
    id: `propagation:${id}`,
    type: "route-propagation",
    action: on ? "no-op" : "update",
    resource: "route table",
    resourceId: id,
    owned: !on,
    summary: on ? `route table ${what}: propagation from ${opts.vgwLabel} already on` : `route table ${what}: enable propagation from ${opts.vgwLabel}`,
    params: { routeTableId: id, ...(opts.gatewayId ? { gatewayId: opts.gatewayId } : {}) },
    dependsOn: opts.dependsOn,
  };
}

/** The route tables to propagate into, as read; `undefined` offline (not read). */
export type RouteTableFacts = RouteTable[] | undefined;

/** Read the route tables a propagation choice names. Offline nothing is read. */
export async function observeRouteTables(ctx: Context, vpcId: string, routeTables: string[] | "all" | "none"): Promise<RouteTableFacts> {
  if (ctx.config.offline) return undefined;
  if (routeTables === "none") return [];
  return routeTables === "all" ? await listRouteTables(ctx, vpcId) : await getRouteTables(ctx, routeTables, vpcId);
}

/** One `route-propagation` step per route table: `update` to enable it, `no-op` when already on. Pure. */
export function decidePropagationSteps(input: PropagationPlanInput, tables: RouteTableFacts): PlanStep[] {
  if (input.routeTables === "none") return [];
  const { vgwId, vgwLabel } = input;
  const dependsOn = input.dependsOn ?? ["attach"];
  const step = (id: string, on: boolean, table?: RouteTable): PlanStep => propagationStep(id, on, { vgwLabel, dependsOn, what: tableLabel(id, table) });
  if (tables === undefined) {
    // Not read (offline): the tables are known only by the ids given.
    if (input.routeTables === "all") {
      return [
        {
          id: "propagation:all",
          type: "route-propagation",
          action: "update",
          resource: "route table",
          owned: true,
          summary: `every route table of ${input.vpcId}: enable propagation from ${vgwLabel}`,
          params: { routeTableId: "all" },
          dependsOn,
        },
      ];
    }
    return input.routeTables.map((id) => step(id, false));
  }
  return tables.map((t) => step(t.RouteTableId!, Boolean(vgwId && t.PropagatingVgws?.some((p) => p.GatewayId === vgwId)), t));
}
