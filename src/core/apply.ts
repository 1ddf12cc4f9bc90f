import { ApplyError, type ExistingResource, VpcwireError } from "./errors.js";
import type { Plan, PlanStep } from "./plan.js";

/** What a runner reports back: the id it created or confirmed, and anything later steps need. */
export interface StepOutcome {
  resourceId?: string;
  state?: string;
  data?: Record<string, unknown>;
}

export type StepResults = Map<string, StepOutcome>;

/**
 * Executes one step. `results` holds the outcomes of the steps it depends on (a VPN connection reads
 * the gateway ids from there). Runners are the only code that writes to AWS.
 */
export type StepRunner = (step: PlanStep, results: StepResults) => Promise<StepOutcome>;

export interface ApplyOptions {
  /** Runner per step type. */
  runners: Record<string, StepRunner>;
  /** What to tell the user when the run stops part-way. */
  resumeCommand: string;
  destroyCommand: string;
  /** Called as resources come into existence (before the step finishes waiting), for the failure report. */
  onCreated?: (resource: ExistingResource) => void;
}

/**
 * Run the plan's steps, each as soon as the steps it depends on are done; independent steps run
 * concurrently. On the first failure no new step starts, the running ones are allowed to settle,
 * and an ApplyError says what exists and how to resume or remove it.
 */
export async function applyPlan(plan: Plan, opts: ApplyOptions, journal = new Journal()): Promise<StepResults> {
  const results: StepResults = new Map();
  const remaining = new Map(plan.steps.map((s) => [s.id, s]));
  const running = new Map<string, Promise<void>>();
  let failure: { step: PlanStep; error: unknown } | undefined;
  // Where the journal's create log stood when each step started, to tell what a failed step created.
  const createdMark = new Map<string, number>();

  for (const step of plan.steps) {
    if (step.resourceId && step.action === "reuse") journal.record(step, step.resourceId);
    for (const dep of step.dependsOn) {
      if (!remaining.has(dep)) throw new Error(`plan step ${step.id} depends on unknown step ${dep}`);
    }
  }

  const start = (step: PlanStep) => {
    remaining.delete(step.id);
    if (step.action === "no-op") {
      // Nothing to do and nothing to wait for: the known id is the outcome.
      results.set(step.id, step.resourceId ? { resourceId: step.resourceId } : {});
      return;
    }
    const runner = opts.runners[step.type];
    if (!runner) throw new Error(`no runner for step type ${step.type}`);
    createdMark.set(step.id, journal.createdCount);
    const p = runner(step, results).then(
      (outcome) => {
        results.set(step.id, outcome);
        if (outcome.resourceId && step.action !== "no-op") journal.record(step, outcome.resourceId, outcome.state);
      },
      (error: unknown) => {
        failure ??= { step, error };
      },
    );
    running.set(
      step.id,
      p.finally(() => running.delete(step.id)),
    );
  };

  while (remaining.size > 0 || running.size > 0) {
    // Start everything whose dependencies are done; no-op steps finish at once and may unblock more.
    for (let progressed = !failure; progressed; ) {
      progressed = false;
      for (const step of [...remaining.values()]) {
        if (step.dependsOn.every((d) => results.has(d))) {
          start(step);
          progressed = true;
        }
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }

  if (failure) {
    const cause = failure.error instanceof Error ? failure.error : new Error(String(failure.error));
    throw new ApplyError(cause, {
      existing: journal.resources(),
      resumeCommand: opts.resumeCommand,
      destroyCommand: opts.destroyCommand,
      failedStep: describeFailedStep(plan, failure.step, results, journal.createdSince(createdMark.get(failure.step.id) ?? 0)),
    });
  }
  if (remaining.size > 0) {
    throw new VpcwireError(`plan has a dependency cycle among: ${[...remaining.keys()].join(", ")}`, 1);
  }
  return results;
}

/** A placeholder a plan writes for an id that exists only once its step has run, e.g. `<new-vpn-id>`. */
const PLACEHOLDER_ID = /<new-[a-z0-9-]+>/;

/**
 * The failed step's summary with the placeholders of ids known by now filled in: the plan said
 * `VPN connection <new-vpn-id>`, but once the create call returned, the report names the connection.
 * A create step's own placeholder is the first one in its summary.
 */
function describeFailedStep(plan: Plan, failed: PlanStep, results: StepResults, createdMeanwhile: ExistingResource[]): string {
  const claimed = new Set([...results.values()].map((r) => r.resourceId));
  const own = createdMeanwhile.filter((r) => r.kind === failed.resource && !claimed.has(r.id));
  const known = new Map<string, string>();
  for (const step of plan.steps) {
    const placeholder = step.action === "create" ? PLACEHOLDER_ID.exec(step.summary)?.[0] : undefined;
    const id = step === failed ? (own.length === 1 ? own[0]!.id : undefined) : results.get(step.id)?.resourceId;
    if (placeholder && id && !known.has(placeholder)) known.set(placeholder, id);
  }
  return failed.summary.replace(new RegExp(PLACEHOLDER_ID.source, "g"), (p) => known.get(p) ?? p);
}

/**
 * What exists so far. Runners call `created` the moment a create call returns, so a failure while
 * waiting on that resource still reports it.
 */
export class Journal {
  private readonly byId = new Map<string, ExistingResource>();
  /** Every `created` call in order (the failure report names what a failed step created). */
  private readonly createdLog: ExistingResource[] = [];

  record(step: PlanStep, id: string, state?: string): void {
    const origin = step.action === "update" ? "changed" : step.action === "delete" ? "deleted" : step.owned ? "created" : "reused";
    this.byId.set(`${step.resource}:${id}`, { kind: step.resource, id, origin, ...(state ? { state } : {}) });
  }

  created(kind: string, id: string, state?: string): void {
    const resource: ExistingResource = { kind, id, origin: "created", ...(state ? { state } : {}) };
    this.byId.set(`${kind}:${id}`, resource);
    this.createdLog.push(resource);
  }

  get createdCount(): number {
    return this.createdLog.length;
  }

  /** What `created` was told since the count was `mark`. */
  createdSince(mark: number): ExistingResource[] {
    return this.createdLog.slice(mark);
  }

  resources(): ExistingResource[] {
    return [...this.byId.values()];
  }
}
