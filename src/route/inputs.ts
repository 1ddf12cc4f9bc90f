import { flagError, UsageError } from "../core/errors.js";
import { checkId } from "../net/ids.js";
import { isIpv4, isIpv6 } from "../net/ip.js";

export interface RouteExplainFlags {
  vpcId?: string;
  to?: string;
  subnet?: string;
  instanceId?: string;
}

export interface RouteExplainInput {
  vpcId: string;
  /** The destination address, canonical. */
  to: string;
  subnetId?: string;
  instanceId?: string;
}

/** Checked before any AWS call: exit 2 naming the flag. */
export function validateRouteExplainFlags(flags: RouteExplainFlags): RouteExplainInput {
  const missing = [flags.vpcId === undefined ? "--vpc-id" : "", flags.to === undefined ? "--to" : ""].filter(Boolean);
  if (missing.length) throw new UsageError(`missing required flags: ${missing.join(", ")}`);
  const vpcId = checkId("--vpc-id", flags.vpcId!, "vpc");
  const to = flags.to!.trim();
  if (!isIpv4(to) && !isIpv6(to)) {
    const hint = to.includes("/") ? " (one address, not a CIDR block: the route for a packet to it is explained)" : "";
    throw flagError("--to", `"${flags.to}" is not an IPv4 or IPv6 address${hint}`);
  }
  if (flags.subnet !== undefined && flags.instanceId !== undefined) {
    throw flagError("--subnet", "give --subnet or --instance-id, not both (the instance's subnet is used)");
  }
  const subnetId = flags.subnet !== undefined ? checkId("--subnet", flags.subnet, "subnet") : undefined;
  const instanceId = flags.instanceId !== undefined ? checkId("--instance-id", flags.instanceId, "instance") : undefined;
  return { vpcId, to, ...(subnetId ? { subnetId } : {}), ...(instanceId ? { instanceId } : {}) };
}
