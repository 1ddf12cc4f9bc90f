/** The only code of `flets isatap` that writes to AWS: one runner per plan step type. */
import { EnableVgwRoutePropagationCommand } from "@aws-sdk/client-ec2";
import { send } from "../aws/call.js";
import { sgRuleRunner } from "../aws/sg-rules.js";
import type { StepOutcome, StepRunner } from "../core/apply.js";
import type { Context } from "../core/context.js";

export function fletsRunners(ctx: Context, stack: string): Record<string, StepRunner> {
  return {
    "sg-rule": sgRuleRunner(ctx, stack, "flets"),

    async "route-propagation"(step): Promise<StepOutcome> {
      const rtb = String(step.params.routeTableId);
      const vgwId = String(step.params.gatewayId);
      if (step.action === "update") {
        await send(ctx, "ec2", new EnableVgwRoutePropagationCommand({ GatewayId: vgwId, RouteTableId: rtb }));
        ctx.io.success(`route propagation from ${vgwId} enabled on ${rtb}`);
      }
      // For the failure report: `vpcwire destroy --stack` revokes the stack's rule but leaves this on
      // (the gateway is not the stack's: NTT's Direct Connect interfaces use it; see lifecycle.ts).
      return { resourceId: rtb, state: `propagation from ${vgwId} on; vpcwire destroy leaves it on` };
    },
  };
}
