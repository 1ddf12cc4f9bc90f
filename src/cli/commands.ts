import { type Command, Help } from "commander";
import type { ActionFactory, RegisterCommand } from "./kit.js";

/**
 * A top-level command as the root program knows it before its module loads: the name and description
 * that `vpcwire --help` lists, and the function that fills in the rest (flags, subcommands, action).
 */
export interface CommandEntry {
  name: string;
  description: string;
  /** What `vpcwire --help` shows after the name ("[options]", "[options] <command...>"); a test checks it against the loaded command. */
  usage?: string;
  /** Imports the command's module (src/<cap>/command.ts) and returns its register function. */
  load: () => Promise<RegisterCommand>;
}

/**
 * The command tree, in the order `vpcwire --help` lists it: the four capabilities, then the lifecycle
 * of their stacks. A new top-level command is one line here; a new subcommand (`vpn apply`) or flag
 * goes into its capability's command.ts and needs no line here.
 */
export const COMMANDS: readonly CommandEntry[] = [
  { name: "vpn", description: "Site-to-Site IPsec VPN between a VPC and an on-prem router", load: async () => (await import("../vpn/command.js")).registerVpn },
  {
    name: "dx",
    description: "Direct Connect: accept a partner's hosted virtual interfaces and check BGP",
    load: async () => (await import("../dx/command.js")).registerDx,
  },
  {
    name: "flets",
    description: "NTT East FLET'S (Cloud Gateway) to an EC2 instance over ISATAP",
    load: async () => (await import("../flets/command.js")).registerFlets,
  },
  {
    name: "privatelink",
    description: "Reach hosts across overlapping or unroutable networks through AWS PrivateLink",
    load: async () => (await import("../privatelink/command.js")).registerPrivatelink,
  },
  {
    name: "list",
    description: "list the vpcwire stacks in the Region (found by their vpcwire:stack tag), with kind, resources and state",
    load: async () => (await import("../lifecycle/command.js")).registerList,
  },
  {
    name: "status",
    description:
      "how a stack is doing, explained: VPN tunnels and BGP, Direct Connect interfaces and BGP peers, load balancer targets and endpoints, the FLET'S protocol-41 rule, route propagation; exit 0 when healthy, 1 when something is down",
    usage: "[options]",
    load: async () => (await import("../lifecycle/command.js")).registerStatus,
  },
  {
    name: "destroy",
    description: "remove what a stack created (never what it reused), in dependency order; asks first unless --yes",
    usage: "[options]",
    load: async () => (await import("../lifecycle/command.js")).registerDestroy,
  },
  {
    name: "export",
    description:
      "hand a stack over to Terraform: import blocks and resources for what the stack owns, data sources for what it reused, the keys as sensitive variables (never their values)",
    usage: "[options]",
    load: async () => (await import("../export/command.js")).registerExport,
  },
  { name: "route", description: "How the VPC routes a packet", load: async () => (await import("../route/command.js")).registerRoute },
  {
    name: "policy",
    description:
      "print the least-privilege IAM policy for a vpcwire command (reads on *, creates only with the vpcwire:stack tag, changes and deletes only on resources that carry it); no AWS call",
    usage: "[options] <command...>",
    load: async () => (await import("../policy/command.js")).registerPolicy,
  },
];

/** The top-level commands whose module has not been loaded yet. */
const pending = new WeakMap<Command, CommandEntry>();

/**
 * Adds every top-level command to `program` by name and description only. A command's module loads
 * when commander dispatches to it (the root's `preSubcommand` hook), or for `vpcwire help <command>`;
 * so `vpcwire --help` loads no command module and `vpcwire vpn create` loads only src/vpn/command.ts.
 * Configure `program` (exitOverride, output, help) first: commands inherit it when they are created.
 */
export function registerLazily(program: Command, action: ActionFactory): void {
  addStubs(program);
  // The root's listing shows each command's usage before its module is loaded.
  const rootHelp = program.configureHelp();
  program.configureHelp({
    ...rootHelp,
    subcommandTerm(this: Help, cmd: Command): string {
      const entry = COMMANDS.find((e) => e.name === cmd.name() && cmd.parent === program);
      return entry ? [entry.name, entry.usage].filter(Boolean).join(" ") : Help.prototype.subcommandTerm.call(this, cmd);
    },
  });
  program.hook("preSubcommand", (_root, sub) => load(sub, action));
  // commander's own `help <command>` shows the command without dispatching to it: this one loads it first.
  program
    .command("help")
    .argument("[command...]", "a command and its subcommands: help vpn create")
    .description("display help for command")
    .action(async (names: string[]) => {
      if (names.length === 0) program.help();
      let cmd = program;
      for (const [i, name] of names.entries()) {
        const sub: Command | undefined = cmd.commands.find((c) => c.name() === name && c.name() !== "help");
        if (!sub) {
          // A usage error (exit 2), as for an unknown command without `help`.
          const under = i === 0 ? "" : ` for '${names.slice(0, i).join(" ")}'`;
          const { closest } = await import("../core/suggest.js"); // only for a name that is not there
          const near = closest(
            name,
            cmd.commands.map((c) => c.name()).filter((n) => n !== "help"),
          );
          return cmd.error(`error: unknown command '${name}'${under}${near ? `\n(Did you mean ${near}?)` : ""}`, { code: "commander.unknownCommand" });
        }
        await load(sub, action);
        cmd = sub;
      }
      cmd.help();
    });
}

function addStubs(program: Command): void {
  for (const entry of COMMANDS) pending.set(program.command(entry.name).description(entry.description), entry);
}

/** Fills in a top-level command from its module, once. */
async function load(cmd: Command, action: ActionFactory): Promise<void> {
  const entry = pending.get(cmd);
  if (!entry) return;
  pending.delete(cmd);
  (await entry.load())(cmd, action);
}

/** The whole tree at once (for code that walks every command, such as the policy tests). */
export async function registerAll(program: Command, action: ActionFactory): Promise<void> {
  addStubs(program);
  for (const cmd of program.commands) await load(cmd, action);
}
