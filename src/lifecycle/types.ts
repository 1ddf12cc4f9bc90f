import type { Journal, StepRunner } from "../core/apply.js";
import type { Context } from "../core/context.js";
import type { Kind, PlanStep } from "../core/plan.js";

/** One AWS resource that belongs to, or is used by, a stack. */
export interface StackResource {
  /** Human resource type: `VPN connection`. */
  type: string;
  id: string;
  /** Created by the stack (destroy removes it) or reused (destroy keeps it). */
  owned: boolean;
  state?: string;
  detail?: string;
}

/** A stack as found in the Region through its tags. */
export interface StackSummary {
  stack: string;
  kind: Kind;
  /** One word: `available`, `pending`, `partial`, `deleting`... */
  state: string;
  resources: StackResource[];
}

/** One line of a status report: `ok` true/false for health, null for plain information. */
export interface StatusLine {
  ok: boolean | null;
  text: string;
}

export interface StatusSection {
  title: string;
  lines: StatusLine[];
}

export interface StatusReport {
  healthy: boolean;
  sections: StatusSection[];
  /** Machine-readable details for --json. */
  data: Record<string, unknown>;
}

/** What each capability provides to `list`, `status` and `destroy`. */
export interface KindLifecycle {
  kind: Kind;
  /** Stacks of this kind in the Region (only `stack` when given). */
  discover(ctx: Context, stack?: string): Promise<StackSummary[]>;
  status(ctx: Context, summary: StackSummary): Promise<StatusReport>;
  /** Teardown steps in dependency order; reused resources appear as `no-op` "kept" steps. */
  destroySteps(ctx: Context, summary: StackSummary): Promise<{ steps: PlanStep[]; warnings: string[] }>;
  destroyRunners(ctx: Context, summary: StackSummary, journal: Journal): Promise<Record<string, StepRunner>>;
}
