/**
 * `list`, `status` and `destroy` for FLET'S stacks (`flets isatap --instance-id`).
 *
 * A flets stack (`isatap-<instance id>`) holds one thing vpcwire can tag: the security-group rule that
 * lets IP protocol 41 in from the ISATAP router. `flets isatap` may also turn on route propagation from
 * the VPC's virtual private gateway on the instance subnet's route table, but a route table cannot
 * carry the stack's tag and the gateway is not the stack's (NTT's Direct Connect interfaces are on it),
 * so status reports that propagation and destroy leaves it on, with a warning.
 */

import type { VirtualInterface } from "@aws-sdk/client-direct-connect";
import type { Instance, RouteTable, VpnGateway } from "@aws-sdk/client-ec2";
import { listVifs } from "../aws/dx.js";
import { describeSgRule, describeSgRules, findStackSgRules, type StackSgRule } from "../aws/sg-rules.js";
import { hasStackTags, KIND_TAG, STACK_TAG, tagValue } from "../aws/tags.js";
import { findAttachedVgw } from "../aws/vgw.js";
import { findInstance, listRouteTables, nameOf, vpcOfSecurityGroup } from "../aws/vpc.js";
import type { Journal, StepRunner } from "../core/apply.js";
import type { Context } from "../core/context.js";
import { AwsError } from "../core/errors.js";
import type { PlanStep } from "../core/plan.js";
import { DESTROY_TIMEOUT_MS, sgRevokeSteps, teardownRunners, vifList } from "../lifecycle/teardown.js";
import type { KindLifecycle, StackSummary, StatusLine, StatusReport } from "../lifecycle/types.js";
import { findInstanceByIp } from "./aws.js";
import { PROTOCOL_41, PROTOCOL_41_LABEL, routesTo, subnetRouteTable } from "./plan.js";

/** What the stack name says about the tunnel's end (see fletsStackName). */
export function parseFletsStack(stack: string): { instanceId: string } | { privateIp: string } | undefined {
  const id = /^isatap-(i-[0-9a-f]{8,17})$/.exec(stack);
  if (id) return { instanceId: id[1]! };
  const ip = /^isatap-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})$/.exec(stack);
  if (ip) return { privateIp: ip.slice(1, 5).join(".") };
  return undefined;
}

interface FletsParts {
  rules: StackSgRule[];
  /** The stack's protocol 41 rules (normally one). */
  protocol41: StackSgRule[];
  /** The ISATAP router, from the rule's source (`192.168.103.254/32`). */
  router?: string;
  instanceId?: string;
  instance?: Instance;
  /** How the instance was looked for, when it was not found. */
  instanceProblem?: string;
  vpcId?: string;
  subnetId?: string;
  vgw?: VpnGateway;
  table?: RouteTable;
  propagation: boolean;
  routeToRouter: boolean;
  /** NTT's interfaces on the gateway, when Direct Connect could be read. */
  vifs?: VirtualInterface[];
  vifProblem?: string;
}

/**
 * Read what the stack's health depends on: its rules; the VPC (from the rule's group, else the
 * instance); the instance (from the stack name) and the subnet of its interface in that group; the
 * route table that subnet uses; and whether it propagates from the VPC's gateway.
 */
async function readParts(ctx: Context, stack: string, rules?: StackSgRule[]): Promise<FletsParts> {
  rules ??= await findStackSgRules(ctx, stack, "flets");
  const protocol41 = rules.filter((r) => r.protocol === PROTOCOL_41);
  const rule = protocol41[0] ?? rules[0];
  const parts: FletsParts = { rules, protocol41, propagation: false, routeToRouter: false };
  if (protocol41[0]?.cidr.endsWith("/32")) parts.router = protocol41[0].cidr.slice(0, -3);
  if (rule) {
    const vpcId = await vpcOfSecurityGroup(ctx, rule.groupId);
    if (vpcId) parts.vpcId = vpcId;
  }

  const end = parseFletsStack(stack);
  if (end && "instanceId" in end) {
    parts.instanceId = end.instanceId;
    const instance = await findInstance(ctx, end.instanceId);
    const state = instance?.State?.Name;
    if (instance && state !== "terminated" && state !== "shutting-down") parts.instance = instance;
    else parts.instanceProblem = instance ? `${end.instanceId} is ${state}` : `${end.instanceId} no longer exists in this account and Region`;
  } else if (end) {
    const instance = await findInstanceByIp(ctx, end.privateIp, parts.vpcId);
    if (instance) {
      parts.instance = instance;
      parts.instanceId = instance.InstanceId!;
    } else parts.instanceProblem = `no instance${parts.vpcId ? ` in ${parts.vpcId}` : ""} has the address ${end.privateIp} any more`;
  } else {
    parts.instanceProblem = `the stack name ${stack} does not name an instance (flets isatap names its stacks isatap-<instance id>)`;
  }
  const instance = parts.instance;
  if (instance) {
    parts.vpcId ??= instance.VpcId;
    // The interface in the rule's group carries the tunnel; its subnet's route table the route to the router.
    const nic = (instance.NetworkInterfaces ?? []).find((n) => rule && n.Groups?.some((g) => g.GroupId === rule.groupId));
    const subnetId = nic?.SubnetId ?? instance.SubnetId;
    if (subnetId) parts.subnetId = subnetId;
  }
  if (!parts.vpcId) return parts;

  const vgw = await findAttachedVgw(ctx, parts.vpcId);
  if (vgw) parts.vgw = vgw;
  if (vgw) {
    // Read Direct Connect before the route tables: it is also where routes learned over BGP come from.
    try {
      parts.vifs = (await listVifs(ctx)).filter(
        (v) => v.virtualGatewayId === vgw.VpnGatewayId && !["rejected", "deleting", "deleted"].includes(v.virtualInterfaceState ?? ""),
      );
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      parts.vifProblem = `could not read Direct Connect virtual interfaces (${error.details.code})`;
    }
  }
  if (parts.instance) {
    const table = subnetRouteTable(await listRouteTables(ctx, parts.vpcId), parts.subnetId);
    if (table) parts.table = table;
  }
  if (vgw && parts.table) {
    parts.propagation = parts.table.PropagatingVgws?.some((p) => p.GatewayId === vgw.VpnGatewayId) ?? false;
    parts.routeToRouter = parts.router ? routesTo(parts.table, parts.router, vgw.VpnGatewayId!) : false;
  }
  return parts;
}

