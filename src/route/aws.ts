/**
 * The reads behind `vpcwire route explain`: the VPC and its route tables (src/aws/vpc.ts), the
 * subnet or instance that picks the table, the entries of prefix lists the table references, and
 * the VPN connections and Direct Connect interfaces on a gateway the winning route points at.
 * Everything here only reads.
 */
import type { VirtualInterface } from "@aws-sdk/client-direct-connect";
import type { RouteTable, VpnConnection } from "@aws-sdk/client-ec2";
import { send } from "../aws/call.js";
import { listVifs } from "../aws/dx.js";
import { isNotFound } from "../aws/errors.js";
import { listAll } from "../aws/list.js";
import { STACK_TAG, tagValue } from "../aws/tags.js";
import { getInstance, getVpc, listRouteTables, listSubnets } from "../aws/vpc.js";
import type { Context } from "../core/context.js";
import { flagError } from "../core/errors.js";
import type { CarrierInput } from "./decide.js";

type Ctx = Pick<Context, "clients" | "io" | "config" | "signal">;

const ec2 = () => import("@aws-sdk/client-ec2");

/** Where the packet starts: the table that applies and how it was chosen. */
export interface RouteSource {
  vpcId: string;
  vpcCidrs: string[];
  subnetId?: string;
  instanceId?: string;
  /** The instance's public IPv4, when it has one (the internet gateway needs it). */
  publicIp?: string;
  table: RouteTable;
  association: "explicit" | "main";
  /** Without --subnet/--instance-id: the subnets that use another table (their answer may differ). */
  otherTables: Array<{ routeTableId: string; subnets: string[] }>;
}

export async function readSource(ctx: Ctx, input: { vpcId: string; subnetId?: string; instanceId?: string }): Promise<RouteSource> {
  let subnetId = input.subnetId;
  let publicIp: string | undefined;
  if (input.instanceId) {
    const instance = await getInstance(ctx, input.instanceId, "--instance-id");
    if (instance.VpcId !== input.vpcId) throw flagError("--instance-id", `${input.instanceId} is in ${instance.VpcId ?? "no VPC"}, not ${input.vpcId}`);
    subnetId = instance.SubnetId;
    publicIp = instance.PublicIpAddress;
  }
  const [{ vpc, cidrs }, tables, subnets] = await Promise.all([
    getVpc(ctx, input.vpcId),
    listRouteTables(ctx, input.vpcId),
    input.subnetId ? listSubnets(ctx, input.vpcId) : Promise.resolve(undefined),
  ]);
  if (input.subnetId && !subnets?.some((s) => s.id === input.subnetId)) {
    throw flagError("--subnet", `${input.subnetId} is not a subnet of ${input.vpcId}`);
  }
  const ipv6 = (vpc.Ipv6CidrBlockAssociationSet ?? [])
    .filter((a) => !a.Ipv6CidrBlockState?.State || a.Ipv6CidrBlockState.State === "associated")
    .map((a) => a.Ipv6CidrBlock!)
    .filter(Boolean);
  const explicit = subnetId ? tables.find((t) => t.Associations?.some((a) => a.SubnetId === subnetId)) : undefined;
  const main = tables.find((t) => t.Associations?.some((a) => a.Main));
  const table = explicit ?? main;
  if (!table) throw flagError("--vpc-id", `${input.vpcId} has no main route table (is it being deleted?)`);
  const otherTables =
    subnetId === undefined
      ? tables
          .filter((t) => t !== table)
          .map((t) => ({ routeTableId: t.RouteTableId!, subnets: (t.Associations ?? []).map((a) => a.SubnetId).filter((s): s is string => !!s) }))
          .filter((t) => t.subnets.length > 0)
      : [];
  return {
    vpcId: input.vpcId,
    vpcCidrs: [...cidrs, ...ipv6],
    ...(subnetId ? { subnetId } : {}),
    ...(input.instanceId ? { instanceId: input.instanceId } : {}),
    ...(publicIp ? { publicIp } : {}),
    table,
    association: explicit ? "explicit" : "main",
    otherTables,
  };
}

