import type { Style } from "./io.js";

export type Action = "create" | "reuse" | "update" | "delete" | "no-op";

export type Kind = "vpn" | "dx" | "flets" | "privatelink";

/** One thing the apply engine will do. Plain, serialisable data; never a secret. */
export interface PlanStep {
  /** Unique within the plan: `vgw`, `attach`, `propagation:rtb-0abc`. Other steps name it in dependsOn. */
  id: string;
  /** Which runner executes it: `vpn-gateway`, `route-propagation`, ... */
  type: string;
  action: Action;
  /** Human resource type: `virtual private gateway`. */
  resource: string;
  /** Known id for reuse/update/no-op steps. */
  resourceId?: string;
  /** True when the stack owns the resource (created it, now or in an earlier run): destroy removes only these. */
  owned: boolean;
  /** One line for people. */
  summary: string;
  /** Key parameters (for the JSON plan and the runner). */
  params: Record<string, unknown>;
  dependsOn: string[];
}

/** The versioned plan document: `--dry-run --json` prints exactly this. */
export interface Plan {
  schemaVersion: 1;
  command: string;
  kind: Kind;
  stack: string;
  region: string | null;
  /** True when no AWS call was made: ids are placeholders. */
  offline: boolean;
  steps: PlanStep[];
  warnings: string[];
}

const MARK: Record<Action, string> = { create: "+", update: "~", reuse: "=", delete: "-", "no-op": "·" };

export function countActions(plan: Plan): Record<Action, number> {
  const counts: Record<Action, number> = { create: 0, update: 0, reuse: 0, delete: 0, "no-op": 0 };
  for (const step of plan.steps) counts[step.action] += 1;
  return counts;
}

/** True when applying would change nothing in AWS (a converged re-run). */
export function planIsNoop(plan: Plan): boolean {
  return plan.steps.every((s) => s.action === "reuse" || s.action === "no-op");
}

/** The plan as text for people (stdout for --dry-run, stderr before the confirmation). */
export function formatPlan(plan: Plan, style: Style): string {
  const warnings = plan.warnings.map((w) => `  ${style.yellow("!")} ${w}`);
  if (plan.steps.length === 0) {
    return [
      `Plan for stack ${style.bold(plan.stack)} (${plan.command}): nothing to change in AWS.`,
      ...(warnings.length ? ["Warnings:", ...warnings] : []),
    ].join("\n");
  }
  const header =
    `Plan for stack ${style.bold(plan.stack)} (${plan.command}` +
    (plan.region ? `, region ${plan.region}` : "") +
    (plan.offline ? ", offline: ids in <...> are placeholders" : "") +
    ")";
  const width = Math.max(...plan.steps.map((s) => s.action.length));
  const color = (a: Action, text: string) =>
    a === "create"
      ? style.green(text)
      : a === "update"
        ? style.yellow(text)
        : a === "reuse"
          ? style.cyan(text)
          : a === "delete"
            ? style.red(text)
            : style.dim(text);
  const lines = plan.steps.map((s) => `  ${color(s.action, `${MARK[s.action]} ${s.action.padEnd(width)}`)}  ${s.summary}`);
  const c = countActions(plan);
  const footer =
    plan.command === "destroy"
      ? `${c.delete} to delete, ${c.update} to update, ${c["no-op"]} kept or unchanged.`
      : `${c.create} to create, ${c.update} to update, ${c.reuse} to reuse, ${c["no-op"]} unchanged.`;
  return [header, ...lines, footer, ...(warnings.length ? ["Warnings:", ...warnings] : [])].join("\n");
}
