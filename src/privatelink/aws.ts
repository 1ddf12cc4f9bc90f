/** Read-only AWS calls for `privatelink relay` planning, waits and the wizard. Writes live in runners.ts. */
import type { NetworkInterface, SecurityGroup, ServiceConfiguration, Subnet, VpcEndpoint, VpcEndpointConnection } from "@aws-sdk/client-ec2";
import type { Tag as ElbTag, Listener, LoadBalancer, TargetGroup, TargetHealthDescription } from "@aws-sdk/client-elastic-load-balancing-v2";
import { send } from "../aws/call.js";
import { isNotFound } from "../aws/errors.js";
import { listAll } from "../aws/list.js";
import { ROLE_TAG, STACK_TAG, stackFilters, tagValue } from "../aws/tags.js";
import { type SubnetInfo, subnetInfo } from "../aws/vpc.js";
import type { Context } from "../core/context.js";
import { flagError } from "../core/errors.js";

type Ctx = Pick<Context, "clients" | "io" | "config">;

const ec2 = () => import("@aws-sdk/client-ec2");
const elb = () => import("@aws-sdk/client-elastic-load-balancing-v2");

/** Endpoint states arrive in lowerCamel on the wire while the SDK enum says PascalCase: compare lowercased. */
export const lower = (s: string | undefined): string => (s ?? "").toLowerCase();

/**
 * Whether a resource carries this stack's tags for a role. Checked on our side as well as in the
 * Filters, so an emulator that ignores filters cannot hand the inbound plan the outbound resource.
 */
export function hasStackRole(tags: Array<{ Key?: string; Value?: string }> | undefined, stack: string, roleName: string): boolean {
  return tagValue(tags, STACK_TAG) === stack && tagValue(tags, ROLE_TAG) === roleName;
}

/** Endpoint states after which the endpoint is gone or will never carry traffic. */
export const DEAD_ENDPOINT = ["deleting", "deleted", "rejected", "failed", "expired"];
/** Endpoint service states after which it cannot be used. */
export const DEAD_SERVICE = ["deleting", "deleted", "failed"];

/**
 * The subnets given on a flag: each must exist, be in `vpcId`, and be the only one of its AZ (an NLB
 * and an interface endpoint both take one subnet per Availability Zone).
 */
export async function getSubnets(ctx: Ctx, ids: string[], vpcId: string, flag: string): Promise<SubnetInfo[]> {
  const { DescribeSubnetsCommand } = await ec2();
  let subnets: Subnet[];
  try {
    subnets = (await send(ctx, "ec2", new DescribeSubnetsCommand({ SubnetIds: ids }))).Subnets ?? [];
  } catch (error) {
    if (isNotFound(error)) throw flagError(flag, `one of ${ids.join(", ")} does not exist in this account and Region`);
    throw error;
  }
  const byAz = new Map<string, string>();
  return ids.map((id) => {
    const s = subnets.find((x) => x.SubnetId === id);
    if (!s) throw flagError(flag, `${id} does not exist in this account and Region`);
    if (s.VpcId !== vpcId) throw flagError(flag, `${id} belongs to ${s.VpcId}, not ${vpcId}`);
    const az = s.AvailabilityZone!;
    const other = byAz.get(az);
    if (other) {
      throw flagError(flag, `${other} and ${id} are both in ${az}; a load balancer and an endpoint take one subnet per Availability Zone`);
    }
    byAz.set(az, id);
    return subnetInfo(s);
  });
}

/** Interfaces in a VPC that hold `ip` (primary or secondary). */
export async function findInterfacesWithIp(ctx: Ctx, vpcId: string, ip: string): Promise<NetworkInterface[]> {
  const { DescribeNetworkInterfacesCommand } = await ec2();
  const out = await send(
    ctx,
    "ec2",
    new DescribeNetworkInterfacesCommand({
      Filters: [
        { Name: "vpc-id", Values: [vpcId] },
        { Name: "addresses.private-ip-address", Values: [ip] },
      ],
    }),
  );
  return (out.NetworkInterfaces ?? []).filter(
    (e) => e.VpcId === vpcId && (e.PrivateIpAddress === ip || e.PrivateIpAddresses?.some((a) => a.PrivateIpAddress === ip)),
  );
}

export async function getInterfaces(ctx: Ctx, ids: string[]): Promise<NetworkInterface[]> {
  if (ids.length === 0) return [];
  const { DescribeNetworkInterfacesCommand } = await ec2();
  return (await send(ctx, "ec2", new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ids }))).NetworkInterfaces ?? [];
}

// --- ELBv2 ------------------------------------------------------------------------------------------

