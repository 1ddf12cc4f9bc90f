import type { Command } from "commander";
import type { ActionFactory } from "../cli/kit.js";

/** `vpcwire policy <command...>`: flags and help only; the implementation is imported when the command runs. */
export function registerPolicy(policy: Command, action: ActionFactory): void {
  policy
    .argument("<command...>", 'the command, e.g. "vpn create", "destroy", "route explain", or "all"')
    .option("--stack <name>", "limit the tag conditions to this stack name (default: any vpcwire:stack value)")
    .addHelpText(
      "after",
      `
Examples:
  vpcwire policy vpn create > vpcwire-vpn-create.json
  vpcwire policy destroy --stack office
  vpcwire policy all --json`,
    )
    .action(action(async () => (await import("./print.js")).printPolicy));
}
