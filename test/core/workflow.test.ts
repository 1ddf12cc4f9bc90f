/**
 * runWorkflow: the dry-run boundary, where the plan is shown, the confirmation, and the failure
 * report. Runners here count their calls: in a dry run or a refused run they must never be built.
 */
import { describe, expect, it } from "vitest";
import type { Journal, StepResults, StepRunner } from "../../src/core/apply.js";
import { AbortedError, ApplyError, AwsError, InterruptedError, UsageError } from "../../src/core/errors.js";
import type { Plan } from "../../src/core/plan.js";
import { runWorkflow, type WorkflowOptions } from "../../src/core/workflow.js";
import { context, plan, RecordingIo, step } from "./harness.js";

const RESUME = "vpcwire vpn create --vpc-id vpc-1 --stack s1";
const DESTROY = "vpcwire destroy --stack s1";

/** Workflow options whose runners and finish record what happened. */
function workflow(p: Plan, over: Partial<WorkflowOptions<string>> = {}) {
  const seen = { runnersBuilt: 0, ran: [] as string[], finished: undefined as StepResults | undefined, journal: undefined as Journal | undefined };
  const opts: WorkflowOptions<string> = {
    plan: p,
    runners: (journal) => {
      seen.runnersBuilt += 1;
      seen.journal = journal;
      const thing: StepRunner = async (s) => {
        seen.ran.push(s.id);
        return { resourceId: `id-${s.id}` };
      };
      return { thing };
    },
    resumeCommand: RESUME,
    destroyCommand: DESTROY,
    finish: async (results) => {
      seen.finished = results;
      return "rendered config";
    },
    ...over,
  };
  return { opts, seen };
}

const twoSteps = () => plan([step("a", { summary: "customer gateway <new-cgw-id>" }), step("b", { dependsOn: ["a"], summary: "VPN connection <new-vpn-id>" })]);
const convergedPlan = () =>
  plan([step("a", { action: "reuse", resourceId: "cgw-1", owned: true }), step("b", { action: "no-op", resourceId: "vpn-1", dependsOn: ["a"] })]);

describe("runWorkflow --dry-run (the write boundary)", () => {
  it("prints the plan on stdout and stops: no runner is built, nothing is asked, finish is not called", async () => {
    const io = new RecordingIo(true);
    const { opts, seen } = workflow(twoSteps(), { dryRunExtra: async () => ({ text: "OFFLINE PREVIEW\ninterface Tunnel1" }) });
    const outcome = await runWorkflow(context(io, { dryRun: true }), opts);
    expect(outcome).toEqual({ kind: "dry-run" });
    expect(seen).toMatchObject({ runnersBuilt: 0, ran: [], finished: undefined });
    expect(io.confirms).toEqual([]);
    expect(io.talk).toEqual([]);
    expect(io.results).toHaveLength(2);
    expect(io.results[0]).toContain("Plan for stack s1 (vpn create, region ap-northeast-1)");
    expect(io.results[0]).toContain("+ create  customer gateway <new-cgw-id>");
    expect(io.results[0]).toContain("2 to create, 0 to update, 0 to reuse, 0 unchanged.");
    expect(io.results[1]).toBe("\nOFFLINE PREVIEW\ninterface Tunnel1");
  });

  it("with --json prints one document: the plan, ok, and the extra JSON", async () => {
    const io = new RecordingIo(false);
    const p = twoSteps();
    const { opts, seen } = workflow(p, { dryRunExtra: async () => ({ text: "not for JSON", json: { preview: { tunnels: 2 } } }) });
    await runWorkflow(context(io, { dryRun: true, json: true }), opts);
    expect(seen.runnersBuilt).toBe(0);
    expect(io.results).toHaveLength(1);
    const doc = JSON.parse(io.results[0]!);
    expect(doc).toEqual({ ...JSON.parse(JSON.stringify(p)), ok: true, preview: { tunnels: 2 } });
    expect(doc.schemaVersion).toBe(1);
    expect(io.talk).toEqual([]);
  });

  it("needs no --yes even for a command that otherwise requires it", async () => {
    const io = new RecordingIo(false);
    const { opts, seen } = workflow(twoSteps(), { confirm: { message: "Destroy?", default: false, requireYes: true } });
    await expect(runWorkflow(context(io, { dryRun: true }), opts)).resolves.toEqual({ kind: "dry-run" });
    expect(seen.runnersBuilt).toBe(0);
  });
});

