/** The only code of `flets isatap` that writes to AWS: one runner per plan step type. */
import { sgRuleRunner } from "../aws/sg-rules.js";
import { propagationRunner } from "../aws/vgw-runners.js";
import type { StepRunner } from "../core/apply.js";
import type { Context } from "../core/context.js";

export function fletsRunners(ctx: Context, stack: string): Record<string, StepRunner> {
  return {
    "sg-rule": sgRuleRunner(ctx, stack, "flets"),
    // For the failure report: `vpcwire destroy --stack` revokes the stack's rule but leaves this on
    // (the gateway is not the stack's: NTT's Direct Connect interfaces use it; see lifecycle.ts).
    "route-propagation": propagationRunner(ctx, (vgwId) => `propagation from ${vgwId} on; vpcwire destroy leaves it on`),
  };
}
