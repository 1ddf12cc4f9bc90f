import type { Command } from "commander";
import type { ActionFactory } from "../cli/kit.js";

/** `vpcwire route explain`: flags and help only; the implementation is imported when the command runs. */
export function registerRoute(route: Command, action: ActionFactory): void {
  route
    .command("explain")
    .description(
      "which route table applies (the subnet's own or the main one), every route that matches the address, which one wins and why (longest prefix, static before prefix list before propagated, blackholes); for on-prem addresses also which VPN or Direct Connect interface carries it and whether its tunnels are up",
    )
    .option("--vpc-id <id>", "the VPC the packet starts in")
    .option("--to <ip>", "the destination address (IPv4 or IPv6)")
    .option("--subnet <id>", "the subnet the packet leaves from (default: the main route table)")
    .option("--instance-id <id>", "the instance the packet leaves from (its subnet picks the table)")
    .addHelpText(
      "after",
      `
Examples:
  vpcwire route explain --vpc-id vpc-0123456789abcdef0 --to 10.20.1.5 --subnet subnet-0123456789abcdef0
  vpcwire route explain --vpc-id vpc-0123456789abcdef0 --to 8.8.8.8 --instance-id i-0123456789abcdef0 --json`,
    )
    .action(action(async () => (await import("./explain.js")).routeExplain));
}
