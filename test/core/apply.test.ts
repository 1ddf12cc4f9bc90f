/**
 * The apply engine on its own: ordering by dependsOn, concurrency, no-op steps, stopping on the first
 * failure, the journal behind the failure report, and plans that cannot run. Runners are held
 * mid-flight with deferred promises so each test sees exactly what has started when.
 */
import { describe, expect, it } from "vitest";
import { applyPlan, Journal, type StepOutcome, type StepResults, type StepRunner } from "../../src/core/apply.js";
import { ApplyError, InterruptedError, VpcwireError } from "../../src/core/errors.js";
import type { Plan } from "../../src/core/plan.js";
import { type Deferred, deferred, plan, settle, step } from "./harness.js";

const RESUME = "vpcwire vpn create --stack s1";
const DESTROY = "vpcwire destroy --stack s1";

/** A runner whose every call waits until the test finishes or fails that step. */
function heldRunner() {
  const started: string[] = [];
  const held = new Map<string, Deferred<StepOutcome>>();
  const sawResults = new Map<string, StepResults>();
  const runner: StepRunner = (s, results) => {
    started.push(s.id);
    sawResults.set(s.id, new Map(results));
    const d = deferred<StepOutcome>();
    held.set(s.id, d);
    return d.promise;
  };
  const get = (id: string) => {
    const d = held.get(id);
    if (!d) throw new Error(`step ${id} has not started`);
    return d;
  };
  return {
    runner,
    started,
    sawResults,
    finish: async (id: string, outcome: StepOutcome = { resourceId: `id-${id}` }) => {
      get(id).resolve(outcome);
      await settle();
    },
    fail: async (id: string, error: unknown) => {
      get(id).reject(error);
      await settle();
    },
  };
}

/** Start applyPlan without letting a rejection go unhandled; `settled` says whether it has ended. */
function start(p: Plan, runners: Record<string, StepRunner>, journal = new Journal()) {
  const state: { settled: boolean; value?: StepResults; error?: unknown } = { settled: false };
  const done = applyPlan(p, { runners, resumeCommand: RESUME, destroyCommand: DESTROY }, journal).then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return { state, done, journal };
}

async function applyError(run: ReturnType<typeof start>): Promise<ApplyError> {
  await run.done;
  expect(run.state.error).toBeInstanceOf(ApplyError);
  return run.state.error as ApplyError;
}

describe("applyPlan: ordering and concurrency", () => {
  it("starts a step only once every step it depends on is done, whatever the order of the plan", async () => {
    const r = heldRunner();
    const run = start(plan([step("c", { dependsOn: ["a", "b"] }), step("b", { dependsOn: ["a"] }), step("a")]), { thing: r.runner });
    await settle();
    expect(r.started).toEqual(["a"]);
    await r.finish("a");
    expect(r.started).toEqual(["a", "b"]);
    await r.finish("b");
    expect(r.started).toEqual(["a", "b", "c"]);
    expect(run.state.settled).toBe(false);
    await r.finish("c", { resourceId: "id-c", data: { x: 1 } });
    await run.done;
    expect(run.state.error).toBeUndefined();
    expect(Object.fromEntries(run.state.value!)).toEqual({ a: { resourceId: "id-a" }, b: { resourceId: "id-b" }, c: { resourceId: "id-c", data: { x: 1 } } });
  });

  it("hands each runner the outcomes of the steps it depends on", async () => {
    const r = heldRunner();
    const run = start(plan([step("gw"), step("cgw"), step("vpn", { dependsOn: ["gw", "cgw"] })]), { thing: r.runner });
    await settle();
    await r.finish("gw", { resourceId: "vgw-1", data: { asn: 64512 } });
    await r.finish("cgw", { resourceId: "cgw-1" });
    expect(Object.fromEntries(r.sawResults.get("vpn")!)).toEqual({ gw: { resourceId: "vgw-1", data: { asn: 64512 } }, cgw: { resourceId: "cgw-1" } });
    await r.finish("vpn");
    await run.done;
  });

  it("runs independent steps at the same time, and a dependent as soon as its own dependencies are done", async () => {
    const r = heldRunner();
    const run = start(plan([step("a"), step("b"), step("c"), step("d", { dependsOn: ["a"] })]), { thing: r.runner });
    await settle();
    // All three independent steps are in flight together; none has finished.
    expect(r.started).toEqual(["a", "b", "c"]);
    await r.finish("b");
    expect(r.started).toEqual(["a", "b", "c"]);
    await r.finish("a");
    // d starts while c is still running: it does not wait for unrelated steps.
    expect(r.started).toEqual(["a", "b", "c", "d"]);
    await r.finish("c");
    expect(run.state.settled).toBe(false);
    await r.finish("d");
    await run.done;
    expect([...run.state.value!.keys()].sort()).toEqual(["a", "b", "c", "d"]);
  });

  it("picks the runner by step type", async () => {
    const calls: string[] = [];
    const runners: Record<string, StepRunner> = {
      "vpn-gateway": async (s) => {
        calls.push(`gw:${s.id}`);
        return { resourceId: "vgw-1" };
      },
      "route-propagation": async (s) => {
        calls.push(`prop:${s.id}`);
        return { resourceId: "rtb-1" };
      },
    };
    const run = start(plan([step("gw", { type: "vpn-gateway" }), step("prop", { type: "route-propagation", dependsOn: ["gw"] })]), runners);
    await run.done;
    expect(calls).toEqual(["gw:gw", "prop:prop"]);
  });
});

