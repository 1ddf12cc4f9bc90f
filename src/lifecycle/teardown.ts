/**
 * Teardown pieces every kind's `destroy` shares: "kept" steps for what a stack reused, revoking the
 * security-group rules it added, and taking down a virtual private gateway it created (route
 * propagation off, detach and wait, delete with dependency retries), with the runners for them.
 *
 * A gateway that Direct Connect virtual interfaces still use is never taken down, whoever created it:
 * detaching it would cut those interfaces off from the VPC, AWS does not delete a gateway in use, and
 * the interfaces belong to the partner. It is kept with a warning that says what to do; running
 * destroy again once the interfaces are gone removes it.
 */
import type { VirtualInterface } from "@aws-sdk/client-direct-connect";
import type { VpnGateway } from "@aws-sdk/client-ec2";
import { send } from "../aws/call.js";
import { isVifGone, listVifs } from "../aws/dx.js";
import { describeSgRule, revokeSgRule, type StackSgRule } from "../aws/sg-rules.js";
import { listRouteTables } from "../aws/vpc.js";
import type { Journal, StepOutcome, StepRunner } from "../core/apply.js";
import type { Context } from "../core/context.js";
import { AwsError, VpcwireError } from "../core/errors.js";
import type { PlanStep } from "../core/plan.js";
import { retryWhileBlocked, untilDone } from "../core/wait.js";

const ec2 = () => import("@aws-sdk/client-ec2");

/** Default for the waits of a destroy (a VPN connection takes minutes to delete). */
export const DESTROY_TIMEOUT_MS = 30 * 60_000;

/** A resource destroy leaves alone: reused (`owned` false), or the stack's own but still in use. */
export function keptStep(type: string, id: string, why: string, owned = false): PlanStep {
  return {
    id: `keep:${id}`,
    type: "keep",
    action: "no-op",
    resource: type,
    resourceId: id,
    owned,
    summary: `${type} ${id} kept: ${why}`,
    params: {},
    dependsOn: [],
  };
}

/** One `sg-revoke` step per rule the stack added (found by its tags; hand-made rules are never among them). */
export function sgRevokeSteps(rules: StackSgRule[], dependsOn: string[] = []): PlanStep[] {
  return rules.map((r) => ({
    id: `sg-revoke:${r.ruleId}`,
    type: "sg-revoke",
    action: "delete",
    resource: "security group rule",
    resourceId: r.ruleId,
    owned: true,
    summary: `security group rule ${r.ruleId}: ${describeSgRule(r)}`,
    params: { groupId: r.groupId, ruleId: r.ruleId },
    dependsOn,
  }));
}

/** A gateway as a kind's destroy sees it: created by the stack (`owned`) or reused. */
export type TeardownVgw = VpnGateway & { owned: boolean };

const live = (state: string | undefined) => state === "attached" || state === "attaching";

/** The Direct Connect interfaces that use a gateway, as `dxvif-a (available), dxvif-b (down)`. */
export function vifList(vifs: VirtualInterface[]): string {
  return vifs.map((v) => `${v.virtualInterfaceId} (${v.virtualInterfaceState ?? "unknown"})`).join(", ");
}

/**
 * Direct Connect interfaces still on each gateway. `vifs` when the caller has listed them already;
 * otherwise they are read, and a principal that may not read Direct Connect gets a warning instead.
 */
export async function vifsOnGateways(
  ctx: Context,
  vgwIds: string[],
  vifs?: VirtualInterface[],
): Promise<{ byVgw: Map<string, VirtualInterface[]>; warning?: string }> {
  const byVgw = new Map<string, VirtualInterface[]>();
  if (vgwIds.length === 0) return { byVgw };
  let all = vifs;
  if (!all) {
    try {
      all = await listVifs(ctx);
    } catch (error) {
      if (!(error instanceof AwsError) || error.details.code === "CredentialsError" || error.details.code === "RegionMissing") throw error;
      return {
        byVgw,
        warning:
          `Could not check whether Direct Connect virtual interfaces use ${vgwIds.join(", ")} (${error.details.code}); ` +
          `if one does, deleting the gateway fails and detaching it cuts the interface off.`,
      };
    }
  }
  for (const id of vgwIds) {
    const on = all.filter((v) => v.virtualGatewayId === id && !isVifGone(v));
    if (on.length) byVgw.set(id, on);
  }
  return { byVgw };
}