function summarise(stack: string, rules: StackSgRule[]): StackSummary {
  return {
    stack,
    kind: "flets",
    state: rules.some((r) => r.protocol === PROTOCOL_41) ? "available" : "partial",
    resources: rules.map((r) => ({ type: "security group rule", id: r.ruleId, owned: true, detail: describeSgRule(r) })),
  };
}

async function discover(ctx: Context, stack?: string): Promise<StackSummary[]> {
  if (stack) {
    const rules = await findStackSgRules(ctx, stack, "flets");
    return rules.length ? [summarise(stack, rules)] : [];
  }
  const rules = await describeSgRules(ctx, [{ Name: `tag:${KIND_TAG}`, Values: ["flets"] }]);
  const names = [
    ...new Set(
      rules
        .filter((r) => hasStackTags(r.Tags, { kind: "flets" }))
        .map((r) => tagValue(r.Tags, STACK_TAG))
        .filter((n): n is string => Boolean(n)),
    ),
  ].sort();
  const summaries: StackSummary[] = [];
  for (const name of names) {
    const rules = await findStackSgRules(ctx, name, "flets");
    if (rules.length) summaries.push(summarise(name, rules));
  }
  return summaries;
}

function tableLabel(parts: FletsParts): string {
  const t = parts.table!;
  const main = t.Associations?.some((a) => a.Main) ?? false;
  const explicit = t.Associations?.some((a) => a.SubnetId === parts.subnetId) ?? false;
  return `${t.RouteTableId}${nameOf(t.Tags) ? ` (${nameOf(t.Tags)})` : ""}${main ? " [main]" : ""}${parts.subnetId ? `, used by ${parts.subnetId}${explicit ? "" : " (main table)"}` : ""}`;
}

