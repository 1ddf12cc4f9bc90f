import type { Command } from "commander";
import type { Context } from "../core/context.js";

/**
 * A command's implementation: gets the context and its own options, returns the exit code.
 * Implementations are loaded only when their command runs, so `--help` stays fast.
 */
export type Handler = (ctx: Context, opts: Record<string, unknown>, cmd: Command) => Promise<number>;

/** Wraps a lazily imported handler into a commander action (provided by main). */
export type ActionFactory = (load: () => Promise<Handler>) => (...args: unknown[]) => Promise<void>;

/**
 * Each capability exports one of these from its `command.ts`: it fills in its top-level command (named
 * and described in src/cli/commands.ts) with flags, subcommands, help and actions; no AWS imports.
 */
export type RegisterCommand = (command: Command, action: ActionFactory) => void;
