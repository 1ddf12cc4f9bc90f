/**
 * The writes around a virtual private gateway, shared by every capability that puts one on a VPC:
 * create (or wait for) the gateway, attach it, and enable route propagation. Each capability passes
 * its stack and kind so the gateway is tagged as its own at creation.
 */
import { AttachVpnGatewayCommand, CreateVpnGatewayCommand, DescribeVpnGatewaysCommand, EnableVgwRoutePropagationCommand } from "@aws-sdk/client-ec2";
import type { Journal, StepOutcome, StepResults, StepRunner } from "../core/apply.js";
import type { Context } from "../core/context.js";
import type { Kind, PlanStep } from "../core/plan.js";
import { waiter } from "../core/wait.js";
import { send } from "./call.js";
import { tagSpec } from "./tags.js";

/** The id a finished step produced (a created gateway, a reused connection). */
export function idOf(results: StepResults, stepId: string): string {
  const id = results.get(stepId)?.resourceId;
  if (!id) throw new Error(`step ${stepId} produced no id`);
  return id;
}

export interface VgwRunnerOptions {
  /** Tags a created gateway with this stack... */
  stack: string;
  /** ...and this kind. */
  kind: Kind;
  journal: Journal;
  timeoutMs: number;
}

/**
 * Runners for the step types `vpn-gateway` (step id `vgw`), `vgw-attachment` (id `attach`) and
 * `route-propagation`, as planned by src/aws/vgw-plan.ts.
 */
export function vgwRunners(ctx: Context, opts: VgwRunnerOptions): Record<"vpn-gateway" | "vgw-attachment" | "route-propagation", StepRunner> {
  const wait = waiter(ctx, opts.timeoutMs);
  const describeVgw = async (id: string) => (await send(ctx, "ec2", new DescribeVpnGatewaysCommand({ VpnGatewayIds: [id] }))).VpnGateways?.[0];

  return {
    async "vpn-gateway"(step: PlanStep): Promise<StepOutcome> {
      let id = step.resourceId;
      if (step.action === "create") {
        const out = await send(
          ctx,
          "ec2",
          new CreateVpnGatewayCommand({
            Type: "ipsec.1",
            AmazonSideAsn: Number(step.params.amazonAsn),
            TagSpecifications: tagSpec("vpn-gateway", opts.stack, opts.kind, "vgw"),
          }),
        );
        id = out.VpnGateway!.VpnGatewayId!;
        opts.journal.created(step.resource, id, out.VpnGateway?.State);
      }
      // A gateway must be available before it can be attached.
      await wait(
        `virtual private gateway ${id}`,
        `virtual private gateway ${id}`,
        () => describeVgw(id!),
        (g) =>
          g?.State === "available"
            ? { status: "done", state: "available" }
            : g?.State === "deleting" || g?.State === "deleted"
              ? { status: "failed", state: g.State, reason: "the gateway is being deleted" }
              : { status: "wait", state: g?.State ?? "not visible yet" },
      );
      return { resourceId: id!, state: "available" };
    },

    async "vgw-attachment"(step, results): Promise<StepOutcome> {
      const vgwId = idOf(results, "vgw");
      const vpcId = String(step.params.vpcId);
      if (step.action === "create") {
        try {
          await send(ctx, "ec2", new AttachVpnGatewayCommand({ VpcId: vpcId, VpnGatewayId: vgwId }));
        } catch (error) {
          // A concurrent or earlier attach of the same pair is fine; anything else is not.
          const g = await describeVgw(vgwId);
          if (!g?.VpcAttachments?.some((a) => a.VpcId === vpcId && (a.State === "attached" || a.State === "attaching"))) throw error;
        }
      }
      if (step.action !== "no-op") {
        await wait(
          `attachment of ${vgwId} to ${vpcId}`,
          `attach ${vgwId} to ${vpcId}`,
          () => describeVgw(vgwId),
          (g) => {
            const state = g?.VpcAttachments?.find((a) => a.VpcId === vpcId)?.State ?? "not visible yet";
            if (state === "attached") return { status: "done", state };
            if (state === "detaching" || state === "detached") return { status: "failed", state, reason: "the gateway was detached" };
            return { status: "wait", state };
          },
        );
      }
      return { resourceId: `${vgwId}/${vpcId}`, state: "attached" };
    },

    "route-propagation": propagationRunner(ctx),
  };
}

/**
 * The `route-propagation` runner: enable propagation from the gateway, taken from the step's params
 * (`gatewayId`) or from the plan's `vgw` step. `note` becomes the outcome's state, for the failure report.
 */
export function propagationRunner(ctx: Context, note?: (vgwId: string) => string): StepRunner {
  return async (step, results) => {
    const vgwId = typeof step.params.gatewayId === "string" ? step.params.gatewayId : idOf(results, "vgw");
    const rtb = String(step.params.routeTableId);
    if (step.action === "update") {
      await send(ctx, "ec2", new EnableVgwRoutePropagationCommand({ GatewayId: vgwId, RouteTableId: rtb }));
      ctx.io.success(`route propagation from ${vgwId} enabled on ${rtb}`);
    }
    return { resourceId: rtb, ...(note ? { state: note(vgwId) } : {}) };
  };
}
