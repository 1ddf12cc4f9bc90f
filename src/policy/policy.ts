/**
 * The least-privilege IAM policy of one or more commands, built from the operations table
 * (src/policy/operations.ts): reads on "*", creates only with the stack tag in the request, changes
 * and deletes only on resources that carry it, writes to resources the stack may not own unscoped.
 * Pure: no AWS call.
 */
import { STACK_TAG } from "../aws/tags.js";
import {
  type Access,
  iamAction,
  ON_BEHALF,
  type Operation,
  operationsFor,
  type PolicyCommand,
  resourceArn,
  type Service,
  TAG_ON_CREATE,
} from "./operations.js";

type Condition = Record<string, Record<string, string | string[]>>;

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: string | string[];
  Condition?: Condition;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export interface PolicyOptions {
  /** Limit the tag conditions to this stack's name (default: any value of the vpcwire:stack tag). */
  stack?: string;
}

interface Grant {
  group: "Read" | "ReadServiceSecrets" | "CreateTagged" | "TagOnCreate" | "OnBehalf" | "StackOwned" | "NotOwned";
  action: string;
  resources: string[] | "*";
  condition?: Condition;
}

function tagCondition(key: "aws:RequestTag" | "aws:ResourceTag", opts: PolicyOptions): Condition {
  const name = `${key}/${STACK_TAG}`;
  return opts.stack ? { StringEquals: { [name]: opts.stack } } : { StringLike: { [name]: "*" } };
}

function grantsOf(o: Operation, opts: PolicyOptions): Grant[] {
  const action = iamAction(o);
  const arns = (types: string[]) => types.map((t) => resourceArn(o.service, t));
  const a: Access = o.access;
  switch (a.kind) {
    case "read":
      return [{ group: "Read", action, resources: "*" }];
    case "create":
      return [
        { group: "CreateTagged", action, resources: arns([a.resource]), condition: tagCondition("aws:RequestTag", opts) },
        ...(a.refs.length ? [{ group: "NotOwned" as const, action, resources: arns(a.refs) }] : []),
      ];
    case "owned":
      return [
        { group: "StackOwned", action, resources: arns([a.resource]), condition: tagCondition("aws:ResourceTag", opts) },
        ...(a.refs.length ? [{ group: "NotOwned" as const, action, resources: arns(a.refs) }] : []),
      ];
    case "shared":
      return [{ group: "NotOwned", action, resources: arns(a.resources) }];
    case "tagging":
      return [{ group: "CreateTagged", action, resources: arns([a.resource]), condition: tagCondition("aws:RequestTag", opts) }];
    case "service-secret":
      return [{ group: "ReadServiceSecrets", action, resources: arns([a.resource]) }];
  }
}

/** iam:CreateServiceLinkedRole and the like: only with the operation that makes AWS need it. */
function onBehalfGrants(ops: Operation[]): Grant[] {
  return ON_BEHALF.filter((b) => ops.some((o) => o.service === b.when.service && o.name === b.when.name)).map((b) => ({
    group: "OnBehalf" as const,
    action: b.action,
    resources: [b.resource],
    condition: b.condition,
  }));
}

/** ec2:CreateTags / elasticloadbalancing:AddTags, only as part of the creates this policy allows. */
function tagOnCreateGrants(ops: Operation[], opts: PolicyOptions): Grant[] {
  const grants: Grant[] = [];
  for (const service of ["ec2", "elbv2"] as Service[]) {
    const tag = TAG_ON_CREATE[service]!;
    const creates = ops.filter((o) => o.service === service && o.access.kind === "create");
    if (creates.length === 0) continue;
    const types = [...new Set(creates.map((o) => (o.access.kind === "create" ? (o.access.tags ?? o.access.resource) : "")))].sort();
    const request = tagCondition("aws:RequestTag", opts);
    const [operator, values] = Object.entries(request)[0]!;
    const condition: Condition = { StringEquals: { [tag.conditionKey]: creates.map((o) => o.name).sort() } };
    condition[operator] = { ...(condition[operator] ?? {}), ...values };
    grants.push({ group: "TagOnCreate", action: tag.action, resources: types.map((t) => resourceArn(service, t)), condition });
  }
  return grants;
}

const GROUP_ORDER: Grant["group"][] = ["Read", "ReadServiceSecrets", "CreateTagged", "TagOnCreate", "OnBehalf", "StackOwned", "NotOwned"];

/** Every operation the commands call, once. */
export function operationsOf(commands: readonly PolicyCommand[]): Operation[] {
  const seen = new Map<string, Operation>();
  for (const c of commands) for (const o of operationsFor(c)) seen.set(`${o.service}:${o.name}:${JSON.stringify(o.access)}`, o);
  return [...seen.values()];
}

export function buildPolicy(commands: readonly PolicyCommand[], opts: PolicyOptions = {}): PolicyDocument {
  const ops = operationsOf(commands);
  const grants = [...ops.flatMap((o) => grantsOf(o, opts)), ...tagOnCreateGrants(ops, opts), ...onBehalfGrants(ops)];
  // One statement per (group, resources, condition): actions that share them are merged.
  const statements = new Map<string, { group: Grant["group"]; actions: Set<string>; resources: string[] | "*"; condition?: Condition }>();
  for (const g of grants) {
    const resources = g.resources === "*" ? "*" : [...new Set(g.resources)].sort();
    const key = `${g.group}|${JSON.stringify(resources)}|${JSON.stringify(g.condition ?? null)}`;
    const s = statements.get(key) ?? { group: g.group, actions: new Set<string>(), resources, ...(g.condition ? { condition: g.condition } : {}) };
    s.actions.add(g.action);
    statements.set(key, s);
  }
  const sorted = [...statements.values()].sort(
    (a, b) => GROUP_ORDER.indexOf(a.group) - GROUP_ORDER.indexOf(b.group) || JSON.stringify(a.resources).localeCompare(JSON.stringify(b.resources)),
  );
  const counters = new Map<string, number>();
  const Statement = sorted.map((s): PolicyStatement => {
    const n = (counters.get(s.group) ?? 0) + 1;
    counters.set(s.group, n);
    const total = sorted.filter((x) => x.group === s.group).length;
    return {
      Sid: total > 1 ? `${s.group}${n}` : s.group,
      Effect: "Allow",
      Action: [...s.actions].sort(),
      Resource: s.resources === "*" ? "*" : s.resources.length === 1 ? s.resources[0]! : s.resources,
      ...(s.condition ? { Condition: s.condition } : {}),
    };
  });
  return { Version: "2012-10-17", Statement };
}

/** Every action a policy allows (for the tests and the summary). */
export function policyActions(policy: PolicyDocument): string[] {
  return [...new Set(policy.Statement.flatMap((s) => s.Action))].sort();
}
