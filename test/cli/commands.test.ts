/**
 * The root program knows the top-level commands by the table in src/cli/commands.ts and loads a
 * command's module only when argv selects it: the table must say what the loaded commands say.
 */
import { Command, Help } from "commander";
import { describe, expect, it } from "vitest";
import { COMMANDS, registerAll, registerLazily } from "../../src/cli/commands.js";
import type { ActionFactory } from "../../src/cli/kit.js";
import { runCli } from "../helpers/cli.js";

const noop: ActionFactory = () => async () => undefined;

describe("the command table", () => {
  it("lists each top-level command as its module defines it (usage in the root --help), once", async () => {
    const program = new Command("vpcwire");
    await registerAll(program, noop);
    const help = new Help();
    expect(program.commands.map((c) => c.name())).toEqual(COMMANDS.map((e) => e.name));
    for (const entry of COMMANDS) {
      const cmd = program.commands.find((c) => c.name() === entry.name)!;
      expect(help.subcommandTerm(cmd), entry.name).toBe([entry.name, entry.usage].filter(Boolean).join(" "));
      expect(cmd.description(), entry.name).toBe(entry.description);
    }
  });

  it("registers names only until commander dispatches to a command", () => {
    const program = new Command("vpcwire");
    registerLazily(program, noop);
    expect(program.commands.map((c) => c.name())).toEqual([...COMMANDS.map((e) => e.name), "help"]);
    expect(program.commands.every((c) => c.commands.length === 0 && c.options.length === 0)).toBe(true);
  });
});

describe("the CLI with lazily loaded commands", () => {
  it("--help lists every command with its usage", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const entry of COMMANDS)
      expect(r.stdout).toMatch(
        new RegExp(
          `^  ${[entry.name, entry.usage]
            .filter(Boolean)
            .join(" ")
            .replace(/[[\].]/g, "\\$&")} `,
          "m",
        ),
      );
    expect(r.stdout).toMatch(/^ {2}help \[command\.\.\.\] +display help for command$/m);
  });

  it("help <command> [<subcommand>] shows that command, loaded; an unknown name is a usage error with a suggestion", async () => {
    const r = await runCli(["help", "vpn"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: vpcwire vpn \[options\] \[command\]/);
    expect(r.stdout).toContain("create [options]");
    const nested = await runCli(["vpn", "help", "create"]);
    expect(nested.stdout).toContain("--cgw-ip <ipv4>");
    const deep = await runCli(["help", "vpn", "create"]);
    expect(deep.code).toBe(0);
    expect(deep.stdout).toContain("Usage: vpcwire vpn create [options]");
    expect(deep.stdout).toContain("--cgw-ip <ipv4>");
    const unknown = await runCli(["help", "vpb"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("vpcwire: unknown command 'vpb'\n(Did you mean vpn?) (see --help)\n");
    const unknownSub = await runCli(["help", "vpn", "bogus"]);
    expect(unknownSub.code).toBe(2);
    expect(unknownSub.stderr).toBe("vpcwire: unknown command 'bogus' for 'vpn' (see --help)\n");
  });

  it("global options before the command, unknown commands and suggestions behave as before", async () => {
    const r = await runCli(["--region", "eu-west-1", "vpn", "create", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: vpcwire vpn create [options]");
    const typo = await runCli(["vpb"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe("vpcwire: unknown command 'vpb'\n(Did you mean vpn?) (see --help)\n");
    const sub = await runCli(["vpn", "craete"]);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain("(Did you mean create?)");
    const option = await runCli(["status", "--bogus"]);
    expect(option.code).toBe(2);
    expect(option.stderr).toBe("vpcwire: unknown option '--bogus' (see --help)\n");
  });
});
