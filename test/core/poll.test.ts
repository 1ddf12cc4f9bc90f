/**
 * pollUntil with a manual clock: the backoff schedule, the deadline, Ctrl-C, progress on state
 * changes, failed states and errors worth another try.
 */
import { describe, expect, it } from "vitest";
import { InterruptedError } from "../../src/core/errors.js";
import { type PollOptions, type PollVerdict, pollUntil, WaitFailedError } from "../../src/core/poll.js";
import { ManualClock } from "./harness.js";

/** A resource whose Describe returns these states in turn (the last one repeats), and records when it was read. */
function resource(states: string[], clock: ManualClock) {
  const readAt: number[] = [];
  let i = 0;
  const start = clock.now();
  return {
    readAt,
    describe: async () => {
      readAt.push(clock.now() - start);
      const state = states[Math.min(i, states.length - 1)]!;
      i += 1;
      return { state };
    },
  };
}

const untilAvailable = (v: { state: string }): PollVerdict =>
  v.state === "available"
    ? { status: "done", state: v.state }
    : v.state === "failed"
      ? { status: "failed", state: v.state, reason: "the tunnel options were refused" }
      : { status: "wait", state: v.state };

function options(clock: ManualClock, describe: () => Promise<{ state: string }>, over: Partial<PollOptions<{ state: string }>> = {}) {
  return { what: "VPN connection vpn-1", describe, check: untilAvailable, timeoutMs: 600_000, clock, ...over };
}

describe("pollUntil: schedule", () => {
  it("looks at once, then waits 2 s, growing x1.5 up to 15 s", async () => {
    const clock = new ManualClock();
    const r = resource([...Array(9).fill("pending"), "available"], clock);
    const value = await pollUntil(options(clock, r.describe));
    expect(value).toEqual({ state: "available" });
    expect(clock.sleeps).toEqual([2000, 3000, 4500, 6750, 10125, 15000, 15000, 15000, 15000]);
    expect(r.readAt.slice(0, 4)).toEqual([0, 2000, 5000, 9500]);
    expect(r.readAt).toHaveLength(10);
  });

  it("does not sleep when the first look is already done", async () => {
    const clock = new ManualClock();
    const r = resource(["available"], clock);
    await pollUntil(options(clock, r.describe));
    expect(clock.sleeps).toEqual([]);
    expect(r.readAt).toEqual([0]);
  });

  it("honours its own first delay, factor and ceiling", async () => {
    const clock = new ManualClock();
    const r = resource(["a", "b", "c", "d", "available"], clock);
    await pollUntil(options(clock, r.describe, { initialDelayMs: 100, factor: 2, maxDelayMs: 500 }));
    expect(clock.sleeps).toEqual([100, 200, 400, 500]);
  });
});

describe("pollUntil: the deadline", () => {
  it("cuts the last sleep to the time left, looks once more at the deadline, then times out (exit 1)", async () => {
    const clock = new ManualClock();
    const r = resource(["pending"], clock);
    const error = await pollUntil(options(clock, r.describe, { timeoutMs: 10_000 })).catch((e: unknown) => e);
    expect(clock.sleeps).toEqual([2000, 3000, 4500, 500]);
    expect(r.readAt).toEqual([0, 2000, 5000, 9500, 10_000]);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).reason).toBe("timeout");
    expect((error as InterruptedError).exitCode).toBe(1);
    expect((error as Error).message).toBe("Timed out after 10s waiting for VPN connection vpn-1 (last state: pending). Use --timeout to wait longer.");
  });

  it("a success seen at the deadline is still a success", async () => {
    const clock = new ManualClock();
    const r = resource(["pending", "pending", "available"], clock);
    await expect(pollUntil(options(clock, r.describe, { timeoutMs: 5000 }))).resolves.toEqual({ state: "available" });
    expect(r.readAt).toEqual([0, 2000, 5000]);
  });
});

