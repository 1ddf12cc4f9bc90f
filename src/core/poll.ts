import type { Clock } from "./context.js";
import { formatElapsed } from "./duration.js";
import { InterruptedError, VpcwireError } from "./errors.js";

export type PollVerdict = { status: "done"; state: string } | { status: "wait"; state: string } | { status: "failed"; state: string; reason: string };

export interface PollOptions<T> {
  /** What is being waited on, for messages: `VPN connection vpn-0abc`. */
  what: string;
  /** One read of the world (a Describe call). */
  describe: () => Promise<T>;
  /** Decide from the latest read. */
  check: (value: T) => PollVerdict;
  /** Errors worth another try (eventual consistency right after a create: `*.NotFound`). */
  retryOn?: (error: unknown) => boolean;
  timeoutMs: number;
  /** First delay; the delay grows by `factor` up to `maxDelayMs`. @default 2000 */
  initialDelayMs?: number;
  /** @default 15000 */
  maxDelayMs?: number;
  /** @default 1.5 */
  factor?: number;
  clock: Clock;
  signal?: AbortSignal;
  /** Called when the observed state changes, with the elapsed time. */
  onState?: (state: string, elapsedMs: number) => void;
}

/** A wait that ended in a state that will not change to the one wanted (e.g. `rejected`). */
export class WaitFailedError extends VpcwireError {
  constructor(message: string) {
    super(message, 1);
  }
}

/**
 * Poll until done. Starts prompt (about 2 s) so a transition an emulator makes in seconds is seen in
 * seconds, and backs off towards 15 s so a ten-minute wait on real AWS costs few calls.
 * We use this rather than the SDK waiters because time is injected (tests run in milliseconds),
 * progress is reported on every state change, and several resources can share one Describe.
 */
export async function pollUntil<T>(opts: PollOptions<T>): Promise<T> {
  const { clock, signal } = opts;
  const started = clock.now();
  let delay = opts.initialDelayMs ?? 2000;
  const maxDelay = opts.maxDelayMs ?? 15_000;
  const factor = opts.factor ?? 1.5;
  let lastState = "unknown";
  for (;;) {
    throwIfAborted(signal, opts.what, lastState, clock.now() - started);
    let verdict: PollVerdict | undefined;
    let value: T | undefined;
    try {
      value = await opts.describe();
      verdict = opts.check(value);
    } catch (error) {
      if (signal?.aborted) throwIfAborted(signal, opts.what, lastState, clock.now() - started);
      if (!opts.retryOn?.(error)) throw error;
    }
    if (verdict) {
      if (verdict.state !== lastState) {
        lastState = verdict.state;
        opts.onState?.(verdict.state, clock.now() - started);
      }
      if (verdict.status === "done") return value as T;
      if (verdict.status === "failed") throw new WaitFailedError(`${opts.what} is ${verdict.state}: ${verdict.reason}`);
    }
    const elapsed = clock.now() - started;
    const left = opts.timeoutMs - elapsed;
    if (left <= 0) {
      throw new InterruptedError(
        `Timed out after ${formatElapsed(elapsed)} waiting for ${opts.what} (last state: ${lastState}). Use --timeout to wait longer.`,
        "timeout",
      );
    }
    try {
      // The last sleep is cut to the time left, so the final look happens right at the deadline.
      await clock.sleep(Math.min(delay, left), signal);
    } catch {
      throwIfAborted(signal, opts.what, lastState, clock.now() - started);
    }
    delay = Math.min(maxDelay, Math.round(delay * factor));
  }
}

function throwIfAborted(signal: AbortSignal | undefined, what: string, state: string, elapsed: number): void {
  if (signal?.aborted) {
    throw new InterruptedError(`Interrupted after ${formatElapsed(elapsed)} while waiting for ${what} (last state: ${state}).`, "signal");
  }
}
