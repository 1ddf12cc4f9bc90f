import { stripVTControlCharacters } from "node:util";
import type { Clock } from "../core/context.js";
import { formatElapsed } from "../core/duration.js";
import { InterruptedError, UsageError } from "../core/errors.js";
import type { Io, Prompter, Style, Task } from "../core/io.js";
import type { IoStreams } from "./streams.js";

export interface IoOptions {
  json: boolean;
  yes: boolean;
  color: boolean;
  verbose: boolean;
}

/**
 * Decide the mode once: interactive only when stdin and stderr are terminals, not in CI, and neither
 * --yes nor --json was given. Everything else gets plain lines and never a prompt. ci-info is asked
 * only when everything else says interactive and CI is not set: piped and scripted runs never load it.
 */
export async function isInteractive(streams: IoStreams, opts: Pick<IoOptions, "json" | "yes">): Promise<boolean> {
  // stdin last: touching process.stdin opens it, which a run off a terminal never needs.
  if (opts.json || opts.yes || !streams.stderr.isTTY || !streams.stdin.isTTY) return false;
  if (streams.env.CI !== undefined) return ["", "0", "false"].includes(streams.env.CI);
  return !(await import("ci-info")).isCI;
}

export function useColor(streams: IoStreams, opts: Pick<IoOptions, "color">): boolean {
  return opts.color && !streams.env.NO_COLOR && Boolean(streams.stderr.isTTY);
}

const plainStyle: Style = { bold: String, dim: String, green: String, yellow: String, red: String, cyan: String };

/** Colours come from chalk, loaded only when there is a terminal to colour: plain runs never import it. */
async function loadStyle(color: boolean): Promise<Style> {
  if (!color) return plainStyle;
  const chalk = new (await import("chalk")).Chalk({ level: 1 });
  return {
    bold: (s) => chalk.bold(s),
    dim: (s) => chalk.dim(s),
    green: (s) => chalk.green(s),
    yellow: (s) => chalk.yellow(s),
    red: (s) => chalk.red(s),
    cyan: (s) => chalk.cyan(s),
  };
}

export async function createIo(streams: IoStreams, opts: IoOptions, clock: Clock, signal: AbortSignal): Promise<Io> {
  const interactive = await isInteractive(streams, opts);
  const color = useColor(streams, opts);
  const stdoutColor = color && Boolean(streams.stdout.isTTY);
  const style = await loadStyle(color);
  const err = (line: string) => streams.stderr.write(`${line}\n`);
  // Spinners need a real terminal stream (ora moves the cursor); anything else gets plain lines.
  const canSpin = typeof (streams.stderr as { cursorTo?: unknown }).cursorTo === "function";
  const spinner = interactive && canSpin ? new SpinnerBoard(streams, clock, style) : undefined;
  const say = (line: string) => (spinner ? spinner.print(line) : err(line));

  return {
    interactive,
    style,
    // Results may be styled for a terminal; a file or pipe on stdout gets plain text.
    result: (text) => {
      // ESC or the 8-bit CSI start every sequence stripVTControlCharacters removes; most results have neither.
      const plain = stdoutColor || !(text.includes("\x1b") || text.includes("\x9b")) ? text : stripVTControlCharacters(text);
      streams.stdout.write(plain.endsWith("\n") ? plain : `${plain}\n`);
    },
    info: (text) => say(text),
    warn: (text) => say(`${style.yellow("warning:")} ${text}`),
    success: (text) => say(`${style.green("✔")} ${text}`),
    debug: (text) => {
      if (opts.verbose) say(style.dim(`[debug] ${text}`));
    },
    task: (label) => (spinner ? spinner.add(label) : plainTask(label, clock, err, style)),
    prompt: interactive ? inquirerPrompter(streams, signal) : refusingPrompter(),
  };
}

/** Non-interactive progress: one line when a step starts, one per state change, one when it ends. */
function plainTask(label: string, clock: Clock, err: (line: string) => void, style: Style): Task {
  const started = clock.now();
  const elapsed = () => formatElapsed(clock.now() - started);
  err(`… ${label}`);
  return {
    update: (state) => err(`  ${label}: ${state} (${elapsed()})`),
    succeed: (text) => err(`${style.green("✔")} ${text ?? label} (${elapsed()})`),
    fail: (text) => err(`${style.red("✖")} ${text ?? label} (${elapsed()})`),
  };
}

/**
 * Interactive progress: one ora spinner whose text holds one line per running task, so several
 * concurrent waits (two VIFs, two tunnels) each keep their own line. Finished tasks are printed above.
 */
class SpinnerBoard {
  private readonly tasks = new Map<number, { label: string; state: string; started: number }>();
  private next = 0;
  private ora: import("ora").Ora | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private oraModule: Promise<typeof import("ora")> | undefined;

  constructor(
    private readonly streams: IoStreams,
    private readonly clock: Clock,
    private readonly style: Style,
  ) {}

  print(line: string): void {
    if (this.ora?.isSpinning) {
      this.ora.clear();
      this.streams.stderr.write(`${line}\n`);
      this.ora.render();
    } else {
      this.streams.stderr.write(`${line}\n`);
    }
  }

