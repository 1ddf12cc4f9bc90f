/**
 * `list`, `status` and `destroy` for the Transit Gateway pieces of a stack, shared by every kind whose
 * stacks use one (vpn; a fleet hub): the gateway (created by the stack or reused), the VPC attachments
 * the stack created, the VPN attachments of its connections with their static routes, and the VPC
 * routes to the gateway (recorded in the connection's `vpcwire:routes*` tags). Destroy removes only what
 * the stack created, after its connections: VPC routes, TGW routes, the VPC attachment (waiting until
 * deleted), then the gateway when the stack created it and nothing else uses it.
 */
import type {
  RouteTable,
  TransitGateway,
  TransitGatewayAttachment,
  TransitGatewayRoute,
  TransitGatewayVpcAttachment,
  VpnConnection,
} from "@aws-sdk/client-ec2";
import { send } from "../aws/call.js";
import { hasStackTags, STACK_TAG, stackFilters, tagValue } from "../aws/tags.js";
import { findTgwStaticRoutes, findVpnAttachment, getTransitGateway, isLiveAttachment, routesFromTags, tgwOptions } from "../aws/tgw.js";
import { listRouteTables, nameOf } from "../aws/vpc.js";
import type { Journal, StepRunner } from "../core/apply.js";
import type { Context } from "../core/context.js";
import type { Kind, PlanStep } from "../core/plan.js";
import { retryWhileBlocked, untilDone } from "../core/wait.js";
import { deletedOutcome, keptStep } from "./teardown.js";
import type { StackResource, StatusLine, StatusSection } from "./types.js";

const ec2 = () => import("@aws-sdk/client-ec2");

export interface TgwStackParts {
  tgws: Array<TransitGateway & { owned: boolean }>;
  /** VPC attachments the stack created. */
  vpcAttachments: TransitGatewayVpcAttachment[];
  /** Per connection on a gateway: its VPN attachment and the static routes pointing at it. */
  vpn: Array<{ connection: VpnConnection; attachment?: TransitGatewayAttachment; staticRoutes: TransitGatewayRoute[] }>;
  /** VPC routes to a gateway the stack added, as found in the route tables (recorded ranges only). */
  vpcRoutes: Array<{ routeTableId: string; cidr: string; tgwId: string; state: string; tableName?: string }>;
}

