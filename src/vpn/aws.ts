/** Read-only AWS calls for `vpn create` planning and status. Writes live in runners.ts. */
import type {
  CustomerGateway,
  RouteTable,
  SecurityGroup,
  Subnet,
  Vpc,
  VpnConnection,
  VpnGateway,
} from "@aws-sdk/client-ec2";
import { send } from "../aws/call.js";
import { isNotFound } from "../aws/errors.js";
import { listAll } from "../aws/list.js";
import { stackFilters, tagValue } from "../aws/tags.js";
import { flagError } from "../core/errors.js";
import type { Context } from "../core/context.js";

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
  const out = await send(
    ctx,
    "ec2",
    new DescribeVpnGatewaysCommand({ Filters: [{ Name: "attachment.vpc-id", Values: [vpcId] }] }),
  );
  return out.VpnGateways?.find(
    (g) =>
      LIVE.includes(g.State ?? "") &&
      g.VpcAttachments?.some((a) => a.VpcId === vpcId && (a.State === "attached" || a.State === "attaching")),
  );
}

export async function findStackVgw(ctx: Ctx, stack: string): Promise<VpnGateway | undefined> {
  const { DescribeVpnGatewaysCommand } = await ec2();
  const out = await send(ctx, "ec2", new DescribeVpnGatewaysCommand({ Filters: stackFilters(stack, "vgw") }));
  return out.VpnGateways?.find((g) => LIVE.includes(g.State ?? ""));
}

/** An existing CGW with the same IP and ASN (AWS would return it anyway for an identical create). */
export async function findCustomerGateway(ctx: Ctx, ip: string, asn: number): Promise<CustomerGateway | undefined> {
  const { DescribeCustomerGatewaysCommand } = await ec2();
  const out = await send(
    ctx,
    "ec2",
    new DescribeCustomerGatewaysCommand({
      Filters: [
        { Name: "ip-address", Values: [ip] },
        { Name: "state", Values: ["available", "pending"] },
      ],
    }),
  );
  // BgpAsn is a string in output; filter on our side so an emulator's filter support does not matter.
  return out.CustomerGateways?.find(
    (g) =>
      g.IpAddress === ip &&
      LIVE.includes(g.State ?? "") &&
      (g.BgpAsn === String(asn) || g.BgpAsnExtended === String(asn)),
  );
}

export async function findVpnConnections(ctx: Ctx, filters: Array<{ Name: string; Values: string[] }>): Promise<VpnConnection[]> {
  const { DescribeVpnConnectionsCommand } = await ec2();
  const out = await send(ctx, "ec2", new DescribeVpnConnectionsCommand({ Filters: filters }));
  return (out.VpnConnections ?? []).filter((c) => LIVE.includes(c.State ?? ""));
}

export async function getVpnConnection(ctx: Ctx, id: string): Promise<VpnConnection | undefined> {
  const { DescribeVpnConnectionsCommand } = await ec2();
  try {
    const out = await send(ctx, "ec2", new DescribeVpnConnectionsCommand({ VpnConnectionIds: [id] }));
    return out.VpnConnections?.[0];
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export async function listRouteTables(ctx: Ctx, vpcId: string): Promise<RouteTable[]> {
  const { DescribeRouteTablesCommand } = await ec2();
  return listAll(
    ctx,
    "ec2",
    (NextToken) => new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }], NextToken }),
    (o) => o.RouteTables,
    (o) => o.NextToken,
  );
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

export async function listSubnets(ctx: Ctx, vpcId: string): Promise<Subnet[]> {
  const { DescribeSubnetsCommand } = await ec2();
  return listAll(
    ctx,
    "ec2",
    (NextToken) => new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }], NextToken }),
    (o) => o.Subnets,
    (o) => o.NextToken,
  );
}

export async function listSecurityGroups(ctx: Ctx, vpcId: string): Promise<SecurityGroup[]> {
  const { DescribeSecurityGroupsCommand } = await ec2();
  return listAll(
    ctx,
    "ec2",
    (NextToken) => new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }], NextToken }),
    (o) => o.SecurityGroups,
    (o) => o.NextToken,
  );
}

export async function getSecurityGroup(ctx: Ctx, id: string, vpcId: string, flag = "--security-group"): Promise<SecurityGroup> {
  const { DescribeSecurityGroupsCommand } = await ec2();
  try {
    const g = (await send(ctx, "ec2", new DescribeSecurityGroupsCommand({ GroupIds: [id] }))).SecurityGroups?.[0];
    if (!g) throw flagError(flag, `${id} does not exist`);
    if (g.VpcId !== vpcId) throw flagError(flag, `${id} belongs to ${g.VpcId}, not ${vpcId}`);
    return g;
  } catch (error) {
    if (isNotFound(error)) throw flagError(flag, `${id} does not exist`);
    throw error;
  }
}