  add(label: string): Task {
    const id = this.next++;
    this.tasks.set(id, { label, state: "", started: this.clock.now() });
    this.refresh();
    const finish = (mark: string, text: string | undefined) => {
      const t = this.tasks.get(id);
      if (!t) return;
      this.tasks.delete(id);
      this.print(`${mark} ${text ?? t.label} (${formatElapsed(this.clock.now() - t.started)})`);
      this.refresh();
    };
    return {
      update: (state) => {
        const t = this.tasks.get(id);
        if (t) t.state = state;
        this.refresh();
      },
      succeed: (text) => finish(this.style.green("✔"), text),
      fail: (text) => finish(this.style.red("✖"), text),
    };
  }

  private text(): string {
    return [...this.tasks.values()]
      .map((t) => `${t.label}${t.state ? `: ${t.state}` : ""} ${this.style.dim(formatElapsed(this.clock.now() - t.started))}`)
      .join("\n  ");
  }

  private refresh(): void {
    if (this.tasks.size === 0) {
      this.ora?.stop();
      if (this.ticker) clearInterval(this.ticker);
      this.ticker = undefined;
      return;
    }
    if (this.ora) {
      this.ora.text = this.text();
      if (!this.ora.isSpinning) this.ora.start();
    } else {
      this.oraModule ??= import("ora");
      void this.oraModule.then(({ default: ora }) => {
        if (this.tasks.size === 0) return;
        this.ora ??= ora({ stream: this.streams.stderr as NodeJS.WriteStream, text: this.text(), discardStdin: false });
        this.ora.text = this.text();
        if (!this.ora.isSpinning) this.ora.start();
      });
    }
    // Elapsed times tick once a second even when no state changes.
    this.ticker ??= setInterval(() => {
      if (this.ora) this.ora.text = this.text();
    }, 1000).unref();
  }
}

/** Prompts bound to stderr (so `vpcwire ... > router.cfg` works) and to the injected stdin. */
function inquirerPrompter(streams: IoStreams, signal: AbortSignal): Prompter {
  // Loaded with the first prompt: runs without prompts (flags, JSON, plans) load neither, nor Node's streams.
  const load = async () => {
    const [prompts, { Writable }] = await Promise.all([import("@inquirer/prompts"), import("node:stream")]);
    // A fresh output per prompt: each prompt ends its output when done (see keepOpen).
    const context = () => ({ input: streams.stdin, output: keepOpen(Writable, streams.stderr), signal, clearPromptOnDone: false });
    return { prompts, context };
  };
  // Ctrl-C at a prompt (raw mode: no SIGINT reaches the process) or an abort ends the run cleanly.
  type Prompts = Awaited<ReturnType<typeof load>>["prompts"];
  type Context = ReturnType<Awaited<ReturnType<typeof load>>["context"]>;
  const ask = async <T>(fn: (prompts: Prompts, context: Context) => Promise<T>): Promise<T> => {
    try {
      const { prompts, context } = await load();
      return await fn(prompts, context());
    } catch (error) {
      const name = (error as Error)?.name;
      if (name === "ExitPromptError" || name === "AbortPromptError" || name === "CancelPromptError") {
        throw new InterruptedError("Cancelled at the prompt: nothing was changed.", "signal");
      }
      throw error;
    }
  };
  return {
    input: (o) => ask((prompts, context) => prompts.input({ message: o.message, default: o.default, validate: o.validate }, context)),
    password: (o) => ask((prompts, context) => prompts.password({ message: o.message, mask: "*", validate: o.validate }, context)),
    select: (o) => ask((prompts, context) => prompts.select({ message: o.message, choices: o.choices, default: o.default, pageSize: 12 }, context)),
    search: (o) => ask((prompts, context) => prompts.search({ message: o.message, source: (term) => o.source(term), pageSize: 12 }, context)),
    checkbox: (o) => ask((prompts, context) => prompts.checkbox({ message: o.message, choices: o.choices, required: o.required, pageSize: 12 }, context)),
    confirm: (o) => ask((prompts, context) => prompts.confirm({ message: o.message, default: o.default }, context)),
  };
}

/**
 * Each prompt pipes into its output and ends the pipe when it is done; that must not end our stderr,
 * which later prompts and progress lines still use. Terminal size and TTY-ness are passed through.
 */
function keepOpen(Writable: typeof import("node:stream").Writable, target: IoStreams["stderr"]): NodeJS.WritableStream {
  const proxy = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      target.write(chunk, callback);
    },
  });
  Object.defineProperties(proxy, {
    isTTY: { get: () => target.isTTY },
    columns: { get: () => target.columns },
    rows: { get: () => (target as { rows?: number }).rows },
  });
  return proxy;
}

/** Off a TTY nothing may prompt; reaching one is a bug in the missing-flags check, reported as usage. */
function refusingPrompter(): Prompter {
  const refuse = (): never => {
    throw new UsageError("input is missing and vpcwire is not running interactively (see --help for the flags)");
  };
  return { input: refuse, password: refuse, select: refuse, search: refuse, checkbox: refuse, confirm: refuse };
}
