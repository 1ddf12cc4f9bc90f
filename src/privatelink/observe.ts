/**
 * Every read of `privatelink relay`: the VPCs and subnets, the target, who holds the relay IP, and what
 * the stack already has per direction. `decideRelay` (decide.ts) turns these facts into the plan
 * without any call. With `--offline` nothing is read and the facts say so.
 */
import type { Instance, NetworkInterface, SecurityGroup, ServiceConfiguration, VpcEndpoint } from "@aws-sdk/client-ec2";
import type { Listener, LoadBalancer, TargetDescription, TargetGroup } from "@aws-sdk/client-elastic-load-balancing-v2";
import { getInstance, getVpc, listSubnets, type SubnetInfo } from "../aws/vpc.js";
import type { Context } from "../core/context.js";
import type { PlanWhere } from "../core/create-command.js";
import {
  allowedPrincipals,
  crossZoneEnabled,
  type EndpointAddress,
  elbStackTags,
  endpointAddresses,
  findEndpoint,
  findEndpointService,
  findInterfacesWithIp,
  findLoadBalancer,
  findStackSecurityGroup,
  findTargetGroup,
  getSubnets,
  listListeners,
  targetHealth,
} from "./aws.js";
import type { RelayInput } from "./inputs.js";
import { type Direction, nlbName, role, targetGroupName } from "./names.js";

/** The stack's load balancer of one direction, as found by its name. */
export interface LoadBalancerFacts {
  lb: LoadBalancer;
  /** Its `vpcwire:stack` tag (ELBv2 has no tag filter: read with DescribeTags). */
  stackTag: string | undefined;
  /** Whether cross-zone load balancing is on (read for the inbound direction only, the one that needs it). */
  crossZone: boolean;
  listeners: Listener[];
}

/** The stack's target group of one port. */
export interface TargetGroupFacts {
  port: number;
  tg: TargetGroup;
  stackTag: string | undefined;
  /** The targets registered now. */
  registered: TargetDescription[];
}

/** What one direction already has in AWS (nothing on a first run). */
export interface DirectionRead {
  loadBalancer?: LoadBalancerFacts;
  targetGroups: TargetGroupFacts[];
  /** The stack's endpoint service, or the live one already on its load balancer. */
  service?: ServiceConfiguration;
  /** The principals the service allows. */
  allowedPrincipals: string[];
  securityGroup?: SecurityGroup;
  /** The stack's interface endpoint of this direction, with its addresses. */
  endpoint?: { endpoint: VpcEndpoint; addresses: EndpointAddress[] };
}

/** What `privatelink relay` reads from the account. */
export interface RelayFacts {
  /** False offline: nothing was read; subnets carry no zone or CIDR, ids are placeholders. */
  read: boolean;
  targetVpcCidrs: string[];
  relayVpcCidrs: string[];
  /** The subnets of --target-subnets and --relay-subnets, in that order. */
  targetSubnets: SubnetInfo[];
  relaySubnets: SubnetInfo[];
  /** --target-instance as read. */
  targetInstance?: Instance;
  /** Every subnet of the target VPC (inbound only): the target's zone is its subnet's. */
  targetVpcSubnets?: SubnetInfo[];
  /** Interfaces in the relay VPC that hold --relay-ip. */
  relayIpHolders?: NetworkInterface[];
  inbound?: DirectionRead;
  outbound?: DirectionRead;
}

const offlineSubnet = (id: string, vpcId: string): SubnetInfo => ({ id, vpcId, az: "", cidr: "" });

/**
 * Reads that may run together, with failures reported in the order the reads are listed (the first
 * failing flag is named, whatever answered first).
 */
async function inOrder<T extends unknown[]>(reads: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(reads);
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as T;
}

