/** Read-only AWS calls for `flets isatap` planning and status (instances are read in src/aws/vpc.ts). Writes live in runners.ts. */
import type { Instance, InstanceNetworkInterface } from "@aws-sdk/client-ec2";
import { send } from "../aws/call.js";
import { isLiveInstance } from "../aws/vpc.js";
import type { Context } from "../core/context.js";

type Ctx = Pick<Context, "clients" | "io" | "config">;

/** The SDK modules, loaded on first use so a run that only renders files never pays for them. */
const ec2 = () => import("@aws-sdk/client-ec2");

/** The instance that holds a private IPv4 in the VPC (not terminated), if any. */
export async function findInstanceByIp(ctx: Ctx, ip: string, vpcId?: string): Promise<Instance | undefined> {
  const { DescribeInstancesCommand } = await ec2();
  const filters = [{ Name: "network-interface.addresses.private-ip-address", Values: [ip] }, ...(vpcId ? [{ Name: "vpc-id", Values: [vpcId] }] : [])];
  const out = await send(ctx, "ec2", new DescribeInstancesCommand({ Filters: filters }));
  // Checked here as well, so an endpoint that ignores Filters gives the same answer.
  return out.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => isLiveInstance(i) && (!vpcId || i.VpcId === vpcId) && privateIps(i).includes(ip));
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
