/**
 * The one way vpcwire waits: every wait is a `pollUntil` (backoff, --timeout, Ctrl-C) with one
 * progress line (`ctx.io.task`). Three shapes cover every caller:
 *
 * - `waiter`: wait for a resource to reach a state (runners: a VGW `available`, a VIF `down`).
 * - `untilDone`: wait for a resource to go (destroy: `deleted`).
 * - `retryWhileBlocked`: repeat a delete/detach while AWS says something still depends on it.
 */
import { awsCode, isDependencyError, isNotFound } from "../aws/errors.js";
import type { Context } from "./context.js";
import { type PollVerdict, pollUntil } from "./poll.js";

/** What a wait needs from the context: the clock, Ctrl-C and the progress lines. */
export type WaitContext = Pick<Context, "io" | "now" | "sleep" | "signal">;

export interface WaitSpec<T> {
  /** What is waited on, for messages: `VPN connection vpn-0abc`. */
  what: string;
  /** The progress line. @default what */
  label?: string;
  /** One read of the world. */
  describe: () => Promise<T>;
  check: (value: T) => PollVerdict;
  timeoutMs: number;
  /** Errors worth another try (a new id not yet visible). @default none */
  retryOn?: (error: unknown) => boolean;
  /** Also told about every state change. */
  onState?: (state: string) => void;
  /** The progress line's text when done. @default the label */
  doneText?: (value: T) => string | undefined;
  /** Whether the progress line repeats the error when the wait fails. @default true */
  failText?: boolean;
  /** First delay of the backoff (see pollUntil). */
  initialDelayMs?: number;
}

/** Poll until done, with one progress line that shows each state change and ends with a tick or a cross. */
export async function waitFor<T>(ctx: WaitContext, spec: WaitSpec<T>): Promise<T> {
  const label = spec.label ?? spec.what;
  const task = ctx.io.task(label);
  let value: T;
  try {
    value = await pollUntil({
      what: spec.what,
      describe: spec.describe,
      check: spec.check,
      ...(spec.retryOn ? { retryOn: spec.retryOn } : {}),
      ...(spec.initialDelayMs !== undefined ? { initialDelayMs: spec.initialDelayMs } : {}),
      timeoutMs: spec.timeoutMs,
      clock: ctx,
      signal: ctx.signal,
      onState: (state) => {
        task.update(state);
        spec.onState?.(state);
      },
    });
  } catch (error) {
    task.fail(spec.failText === false ? undefined : `${label}: ${(error as Error).message}`);
    throw error;
  }
  task.succeed(spec.doneText?.(value));
  return value;
}

export interface WaiterOptions<T> {
  /** @default `*.NotFound` (a new id not yet visible right after its create) */
  retryOn?: (error: unknown) => boolean;
  onState?: (state: string) => void;
  doneText?: (value: T) => string | undefined;
}

/** `waitFor` bound to a timeout, for runners that wait on several resources. */
export function waiter(ctx: WaitContext, timeoutMs: number) {
  return <T>(what: string, label: string, describe: () => Promise<T>, check: (value: T) => PollVerdict, opts: WaiterOptions<T> = {}): Promise<T> =>
    waitFor(ctx, {
      what,
      label,
      describe,
      check,
      timeoutMs,
      retryOn: opts.retryOn ?? isNotFound,
      ...(opts.onState ? { onState: opts.onState } : {}),
      ...(opts.doneText ? { doneText: opts.doneText } : {}),
    });
}

/**
 * `waitFor` bound to a timeout, for destroy: `done` returns true when the resource is gone (or in
 * its final state), else the state to show.
 */
export function untilDone(ctx: WaitContext, timeoutMs: number) {
  return async <T>(what: string, describe: () => Promise<T>, done: (value: T) => string | true): Promise<void> => {
    await waitFor(ctx, {
      what,
      describe,
      check: (v) => {
        const r = done(v);
        return r === true ? { status: "done", state: "done" } : { status: "wait", state: r };
      },
      timeoutMs,
      failText: false,
    });
  };
}

/**
 * How a failed attempt of `retryWhileBlocked` counts: `"gone"` (already done by someone: success),
 * a state to show while waiting for another try, or undefined (a real failure: thrown).
 */
export type BlockedVerdict = "gone" | { waiting: string } | undefined;

/** The usual reading: a missing resource is gone; a dependency error means wait for the dependents. */
export function dependencyVerdict(error: unknown): BlockedVerdict {
  if (isNotFound(error)) return "gone";
  if (isDependencyError(error)) return { waiting: `waiting for dependents (${awsCode(error)})` };
  return undefined;
}

/**
 * Run a delete/detach call, trying again with the usual backoff while AWS says a dependent still
 * exists (a detach while the VPN connection is still deleting). A resource already gone counts as
 * done, so destroy can be run again after a partial failure. No progress line: the wait that
 * follows (`untilDone`) shows one.
 */
export async function retryWhileBlocked(
  ctx: WaitContext,
  opts: { what: string; call: () => Promise<unknown>; timeoutMs: number; verdict?: (error: unknown) => BlockedVerdict },
): Promise<void> {
  const verdict = opts.verdict ?? dependencyVerdict;
  await pollUntil({
    what: opts.what,
    describe: async () => {
      try {
        await opts.call();
        return "done";
      } catch (error) {
        const v = verdict(error);
        if (v === undefined) throw error;
        return v === "gone" ? "gone" : v.waiting;
      }
    },
    check: (v) => (v === "done" || v === "gone" ? { status: "done", state: v } : { status: "wait", state: v }),
    timeoutMs: opts.timeoutMs,
    clock: ctx,
    signal: ctx.signal,
  });
}