async function status(ctx: Context, summary: StackSummary): Promise<StatusReport> {
  const parts = await readParts(ctx, summary.stack);
  const sections: StatusReport["sections"] = [];
  const instanceHint = parts.instanceId ? `vpcwire flets isatap --instance-id ${parts.instanceId}` : "vpcwire flets isatap --instance-id <instance>";

  // 1. The protocol 41 rule: security groups see the outer IPv4 packets of the tunnel.
  const ruleLines: StatusLine[] = parts.protocol41.length
    ? parts.protocol41.map((r) => ({ ok: true, text: `${describeSgRule(r)} (rule ${r.ruleId})` }))
    : [
        {
          ok: false,
          text:
            `gone: no rule of this stack lets ${PROTOCOL_41_LABEL} in any more (revoked by hand?), so the tunnel's packets never reach the instance; ` +
            `add it again with the same ${instanceHint} command (same --prefix and --router)`,
        },
      ];
  for (const r of parts.rules.filter((r) => r.protocol !== PROTOCOL_41)) ruleLines.push({ ok: null, text: `${describeSgRule(r)} (rule ${r.ruleId})` });
  sections.push({ title: `${PROTOCOL_41_LABEL} from the ISATAP router`, lines: ruleLines });

  // 2. Routing: the router is reached over NTT's Direct Connect interfaces, whose routes the VPC's gateway propagates.
  const routing: StatusLine[] = [];
  if (parts.instanceProblem)
    routing.push({ ok: false, text: `${parts.instanceProblem}: the rule is left over; remove it with vpcwire destroy --stack ${summary.stack}` });
  if (!parts.vpcId) {
    routing.push({ ok: false, text: "the VPC is unknown (the rule's security group and the instance are gone)" });
  } else if (!parts.vgw) {
    routing.push({
      ok: false,
      text:
        `${parts.vpcId} has no virtual private gateway attached: the routes to the ISATAP router${parts.router ? ` ${parts.router}` : ""} that NTT announces over Direct Connect cannot reach it; ` +
        `accept NTT's virtual interfaces onto one: vpcwire dx accept-vif --vpc-id ${parts.vpcId}`,
    });
  } else if (parts.table) {
    const vgwId = parts.vgw.VpnGatewayId!;
    routing.push({
      ok: parts.propagation,
      text: parts.propagation
        ? `${tableLabel(parts)}: propagation from ${vgwId} on`
        : `${tableLabel(parts)}: propagation from ${vgwId} off, so the route to the router does not reach the instance's subnet; ` +
          `turn it on with the same ${instanceHint} command, or: aws ec2 enable-vgw-route-propagation --gateway-id ${vgwId} --route-table-id ${parts.table.RouteTableId}`,
    });
    if (parts.router) {
      routing.push({
        ok: parts.routeToRouter ? true : null,
        text: parts.routeToRouter
          ? `route to the router ${parts.router} via ${vgwId}: present`
          : `no route to the router ${parts.router} via ${vgwId} yet: it appears once the BGP session on NTT's Direct Connect interface is up${parts.propagation ? "" : " and propagation is on"}`,
      });
    }
    if (parts.vifs) {
      routing.push({
        ok: null,
        text: parts.vifs.length
          ? `Direct Connect virtual interface${parts.vifs.length > 1 ? "s" : ""} on ${vgwId}: ${vifList(parts.vifs)} (details: vpcwire dx status --vif-id ${parts.vifs.map((v) => v.virtualInterfaceId).join(",")})`
          : `no Direct Connect virtual interface on ${vgwId}: accept NTT's with vpcwire dx accept-vif --vpc-id ${parts.vpcId}`,
      });
    } else if (parts.vifProblem) {
      routing.push({ ok: null, text: `${parts.vifProblem}; the interfaces on ${vgwId} were not checked` });
    }
  } else if (parts.instance) {
    routing.push({ ok: false, text: `no route table of ${parts.vpcId} applies to ${parts.subnetId ?? "the instance's subnet"}` });
  }
  sections.push({
    title: `Routing to the ISATAP router${parts.instanceId ? ` from ${parts.instanceId}` : ""}${parts.vpcId ? ` in ${parts.vpcId}` : ""}`,
    lines: routing,
  });

  const healthy = parts.protocol41.length > 0 && parts.propagation;
  return {
    healthy,
    sections,
    data: {
      securityGroupRules: parts.rules,
      protocol41: parts.protocol41.length > 0,
      router: parts.router ?? null,
      instanceId: parts.instanceId ?? null,
      vpcId: parts.vpcId ?? null,
      subnetId: parts.subnetId ?? null,
      routeTableId: parts.table?.RouteTableId ?? null,
      virtualGatewayId: parts.vgw?.VpnGatewayId ?? null,
      propagation: parts.propagation,
      routeToRouter: parts.routeToRouter,
      ...(parts.vifs ? { virtualInterfaces: parts.vifs.map((v) => ({ virtualInterfaceId: v.virtualInterfaceId, state: v.virtualInterfaceState })) } : {}),
    },
  };
}

async function destroySteps(ctx: Context, summary: StackSummary): Promise<{ steps: PlanStep[]; warnings: string[] }> {
  const parts = await readParts(ctx, summary.stack);
  const warnings: string[] = [];
  if (parts.vgw && parts.table && parts.propagation) {
    const vgwId = parts.vgw.VpnGatewayId!;
    const rtb = parts.table.RouteTableId!;
    warnings.push(
      `Route propagation from ${vgwId} on ${rtb} is left on: neither was created by this stack, the propagation may have been on before flets isatap ran, ` +
        `and other traffic over Direct Connect may need it. If nothing does, turn it off: aws ec2 disable-vgw-route-propagation --gateway-id ${vgwId} --route-table-id ${rtb}`,
    );
  } else if (!parts.table) {
    warnings.push("Route propagation that flets isatap may have turned on is left as it is: route tables are not the stack's.");
  }
  return { steps: sgRevokeSteps(parts.rules), warnings };
}

async function destroyRunners(ctx: Context, _summary: StackSummary, journal: Journal): Promise<Record<string, StepRunner>> {
  return teardownRunners(ctx, journal, ctx.config.timeoutMs ?? DESTROY_TIMEOUT_MS);
}

export const fletsLifecycle: KindLifecycle = { kind: "flets", discover, status, destroySteps, destroyRunners };