/** Read the Transit Gateway pieces of a stack of `kind`, given its live connections. */
export async function readTgwParts(ctx: Context, stack: string, kind: Kind, connections: VpnConnection[]): Promise<TgwStackParts> {
  const { DescribeTransitGatewaysCommand, DescribeTransitGatewayVpcAttachmentsCommand } = await ec2();
  const filters = [...stackFilters(stack), { Name: "tag:vpcwire:kind", Values: [kind] }];
  const [tgwsOut, attsOut] = await Promise.all([
    send(ctx, "ec2", new DescribeTransitGatewaysCommand({ Filters: filters })),
    send(ctx, "ec2", new DescribeTransitGatewayVpcAttachmentsCommand({ Filters: filters })),
  ]);
  const mine = (tags: Array<{ Key?: string; Value?: string }> | undefined) => hasStackTags(tags, { stack, kind });
  const owned = (tgwsOut.TransitGateways ?? []).filter((t) => t.State !== "deleted" && mine(t.Tags)).map((t) => ({ ...t, owned: true }));
  const vpcAttachments = (attsOut.TransitGatewayVpcAttachments ?? []).filter((a) => isLiveAttachment(a.State) && mine(a.Tags));
  const onTgw = connections.filter((c) => c.TransitGatewayId);
  const otherIds = [
    ...new Set(
      [...onTgw.map((c) => c.TransitGatewayId!), ...vpcAttachments.map((a) => a.TransitGatewayId!)].filter(
        (id) => !owned.some((t) => t.TransitGatewayId === id),
      ),
    ),
  ];
  const reused = (await Promise.all(otherIds.map((id) => getTransitGateway(ctx, id))))
    .filter((t): t is TransitGateway => Boolean(t))
    .map((t) => ({ ...t, owned: false }));
  const vpn = await Promise.all(
    onTgw.map(async (connection) => {
      const attachment = await findVpnAttachment(ctx, connection.VpnConnectionId!);
      const rtb = attachment?.Association?.TransitGatewayRouteTableId;
      const staticRoutes =
        attachment && rtb && isLiveAttachment(attachment.State) ? await findTgwStaticRoutes(ctx, rtb, attachment.TransitGatewayAttachmentId!) : [];
      return { connection, ...(attachment ? { attachment } : {}), staticRoutes };
    }),
  );
  // VPC routes: the ranges each connection recorded, in the recorded VPC's tables, through its gateway.
  const vpcRoutes: TgwStackParts["vpcRoutes"] = [];
  const tablesByVpc = new Map<string, RouteTable[]>();
  for (const c of onTgw) {
    const { vpcId, cidrs } = routesFromTags(c.Tags);
    if (!vpcId || cidrs.length === 0) continue;
    if (!tablesByVpc.has(vpcId)) tablesByVpc.set(vpcId, await listRouteTables(ctx, vpcId));
    for (const t of tablesByVpc.get(vpcId)!) {
      for (const r of t.Routes ?? []) {
        if (r.TransitGatewayId === c.TransitGatewayId && cidrs.includes(r.DestinationCidrBlock ?? "")) {
          const name = nameOf(t.Tags);
          vpcRoutes.push({
            routeTableId: t.RouteTableId!,
            cidr: r.DestinationCidrBlock!,
            tgwId: r.TransitGatewayId!,
            state: r.State ?? "active",
            ...(name ? { tableName: name } : {}),
          });
        }
      }
    }
  }
  return { tgws: [...owned, ...reused], vpcAttachments, vpn, vpcRoutes };
}

/** The pieces as `list` and `status` show them. */
export function tgwResources(parts: TgwStackParts): StackResource[] {
  return [
    ...parts.tgws.map((t) => {
      const o = tgwOptions(t);
      return {
        type: "transit gateway",
        id: t.TransitGatewayId!,
        owned: t.owned,
        ...(t.State ? { state: t.State } : {}),
        detail: `ASN ${o.asn ?? "?"}, VPN ECMP ${o.ecmp === undefined ? "not reported" : o.ecmp ? "enabled" : "disabled"}`,
      };
    }),
    ...parts.vpcAttachments.map((a) => ({
      type: "transit gateway VPC attachment",
      id: a.TransitGatewayAttachmentId!,
      owned: true,
      ...(a.State ? { state: a.State } : {}),
      detail: `${a.VpcId} to ${a.TransitGatewayId} in ${(a.SubnetIds ?? []).join(", ")}`,
    })),
  ];
}