describe("runWorkflow: showing the plan and confirming", () => {
  it("in a script: shows the plan on stderr, asks nothing, applies and finishes", async () => {
    const io = new RecordingIo(false);
    const { opts, seen } = workflow(twoSteps());
    const outcome = await runWorkflow(context(io), opts);
    expect(outcome).toEqual({ kind: "applied", result: "rendered config", converged: false });
    expect(io.results).toEqual([]);
    expect(io.talk).toHaveLength(1);
    expect(io.talk[0]!.channel).toBe("info");
    expect(io.talk[0]!.text).toContain("+ create  VPN connection <new-vpn-id>");
    expect(seen.ran).toEqual(["a", "b"]);
    expect(Object.fromEntries(seen.finished!)).toEqual({ a: { resourceId: "id-a" }, b: { resourceId: "id-b" } });
  });

  it("with --json the plan is not shown (stderr stays quiet for machines)", async () => {
    const io = new RecordingIo(false);
    const { opts, seen } = workflow(twoSteps());
    await runWorkflow(context(io, { json: true }), opts);
    expect(io.talk).toEqual([]);
    expect(seen.ran).toEqual(["a", "b"]);
  });

  it("interactive: shows the plan, then asks 'Apply this plan?' with yes as default, and applies on yes", async () => {
    let talkWhenAsked = -1;
    const io = new RecordingIo(true, [
      () => {
        talkWhenAsked = io.talk.length;
        return true;
      },
    ]);
    const { opts, seen } = workflow(twoSteps());
    await runWorkflow(context(io), opts);
    expect(io.confirms).toEqual([{ message: "Apply this plan?", default: true }]);
    expect(talkWhenAsked).toBe(1);
    expect(seen.ran).toEqual(["a", "b"]);
  });

  it("interactive: 'no' is an AbortedError (exit 3) and nothing runs", async () => {
    const io = new RecordingIo(true, [false]);
    const { opts, seen } = workflow(twoSteps());
    const error = await runWorkflow(context(io), opts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).exitCode).toBe(3);
    expect(seen).toMatchObject({ runnersBuilt: 0, ran: [], finished: undefined });
  });

  it("a destructive command asks its own question with no as the default", async () => {
    const io = new RecordingIo(true, [true]);
    const { opts, seen } = workflow(twoSteps(), { confirm: { message: "Destroy stack s1?", default: false, requireYes: true } });
    await runWorkflow(context(io), opts);
    expect(io.confirms).toEqual([{ message: "Destroy stack s1?", default: false }]);
    expect(seen.ran).toEqual(["a", "b"]);
  });

  it("requireYes off a terminal without --yes is a usage error naming --yes, before anything runs", async () => {
    const io = new RecordingIo(false);
    const { opts, seen } = workflow(twoSteps(), { confirm: { message: "Destroy?", default: false, requireYes: true } });
    const error = await runWorkflow(context(io), opts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as UsageError).message).toBe("--yes: vpn create changes AWS and vpcwire is not running interactively; add --yes to confirm");
    expect(seen.runnersBuilt).toBe(0);
  });

  it("requireYes with --yes runs without a prompt", async () => {
    const io = new RecordingIo(false);
    const { opts, seen } = workflow(twoSteps(), { confirm: { message: "Destroy?", default: false, requireYes: true } });
    await runWorkflow(context(io, { yes: true }), opts);
    expect(io.confirms).toEqual([]);
    expect(seen.ran).toEqual(["a", "b"]);
  });

  it("a converged plan skips the prompt (and needs no --yes): reuse steps still run, the outcome says converged", async () => {
    for (const [interactive, confirm] of [
      [true, undefined],
      [false, { message: "Destroy?", default: false, requireYes: true }],
    ] as const) {
      const io = new RecordingIo(interactive);
      const { opts, seen } = workflow(convergedPlan(), confirm ? { confirm } : {});
      const outcome = await runWorkflow(context(io), opts);
      expect(outcome).toEqual({ kind: "applied", result: "rendered config", converged: true });
      expect(io.confirms).toEqual([]);
      expect(seen.ran).toEqual(["a"]);
    }
  });

  it("a plan of only no-op steps never builds the runners (their module and the SDK stay unloaded)", async () => {
    const io = new RecordingIo(true);
    const { opts, seen } = workflow(plan([step("a", { action: "no-op", resourceId: "x-1" })]));
    const outcome = await runWorkflow(context(io), opts);
    expect(outcome).toMatchObject({ kind: "applied", converged: true });
    expect(seen.runnersBuilt).toBe(0);
    expect(Object.fromEntries(seen.finished!)).toEqual({ a: { resourceId: "x-1" } });
  });

  it("Ctrl-C during the confirmation stops before anything changes (exit 130)", async () => {
    const ctrlC = new AbortController();
    const io = new RecordingIo(true, [
      () => {
        ctrlC.abort();
        return true;
      },
    ]);
    const { opts, seen } = workflow(twoSteps());
    const error = await runWorkflow(context(io, {}, ctrlC.signal), opts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).message).toBe("Interrupted before anything was changed.");
    expect((error as InterruptedError).exitCode).toBe(130);
    expect(seen.runnersBuilt).toBe(0);
  });
});

