import type { Context } from "../core/context.js";
import { listRouteTables, nameOf } from "./vpc.js";

/**
 * The wizard question shared by every capability that propagates routes from a gateway: which route
 * tables of the VPC (each shown with its name, [main] and its subnets; all checked). Returns the
 * `--route-tables` value: ["all"], ["none"] or the ids; undefined when the VPC has no route table.
 */
export async function askRouteTables(ctx: Context, vpcId: string, message: string): Promise<string[] | undefined> {
  const tables = await listRouteTables(ctx, vpcId);
  if (tables.length === 0) return undefined;
  const chosen = await ctx.io.prompt.checkbox({
    message: `${message} (space to toggle)`,
    choices: tables.map((t) => {
      const subnets = (t.Associations ?? []).filter((a) => a.SubnetId).map((a) => a.SubnetId!);
      const main = t.Associations?.some((a) => a.Main);
      return {
        name: `${t.RouteTableId}  ${nameOf(t.Tags) ?? ""}${main ? " [main]" : ""}  ${subnets.length ? subnets.join(", ") : "(no subnets)"}`,
        value: t.RouteTableId!,
        checked: true,
      };
    }),
  });
  return chosen.length === tables.length ? ["all"] : chosen.length === 0 ? ["none"] : chosen;
}
