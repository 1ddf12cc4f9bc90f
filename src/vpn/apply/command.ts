import type { Command } from "commander";
import type { ActionFactory } from "../../cli/kit.js";

/** `vpcwire vpn apply`: flags and help only; the implementation is imported when the command runs. */
export function registerVpnApply(vpn: Command, action: ActionFactory): void {
  vpn
    .command("apply")
    .description(
      "bring many sites up at once from a sites file (YAML or JSON): the hub once, then every site concurrently under AWS's rate limits; re-running converges",
    )
    .option("-f, --file <path>", "the sites file: hub, defaults and sites, whose keys are vpn create's flag names without the dashes")
    .option("--parallel <n>", "sites applied at once (default: 50); one shared adaptive rate limiter paces every AWS call")
    .option("--out-dir <dir>", "write each site's router config here, named after the site (mode 0600)")
    .addHelpText(
      "after",
      `
Sites file (examples/sites.yaml):
  hub:       the VPC whose virtual private gateway every site connects to (reused, or created and attached once)
  defaults:  any per-site key, for every site that does not set it
  sites:     a list; name is the site's stack name, the other keys are vpn create's flags (cgw-ip, cgw-asn, onprem-cidr, ...)

The whole file is checked first (every problem with its site, key and line; exit 2; nothing sent to AWS).
A site removed from the file is not deleted: the plan lists it as "not in file" (vpcwire destroy --stack removes it).
Exit 1 when a site failed (the others finish); run the same command again to continue.

Examples:
  vpcwire vpn apply -f sites.yaml --dry-run --offline
  vpcwire vpn apply -f sites.yaml --dry-run --json
  vpcwire vpn apply -f sites.yaml --out-dir configs --yes
  vpcwire vpn config --stack osaka --out osaka.cfg`,
    )
    .action(action(async () => (await import("./apply.js")).vpnApply));
}
