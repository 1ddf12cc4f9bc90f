import type { Command } from "commander";
import type { ActionFactory } from "../cli/kit.js";

/** `vpcwire export`: a stack as Terraform (import blocks + resources) or as JSON. */
export function registerExport(exportCommand: Command, action: ActionFactory): void {
  exportCommand
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
