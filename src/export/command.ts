import type { Command } from "commander";
import type { ActionFactory } from "../cli/kit.js";

/** `vpcwire export`: a stack as Terraform (import blocks + resources) or as JSON. */
export function registerExport(program: Command, action: ActionFactory): void {
  program
    .command("export")
    .description(
      "hand a stack over to Terraform: import blocks and resources for what the stack owns, data sources for what it reused, the keys as sensitive variables (never their values)",
    )
    .option("--stack <name>", "the stack to export")
    .option("--format <format>", "terraform or json (default: terraform; json with --json)")
    .option("--out <dir>", "write the files into this directory instead of stdout")
    .addHelpText(
      "after",
      `
Examples:
  vpcwire export --stack office --out terraform/office
  vpcwire export --stack office --format json`,
    )
    .action(action(async () => (await import("./export.js")).exportStack));
}
