import { describe, expect, it } from "vitest";
import { InterruptedError } from "../../src/core/errors.js";
import { WaitFailedError } from "../../src/core/poll.js";
import { dependencyVerdict, retryWhileBlocked, untilDone, waiter, waitFor } from "../../src/core/wait.js";
import { ec2Error } from "../fakes/model.js";
import { testContext } from "../helpers/context.js";

/** A describe that returns the given states one after the other (the last one repeats). */
function states(...list: string[]) {
  let i = 0;
  return async () => list[Math.min(i++, list.length - 1)]!;
}

describe("waitFor", () => {
  it("shows each state change on one progress line and ends with a tick", async () => {
    const ctx = testContext();
    const seen: string[] = [];
    const v = await waitFor(ctx, {
      what: "gateway vgw-1",
      label: "gateway",
      describe: states("pending", "pending", "available"),
      check: (s) => (s === "available" ? { status: "done", state: s } : { status: "wait", state: s }),
      timeoutMs: 60_000,
      onState: (s) => seen.push(s),
      doneText: (s) => `gateway is ${s}`,
    });
    expect(v).toBe("available");
    expect(seen).toEqual(["pending", "available"]);
    expect(ctx.io.lines).toEqual([
      "task gateway: start",
      "task gateway: update pending",
      "task gateway: update available",
      "task gateway: succeed gateway is available",
    ]);
  });

  it("backs off from 2 s by 1.5 towards 15 s, on the injected clock", async () => {
    const ctx = testContext();
    await waitFor(ctx, {
      what: "x",
      describe: states("a", "a", "a", "a", "a", "a", "a", "a", "done"),
      check: (s) => (s === "done" ? { status: "done", state: s } : { status: "wait", state: s }),
      timeoutMs: 600_000,
    });
    expect(ctx.clock.sleeps).toEqual([2000, 3000, 4500, 6750, 10125, 15000, 15000, 15000]);
  });

  it("a failed state fails the line with the reason", async () => {
    const ctx = testContext();
    const wait = waitFor(ctx, {
      what: "interface dxvif-1",
      describe: states("rejected"),
      check: (s) => ({ status: "failed", state: s, reason: "the partner deleted it" }),
      timeoutMs: 60_000,
    });
    await expect(wait).rejects.toThrow(WaitFailedError);
    expect(ctx.io.lines.at(-1)).toBe("task interface dxvif-1: fail interface dxvif-1: interface dxvif-1 is rejected: the partner deleted it");
  });

  it("times out with --timeout's message", async () => {
    const ctx = testContext();
    const error = await waitFor(ctx, { what: "x", describe: states("pending"), check: (s) => ({ status: "wait", state: s }), timeoutMs: 10_000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as Error).message).toMatch(/^Timed out after .* waiting for x \(last state: pending\)\. Use --timeout to wait longer\.$/);
    expect(ctx.clock.sleeps.reduce((a, b) => a + b, 0)).toBe(10_000);
  });
});

describe("waiter (runners)", () => {
  it("tries again while a new id is not visible yet (NotFound), by default", async () => {
    const ctx = testContext();
    let calls = 0;
    const wait = waiter(ctx, 60_000);
    const v = await wait(
      "VPN connection vpn-1",
      "VPN connection",
      async () => {
        calls += 1;
        if (calls === 1) throw ec2Error("InvalidVpnConnectionID.NotFound", "not yet");
        return "available";
      },
      (s) => ({ status: "done", state: s }),
    );
    expect(v).toBe("available");
    expect(calls).toBe(2);
  });

  it("other errors end the wait at once, and fail the line with the message", async () => {
    const ctx = testContext();
    const wait = waiter(ctx, 60_000);
    const failing = wait(
      "x",
      "label",
      async () => {
        throw ec2Error("UnauthorizedOperation", "no");
      },
      () => ({ status: "done", state: "done" }),
    );
    await expect(failing).rejects.toThrow("no");
    expect(ctx.clock.sleeps).toEqual([]);
    expect(ctx.io.lines.at(-1)).toMatch(/^task label: fail label: /);
  });
});

