/** `vpcwire list`: a privatelink stack's resources and its state in one word. */
import type { TargetHealthDescription } from "@aws-sdk/client-elastic-load-balancing-v2";
import { describeSgRule } from "../../aws/sg-rules.js";
import type { StackResource, StackSummary } from "../../lifecycle/types.js";
import { lower } from "../aws.js";
import { forwardsTo, KIND, lbNameOf, listenerId, permissionsText, type StackParts } from "./parts.js";

/** The targets of a group as `192.168.0.10:443 healthy`. */
function targetsText(health: TargetHealthDescription[] | undefined): string {
  if (!health) return "";
  if (health.length === 0) return "no target";
  return health.map((t) => `${t.Target?.Id}:${t.Target?.Port} ${t.TargetHealth?.State ?? "unknown"}`).join(", ");
}

/** The VPCs a stack's resources are in: reused, never created (list shows them, destroy keeps them). */
export function vpcsOf(parts: StackParts): Array<{ vpcId: string; holds: string[] }> {
  const vpcs = new Map<string, string[]>();
  const add = (vpcId: string | undefined, what: string) => {
    if (!vpcId) return;
    if (!vpcs.has(vpcId)) vpcs.set(vpcId, []);
    if (!vpcs.get(vpcId)!.includes(what)) vpcs.get(vpcId)!.push(what);
  };
  for (const d of parts.directions) {
    for (const lb of d.nlbs) add(lb.VpcId, `the ${d.direction} load balancer`);
    for (const { tg } of d.targetGroups) if (d.nlbs.length === 0) add(tg.VpcId, `the ${d.direction} target groups`);
    for (const e of d.endpoints) add(e.VpcId, `the ${d.direction} endpoint`);
    for (const g of d.securityGroups) if (d.endpoints.length === 0) add(g.VpcId, `the ${d.direction} endpoint's security group`);
  }
  return [...vpcs].map(([vpcId, holds]) => ({ vpcId, holds }));
}

/**
 * One word for the stack: `available` (every direction complete, active and healthy), `unhealthy`
 * (complete and up, but a target fails its checks), `pending` (complete, still coming up), `deleting`,
 * or `partial` (pieces missing: a half-finished create or destroy).
 */
function stackState(parts: StackParts): string {
  const dirs = parts.directions;
  if (dirs.length === 0) return "partial";
  const deleting = dirs.some((d) => d.endpoints.some((e) => lower(e.State) === "deleting") || d.services.some((s) => lower(s.ServiceState) === "deleting"));
  if (deleting) return "deleting";
  const complete = dirs.every(
    (d) => d.nlbs.length && d.listeners.length && d.targetGroups.length && d.services.length && d.endpoints.length && d.securityGroups.length,
  );
  if (!complete) return "partial";
  const up = dirs.every(
    (d) =>
      d.nlbs.every((lb) => lower(lb.State?.Code) === "active") &&
      d.services.every((s) => lower(s.ServiceState) === "available") &&
      d.endpoints.every((e) => lower(e.State) === "available"),
  );
  const states = dirs.flatMap((d) => d.targetGroups.flatMap((t) => (t.health ?? []).map((h) => lower(h.TargetHealth?.State))));
  const broken = dirs.some(
    (d) =>
      d.nlbs.some((lb) => lower(lb.State?.Code) === "failed") ||
      d.services.some((s) => lower(s.ServiceState) === "failed") ||
      d.endpoints.some((e) => ["rejected", "failed", "expired"].includes(lower(e.State))),
  );
  if (broken) return "unhealthy";
  if (!up) return "pending";
  if (states.some((s) => s === "initial")) return "pending";
  if (states.some((s) => s !== "healthy") || dirs.some((d) => d.targetGroups.some((t) => t.health?.length === 0))) return "unhealthy";
  return "available";
}

export function summarise(parts: StackParts): StackSummary {
  const resources: StackResource[] = [];
  for (const d of parts.directions) {
    for (const lb of d.nlbs) {
      resources.push({
        type: "network load balancer",
        id: lb.LoadBalancerName!,
        owned: true,
        ...(lb.State?.Code ? { state: lb.State.Code } : {}),
        detail: `${d.direction}, internal in ${lb.VpcId}; ${lb.LoadBalancerArn}`,
      });
    }
    for (const l of d.listeners) {
      const tg = d.targetGroups.find((t) => forwardsTo(l, t.tg.TargetGroupArn));
      resources.push({
        type: "listener",
        id: listenerId(lbNameOf(d, l.LoadBalancerArn), l),
        owned: true,
        detail: `${d.direction}, ${l.Protocol} ${l.Port}${tg ? ` -> ${tg.tg.TargetGroupName}` : ""}; ${l.ListenerArn}`,
      });
    }
    for (const { tg, health } of d.targetGroups) {
      const targets = targetsText(health);
      resources.push({
        type: "target group",
        id: tg.TargetGroupName!,
        owned: true,
        detail: `${d.direction}, ${tg.Protocol} ${tg.Port}${targets ? `, ${targets}` : ""}; ${tg.TargetGroupArn}`,
      });
    }
    for (const s of d.services) {
      resources.push({
        type: "endpoint service",
        id: s.ServiceId!,
        owned: true,
        ...(s.ServiceState ? { state: s.ServiceState } : {}),
        detail: `${d.direction}, ${s.ServiceName}`,
      });
    }
    for (const e of d.endpoints) {
      resources.push({
        type: "interface endpoint",
        id: e.VpcEndpointId!,
        owned: true,
        ...(e.State ? { state: e.State } : {}),
        detail: `${d.direction}, in ${e.VpcId}`,
      });
    }
    for (const g of d.securityGroups) {
      resources.push({ type: "security group", id: g.GroupId!, owned: true, detail: `${d.direction}, ${g.GroupName} in ${g.VpcId}: ${permissionsText(g)}` });
    }
  }
  const ownGroups = new Set(parts.directions.flatMap((d) => d.securityGroups.map((g) => g.GroupId!)));
  for (const r of parts.rules.filter((r) => !ownGroups.has(r.groupId))) {
    resources.push({ type: "security group rule", id: r.ruleId, owned: true, detail: describeSgRule(r) });
  }
  for (const v of vpcsOf(parts)) resources.push({ type: "VPC", id: v.vpcId, owned: false, detail: `holds ${v.holds.join(", ")}` });
  return { stack: parts.stack, kind: KIND, state: stackState(parts), resources };
}