export async function findLoadBalancer(ctx: Ctx, name: string): Promise<LoadBalancer | undefined> {
  const { DescribeLoadBalancersCommand } = await elb();
  try {
    return (await send(ctx, "elbv2", new DescribeLoadBalancersCommand({ Names: [name] }))).LoadBalancers?.[0];
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export async function describeLoadBalancer(ctx: Ctx, arn: string): Promise<LoadBalancer | undefined> {
  const { DescribeLoadBalancersCommand } = await elb();
  return (await send(ctx, "elbv2", new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] }))).LoadBalancers?.[0];
}

/** A load balancer as the address map shows it: its name, DNS name and node addresses. */
export interface LoadBalancerView {
  name: string;
  dnsName?: string;
  addresses: Array<{ az?: string; subnetId?: string; ip?: string }>;
}

export function loadBalancerView(name: string, lb: LoadBalancer | undefined): LoadBalancerView {
  return {
    name,
    ...(lb?.DNSName ? { dnsName: lb.DNSName } : {}),
    addresses: (lb?.AvailabilityZones ?? []).flatMap((z) =>
      (z.LoadBalancerAddresses ?? []).map((a) => ({ az: z.ZoneName, subnetId: z.SubnetId, ip: a.PrivateIPv4Address ?? a.IpAddress })),
    ),
  };
}

export const CROSS_ZONE = "load_balancing.cross_zone.enabled";

/** Whether cross-zone load balancing is on (it is off by default on an NLB). */
export async function crossZoneEnabled(ctx: Ctx, lbArn: string): Promise<boolean> {
  const { DescribeLoadBalancerAttributesCommand } = await elb();
  const out = await send(ctx, "elbv2", new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn }));
  return out.Attributes?.find((a) => a.Key === CROSS_ZONE)?.Value === "true";
}

export async function findTargetGroup(ctx: Ctx, name: string): Promise<TargetGroup | undefined> {
  const { DescribeTargetGroupsCommand } = await elb();
  try {
    return (await send(ctx, "elbv2", new DescribeTargetGroupsCommand({ Names: [name] }))).TargetGroups?.[0];
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** The tags of each ELBv2 resource (DescribeTags takes 20 ARNs per call; ELBv2 has no tag filter). */
export async function elbTags(ctx: Ctx, arns: string[]): Promise<Map<string, ElbTag[]>> {
  const { DescribeTagsCommand } = await elb();
  const result = new Map<string, ElbTag[]>();
  for (let i = 0; i < arns.length; i += 20) {
    const out = await send(ctx, "elbv2", new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) }));
    for (const d of out.TagDescriptions ?? []) result.set(d.ResourceArn!, d.Tags ?? []);
  }
  return result;
}

/** The `vpcwire:stack` tag of each ELBv2 resource. */
export async function elbStackTags(ctx: Ctx, arns: string[]): Promise<Map<string, string | undefined>> {
  const tags = await elbTags(ctx, arns);
  return new Map([...tags].map(([arn, t]) => [arn, tagValue(t, STACK_TAG)]));
}

/** Every load balancer of the Region (to find stacks by their tags). */
export async function listLoadBalancers(ctx: Ctx): Promise<LoadBalancer[]> {
  const { paginateDescribeLoadBalancers } = await elb();
  return listAll(ctx, "elbv2", paginateDescribeLoadBalancers, {}, (o) => o.LoadBalancers);
}

/** Every target group of the Region (a group behind no listener is found only this way). */
export async function listTargetGroups(ctx: Ctx): Promise<TargetGroup[]> {
  const { paginateDescribeTargetGroups } = await elb();
  return listAll(ctx, "elbv2", paginateDescribeTargetGroups, {}, (o) => o.TargetGroups);
}

export async function listListeners(ctx: Ctx, lbArn: string): Promise<Listener[]> {
  const { paginateDescribeListeners } = await elb();
  return listAll(ctx, "elbv2", paginateDescribeListeners, { LoadBalancerArn: lbArn }, (o) => o.Listeners);
}