/** Status sections: the gateway, attachments, static routes in the gateway, routes in the VPC. */
export function tgwStatus(parts: TgwStackParts): { healthy: boolean; sections: StatusSection[]; data: Record<string, unknown> } {
  let healthy = true;
  const sections: StatusSection[] = [];
  for (const t of parts.tgws) {
    const o = tgwOptions(t);
    const lines: StatusLine[] = [
      { ok: t.State === "available", text: `state ${t.State}, Amazon ASN ${o.asn ?? "?"}${t.owned ? "" : ", not created by this stack (kept by destroy)"}` },
      {
        ok: null,
        text: `VPN ECMP ${o.ecmp === undefined ? "not reported" : o.ecmp ? "enabled: BGP can use both tunnels at once" : "disabled: BGP uses one tunnel at a time"}`,
      },
    ];
    if (t.State !== "available") healthy = false;
    for (const a of parts.vpcAttachments.filter((x) => x.TransitGatewayId === t.TransitGatewayId)) {
      if (a.State !== "available") healthy = false;
      lines.push({
        ok: a.State === "available",
        text: `VPC attachment ${a.TransitGatewayAttachmentId}: ${a.VpcId}, ${a.State}, subnets ${(a.SubnetIds ?? []).join(", ")}`,
      });
    }
    for (const v of parts.vpn.filter((x) => x.connection.TransitGatewayId === t.TransitGatewayId)) {
      const a = v.attachment;
      if (a?.State !== "available") healthy = false;
      lines.push({
        ok: a?.State === "available",
        text: a
          ? `VPN attachment ${a.TransitGatewayAttachmentId} of ${v.connection.VpnConnectionId}: ${a.State}${a.Association?.TransitGatewayRouteTableId ? `, route table ${a.Association.TransitGatewayRouteTableId}` : ", not associated with a route table"}`
          : `VPN attachment of ${v.connection.VpnConnectionId}: not found`,
      });
      if (v.connection.Options?.StaticRoutesOnly) {
        const routes = v.staticRoutes.map((r) => `${r.DestinationCidrBlock} (${r.State})`);
        if (!routes.length) healthy = false;
        lines.push({
          ok: routes.length > 0 ? null : false,
          text: `static routes in the gateway: ${routes.join(", ") || "none: add them with the same vpn create command"}`,
        });
      }
    }
    sections.push({ title: `Transit gateway ${t.TransitGatewayId}${nameOf(t.Tags) ? ` (${nameOf(t.Tags)})` : ""}`, lines });
  }
  if (parts.vpcRoutes.length) {
    const lines = parts.vpcRoutes.map((r) => {
      if (r.state !== "active") healthy = false;
      return {
        ok: r.state === "active",
        text: `${r.routeTableId}${r.tableName ? ` (${r.tableName})` : ""}: ${r.cidr} via ${r.tgwId} ${r.state}${r.state === "blackhole" ? ": the VPC is not attached to the gateway" : ""}`,
      };
    });
    sections.push({ title: "VPC routes to the transit gateway (a Transit Gateway does not propagate into VPC route tables)", lines });
  }
  const data = {
    transitGateways: parts.tgws.map((t) => ({ transitGatewayId: t.TransitGatewayId, state: t.State, owned: t.owned, ...tgwOptions(t) })),
    vpcAttachments: parts.vpcAttachments.map((a) => ({ attachmentId: a.TransitGatewayAttachmentId, vpcId: a.VpcId, state: a.State, subnetIds: a.SubnetIds })),
    vpnAttachments: parts.vpn.map((v) => ({
      vpnConnectionId: v.connection.VpnConnectionId,
      attachmentId: v.attachment?.TransitGatewayAttachmentId ?? null,
      state: v.attachment?.State ?? null,
      routeTableId: v.attachment?.Association?.TransitGatewayRouteTableId ?? null,
      staticRoutes: v.staticRoutes.map((r) => r.DestinationCidrBlock),
    })),
    vpcRoutes: parts.vpcRoutes,
  };
  return { healthy, sections, data };
}

/**
 * Teardown steps after the stack's connections (`after`): VPC routes, TGW static routes, the VPC
 * attachments the stack created (wait until deleted), then each gateway the stack created. A gateway
 * or attachment other connections still use is kept; a reused gateway always is.
 */
