import { setMaxListeners } from "node:events";
import { Command, CommanderError } from "commander";
import type { AwsClientSource, Clock, Context, GlobalConfig } from "../core/context.js";
import type * as Errors from "../core/errors.js";
import type { Io } from "../core/io.js";
import { type IoStreams, processStreams } from "../ui/streams.js";
import { registerLazily } from "./commands.js";
import type { ActionFactory, Handler } from "./kit.js";
import { addGlobalOptions } from "./options.js";
import { VERSION } from "./version.js";

export interface MainDeps {
  /** Injected time: tests pass a zero-delay sleep and a fake clock. */
  clock?: Clock;
  /** Aborted on Ctrl-C (the process edge wires SIGINT to it). */
  signal?: AbortSignal;
  /** Client factory; tests use the real one with aws-sdk-client-mock patching the clients. */
  clients?: (config: GlobalConfig, env: NodeJS.ProcessEnv) => AwsClientSource;
}

const ISSUES_URL = "https://github.com/vpcwire/vpcwire/issues";

/**
 * The process edge: parse argv, run one command, map errors to exit codes. The only place that
 * decides an exit code. Never calls process.exit, so tests run it in-process.
 */
export async function main(argv: string[], streams: IoStreams = processStreams(), deps: MainDeps = {}): Promise<number> {
  const signal = deps.signal ?? new AbortController().signal;
  // Every read in flight listens to this signal (Ctrl-C stops it): `list` and `status` read a dozen things at
  // once, past Node's default of 10 that would print a listener-leak warning. `vpn apply` raises it further.
  setMaxListeners(100, signal);
  let exitCode = 0;
  let active: { io: Io; config: GlobalConfig } | undefined;

  const program = new Command("vpcwire");
  program
    .description("Connect on-premises networks to AWS VPCs: Site-to-Site VPN, Direct Connect, FLET'S ISATAP, PrivateLink relay.")
    .version(VERSION, "-V, --version")
    .exitOverride()
    // Each command's --help also lists --dry-run, --json, --region...: they apply everywhere.
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (s) => streams.stdout.write(s),
      writeErr: (s) => streams.stderr.write(s),
      // From the streams given, not process.stdout (creating it costs; tests pass their own streams).
      getOutHelpWidth: () => (streams.stdout.isTTY && streams.stdout.columns) || 80,
      getErrHelpWidth: () => (streams.stderr.isTTY && streams.stderr.columns) || 80,
      getOutHasColors: () => hasColors(streams.stdout, streams.env),
      getErrHasColors: () => hasColors(streams.stderr, streams.env),
      // Parser errors (unknown option, bad choice) in the same one-line form as every usage error.
      outputError: (s, write) => write(`vpcwire: ${s.replace(/^error: /, "").trimEnd()} (see --help)\n`),
    });
  addGlobalOptions(program);

  const action: ActionFactory =
    (load) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      // Loaded only when a command runs: --help and --version need none of these (nor chalk, ms, ...).
      const { toGlobalConfig, createIo, realClock, rejectEmptyValues } = await import("./runtime.js");
      const clock = deps.clock ?? realClock;
      const all = cmd.optsWithGlobals();
      const config = toGlobalConfig(all);
      const io = await createIo(streams, { json: config.json, yes: config.yes, color: config.color, verbose: config.verbose }, clock, signal);
      active = { io, config };
      rejectEmptyValues(all, [...cmd.options, ...allParents(cmd).flatMap((c) => c.options)]);
      const clients = lazyClients(config, streams.env, deps.clients);
      const ctx: Context = { io, config, clients, signal, env: streams.env, cwd: streams.cwd, sleep: clock.sleep, now: clock.now };
      const handler: Handler = await load();
      exitCode = await handler(ctx, cmd.opts(), cmd);
    };
  // Every command inherits exitOverride, output and help settings from `program` when it is created.
  registerLazily(program, action);

  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return parserExit(error, argv, streams);
    // The error classes load only when a command failed (whatever threw them has loaded them already).
    return report(error, streams, active, await import("../core/errors.js"));
  }
}

/**
 * Clients are built on first use, and the client factory (and through it each service's SDK module)
 * is imported only then: the SDK is the heaviest import by far. Offline runs make no AWS call;
 * reaching for a client there is a bug.
 */
