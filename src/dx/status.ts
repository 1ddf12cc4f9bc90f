import type { VirtualInterface } from "@aws-sdk/client-direct-connect";
import { isVifGone, listVifs } from "../aws/dx.js";
import { STACK_TAG } from "../aws/tags.js";
import { findStackVgw } from "../aws/vgw.js";
import type { Handler } from "../cli/kit.js";
import { flagError } from "../core/errors.js";
import { resolveRegion } from "../core/region.js";
import { dxTagValue, vifLoader } from "./aws.js";
import { type DxStatusFlags, validateDxStatusFlags } from "./inputs.js";
import { formatDxReport, readDxReport } from "./report.js";

/**
 * `vpcwire dx status`: the interfaces' state and BGP peers, and the routes they brought into the VPC.
 * Read-only. Exit 0 when every interface is available with every BGP peer up, 1 otherwise.
 */
export const dxStatus: Handler = async (ctx, opts) => {
  const input = validateDxStatusFlags(opts as DxStatusFlags);
  if (ctx.config.offline) throw flagError("--offline", "dx status reports what AWS says now; run it without --offline");
  const region = await resolveRegion(ctx);

  let vifs: VirtualInterface[];
  if (input.vifIds.length) {
    const load = vifLoader(ctx);
    const found = await Promise.all(input.vifIds.map((id) => load(id)));
    const unknown = input.vifIds.filter((_, i) => !found[i]);
    if (unknown.length)
      throw flagError(
        "--vif-id",
        `${unknown.join(", ")} ${unknown.length > 1 ? "do" : "does"} not exist in this account and Region${region ? ` (${region})` : ""}`,
      );
    vifs = found as VirtualInterface[];
  } else if (input.stack) {
    // The stack's interfaces: tagged with it when accepted, or on the gateway the stack created.
    const [all, vgw] = await Promise.all([listVifs(ctx), findStackVgw(ctx, input.stack)]);
    vifs = all.filter(
      (v) =>
        dxTagValue(v.tags, STACK_TAG) === input.stack ||
        (vgw?.VpnGatewayId !== undefined && v.virtualGatewayId === vgw.VpnGatewayId && v.virtualInterfaceState !== "deleted"),
    );
    if (vifs.length === 0) {
      throw flagError(
        "--stack",
        `no virtual interface belongs to stack ${input.stack} (none is tagged ${STACK_TAG}=${input.stack} or on its gateway); try --vif-id`,
      );
    }
  } else {
    vifs = (await listVifs(ctx)).filter((v) => !isVifGone(v));
  }

  const report = await readDxReport(ctx, vifs);
  if (ctx.config.json) {
    ctx.io.result(
      JSON.stringify({ schemaVersion: 1, ok: true, command: "dx status", region, ...(input.stack ? { stack: input.stack } : {}), ...report }, null, 2),
    );
  } else {
    ctx.io.result(formatDxReport(report));
  }
  return report.healthy ? 0 : 1;
};
