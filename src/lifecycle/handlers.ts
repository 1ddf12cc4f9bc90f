import { STACK_NAME_RE } from "../aws/tags.js";
import type { Handler } from "../cli/kit.js";
import type { Context } from "../core/context.js";
import { parseDuration } from "../core/duration.js";
import { flagError, UsageError, VpcwireError } from "../core/errors.js";
import type { Plan } from "../core/plan.js";
import { resolveRegion } from "../core/region.js";
import { destroyCommand, runWorkflow } from "../core/workflow.js";
import { allLifecycles } from "./kinds.js";
import type { KindLifecycle, StackSummary, StatusReport } from "./types.js";

function stackFlag(opts: Record<string, unknown>): string {
  const stack = opts.stack as string | undefined;
  if (!stack) throw new UsageError("missing required flags: --stack (see 'vpcwire list' for the stacks in this Region)");
  if (!STACK_NAME_RE.test(stack)) throw flagError("--stack", `"${stack}" is not a stack name (lowercase letters, digits and hyphens)`);
  return stack;
}

async function findStack(ctx: Context, stack: string): Promise<{ lifecycle: KindLifecycle; summary: StackSummary } | undefined> {
  for (const lifecycle of await allLifecycles()) {
    const [summary] = await lifecycle.discover(ctx, stack);
    if (summary) return { lifecycle, summary };
  }
  return undefined;
}

/** These commands read what exists: there is nothing to show offline. */
function refuseOffline(ctx: Context, command: string): void {
  if (ctx.config.offline) throw flagError("--offline", `${command} reads the stacks that exist in AWS; run it without --offline`);
}

class StackNotFound extends VpcwireError {
  constructor(stack: string, region: string | null) {
    super(`No resources tagged vpcwire:stack=${stack} in ${region ?? "this Region"} (see 'vpcwire list').`, 1);
  }
}

