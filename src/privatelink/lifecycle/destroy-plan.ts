/** The teardown plan of a privatelink stack: what it created, in dependency order; what it used, kept. */
import type { NetworkInterface, ServiceConfiguration } from "@aws-sdk/client-ec2";
import { listAll } from "../../aws/list.js";
import type { Context } from "../../core/context.js";
import type { PlanStep } from "../../core/plan.js";
import { keptStep, sgRevokeSteps } from "../../lifecycle/teardown.js";
import type { StackSummary } from "../../lifecycle/types.js";
import { describeEndpoint, listEndpointConnections, listEndpointServices, lower } from "../aws.js";
import { readStacks } from "./discover.js";
import { LIVE_CONNECTION, lbNameOf, listenerId, quietly, stackOf } from "./parts.js";
import { vpcsOf } from "./summary.js";

const ec2 = () => import("@aws-sdk/client-ec2");

/**
 * Interfaces other than `ownEnis` that use one of `groupIds` (to keep a group something else still
 * uses). An endpoint interface whose endpoint is already gone or going is not counted: it lingers for
 * a moment after its endpoint, and the group's delete waits for it (DependencyViolation is retried).
 */
async function interfacesUsing(ctx: Context, groupIds: string[], ownEnis: Set<string>): Promise<NetworkInterface[]> {
  if (groupIds.length === 0) return [];
  const { DescribeNetworkInterfacesCommand } = await ec2();
  const all = await listAll(
    ctx,
    "ec2",
    (NextToken) => new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "group-id", Values: groupIds }], NextToken }),
    (o) => o.NetworkInterfaces,
    (o) => o.NextToken,
  );
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