describe("untilDone (destroy)", () => {
  it("waits while `done` names a state, and ends with a plain tick", async () => {
    const ctx = testContext();
    await untilDone(ctx, 60_000)("VPN connection vpn-1 deleting", states("deleting", "deleted"), (s) => (s === "deleted" ? true : s));
    expect(ctx.io.lines).toEqual([
      "task VPN connection vpn-1 deleting: start",
      "task VPN connection vpn-1 deleting: update deleting",
      "task VPN connection vpn-1 deleting: update done",
      "task VPN connection vpn-1 deleting: succeed",
    ]);
  });

  it("a failure ends the line with a plain cross (the error is reported once, by the caller)", async () => {
    const ctx = testContext();
    await expect(untilDone(ctx, 5_000)("x", states("deleting"), (s) => s)).rejects.toThrow(InterruptedError);
    expect(ctx.io.lines.at(-1)).toBe("task x: fail");
  });
});

describe("retryWhileBlocked", () => {
  it("repeats the call while AWS reports a dependency, then succeeds", async () => {
    const ctx = testContext();
    let calls = 0;
    await retryWhileBlocked(ctx, {
      what: "gateway vgw-1",
      timeoutMs: 60_000,
      call: async () => {
        calls += 1;
        if (calls < 3) throw ec2Error("IncorrectState", "still detaching");
      },
    });
    expect(calls).toBe(3);
    expect(ctx.clock.sleeps).toEqual([2000, 3000]);
  });

  it("counts a resource already gone as done, so destroy can run again", async () => {
    const ctx = testContext();
    await retryWhileBlocked(ctx, {
      what: "x",
      timeoutMs: 60_000,
      call: async () => {
        throw ec2Error("InvalidVpnGatewayID.NotFound", "gone");
      },
    });
    expect(ctx.clock.sleeps).toEqual([]);
  });

  it("throws any other error at once", async () => {
    const ctx = testContext();
    const call = async () => {
      throw ec2Error("UnauthorizedOperation", "no");
    };
    await expect(retryWhileBlocked(ctx, { what: "x", timeoutMs: 60_000, call })).rejects.toThrow("no");
  });

  it("takes the caller's reading of an error (an endpoint service waits for its connections to close)", async () => {
    const ctx = testContext();
    let calls = 0;
    await retryWhileBlocked(ctx, {
      what: "endpoint service vpce-svc-1",
      timeoutMs: 60_000,
      call: async () => {
        calls += 1;
        if (calls === 1) throw ec2Error("ExistingVpcEndpointConnections", "open connections");
      },
      verdict: (e) => ((e as { name?: string }).name === "ExistingVpcEndpointConnections" ? { waiting: "connections closing" } : dependencyVerdict(e)),
    });
    expect(calls).toBe(2);
  });

  it("gives up at --timeout", async () => {
    const ctx = testContext();
    const call = async () => {
      throw ec2Error("DependencyViolation", "in use");
    };
    await expect(retryWhileBlocked(ctx, { what: "security group sg-1", timeoutMs: 20_000, call })).rejects.toThrow(
      /waiting for security group sg-1 \(last state: waiting for dependents \(DependencyViolation\)\)/,
    );
  });

  it("dependencyVerdict reads the usual codes", () => {
    for (const code of ["DependencyViolation", "IncorrectState", "InvalidVpnGatewayState", "ResourceInUse", "ResourceInUseException"]) {
      expect(dependencyVerdict(ec2Error(code, ""))).toEqual({ waiting: `waiting for dependents (${code})` });
    }
    expect(dependencyVerdict(ec2Error("InvalidGroup.NotFound", ""))).toBe("gone");
    expect(dependencyVerdict(ec2Error("UnauthorizedOperation", ""))).toBeUndefined();
  });
});