describe("runWorkflow: the failure report", () => {
  it("a failing step is an ApplyError with what exists and the resume and destroy commands", async () => {
    const io = new RecordingIo(false);
    const refused = new AwsError("EC2 CreateVpnConnection failed: VpnConnectionLimitExceeded", {
      operation: "CreateVpnConnection",
      service: "EC2",
      code: "VpnConnectionLimitExceeded",
    });
    const { opts, seen } = workflow(twoSteps(), {
      runners: (journal) => ({
        thing: async (s) => {
          if (s.id === "a") {
            journal.created("thing", "cgw-1", "pending");
            return { resourceId: "cgw-1", state: "available" };
          }
          throw refused;
        },
      }),
    });
    const error = await runWorkflow(context(io), opts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyError);
    const report = error as ApplyError;
    expect(report.cause).toBe(refused);
    expect(report.exitCode).toBe(1);
    expect(report.existing).toEqual([{ kind: "thing", id: "cgw-1", origin: "created", state: "available" }]);
    expect(report.resumeCommand).toBe(RESUME);
    expect(report.destroyCommand).toBe(DESTROY);
    expect(report.failedStep).toBe("VPN connection <new-vpn-id>");
    expect(seen.finished).toBeUndefined();
  });

  it("a failure after apply (rendering the config) is reported with everything the run made", async () => {
    const io = new RecordingIo(false);
    const { opts } = workflow(twoSteps(), {
      finish: async () => {
        throw new Error("template vpn/csr1000v.hbs: missing tunnel");
      },
    });
    const error = await runWorkflow(context(io), opts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyError);
    const report = error as ApplyError;
    expect(report.message).toBe("template vpn/csr1000v.hbs: missing tunnel");
    expect(report.existing.map((r) => `${r.id}:${r.origin}`).sort()).toEqual(["id-a:created", "id-b:created"]);
    expect(report.resumeCommand).toBe(RESUME);
    expect(report.destroyCommand).toBe(DESTROY);
  });
});
