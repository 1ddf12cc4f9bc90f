import type { VirtualInterface } from "@aws-sdk/client-direct-connect";
import type { Handler } from "../cli/kit.js";
import type { StepResults } from "../core/apply.js";
import type { Context } from "../core/context.js";
import { type CreateCommand, createHandler, type Finished, type Message } from "../core/create-command.js";
import { vifLoader } from "./aws.js";
import { type DxAcceptFlags, type DxAcceptInput, dxAcceptArgv, missingDxAcceptFlags, validateDxAcceptFlags } from "./inputs.js";
import { type DxFacts, decideDx, observeDx } from "./plan.js";
import { type DxReport, formatDxReport, readDxReport } from "./report.js";

/** `vpcwire dx accept-vif`: input -> plan -> confirm -> accept, wait, propagate -> report of what arrived. */
export const dxAcceptCommand: CreateCommand<DxAcceptFlags, DxAcceptInput, DxFacts> = {
  command: "dx accept-vif",
  missing: missingDxAcceptFlags,
  standIns: (flags) => ({
    vifId: ["dxvif-00000000"],
    ...(flags.vpcId || flags.vgwId || flags.dxGatewayId ? {} : { vpcId: "vpc-00000000" }),
  }),
  validate: (flags) => validateDxAcceptFlags(flags),
  wizard: async (ctx, flags, region) => (await import("./wizard.js")).dxAcceptWizard(ctx, flags, region),
  argv: dxAcceptArgv,
  stack: (input) => input.stack,
  observe: observeDx,
  decide: decideDx,
  runners: async (ctx, input, _facts, journal) => (await import("./runners.js")).dxRunners(ctx, input, journal),
  finish: (ctx, input, facts, results) => finishAccept(ctx, input, facts, results),
  converged: (input) => `Every interface of stack ${input.stack} was already accepted; nothing was changed.`,
};

export const dxAcceptVif: Handler = createHandler(dxAcceptCommand);

/** Read the interfaces again after propagation, so the report shows the routes that arrived. */
async function finishAccept(ctx: Context, input: DxAcceptInput, facts: DxFacts, results: StepResults): Promise<Finished> {
  const load = vifLoader(ctx);
  const vifs = (await Promise.all(input.vifIds.map((id) => load(id)))).filter((v): v is VirtualInterface => Boolean(v));
  const report = await readDxReport(ctx, vifs, input.target.kind === "dxgw" ? {} : { routeTables: input.routeTables });
  const target =
    input.target.kind === "dxgw"
      ? { directConnectGatewayId: input.target.dxGatewayId }
      : { virtualGatewayId: results.get("vgw")?.resourceId ?? null, vpcId: facts.vpcId ?? null };
  return { document: { target, waitBgp: input.waitBgp, ...report }, stdout: formatDxReport(report), messages: acceptMessages(input, report) };
}

/** What people read after the report: interfaces still waiting for BGP, tables left out, problems, the verdict. */
export function acceptMessages(input: DxAcceptInput, report: DxReport): Message[] {
  const messages: Message[] = [];
  const down = report.virtualInterfaces.filter((v) => v.state === "down");
  if (down.length) {
    messages.push({
      level: "warn",
      text:
        `${down.map((v) => v.virtualInterfaceId).join(", ")} ${down.length > 1 ? "are" : "is"} accepted, but the BGP session with the partner/on-prem router is not up yet. ` +
        `Wait for it with --wait-bgp, or check later: vpcwire dx status --stack ${input.stack}`,
    });
  }
  const notChosen = report.virtualPrivateGateways.flatMap((g) => g.routeTables.filter((t) => !t.propagation && t.chosen === false).map((t) => t.routeTableId));
  if (notChosen.length && input.routeTables !== "none") {
    messages.push({ level: "info", text: `Route tables without propagation (not chosen): ${notChosen.join(", ")}.` });
  }
  for (const g of report.virtualPrivateGateways) if (g.problem) messages.push({ level: "warn", text: g.problem });
  if (report.healthy) {
    messages.push({
      level: "success",
      text: `Direct Connect is up for stack ${input.stack}. Check it any time with: vpcwire dx status --stack ${input.stack}`,
    });
  }
  return messages;
}
