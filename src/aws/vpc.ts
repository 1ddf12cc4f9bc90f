/**
 * Read-only EC2 calls about a VPC and what is in it, shared by every capability: VPCs, subnets,
 * route tables, instances and security groups. A missing resource given on a flag is the user's
 * input problem (a UsageError naming the flag, exit 2). Writes live in the capabilities' runners.
 */
import type { Instance, RouteTable, SecurityGroup, Subnet, Vpc } from "@aws-sdk/client-ec2";
import type { Context } from "../core/context.js";
import { flagError } from "../core/errors.js";
import { send } from "./call.js";
import { isNotFound } from "./errors.js";
import { listAll } from "./list.js";
import { tagValue } from "./tags.js";

type Ctx = Pick<Context, "clients" | "io" | "config">;

/** The EC2 SDK module, loaded on first use so offline runs and --help never pay for it. */
const ec2 = () => import("@aws-sdk/client-ec2");

export function nameOf(tags: Array<{ Key?: string; Value?: string }> | undefined): string | undefined {
  return tagValue(tags, "Name");
}

// --- VPCs -------------------------------------------------------------------------------------------

export async function listVpcs(ctx: Ctx): Promise<Vpc[]> {
  const { paginateDescribeVpcs } = await ec2();
  return listAll(ctx, "ec2", paginateDescribeVpcs, {}, (o) => o.Vpcs);
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

// --- Subnets ----------------------------------------------------------------------------------------

/** A subnet as plans need it. */
export interface SubnetInfo {
  id: string;
  vpcId: string;
  az: string;
  azId?: string;
  cidr: string;
  name?: string;
}

export function subnetInfo(s: Subnet): SubnetInfo {
  const name = nameOf(s.Tags);
  return {
    id: s.SubnetId!,
    vpcId: s.VpcId!,
    az: s.AvailabilityZone!,
    ...(s.AvailabilityZoneId ? { azId: s.AvailabilityZoneId } : {}),
    cidr: s.CidrBlock!,
    ...(name ? { name } : {}),
  };
}

/** The VPC's subnets, by Availability Zone then CIDR. */
export async function listSubnets(ctx: Ctx, vpcId: string): Promise<SubnetInfo[]> {
  const { paginateDescribeSubnets } = await ec2();
  const all = await listAll(ctx, "ec2", paginateDescribeSubnets, { Filters: [{ Name: "vpc-id", Values: [vpcId] }] }, (o) => o.Subnets);
  // Checked on our side too: an emulator that ignores Filters would list every VPC's subnets.
  return all
    .filter((s) => s.VpcId === vpcId)
    .map(subnetInfo)
    .sort((a, b) => a.az.localeCompare(b.az) || a.cidr.localeCompare(b.cidr));
}

// --- Route tables -----------------------------------------------------------------------------------

export async function listRouteTables(ctx: Ctx, vpcId: string): Promise<RouteTable[]> {
  const { paginateDescribeRouteTables } = await ec2();
  const tables = await listAll(ctx, "ec2", paginateDescribeRouteTables, { Filters: [{ Name: "vpc-id", Values: [vpcId] }] }, (o) => o.RouteTables);
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

// --- Instances --------------------------------------------------------------------------------------

/** States in which an instance still has its private IP and security groups. */
export const LIVE_INSTANCE_STATES: readonly string[] = ["pending", "running", "stopping", "stopped"];

export function isLiveInstance(instance: Instance): boolean {
  return LIVE_INSTANCE_STATES.includes(instance.State?.Name ?? "");
}

/** The instance as EC2 reports it (terminated included), or undefined when this account and Region have no such id. */
export async function findInstance(ctx: Ctx, instanceId: string): Promise<Instance | undefined> {
  const { DescribeInstancesCommand } = await ec2();
  try {
    const out = await send(ctx, "ec2", new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    return out.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** The instance given on `flag`; a missing or terminated (shutting-down) one is the user's input problem (exit 2). */
export async function getInstance(ctx: Ctx, instanceId: string, flag: string): Promise<Instance> {
  const instance = await findInstance(ctx, instanceId);
  if (!instance) throw flagError(flag, `${instanceId} does not exist in this account and Region`);
  if (!isLiveInstance(instance)) throw flagError(flag, `${instanceId} is ${instance.State?.Name ?? "unknown"}`);
  return instance;
}

/** Instances that are not terminated (or terminating), of the Region or of one VPC. */
export async function listInstances(ctx: Ctx, vpcId?: string): Promise<Instance[]> {
  const { paginateDescribeInstances } = await ec2();
  const filters = [{ Name: "instance-state-name", Values: [...LIVE_INSTANCE_STATES] }, ...(vpcId ? [{ Name: "vpc-id", Values: [vpcId] }] : [])];
  const reservations = await listAll(ctx, "ec2", paginateDescribeInstances, { Filters: filters }, (o) => o.Reservations);
  // Filtered here as well, so an endpoint that ignores Filters gives the same list.
  return reservations.flatMap((r) => r.Instances ?? []).filter((i) => isLiveInstance(i) && (!vpcId || i.VpcId === vpcId));
}

// --- Security groups --------------------------------------------------------------------------------

export async function listSecurityGroups(ctx: Ctx, vpcId: string): Promise<SecurityGroup[]> {
  const { paginateDescribeSecurityGroups } = await ec2();
  const groups = await listAll(ctx, "ec2", paginateDescribeSecurityGroups, { Filters: [{ Name: "vpc-id", Values: [vpcId] }] }, (o) => o.SecurityGroups);
  // Checked here too: an emulator that ignores Filters would offer other VPCs' groups.
  return groups.filter((g) => g.VpcId === vpcId);
}

/** One security group given on `flag`, which must be in `vpcId`. */
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

/** Several security groups in one call, in the order asked; a missing one is reported against `flag`. */
export async function getSecurityGroups(ctx: Ctx, ids: string[], flag: string): Promise<SecurityGroup[]> {
  if (ids.length === 0) return [];
  const { DescribeSecurityGroupsCommand } = await ec2();
  try {
    const groups = (await send(ctx, "ec2", new DescribeSecurityGroupsCommand({ GroupIds: ids }))).SecurityGroups ?? [];
    for (const id of ids) if (!groups.some((g) => g.GroupId === id)) throw flagError(flag, `${id} does not exist`);
    return ids.map((id) => groups.find((g) => g.GroupId === id)!);
  } catch (error) {
    if (isNotFound(error)) throw flagError(flag, `one of ${ids.join(", ")} does not exist`);
    throw error;
  }
}

/** The VPC of a security group, or undefined when the group is gone. */
export async function vpcOfSecurityGroup(ctx: Ctx, groupId: string): Promise<string | undefined> {
  const { DescribeSecurityGroupsCommand } = await ec2();
  try {
    return (await send(ctx, "ec2", new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))).SecurityGroups?.[0]?.VpcId;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
