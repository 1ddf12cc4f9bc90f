import { awsCode, isNotFound } from "../aws/errors.js";
import type { Context } from "../core/context.js";
import { pollUntil } from "../core/poll.js";

/** Errors that mean "something that depends on this still exists; try again shortly". */
const DEPENDENCY_CODES = new Set(["DependencyViolation", "IncorrectState", "InvalidVpnGatewayState", "ResourceInUse", "ResourceInUseException"]);

export function isDependencyError(error: unknown): boolean {
  return DEPENDENCY_CODES.has(awsCode(error) ?? "");
}

/**
 * Run a delete/detach call, retrying while AWS says a dependent still exists (a detach while the VPN
 * connection is still deleting), with the usual backoff. A resource already gone counts as done, so
 * destroy can be run again after a partial failure.
 */
export async function withDependencyRetry(ctx: Context, what: string, call: () => Promise<unknown>, timeoutMs: number): Promise<void> {
  await pollUntil({
    what,
    describe: async () => {
      try {
        await call();
        return "done";
      } catch (error) {
        if (isNotFound(error)) return "gone";
        if (isDependencyError(error)) return `waiting for dependents (${awsCode(error)})`;
        throw error;
      }
    },
    check: (v) => (v === "done" || v === "gone" ? { status: "done", state: v } : { status: "wait", state: v }),
    timeoutMs,
    clock: ctx,
    signal: ctx.signal,
  });
}
