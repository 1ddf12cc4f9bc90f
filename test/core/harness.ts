/**
 * Test doubles for the engine in src/core: a recording Io, a manual clock, plan builders and a
 * deferred promise to hold a runner mid-flight. Nothing here loads the SDK or the UI hosts.
 */
import type { AwsClientSource, Clock, Context, GlobalConfig } from "../../src/core/context.js";
import type { Io, Prompter, Style, Task } from "../../src/core/io.js";
import type { Plan, PlanStep } from "../../src/core/plan.js";

/** A promise the test settles by hand. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Let every pending promise callback (and setImmediate) run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/** A create step of a generic resource; override what the test is about. */
export function step(id: string, over: Partial<PlanStep> = {}): PlanStep {
  return { id, type: "thing", action: "create", resource: "thing", owned: true, summary: `thing ${id}`, params: {}, dependsOn: [], ...over };
}

export function plan(steps: PlanStep[], over: Partial<Plan> = {}): Plan {
  return { schemaVersion: 1, command: "vpn create", kind: "vpn", stack: "s1", region: "ap-northeast-1", offline: false, steps, warnings: [], ...over };
}

/** Time that moves only when someone sleeps; every sleep is recorded. */
export class ManualClock implements Clock {
  t = 1_000_000;
  readonly sleeps: number[] = [];
  /** Called after each sleep has advanced the time (a test aborts a wait from here). */
  onSleep: ((ms: number) => void) | undefined;

  now = (): number => this.t;

  sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    this.t += ms;
    this.onSleep?.(ms);
    // Yield to the event loop as a real sleep would (a runaway poll loop then hits the test timeout).
    await new Promise((r) => setImmediate(r));
    if (signal?.aborted) throw signal.reason;
  };
}

/** Styling that marks nothing, so text assertions read plainly. */
const plainStyle: Style = { bold: (s) => s, dim: (s) => s, green: (s) => s, yellow: (s) => s, red: (s) => s, cyan: (s) => s };

/** An Io host that records everything. `confirmAnswers` are returned in order; any other prompt fails the test. */
export class RecordingIo implements Io {
  readonly results: string[] = [];
  /** Everything meant for stderr, in order, with its channel. */
  readonly talk: Array<{ channel: "info" | "warn" | "success" | "debug" | "task"; text: string }> = [];
  readonly confirms: Array<{ message: string; default?: boolean }> = [];
  readonly style = plainStyle;
  readonly prompt: Prompter;

  constructor(
    readonly interactive: boolean,
    confirmAnswers: Array<boolean | (() => boolean)> = [],
  ) {
    const unexpected = (what: string) => () => Promise.reject(new Error(`unexpected ${what} prompt`));
    this.prompt = {
      input: unexpected("input"),
      password: unexpected("password"),
      select: unexpected("select"),
      search: unexpected("search"),
      checkbox: unexpected("checkbox"),
      confirm: async (opts) => {
        this.confirms.push(opts);
        const answer = confirmAnswers.shift();
        if (answer === undefined) throw new Error(`unexpected confirm prompt: ${opts.message}`);
        return typeof answer === "function" ? answer() : answer;
      },
    };
  }

  result(text: string): void {
    this.results.push(text);
  }
  info(text: string): void {
    this.talk.push({ channel: "info", text });
  }
  warn(text: string): void {
    this.talk.push({ channel: "warn", text });
  }
  success(text: string): void {
    this.talk.push({ channel: "success", text });
  }
  debug(text: string): void {
    this.talk.push({ channel: "debug", text });
  }
  task(label: string): Task {
    this.talk.push({ channel: "task", text: label });
    return {
      update: (state) => this.talk.push({ channel: "task", text: `${label}: ${state}` }),
      succeed: (text) => this.talk.push({ channel: "task", text: `ok ${text ?? label}` }),
      fail: (text) => this.talk.push({ channel: "task", text: `failed ${text ?? label}` }),
    };
  }
}

const noClients: AwsClientSource = {
  get: (service) => Promise.reject(new Error(`the engine asked for an AWS client (${service})`)),
};

export function context(io: Io, config: Partial<GlobalConfig> = {}, signal: AbortSignal = new AbortController().signal): Context {
  const clock = new ManualClock();
  return {
    io,
    config: { json: false, yes: false, dryRun: false, offline: false, color: false, verbose: false, revealSecrets: false, ...config },
    clients: noClients,
    signal,
    sleep: clock.sleep,
    now: clock.now,
    env: {},
    cwd: "/nonexistent",
  };
}
