/** The teardown plan of a privatelink stack: what it created, in dependency order; what it used, kept. */
import type { NetworkInterface, SecurityGroup, ServiceConfiguration, VpcEndpoint, VpcEndpointConnection } from "@aws-sdk/client-ec2";
import type { Listener, LoadBalancer, TargetGroup } from "@aws-sdk/client-elastic-load-balancing-v2";
import { isUnsupportedOperation } from "../../aws/errors.js";
import { listAll } from "../../aws/list.js";
import type { Context } from "../../core/context.js";
import type { PlanStep } from "../../core/plan.js";
import { keptStep, sgRevokeSteps } from "../../lifecycle/teardown.js";
import type { StackSummary } from "../../lifecycle/types.js";
import { describeEndpoint, listEndpointConnections, listEndpointServices, lower } from "../aws.js";
import type { Direction } from "../names.js";
import { readStacks } from "./discover.js";
import { LIVE_CONNECTION, lbNameOf, listenerId, quietly, type StackParts, stackOf } from "./parts.js";
import { vpcsOf } from "./summary.js";

const ec2 = () => import("@aws-sdk/client-ec2");

/**
 * Interfaces other than `ownEnis` that use one of `groupIds` (to keep a group something else still
 * uses). An endpoint interface whose endpoint is already gone or going is not counted: it lingers for
 * a moment after its endpoint, and the group's delete waits for it (DependencyViolation is retried).
 */
async function interfacesUsing(ctx: Context, groupIds: string[], ownEnis: Set<string>): Promise<NetworkInterface[]> {
  if (groupIds.length === 0) return [];
  const { paginateDescribeNetworkInterfaces } = await ec2();
  const all = await listAll(ctx, "ec2", paginateDescribeNetworkInterfaces, { Filters: [{ Name: "group-id", Values: groupIds }] }, (o) => o.NetworkInterfaces);
  const users: NetworkInterface[] = [];
  for (const e of all.filter((x) => x.Groups?.some((g) => groupIds.includes(g.GroupId!)) && !ownEnis.has(x.NetworkInterfaceId!))) {
    const endpointId = e.InterfaceType === "vpc_endpoint" ? /\b(vpce-[0-9a-f]+)\b/.exec(e.Description ?? "")?.[1] : undefined;
    if (endpointId) {
      const endpoint = await quietly(() => describeEndpoint(ctx, endpointId), undefined);
      if (!endpoint || ["deleting", "deleted"].includes(lower(endpoint.State))) continue;
    }
    users.push(e);
  }
  return users;
}

/** Every live endpoint service of the Region (to find one someone else put on the stack's load balancer). */
async function allServices(ctx: Context): Promise<ServiceConfiguration[]> {
  return (await listEndpointServices(ctx)).filter((s) => !["deleted", "deleting"].includes(lower(s.ServiceState)));
}

/** What destroy reads: the stack's resources, and what else uses them. */
export interface TeardownFacts {
  parts: StackParts;
  /** Live endpoint services of the Region that are not the stack's (one may sit on the stack's load balancer). */
  foreignServices: ServiceConfiguration[];
  /** Interfaces other than the stack's endpoints' that use the stack's security groups. */
  groupUsers: NetworkInterface[];
  /**
   * Per service of the stack: the live connections of endpoints it did not create, or why they could
   * not be listed (an endpoint without DescribeVpcEndpointConnections, as some emulators are).
   */
  connections: Map<string, { others: VpcEndpointConnection[] } | { unlisted: string }>;
}

/** All reads of a privatelink teardown. */
export async function observeTeardown(ctx: Context, stack: string): Promise<TeardownFacts> {
  const parts = (await readStacks(ctx, stack, false)).get(stack) ?? { stack, directions: [], rules: [] };
  const dirs = parts.directions;
  const ownEndpointIds = new Set(dirs.flatMap((d) => d.endpoints.map((e) => e.VpcEndpointId!)));
  const ownServiceIds = new Set(dirs.flatMap((d) => d.services.map((s) => s.ServiceId!)));
  const hasNlb = dirs.some((d) => d.nlbs.length > 0);
  const foreignServices = hasNlb ? (await allServices(ctx)).filter((s) => !ownServiceIds.has(s.ServiceId!) && stackOf(s.Tags) !== stack) : [];
  const groupUsers = await interfacesUsing(
    ctx,
    dirs.flatMap((d) => d.securityGroups.map((g) => g.GroupId!)),
    new Set(dirs.flatMap((d) => d.endpoints.flatMap((e) => e.NetworkInterfaceIds ?? []))),
  );
  const connections: TeardownFacts["connections"] = new Map();
  for (const id of ownServiceIds) connections.set(id, await otherConnections(ctx, id, ownEndpointIds));
  return { parts, foreignServices, groupUsers, connections };
}

