import type { Command } from "commander";
import type { ActionFactory } from "../cli/kit.js";
import { collectList } from "../cli/options.js";

/** `vpcwire dx ...`: flags and help only; the implementation is imported when the command runs. */
export function registerDx(dx: Command, action: ActionFactory): void {
  dx.command("accept-vif")
    .description(
      "accept hosted private virtual interfaces offered by a partner (NTT East Cloud Gateway and others) onto a virtual private gateway " +
        "or Direct Connect gateway, wait for them, enable route propagation, and show the BGP sessions and the routes that arrived",
    )
    .option("--vif-id <id>", "virtual interface to accept (repeatable or comma list; default in the wizard: pick from those in state confirming)", collectList)
    .option("--vpc-id <id>", "target: the VPC; uses its virtual private gateway, or creates and attaches one")
    .option("--vgw-id <id>", "target: this virtual private gateway (attached to its VPC, or to --vpc-id)")
    .option("--dx-gateway-id <id>", "target: this Direct Connect gateway instead of a virtual private gateway")
    .option("--route-tables <ids>", "route tables to propagate into: ids (comma list), all or none (default: all of the VPC)", collectList)
    .option(
      "--wait-bgp",
      "after the interfaces are accepted and propagation is on, keep waiting until every BGP peer is up (otherwise an accepted interface in state down ends the wait)",
    )
    .option("--amazon-asn <asn>", "Amazon side ASN for a new virtual private gateway (default: 64512)")
    .option("--stack <name>", "stack name used to tag the interfaces and a new gateway (default: dx-<first interface id>)")
    .addHelpText(
      "after",
      `
Examples:
  vpcwire dx accept-vif --vif-id dxvif-ffgh1234 --vif-id dxvif-ffgh5678 --vpc-id vpc-0123456789abcdef0 --yes
  vpcwire dx accept-vif --vif-id dxvif-ffgh1234,dxvif-ffgh5678 --vgw-id vgw-0123456789abcdef0 --wait-bgp --timeout 2h
  vpcwire dx accept-vif --vif-id dxvif-ffgh1234 --vpc-id vpc-0123456789abcdef0 --dry-run --json
  vpcwire dx accept-vif            (in a terminal: pick the interfaces waiting for acceptance)`,
    )
    .action(action(async () => (await import("./accept.js")).dxAcceptVif));

  dx.command("status")
    .description(
      "show each virtual interface's state and BGP peers, the routes propagated into the VPC, and whether propagation is on " +
        "(exit 1 when something is down: an interface not available with BGP up, a gateway not attached, or no route table of the VPC receiving the gateway's routes)",
    )
    .option("--vif-id <id>", "virtual interface to report on (repeatable or comma list)", collectList)
    .option("--stack <name>", "the interfaces accepted by this stack (default: every interface in the Region)")
    .addHelpText(
      "after",
      `
Examples:
  vpcwire dx status --stack dx-ffgh1234
  vpcwire dx status --vif-id dxvif-ffgh1234 --json

A route table without propagation is marked ✖ only when nothing in the VPC receives the gateway's routes
(no propagation from it and no static route through it): dx status does not know which tables
dx accept-vif --route-tables chose, and a table left out on purpose is not a failure (·). The report of
dx accept-vif itself knows the choice: a chosen table without propagation is ✖ there.`,
    )
    .action(action(async () => (await import("./status.js")).dxStatus));
}
