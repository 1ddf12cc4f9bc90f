import { type Command, Option } from "commander";

// This module is on every path, --help included (each capability's command.ts uses collectList), so it
// imports nothing but commander. Validating the options is config.ts, loaded when a command runs.

/**
 * Commander collector for repeatable and comma-separated flags: `--x a --x b,c` -> [a, b, c].
 * Empty items are kept (`"22,,"` -> ["22", "", ""]) so `rejectEmptyValues` refuses them by flag name.
 */
export function collectList(value: string, previous: string[] | undefined): string[] {
  const items = value.split(",").map((v) => v.trim());
  return [...(previous ?? []), ...items];
}

export function addGlobalOptions(program: Command): void {
  program
    .option("--region <region>", "AWS Region (default: AWS_REGION or the profile's region)")
    .option("--profile <name>", "named profile from ~/.aws/config (default: AWS_PROFILE or default)")
    .option("--endpoint-url <url>", "send AWS calls to this endpoint (an emulator); AWS_ENDPOINT_URL also works")
    .option("--json", "machine-readable JSON on stdout; never prompts")
    .option("-y, --yes", "do not ask for confirmation; never prompts")
    .option("--dry-run", "show the plan (create / reuse / update / no-op) and change nothing")
    .option("--offline", "with --dry-run: make no AWS call at all (placeholders for unknown ids)")
    .option("--no-color", "plain output without colours (NO_COLOR also works)")
    .option("--verbose", "log every AWS call and show stack traces of internal errors")
    .option("--reveal-secrets", "show pre-shared keys in JSON and on the terminal (they always go into --out files)")
    .addOption(new Option("--timeout <duration>", "how long to wait for each AWS resource: 90s, 40m, 1h, or seconds (default per command)"));
}
