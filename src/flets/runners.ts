/** The only code of `flets isatap` that writes to AWS: one runner per plan step type. */
import { AuthorizeSecurityGroupIngressCommand, EnableVgwRoutePropagationCommand } from "@aws-sdk/client-ec2";
import { send } from "../aws/call.js";
import { awsCode } from "../aws/errors.js";
import type { StepOutcome, StepRunner } from "../core/apply.js";
import type { Context } from "../core/context.js";

export function fletsRunners(ctx: Context): Record<string, StepRunner> {
  return {
    async "sg-rule"(step): Promise<StepOutcome> {
      const p = step.params;
      const groupId = String(p.groupId);
      const cidr = String(p.cidr);
      if (step.action === "update") {
        try {
          await send(
            ctx,
            "ec2",
            new AuthorizeSecurityGroupIngressCommand({
              GroupId: groupId,
              // A protocol number other than tcp/udp/icmp/icmpv6 covers every port: no FromPort/ToPort.
              IpPermissions: [{ IpProtocol: String(p.protocol), IpRanges: [{ CidrIp: cidr, Description: String(p.description) }] }],
            }),
          );
          ctx.io.success(`${groupId} now allows ${String(p.label)} from ${cidr}`);
        } catch (error) {
          // The same rule added by hand between the plan and now is what we wanted.
          if (awsCode(error) !== "InvalidPermission.Duplicate") throw error;
          ctx.io.info(`${groupId} already allows ${String(p.label)} from ${cidr}`);
        }
      }
      return { resourceId: step.resourceId ?? groupId };
    },

    async "route-propagation"(step): Promise<StepOutcome> {
      const rtb = String(step.params.routeTableId);
      const vgwId = String(step.params.gatewayId);
      if (step.action === "update") {
        await send(ctx, "ec2", new EnableVgwRoutePropagationCommand({ GatewayId: vgwId, RouteTableId: rtb }));
        ctx.io.success(`route propagation from ${vgwId} enabled on ${rtb}`);
      }
      return { resourceId: rtb };
    },
  };
}
