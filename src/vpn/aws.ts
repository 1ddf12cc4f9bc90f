/** Read-only AWS calls for `vpn create` planning and status. Writes live in runners.ts. */
import type { CustomerGateway, SecurityGroup, VpnConnection } from "@aws-sdk/client-ec2";
import { send } from "../aws/call.js";
import { isNotFound } from "../aws/errors.js";
import { listAll } from "../aws/list.js";
import { tagValue } from "../aws/tags.js";
import type { Context } from "../core/context.js";
import { flagError } from "../core/errors.js";

type Ctx = Pick<Context, "clients" | "io" | "config">;

/** The EC2 SDK module, loaded on first use so offline runs and --help never pay for it. */
const ec2 = () => import("@aws-sdk/client-ec2");

// The VPC, gateway and route-table reads are shared with other capabilities; they live in src/aws/vgw.ts.
export {
  findAttachedVgw,
  findStackVgw,
  getRouteTables,
  getVpc,
  getVpnGateway,
  listRouteTables,
  listVpcs,
  nameOf,
} from "../aws/vgw.js";

/** `modifying`: a tunnel options update in progress (not in the SDK's VpnState enum, but AWS reports it). */
const LIVE = ["pending", "available", "modifying"];

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
    (g) => g.IpAddress === ip && LIVE.includes(g.State ?? "") && (g.BgpAsn === String(asn) || g.BgpAsnExtended === String(asn)),
  );
}

export interface VpnConnectionFilter {
  Name: "vpn-gateway-id" | "customer-gateway-id" | `tag:${string}`;
  Values: string[];
}

/**
 * Live VPN connections matching every filter. The filters go to AWS and are applied again here: an
 * emulator may ignore Filters and return every connection, and what this returns may be reused.
 */
export async function findVpnConnections(ctx: Ctx, filters: VpnConnectionFilter[]): Promise<VpnConnection[]> {
  const { DescribeVpnConnectionsCommand } = await ec2();
  const out = await send(ctx, "ec2", new DescribeVpnConnectionsCommand({ Filters: filters }));
  return (out.VpnConnections ?? []).filter((c) => LIVE.includes(c.State ?? "") && filters.every((f) => f.Values.includes(filterField(c, f.Name) ?? "")));
}

function filterField(c: VpnConnection, name: VpnConnectionFilter["Name"]): string | undefined {
  if (name === "vpn-gateway-id") return c.VpnGatewayId;
  if (name === "customer-gateway-id") return c.CustomerGatewayId;
  return tagValue(c.Tags, name.slice("tag:".length));
}

export async function listSecurityGroups(ctx: Ctx, vpcId: string): Promise<SecurityGroup[]> {
  const { DescribeSecurityGroupsCommand } = await ec2();
  const groups = await listAll(
    ctx,
    "ec2",
    (NextToken) => new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }], NextToken }),
    (o) => o.SecurityGroups,
    (o) => o.NextToken,
  );
  // Checked here too: an emulator that ignores Filters would offer other VPCs' groups.
  return groups.filter((g) => g.VpcId === vpcId);
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