describe("applyPlan: no-op steps", () => {
  it("never reach a runner, give their known id as the outcome, and unblock dependents at once", async () => {
    const r = heldRunner();
    const p = plan([
      step("vgw", { type: "vpn-gateway", action: "no-op", resourceId: "vgw-1", owned: false }),
      step("attach", { type: "vgw-attachment", action: "no-op", dependsOn: ["vgw"] }),
      step("vpn", { dependsOn: ["attach"] }),
    ]);
    // Only the create step's type has a runner: reaching one for a no-op step would throw.
    const run = start(p, { thing: r.runner });
    await settle();
    expect(r.started).toEqual(["vpn"]);
    expect(Object.fromEntries(r.sawResults.get("vpn")!)).toEqual({ vgw: { resourceId: "vgw-1" }, attach: {} });
    await r.finish("vpn");
    await run.done;
    expect(run.state.value!.get("vgw")).toEqual({ resourceId: "vgw-1" });
  });

  it("a plan of only no-op steps needs no runners", async () => {
    const run = start(plan([step("a", { action: "no-op", resourceId: "x-1" }), step("b", { action: "no-op", dependsOn: ["a"] })]), {});
    await run.done;
    expect(run.state.error).toBeUndefined();
    expect(Object.fromEntries(run.state.value!)).toEqual({ a: { resourceId: "x-1" }, b: {} });
  });
});

describe("applyPlan: the first failure", () => {
  it("starts nothing new, lets running steps settle, then throws an ApplyError", async () => {
    const r = heldRunner();
    const p = plan([step("a"), step("b"), step("c", { dependsOn: ["b"] }), step("d", { dependsOn: ["a"] })]);
    const run = start(p, { thing: r.runner });
    await settle();
    expect(r.started).toEqual(["a", "b"]);
    const boom = new Error("CreateVpnGateway failed: VpnGatewayLimitExceeded");
    await r.fail("a", boom);
    // b is still running: the error waits for it.
    expect(run.state.settled).toBe(false);
    await r.finish("b", { resourceId: "b-1", state: "available" });
    const error = await applyError(run);
    // c's dependency finished after the failure, yet c never started.
    expect(r.started).toEqual(["a", "b"]);
    expect(error.cause).toBe(boom);
    expect(error.message).toBe(boom.message);
    expect(error.exitCode).toBe(1);
    expect(error.resumeCommand).toBe(RESUME);
    expect(error.destroyCommand).toBe(DESTROY);
    // What b made exists and is reported.
    expect(error.existing).toEqual([{ kind: "thing", id: "b-1", origin: "created", state: "available" }]);
  });

  it("a running step that fails after the first failure does not replace it", async () => {
    const r = heldRunner();
    const run = start(plan([step("a"), step("b")]), { thing: r.runner });
    await settle();
    const first = new InterruptedError("Interrupted while waiting for VPN connection vpn-1", "signal");
    await r.fail("b", first);
    await r.fail("a", new Error("second"));
    const error = await applyError(run);
    expect(error.cause).toBe(first);
    // A VpcwireError keeps its exit code through the ApplyError.
    expect(error.exitCode).toBe(130);
    expect(error.failedStep).toBe("thing b");
  });

  it("wraps a thrown non-Error", async () => {
    const run = start(plan([step("a")]), { thing: () => Promise.reject("socket hang up") });
    const error = await applyError(run);
    expect(error.message).toBe("socket hang up");
    expect(error.cause).toBeInstanceOf(Error);
  });

  it("a step type without a runner is a programming error", async () => {
    const run = start(plan([step("a", { type: "mystery" })]), {});
    await run.done;
    expect((run.state.error as Error).message).toBe("no runner for step type mystery");
  });
});

