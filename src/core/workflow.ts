import { applyPlan, Journal, type StepResults, type StepRunner } from "./apply.js";
import type { Context } from "./context.js";
import { AbortedError, ApplyError, InterruptedError, UsageError } from "./errors.js";
import { formatPlan, type Plan, planIsNoop } from "./plan.js";

export interface WorkflowOptions<R> {
  plan: Plan;
  /**
   * Builds the runners; receives the journal so runners can report a resource the moment it exists.
   * May be async so capabilities import their write code (and the SDK) only when they apply.
   */
  runners: (journal: Journal) => Record<string, StepRunner> | Promise<Record<string, StepRunner>>;
  /** The command that continues an interrupted run (same inputs, same stack). */
  resumeCommand: string;
  destroyCommand: string;
  /** After a successful apply: render configs, build the result document. */
  finish: (results: StepResults) => Promise<R>;
  /**
   * Confirmation: by default creates ask "Apply this plan?" (yes by default) in a terminal and run
   * straight through in scripts. Destructive commands ask with "no" as the default and, off a terminal,
   * refuse to run without --yes.
   */
  confirm?: { message: string; default: boolean; requireYes: boolean };
  /** Extra text for --dry-run (for example the router config preview of an offline plan). */
  dryRunExtra?: () => Promise<{ text?: string; json?: Record<string, unknown> }>;
}

export type WorkflowOutcome<R> = { kind: "dry-run" } | { kind: "applied"; result: R; converged: boolean };

/**
 * The one path every capability takes after its plan is built:
 * --dry-run prints the plan and stops (the single write boundary), otherwise show the plan,
 * confirm when interactive, apply, and finish. Commands never test `dryRun` themselves.
 */
export async function runWorkflow<R>(ctx: Context, opts: WorkflowOptions<R>): Promise<WorkflowOutcome<R>> {
  const { plan } = opts;
  const { io } = ctx;
  if (ctx.config.dryRun) {
    const extra = (await opts.dryRunExtra?.()) ?? {};
    if (ctx.config.json) {
      io.result(JSON.stringify({ ...plan, ok: true, ...(extra.json ?? {}) }, null, 2));
    } else {
      io.result(formatPlan(plan, io.style));
      if (extra.text) io.result(`\n${extra.text}`);
    }
    return { kind: "dry-run" };
  }

  const converged = planIsNoop(plan);
  const confirm = opts.confirm ?? { message: "Apply this plan?", default: true, requireYes: false };
  if (confirm.requireYes && !converged && !io.interactive && !ctx.config.yes) {
    throw new UsageError(`--yes: ${plan.command} changes AWS and vpcwire is not running interactively; add --yes to confirm`);
  }
  if (!ctx.config.json) io.info(formatPlan(plan, io.style));
  if (io.interactive && !converged) {
    const ok = await io.prompt.confirm({ message: confirm.message, default: confirm.default });
    if (!ok) throw new AbortedError();
  }
  if (ctx.signal.aborted) throw new InterruptedError("Interrupted before anything was changed.", "signal");

  const journal = new Journal();
  try {
    const results = await applyPlan(
      plan,
      // Write code (and the SDK) is loaded only when some step has work to do.
      {
        runners: plan.steps.some((st) => st.action !== "no-op") ? await opts.runners(journal) : {},
        resumeCommand: opts.resumeCommand,
        destroyCommand: opts.destroyCommand,
      },
      journal,
    );
    return { kind: "applied", result: await opts.finish(results), converged };
  } catch (error) {
    if (error instanceof ApplyError) throw error;
    throw new ApplyError(error instanceof Error ? error : new Error(String(error)), {
      existing: journal.resources(),
      resumeCommand: opts.resumeCommand,
      destroyCommand: opts.destroyCommand,
    });
  }
}

/** The global options that pick the account and endpoint, as flags, for commands vpcwire suggests. */
export function globalArgv(config: { region?: string; profile?: string; endpointUrl?: string }): string[] {
  return [
    ...(config.region ? ["--region", config.region] : []),
    ...(config.profile ? ["--profile", config.profile] : []),
    ...(config.endpointUrl ? ["--endpoint-url", config.endpointUrl] : []),
  ];
}

/** `vpcwire destroy --stack NAME ...`, the undo line of every failure report. */
export function destroyCommand(stack: string, config: { region?: string; profile?: string; endpointUrl?: string }, yes = false): string {
  return shellJoin(["vpcwire", "destroy", "--stack", stack, ...(yes ? ["--yes"] : []), ...globalArgv(config)]);
}

/** Shell-quote argv for the "run this to continue" lines. */
export function shellJoin(args: string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}
