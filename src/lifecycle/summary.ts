/** Stack resources as `list` and `status` show them, shared by the kinds whose stacks hold virtual private gateways. */
import type { VpnGateway } from "@aws-sdk/client-ec2";
import type { StackResource } from "./types.js";

/** A gateway of a stack (created by it, or reused): its state, and the VPCs it is attached to. */
export function vgwResource(g: VpnGateway & { owned: boolean }): StackResource {
  return {
    type: "virtual private gateway",
    id: g.VpnGatewayId!,
    owned: g.owned,
    ...(g.State ? { state: g.State } : {}),
    detail:
      (g.VpcAttachments ?? [])
        .filter((a) => a.State !== "detached")
        .map((a) => `${a.State} to ${a.VpcId}`)
        .join(", ") || "not attached",
  };
}
