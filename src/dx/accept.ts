import type { VirtualInterface } from "@aws-sdk/client-direct-connect";
import type { Handler } from "../cli/kit.js";
import type { StepResults } from "../core/apply.js";
import type { Context } from "../core/context.js";
import { UsageError } from "../core/errors.js";
import { resolveRegion } from "../core/region.js";
import { destroyCommand, runWorkflow, shellJoin } from "../core/workflow.js";
import { vifLoader } from "./aws.js";
import { checkGivenDxAcceptFlags, type DxAcceptFlags, type DxAcceptInput, dxAcceptArgv, missingDxAcceptFlags, validateDxAcceptFlags } from "./inputs.js";
import { type DxFacts, planDxAccept } from "./plan.js";
import { formatDxReport, readDxReport } from "./report.js";

/** `vpcwire dx accept-vif`: input -> plan -> confirm -> accept, wait, propagate -> report of what arrived. */
export const dxAcceptVif: Handler = async (ctx, opts) => {
  let flags = opts as DxAcceptFlags;
  // Flags first (exit 2 naming the flag), then the Region: no rule here depends on it.
  const missing = missingDxAcceptFlags(flags);
  if (missing.length > 0) {
    if (!ctx.io.interactive) {
      throw new UsageError(`missing required flags: ${missing.join(", ")} (vpcwire asks for them only in an interactive terminal)`);
    }
    checkGivenDxAcceptFlags(flags);
    if (ctx.config.offline) throw new UsageError(`missing required flags: ${missing.join(", ")} (the wizard reads AWS, so it cannot run with --offline)`);
    const { dxAcceptWizard } = await import("./wizard.js");
    flags = await dxAcceptWizard(ctx, flags, await resolveRegion(ctx));
  }
  const input = validateDxAcceptFlags(flags);
  const region = await resolveRegion(ctx);
  const argv = dxAcceptArgv(input, ctx.config);
  if (missing.length > 0) ctx.io.info(`The same run without questions:\n  ${shellJoin(argv)}`);

  const { plan, facts } = await planDxAccept(ctx, input, region);
  const outcome = await runWorkflow(ctx, {
    plan,
    runners: async (journal) => (await import("./runners.js")).dxRunners(ctx, input, journal, region),
    resumeCommand: shellJoin(argv),
    destroyCommand: destroyCommand(input.stack, ctx.config),
    finish: (results) => finishAccept(ctx, input, facts, results, region),
  });
  if (outcome.kind === "applied" && outcome.converged) {
    ctx.io.success(`Every interface of stack ${input.stack} was already accepted; nothing was changed.`);
  }
  return 0;
};

async function finishAccept(ctx: Context, input: DxAcceptInput, facts: DxFacts, results: StepResults, region: string | null) {
  // Read again after propagation so the report shows the routes that arrived.
  const load = vifLoader(ctx);
  const vifs = (await Promise.all(input.vifIds.map((id) => load(id)))).filter((v): v is VirtualInterface => Boolean(v));
  const report = await readDxReport(ctx, vifs, input.target.kind === "dxgw" ? {} : { routeTables: input.routeTables });
  const target =
    input.target.kind === "dxgw"
      ? { directConnectGatewayId: input.target.dxGatewayId }
      : { virtualGatewayId: results.get("vgw")?.resourceId ?? facts.gatewayLabel, vpcId: facts.vpcId ?? null };
  const doc = {
    schemaVersion: 1,
    ok: true,
    command: "dx accept-vif",
    stack: input.stack,
    region,
    target,
    waitBgp: input.waitBgp,
    ...report,
  };
  const { io } = ctx;
  if (ctx.config.json) {
    io.result(JSON.stringify(doc, null, 2));
    return doc;
  }
  io.result(formatDxReport(report));
  const down = report.virtualInterfaces.filter((v) => v.state === "down");
  if (down.length) {
    io.warn(
      `${down.map((v) => v.virtualInterfaceId).join(", ")} ${down.length > 1 ? "are" : "is"} accepted, but the BGP session with the partner/on-prem router is not up yet. ` +
        `Wait for it with --wait-bgp, or check later: vpcwire dx status --stack ${input.stack}`,
    );
  }
  const notChosen = report.virtualPrivateGateways.flatMap((g) => g.routeTables.filter((t) => !t.propagation && t.chosen === false).map((t) => t.routeTableId));
  if (notChosen.length && input.routeTables !== "none") {
    io.info(`Route tables without propagation (not chosen): ${notChosen.join(", ")}.`);
  }
  for (const g of report.virtualPrivateGateways) if (g.problem) io.warn(g.problem);
  if (report.healthy) io.success(`Direct Connect is up for stack ${input.stack}. Check it any time with: vpcwire dx status --stack ${input.stack}`);
  return doc;
}
