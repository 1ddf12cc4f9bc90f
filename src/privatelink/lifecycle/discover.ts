/** Find privatelink stacks: EC2 resources by their tags, ELBv2 ones by their deterministic names and DescribeTags. */
import type { Listener, LoadBalancer, TargetGroup, TargetHealthDescription } from "@aws-sdk/client-elastic-load-balancing-v2";
import { awsCode } from "../../aws/errors.js";
import { listAll } from "../../aws/list.js";
import { describeSgRules, type StackSgRule } from "../../aws/sg-rules.js";
import { KIND_TAG, STACK_TAG } from "../../aws/tags.js";
import type { Context } from "../../core/context.js";
import type { StackSummary } from "../../lifecycle/types.js";
import { elbTags, findLoadBalancer, listEndpointServices, listListeners, listLoadBalancers, listTargetGroups, lower, targetHealth } from "../aws.js";
import { DIRECTIONS, type Direction, nlbName } from "../names.js";
import {
  type DirectionParts,
  degradable,
  directionOf,
  emptyDirection,
  isEmpty,
  KIND,
  quietly,
  type StackParts,
  stackOf,
  type Tags,
  tgPrefix,
} from "./parts.js";
import { summarise } from "./summary.js";

const ec2 = () => import("@aws-sdk/client-ec2");

/**
 * Read every privatelink stack of the Region, or only `only`. With `health`, each target group's
 * target health too (list and status show it; destroy does not need it).
 */
export async function readStacks(ctx: Context, only: string | undefined, health: boolean): Promise<Map<string, StackParts>> {
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

export async function discover(ctx: Context, stack?: string): Promise<StackSummary[]> {
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