export async function destroySteps(ctx: Context, summary: StackSummary): Promise<{ steps: PlanStep[]; warnings: string[] }> {
  const stack = summary.stack;
  const parts = (await readStacks(ctx, stack, false)).get(stack) ?? { stack, directions: [], rules: [] };
  const dirs = parts.directions;
  const warnings: string[] = [];
  const endpoints = dirs.flatMap((d) => d.endpoints.map((e) => ({ d: d.direction, e })));
  const services = dirs.flatMap((d) => d.services.map((s) => ({ d: d.direction, s })));
  const nlbs = dirs.flatMap((d) => d.nlbs.map((lb) => ({ d: d.direction, lb })));
  const listeners = dirs.flatMap((d) => d.listeners.map((l) => ({ d: d.direction, l, lbName: lbNameOf(d, l.LoadBalancerArn) })));
  const tgs = dirs.flatMap((d) => d.targetGroups.map(({ tg }) => ({ d: d.direction, tg })));
  const groups = dirs.flatMap((d) => d.securityGroups.map((g) => ({ d: d.direction, g })));
  const ownEndpointIds = new Set(endpoints.map(({ e }) => e.VpcEndpointId!));

  // What would stop a delete for good: a service someone else put on the stack's load balancer, a
  // target group another load balancer uses, an interface that is not the stack's in its group.
  const ownServiceIds = new Set(services.map(({ s }) => s.ServiceId!));
  const foreignServices = nlbs.length ? (await allServices(ctx)).filter((s) => !ownServiceIds.has(s.ServiceId!) && stackOf(s.Tags) !== stack) : [];
  const keptLbs = new Map<string, ServiceConfiguration>();
  for (const { lb } of nlbs) {
    const other = foreignServices.find((s) => s.NetworkLoadBalancerArns?.includes(lb.LoadBalancerArn!));
    if (other) keptLbs.set(lb.LoadBalancerArn!, other);
  }
  const ownLbArns = new Set(nlbs.map(({ lb }) => lb.LoadBalancerArn!));
  const endpointEnis = new Set(endpoints.flatMap(({ e }) => e.NetworkInterfaceIds ?? []));
  const users = await interfacesUsing(
    ctx,
    groups.map(({ g }) => g.GroupId!),
    endpointEnis,
  );

  const steps: PlanStep[] = [];
  // 0. Rules the stack added to groups that stay (normally none: its rules are in its own groups, which go whole).
  const ownGroupIds = new Set(groups.map(({ g }) => g.GroupId!));
  const revokes = sgRevokeSteps(parts.rules.filter((r) => !ownGroupIds.has(r.groupId)));
  steps.push(...revokes);

  // 1. Interface endpoints; wait until gone (their interfaces go with them).
  const endpointSteps: string[] = [];
  for (const { d, e } of endpoints) {
    const id = `vpce-delete:${e.VpcEndpointId}`;
    endpointSteps.push(id);
    const deleting = lower(e.State) === "deleting";
    steps.push({
      id,
      type: "privatelink-endpoint-delete",
      action: "delete",
      resource: "interface endpoint",
      resourceId: e.VpcEndpointId!,
      owned: true,
      summary: `${d}: interface endpoint ${e.VpcEndpointId} in ${e.VpcId} (${e.State}${deleting ? ", already deleting" : ""}); wait until gone`,
      params: { direction: d, endpointId: e.VpcEndpointId, state: e.State },
      dependsOn: [],
    });
  }

  // 2. Endpoint services: connections of other endpoints rejected first; wait until gone.
  const serviceSteps: string[] = [];
  for (const { d, s } of services) {
    const id = `svc-delete:${s.ServiceId}`;
    serviceSteps.push(id);
    const others = (await quietly(() => listEndpointConnections(ctx, s.ServiceId!), [])).filter(
      (c) => LIVE_CONNECTION.includes(lower(c.VpcEndpointState)) && !ownEndpointIds.has(c.VpcEndpointId!),
    );
    if (others.length) {
      warnings.push(
        `${s.ServiceId} also serves endpoint${others.length > 1 ? "s" : ""} ${others.map((c) => `${c.VpcEndpointId} (account ${c.VpcEndpointOwner ?? "?"}, ${c.VpcEndpointState})`).join(", ")}, ` +
          `not created by this stack: ${others.length > 1 ? "their connections are" : "its connection is"} rejected before the service is deleted, which cuts ${others.length > 1 ? "them" : "it"} off.`,
      );
    }
    const deleting = lower(s.ServiceState) === "deleting";
    steps.push({
      id,
      type: "privatelink-service-delete",
      action: "delete",
      resource: "endpoint service",
      resourceId: s.ServiceId!,
      owned: true,
      summary: `${d}: endpoint service ${s.ServiceId} (${s.ServiceState}${deleting ? ", already deleting" : ""})${others.length ? `, rejecting ${others.length} other connection${others.length > 1 ? "s" : ""} first` : ""}; wait until gone`,
      params: { direction: d, serviceId: s.ServiceId, state: s.ServiceState },
      dependsOn: endpointSteps,
    });
  }

  // 3. Listeners, 4. load balancers (wait until gone), 5. target groups: unless someone else's service keeps the load balancer.
  const listenerSteps: string[] = [];
  for (const { d, l, lbName } of listeners) {
    const resourceId = listenerId(lbName, l);
    if (keptLbs.has(l.LoadBalancerArn!)) {
      steps.push(keptStep("listener", resourceId, `its load balancer is kept (see the warnings)`, true));
      continue;
    }
    const id = `listener-delete:${resourceId}`;
    listenerSteps.push(id);
    steps.push({
      id,
      type: "privatelink-listener-delete",
      action: "delete",
      resource: "listener",
      resourceId,
      owned: true,
      summary: `${d}: listener ${l.Protocol} ${l.Port} on ${lbName}`,
      params: { direction: d, listenerArn: l.ListenerArn },
      dependsOn: serviceSteps,
    });
  }
  const nlbSteps: string[] = [];
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
    nlbSteps.push(id);
    steps.push({
      id,
      type: "privatelink-nlb-delete",
      action: "delete",
      resource: "network load balancer",
      resourceId: lb.LoadBalancerName!,
      owned: true,
      summary: `${d}: network load balancer ${lb.LoadBalancerName} (${lb.State?.Code ?? "unknown"}) in ${lb.VpcId}; wait until gone`,
      params: { direction: d, name: lb.LoadBalancerName, arn: lb.LoadBalancerArn },
      dependsOn: [...serviceSteps, ...listenerSteps],
    });
  }
  const tgSteps: string[] = [];
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
    tgSteps.push(id);
    steps.push({
      id,
      type: "privatelink-tg-delete",
      action: "delete",
      resource: "target group",
      resourceId: tg.TargetGroupName!,
      owned: true,
      summary: `${d}: target group ${tg.TargetGroupName} (TCP ${tg.Port})`,
      params: { direction: d, name: tg.TargetGroupName, arn: tg.TargetGroupArn },
      dependsOn: [...nlbSteps, ...listenerSteps],
    });
  }

  // 6. Security groups, last: an endpoint's interfaces hold its group until they are gone.
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
    steps.push({
      id: `sg-delete:${g.GroupId}`,
      type: "privatelink-sg-delete",
      action: "delete",
      resource: "security group",
      resourceId: g.GroupId!,
      owned: true,
      summary: `${d}: security group ${g.GroupId} (${g.GroupName}) in ${g.VpcId}`,
      params: { direction: d, groupId: g.GroupId },
      dependsOn: [...revokes.map((r) => r.id), ...endpointSteps, ...serviceSteps, ...listenerSteps, ...nlbSteps, ...tgSteps],
    });
  }

  // What the stack used but did not create.
  for (const v of vpcsOf(parts)) steps.push(keptStep("VPC", v.vpcId, `not created by this stack (it holds ${v.holds.join(", ")})`));
  return { steps, warnings };
}
