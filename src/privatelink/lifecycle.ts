/**
 * `list`, `status` and `destroy` for PrivateLink relay stacks (`privatelink relay`).
 *
 * What a privatelink stack holds, per direction: an internal Network Load Balancer with a listener
 * and a target group per port, an endpoint service on it, an interface endpoint in the other VPC and
 * that endpoint's security group. Everything is tagged at creation (`vpcwire:stack`, `vpcwire:kind`
 * privatelink, `vpcwire:role`). EC2 resources are found with tag filters; ELBv2 has no tag filter, so
 * load balancers and target groups are listed (by their deterministic names when the stack is known,
 * see names.ts) and their tags read with DescribeTags. Tags are checked on our side too, because some
 * emulators ignore Filters.
 *
 * The VPCs, subnets and the existing EC2 are reused, never created: destroy keeps them. It removes,
 * in order: interface endpoints (wait until gone) -> endpoint services (other endpoints' connections
 * rejected first; wait until gone) -> listeners -> load balancers (wait until gone) -> target groups
 * -> security groups (once the endpoints' interfaces are gone). Dependency errors are retried, and
 * what is already gone counts as done, so running destroy again after a failure finishes the job.
 */
import type { NetworkInterface, SecurityGroup, ServiceConfiguration, VpcEndpoint } from "@aws-sdk/client-ec2";
import type { Listener, LoadBalancer, TargetGroup, TargetHealthDescription } from "@aws-sdk/client-elastic-load-balancing-v2";
import { send } from "../aws/call.js";
import { awsCode, isNotFound } from "../aws/errors.js";
import { listAll } from "../aws/list.js";
import { describeSgRule, describeSgRules, type StackSgRule } from "../aws/sg-rules.js";
import { KIND_TAG, ROLE_TAG, STACK_TAG, tagValue } from "../aws/tags.js";
import type { Journal, StepRunner } from "../core/apply.js";
import type { Context } from "../core/context.js";
import { AwsError } from "../core/errors.js";
import type { PlanStep } from "../core/plan.js";
import { dependencyVerdict, retryWhileBlocked, untilDone } from "../core/wait.js";
import { DESTROY_TIMEOUT_MS, deletedOutcome, keptStep, sgRevokeSteps, teardownRunners } from "../lifecycle/teardown.js";
import type { KindLifecycle, StackResource, StackSummary, StatusLine, StatusReport, StatusSection } from "../lifecycle/types.js";
import {
  describeEndpoint,
  describeEndpointService,
  describeLoadBalancer,
  type EndpointAddress,
  elbTags,
  endpointAddresses,
  findInterfacesWithIp,
  findLoadBalancer,
  listEndpointConnections,
  listEndpointServices,
  listListeners,
  listLoadBalancers,
  listTargetGroups,
  lower,
  targetHealth,
} from "./aws.js";
import { explainTargetHealth } from "./health.js";
import { DIRECTIONS, type Direction, nlbName, RELAY_IP_TAG, RELAY_MODE_TAG, role, targetGroupName } from "./names.js";

const ec2 = () => import("@aws-sdk/client-ec2");
const elb = () => import("@aws-sdk/client-elastic-load-balancing-v2");

type Tags = Array<{ Key?: string; Value?: string }> | undefined;

const KIND = "privatelink";
/** Endpoint (connection) states in which an endpoint still uses its service, lowercased. */
const LIVE_CONNECTION = ["pendingacceptance", "pending", "available"];

/** The stack a privatelink resource belongs to, from its tags (undefined for another kind's or an untagged one). */
const stackOf = (tags: Tags): string | undefined => (tagValue(tags, KIND_TAG) === KIND ? tagValue(tags, STACK_TAG) : undefined);

/** The direction a resource serves, from its role tag (`nlb-inbound`, `tg-outbound-80`, `vpce-inbound`...). */
function directionOf(tags: Tags): Direction | undefined {
  const r = tagValue(tags, ROLE_TAG) ?? "";
  return DIRECTIONS.find(
    (d) =>
      r === role.nlb(d) ||
      r === role.service(d) ||
      r === role.endpoint(d) ||
      r === role.securityGroup(d) ||
      r.startsWith(`tg-${d}-`) ||
      r.startsWith(`listener-${d}-`),
  );
}

/** One direction of a stack as it is in AWS now. */
interface DirectionParts {
  direction: Direction;
  nlbs: LoadBalancer[];
  listeners: Listener[];
  targetGroups: Array<{ tg: TargetGroup; health?: TargetHealthDescription[] }>;
  services: ServiceConfiguration[];
  endpoints: VpcEndpoint[];
  securityGroups: SecurityGroup[];
}

