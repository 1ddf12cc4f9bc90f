/** Read-only AWS calls for `flets isatap` planning and its wizard. Writes live in runners.ts. */
import type { Instance, InstanceNetworkInterface, SecurityGroup } from "@aws-sdk/client-ec2";
import { send } from "../aws/call.js";
import { isNotFound } from "../aws/errors.js";
import { listAll } from "../aws/list.js";
import type { Context } from "../core/context.js";
import { flagError } from "../core/errors.js";

type Ctx = Pick<Context, "clients" | "io" | "config">;

/** The SDK modules, loaded on first use so a run that only renders files never pays for them. */
const ec2 = () => import("@aws-sdk/client-ec2");

/** States in which an instance still has its private IP and security groups. */
const LIVE_INSTANCE = ["pending", "running", "stopping", "stopped"];

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

/** The instance that holds a private IPv4 in the VPC (not terminated), if any. */
export async function findInstanceByIp(ctx: Ctx, ip: string, vpcId?: string): Promise<Instance | undefined> {
  const { DescribeInstancesCommand } = await ec2();
  const filters = [{ Name: "network-interface.addresses.private-ip-address", Values: [ip] }, ...(vpcId ? [{ Name: "vpc-id", Values: [vpcId] }] : [])];
  const out = await send(ctx, "ec2", new DescribeInstancesCommand({ Filters: filters }));
  // Checked here as well, so an endpoint that ignores Filters gives the same answer.
  return out.Reservations?.flatMap((r) => r.Instances ?? []).find(
    (i) => LIVE_INSTANCE.includes(i.State?.Name ?? "") && (!vpcId || i.VpcId === vpcId) && privateIps(i).includes(ip),
  );
}

/** The instance; a missing or terminated one is the user's input problem (exit 2). */
export async function getInstance(ctx: Ctx, instanceId: string): Promise<Instance> {
  const instance = await findInstance(ctx, instanceId);
  if (!instance) throw flagError("--instance-id", `${instanceId} does not exist in this account and Region`);
  const state = instance.State?.Name ?? "unknown";
  if (!LIVE_INSTANCE.includes(state)) throw flagError("--instance-id", `${instanceId} is ${state}`);
  return instance;
}

/** Instances that can carry the tunnel (not terminated), for the wizard's picker. */
export async function listInstances(ctx: Ctx): Promise<Instance[]> {
  const { DescribeInstancesCommand } = await ec2();
  const reservations = await listAll(
    ctx,
    "ec2",
    (NextToken) => new DescribeInstancesCommand({ Filters: [{ Name: "instance-state-name", Values: LIVE_INSTANCE }], NextToken }),
    (o) => o.Reservations,
    (o) => o.NextToken,
  );
  // Filtered here as well, so an endpoint that ignores Filters gives the same list.
  return reservations.flatMap((r) => r.Instances ?? []).filter((i) => LIVE_INSTANCE.includes(i.State?.Name ?? ""));
}

/** `windows` when EC2 says so (`Platform`, or `PlatformDetails` for AMIs that only set the latter), else `linux`. */
export function instanceOs(instance: Instance): "linux" | "windows" {
  if (String(instance.Platform ?? "").toLowerCase() === "windows") return "windows";
  return /windows/i.test(instance.PlatformDetails ?? "") ? "windows" : "linux";
}

/** Every private IPv4 of the instance, primary first. */
export function privateIps(instance: Instance): string[] {
  const ips = [instance.PrivateIpAddress, ...interfacesOf(instance).flatMap((n) => (n.PrivateIpAddresses ?? []).map((a) => a.PrivateIpAddress))];
  return [...new Set(ips.filter((ip): ip is string => Boolean(ip)))];
}

/**
 * The network interface that holds `ip` (the tunnel's local end): its security groups are the ones
 * that see the protocol 41 packets, and its subnet's route table carries the route to the router.
 */
export function interfaceWith(instance: Instance, ip: string): InstanceNetworkInterface | undefined {
  return interfacesOf(instance).find((n) => n.PrivateIpAddress === ip || n.PrivateIpAddresses?.some((a) => a.PrivateIpAddress === ip));
}

function interfacesOf(instance: Instance): InstanceNetworkInterface[] {
  // Primary interface (device index 0) first.
  return [...(instance.NetworkInterfaces ?? [])].sort((a, b) => (a.Attachment?.DeviceIndex ?? 0) - (b.Attachment?.DeviceIndex ?? 0));
}

/** Several security groups in one call; a missing one is reported against `flag`. */
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