function lazyClients(config: GlobalConfig, env: NodeJS.ProcessEnv, factory?: MainDeps["clients"]): AwsClientSource {
  let source: AwsClientSource | undefined;
  return {
    async get(service) {
      if (config.offline) throw new Error("an offline run tried to call AWS");
      source ??= (factory ?? (await import("../aws/clients.js")).createAwsClients)(config, env);
      return source.get(service);
    },
  };
}

/** As commander decides by default, for the given stream. */
function hasColors(stream: IoStreams["stdout"], env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR || env.FORCE_COLOR === "0" || env.FORCE_COLOR === "false") return false;
  if (env.FORCE_COLOR || env.CLICOLOR_FORCE !== undefined) return true;
  return Boolean(stream.isTTY && (stream as { hasColors?: () => boolean }).hasColors?.());
}

function allParents(cmd: Command): Command[] {
  return cmd.parent ? [cmd.parent, ...allParents(cmd.parent)] : [];
}

/** Commander already printed help, the version, or its one-line parser error; usage errors exit 2 (with --json, also as JSON). */
function parserExit(error: CommanderError, argv: string[], streams: IoStreams): number {
  if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return 0;
  if (argv.includes("--json")) {
    const message = error.message.replace(/^error: /, "");
    streams.stdout.write(`${JSON.stringify({ schemaVersion: 1, ok: false, error: { type: "UsageError", exitCode: 2, message } }, null, 2)}\n`);
  }
  return 2;
}

/** One place that prints failures: one line for people, a JSON error document with --json. */
function report(error: unknown, streams: IoStreams, active: { io: Io; config: GlobalConfig } | undefined, errors: typeof Errors): number {
  const { ApplyError, AwsError, InterruptedError, UsageError, VpcwireError } = errors;
  const json = active?.config.json ?? false;
  const verbose = active?.config.verbose ?? false;
  const err = (line: string) => streams.stderr.write(`${line}\n`);
  let code = 1;
  let kind = "InternalError";
  const lines: string[] = [];
  if (error instanceof VpcwireError) {
    code = error.exitCode;
    kind = error instanceof UsageError ? "UsageError" : error.name;
    lines.push(`vpcwire: ${error.message}`);
    const aws = error instanceof AwsError ? error : error.cause instanceof AwsError ? error.cause : undefined;
    if (aws?.details.requestId) lines.push(`  request id: ${aws.details.requestId}`);
    if (error instanceof ApplyError) {
      if (error.failedStep) lines.push(`  while: ${error.failedStep}`);
      if (error.existing.length) {
        lines.push("  Where things stand (resources carry the stack tag):");
        for (const r of error.existing) {
          lines.push(`    ${r.origin.padEnd(7)} ${r.kind} ${r.id}${r.state ? ` (${r.state})` : ""}`);
        }
      } else {
        lines.push("  Nothing was created.");
      }
      lines.push(`  To continue where it stopped, run the same command again:\n    ${error.resumeCommand}`);
      if (error.existing.some((r) => r.origin === "created" || r.origin === "changed")) {
        lines.push(`  To undo what this stack created or changed:\n    ${error.destroyCommand}`);
      }
    } else if (error instanceof InterruptedError && error.reason === "signal" && !/nothing was changed/i.test(error.message)) {
      lines.push("  Nothing more was changed.");
    }
  } else {
    const e = error instanceof Error ? error : new Error(String(error));
    lines.push(`vpcwire: internal error: ${e.message} (this is a bug; please report it at ${ISSUES_URL})`);
    if (verbose && e.stack) lines.push(e.stack);
  }
  for (const l of lines) err(l);
  if (json) {
    const doc: Record<string, unknown> = { schemaVersion: 1, ok: false, error: { type: kind, exitCode: code, message: (error as Error).message } };
    const aws = error instanceof AwsError ? error : (error as Error)?.cause instanceof AwsError ? ((error as Error).cause as Errors.AwsError) : undefined;
    if (aws) Object.assign(doc.error as object, { aws: aws.details });
    // A file's problems (vpn apply's sites file), each with its line, site and key, for scripts.
    const problems = (error as { problems?: unknown })?.problems;
    if (Array.isArray(problems)) Object.assign(doc.error as object, { problems });
    if (error instanceof ApplyError) {
      Object.assign(doc, { existing: error.existing, resumeCommand: error.resumeCommand, destroyCommand: error.destroyCommand });
    }
    streams.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  }
  return code;
}
