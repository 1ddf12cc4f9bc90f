/**
 * Read-only EC2 calls shared by every capability that puts a virtual private gateway on a VPC
 * (`vpn create`, `dx accept-vif`, the FLET'S checks): the VPC, its VGW and its route tables.
 * Writes live in vgw-runners.ts.
 */
import type { RouteTable, Vpc, VpnGateway } from "@aws-sdk/client-ec2";
import type { Context } from "../core/context.js";
import { flagError } from "../core/errors.js";
import { send } from "./call.js";
import { isNotFound } from "./errors.js";
import { listAll } from "./list.js";
import { hasStackTags, ROLE_TAG, stackFilters, tagValue } from "./tags.js";

type Ctx = Pick<Context, "clients" | "io" | "config">;

/** The EC2 SDK module, loaded on first use so offline runs and --help never pay for it. */
const ec2 = () => import("@aws-sdk/client-ec2");

export function nameOf(tags: Array<{ Key?: string; Value?: string }> | undefined): string | undefined {
  return tagValue(tags, "Name");
}

export async function listVpcs(ctx: Ctx): Promise<Vpc[]> {
  const { DescribeVpcsCommand } = await ec2();
  return listAll(
    ctx,
    "ec2",
    (NextToken) => new DescribeVpcsCommand({ NextToken }),
    (o) => o.Vpcs,
    (o) => o.NextToken,
  );
}

/** The VPC and its IPv4 CIDRs; a missing VPC is the user's input problem (exit 2). */
export async function getVpc(ctx: Ctx, vpcId: string, flag = "--vpc-id"): Promise<{ vpc: Vpc; cidrs: string[] }> {
  const { DescribeVpcsCommand } = await ec2();
  try {
    const out = await send(ctx, "ec2", new DescribeVpcsCommand({ VpcIds: [vpcId] }));
    const vpc = out.Vpcs?.[0];
    if (!vpc) throw flagError(flag, `${vpcId} does not exist in this account and Region`);
    const cidrs = (vpc.CidrBlockAssociationSet ?? [])
      .filter((a) => !a.CidrBlockState?.State || a.CidrBlockState.State === "associated")
      .map((a) => a.CidrBlock!)
      .filter(Boolean);
    if (cidrs.length === 0 && vpc.CidrBlock) cidrs.push(vpc.CidrBlock);
    return { vpc, cidrs };
  } catch (error) {
    if (isNotFound(error)) throw flagError(flag, `${vpcId} does not exist in this account and Region`);
    throw error;
  }
}

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

export async function listRouteTables(ctx: Ctx, vpcId: string): Promise<RouteTable[]> {
  const { DescribeRouteTablesCommand } = await ec2();
  const tables = await listAll(
    ctx,
    "ec2",
    (NextToken) => new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }], NextToken }),
    (o) => o.RouteTables,
    (o) => o.NextToken,
  );
  // Checked on our side too: an emulator that ignores Filters would hand back every VPC's tables.
  return tables.filter((t) => t.VpcId === vpcId);
}

export async function getRouteTables(ctx: Ctx, ids: string[], vpcId: string, flag = "--route-tables"): Promise<RouteTable[]> {
  const { DescribeRouteTablesCommand } = await ec2();
  let tables: RouteTable[];
  try {
    tables = (await send(ctx, "ec2", new DescribeRouteTablesCommand({ RouteTableIds: ids }))).RouteTables ?? [];
  } catch (error) {
    if (isNotFound(error)) throw flagError(flag, `one of ${ids.join(", ")} does not exist`);
    throw error;
  }
  for (const id of ids) {
    const t = tables.find((r) => r.RouteTableId === id);
    if (!t) throw flagError(flag, `${id} does not exist`);
    if (t.VpcId !== vpcId) throw flagError(flag, `${id} belongs to ${t.VpcId}, not ${vpcId}`);
  }
  return tables;
}
