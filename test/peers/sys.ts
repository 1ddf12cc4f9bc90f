/**
 * The machine side of the real-peer suite: commands with a deadline, network namespaces, and daemons
 * that are stopped by the PID this process started, also when a test fails or the worker exits.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a command to completion, killed after `timeoutMs`. Never throws for a non-zero exit. */
export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 20_000, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        const killed = err && "killed" in err && err.killed ? `\n(killed after ${opts.timeoutMs ?? 20_000} ms)` : "";
        resolve({ code, stdout: String(stdout), stderr: String(stderr) + killed });
      },
    );
  });
}

/** Run a command that must succeed; the error names the command and shows its output. */
export async function must(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** Poll `probe` until it returns a value (not undefined), at most `timeoutMs`; the error says what was awaited and the last state seen. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  opts: { timeoutMs: number; intervalMs?: number; describe?: () => Promise<string> },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() >= deadline) {
      const seen = opts.describe ? `\n--- last state ---\n${await opts.describe()}` : "";
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${what}${seen}`);
    }
    await delay(opts.intervalMs ?? 500);
  }
}

// Everything started or created by this process, so that an exit still cleans up.
const livePids = new Set<number>();
const liveNamespaces = new Set<string>();
/** Every namespace of this process is named `vwp<pid>...`. */
export const NS_PREFIX = `vwp${process.pid}`;

function cleanupSync(): void {
  for (const pid of livePids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
  livePids.clear();
  for (const ns of liveNamespaces) {
    try {
      execFileSync("ip", ["netns", "del", ns], { stdio: "ignore", timeout: 5000 });
    } catch {}
  }
  liveNamespaces.clear();
}
process.once("exit", cleanupSync);

let watchdog = false;
/**
 * If this process dies without running its cleanup (SIGKILL, a killed CI job), a detached shell notices
 * within a second and removes what it left: the processes inside this process's namespaces (all ours:
 * we created the namespaces), the namespaces, and the lab directories. It exits by itself.
 */
function startWatchdog(): void {
  if (watchdog) return;
  watchdog = true;
  const script = `
while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done
for ns in $(ip netns list | awk '{print $1}' | grep '^${NS_PREFIX}[a-z]'); do
  for p in $(ip netns pids "$ns"); do kill -9 "$p" 2>/dev/null; done
  ip netns del "$ns"
done
${process.env.VPCWIRE_PEERS_KEEP ? "" : `rm -rf ${tmpdir()}/${NS_PREFIX}[a-z]*`}
`;
  spawn("sh", ["-c", script], { detached: true, stdio: "ignore" }).unref();
}

export interface Daemon {
  name: string;
  pid: number;
  log: string;
  exited: () => boolean;
}

/**
 * One lab: a private directory, namespaces named `<prefix>-<role>`, and daemons. `close()` stops the
 * daemons by PID (SIGTERM, then SIGKILL after a bounded wait), deletes the namespaces and the directory.
 */
export class Lab {
  readonly prefix: string;
  readonly dir: string;
  private readonly namespaces: string[] = [];
  private readonly daemons: Array<{ d: Daemon; child: ChildProcess }> = [];

  /** `name` tells labs of this process apart (namespaces are `vwp<pid><name>-<role>`). */
  constructor(name: string) {
    if (!/^[a-z][a-z0-9]*$/.test(name)) throw new Error(`lab name ${name}: lowercase letters and digits, starting with a letter`);
    this.prefix = `${NS_PREFIX}${name}`;
    this.dir = mkdtempSync(join(tmpdir(), `${this.prefix}-`));
    startWatchdog();
  }

  /** A namespace with loopback up; `role` becomes `<prefix>-<role>`. */
  async netns(role: string): Promise<string> {
    const ns = `${this.prefix}-${role}`;
    await must("ip", ["netns", "add", ns]);
    this.namespaces.push(ns);
    liveNamespaces.add(ns);
    await this.ip(ns, ["link", "set", "lo", "up"]);
    return ns;
  }

  /** `ip -n <ns> ...` */
  ip(ns: string, args: string[]): Promise<string> {
    return must("ip", ["-n", ns, ...args]);
  }

  /** A veth pair between two namespaces, both ends up, with the given addresses (CIDR notation). */
  async link(a: { ns: string; dev: string; addrs: string[] }, b: { ns: string; dev: string; addrs: string[] }): Promise<void> {
    await must("ip", ["link", "add", a.dev, "netns", a.ns, "type", "veth", "peer", "name", b.dev, "netns", b.ns]);
    for (const end of [a, b]) {
      for (const addr of end.addrs) await this.ip(end.ns, ["addr", "add", addr, "dev", end.dev]);
      await this.ip(end.ns, ["link", "set", end.dev, "up"]);
    }
  }

  /** Run a command inside a namespace. */
  exec(ns: string, cmd: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> {
    return must("ip", ["netns", "exec", ns, ...cmd], opts);
  }

  /**
   * Start a foreground daemon inside `ns`. `ip netns exec` execs the command (and `sh -c "... exec X"`
   * execs X), so the PID we get is the daemon's own. Output goes to `<dir>/<name>.out`.
   */
  start(name: string, ns: string, argv: string[], env?: NodeJS.ProcessEnv): Daemon {
    const log = join(this.dir, `${name}.out`);
    const fd = openSync(log, "a");
    const child = spawn("ip", ["netns", "exec", ns, ...argv], { env: env ?? process.env, stdio: ["ignore", fd, fd] });
    closeSync(fd);
    if (child.pid === undefined) throw new Error(`could not start ${name} (${argv.join(" ")})`);
    let done = false;
    child.on("exit", () => {
      done = true;
      livePids.delete(child.pid!);
    });
    const d: Daemon = { name, pid: child.pid, log, exited: () => done };
    livePids.add(child.pid);
    this.daemons.push({ d, child });
    return d;
  }

  /** The last lines of a file (daemon output, logs), for failure messages. */
  tail(file: string, lines = 40): string {
    if (!existsSync(file)) return `(no ${file})`;
    const text = readFileSync(file, "utf8").trimEnd().split("\n");
    return `--- ${file} (last ${Math.min(lines, text.length)} lines) ---\n${text.slice(-lines).join("\n")}`;
  }

  async close(): Promise<void> {
    for (const { d } of this.daemons) {
      if (!d.exited()) {
        try {
          process.kill(d.pid, "SIGTERM");
        } catch {}
      }
    }
    const deadline = Date.now() + 5000;
    while (this.daemons.some(({ d }) => !d.exited()) && Date.now() < deadline) await delay(50);
    for (const { d } of this.daemons) {
      if (!d.exited()) {
        try {
          process.kill(d.pid, "SIGKILL");
        } catch {}
      }
    }
    for (const ns of this.namespaces) {
      await run("ip", ["netns", "del", ns]);
      liveNamespaces.delete(ns);
    }
    if (!process.env.VPCWIRE_PEERS_KEEP) rmSync(this.dir, { recursive: true, force: true });
  }
}