describe("applyPlan: the journal", () => {
  it("records reused, changed and created resources; a reuse of the stack's own resource counts as created", async () => {
    const p = plan([
      step("vgw", { action: "reuse", resourceId: "vgw-1", owned: false, resource: "virtual private gateway" }),
      step("vpn", { action: "reuse", resourceId: "vpn-0", owned: true, resource: "VPN connection" }),
      step("prop", { action: "update", resourceId: "rtb-1", owned: false, resource: "route table" }),
      step("cgw", { resource: "customer gateway" }),
      step("last", { dependsOn: ["vgw", "vpn", "prop", "cgw"] }),
    ]);
    const outcomes: Record<string, StepOutcome> = {
      vgw: { resourceId: "vgw-1" },
      vpn: { resourceId: "vpn-0", state: "pending" },
      prop: { resourceId: "rtb-1" },
      cgw: { resourceId: "cgw-1", state: "available" },
    };
    const run = start(p, {
      thing: async (s) => {
        if (s.id === "last") throw new Error("stop");
        return outcomes[s.id]!;
      },
    });
    const error = await applyError(run);
    const byId = [...error.existing].sort((x, y) => x.id.localeCompare(y.id));
    expect(byId).toEqual([
      { kind: "customer gateway", id: "cgw-1", origin: "created", state: "available" },
      { kind: "route table", id: "rtb-1", origin: "changed" },
      { kind: "virtual private gateway", id: "vgw-1", origin: "reused" },
      { kind: "VPN connection", id: "vpn-0", origin: "created", state: "pending" },
    ]);
  });

  it("reports a reused resource even when its step never ran", async () => {
    const p = plan([step("a"), step("vgw", { action: "reuse", resourceId: "vgw-1", owned: false, resource: "virtual private gateway", dependsOn: ["a"] })]);
    const run = start(p, { thing: () => Promise.reject(new Error("no")) });
    const error = await applyError(run);
    expect(error.existing).toEqual([{ kind: "virtual private gateway", id: "vgw-1", origin: "reused" }]);
  });

  it("reports what a runner created before it failed, once, with the latest state", async () => {
    const journal = new Journal();
    const p = plan([step("cgw", { resource: "customer gateway" }), step("vpn", { resource: "VPN connection" })]);
    const run = start(
      p,
      {
        thing: async (s) => {
          if (s.id === "cgw") {
            journal.created("customer gateway", "cgw-1", "pending");
            return { resourceId: "cgw-1", state: "available" };
          }
          journal.created("VPN connection", "vpn-1", "pending");
          throw new Error("timed out");
        },
      },
      journal,
    );
    const error = await applyError(run);
    expect([...error.existing].sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { kind: "customer gateway", id: "cgw-1", origin: "created", state: "available" },
      { kind: "VPN connection", id: "vpn-1", origin: "created", state: "pending" },
    ]);
  });
});