interface StackParts {
  stack: string;
  /** The directions with at least one resource, inbound first. */
  directions: DirectionParts[];
  /** Rules the stack added (normally all in its own groups, which go with the group). */
  rules: StackSgRule[];
}

const emptyDirection = (direction: Direction): DirectionParts => ({
  direction,
  nlbs: [],
  listeners: [],
  targetGroups: [],
  services: [],
  endpoints: [],
  securityGroups: [],
});

const isEmpty = (d: DirectionParts) =>
  d.nlbs.length + d.listeners.length + d.targetGroups.length + d.services.length + d.endpoints.length + d.securityGroups.length === 0;

/**
 * Read every privatelink stack of the Region, or only `only`. With `health`, each target group's
 * target health too (list and status show it; destroy does not need it).
 */
async function readStacks(ctx: Context, only: string | undefined, health: boolean): Promise<Map<string, StackParts>> {
  const m = await ec2();
  const filters = [{ Name: `tag:${KIND_TAG}`, Values: [KIND] }, ...(only ? [{ Name: `tag:${STACK_TAG}`, Values: [only] }] : [])];
  const mine = (tags: Tags): string | undefined => {
    const s = stackOf(tags);
    return s !== undefined && (!only || s === only) ? s : undefined;
  };
  const [services, endpoints, groups, rules, elbParts] = await Promise.all([
    listEndpointServices(ctx, filters),
    listAll(ctx, "ec2", m.paginateDescribeVpcEndpoints, { Filters: filters }, (o) => o.VpcEndpoints),
    listAll(ctx, "ec2", m.paginateDescribeSecurityGroups, { Filters: filters }, (o) => o.SecurityGroups),
    describeSgRules(ctx, filters),
    readElb(ctx, only, mine, health),
  ]);

  const stacks = new Map<string, Map<Direction, DirectionParts>>();
  const ruleLists = new Map<string, StackSgRule[]>();
  const slot = (stack: string, tags: Tags, fallback: Direction = "inbound"): DirectionParts => {
    let dirs = stacks.get(stack);
    if (!dirs) {
      dirs = new Map(DIRECTIONS.map((d) => [d, emptyDirection(d)]));
      stacks.set(stack, dirs);
    }
    return dirs.get(directionOf(tags) ?? fallback)!;
  };
  for (const s of services) {
    const stack = mine(s.Tags);
    if (stack && lower(s.ServiceState) !== "deleted") slot(stack, s.Tags).services.push(s);
  }
  for (const e of endpoints) {
    const stack = mine(e.Tags);
    if (stack && lower(e.State) !== "deleted") slot(stack, e.Tags).endpoints.push(e);
  }
  for (const g of groups) {
    const stack = mine(g.Tags);
    if (stack) slot(stack, g.Tags).securityGroups.push(g);
  }
  for (const r of rules) {
    const stack = mine(r.Tags);
    if (!stack || r.IsEgress || !r.SecurityGroupRuleId || !r.GroupId) continue;
    if (!ruleLists.has(stack)) ruleLists.set(stack, []);
    ruleLists.get(stack)!.push({
      ruleId: r.SecurityGroupRuleId,
      groupId: r.GroupId,
      protocol: r.IpProtocol ?? "-1",
      fromPort: r.FromPort ?? -1,
      toPort: r.ToPort ?? -1,
      cidr: r.CidrIpv4 ?? r.CidrIpv6 ?? "",
      ...(r.Description ? { description: r.Description } : {}),
    });
  }
  for (const { lb, tags, listeners } of elbParts.lbs) {
    const d = slot(
      stackOf(tags)!,
      tags,
      DIRECTIONS.find((x) => lb.LoadBalancerName === nlbName(stackOf(tags)!, x)),
    );
    d.nlbs.push(lb);
    d.listeners.push(...listeners);
  }
  for (const { tg, tags, health: h } of elbParts.tgs) {
    const stack = stackOf(tags)!;
    slot(
      stack,
      tags,
      DIRECTIONS.find((x) => tg.TargetGroupName?.startsWith(tgPrefix(stack, x))),
    ).targetGroups.push({ tg, ...(h ? { health: h } : {}) });
  }
  // A stack with only rules left (its groups are someone else's) still shows up.
  for (const stack of ruleLists.keys()) if (!stacks.has(stack)) stacks.set(stack, new Map(DIRECTIONS.map((d) => [d, emptyDirection(d)])));

  const out = new Map<string, StackParts>();
  for (const stack of [...stacks.keys()].sort()) {
    const dirs = DIRECTIONS.map((d) => stacks.get(stack)!.get(d)!).filter((d) => !isEmpty(d));
    for (const d of dirs) d.targetGroups.sort((a, b) => (a.tg.Port ?? 0) - (b.tg.Port ?? 0));
    out.set(stack, { stack, directions: dirs, rules: ruleLists.get(stack) ?? [] });
  }
  return out;
}

