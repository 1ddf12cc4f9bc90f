/**
 * batched(): look-ups made in the same tick share one load call; later ticks make their own.
 */
import { describe, expect, it } from "vitest";
import { batched } from "../../src/core/batch.js";
import { pollUntil } from "../../src/core/poll.js";
import { deferred, ManualClock, settle } from "./harness.js";

/** A load that records the keys of each call and answers `state-of-<key>`, except for keys named `gone-*`. */
function recordingLoad() {
  const calls: string[][] = [];
  const load = async (keys: string[]) => {
    calls.push(keys);
    return new Map(keys.filter((k) => !k.startsWith("gone-")).map((k) => [k, `state-of-${k}`]));
  };
  return { calls, load };
}

describe("batched", () => {
  it("look-ups in the same tick share one call with the distinct keys, and each gets its own answer", async () => {
    const { calls, load } = recordingLoad();
    const lookup = batched(load);
    const answers = await Promise.all([lookup("dxvif-1"), lookup("dxvif-2"), lookup("dxvif-1"), lookup("gone-3")]);
    expect(calls).toEqual([["dxvif-1", "dxvif-2", "gone-3"]]);
    expect(answers).toEqual(["state-of-dxvif-1", "state-of-dxvif-2", "state-of-dxvif-1", undefined]);
  });

  it("a look-up made after an await in the same tick still joins the batch", async () => {
    const { calls, load } = recordingLoad();
    const lookup = batched(load);
    const first = lookup("a");
    await Promise.resolve();
    const second = lookup("b");
    await Promise.all([first, second]);
    expect(calls).toEqual([["a", "b"]]);
  });

  it("look-ups in separate ticks make separate calls, even while the first call is still out", async () => {
    const calls: string[][] = [];
    const firstReply = deferred<Map<string, string>>();
    const lookup = batched(async (keys: string[]) => {
      calls.push(keys);
      return calls.length === 1 ? firstReply.promise : new Map(keys.map((k) => [k, "second"]));
    });
    const first = lookup("a");
    await settle(1);
    expect(calls).toEqual([["a"]]);
    const second = lookup("a");
    await settle(1);
    expect(calls).toEqual([["a"], ["a"]]);
    expect(await second).toBe("second");
    firstReply.resolve(new Map([["a", "first"]]));
    expect(await first).toBe("first");
  });

  it("a failed call rejects every look-up of that batch with the same error, and the next batch starts afresh", async () => {
    const denied = new Error("UnauthorizedOperation");
    let fail = true;
    const lookup = batched(async (keys: string[]) => {
      if (fail) throw denied;
      return new Map(keys.map((k) => [k, "ok"]));
    });
    const results = await Promise.allSettled([lookup("a"), lookup("b"), lookup("a")]);
    expect(results).toEqual([
      { status: "rejected", reason: denied },
      { status: "rejected", reason: denied },
      { status: "rejected", reason: denied },
    ]);
    fail = false;
    await expect(lookup("a")).resolves.toBe("ok");
  });

  it("concurrent waits polling on the same clock share each Describe", async () => {
    const clock = new ManualClock();
    const calls: string[][] = [];
    const polls = new Map<string, number>();
    const lookup = batched(async (keys: string[]) => {
      calls.push([...keys].sort());
      for (const k of keys) polls.set(k, (polls.get(k) ?? 0) + 1);
      return new Map(keys.map((k) => [k, (polls.get(k) ?? 0) >= 3 ? "available" : "pending"]));
    });
    const wait = (id: string) =>
      pollUntil({
        what: id,
        describe: () => lookup(id),
        check: (state) => (state === "available" ? { status: "done", state } : { status: "wait", state: state ?? "unknown" }),
        timeoutMs: 60_000,
        clock,
      });
    await Promise.all([wait("vif-1"), wait("vif-2")]);
    expect(calls).toEqual([
      ["vif-1", "vif-2"],
      ["vif-1", "vif-2"],
      ["vif-1", "vif-2"],
    ]);
  });
});
