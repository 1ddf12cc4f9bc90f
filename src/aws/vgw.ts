/**
 * Read-only EC2 calls shared by every capability that puts a virtual private gateway on a VPC
 * (`vpn create`, `dx accept-vif`, the FLET'S checks): the VGW of a VPC or of a stack. The VPC and
 * its route tables are read in vpc.ts. Writes live in vgw-runners.ts.
 */
import type { VpnGateway } from "@aws-sdk/client-ec2";
import type { Context } from "../core/context.js";
import { send } from "./call.js";
import { isNotFound } from "./errors.js";
import { hasStackTags, ROLE_TAG, stackFilters, tagValue } from "./tags.js";

type Ctx = Pick<Context, "clients" | "io" | "config">;

/** The EC2 SDK module, loaded on first use so offline runs and --help never pay for it. */
const ec2 = () => import("@aws-sdk/client-ec2");

export async function getVpnGateway(ctx: Ctx, vgwId: string): Promise<VpnGateway | undefined> {
  const { DescribeVpnGatewaysCommand } = await ec2();
  try {
    const out = await send(ctx, "ec2", new DescribeVpnGatewaysCommand({ VpnGatewayIds: [vgwId] }));
    return out.VpnGateways?.[0];
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

const LIVE = ["pending", "available"];

/** The VGW attached (or attaching) to the VPC, if any: a VPC can have only one. */
export async function findAttachedVgw(ctx: Ctx, vpcId: string): Promise<VpnGateway | undefined> {
  const { DescribeVpnGatewaysCommand } = await ec2();
  const out = await send(ctx, "ec2", new DescribeVpnGatewaysCommand({ Filters: [{ Name: "attachment.vpc-id", Values: [vpcId] }] }));
  return out.VpnGateways?.find(
    (g) => LIVE.includes(g.State ?? "") && g.VpcAttachments?.some((a) => a.VpcId === vpcId && (a.State === "attached" || a.State === "attaching")),
  );
}

/** The VPC a gateway is attached (or attaching) to, if any. */
export function attachedVpcOf(vgw: VpnGateway | undefined): string | undefined {
  return vgw?.VpcAttachments?.find((a) => a.State === "attached" || a.State === "attaching")?.VpcId;
}

/**
 * The gateway an earlier run of the stack created. The tags are checked here too: an emulator may
 * ignore Filters, and another stack's gateway must never be taken for this one's.
 */
export async function findStackVgw(ctx: Ctx, stack: string): Promise<VpnGateway | undefined> {
  const { DescribeVpnGatewaysCommand } = await ec2();
  const out = await send(ctx, "ec2", new DescribeVpnGatewaysCommand({ Filters: stackFilters(stack, "vgw") }));
  return out.VpnGateways?.find((g) => LIVE.includes(g.State ?? "") && hasStackTags(g.Tags, { stack }) && tagValue(g.Tags, ROLE_TAG) === "vgw");
}
