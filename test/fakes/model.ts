/**
 * The in-memory AWS model behind the command tests. See test/fakes/README.md for what it models.
 *
 * Time: the model reads a FakeClock, and the same clock is injected into the CLI. `sleep` advances
 * the clock instantly, so "pending for 4 minutes" takes microseconds and is still observed through
 * several polls, exactly as the CLI would see it on real AWS.
 */
import { EC2ServiceException } from "@aws-sdk/client-ec2";
import type { Clock } from "../../src/core/context.js";

export class FakeClock implements Clock {
  t = Date.UTC(2026, 10, 23, 9, 0, 0);
  readonly sleeps: number[] = [];
  /** Called after each sleep; tests use it to press Ctrl-C part-way through a wait. */
  onSleep: ((totalSleptMs: number) => void) | undefined;

  now = (): number => this.t;

  sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    this.t += ms;
    this.onSleep?.(this.sleeps.reduce((a, b) => a + b, 0));
    // Yield to the event loop so concurrent waits interleave like real ones.
    await new Promise((r) => setImmediate(r));
    if (signal?.aborted) throw signal.reason;
  };

  advance(ms: number): void {
    this.t += ms;
  }
}

/**
 * A clock on which concurrent waits overlap, as they do in real time: `sleep` schedules a timer, and
 * when nothing else can run (no immediate work for `quietRounds` event-loop turns) the clock jumps to
 * the earliest timer and fires every timer due then. FakeClock adds each sleep to the time instead,
 * which is right for one wait at a time; a fleet of sites waiting together needs this one
 * (benchmarks and the throttling tests read elapsed model time).
 */
export class SimClock extends FakeClock {
  private timers: Array<{ at: number; seq: number; fire: () => void }> = [];
  private seq = 0;
  private activity = 0;
  private running = false;

  constructor(private readonly quietRounds = 25) {
    super();
  }

  override sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      if (!Number.isFinite(ms)) {
        reject(new Error(`SimClock: sleep(${ms})`));
        return;
      }
      this.sleeps.push(ms);
      this.activity += 1;
      const timer = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.timers.push(timer);
      this.drive();
    });

  private drive(): void {
    if (this.running) return;
    this.running = true;
    let quiet = 0;
    let seen = this.activity;
    const turn = () => {
      if (this.activity !== seen) {
        seen = this.activity;
        quiet = 0;
      }
      if (quiet < this.quietRounds) {
        quiet += 1;
        setImmediate(turn);
        return;
      }
      if (this.timers.length === 0) {
        this.running = false;
        return;
      }
      const at = Math.min(...this.timers.map((x) => x.at));
      const due = this.timers.filter((x) => x.at === at).sort((a, b) => a.seq - b.seq);
      this.timers = this.timers.filter((x) => x.at !== at);
      this.t = Math.max(this.t, at);
      for (const x of due) x.fire();
      this.onSleep?.(this.t);
      quiet = 0;
      this.activity += 1;
      setImmediate(turn);
    };
    setImmediate(turn);
  }
}

let requestCounter = 0;
export function requestId(): string {
  requestCounter += 1;
  return `fake-req-${String(requestCounter).padStart(6, "0")}`;
}

/** An error shaped exactly like the SDK's EC2 errors (name = wire code, Code, $fault, $metadata.requestId). */
export function ec2Error(code: string, message: string, status = 400): Error {
  const e = new EC2ServiceException({
    name: code,
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status, requestId: requestId(), attempts: 1, totalRetryDelay: 0 },
    message,
  });
  Object.assign(e, { Code: code });
  return e;
}

export interface Tagged {
  Tags?: Array<{ Key?: string; Value?: string }>;
}

export function tagsFrom(specs: Array<{ ResourceType?: string; Tags?: Array<{ Key?: string; Value?: string }> }> | undefined, type: string) {
  return (specs ?? []).filter((s) => s.ResourceType === type).flatMap((s) => s.Tags ?? []);
}

/**
 * EC2-style Filters. `fields` maps a filter name to the values a resource has for it; `tag:K` and
 * `tag-key` are handled for every resource. An unknown filter name matches nothing, as on AWS.
 */
export function matchesFilters<T extends Tagged>(
  item: T,
  filters: Array<{ Name?: string; Values?: string[] }> | undefined,
  fields: Record<string, (item: T) => Array<string | undefined> | string | undefined>,
): boolean {
  for (const f of filters ?? []) {
    const name = f.Name ?? "";
    const wanted = f.Values ?? [];
    let have: Array<string | undefined>;
    if (name.startsWith("tag:")) have = (item.Tags ?? []).filter((t) => t.Key === name.slice(4)).map((t) => t.Value);
    else if (name === "tag-key") have = (item.Tags ?? []).map((t) => t.Key);
    else {
      const get = fields[name];
      if (!get) return false;
      const v = get(item);
      have = Array.isArray(v) ? v : [v];
    }
    if (!have.some((h) => h !== undefined && wanted.includes(h))) return false;
  }
  return true;
}

export function hex(n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += "0123456789abcdef"[Math.floor(Math.random() * 16)];
  return s;
}

/** A deterministic id sequence per prefix, so goldens and assertions are stable. */
export class Ids {
  private readonly counters = new Map<string, number>();
  next(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}-${n.toString(16).padStart(17, "0")}`;
  }
}