export interface VgwTeardown {
  /** `disable-propagation` steps (no dependencies): they go first in the plan. */
  propagation: PlanStep[];
  propagationIds: string[];
  /**
   * Per gateway, in order: a kept step, or detach (after `after` and the propagation steps) and
   * delete (after the detach and `after`). `after`: the steps that must finish first (VPN connections).
   */
  gatewaySteps(after: string[]): PlanStep[];
  warnings: string[];
  /** Direct Connect interfaces on the stack's own gateways, which keep those gateways (empty: could not be checked). */
  inUse: Map<string, VirtualInterface[]>;
}

/**
 * Plan taking down the gateways a stack created and keeping the others. Reads the route tables of
 * the VPCs they are attached to (and Direct Connect, unless `vifs` is given).
 */
export async function planVgwTeardown(
  ctx: Context,
  vgws: TeardownVgw[],
  opts: {
    vifs?: VirtualInterface[];
    /**
     * When Direct Connect cannot be read, keep the stack's gateways rather than risk cutting interfaces
     * off (dx stacks, whose gateways exist for interfaces). Otherwise go ahead with a warning (vpn).
     */
    keepWhenUnchecked?: boolean;
    /**
     * Other users of the stack's gateways that are not Direct Connect (for example another stack's VPN
     * connection that reused the gateway): gateway id -> descriptions. Such a gateway is kept too.
     */
    usedBy?: Map<string, string[]>;
  } = {},
): Promise<VgwTeardown> {
  const warnings: string[] = [];
  const otherUsers = opts.usedBy ?? new Map<string, string[]>();
  const busy = (id: string) => (otherUsers.get(id)?.length ?? 0) > 0;
  const owned = vgws.filter((g) => g.owned);
  const used = await vifsOnGateways(
    ctx,
    owned.map((g) => g.VpnGatewayId!),
    opts.vifs,
  );
  const inUse = used.byVgw;
  const unchecked = Boolean(used.warning) && opts.keepWhenUnchecked === true;
  if (unchecked) {
    warnings.push(
      `${used.warning!.replace(/; if one does.*$/, "")}: ${owned.map((g) => g.VpnGatewayId).join(", ")} ${owned.length > 1 ? "are" : "is"} kept as ${owned.length > 1 ? "they are" : "it is"}. ` +
        `Run destroy again with permission to read Direct Connect (directconnect:DescribeVirtualInterfaces) to remove ${owned.length > 1 ? "them" : "it"}.`,
    );
    for (const g of owned) inUse.set(g.VpnGatewayId!, []);
  } else if (used.warning) {
    warnings.push(used.warning);
  }

  // 1. Propagation off on every table that propagates from a gateway the stack will delete.
  const propagation: PlanStep[] = [];
  for (const vgw of owned.filter((g) => !inUse.has(g.VpnGatewayId!) && !busy(g.VpnGatewayId!))) {
    for (const att of (vgw.VpcAttachments ?? []).filter((a) => live(a.State))) {
      for (const t of await listRouteTables(ctx, att.VpcId!)) {
        if (!t.PropagatingVgws?.some((p) => p.GatewayId === vgw.VpnGatewayId)) continue;
        propagation.push({
          id: `propagation-off:${t.RouteTableId}:${vgw.VpnGatewayId}`,
          type: "disable-propagation",
          action: "update",
          resource: "route table",
          resourceId: t.RouteTableId!,
          owned: true,
          summary: `route table ${t.RouteTableId}: disable propagation from ${vgw.VpnGatewayId}`,
          params: { routeTableId: t.RouteTableId, vgwId: vgw.VpnGatewayId },
          dependsOn: [],
        });
      }
    }
  }
  const propagationIds = propagation.map((s) => s.id);
  for (const vgw of vgws.filter((g) => !g.owned)) {
    warnings.push(`Route propagation from ${vgw.VpnGatewayId} is left as it is: the gateway was not created by this stack.`);
  }
  for (const vgw of owned.filter((g) => busy(g.VpnGatewayId!))) {
    const users = otherUsers.get(vgw.VpnGatewayId!)!;
    warnings.push(
      `${vgw.VpnGatewayId} was created by this stack but is kept, with its attachment and route propagation: ${users.join(", ")} still use${users.length > 1 ? "" : "s"} it. ` +
        `Remove ${users.length > 1 ? "them" : "it"} first (for another stack: vpcwire destroy --stack <name>), then run this destroy again.`,
    );
  }
  for (const vgw of owned) {
    const vifs = inUse.get(vgw.VpnGatewayId!);
    if (!vifs?.length) continue;
    const vpc = vgw.VpcAttachments?.find((a) => live(a.State))?.VpcId;
    warnings.push(
      `${vgw.VpnGatewayId} was created by this stack but is kept, attached${vpc ? ` to ${vpc}` : ""} with its route propagation: ` +
        `Direct Connect virtual interface${vifs.length > 1 ? "s" : ""} ${vifList(vifs)} still use${vifs.length > 1 ? "" : "s"} it. ` +
        `Detaching it would cut ${vifs.length > 1 ? "them" : "it"} off, and AWS does not delete a gateway in use. ` +
        `The interfaces belong to the partner: ask them to delete ${vifs.length > 1 ? "them" : "it"} ` +
        `(or delete ${vifs.length > 1 ? "them" : "it"} yourself: aws directconnect delete-virtual-interface --virtual-interface-id <id>), ` +
        `then run this destroy again to remove the gateway.`,
    );
  }

  const gatewaySteps = (after: string[]): PlanStep[] => {
    const steps: PlanStep[] = [];
    for (const g of vgws) {
      if (!g.owned) {
        steps.push(keptStep("virtual private gateway", g.VpnGatewayId!, "it existed before this stack"));
        continue;
      }
      if (busy(g.VpnGatewayId!)) {
        steps.push(keptStep("virtual private gateway", g.VpnGatewayId!, `still used by ${otherUsers.get(g.VpnGatewayId!)!.join(", ")}`, true));
        continue;
      }
      const vifs = inUse.get(g.VpnGatewayId!);
      if (vifs) {
        const why = vifs.length
          ? `still in use by Direct Connect virtual interface${vifs.length > 1 ? "s" : ""} ${vifList(vifs)}`
          : "Direct Connect could not be read, so whether interfaces still use it is unknown";
        steps.push(keptStep("virtual private gateway", g.VpnGatewayId!, why, true));
        continue;
      }
      const attachments = (g.VpcAttachments ?? []).filter((a) => live(a.State) || a.State === "detaching");
      const detachIds = attachments.map((a) => `vgw-detach:${g.VpnGatewayId}:${a.VpcId}`);
      attachments.forEach((a, n) => {
        steps.push({
          id: detachIds[n]!,
          type: "vgw-detach",
          action: "delete",
          resource: "gateway attachment",
          resourceId: `${g.VpnGatewayId}/${a.VpcId}`,
          owned: true,
          summary: `attachment of ${g.VpnGatewayId} to ${a.VpcId}; wait until detached`,
          params: { vgwId: g.VpnGatewayId, vpcId: a.VpcId, state: a.State },
          dependsOn: [...after, ...propagationIds],
        });
      });
      steps.push({
        id: `vgw-delete:${g.VpnGatewayId}`,
        type: "vgw-delete",
        action: "delete",
        resource: "virtual private gateway",
        resourceId: g.VpnGatewayId!,
        owned: true,
        summary: `virtual private gateway ${g.VpnGatewayId}`,
        params: { vgwId: g.VpnGatewayId },
        dependsOn: [...detachIds, ...after],
      });
    }
    return steps;
  };
  return { propagation, propagationIds, gatewaySteps, warnings, inUse };
}

