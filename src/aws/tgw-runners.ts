/**
 * The writes around a Transit Gateway, shared by every capability that uses one: create (or wait for)
 * the gateway, attach a VPC, route the VPC's tables to it, wait for a VPN connection's attachment, and
 * put static routes in the gateway's route table. Each capability passes its stack and kind so what
 * it creates is tagged as its own at creation.
 */
import {
  CreateRouteCommand,
  CreateTransitGatewayCommand,
  CreateTransitGatewayRouteCommand,
  CreateTransitGatewayVpcAttachmentCommand,
  DescribeRouteTablesCommand,
  DescribeTransitGatewaysCommand,
  type TransitGateway,
  type TransitGatewayAttachment,
  type TransitGatewayVpcAttachment,
} from "@aws-sdk/client-ec2";
import type { Journal, StepOutcome, StepRunner } from "../core/apply.js";
import type { Context } from "../core/context.js";
import type { Kind, PlanStep } from "../core/plan.js";
import type { PollVerdict } from "../core/poll.js";
import { waiter } from "../core/wait.js";
import { send } from "./call.js";
import { awsCode } from "./errors.js";
import { tagSpec } from "./tags.js";
import { findVpcAttachment, findVpnAttachment, getVpcAttachment } from "./tgw.js";
import { idOf } from "./vgw-runners.js";

export interface TgwRunnerOptions {
  /** Tags what is created with this stack... */
  stack: string;
  /** ...and this kind. */
  kind: Kind;
  journal: Journal;
  timeoutMs: number;
}

export type TgwStepType = "transit-gateway" | "tgw-vpc-attachment" | "vpc-route" | "tgw-vpn-attachment" | "tgw-route";

function untilAvailable(what: string): (x: { State?: string } | undefined) => PollVerdict {
  return (x) => {
    const state = x?.State ?? "not visible yet";
    if (state === "available") return { status: "done", state };
    if (["deleting", "deleted", "failed", "failing", "rejected", "rejecting", "rollingBack"].includes(state)) {
      return { status: "failed", state, reason: `the ${what} is ${state}` };
    }
    return { status: "wait", state };
  };
}

/**
 * Runners for the step types planned by src/aws/tgw-plan.ts: `transit-gateway` (step id `tgw`),
 * `tgw-vpc-attachment` (`tgw-attach`), `vpc-route`, `tgw-vpn-attachment` (`tgw-vpn-attach`, reads the
 * connection from step `vpn`) and `tgw-route`.
 */
