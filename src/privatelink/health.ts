/** What a relay target's health means, in words, for `privatelink relay` and `vpcwire status`. */
import type { TargetHealthDescription } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Direction } from "./names.js";

/** Where a direction's health checks come from and go to. */
export interface HealthWhere {
  /** The host behind the load balancer (the existing EC2 inbound, the on-prem host outbound). */
  destinationIp: string;
  /** The load balancer's subnets (CIDRs, or ids when unknown): where checks and relayed connections come from. */
  sourceCidrs: string[];
}

/**
 * The reason of a target that is not healthy, in words, with what to change; undefined when healthy.
 * Reasons as in DescribeTargetHealth (aws-facts 6.2).
 */
export function explainTargetHealth(d: Direction, where: HealthWhere, t: TargetHealthDescription): string | undefined {
  const state = (t.TargetHealth?.State ?? "").toLowerCase();
  if (state === "healthy") return undefined;
  const reason = t.TargetHealth?.Reason ?? "";
  const port = t.Target?.Port;
  const cidrs = where.sourceCidrs.join(", ");
  if (reason === "Target.NotInUse" || reason === "Target.NotRegistered") {
    return `the load balancer does not use this target: ${t.TargetHealth?.Description ?? reason}`;
  }
  if (reason === "Elb.InternalError") return "AWS reported an internal error for the health check; run the same command again in a few minutes";
  if (state === "initial") {
    return reason === "Elb.RegistrationInProgress"
      ? "the load balancer is still registering the target (it is provisioning, or the target was just added); ask again in a few minutes"
      : "the first health checks are still running (about 30 s); ask again in a minute";
  }
  if (state === "draining" || reason === "Target.DeregistrationInProgress") {
    return "the target is being deregistered; run the same privatelink relay command again to register it";
  }
  if (reason === "Target.HealthCheckDisabled") {
    return "health checks are disabled on its target group, so the load balancer cannot tell whether the host answers";
  }
  const what = reason === "Target.Timeout" ? "does not answer" : reason === "Target.FailedHealthChecks" ? "refuses or drops" : "fails";
  return d === "inbound"
    ? `${where.destinationIp} ${what} TCP ${port} from the load balancer: its security group and host firewall must allow TCP ${port} from the target subnets (${cidrs}), where the load balancer's health checks and relayed connections come from`
    : `the on-prem host ${where.destinationIp} ${what} TCP ${port} from the load balancer: the on-prem firewall must allow TCP ${port} from the relay subnets (${cidrs}), where the load balancer's health checks and relayed connections come from, and on-prem must route them back over the VPN`;
}
