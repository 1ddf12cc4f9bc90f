import type { Command } from "commander";
import type { ActionFactory } from "../cli/kit.js";

/** `vpcwire list`, `status`, `destroy`: every stack, whatever capability made it. */
export function registerLifecycle(program: Command, action: ActionFactory): void {
  program
    .command("list")
    .description("list the vpcwire stacks in the Region (found by their vpcwire:stack tag), with kind, resources and state")
    .action(action(async () => (await import("./handlers.js")).listStacks));
  program
    .command("status")
    .description(
      "how a stack is doing, explained: VPN tunnels and BGP, Direct Connect interfaces and BGP peers, load balancer targets and endpoints, the FLET'S protocol-41 rule, route propagation; exit 0 when healthy, 1 when something is down",
    )
    .option("--stack <name>", "the stack to report on")
    .option("--watch", "refresh until interrupted")
    .option("--interval <duration>", "with --watch: how often to refresh (default: 10s)")
    .action(action(async () => (await import("./handlers.js")).stackStatus));
  program
    .command("destroy")
    .description("remove what a stack created (never what it reused), in dependency order; asks first unless --yes")
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