/** All reads of `privatelink relay`. Never writes. Offline: no call at all, placeholder facts. */
export async function observeRelay(ctx: Context, input: RelayInput, where: PlanWhere): Promise<RelayFacts> {
  if (where.offline) {
    return {
      read: false,
      targetVpcCidrs: [],
      relayVpcCidrs: [],
      targetSubnets: input.targetSubnets.map((id) => offlineSubnet(id, input.targetVpcId)),
      relaySubnets: input.relaySubnets.map((id) => offlineSubnet(id, input.relayVpcId)),
    };
  }
  const [target, relay, targetSubnets, relaySubnets] = await inOrder<[{ cidrs: string[] }, { cidrs: string[] }, SubnetInfo[], SubnetInfo[]]>([
    getVpc(ctx, input.targetVpcId, "--target-vpc-id"),
    getVpc(ctx, input.relayVpcId, "--relay-vpc-id"),
    getSubnets(ctx, input.targetSubnets, input.targetVpcId, "--target-subnets"),
    getSubnets(ctx, input.relaySubnets, input.relayVpcId, "--relay-subnets"),
  ]);
  const ib = input.inbound;
  const [targetInstance, targetVpcSubnets, relayIpHolders, inbound, outbound] = await inOrder<
    [Instance | undefined, SubnetInfo[] | undefined, NetworkInterface[] | undefined, DirectionRead | undefined, DirectionRead | undefined]
  >([
    ib?.targetInstance ? getInstance(ctx, ib.targetInstance, "--target-instance") : Promise.resolve(undefined),
    ib ? listSubnets(ctx, input.targetVpcId) : Promise.resolve(undefined),
    ib?.relayIp ? findInterfacesWithIp(ctx, input.relayVpcId, ib.relayIp) : Promise.resolve(undefined),
    ib ? observeDirection(ctx, input, "inbound") : Promise.resolve(undefined),
    input.outbound ? observeDirection(ctx, input, "outbound") : Promise.resolve(undefined),
  ]);
  return {
    read: true,
    targetVpcCidrs: target.cidrs,
    relayVpcCidrs: relay.cidrs,
    targetSubnets,
    relaySubnets,
    ...(targetInstance ? { targetInstance } : {}),
    ...(targetVpcSubnets ? { targetVpcSubnets } : {}),
    ...(relayIpHolders ? { relayIpHolders } : {}),
    ...(inbound ? { inbound } : {}),
    ...(outbound ? { outbound } : {}),
  };
}

/** Where a direction's endpoint lives: inbound in the relay VPC, outbound in the target VPC. */
export function endpointVpcOf(input: RelayInput, d: Direction): string {
  return d === "inbound" ? input.relayVpcId : input.targetVpcId;
}

/** The ports a direction relays. */
export function portsOf(input: RelayInput, d: Direction): number[] {
  return (d === "inbound" ? input.inbound?.ports : input.outbound?.ports) ?? [];
}

/** What one direction of the stack already has: found by its deterministic names and role tags. */
async function observeDirection(ctx: Context, input: RelayInput, d: Direction): Promise<DirectionRead> {
  const endpointVpc = endpointVpcOf(input, d);
  const ports = portsOf(input, d);
  const [lb, groups, securityGroup, endpoint] = await Promise.all([
    findLoadBalancer(ctx, nlbName(input.stack, d)),
    Promise.all(ports.map(async (port) => ({ port, tg: await findTargetGroup(ctx, targetGroupName(input.stack, d, port)) }))),
    findStackSecurityGroup(ctx, input.stack, role.securityGroup(d), endpointVpc),
    findEndpoint(ctx, input.stack, role.endpoint(d), endpointVpc),
  ]);
  const found = groups.filter((g): g is { port: number; tg: TargetGroup } => Boolean(g.tg));
  const arns = [lb?.LoadBalancerArn, ...found.map((g) => g.tg.TargetGroupArn)].filter((a): a is string => Boolean(a));
  const lbArn = lb?.LoadBalancerArn;
  const [owners, crossZone, listeners, service, targetGroups, addresses] = await Promise.all([
    arns.length ? elbStackTags(ctx, arns) : new Map<string, string | undefined>(),
    lbArn && d === "inbound" ? crossZoneEnabled(ctx, lbArn) : false,
    lbArn ? listListeners(ctx, lbArn) : [],
    lbArn ? findEndpointService(ctx, input.stack, role.service(d), lbArn) : undefined,
    Promise.all(found.map(async (g) => ({ ...g, registered: (await targetHealth(ctx, g.tg.TargetGroupArn!)).map((t) => t.Target!).filter(Boolean) }))),
    endpoint ? endpointAddresses(ctx, endpoint) : [],
  ]);
  const principals = service && lbArn ? await allowedPrincipals(ctx, service.ServiceId!) : [];
  return {
    ...(lb ? { loadBalancer: { lb, stackTag: owners.get(lb.LoadBalancerArn!), crossZone, listeners } } : {}),
    targetGroups: targetGroups.map((g) => ({ ...g, stackTag: owners.get(g.tg.TargetGroupArn!) })),
    ...(service ? { service } : {}),
    allowedPrincipals: principals,
    ...(securityGroup ? { securityGroup } : {}),
    ...(endpoint ? { endpoint: { endpoint, addresses } } : {}),
  };
}
