import type { Handler } from "../cli/kit.js";
import type { Journal, StepResults, StepRunner } from "./apply.js";
import type { Context, GlobalConfig } from "./context.js";
import { UsageError } from "./errors.js";
import { givenFlags } from "./flags.js";
import type { Plan } from "./plan.js";
import { knownRegion, resolveRegion } from "./region.js";
import { destroyCommand, runWorkflow, shellJoin } from "./workflow.js";

/** What `validate` may look at besides the flags. */
export interface ValidateEnv {
  /** The Region as far as it is known (flags, environment, then the profile once the SDK is asked). */
  region?: string;
  cwd: string;
  config: GlobalConfig;
}

/** Where a plan is made. */
export interface PlanWhere {
  region: string | null;
  /** No AWS call was made: facts are placeholders. */
  offline: boolean;
}

/** A line for people on stderr. */
export interface Message {
  level: "info" | "success" | "warn";
  text: string;
}

/**
 * What a finished create returns: data, not output. The pipeline prints either the JSON document (with
 * `schemaVersion`, `ok`, `command`, `stack` and `region` put in front) or the text for people.
 */
export interface Finished {
  /** The result fields of the `--json` document. */
  document: Record<string, unknown>;
  /** For people, on stdout: a rendered config or files. Not printed with `--json`. */
  stdout?: string;
  /** For people, on stderr, after `stdout`. Not printed with `--json`. */
  messages?: Message[];
  /** `ok: false` and exit 1 when the run finished but something is not healthy (e.g. unhealthy targets). */
  ok?: boolean;
}

/** Extra output of `--dry-run` next to the plan (a config preview). */
export interface Preview {
  text?: string;
  json?: Record<string, unknown>;
}

/**
 * One create command, declared. The pipeline around it (missing flags, the wizard, validation, the
 * Region, `--offline`, dry-run, confirmation, apply, failure report, output) lives once, in `createHandler`.
 * A capability supplies only what is its own.
 */
export interface CreateCommand<Flags extends object, Input, Facts> {
  /** `vpn create`: the plan's and the JSON document's `command`. */
  command: string;
  /** Required flags that were not given (`--vpc-id`); the wizard asks for them in a terminal. */
  missing(flags: Flags): string[];
  /** Values standing in for what the wizard will ask, so the flags that were given are checked before any question. */
  standIns(flags: Flags): Partial<Flags>;
  /** Flags (typed or answered) to checked input; throws a UsageError naming the flag. No AWS call. */
  validate(flags: Flags, env: ValidateEnv): Input;
  /** The questions for what the flags did not give (imported lazily by the capability). */
  wizard(ctx: Context, flags: Flags, region: string | null): Promise<Flags>;
  /**
   * The wizard can go on without a Region (it then asks instead of listing the account), so one that
   * cannot be resolved reaches it as `null` rather than failing before the first question. @default false
   */
  wizardWithoutRegion?: boolean;
  /** Whether this input needs AWS at all; when not, no Region is required and `observe` must not call AWS. @default true */
  readsAws?(input: Input, config: GlobalConfig): boolean;
  /** The same run as flags, without questions: shown after the wizard, and the resume line of a failure. */
  argv(input: Input, config: GlobalConfig): string[];
  stack(input: Input): string;
  /** All reads. With `where.offline`, no call: placeholder facts. May refuse input that the account contradicts (UsageError). */
  observe(ctx: Context, input: Input, where: PlanWhere): Promise<Facts>;
  /** Pure: what to create, reuse, update or leave. Unit tests drive it without AWS. */
  decide(input: Input, facts: Facts, where: PlanWhere): Plan;
  /** The write side, imported only when some step has work to do. */
  runners(ctx: Context, input: Input, facts: Facts, journal: Journal): Promise<Record<string, StepRunner>>;
  /** Checks after planning and before any write that need the plan (e.g. files in the way). */
  beforeApply?(ctx: Context, input: Input, facts: Facts, plan: Plan): void;
  /** `--dry-run` output beside the plan. */
  preview?(ctx: Context, input: Input, facts: Facts, plan: Plan): Preview | Promise<Preview>;
  /** After a successful apply: write files, build the result. */
  finish(ctx: Context, input: Input, facts: Facts, results: StepResults, plan: Plan): Promise<Finished>;
  /** Said when a re-run found everything in place. */
  converged?(input: Input, facts: Facts, plan: Plan): string | undefined;
}

/** A Region that cannot be resolved, for a wizard that does without one. */
function noRegion(error: unknown): null {
  if (error instanceof UsageError) return null;
  throw error;
}

/** Turn a declared create command into the commander handler. */
export function createHandler<Flags extends object, Input, Facts>(def: CreateCommand<Flags, Input, Facts>): Handler {
  return async (ctx, opts) => {
    const { io, config } = ctx;
    let flags = givenFlags<Flags>(opts);
    const env = (region: string | null | undefined): ValidateEnv => ({ ...(region ? { region } : {}), cwd: ctx.cwd, config });

    const missing = def.missing(flags);
    if (missing.length > 0) {
      const list = missing.join(", ");
      if (!io.interactive) throw new UsageError(`missing required flags: ${list} (vpcwire asks for them only in an interactive terminal)`);
      if (config.offline) throw new UsageError(`missing required flags: ${list} (the wizard reads AWS, so it cannot run with --offline)`);
      // Check what was given before asking for the rest, so a typo fails now rather than after the questions.
      def.validate({ ...def.standIns(flags), ...flags }, env(knownRegion(ctx)));
      const region = def.wizardWithoutRegion ? await resolveRegion(ctx).catch(noRegion) : await resolveRegion(ctx);
      flags = await def.wizard(ctx, flags, region);
    }

    const known = knownRegion(ctx);
    let input = def.validate(flags, env(known));
    const readsAws = (def.readsAws?.(input, config) ?? true) && !config.offline;
    const region = readsAws ? await resolveRegion(ctx) : known;
    // The profile may name a Region the flags and environment did not: rules that depend on it are checked again.
    if (region && region !== known) input = def.validate(flags, env(region));
    const argv = def.argv(input, config);
    if (missing.length > 0) io.info(`The same run without questions:\n  ${shellJoin(argv)}`);

    const where: PlanWhere = { region, offline: config.offline };
    const facts = await def.observe(ctx, input, where);
    const plan = def.decide(input, facts, where);
    def.beforeApply?.(ctx, input, facts, plan);

    const stack = def.stack(input);
    const outcome = await runWorkflow(ctx, {
      plan,
      runners: (journal) => def.runners(ctx, input, facts, journal),
      resumeCommand: shellJoin(argv),
      destroyCommand: destroyCommand(stack, config),
      ...(def.preview ? { dryRunExtra: async () => def.preview!(ctx, input, facts, plan) } : {}),
      finish: (results) => def.finish(ctx, input, facts, results, plan),
    });
    if (outcome.kind === "dry-run") {
      const out = (flags as { out?: unknown }).out;
      if (typeof out === "string") io.info(`--dry-run: nothing was written to ${out} (the same command without --dry-run writes it)`);
      return 0;
    }

    const finished = outcome.result;
    const ok = finished.ok ?? true;
    if (config.json) {
      io.result(JSON.stringify({ schemaVersion: 1, ok, command: def.command, stack, region, ...finished.document }, null, 2));
    } else {
      if (finished.stdout !== undefined) io.result(finished.stdout);
      for (const m of finished.messages ?? []) io[m.level](m.text);
      const same = outcome.converged ? def.converged?.(input, facts, plan) : undefined;
      if (same) io.success(same);
    }
    return ok ? 0 : 1;
  };
}