describe("applyPlan: the failed step's summary", () => {
  const vpnPlan = () =>
    plan([
      step("vgw", { resource: "virtual private gateway", summary: "virtual private gateway <new-vgw-id> on vpc-1" }),
      step("cgw", { resource: "customer gateway", summary: "customer gateway <new-cgw-id> for 203.0.113.10" }),
      step("vpn", { resource: "VPN connection", summary: "VPN connection <new-vpn-id> on <new-vgw-id> to <new-cgw-id>", dependsOn: ["vgw", "cgw"] }),
    ]);

  function runVpn(failing: (journal: Journal) => Promise<StepOutcome>) {
    const journal = new Journal();
    return start(
      vpnPlan(),
      {
        thing: async (s) => (s.id === "vgw" ? { resourceId: "vgw-1" } : s.id === "cgw" ? { resourceId: "cgw-1" } : failing(journal)),
      },
      journal,
    );
  }

  it("names the ids known by now, including the one the failed step created", async () => {
    const error = await applyError(
      runVpn(async (journal) => {
        journal.created("VPN connection", "vpn-1", "pending");
        throw new Error("VPN connection vpn-1 is failed");
      }),
    );
    expect(error.failedStep).toBe("VPN connection vpn-1 on vgw-1 to cgw-1");
  });

  it("keeps its own placeholder when it created nothing", async () => {
    const error = await applyError(
      runVpn(async () => {
        throw new Error("CreateVpnConnection failed");
      }),
    );
    expect(error.failedStep).toBe("VPN connection <new-vpn-id> on vgw-1 to cgw-1");
  });

  it("keeps its own placeholder when it created two of its kind (which one is meant is unknown)", async () => {
    const error = await applyError(
      runVpn(async (journal) => {
        journal.created("VPN connection", "vpn-1");
        journal.created("VPN connection", "vpn-2");
        throw new Error("no");
      }),
    );
    expect(error.failedStep).toBe("VPN connection <new-vpn-id> on vgw-1 to cgw-1");
  });

  it("does not take an id a concurrent step of the same kind created and returned", async () => {
    const journal = new Journal();
    const sibling = deferred<void>();
    const p = plan([
      step("vpn1", { resource: "VPN connection", summary: "VPN connection <new-vpn1-id>" }),
      step("vpn2", { resource: "VPN connection", summary: "VPN connection <new-vpn2-id>" }),
    ]);
    const run = start(
      p,
      {
        thing: async (s) => {
          if (s.id === "vpn1") {
            // Created after vpn2 has started, so it falls inside vpn2's window too.
            await settle(1);
            journal.created("VPN connection", "vpn-a");
            sibling.resolve();
            return { resourceId: "vpn-a" };
          }
          await sibling.promise;
          journal.created("VPN connection", "vpn-b");
          throw new Error("no");
        },
      },
      journal,
    );
    const error = await applyError(run);
    expect(error.failedStep).toBe("VPN connection vpn-b");
  });

  it("leaves the placeholders of steps that never ran", async () => {
    const journal = new Journal();
    const run = start(
      vpnPlan(),
      {
        thing: async (s) => {
          if (s.id === "cgw") throw new Error("CreateCustomerGateway failed");
          // vgw is slow: it is still running when cgw fails, and finishes afterwards.
          await settle();
          return { resourceId: "vgw-1" };
        },
      },
      journal,
    );
    const error = await applyError(run);
    expect(error.failedStep).toBe("customer gateway <new-cgw-id> for 203.0.113.10");
    expect(error.existing).toEqual([{ kind: "virtual private gateway", id: "vgw-1", origin: "created" }]);
  });
});

describe("applyPlan: plans that cannot run", () => {
  it("a dependency on an unknown step fails before any runner starts", async () => {
    const r = heldRunner();
    const run = start(plan([step("a"), step("b", { dependsOn: ["zz"] })]), { thing: r.runner });
    await run.done;
    expect((run.state.error as Error).message).toBe("plan step b depends on unknown step zz");
    expect(run.state.error).not.toBeInstanceOf(ApplyError);
    expect(r.started).toEqual([]);
  });

  it("a dependency cycle is reported after everything outside it has run", async () => {
    const r = heldRunner();
    const run = start(plan([step("a", { dependsOn: ["b"] }), step("b", { dependsOn: ["a"] }), step("c")]), { thing: r.runner });
    await settle();
    expect(r.started).toEqual(["c"]);
    await r.finish("c");
    await run.done;
    const error = run.state.error as VpcwireError;
    expect(error).toBeInstanceOf(VpcwireError);
    expect(error).not.toBeInstanceOf(ApplyError);
    expect(error.message).toBe("plan has a dependency cycle among: a, b");
    expect(error.exitCode).toBe(1);
    expect(r.started).toEqual(["c"]);
  });
});