/** The live connections of endpoints the stack did not create; an endpoint that cannot list them says why instead. */
async function otherConnections(ctx: Context, serviceId: string, own: Set<string>): Promise<{ others: VpcEndpointConnection[] } | { unlisted: string }> {
  try {
    const all = await quietly(() => listEndpointConnections(ctx, serviceId), []);
    return { others: all.filter((c) => LIVE_CONNECTION.includes(lower(c.VpcEndpointState)) && !own.has(c.VpcEndpointId!)) };
  } catch (error) {
    if (!isUnsupportedOperation(error)) throw error;
    return { unlisted: (error as Error).message };
  }
}

export async function destroySteps(ctx: Context, summary: StackSummary): Promise<{ steps: PlanStep[]; warnings: string[] }> {
  return decideTeardown(await observeTeardown(ctx, summary.stack));
}

/** One kind of resource's delete steps: the step ids later kinds wait for. */
interface Deletes {
  steps: PlanStep[];
  ids: string[];
}

/**
 * The teardown, in order: rules the stack added to groups that stay -> interface endpoints -> endpoint
 * services -> listeners -> load balancers -> target groups -> security groups; then the VPCs it used, kept.
 * Pure: tests drive it without AWS.
 */
export function decideTeardown(facts: TeardownFacts): { steps: PlanStep[]; warnings: string[] } {
  const { parts } = facts;
  const dirs = parts.directions;
  const warnings: string[] = [];
  const nlbs = dirs.flatMap((d) => d.nlbs.map((lb) => ({ d: d.direction, lb })));
  const groups = dirs.flatMap((d) => d.securityGroups.map((g) => ({ d: d.direction, g })));
  // A service someone else put on one of the stack's load balancers keeps that load balancer.
  const keptLbs = new Map<string, ServiceConfiguration>();
  for (const { lb } of nlbs) {
    const other = facts.foreignServices.find((s) => s.NetworkLoadBalancerArns?.includes(lb.LoadBalancerArn!));
    if (other) keptLbs.set(lb.LoadBalancerArn!, other);
  }

  // Rules the stack added to groups that stay (normally none: its rules are in its own groups, which go whole).
  const ownGroupIds = new Set(groups.map(({ g }) => g.GroupId!));
  const revokes = sgRevokeSteps(parts.rules.filter((r) => !ownGroupIds.has(r.groupId)));
  const endpoints = endpointDeletes(dirs.flatMap((d) => d.endpoints.map((e) => ({ d: d.direction, e }))));
  const services = serviceDeletes(
    dirs.flatMap((d) => d.services.map((s) => ({ d: d.direction, s }))),
    facts.connections,
    endpoints.ids,
    warnings,
  );
  const listeners = listenerDeletes(
    dirs.flatMap((d) => d.listeners.map((l) => ({ d: d.direction, l, lbName: lbNameOf(d, l.LoadBalancerArn) }))),
    keptLbs,
    services.ids,
  );
  const lbs = nlbDeletes(nlbs, keptLbs, [...services.ids, ...listeners.ids], warnings);
  const tgs = targetGroupDeletes(
    dirs.flatMap((d) => d.targetGroups.map(({ tg }) => ({ d: d.direction, tg }))),
    new Set(nlbs.map(({ lb }) => lb.LoadBalancerArn!)),
    keptLbs,
    [...lbs.ids, ...listeners.ids],
    warnings,
  );
  // Security groups last: an endpoint's interfaces hold its group until they are gone.
  const before = [...revokes.map((r) => r.id), ...endpoints.ids, ...services.ids, ...listeners.ids, ...lbs.ids, ...tgs.ids];
  const sgs = groupDeletes(groups, facts.groupUsers, before, warnings);
  // What the stack used but did not create.
  const kept = vpcsOf(parts).map((v) => keptStep("VPC", v.vpcId, `not created by this stack (it holds ${v.holds.join(", ")})`));
  return { steps: [...revokes, ...endpoints.steps, ...services.steps, ...listeners.steps, ...lbs.steps, ...tgs.steps, ...sgs.steps, ...kept], warnings };
}