/** `vpcwire list` */
export const listStacks: Handler = async (ctx) => {
  refuseOffline(ctx, "list");
  const region = await resolveRegion(ctx);
  const lifecycles = await allLifecycles();
  // Every kind's reads finish before a failure is reported: their warnings come first, the one error last.
  const found = await Promise.allSettled(lifecycles.map((l) => l.discover(ctx)));
  const failed = found.find((f) => f.status === "rejected");
  if (failed) throw failed.reason;
  const stacks = found.flatMap((f) => (f.status === "fulfilled" ? f.value : []));
  if (ctx.config.json) {
    ctx.io.result(JSON.stringify({ schemaVersion: 1, ok: true, region, stacks }, null, 2));
    return 0;
  }
  if (stacks.length === 0) {
    ctx.io.info(`No vpcwire stacks in ${region}.`);
    return 0;
  }
  const rows = stacks.map((s) => [s.stack, s.kind, s.state, s.resources.map((r) => `${r.id}${r.owned ? "" : " (reused)"}`).join(", ")]);
  const head = ["STACK", "KIND", "STATE", "RESOURCES"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  ctx.io.result([line(head), ...rows.map(line)].join("\n"));
  return 0;
};

function formatStatus(ctx: Context, summary: StackSummary, report: StatusReport, region: string | null): string {
  const { style } = ctx.io;
  const mark = (ok: boolean | null) => (ok === true ? style.green("✔") : ok === false ? style.red("✖") : style.dim("·"));
  const out = [
    `Stack ${style.bold(summary.stack)} (${summary.kind}, ${region ?? "?"}): ${report.healthy ? style.green("healthy") : style.red("something is down")}`,
  ];
  for (const section of report.sections) {
    out.push(`${section.title}`);
    for (const l of section.lines) out.push(`  ${mark(l.ok)} ${l.text}`);
  }
  return out.join("\n");
}

/** `vpcwire status --stack NAME [--watch]` */
export const stackStatus: Handler = async (ctx, opts) => {
  const stack = stackFlag(opts);
  refuseOffline(ctx, "status");
  if (opts.interval !== undefined && !opts.watch) throw flagError("--interval", "goes with --watch");
  const interval = parseDuration(String(opts.interval ?? "10s"));
  if (interval === undefined) throw flagError("--interval", `"${String(opts.interval)}" is not a duration (e.g. 10s, 1m)`);
  const region = await resolveRegion(ctx);
  const found = await findStack(ctx, stack);
  if (!found) throw new StackNotFound(stack, region);
  const once = async () => {
    const report = await found.lifecycle.status(ctx, found.summary);
    if (ctx.config.json) {
      const doc = {
        schemaVersion: 1,
        ok: true,
        stack,
        kind: found.summary.kind,
        region,
        healthy: report.healthy,
        resources: found.summary.resources,
        ...report.data,
      };
      // With --watch, one document per line (NDJSON).
      ctx.io.result(opts.watch ? JSON.stringify(doc) : JSON.stringify(doc, null, 2));
    } else {
      if (opts.watch) ctx.io.result(`--- ${new Date(ctx.now()).toISOString()}`);
      ctx.io.result(formatStatus(ctx, found.summary, report, region));
    }
    return report.healthy ? 0 : 1;
  };
  let code = await once();
  while (opts.watch) {
    try {
      await ctx.sleep(interval, ctx.signal);
    } catch {
      // Ctrl-C is how a watch ends: exit like any interrupted command.
      return 130;
    }
    code = await once();
  }
  return code;
};

/** `vpcwire destroy --stack NAME` */
export const destroyStack: Handler = async (ctx, opts) => {
  const stack = stackFlag(opts);
  refuseOffline(ctx, "destroy");
  const region = await resolveRegion(ctx);
  const found = await findStack(ctx, stack);
  if (!found) {
    ctx.io.success(`Nothing to remove: no resources tagged vpcwire:stack=${stack} in ${region}.`);
    if (ctx.config.json) ctx.io.result(JSON.stringify({ schemaVersion: 1, ok: true, complete: true, stack, region, deleted: [], kept: [] }, null, 2));
    return 0;
  }
  const { lifecycle, summary } = found;
  const { steps, warnings } = await lifecycle.destroySteps(ctx, summary);
  const plan: Plan = { schemaVersion: 1, command: "destroy", kind: summary.kind, stack, region, offline: false, steps, warnings };
  const command = destroyCommand(stack, ctx.config, true);
  const outcome = await runWorkflow(ctx, {
    plan,
    runners: (journal) => lifecycle.destroyRunners(ctx, summary, journal),
    resumeCommand: command,
    destroyCommand: command,
    confirm: { message: `Delete these resources of stack ${stack}?`, default: false, requireYes: true },
    finish: async () => {
      const deleted = steps.filter((s) => s.action === "delete").map((s) => ({ type: s.resource, id: s.resourceId }));
      // `owned` kept steps: the stack's own, still in use (a gateway Direct Connect interfaces use); the plan's warnings say why.
      const kept = steps.filter((s) => s.type === "keep").map((s) => ({ type: s.resource, id: s.resourceId, ...(s.owned ? { inUse: true } : {}) }));
      return { deleted, kept };
    },
  });
  if (outcome.kind === "applied") {
    const { deleted, kept } = outcome.result;
    if (ctx.config.json) {
      // complete: false when something the stack owns is kept because it is still in use.
      ctx.io.result(JSON.stringify({ schemaVersion: 1, ok: true, complete: !kept.some((k) => k.inUse), stack, region, deleted, kept }, null, 2));
    } else {
      const reused = kept.filter((k) => !k.inUse);
      const inUse = kept.filter((k) => k.inUse);
      const text =
        `${deleted.length} resource${deleted.length === 1 ? "" : "s"} deleted` +
        (reused.length ? `, kept ${reused.map((k) => k.id).join(", ")} (not created by this stack)` : "") +
        ".";
      if (inUse.length) {
        ctx.io.warn(
          `Stack ${stack} is not removed yet: ${text} ${inUse.map((k) => k.id).join(", ")} ${inUse.length > 1 ? "are" : "is"} the stack's own but still in use (see the warnings above); ` +
            `run the same destroy again once ${inUse.length > 1 ? "they are" : "it is"} free.`,
        );
      } else {
        ctx.io.success(`Stack ${stack} removed: ${text}`);
      }
    }
  }
  return 0;
};