/** The entries of each prefix list the table's routes reference (AWS-managed lists included). */
export async function readPrefixLists(ctx: Ctx, table: RouteTable): Promise<Record<string, string[]>> {
  const ids = [...new Set((table.Routes ?? []).map((r) => r.DestinationPrefixListId).filter((id): id is string => !!id))];
  if (ids.length === 0) return {};
  const { paginateGetManagedPrefixListEntries } = await ec2();
  const lists = await Promise.all(
    ids.map(async (id) => {
      try {
        const entries = await listAll(ctx, "ec2", paginateGetManagedPrefixListEntries, { PrefixListId: id }, (o) => o.Entries);
        return [id, entries.map((e) => e.Cidr!).filter(Boolean)] as const;
      } catch (error) {
        // A list shared with us and then unshared: the route shows it, the entries are gone.
        if (isNotFound(error)) return [id, []] as const;
        throw error;
      }
    }),
  );
  return Object.fromEntries(lists);
}

/** VPN connections and Direct Connect interfaces on a gateway (a VGW or, for VPNs, a transit gateway). */
export async function readCarriers(ctx: Ctx, gatewayId: string): Promise<CarrierInput[]> {
  const { DescribeVpnConnectionsCommand } = await ec2();
  const isVgw = gatewayId.startsWith("vgw-");
  const [vpns, vifs] = await Promise.all([
    // Every connection, matched on our side: one call for both gateway kinds, and emulators that ignore Filters agree.
    send(ctx, "ec2", new DescribeVpnConnectionsCommand({})).then((o) => o.VpnConnections ?? []),
    isVgw ? listVifs(ctx) : Promise.resolve([] as VirtualInterface[]),
  ]);
  const onGateway = (v: VpnConnection) => (isVgw ? v.VpnGatewayId === gatewayId : v.TransitGatewayId === gatewayId);
  const carriers: CarrierInput[] = vpns
    .filter((v) => onGateway(v) && v.State !== "deleted" && v.State !== "deleting")
    .map((v) => {
      const stack = tagValue(v.Tags, STACK_TAG);
      return {
        kind: "vpn" as const,
        id: v.VpnConnectionId!,
        ...(stack ? { stack } : {}),
        state: v.State ?? "unknown",
        routing: v.Options?.StaticRoutesOnly ? ("static" as const) : ("bgp" as const),
        staticRoutes: (v.Routes ?? []).map((r) => ({ cidr: r.DestinationCidrBlock!, state: r.State ?? "available" })),
        tunnels: (v.VgwTelemetry ?? []).map((t) => ({
          ...(t.OutsideIpAddress ? { outsideIp: t.OutsideIpAddress } : {}),
          status: t.Status ?? "DOWN",
          acceptedRoutes: t.AcceptedRouteCount ?? 0,
          ...(t.StatusMessage ? { message: t.StatusMessage } : {}),
        })),
      };
    });
  for (const vif of vifs) {
    if (vif.virtualGatewayId !== gatewayId || ["rejected", "deleting", "deleted"].includes(vif.virtualInterfaceState ?? "")) continue;
    const stack = vif.tags?.find((t) => t.key === STACK_TAG)?.value;
    carriers.push({
      kind: "dx",
      id: vif.virtualInterfaceId!,
      ...(stack ? { stack } : {}),
      state: vif.virtualInterfaceState ?? "unknown",
      routing: "bgp",
      tunnels: (vif.bgpPeers ?? []).map((p) => ({
        ...(p.customerAddress ? { outsideIp: p.customerAddress } : {}),
        status: p.bgpStatus ?? "down",
        ...(p.bgpPeerState ? { message: `peer ${p.bgpPeerState}` } : {}),
      })),
    });
  }
  return carriers;
}