export async function targetHealth(ctx: Ctx, tgArn: string): Promise<TargetHealthDescription[]> {
  const { DescribeTargetHealthCommand } = await elb();
  return (await send(ctx, "elbv2", new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions ?? [];
}

// --- PrivateLink --------------------------------------------------------------------------------------

/**
 * Endpoint services of the Region, every one or those matching `filters`, in every state (callers
 * decide which count as live). Callers check tags on their side too: emulators may ignore Filters.
 */
export async function listEndpointServices(ctx: Ctx, filters?: Array<{ Name: string; Values: string[] }>): Promise<ServiceConfiguration[]> {
  const { paginateDescribeVpcEndpointServiceConfigurations } = await ec2();
  return listAll(ctx, "ec2", paginateDescribeVpcEndpointServiceConfigurations, filters ? { Filters: filters } : {}, (o) => o.ServiceConfigurations);
}

/** The stack's endpoint service of one role, or the live one already on this NLB (an NLB serves one service). */
export async function findEndpointService(ctx: Ctx, stack: string, roleName: string, nlbArn?: string): Promise<ServiceConfiguration | undefined> {
  const live = (s: ServiceConfiguration) => !DEAD_SERVICE.includes(lower(s.ServiceState));
  const tagged = await listEndpointServices(ctx, stackFilters(stack, roleName));
  const mine = tagged.filter(live).find((s) => hasStackRole(s.Tags, stack, roleName) && (!nlbArn || s.NetworkLoadBalancerArns?.includes(nlbArn)));
  if (mine || !nlbArn) return mine;
  return (await listEndpointServices(ctx)).filter(live).find((s) => s.NetworkLoadBalancerArns?.includes(nlbArn));
}

export async function describeEndpointService(ctx: Ctx, serviceId: string): Promise<ServiceConfiguration | undefined> {
  const { DescribeVpcEndpointServiceConfigurationsCommand } = await ec2();
  return (await send(ctx, "ec2", new DescribeVpcEndpointServiceConfigurationsCommand({ ServiceIds: [serviceId] }))).ServiceConfigurations?.[0];
}

export async function allowedPrincipals(ctx: Ctx, serviceId: string): Promise<string[]> {
  const { paginateDescribeVpcEndpointServicePermissions } = await ec2();
  const all = await listAll(ctx, "ec2", paginateDescribeVpcEndpointServicePermissions, { ServiceId: serviceId }, (o) => o.AllowedPrincipals);
  return all.map((p) => p.Principal!).filter(Boolean);
}

export async function findEndpoint(ctx: Ctx, stack: string, roleName: string, vpcId: string): Promise<VpcEndpoint | undefined> {
  const { paginateDescribeVpcEndpoints } = await ec2();
  const found = await listAll(
    ctx,
    "ec2",
    paginateDescribeVpcEndpoints,
    { Filters: [...stackFilters(stack, roleName), { Name: "vpc-id", Values: [vpcId] }] },
    (o) => o.VpcEndpoints,
  );
  return found.find((e) => e.VpcId === vpcId && hasStackRole(e.Tags, stack, roleName) && !DEAD_ENDPOINT.includes(lower(e.State)));
}

/** The connections to an endpoint service (the provider's view of the endpoints using it). */
export async function listEndpointConnections(ctx: Ctx, serviceId: string): Promise<VpcEndpointConnection[]> {
  const { paginateDescribeVpcEndpointConnections } = await ec2();
  const all = await listAll(
    ctx,
    "ec2",
    paginateDescribeVpcEndpointConnections,
    { Filters: [{ Name: "service-id", Values: [serviceId] }] },
    (o) => o.VpcEndpointConnections,
  );
  return all.filter((c) => c.ServiceId === serviceId);
}

export async function describeEndpoint(ctx: Ctx, id: string): Promise<VpcEndpoint | undefined> {
  const { DescribeVpcEndpointsCommand } = await ec2();
  return (await send(ctx, "ec2", new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }))).VpcEndpoints?.[0];
}

export async function findStackSecurityGroup(ctx: Ctx, stack: string, roleName: string, vpcId: string): Promise<SecurityGroup | undefined> {
  const { DescribeSecurityGroupsCommand } = await ec2();
  const out = await send(ctx, "ec2", new DescribeSecurityGroupsCommand({ Filters: [...stackFilters(stack, roleName), { Name: "vpc-id", Values: [vpcId] }] }));
  return out.SecurityGroups?.find((g) => g.VpcId === vpcId && hasStackRole(g.Tags, stack, roleName));
}

/** An endpoint's interfaces as address-map rows: id, address, subnet and AZ. */
export interface EndpointAddress {
  eniId: string;
  ip: string;
  subnetId: string;
  az: string;
}

/**
 * The endpoint's interface addresses. Empty when they cannot be read: some emulators list no
 * endpoint interfaces (or none of their ids), and the endpoint's DNS name still works then.
 */
export async function endpointAddresses(ctx: Ctx, endpoint: VpcEndpoint): Promise<EndpointAddress[]> {
  let enis: NetworkInterface[];
  try {
    enis = await getInterfaces(ctx, endpoint.NetworkInterfaceIds ?? []);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
  return enis
    .filter((e) => e.PrivateIpAddress)
    .map((e) => ({ eniId: e.NetworkInterfaceId!, ip: e.PrivateIpAddress!, subnetId: e.SubnetId!, az: e.AvailabilityZone ?? "" }))
    .sort((a, b) => a.az.localeCompare(b.az));
}
