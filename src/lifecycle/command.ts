import type { Command } from "commander";
import type { ActionFactory } from "../cli/kit.js";

// `vpcwire list`, `status`, `destroy`: every stack, whatever capability made it.

export function registerList(list: Command, action: ActionFactory): void {
  list.action(action(async () => (await import("./handlers.js")).listStacks));
}

export function registerStatus(status: Command, action: ActionFactory): void {
  status
    .option("--stack <name>", "the stack to report on")
    .option("--watch", "refresh until interrupted")
    .option("--interval <duration>", "with --watch: how often to refresh (default: 10s)")
    .action(action(async () => (await import("./handlers.js")).stackStatus));
}

export function registerDestroy(destroy: Command, action: ActionFactory): void {
  destroy
    .option("--stack <name>", "the stack to remove")
    .addHelpText(
      "after",
      `
Examples:
  vpcwire destroy --stack vpn-9abcdef0-203-0-113-10 --dry-run
  vpcwire destroy --stack vpn-9abcdef0-203-0-113-10 --yes`,
    )
    .action(action(async () => (await import("./handlers.js")).destroyStack));
}