/** Interface endpoints; wait until gone (their interfaces go with them). */
function endpointDeletes(endpoints: Array<{ d: Direction; e: VpcEndpoint }>): Deletes {
  const steps = endpoints.map(({ d, e }): PlanStep => {
    const deleting = lower(e.State) === "deleting";
    return {
      id: `vpce-delete:${e.VpcEndpointId}`,
      type: "privatelink-endpoint-delete",
      action: "delete",
      resource: "interface endpoint",
      resourceId: e.VpcEndpointId!,
      owned: true,
      summary: `${d}: interface endpoint ${e.VpcEndpointId} in ${e.VpcId} (${e.State}${deleting ? ", already deleting" : ""}); wait until gone`,
      params: { direction: d, endpointId: e.VpcEndpointId, state: e.State },
      dependsOn: [],
    };
  });
  return { steps, ids: steps.map((s) => s.id) };
}

/** Endpoint services: connections of other endpoints rejected first (when they can be listed); wait until gone. */
function serviceDeletes(
  services: Array<{ d: Direction; s: ServiceConfiguration }>,
  connections: TeardownFacts["connections"],
  after: string[],
  warnings: string[],
): Deletes {
  const steps = services.map(({ d, s }): PlanStep => {
    const found = connections.get(s.ServiceId!) ?? { others: [] };
    const others = "others" in found ? found.others : [];
    if (others.length) {
      warnings.push(
        `${s.ServiceId} also serves endpoint${others.length > 1 ? "s" : ""} ${others.map((c) => `${c.VpcEndpointId} (account ${c.VpcEndpointOwner ?? "?"}, ${c.VpcEndpointState})`).join(", ")}, ` +
          `not created by this stack: ${others.length > 1 ? "their connections are" : "its connection is"} rejected before the service is deleted, which cuts ${others.length > 1 ? "them" : "it"} off.`,
      );
    }
    if ("unlisted" in found) {
      warnings.push(
        `The connections to ${s.ServiceId} could not be listed (${found.unlisted}); endpoints of other accounts on it are neither shown nor rejected. ` +
          `If the service is not deleted (ExistingVpcEndpointConnections), reject them (aws ec2 reject-vpc-endpoint-connections --service-id ${s.ServiceId} --vpc-endpoint-ids ...) and run this destroy again.`,
      );
    }
    const deleting = lower(s.ServiceState) === "deleting";
    return {
      id: `svc-delete:${s.ServiceId}`,
      type: "privatelink-service-delete",
      action: "delete",
      resource: "endpoint service",
      resourceId: s.ServiceId!,
      owned: true,
      summary: `${d}: endpoint service ${s.ServiceId} (${s.ServiceState}${deleting ? ", already deleting" : ""})${others.length ? `, rejecting ${others.length} other connection${others.length > 1 ? "s" : ""} first` : ""}; wait until gone`,
      // The runner rejects what is still connected only where the endpoint can list it.
      params: { direction: d, serviceId: s.ServiceId, state: s.ServiceState, listConnections: !("unlisted" in found) },
      dependsOn: after,
    };
  });
  return { steps, ids: steps.map((s) => s.id) };
}

/** Listeners, unless someone else's service keeps their load balancer. */
function listenerDeletes(listeners: Array<{ d: Direction; l: Listener; lbName: string | undefined }>, keptLbs: Map<string, unknown>, after: string[]): Deletes {
  const steps: PlanStep[] = [];
  const ids: string[] = [];
  for (const { d, l, lbName } of listeners) {
    const resourceId = listenerId(lbName, l);
    if (keptLbs.has(l.LoadBalancerArn!)) {
      steps.push(keptStep("listener", resourceId, `its load balancer is kept (see the warnings)`, true));
      continue;
    }
    const id = `listener-delete:${resourceId}`;
    ids.push(id);
    steps.push({
      id,
      type: "privatelink-listener-delete",
      action: "delete",
      resource: "listener",
      resourceId,
      owned: true,
      summary: `${d}: listener ${l.Protocol} ${l.Port} on ${lbName}`,
      params: { direction: d, listenerArn: l.ListenerArn },
      dependsOn: after,
    });
  }
  return { steps, ids };
}