export function tgwRunners(ctx: Context, opts: TgwRunnerOptions): Record<TgwStepType, StepRunner> {
  const wait = waiter(ctx, opts.timeoutMs);
  const describeTgw = async (id: string): Promise<TransitGateway | undefined> =>
    (await send(ctx, "ec2", new DescribeTransitGatewaysCommand({ TransitGatewayIds: [id] }))).TransitGateways?.[0];

  return {
    async "transit-gateway"(step: PlanStep): Promise<StepOutcome> {
      let id = step.resourceId;
      if (step.action === "create") {
        const p = step.params;
        const out = await send(
          ctx,
          "ec2",
          new CreateTransitGatewayCommand({
            Description: `vpcwire stack ${opts.stack}`,
            Options: {
              AmazonSideAsn: Number(p.asn),
              VpnEcmpSupport: p.vpnEcmpSupport as "enable",
              DefaultRouteTableAssociation: p.defaultRouteTableAssociation as "enable",
              DefaultRouteTablePropagation: p.defaultRouteTablePropagation as "enable",
              DnsSupport: p.dnsSupport as "enable",
              AutoAcceptSharedAttachments: p.autoAcceptSharedAttachments as "disable",
            },
            TagSpecifications: tagSpec("transit-gateway", opts.stack, opts.kind, "tgw"),
          }),
        );
        id = out.TransitGateway!.TransitGatewayId!;
        opts.journal.created(step.resource, id, out.TransitGateway?.State);
      }
      // Attachments need an available gateway; AWS takes minutes.
      const tgw = await wait(
        `transit gateway ${id}`,
        `transit gateway ${id} (AWS takes several minutes)`,
        () => describeTgw(id!),
        untilAvailable("transit gateway"),
      );
      return { resourceId: id!, state: "available", data: { routeTableId: tgw?.Options?.AssociationDefaultRouteTableId } };
    },

    async "tgw-vpc-attachment"(step, results): Promise<StepOutcome> {
      const tgwId = idOf(results, "tgw");
      const vpcId = String(step.params.vpcId);
      let id = step.resourceId;
      if (step.action === "create") {
        try {
          const out = await send(
            ctx,
            "ec2",
            new CreateTransitGatewayVpcAttachmentCommand({
              TransitGatewayId: tgwId,
              VpcId: vpcId,
              SubnetIds: step.params.subnetIds as string[],
              TagSpecifications: tagSpec("transit-gateway-attachment", opts.stack, opts.kind, "tgw-attach"),
            }),
          );
          id = out.TransitGatewayVpcAttachment!.TransitGatewayAttachmentId!;
          opts.journal.created(step.resource, id, out.TransitGatewayVpcAttachment?.State);
        } catch (error) {
          // Attached meanwhile (a concurrent run): use that attachment.
          if (awsCode(error) !== "DuplicateTransitGatewayAttachment") throw error;
          const existing = await findVpcAttachment(ctx, tgwId, vpcId);
          if (!existing) throw error;
          id = existing.TransitGatewayAttachmentId!;
        }
      }
      if (step.action !== "no-op") {
        await wait<TransitGatewayVpcAttachment | undefined>(
          `attachment ${id} of ${vpcId} to ${tgwId}`,
          `attach ${vpcId} to ${tgwId}`,
          () => getVpcAttachment(ctx, id!),
          untilAvailable("VPC attachment"),
        );
      }
      return { resourceId: id!, state: "available" };
    },

    async "vpc-route"(step, results): Promise<StepOutcome> {
      const tgwId = idOf(results, "tgw");
      const rtb = String(step.params.routeTableId);
      const cidr = String(step.params.cidr);
      if (step.action === "create") {
        try {
          await send(ctx, "ec2", new CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: cidr, TransitGatewayId: tgwId }));
          ctx.io.success(`route ${cidr} via ${tgwId} added to ${rtb}`);
        } catch (error) {
          if (awsCode(error) !== "RouteAlreadyExists") throw error;
          // Already there through this gateway (an earlier run): done. Through something else: the user's to resolve.
          const table = (await send(ctx, "ec2", new DescribeRouteTablesCommand({ RouteTableIds: [rtb] }))).RouteTables?.[0];
          const route = table?.Routes?.find((r) => r.DestinationCidrBlock === cidr);
          if (route?.TransitGatewayId !== tgwId) throw error;
        }
      }
      return { resourceId: `${rtb}/${cidr}` };
    },

    async "tgw-vpn-attachment"(_step, results): Promise<StepOutcome> {
      const vpnId = idOf(results, "vpn");
      const att = await wait<TransitGatewayAttachment | undefined>(
        `VPN attachment of ${vpnId}`,
        `VPN attachment of ${vpnId} to the transit gateway`,
        () => findVpnAttachment(ctx, vpnId),
        untilAvailable("VPN attachment"),
      );
      return {
        resourceId: att!.TransitGatewayAttachmentId!,
        state: "available",
        data: { routeTableId: att?.Association?.TransitGatewayRouteTableId },
      };
    },

    async "tgw-route"(step, results): Promise<StepOutcome> {
      const attachment = results.get("tgw-vpn-attach");
      const attachmentId = idOf(results, "tgw-vpn-attach");
      const cidr = String(step.params.cidr);
      let rtb = (step.params.routeTableId as string | undefined) ?? (attachment?.data?.routeTableId as string | undefined);
      if (!rtb) {
        // A no-op attachment step carries no data: read its association.
        const vpnId = idOf(results, "vpn");
        rtb = (await findVpnAttachment(ctx, vpnId))?.Association?.TransitGatewayRouteTableId;
      }
      if (!rtb) {
        throw new Error(
          `the VPN attachment ${attachmentId} is not associated with a transit gateway route table (the gateway has no default association): associate it, then run the same command again`,
        );
      }
      if (step.action === "create") {
        try {
          await send(
            ctx,
            "ec2",
            new CreateTransitGatewayRouteCommand({ TransitGatewayRouteTableId: rtb, DestinationCidrBlock: cidr, TransitGatewayAttachmentId: attachmentId }),
          );
          ctx.io.success(`static route ${cidr} to ${attachmentId} added to ${rtb}`);
        } catch (error) {
          if (!/AlreadyExists|Duplicate/.test(awsCode(error) ?? "")) throw error;
        }
      }
      return { resourceId: `${rtb}/${cidr}` };
    },
  };
}