/** `<base>-in-`: every target group name of the direction starts with it, followed by the port. */
function tgPrefix(stack: string, d: Direction): string {
  return targetGroupName(stack, d, 1).slice(0, -1);
}

/**
 * The stack's load balancers (with their listeners) and target groups. A known stack's load
 * balancers are looked up by name; otherwise every network load balancer is a candidate. Target
 * groups are always listed (one behind no listener, left by a half-finished run, is found no other
 * way), narrowed by name for a known stack. DescribeTags says whose each one is.
 */
async function readElb(
  ctx: Context,
  only: string | undefined,
  mine: (tags: Tags) => string | undefined,
  health: boolean,
): Promise<{
  lbs: Array<{ lb: LoadBalancer; tags: Tags; listeners: Listener[] }>;
  tgs: Array<{ tg: TargetGroup; tags: Tags; health?: TargetHealthDescription[] }>;
}> {
  let lbs: LoadBalancer[];
  let allTgs: TargetGroup[];
  try {
    [lbs, allTgs] = await Promise.all([
      only
        ? Promise.all(DIRECTIONS.map((d) => findLoadBalancer(ctx, nlbName(only, d)))).then((l) => l.filter((x): x is LoadBalancer => Boolean(x)))
        : listLoadBalancers(ctx).then((l) => l.filter((x) => x.Type === "network")),
      listTargetGroups(ctx),
    ]);
  } catch (error) {
    // `list` still shows what EC2 says; status and destroy of a stack need the load balancers.
    if (only || !degradable(error)) throw error;
    ctx.io.warn(
      `Could not read load balancers (${awsCode(error)}: ${(error as Error).message}); privatelink stacks are shown through their endpoint services, endpoints and security groups only.`,
    );
    return { lbs: [], tgs: [] };
  }
  const prefixes = only ? DIRECTIONS.map((d) => tgPrefix(only, d)) : undefined;
  const tgs = allTgs.filter((t) => !prefixes || prefixes.some((p) => t.TargetGroupName?.startsWith(p) && /^\d+$/.test(t.TargetGroupName.slice(p.length))));
  const arns = [...lbs.map((l) => l.LoadBalancerArn!), ...tgs.map((t) => t.TargetGroupArn!)].filter(Boolean);
  const tags = arns.length ? await elbTags(ctx, arns) : new Map<string, Tags>();
  const ownLbs = lbs.filter((l) => mine(tags.get(l.LoadBalancerArn!)));
  const ownTgs = tgs.filter((t) => mine(tags.get(t.TargetGroupArn!)));
  const withListeners = await Promise.all(
    ownLbs.map(async (lb) => ({ lb, tags: tags.get(lb.LoadBalancerArn!), listeners: await quietly(() => listListeners(ctx, lb.LoadBalancerArn!), []) })),
  );
  const withHealth = await Promise.all(
    ownTgs.map(async (tg) => ({
      tg,
      tags: tags.get(tg.TargetGroupArn!),
      ...(health ? { health: await quietly(() => targetHealth(ctx, tg.TargetGroupArn!), []) } : {}),
    })),
  );
  return { lbs: withListeners, tgs: withHealth };
}

/** An AWS refusal `list` can live with (a principal without ELBv2 or PrivateLink reads, an emulator without them). */
function degradable(error: unknown): boolean {
  return error instanceof AwsError && error.details.code !== "CredentialsError" && error.details.code !== "RegionMissing";
}

/** A read of something that may have gone meanwhile (another destroy running): gone reads as `fallback`. */
async function quietly<T>(read: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (isNotFound(error)) return fallback;
    throw error;
  }
}

// --- list ----------------------------------------------------------------------------------------

const listenerId = (lbName: string | undefined, l: Listener) => `${lbName ?? "?"}:${l.Protocol ?? "TCP"}:${l.Port}`;
const lbNameOf = (dir: DirectionParts, arn: string | undefined) => dir.nlbs.find((lb) => lb.LoadBalancerArn === arn)?.LoadBalancerName;

/** The targets of a group as `192.168.0.10:443 healthy`. */
function targetsText(health: TargetHealthDescription[] | undefined): string {
  if (!health) return "";
  if (health.length === 0) return "no target";
  return health.map((t) => `${t.Target?.Id}:${t.Target?.Port} ${t.TargetHealth?.State ?? "unknown"}`).join(", ");
}

