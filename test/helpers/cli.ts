import { PassThrough } from "node:stream";
import { afterEach, beforeEach, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import type { FakeAws } from "../fakes/aws.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** The fake account (its clock is injected into the CLI). */
  aws?: FakeAws;
  /** Pretend stdin/stderr are terminals (wizard mode). */
  tty?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Aborted to simulate Ctrl-C. */
  signal?: AbortSignal;
  /** Answers for the wizard: each waits until `waitFor` appears on stderr, then types `keys`. */
  answers?: Array<{ waitFor: string | RegExp; keys: string }>;
  cwd?: string;
}

const BASE_ENV: NodeJS.ProcessEnv = {
  AWS_REGION: "ap-northeast-1",
  AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKE",
  AWS_SECRET_ACCESS_KEY: "fake",
  CI: "false",
  NO_COLOR: "1",
};

/** Keystrokes for prompts. */
export const KEY = { enter: "\r", down: "\x1b[B", up: "\x1b[A", space: " ", ctrlC: "\x03", backspace: "\x7f" };

/** Run `vpcwire <argv>` in-process against the fake AWS, with in-memory streams. */
export async function runCli(argv: string[], opts: RunOptions = {}): Promise<CliResult> {
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean; setRawMode?: (b: boolean) => void };
  const stdout = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  const stderr = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  if (opts.tty) {
    stdin.isTTY = true;
    stdin.setRawMode = () => undefined;
    stderr.isTTY = true;
    stderr.columns = 120;
    // What tty.WriteStream offers, so the spinner path runs as in a terminal.
    Object.assign(stderr, {
      cursorTo: (x: number, y?: number | (() => void), cb?: () => void) => {
        stderr.write(typeof y === "number" ? `\x1b[${y + 1};${x + 1}H` : `\x1b[${x + 1}G`);
        (typeof y === "function" ? y : cb)?.();
        return true;
      },
      moveCursor: (dx: number, dy: number, cb?: () => void) => {
        stderr.write(`${dy < 0 ? `\x1b[${-dy}A` : dy > 0 ? `\x1b[${dy}B` : ""}${dx ? `\x1b[${dx}C` : ""}`);
        cb?.();
        return true;
      },
      clearLine: (_dir: number, cb?: () => void) => {
        stderr.write("\x1b[2K");
        cb?.();
        return true;
      },
      clearScreenDown: (cb?: () => void) => {
        stderr.write("\x1b[0J");
        cb?.();
        return true;
      },
      getColorDepth: () => 1,
      hasColors: () => false,
      rows: 40,
    });
  }
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  const pendingAnswers = [...(opts.answers ?? [])];
  const answered: string[] = [];
  stderr.on("data", (d: Buffer) => {
    err += d.toString();
    // VPCWIRE_TEST_ECHO=1 shows the CLI's stderr live, for debugging a wizard test.
    if (process.env.VPCWIRE_TEST_ECHO) process.stderr.write(`${JSON.stringify(d.toString())}\n`);
    const next = pendingAnswers[0];
    if (!next) return;
    const seen = typeof next.waitFor === "string" ? err.includes(next.waitFor) : next.waitFor.test(err);
    if (seen) {
      pendingAnswers.shift();
      answered.push(String(next.waitFor));
      // Type after the prompt has finished rendering.
      setTimeout(() => stdin.write(next.keys), 5);
    }
  });
  if (!opts.tty) stdin.end();
  const code = await main(
    argv,
    { stdin, stdout, stderr, env: { ...BASE_ENV, ...opts.env }, cwd: opts.cwd ?? process.cwd() },
    { ...(opts.aws ? { clock: opts.aws.clock } : {}), ...(opts.signal ? { signal: opts.signal } : {}) },
  );
  await new Promise((r) => setImmediate(r));
  if (pendingAnswers.length) {
    throw new Error(`wizard never showed: ${String(pendingAnswers[0]!.waitFor)}\n--- stderr ---\n${stripAnsi(err)}`);
  }
  return { code, stdout: out, stderr: stripAnsi(err) };
}

export function stripAnsi(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matches ANSI escapes on purpose
  return s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, "");
}

/** An environment with nothing the SDK could take a Region from (for "flags are checked first" tests). */
export const NO_REGION_ENV: NodeJS.ProcessEnv = {
  AWS_REGION: undefined,
  AWS_DEFAULT_REGION: undefined,
  AWS_PROFILE: undefined,
  AWS_CONFIG_FILE: "/nonexistent/vpcwire-test-config",
};

/**
 * Inside a describe block: no Region in the process environment either (the SDK reads process.env).
 * Pass `{ env: NO_REGION_ENV }` to runCli for the command's own environment.
 */
export function withoutRegion(): void {
  beforeEach(() => {
    for (const [k, v] of Object.entries(NO_REGION_ENV)) vi.stubEnv(k, v);
  });
  afterEach(() => vi.unstubAllEnvs());
}