/** Record a deleted resource in the journal (for the failure report) and return its outcome. */
export function deletedOutcome(journal: Journal, step: PlanStep): StepOutcome {
  journal.record(step, step.resourceId!, "deleted");
  return { resourceId: step.resourceId! };
}

/**
 * Refuse to take a gateway off its VPC when a Direct Connect interface was put on it after the plan
 * was made (the plan keeps gateways in use; this closes the gap between plan and apply).
 */
async function checkNotInUse(ctx: Context, vgwId: string): Promise<void> {
  const { byVgw } = await vifsOnGateways(ctx, [vgwId]).catch(() => ({ byVgw: new Map<string, VirtualInterface[]>() }));
  const vifs = byVgw.get(vgwId);
  if (vifs) {
    throw new VpcwireError(
      `${vgwId} is now used by Direct Connect virtual interface${vifs.length > 1 ? "s" : ""} ${vifList(vifs)}; it was left attached. ` +
        `Run the same destroy again to see the new plan.`,
      1,
    );
  }
}

/** Runners for `keep`, `sg-revoke`, `disable-propagation`, `vgw-detach` and `vgw-delete` steps. */
export async function teardownRunners(
  ctx: Context,
  journal: Journal,
  timeoutMs: number,
): Promise<Record<"keep" | "sg-revoke" | "disable-propagation" | "vgw-detach" | "vgw-delete", StepRunner>> {
  const m = await ec2();
  const waitFor = untilDone(ctx, timeoutMs);
  return {
    keep: async (step) => ({ resourceId: step.resourceId! }),
    "sg-revoke": async (step) => {
      const p = step.params as { groupId: string; ruleId: string };
      await revokeSgRule(ctx, p);
      ctx.io.success(`security group rule ${p.ruleId} revoked from ${p.groupId}`);
      return deletedOutcome(journal, step);
    },
    "disable-propagation": async (step) => {
      const p = step.params as { routeTableId: string; vgwId: string };
      await checkNotInUse(ctx, p.vgwId);
      await retryWhileBlocked(ctx, {
        what: `route table ${p.routeTableId}`,
        call: () => send(ctx, "ec2", new m.DisableVgwRoutePropagationCommand({ GatewayId: p.vgwId, RouteTableId: p.routeTableId })),
        timeoutMs,
      });
      ctx.io.success(`propagation from ${p.vgwId} disabled on ${p.routeTableId}`);
      return { resourceId: p.routeTableId };
    },
    "vgw-detach": async (step) => {
      const p = step.params as { vgwId: string; vpcId: string; state?: string };
      if (p.state !== "detaching") {
        await checkNotInUse(ctx, p.vgwId);
        await retryWhileBlocked(ctx, {
          what: `attachment of ${p.vgwId}`,
          call: () => send(ctx, "ec2", new m.DetachVpnGatewayCommand({ VpnGatewayId: p.vgwId, VpcId: p.vpcId })),
          timeoutMs,
        });
      }
      await waitFor(
        `detach ${p.vgwId} from ${p.vpcId}`,
        async () => (await send(ctx, "ec2", new m.DescribeVpnGatewaysCommand({ VpnGatewayIds: [p.vgwId] }))).VpnGateways?.[0],
        (g) => {
          const state = g?.VpcAttachments?.find((a) => a.VpcId === p.vpcId)?.State ?? "detached";
          return state === "detached" ? true : state;
        },
      );
      return deletedOutcome(journal, step);
    },
    "vgw-delete": async (step) => {
      const id = String(step.params.vgwId);
      await retryWhileBlocked(ctx, {
        what: `virtual private gateway ${id}`,
        call: () => send(ctx, "ec2", new m.DeleteVpnGatewayCommand({ VpnGatewayId: id })),
        timeoutMs,
      });
      ctx.io.success(`virtual private gateway ${id} deleted`);
      return deletedOutcome(journal, step);
    },
  };
}