/** The VPCs a stack's resources are in: reused, never created (list shows them, destroy keeps them). */
function vpcsOf(parts: StackParts): Array<{ vpcId: string; holds: string[] }> {
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

function summarise(parts: StackParts): StackSummary {
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

/** What a group lets in, as `tcp 80,443 from 10.0.0.0/8, 172.16.0.0/12`. */
function permissionsText(g: SecurityGroup): string {
  const perms = g.IpPermissions ?? [];
  if (perms.length === 0) return "allows nothing in";
  const ports = [...new Set(perms.map((p) => (p.IpProtocol === "-1" ? "all" : p.FromPort === p.ToPort ? String(p.FromPort) : `${p.FromPort}-${p.ToPort}`)))];
  const protocols = [...new Set(perms.map((p) => (p.IpProtocol === "-1" ? "all traffic" : p.IpProtocol)))];
  const sources = [...new Set(perms.flatMap((p) => [...(p.IpRanges ?? []).map((r) => r.CidrIp), ...(p.UserIdGroupPairs ?? []).map((u) => u.GroupId)]))];
  return `allows ${protocols.join("/")} ${ports.join(",")} from ${sources.join(", ")}`;
}

const forwardsTo = (l: Listener, tgArn: string | undefined) =>
  Boolean(tgArn) && (l.DefaultActions ?? []).some((a) => a.TargetGroupArn === tgArn || a.ForwardConfig?.TargetGroups?.some((t) => t.TargetGroupArn === tgArn));

async function discover(ctx: Context, stack?: string): Promise<StackSummary[]> {
  let stacks: Map<string, StackParts>;
  try {
    stacks = await readStacks(ctx, stack, true);
  } catch (error) {
    if (stack || !degradable(error)) throw error;
    ctx.io.warn(`Could not read PrivateLink resources (${awsCode(error)}: ${(error as Error).message}); privatelink stacks are not listed.`);
    return [];
  }
  return [...stacks.values()].map(summarise).filter((s) => s.resources.some((r) => r.owned));
}

// --- status --------------------------------------------------------------------------------------

/** CIDRs of a load balancer's subnets (ids when they cannot be read): the source its targets see. */
async function subnetCidrs(ctx: Context, lb: LoadBalancer | undefined): Promise<string[]> {
  const ids = (lb?.AvailabilityZones ?? []).map((z) => z.SubnetId!).filter(Boolean);
  if (ids.length === 0) return [];
  const { DescribeSubnetsCommand } = await ec2();
  const subnets = await quietly(async () => (await send(ctx, "ec2", new DescribeSubnetsCommand({ SubnetIds: ids }))).Subnets ?? [], []);
  return ids.map((id) => subnets.find((s) => s.SubnetId === id)?.CidrBlock ?? id);
}

const LB_STATE_WORDS: Record<string, string> = {
  provisioning: "still provisioning (a few minutes after creation)",
  active_impaired: "impaired: some of its nodes cannot route traffic",
  failed: "failed",
};

function endpointWords(e: VpcEndpoint, stack: string): string {
  const st = lower(e.State);
  if (st === "available") return "";
  if (st === "pendingacceptance") {
    return ": waiting for the endpoint service to accept it; run the same privatelink relay command again (it accepts its own endpoint)";
  }
  if (st === "pending") return ": still being created (a minute or two)";
  if (st === "deleting") return ": being deleted";
  const why = e.LastError?.Message ?? e.FailureReason ?? "AWS gave no reason";
  return `: ${why}; it will not carry traffic: remove the stack (vpcwire destroy --stack ${stack}) and create it again`;
}

interface DirectionStatus {
  section: StatusSection;
  data: Record<string, unknown>;
  complete: boolean;
}

async function directionStatus(ctx: Context, stack: string, dir: DirectionParts): Promise<DirectionStatus> {
  const d = dir.direction;
  const lines: StatusLine[] = [];
  const again = `run the same privatelink relay command again to finish it, or remove the stack (vpcwire destroy --stack ${stack})`;
  const lb = dir.nlbs[0];
  const data: Record<string, unknown> = {};

  // The load balancer.
  if (!lb) {
    lines.push({ ok: false, text: `no load balancer ${nlbName(stack, d)}: ${again}` });
  } else {
    const code = lower(lb.State?.Code);
    const nodes = (lb.AvailabilityZones ?? []).flatMap((z) =>
      (z.LoadBalancerAddresses ?? []).map((a) => `${a.PrivateIPv4Address ?? a.IpAddress} (${z.ZoneName})`),
    );
    const words = code === "active" ? "" : ` (${LB_STATE_WORDS[code] ?? "not active"}${lb.State?.Reason ? `: ${lb.State.Reason}` : ""})`;
    lines.push({
      ok: code === "active",
      text: `load balancer ${lb.LoadBalancerName}: ${lb.State?.Code ?? "unknown"}${words}, internal in ${lb.VpcId}${nodes.length ? `, nodes ${nodes.join(", ")}` : ""}`,
    });
    data.loadBalancer = {
      name: lb.LoadBalancerName,
      arn: lb.LoadBalancerArn,
      state: lb.State?.Code,
      vpcId: lb.VpcId,
      dnsName: lb.DNSName,
      addresses: (lb.AvailabilityZones ?? []).flatMap((z) =>
        (z.LoadBalancerAddresses ?? []).map((a) => ({ az: z.ZoneName, subnetId: z.SubnetId, ip: a.PrivateIPv4Address ?? a.IpAddress })),
      ),
    };
  }

  // Listeners, target groups and each target's health, in words.
  const cidrs = await subnetCidrs(ctx, lb);
  if (dir.targetGroups.length === 0) lines.push({ ok: false, text: `no target group: ${again}` });
  const groups: unknown[] = [];
  for (const { tg, health } of dir.targetGroups) {
    const listener = dir.listeners.find((l) => forwardsTo(l, tg.TargetGroupArn));
    if (!listener) lines.push({ ok: false, text: `target group ${tg.TargetGroupName} (TCP ${tg.Port}): no listener forwards to it: ${again}` });
    const targets = (health ?? []).map((t) => {
      const explanation = explainTargetHealth(d, { destinationIp: t.Target?.Id ?? "", sourceCidrs: cidrs }, t);
      const state = t.TargetHealth?.State ?? "unknown";
      const reason = t.TargetHealth?.Reason;
      lines.push({
        ok: lower(state) === "healthy",
        text: `target ${t.Target?.Id}:${t.Target?.Port} (${tg.TargetGroupName}${listener ? `, listener ${listener.Protocol} ${listener.Port}` : ""}): ${state}${reason ? ` (${reason})` : ""}${explanation ? `: ${explanation}` : ""}`,
      });
      return {
        ip: t.Target?.Id,
        port: t.Target?.Port,
        ...(t.Target?.AvailabilityZone ? { availabilityZone: t.Target.AvailabilityZone } : {}),
        state,
        ...(reason ? { reason } : {}),
        ...(t.TargetHealth?.Description ? { description: t.TargetHealth.Description } : {}),
        ...(explanation ? { explanation } : {}),
      };
    });
    if (health && health.length === 0) {
      lines.push({ ok: false, text: `target group ${tg.TargetGroupName} (TCP ${tg.Port}): no registered target: ${again}` });
    }
    groups.push({ name: tg.TargetGroupName, arn: tg.TargetGroupArn, port: tg.Port, listenerArn: listener?.ListenerArn ?? null, targets });
  }
  for (const l of dir.listeners.filter((l) => !dir.targetGroups.some((t) => forwardsTo(l, t.tg.TargetGroupArn)))) {
    lines.push({ ok: null, text: `listener ${l.Protocol} ${l.Port} on ${lbNameOf(dir, l.LoadBalancerArn)} forwards to a target group of no stack` });
  }
  data.targetGroups = groups;

  // The endpoint service.
  const svc = dir.services[0];
  if (!svc) {
    lines.push({ ok: false, text: `no endpoint service${lb ? ` on ${lb.LoadBalancerName}` : ""}: ${again}` });
  } else {
    const st = lower(svc.ServiceState);
    const words = st === "available" ? "" : st === "pending" ? " (being created)" : st === "deleting" ? " (being deleted)" : " (it cannot be used)";
    lines.push({
      ok: st === "available",
      text: `endpoint service ${svc.ServiceId}: ${svc.ServiceState}${words}, ${svc.ServiceName}, zones ${(svc.AvailabilityZones ?? []).join(", ") || "none"}${svc.AcceptanceRequired ? ", acceptance required" : ""}`,
    });
    data.endpointService = {
      id: svc.ServiceId,
      name: svc.ServiceName,
      state: svc.ServiceState,
      availabilityZones: svc.AvailabilityZones ?? [],
      acceptanceRequired: svc.AcceptanceRequired ?? false,
    };
  }

  // The interface endpoint and its addresses.
  const ep = dir.endpoints[0];
  let addresses: EndpointAddress[] = [];
  if (!ep) {
    lines.push({ ok: false, text: `no interface endpoint: ${again}` });
  } else {
    addresses = await endpointAddresses(ctx, ep).catch(() => []);
    const dns = ep.DnsEntries?.[0]?.DnsName;
    const ips = addresses.map((a) => `${a.ip} (${a.eniId}, ${a.az})`);
    lines.push({
      ok: lower(ep.State) === "available",
      text: `interface endpoint ${ep.VpcEndpointId}: ${ep.State}${endpointWords(ep, stack)}; in ${ep.VpcId}, ${ips.length ? `addresses ${ips.join(", ")}` : "addresses could not be read"}${dns ? `, DNS ${dns}` : ""}`,
    });
    data.endpoint = {
      id: ep.VpcEndpointId,
      state: ep.State,
      vpcId: ep.VpcId,
      serviceName: ep.ServiceName,
      addresses,
      ...(dns ? { dnsName: dns } : {}),
      securityGroupIds: (ep.Groups ?? []).map((g) => g.GroupId),
    };
  }

  // Where on-prem connects (inbound): the relay IP on the endpoint, on a NAT server, or the endpoint's own addresses.
  if (d === "inbound" && ep) {
    const placement = await relayPlacement(ctx, ep, addresses);
    lines.push(placement.line);
    data.relay = placement.data;
  }

  for (const g of dir.securityGroups) lines.push({ ok: null, text: `security group ${g.GroupId} (${g.GroupName}) ${permissionsText(g)}` });
  data.securityGroups = dir.securityGroups.map((g) => ({ id: g.GroupId, name: g.GroupName, vpcId: g.VpcId }));

  const destinations = [...new Set(dir.targetGroups.flatMap((t) => (t.health ?? []).map((h) => h.Target?.Id)).filter(Boolean))];
  const ports = dir.targetGroups.map((t) => t.tg.Port);
  const who = d === "inbound" ? "on-prem -> existing EC2" : "existing EC2 -> on-prem";
  const title = `${d === "inbound" ? "Inbound" : "Outbound"} (${who}${destinations.length ? ` ${destinations.join(", ")}` : ""}${ports.length ? `, TCP ${ports.join(",")}` : ""})`;
  const complete = Boolean(lb && dir.targetGroups.length && dir.listeners.length && svc && ep);
  return { section: { title, lines }, data: { healthy: complete && lines.every((l) => l.ok !== false), ...data }, complete };
}

/** Where the inbound relay address is, checked against AWS (from the endpoint's relay tags). */
async function relayPlacement(ctx: Context, ep: VpcEndpoint, addresses: EndpointAddress[]): Promise<{ line: StatusLine; data: Record<string, unknown> }> {
  const relayIp = tagValue(ep.Tags, RELAY_IP_TAG);
  const mode = tagValue(ep.Tags, RELAY_MODE_TAG);
  const ips = addresses.map((a) => a.ip);
  if (!relayIp) {
    return {
      line: {
        ok: null,
        text: `no relay IP recorded on the endpoint: on-prem connects to its addresses${ips.length ? ` (${ips.join(", ")})` : ""}${ep.DnsEntries?.[0]?.DnsName ? ` or ${ep.DnsEntries[0].DnsName}` : ""}, or through a NAT server that forwards to them`,
      },
      data: { mode: "direct", relayIp: null, connectTo: ips },
    };
  }
  if (mode === "endpoint") {
    const on = addresses.find((a) => a.ip === relayIp);
    if (on) {
      return {
        line: { ok: true, text: `relay IP ${relayIp} is on the endpoint's interface ${on.eniId} (${on.az}): on-prem connects to it, no NAT server` },
        data: { mode, relayIp, heldBy: on.eniId },
      };
    }
    return {
      line: {
        ok: addresses.length ? false : null,
        text: addresses.length
          ? `relay IP ${relayIp} is not on the endpoint (its addresses are ${ips.join(", ")}): on-prem cannot reach the relay there`
          : `relay IP ${relayIp} should be on the endpoint, whose interfaces could not be read`,
      },
      data: { mode, relayIp, heldBy: null },
    };
  }
  const endpointEnis = new Set(ep.NetworkInterfaceIds ?? []);
  const holders = (await findInterfacesWithIp(ctx, ep.VpcId!, relayIp).catch(() => [] as NetworkInterface[])).filter(
    (e) => !endpointEnis.has(e.NetworkInterfaceId!),
  );
  const server = holders[0];
  if (!server) {
    return {
      line: {
        ok: false,
        text: `relay IP ${relayIp}: no interface in ${ep.VpcId} holds it: give it to the NAT server (for example as a secondary private IP) and load the NAT rules that forward it to ${ips.join(" or ") || "the endpoint"}`,
      },
      data: { mode: "nat", relayIp, heldBy: null },
    };
  }
  const who = server.Attachment?.InstanceId ? `${server.NetworkInterfaceId} (${server.Attachment.InstanceId})` : server.NetworkInterfaceId;
  return {
    line: {
      ok: true,
      text: `relay IP ${relayIp} is held by ${who}, the NAT server: its rules must forward to ${ips.join(" or ") || "the endpoint's addresses"}`,
    },
    data: { mode: "nat", relayIp, heldBy: server.NetworkInterfaceId, instanceId: server.Attachment?.InstanceId ?? null },
  };
}

async function status(ctx: Context, summary: StackSummary): Promise<StatusReport> {
  const parts = (await readStacks(ctx, summary.stack, true)).get(summary.stack);
  const sections: StatusSection[] = [];
  const data: Record<string, unknown> = {};
  let complete = false;
  let healthy = true;
  for (const dir of parts?.directions ?? []) {
    const s = await directionStatus(ctx, summary.stack, dir);
    sections.push(s.section);
    data[dir.direction] = s.data;
    complete ||= s.complete;
    if (!s.complete || s.section.lines.some((l) => l.ok === false)) healthy = false;
  }
  const ownGroups = new Set((parts?.directions ?? []).flatMap((d) => d.securityGroups.map((g) => g.GroupId!)));
  const foreignRules = (parts?.rules ?? []).filter((r) => !ownGroups.has(r.groupId));
  if (foreignRules.length) sections.push({ title: "Security group rules added", lines: foreignRules.map((r) => ({ ok: null, text: describeSgRule(r) })) });
  data.securityGroupRules = parts?.rules ?? [];
  if (sections.length === 0) sections.push({ title: "Nothing left", lines: [{ ok: false, text: `stack ${summary.stack} has no relay resources left` }] });
  return { healthy: healthy && complete, sections, data };
}

// --- destroy -------------------------------------------------------------------------------------

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

async function destroySteps(ctx: Context, summary: StackSummary): Promise<{ steps: PlanStep[]; warnings: string[] }> {
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

/** An `Unsuccessful[]` item of a batch call as an error (its code decides: gone, retry, or fail). */
function unsuccessful(operation: string, id: string, error: { Code?: string; Message?: string } | undefined): AwsError {
  const code = error?.Code ?? "UnknownError";
  return new AwsError(`EC2 ${operation} failed for ${id}: ${code}: ${error?.Message ?? "(no message)"}`, { service: "EC2", operation, code });
}

async function destroyRunners(ctx: Context, _summary: StackSummary, journal: Journal): Promise<Record<string, StepRunner>> {
  const [m, lbApi] = await Promise.all([ec2(), elb()]);
  const timeoutMs = ctx.config.timeoutMs ?? DESTROY_TIMEOUT_MS;
  const waitFor = untilDone(ctx, timeoutMs);
  const gone =
    <T>(read: () => Promise<T | undefined>, state: (v: T) => string | undefined) =>
    async () => {
      try {
        const v = await read();
        return v === undefined ? "deleted" : (state(v) ?? "unknown");
      } catch (error) {
        if (isNotFound(error)) return "deleted";
        throw error;
      }
    };
  return {
    ...(await teardownRunners(ctx, journal, timeoutMs)),

    "privatelink-endpoint-delete": async (step) => {
      const p = step.params as { endpointId: string; state?: string };
      if (lower(p.state) !== "deleting") {
        await retryWhileBlocked(ctx, {
          what: `interface endpoint ${p.endpointId}`,
          call: async () => {
            const out = await send(ctx, "ec2", new m.DeleteVpcEndpointsCommand({ VpcEndpointIds: [p.endpointId] }));
            const failed = out.Unsuccessful?.find((u) => !u.ResourceId || u.ResourceId === p.endpointId);
            if (failed) throw unsuccessful("DeleteVpcEndpoints", p.endpointId, failed.Error);
          },
          timeoutMs,
        });
      }
      await waitFor(
        `interface endpoint ${p.endpointId} deleting`,
        gone(
          () => describeEndpoint(ctx, p.endpointId),
          (e) => e.State,
        ),
        (state) => (lower(state) === "deleted" ? true : state),
      );
      ctx.io.success(`interface endpoint ${p.endpointId} deleted`);
      return deletedOutcome(journal, step);
    },

    "privatelink-service-delete": async (step) => {
      const p = step.params as { serviceId: string; state?: string };
      const id = p.serviceId;
      if (lower(p.state) !== "deleting") {
        // The stack's own endpoints are gone by now; any connection left is someone else's: reject it,
        // then delete. A connection that is still closing makes AWS refuse the delete: try again.
        await retryWhileBlocked(ctx, {
          what: `endpoint service ${id}`,
          call: async () => {
            const open = (await listEndpointConnections(ctx, id)).filter((c) => LIVE_CONNECTION.includes(lower(c.VpcEndpointState)));
            if (open.length) {
              const ids = open.map((c) => c.VpcEndpointId!);
              const out = await send(ctx, "ec2", new m.RejectVpcEndpointConnectionsCommand({ ServiceId: id, VpcEndpointIds: ids }));
              const refused = (out.Unsuccessful ?? []).map((u) => u.ResourceId);
              const rejected = ids.filter((x) => !refused.includes(x));
              if (rejected.length) ctx.io.info(`${id}: rejected the connection${rejected.length > 1 ? "s" : ""} of ${rejected.join(", ")}`);
            }
            const out = await send(ctx, "ec2", new m.DeleteVpcEndpointServiceConfigurationsCommand({ ServiceIds: [id] }));
            const failed = out.Unsuccessful?.find((u) => !u.ResourceId || u.ResourceId === id);
            if (failed) throw unsuccessful("DeleteVpcEndpointServiceConfigurations", id, failed.Error);
          },
          // A connection still closing makes AWS refuse the delete.
          verdict: (error) => {
            const code = awsCode(error);
            if (code === "ExistingVpcEndpointConnections") return { waiting: `waiting for endpoint connections to close (${code})` };
            const v = dependencyVerdict(error);
            return v === undefined || v === "gone" ? v : { waiting: `waiting for endpoint connections to close (${code})` };
          },
          timeoutMs,
        });
      }
      await waitFor(
        `endpoint service ${id} deleting`,
        gone(
          () => describeEndpointService(ctx, id),
          (s) => s.ServiceState,
        ),
        (state) => (lower(state) === "deleted" ? true : state),
      );
      ctx.io.success(`endpoint service ${id} deleted`);
      return deletedOutcome(journal, step);
    },

    "privatelink-listener-delete": async (step) => {
      const arn = String(step.params.listenerArn);
      await retryWhileBlocked(ctx, {
        what: `listener ${step.resourceId}`,
        call: () => send(ctx, "elbv2", new lbApi.DeleteListenerCommand({ ListenerArn: arn })),
        timeoutMs,
      });
      ctx.io.success(`listener ${step.resourceId} deleted`);
      return deletedOutcome(journal, step);
    },

    "privatelink-nlb-delete": async (step) => {
      const p = step.params as { name: string; arn: string };
      // Refused (ResourceInUse) while an endpoint service still uses it: retried until the service is gone.
      await retryWhileBlocked(ctx, {
        what: `load balancer ${p.name}`,
        call: () => send(ctx, "elbv2", new lbApi.DeleteLoadBalancerCommand({ LoadBalancerArn: p.arn })),
        timeoutMs,
      });
      // Gone when DescribeLoadBalancers no longer knows it (LoadBalancerNotFound), as waitUntilLoadBalancersDeleted.
      await waitFor(
        `load balancer ${p.name} deleting`,
        gone(
          () => describeLoadBalancer(ctx, p.arn),
          (lb) => lb.State?.Code,
        ),
        (state) => (state === "deleted" ? true : `still listed (${state})`),
      );
      ctx.io.success(`load balancer ${p.name} deleted`);
      return deletedOutcome(journal, step);
    },

    "privatelink-tg-delete": async (step) => {
      const p = step.params as { name: string; arn: string };
      // ResourceInUse until no listener forwards to it (and the load balancer is gone): retried.
      await retryWhileBlocked(ctx, {
        what: `target group ${p.name}`,
        call: () => send(ctx, "elbv2", new lbApi.DeleteTargetGroupCommand({ TargetGroupArn: p.arn })),
        timeoutMs,
      });
      ctx.io.success(`target group ${p.name} deleted`);
      return deletedOutcome(journal, step);
    },

    "privatelink-sg-delete": async (step) => {
      const id = String(step.params.groupId);
      // DependencyViolation while an endpoint's interfaces are still going away: retried.
      await retryWhileBlocked(ctx, {
        what: `security group ${id}`,
        call: () => send(ctx, "ec2", new m.DeleteSecurityGroupCommand({ GroupId: id })),
        timeoutMs,
      });
      ctx.io.success(`security group ${id} deleted`);
      return deletedOutcome(journal, step);
    },
  };
}

export const privatelinkLifecycle: KindLifecycle = { kind: KIND, discover, status, destroySteps, destroyRunners };
