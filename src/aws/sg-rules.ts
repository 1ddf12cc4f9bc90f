/**
 * Security-group rules that a stack adds. Each rule is tagged with the stack at creation
 * (TagSpecifications on AuthorizeSecurityGroupIngress), so `status` can show it and `destroy` can
 * revoke exactly the rules the stack added and nothing a person added by hand.
 */

import type { StepOutcome, StepRunner } from "../core/apply.js";
import type { Context } from "../core/context.js";
import type { Kind, PlanStep } from "../core/plan.js";
import { type AllowRule, toIpPermission } from "../net/allow.js";
import { send } from "./call.js";
import { awsCode, isUnsupportedOperation } from "./errors.js";
import { listAll } from "./list.js";
import { hasStackTags, KIND_TAG, stackFilters, tagSpec } from "./tags.js";

const ec2 = () => import("@aws-sdk/client-ec2");

/** Plan-step params of an `sg-rule` step. */
export interface SgRuleParams {
  groupId: string;
  protocol: string;
  fromPort: number;
  toPort: number;
  cidr: string;
  label: string;
  [key: string]: unknown;
}

export function sgRuleParams(groupId: string, rule: AllowRule, cidr: string): SgRuleParams {
  return { groupId, protocol: rule.protocol, fromPort: rule.fromPort, toPort: rule.toPort, cidr, label: rule.label };
}

/** The runner for `sg-rule` steps: authorize (tagged), treating an identical existing rule as done. */
export function sgRuleRunner(ctx: Context, stack: string, kind: Kind): StepRunner {
  return async (step: PlanStep): Promise<StepOutcome> => {
    const p = step.params as SgRuleParams;
    if (step.action === "update") {
      const { AuthorizeSecurityGroupIngressCommand } = await ec2();
      const rule = { protocol: p.protocol, fromPort: p.fromPort, toPort: p.toPort, label: p.label };
      try {
        await send(
          ctx,
          "ec2",
          new AuthorizeSecurityGroupIngressCommand({
            GroupId: p.groupId,
            IpPermissions: [toIpPermission(rule, p.cidr, `vpcwire ${stack} ${p.label}`)],
            TagSpecifications: tagSpec("security-group-rule", stack, kind, "sg-rule"),
          }),
        );
        ctx.io.success(`${p.groupId} now allows ${p.label} from ${p.cidr}`);
      } catch (error) {
        // The same rule already there (added by hand meanwhile) is what we wanted.
        if (awsCode(error) !== "InvalidPermission.Duplicate") throw error;
        ctx.io.info(`${p.groupId} already allows ${p.label} from ${p.cidr}`);
      }
    }
    return { resourceId: step.resourceId ?? p.groupId };
  };
}

export interface StackSgRule {
  ruleId: string;
  groupId: string;
  protocol: string;
  fromPort: number;
  toPort: number;
  cidr: string;
  description?: string;
}

/**
 * DescribeSecurityGroupRules (all pages) for the given filters. An endpoint without the operation (older
 * emulators) must not stop `list` or `status`: warn, say what to check by hand, and go on without rules.
 */
export async function describeSgRules(ctx: Pick<Context, "clients" | "io" | "config">, filters: Array<{ Name: string; Values: string[] }>) {
  const { paginateDescribeSecurityGroupRules } = await ec2();
  try {
    return await listAll(ctx, "ec2", paginateDescribeSecurityGroupRules, { Filters: filters }, (o) => o.SecurityGroupRules);
  } catch (error) {
    if (!isUnsupportedOperation(error)) throw error;
    ctx.io.warn(
      `Security-group rules could not be listed (${(error as Error).message}); the rules vpcwire added are not shown and not revoked: check the security groups by hand.`,
    );
    return [];
  }
}

/**
 * The rules a stack added, found by their tags; with `kind`, only the rules that kind added (a stack
 * name is unique per Region, but `list`/`status` ask every kind).
 */
export async function findStackSgRules(ctx: Pick<Context, "clients" | "io" | "config">, stack: string, kind?: Kind): Promise<StackSgRule[]> {
  const filters = [...stackFilters(stack), ...(kind ? [{ Name: `tag:${KIND_TAG}`, Values: [kind] }] : [])];
  return (await describeSgRules(ctx, filters))
    .filter((r) => !r.IsEgress && r.SecurityGroupRuleId && r.GroupId && hasStackTags(r.Tags, { stack, ...(kind ? { kind } : {}) }))
    .map((r) => ({
      ruleId: r.SecurityGroupRuleId!,
      groupId: r.GroupId!,
      protocol: r.IpProtocol ?? "-1",
      fromPort: r.FromPort ?? -1,
      toPort: r.ToPort ?? -1,
      cidr: r.CidrIpv4 ?? r.CidrIpv6 ?? "",
      ...(r.Description ? { description: r.Description } : {}),
    }));
}

/** Revoke one rule by id; a rule already gone is fine (destroy may run twice). */
export async function revokeSgRule(ctx: Pick<Context, "clients" | "io" | "config">, rule: { groupId: string; ruleId: string }): Promise<void> {
  const { RevokeSecurityGroupIngressCommand } = await ec2();
  try {
    await send(ctx, "ec2", new RevokeSecurityGroupIngressCommand({ GroupId: rule.groupId, SecurityGroupRuleIds: [rule.ruleId] }));
  } catch (error) {
    const code = awsCode(error) ?? "";
    if (code !== "InvalidSecurityGroupRuleId.NotFound" && code !== "InvalidPermission.NotFound" && code !== "InvalidGroup.NotFound") throw error;
  }
}

export function describeSgRule(r: StackSgRule): string {
  const what =
    r.protocol === "-1"
      ? "all traffic"
      : r.protocol === "icmp"
        ? "icmp"
        : /^\d+$/.test(r.protocol)
          ? `protocol ${r.protocol}`
          : `${r.protocol}:${r.fromPort === r.toPort ? r.fromPort : `${r.fromPort}-${r.toPort}`}`;
  return `${r.groupId} allows ${what} from ${r.cidr}`;
}