export async function planTgwTeardown(ctx: Context, stack: string, parts: TgwStackParts, after: string[]): Promise<{ steps: PlanStep[]; warnings: string[] }> {
  const steps: PlanStep[] = [];
  const warnings: string[] = [];
  const routeIds: string[] = [];
  for (const r of parts.vpcRoutes) {
    const id = `vpc-route-delete:${r.routeTableId}:${r.cidr}`;
    routeIds.push(id);
    steps.push({
      id,
      type: "vpc-route-delete",
      action: "delete",
      resource: "route",
      resourceId: `${r.routeTableId}/${r.cidr}`,
      owned: true,
      summary: `route ${r.cidr} via ${r.tgwId} in ${r.routeTableId}${r.tableName ? ` (${r.tableName})` : ""}`,
      params: { routeTableId: r.routeTableId, cidr: r.cidr },
      dependsOn: after,
    });
  }
  const tgwRouteIds: string[] = [];
  for (const v of parts.vpn) {
    const rtb = v.attachment?.Association?.TransitGatewayRouteTableId;
    if (!rtb || tagValue(v.connection.Tags, STACK_TAG) !== stack) continue;
    for (const r of v.staticRoutes) {
      const id = `tgw-route-delete:${rtb}:${r.DestinationCidrBlock}`;
      tgwRouteIds.push(id);
      steps.push({
        id,
        type: "tgw-route-delete",
        action: "delete",
        resource: "transit gateway route",
        resourceId: `${rtb}/${r.DestinationCidrBlock}`,
        owned: true,
        summary: `static route ${r.DestinationCidrBlock} in transit gateway route table ${rtb} (gone with the VPN attachment if AWS removed it already)`,
        params: { routeTableId: rtb, cidr: r.DestinationCidrBlock },
        dependsOn: [...after, ...routeIds],
      });
    }
  }
  // What else uses each gateway: connections and attachments that are not this stack's.
  const others = await otherUsers(ctx, stack, parts);
  const attachIds: string[] = [];
  for (const a of parts.vpcAttachments) {
    const users = (others.get(a.TransitGatewayId!) ?? []).filter((u) => u.kind === "vpn");
    if (users.length) {
      steps.push(keptStep("transit gateway VPC attachment", a.TransitGatewayAttachmentId!, `still used by ${users.map((u) => u.text).join(", ")}`, true));
      warnings.push(`${a.TransitGatewayAttachmentId} stays: other VPN connections on ${a.TransitGatewayId} reach ${a.VpcId} through it.`);
      continue;
    }
    const id = `tgw-attach-delete:${a.TransitGatewayAttachmentId}`;
    attachIds.push(id);
    steps.push({
      id,
      type: "tgw-vpc-attachment-delete",
      action: "delete",
      resource: "transit gateway VPC attachment",
      resourceId: a.TransitGatewayAttachmentId!,
      owned: true,
      summary: `attachment ${a.TransitGatewayAttachmentId} of ${a.VpcId} to ${a.TransitGatewayId}; wait until deleted`,
      params: { attachmentId: a.TransitGatewayAttachmentId },
      dependsOn: [...after, ...routeIds, ...tgwRouteIds],
    });
  }
  for (const t of parts.tgws) {
    if (!t.owned) {
      steps.push(keptStep("transit gateway", t.TransitGatewayId!, "not created by this stack"));
      continue;
    }
    const users = others.get(t.TransitGatewayId!) ?? [];
    if (users.length) {
      steps.push(keptStep("transit gateway", t.TransitGatewayId!, `still used by ${users.map((u) => u.text).join(", ")}`, true));
      warnings.push(`${t.TransitGatewayId} stays: remove what else uses it, then run destroy again.`);
      continue;
    }
    steps.push({
      id: `tgw-delete:${t.TransitGatewayId}`,
      type: "transit-gateway-delete",
      action: "delete",
      resource: "transit gateway",
      resourceId: t.TransitGatewayId!,
      owned: true,
      summary: `transit gateway ${t.TransitGatewayId}; wait until deleted`,
      params: { tgwId: t.TransitGatewayId },
      dependsOn: [...after, ...routeIds, ...tgwRouteIds, ...attachIds],
    });
  }
  return { steps, warnings };
}