/** Load balancers (wait until gone), unless an endpoint service the stack did not create still uses one. */
function nlbDeletes(nlbs: Array<{ d: Direction; lb: LoadBalancer }>, keptLbs: Map<string, ServiceConfiguration>, after: string[], warnings: string[]): Deletes {
  const steps: PlanStep[] = [];
  const ids: string[] = [];
  for (const { d, lb } of nlbs) {
    const other = keptLbs.get(lb.LoadBalancerArn!);
    if (other) {
      steps.push(
        keptStep("network load balancer", lb.LoadBalancerName!, `still used by endpoint service ${other.ServiceId}, which this stack did not create`, true),
      );
      steps.push(keptStep("endpoint service", other.ServiceId!, "not created by this stack"));
      warnings.push(
        `${lb.LoadBalancerName} was created by this stack but is kept with its listeners and target groups: endpoint service ${other.ServiceId} (${other.ServiceName}), ` +
          `which this stack did not create, uses it, and AWS does not delete a load balancer in use. Delete that service ` +
          `(aws ec2 delete-vpc-endpoint-service-configurations --service-ids ${other.ServiceId}) if it is no longer needed, then run this destroy again.`,
      );
      continue;
    }
    const id = `nlb-delete:${lb.LoadBalancerName}`;
    ids.push(id);
    steps.push({
      id,
      type: "privatelink-nlb-delete",
      action: "delete",
      resource: "network load balancer",
      resourceId: lb.LoadBalancerName!,
      owned: true,
      summary: `${d}: network load balancer ${lb.LoadBalancerName} (${lb.State?.Code ?? "unknown"}) in ${lb.VpcId}; wait until gone`,
      params: { direction: d, name: lb.LoadBalancerName, arn: lb.LoadBalancerArn },
      dependsOn: after,
    });
  }
  return { steps, ids };
}

/** Target groups, unless a load balancer that stays forwards to one. */
function targetGroupDeletes(
  tgs: Array<{ d: Direction; tg: TargetGroup }>,
  ownLbArns: Set<string>,
  keptLbs: Map<string, unknown>,
  after: string[],
  warnings: string[],
): Deletes {
  const steps: PlanStep[] = [];
  const ids: string[] = [];
  for (const { d, tg } of tgs) {
    const usedBy = (tg.LoadBalancerArns ?? []).filter((a) => !ownLbArns.has(a));
    const keptBy = (tg.LoadBalancerArns ?? []).find((a) => keptLbs.has(a));
    if (usedBy.length || keptBy) {
      steps.push(keptStep("target group", tg.TargetGroupName!, `still used by load balancer ${(usedBy[0] ?? keptBy)!.split("/").slice(-2, -1)[0]}`, true));
      if (usedBy.length) {
        warnings.push(
          `${tg.TargetGroupName} was created by this stack but is kept: load balancer ${usedBy.join(", ")}, not this stack's, forwards to it. Remove that listener, then run this destroy again.`,
        );
      }
      continue;
    }
    const id = `tg-delete:${tg.TargetGroupName}`;
    ids.push(id);
    steps.push({
      id,
      type: "privatelink-tg-delete",
      action: "delete",
      resource: "target group",
      resourceId: tg.TargetGroupName!,
      owned: true,
      summary: `${d}: target group ${tg.TargetGroupName} (TCP ${tg.Port})`,
      params: { direction: d, name: tg.TargetGroupName, arn: tg.TargetGroupArn },
      dependsOn: after,
    });
  }
  return { steps, ids };
}

/** Security groups, last; one that an interface not the stack's still uses is kept, with what to do. */
function groupDeletes(groups: Array<{ d: Direction; g: SecurityGroup }>, users: NetworkInterface[], after: string[], warnings: string[]): Deletes {
  const steps: PlanStep[] = [];
  const ids: string[] = [];
  for (const { d, g } of groups) {
    const inUse = users.filter((e) => e.Groups?.some((x) => x.GroupId === g.GroupId));
    if (inUse.length) {
      const who = inUse
        .map((e) => `${e.NetworkInterfaceId}${e.Attachment?.InstanceId ? ` (${e.Attachment.InstanceId})` : e.Description ? ` (${e.Description})` : ""}`)
        .join(", ");
      steps.push(keptStep("security group", g.GroupId!, `still used by ${who}`, true));
      warnings.push(
        `${g.GroupId} (${g.GroupName}) was created by this stack but is kept: ${who} ${inUse.length > 1 ? "use" : "uses"} it, and AWS does not delete a group in use. ` +
          `Take it off ${inUse.length > 1 ? "those interfaces" : "that interface"}, then run this destroy again.`,
      );
      continue;
    }
    const id = `sg-delete:${g.GroupId}`;
    ids.push(id);
    steps.push({
      id,
      type: "privatelink-sg-delete",
      action: "delete",
      resource: "security group",
      resourceId: g.GroupId!,
      owned: true,
      summary: `${d}: security group ${g.GroupId} (${g.GroupName}) in ${g.VpcId}`,
      params: { direction: d, groupId: g.GroupId },
      dependsOn: after,
    });
  }
  return { steps, ids };
}