describe("pollUntil: Ctrl-C", () => {
  it("stops during a sleep with exit 130 and the last state seen", async () => {
    const clock = new ManualClock();
    const ctrlC = new AbortController();
    const r = resource(["pending"], clock);
    clock.onSleep = () => {
      if (clock.sleeps.length === 2) ctrlC.abort();
    };
    const error = await pollUntil(options(clock, r.describe, { signal: ctrlC.signal })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).reason).toBe("signal");
    expect((error as InterruptedError).exitCode).toBe(130);
    expect((error as Error).message).toBe("Interrupted after 5s while waiting for VPN connection vpn-1 (last state: pending).");
    // No look after the interrupted sleep.
    expect(r.readAt).toEqual([0, 2000]);
  });

  it("an already aborted signal makes no call at all", async () => {
    const clock = new ManualClock();
    const r = resource(["available"], clock);
    const error = await pollUntil(options(clock, r.describe, { signal: AbortSignal.abort() })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect(r.readAt).toEqual([]);
  });

  it("a Describe cut short by Ctrl-C is reported as the interruption, not as its own error", async () => {
    const clock = new ManualClock();
    const ctrlC = new AbortController();
    const describe = async () => {
      ctrlC.abort();
      throw new Error("Request aborted");
    };
    const error = await pollUntil(options(clock, describe, { signal: ctrlC.signal })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).reason).toBe("signal");
  });
});

describe("pollUntil: progress and outcomes", () => {
  it("reports each state change once, with the elapsed time", async () => {
    const clock = new ManualClock();
    const r = resource(["pending", "pending", "pending", "modifying", "modifying", "available"], clock);
    const seen: Array<[string, number]> = [];
    await pollUntil(options(clock, r.describe, { onState: (state, elapsed) => seen.push([state, elapsed]) }));
    expect(seen).toEqual([
      ["pending", 0],
      ["modifying", 9500],
      ["available", 26_375],
    ]);
  });

  it("a failed state ends the wait at once with its reason", async () => {
    const clock = new ManualClock();
    const r = resource(["pending", "failed", "available"], clock);
    const error = await pollUntil(options(clock, r.describe)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitFailedError);
    expect((error as Error).message).toBe("VPN connection vpn-1 is failed: the tunnel options were refused");
    expect(r.readAt).toHaveLength(2);
  });
});

describe("pollUntil: retryOn", () => {
  const notFound = Object.assign(new Error("The vpnConnection ID 'vpn-1' does not exist"), { name: "InvalidVpnConnectionID.NotFound" });
  const isNotFound = (e: unknown) => e instanceof Error && e.name.endsWith(".NotFound");

  it("retries errors it names, on the same schedule, until the resource shows up", async () => {
    const clock = new ManualClock();
    let calls = 0;
    const seen: string[] = [];
    const describe = async () => {
      calls += 1;
      if (calls <= 2) throw notFound;
      return { state: calls === 3 ? "pending" : "available" };
    };
    const value = await pollUntil(options(clock, describe, { retryOn: isNotFound, onState: (s) => seen.push(s) }));
    expect(value).toEqual({ state: "available" });
    expect(clock.sleeps).toEqual([2000, 3000, 4500]);
    expect(seen).toEqual(["pending", "available"]);
  });

  it("other errors end the wait at once, as does any error without retryOn", async () => {
    const throttled = Object.assign(new Error("Rate exceeded"), { name: "Throttling" });
    for (const over of [{ retryOn: isNotFound }, {}]) {
      const clock = new ManualClock();
      const describe = async (): Promise<{ state: string }> => {
        throw "retryOn" in over ? throttled : notFound;
      };
      const error = await pollUntil(options(clock, describe, over)).catch((e: unknown) => e);
      expect(error).toBe("retryOn" in over ? throttled : notFound);
      expect(clock.sleeps).toEqual([]);
    }
  });

  it("a resource that never shows up times out with the state still unknown", async () => {
    const clock = new ManualClock();
    const describe = async (): Promise<{ state: string }> => {
      throw notFound;
    };
    const error = await pollUntil(options(clock, describe, { retryOn: isNotFound, timeoutMs: 4000 })).catch((e: unknown) => e);
    expect((error as Error).message).toBe("Timed out after 4s waiting for VPN connection vpn-1 (last state: unknown). Use --timeout to wait longer.");
  });
});