/** Attachments on the stack's gateways that are not the stack's: other VPCs, other stacks' connections. */
async function otherUsers(ctx: Context, stack: string, parts: TgwStackParts): Promise<Map<string, Array<{ id: string; kind: string; text: string }>>> {
  const users = new Map<string, Array<{ id: string; kind: string; text: string }>>();
  const ids = parts.tgws.map((t) => t.TransitGatewayId!);
  if (ids.length === 0) return users;
  const { DescribeTransitGatewayAttachmentsCommand } = await ec2();
  const out = await send(ctx, "ec2", new DescribeTransitGatewayAttachmentsCommand({ Filters: [{ Name: "transit-gateway-id", Values: ids }] }));
  const ownVpn = new Set(parts.vpn.filter((v) => tagValue(v.connection.Tags, STACK_TAG) === stack).map((v) => v.connection.VpnConnectionId));
  const ownAttach = new Set(parts.vpcAttachments.map((a) => a.TransitGatewayAttachmentId));
  for (const a of out.TransitGatewayAttachments ?? []) {
    if (!ids.includes(a.TransitGatewayId ?? "") || !isLiveAttachment(a.State)) continue;
    if (a.ResourceType === "vpn" && ownVpn.has(a.ResourceId)) continue;
    if (ownAttach.has(a.TransitGatewayAttachmentId)) continue;
    const list = users.get(a.TransitGatewayId!) ?? [];
    list.push({
      id: a.TransitGatewayAttachmentId!,
      kind: a.ResourceType ?? "?",
      text: `${a.ResourceType} attachment ${a.TransitGatewayAttachmentId} (${a.ResourceId})`,
    });
    users.set(a.TransitGatewayId!, list);
  }
  return users;
}

/** Runners for the teardown steps above. */
export async function tgwTeardownRunners(ctx: Context, journal: Journal, timeoutMs: number): Promise<Record<string, StepRunner>> {
  const m = await ec2();
  const waitFor = untilDone(ctx, timeoutMs);
  return {
    "vpc-route-delete": async (step) => {
      const rtb = String(step.params.routeTableId);
      const cidr = String(step.params.cidr);
      await retryWhileBlocked(ctx, {
        what: `route ${cidr} in ${rtb}`,
        call: () => send(ctx, "ec2", new m.DeleteRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: cidr })),
        timeoutMs,
      });
      ctx.io.success(`route ${cidr} removed from ${rtb}`);
      return deletedOutcome(journal, step);
    },
    "tgw-route-delete": async (step) => {
      const rtb = String(step.params.routeTableId);
      const cidr = String(step.params.cidr);
      await retryWhileBlocked(ctx, {
        what: `static route ${cidr} in ${rtb}`,
        call: () => send(ctx, "ec2", new m.DeleteTransitGatewayRouteCommand({ TransitGatewayRouteTableId: rtb, DestinationCidrBlock: cidr })),
        timeoutMs,
      });
      return deletedOutcome(journal, step);
    },
    "tgw-vpc-attachment-delete": async (step) => {
      const id = String(step.params.attachmentId);
      await retryWhileBlocked(ctx, {
        what: `attachment ${id}`,
        call: () => send(ctx, "ec2", new m.DeleteTransitGatewayVpcAttachmentCommand({ TransitGatewayAttachmentId: id })),
        timeoutMs,
      });
      await waitFor(
        `attachment ${id} deleting`,
        async () => {
          try {
            return (
              (await send(ctx, "ec2", new m.DescribeTransitGatewayVpcAttachmentsCommand({ TransitGatewayAttachmentIds: [id] })))
                .TransitGatewayVpcAttachments?.[0]?.State ?? "deleted"
            );
          } catch {
            return "deleted";
          }
        },
        (state) => (state === "deleted" ? true : state),
      );
      return deletedOutcome(journal, step);
    },
    "transit-gateway-delete": async (step) => {
      const id = String(step.params.tgwId);
      await retryWhileBlocked(ctx, {
        what: `transit gateway ${id}`,
        call: () => send(ctx, "ec2", new m.DeleteTransitGatewayCommand({ TransitGatewayId: id })),
        timeoutMs,
      });
      await waitFor(
        `transit gateway ${id} deleting`,
        async () => {
          try {
            return (await send(ctx, "ec2", new m.DescribeTransitGatewaysCommand({ TransitGatewayIds: [id] }))).TransitGateways?.[0]?.State ?? "deleted";
          } catch {
            return "deleted";
          }
        },
        (state) => (state === "deleted" ? true : state),
      );
      ctx.io.success(`transit gateway ${id} deleted`);
      return deletedOutcome(journal, step);
    },
  };
}
