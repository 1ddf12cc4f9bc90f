/**
 * What `privatelink relay` creates, reuses, updates or leaves alone, decided from the input and the
 * facts `observeRelay` read. Pure: no AWS call, unit tests drive it with hand-made facts. Every check
 * that can fail on AWS's side is made here, so a bad combination stops before the first resource exists.
 */
import type { LoadBalancer, TargetGroup } from "@aws-sdk/client-elastic-load-balancing-v2";
import { STACK_TAG, tagValue } from "../aws/tags.js";
import type { SubnetInfo } from "../aws/vpc.js";
import type { PlanWhere } from "../core/create-command.js";
import { flagError } from "../core/errors.js";
import type { Plan, PlanStep } from "../core/plan.js";
import { permissionCovers } from "../net/allow.js";
import { type Cidr4, cidrContains, ipv4ToInt, parseCidr4 } from "../net/ip.js";
import { lower } from "./aws.js";
import type { NatMode, RelayInput } from "./inputs.js";
import { type Direction, nlbName, role, securityGroupName, targetGroupName } from "./names.js";
import type { DirectionRead, LoadBalancerFacts, RelayFacts, TargetGroupFacts } from "./observe.js";

/** Placeholders of an offline plan (and of a plan whose resources do not exist yet). */
export const PLACEHOLDER = {
  account: "<account-id>",
  targetIp: "<target-instance-ip>",
  targetVpcCidr: "<target-vpc-cidr>",
  relaySubnet: (ip: string) => `<relay subnet holding ${ip}>`,
};

/** Health checks every 10 s, three in a row to change state: a verdict in about 30 s rather than minutes. */
export const HEALTH_CHECK = { intervalSeconds: 10, healthyThreshold: 3, unhealthyThreshold: 3 };

/** How on-prem reaches the existing EC2. */
export type InboundMode =
  /** The endpoint's interface sits on the relay IP: on-prem connects to it, no NAT server. */
  | "endpoint"
  /** A NAT server holds the relay IP and forwards to the endpoint's interface. */
  | "nat"
  /** No relay IP: on-prem uses the endpoint's own addresses (or DNS name). */
  | "direct";

/** Where one direction's pieces go and what they carry: derived from the input and the facts. */
export interface DirectionLayout {
  direction: Direction;
  /** Where the NLB is (its subnets' addresses are the source the destination sees). */
  nlbVpcId: string;
  nlbSubnets: SubnetInfo[];
  /** Where the interface endpoint is (the address clients connect to). */
  endpointVpcId: string;
  endpointSubnets: SubnetInfo[];
  /** The host behind the NLB. */
  destinationIp: string;
  ports: number[];
  /**
   * Turn cross-zone load balancing on. PrivateLink hands a connection to the NLB node in the
   * endpoint interface's zone, and with cross-zone off (the NLB default) a node sends only to
   * targets in its own zone: the inbound target is one host in one zone, so every other zone would
   * lead nowhere. (The outbound target is registered for "all" zones and needs no such help.)
   */
  crossZone: boolean;
  /** "all" for a target outside the NLB's VPC (on-prem, over the VPN). */
  targetAz?: "all";
  /** CIDRs the endpoint's security group lets in on the ports. */
  sources: string[];
  /** Pin the endpoint's interface to an address. */
  subnetConfigurations?: Array<{ SubnetId: string; Ipv4: string }>;
  nlbDependsOn: string[];
  /** Said about this direction's layout, before its steps' warnings. */
  warnings: string[];
}

export interface InboundLayout extends DirectionLayout {
  mode: InboundMode;
  relayIp?: string;
  targetInstance?: string;
  /** The interface holding the relay IP in NAT mode (the NAT server), when one does already. */
  natServer?: { eniId: string; instanceId?: string; az?: string };
}

/** Both directions' layout and the NAT rules to render. */
export interface RelayLayout {
  inbound?: InboundLayout;
  outbound?: DirectionLayout;
  /** NAT rules to render: none unless the inbound relay goes through a NAT server. */
  nat: NatMode;
}

const subnetLabel = (s: SubnetInfo) => (s.az ? `${s.id} (${s.az}, ${s.cidr})` : s.id);
const contains = (cidr: string, ip: string) => {
  const c = parseCidr4(cidr);
  return typeof c !== "string" && cidrContains(c, ip);
};

/** The plan of `privatelink relay`: per direction an NLB, target groups and listeners, a service, its permission, a group, an endpoint and the health wait. */
export function decideRelay(input: RelayInput, facts: RelayFacts, where: PlanWhere): Plan {
  const warnings: string[] = [];
  const steps: PlanStep[] = [];
  if (!facts.read) warnings.push("Offline: subnets, Availability Zones and addresses were not checked; ids in <...> are placeholders.");
  assertZonesOverlap(facts.targetSubnets, facts.relaySubnets);

  const inbound = input.inbound ? inboundLayout(input, facts) : undefined;
  if (inbound) {
    warnings.push(...inbound.warnings);
    steps.push(...decideDirection(input, inbound, facts.inbound, warnings));
  }
  const outbound = input.outbound ? outboundLayout(input, facts, inbound) : undefined;
  if (outbound) {
    warnings.push(...outbound.warnings);
    steps.push(...decideDirection(input, outbound, facts.outbound, warnings));
  }
  return {
    schemaVersion: 1,
    command: "privatelink relay",
    kind: "privatelink",
    stack: input.stack,
    region: where.region,
    offline: !facts.read,
    steps,
    warnings,
  };
}

/** Both directions' layout (finish and the preview use it beside the plan). Pure; throws what decideRelay throws. */
export function relayLayout(input: RelayInput, facts: RelayFacts): RelayLayout {
  const inbound = input.inbound ? inboundLayout(input, facts) : undefined;
  const outbound = input.outbound ? outboundLayout(input, facts, inbound) : undefined;
  return { ...(inbound ? { inbound } : {}), ...(outbound ? { outbound } : {}), nat: natOf(input, inbound) };
}

function natOf(input: RelayInput, inbound: InboundLayout | undefined): NatMode {
  return inbound?.mode === "nat" ? (input.nat ?? "nftables") : "none";
}

/** Inbound: the NLB in the target VPC, the endpoint in the relay VPC, and where the relay address sits. */
export function inboundLayout(input: RelayInput, facts: RelayFacts): InboundLayout {
  const ib = input.inbound!;
  const warnings: string[] = [];
  const destinationIp = destinationOf(input, facts);
  const targetAz = facts.read ? targetZone(input, facts, destinationIp, warnings) : undefined;
  const relay = ib.relayIp ? relayPlacement(input, facts, ib.relayIp, warnings) : { mode: "direct" as const };
  const endpointSubnets = relay.endpointSubnets ?? usableEndpointSubnets(facts.relaySubnets, facts.targetSubnets, "--relay-subnets", "inbound", warnings);
  if (relay.mode !== "nat" && input.out) warnings.push(`--out ${input.out}: no NAT server is needed, so nothing is written there.`);

  // The endpoint's security group: who may connect. After SNAT a NAT server's traffic comes from the relay IP.
  const sources = [...ib.allowFrom];
  if (relay.mode === "nat" && ib.relayIp && !sources.some((c) => contains(c, ib.relayIp!))) sources.push(`${ib.relayIp}/32`);
  return {
    direction: "inbound",
    nlbVpcId: input.targetVpcId,
    nlbSubnets: facts.targetSubnets,
    endpointVpcId: input.relayVpcId,
    endpointSubnets,
    destinationIp,
    ports: ib.ports,
    crossZone: true,
    ...(targetAz ? { targetAz } : {}),
    sources,
    ...(relay.subnetConfigurations ? { subnetConfigurations: relay.subnetConfigurations } : {}),
    nlbDependsOn: [],
    warnings,
    mode: relay.mode,
    ...(ib.relayIp ? { relayIp: ib.relayIp } : {}),
    ...(ib.targetInstance ? { targetInstance: ib.targetInstance } : {}),
    ...(relay.natServer ? { natServer: relay.natServer } : {}),
  };
}

/** The existing EC2's address: given, read from --target-instance, or a placeholder when not read. */
function destinationOf(input: RelayInput, facts: RelayFacts): string {
  const ib = input.inbound!;
  const instance = facts.targetInstance;
  if (!ib.targetInstance || !instance) return ib.targetIp ?? PLACEHOLDER.targetIp;
  if (instance.VpcId !== input.targetVpcId) {
    throw flagError("--target-instance", `${ib.targetInstance} is in ${instance.VpcId}, not in --target-vpc-id ${input.targetVpcId}`);
  }
  if (!instance.PrivateIpAddress) throw flagError("--target-instance", `${ib.targetInstance} has no private IPv4 address`);
  return instance.PrivateIpAddress;
}

/**
 * Inside the VPC the target's zone is its subnet's, and the NLB sends only to targets in its own zones:
 * a target subnet must be in that zone. A target outside the VPC is registered for every zone ("all").
 */
function targetZone(input: RelayInput, facts: RelayFacts, destinationIp: string, warnings: string[]): "all" | undefined {
  const ib = input.inbound!;
  if (!facts.targetVpcCidrs.some((c) => contains(c, destinationIp))) {
    warnings.push(
      `The target ${destinationIp} is outside ${input.targetVpcId} (${facts.targetVpcCidrs.join(", ")}); it is registered for every zone ("all") and must be reachable from the target subnets.`,
    );
    return "all";
  }
  const home = (facts.targetVpcSubnets ?? []).find((s) => contains(s.cidr, destinationIp));
  if (!home) throw flagError(ib.targetIp ? "--target-ip" : "--target-instance", `${destinationIp} is in ${input.targetVpcId} but in none of its subnets`);
  if (!facts.targetSubnets.some((s) => s.az === home.az)) {
    throw flagError(
      "--target-subnets",
      `the target ${destinationIp} is in ${home.az} (${home.id}), but no target subnet is in that zone (${zonesOf(facts.targetSubnets)}); ` +
        `a Network Load Balancer sends only to targets in its own zones: add a subnet of ${home.az}`,
    );
  }
  return undefined;
}

interface RelayPlacement {
  mode: InboundMode;
  endpointSubnets?: SubnetInfo[];
  subnetConfigurations?: Array<{ SubnetId: string; Ipv4: string }>;
  natServer?: InboundLayout["natServer"];
}

/** The relay address: on the endpoint itself (in a relay subnet) or on a NAT server (anywhere else in the relay VPC). */
function relayPlacement(input: RelayInput, facts: RelayFacts, ip: string, warnings: string[]): RelayPlacement {
  if (!facts.read) {
    if (input.nat && input.nat !== "none") return { mode: "nat" };
    warnings.push(
      `Offline: assuming ${ip} lies in one of the relay subnets (the endpoint will sit on it); pass --nat nftables to preview the NAT-server variant.`,
    );
    const placeholder = PLACEHOLDER.relaySubnet(ip);
    return {
      mode: "endpoint",
      endpointSubnets: [{ id: placeholder, vpcId: input.relayVpcId, az: "", cidr: "" }],
      subnetConfigurations: [{ SubnetId: placeholder, Ipv4: ip }],
    };
  }
  if (!facts.relayVpcCidrs.some((c) => contains(c, ip))) {
    throw flagError(
      "--relay-ip",
      `${ip} is outside ${input.relayVpcId} (${facts.relayVpcCidrs.join(", ")}); on-prem reaches only the relay VPC's addresses over the VPN`,
    );
  }
  const home = facts.relaySubnets.find((s) => contains(s.cidr, ip));
  const holders = facts.relayIpHolders ?? [];
  // On a re-run the relay IP is held by this stack's own endpoint: that is not a conflict.
  const own = new Set(facts.inbound?.endpoint?.endpoint.NetworkInterfaceIds ?? []);
  if (home && (input.nat === undefined || input.nat === "none")) {
    if (isReserved(home.cidr, ip)) {
      throw flagError("--relay-ip", `${ip} is one of the five addresses AWS reserves in ${home.id} (${home.cidr}): the first four and the last`);
    }
    if (!facts.targetSubnets.some((s) => s.az === home.az)) {
      throw flagError(
        "--relay-ip",
        `${ip} is in ${home.id} (${home.az}), but the inbound load balancer has no subnet in ${home.az} (target subnets: ${zonesOf(facts.targetSubnets)}); ` +
          `an endpoint can sit only in zones of its service: add a target subnet in ${home.az}, or pick a relay IP in a relay subnet of ${zonesOf(facts.targetSubnets)}`,
      );
    }
    const taken = holders.filter((e) => !own.has(e.NetworkInterfaceId!));
    if (taken.length) {
      const h = taken[0]!;
      throw flagError(
        "--relay-ip",
        `${ip} is already used by ${h.NetworkInterfaceId}${h.Attachment?.InstanceId ? ` (${h.Attachment.InstanceId})` : h.Description ? ` (${h.Description})` : ""}; ` +
          `pick a free address in ${home.cidr}, or keep it on that server and relay through it with --nat nftables`,
      );
    }
    warnings.push(`The inbound endpoint sits only in ${home.az} (the zone of ${ip}); if that zone fails, on-prem loses the relay address until it recovers.`);
    return { mode: "endpoint", endpointSubnets: [home], subnetConfigurations: [{ SubnetId: home.id, Ipv4: ip }] };
  }
  if (input.nat === "none") {
    throw flagError(
      "--relay-ip",
      `${ip} is in none of the relay subnets (${facts.relaySubnets.map((s) => `${s.id} ${s.cidr}`).join(", ")}); with --nat none the endpoint must sit on the relay address: add the subnet that holds it to --relay-subnets`,
    );
  }
  const server = holders.find((e) => !own.has(e.NetworkInterfaceId!) && e.InterfaceType !== "vpc_endpoint");
  if (!server) {
    warnings.push(`No network interface holds ${ip} yet: give it to the NAT server (for example as a secondary private IP) before on-prem connects.`);
    return { mode: "nat" };
  }
  return {
    mode: "nat",
    natServer: {
      eniId: server.NetworkInterfaceId!,
      ...(server.Attachment?.InstanceId ? { instanceId: server.Attachment.InstanceId } : {}),
      ...(server.AvailabilityZone ? { az: server.AvailabilityZone } : {}),
    },
  };
}

/** Outbound: the NLB in the relay VPC with the on-prem host as its target, the endpoint in the target VPC. */
export function outboundLayout(input: RelayInput, facts: RelayFacts, inbound: InboundLayout | undefined): DirectionLayout {
  const ob = input.outbound!;
  const warnings: string[] = [];
  if (facts.relayVpcCidrs.some((c) => contains(c, ob.onpremIp))) {
    throw flagError(
      "--onprem-ip",
      `${ob.onpremIp} is inside the relay VPC ${input.relayVpcId} (${facts.relayVpcCidrs.join(", ")}); the on-prem host must be outside it, behind the VPN`,
    );
  }
  const endpointSubnets = usableEndpointSubnets(facts.targetSubnets, facts.relaySubnets, "--target-subnets", "outbound", warnings);
  return {
    direction: "outbound",
    nlbVpcId: input.relayVpcId,
    nlbSubnets: facts.relaySubnets,
    endpointVpcId: input.targetVpcId,
    endpointSubnets,
    destinationIp: ob.onpremIp,
    ports: ob.ports,
    crossZone: false,
    targetAz: "all",
    sources: facts.read ? facts.targetVpcCidrs : [PLACEHOLDER.targetVpcCidr],
    // The inbound endpoint claims the relay IP when it is created. The outbound NLB takes addresses
    // in the same relay subnets, picked by AWS; starting it only after the inbound endpoint exists
    // means it can never take the relay IP first (which would leave a stack that cannot converge).
    nlbDependsOn: inbound?.mode === "endpoint" ? [role.endpoint("inbound")] : [],
    warnings,
  };
}

function zonesOf(subnets: SubnetInfo[]): string {
  return [...new Set(subnets.map((s) => s.az))].sort().join(", ");
}

/**
 * The classic failure: an endpoint service offers only the zones its NLB is in, so the NLB's subnets
 * and the endpoint's subnets must share at least one zone. Both directions use the same two subnet
 * lists (each side is the NLB once and the endpoint once), so one check covers both. (Subnets that
 * were not read have no zone; they share the unknown one.)
 */
function assertZonesOverlap(targetSubnets: SubnetInfo[], relaySubnets: SubnetInfo[]): void {
  const shared = targetSubnets.filter((t) => relaySubnets.some((r) => r.az === t.az));
  if (shared.length === 0) {
    throw flagError(
      "--relay-subnets",
      `no relay subnet shares an Availability Zone with the target subnets (relay: ${zonesOf(relaySubnets)}; target: ${zonesOf(targetSubnets)}). ` +
        `An endpoint service offers only the zones of its load balancer, so an endpoint in the other VPC could not be placed: ` +
        `give subnets of at least one common zone`,
    );
  }
}

/** The endpoint subnets in zones the service will offer (the NLB's zones); the others are left out with a warning. */
function usableEndpointSubnets(endpointSide: SubnetInfo[], nlbSide: SubnetInfo[], flag: string, direction: Direction, warnings: string[]): SubnetInfo[] {
  const zones = new Set(nlbSide.map((s) => s.az));
  const usable = endpointSide.filter((s) => zones.has(s.az));
  const dropped = endpointSide.filter((s) => !zones.has(s.az));
  if (usable.length === 0) throw flagError(flag, `none of these subnets is in a zone of the ${direction} load balancer (${zonesOf(nlbSide)})`);
  if (dropped.length) {
    warnings.push(
      `${direction}: ${dropped.map(subnetLabel).join(", ")} left out of the endpoint: the ${direction} load balancer has no subnet in ${zonesOf(dropped)}.`,
    );
  }
  return usable;
}

function isReserved(cidr: string, ip: string): boolean {
  const c = parseCidr4(cidr) as Cidr4;
  const offset = ipv4ToInt(ip) - ipv4ToInt(c.network);
  return offset < 4 || offset === 2 ** (32 - c.prefix) - 1;
}

/** The ELBv2 resource exists under our name: it must be this stack's and have the shape we need. */
function assertOurs(kind: string, name: string, stack: string, tagStack: string | undefined, problem: string | undefined): void {
  if (tagStack !== stack) {
    throw flagError(
      "--stack",
      `a ${kind} named ${name} already exists and is ${tagStack ? `part of stack ${tagStack}` : "not part of any vpcwire stack"}; pick another --stack`,
    );
  }
  if (problem)
    throw flagError("--stack", `the ${kind} ${name} of stack ${stack} ${problem}; remove the stack (vpcwire destroy --stack ${stack}) and run again`);
}

function lbProblem(lb: LoadBalancer, vpcId: string): string | undefined {
  if (lb.Type !== "network") return `is a ${lb.Type} load balancer, not a network one`;
  if (lb.Scheme !== "internal") return `is ${lb.Scheme}, not internal`;
  if (lb.VpcId !== vpcId) return `is in ${lb.VpcId}, not ${vpcId}`;
  if (lower(lb.State?.Code) === "failed") return `is in state ${lb.State?.Code}${lb.State?.Reason ? ` (${lb.State.Reason})` : ""}`;
  return undefined;
}

function tgProblem(tg: TargetGroup, vpcId: string, port: number): string | undefined {
  if (tg.TargetType !== "ip") return `has target type ${tg.TargetType}, not ip`;
  if (tg.Protocol !== "TCP") return `uses ${tg.Protocol}, not TCP`;
  if (tg.VpcId !== vpcId) return `is in ${tg.VpcId}, not ${vpcId}`;
  if (tg.Port !== port) return `is for port ${tg.Port}, not ${port}`;
  return undefined;
}

/** The steps of one direction: NLB, target group + listener per port, service, permission, group, endpoint, health. */
export function decideDirection(input: RelayInput, l: DirectionLayout, read: DirectionRead | undefined, warnings: string[]): PlanStep[] {
  const lb = read?.loadBalancer;
  const steps: PlanStep[] = [decideLoadBalancer(input, l, lb, warnings)];
  for (const port of l.ports) {
    const tg = read?.targetGroups.find((t) => t.port === port);
    steps.push(decideTargetGroup(input, l, port, tg), decideListener(input, l, port, lb, tg));
  }
  if (lb) {
    const extra = lb.listeners.filter((x) => !l.ports.includes(x.Port!));
    if (extra.length) {
      warnings.push(
        `${nlbName(input.stack, l.direction)} still has listeners on ${extra.map((x) => x.Port).join(", ")}, which --${l.direction === "inbound" ? "" : "onprem-"}ports no longer lists; they are left alone.`,
      );
    }
  }
  // The service is looked for only on the stack's load balancer; the endpoint only with the service.
  const svc = lb ? read?.service : undefined;
  const ep = svc ? read?.endpoint : undefined;
  steps.push(
    decideService(input, l, svc, warnings),
    decidePermission(l, lb, svc, read?.allowedPrincipals ?? []),
    decideSecurityGroup(input, l, read?.securityGroup),
    decideEndpoint(input, l, svc, ep, warnings),
    decideTargetHealth(input, l),
  );
  return steps;
}

/** The direction's internal NLB: create it, wait for it (reuse), turn cross-zone on (update), or leave it. */
export function decideLoadBalancer(input: RelayInput, l: DirectionLayout, found: LoadBalancerFacts | undefined, warnings: string[]): PlanStep {
  const d = l.direction;
  const name = nlbName(input.stack, d);
  const side = d === "inbound" ? "target" : "relay";
  const crossZoneText = l.crossZone ? ", cross-zone load balancing on" : "";
  const base = { id: role.nlb(d), type: "load-balancer", resource: "network load balancer", owned: true, dependsOn: l.nlbDependsOn };
  const params = { direction: d, name, vpcId: l.nlbVpcId, subnets: l.nlbSubnets.map((s) => s.id) };
  if (!found) {
    return {
      ...base,
      action: "create",
      summary: `${d}: network load balancer ${name} (internal${crossZoneText}) in ${l.nlbSubnets.map(subnetLabel).join(", ")}; wait until active`,
      params: { ...params, crossZone: l.crossZone },
    };
  }
  const { lb } = found;
  assertOurs("load balancer", name, input.stack, found.stackTag, lbProblem(lb, l.nlbVpcId));
  const have = (lb.AvailabilityZones ?? []).map((z) => z.SubnetId);
  if (
    [...have].sort().join() !==
    l.nlbSubnets
      .map((s) => s.id)
      .sort()
      .join()
  ) {
    warnings.push(`${name} keeps its subnets ${have.join(", ")} (--${side}-subnets asks for ${l.nlbSubnets.map((s) => s.id).join(", ")}).`);
  }
  const state = lb.State?.Code;
  const active = lower(state) === "active";
  const crossZone = l.crossZone && !found.crossZone;
  return {
    ...base,
    action: crossZone ? "update" : active ? "no-op" : "reuse",
    resourceId: lb.LoadBalancerArn!,
    summary: crossZone
      ? `${d}: network load balancer ${name}: turn cross-zone load balancing on`
      : `${d}: network load balancer ${name} (internal${crossZoneText}, ${state}${active ? "" : ": wait until active"})`,
    params: { ...params, crossZone, state },
  };
}

/** One port's target group: create it with the target, or (re-)register the target and deregister stale ones. */
export function decideTargetGroup(input: RelayInput, l: DirectionLayout, port: number, found: TargetGroupFacts | undefined): PlanStep {
  const d = l.direction;
  const name = targetGroupName(input.stack, d, port);
  const target = { ip: l.destinationIp, port, ...(l.targetAz ? { availabilityZone: l.targetAz } : {}) };
  const base = { id: role.targetGroup(d, port), type: "target-group", resource: "target group", owned: true, dependsOn: [] };
  const params = { direction: d, name, vpcId: l.nlbVpcId, port, target };
  if (!found) {
    return {
      ...base,
      action: "create",
      summary: `${d}: target group ${name} (TCP ${port}, IP target ${l.destinationIp}:${port}${l.targetAz ? `, zone ${l.targetAz}` : ""}, TCP health checks every ${HEALTH_CHECK.intervalSeconds} s)`,
      params: { ...params, deregister: [] },
    };
  }
  const { tg } = found;
  assertOurs("target group", name, input.stack, found.stackTag, tgProblem(tg, l.nlbVpcId, port));
  const isTarget = (t: { Id?: string; Port?: number }) => t.Id === l.destinationIp && (t.Port ?? port) === port;
  const has = found.registered.some(isTarget);
  const stale = found.registered.filter((t) => !isTarget(t));
  const change = !has || stale.length > 0;
  const changes = [
    ...(has ? [] : [`register ${l.destinationIp}:${port}`]),
    ...(stale.length ? [`deregister ${stale.map((t) => `${t.Id}:${t.Port}`).join(", ")}`] : []),
  ];
  return {
    ...base,
    action: change ? "update" : "no-op",
    resourceId: tg.TargetGroupArn!,
    summary: change ? `${d}: target group ${name}: ${changes.join(", ")}` : `${d}: target group ${name} (${l.destinationIp}:${port} registered)`,
    params: {
      ...params,
      register: !has,
      deregister: stale.map((t) => ({ id: t.Id, port: t.Port, ...(t.AvailabilityZone ? { availabilityZone: t.AvailabilityZone } : {}) })),
    },
  };
}

/** One port's TCP listener forwarding to its target group. */
export function decideListener(
  input: RelayInput,
  l: DirectionLayout,
  port: number,
  lb: LoadBalancerFacts | undefined,
  tg: TargetGroupFacts | undefined,
): PlanStep {
  const d = l.direction;
  const name = nlbName(input.stack, d);
  const tgName = targetGroupName(input.stack, d, port);
  const existing = lb?.listeners.find((x) => x.Port === port);
  const forwards =
    existing?.Protocol === "TCP" && Boolean(existing.DefaultActions?.some((a) => a.Type === "forward" && a.TargetGroupArn === tg?.tg.TargetGroupArn));
  return {
    id: role.listener(d, port),
    type: "listener",
    action: existing ? (forwards ? "no-op" : "update") : "create",
    resource: "listener",
    ...(existing ? { resourceId: existing.ListenerArn! } : {}),
    owned: true,
    summary: existing
      ? forwards
        ? `${d}: listener TCP ${port} on ${name} (forwards to ${tgName})`
        : `${d}: listener TCP ${port} on ${name}: forward to ${tgName}`
      : `${d}: listener TCP ${port} on ${name} forwarding to ${tgName}`,
    params: { direction: d, port, ...(existing ? { listenerArn: existing.ListenerArn } : {}) },
    dependsOn: [role.nlb(d), role.targetGroup(d, port)],
  };
}

/** The endpoint service on the NLB: create it, wait for it, or leave it. */
export function decideService(input: RelayInput, l: DirectionLayout, svc: DirectionRead["service"], warnings: string[]): PlanStep {
  const d = l.direction;
  const name = nlbName(input.stack, d);
  const base = { id: role.service(d), type: "endpoint-service", resource: "endpoint service", dependsOn: [role.nlb(d)] };
  if (!svc) {
    return {
      ...base,
      action: "create",
      owned: true,
      summary: `${d}: endpoint service on ${name} (connections accepted without manual approval)`,
      params: { direction: d, acceptanceRequired: false },
    };
  }
  const missing = l.endpointSubnets.filter((s) => s.az && !svc.AvailabilityZones?.includes(s.az));
  if (missing.length) {
    warnings.push(`${svc.ServiceId} offers ${svc.AvailabilityZones?.join(", ")}; ${missing.map(subnetLabel).join(", ")} cannot hold the ${d} endpoint.`);
  }
  return {
    ...base,
    action: lower(svc.ServiceState) === "available" ? "no-op" : "reuse",
    resourceId: svc.ServiceId!,
    owned: tagValue(svc.Tags, STACK_TAG) === input.stack,
    summary: `${d}: endpoint service ${svc.ServiceId} on ${name} (${svc.ServiceState}${svc.AcceptanceRequired ? ", acceptance required: vpcwire accepts its own endpoint" : ""})`,
    params: { direction: d, serviceName: svc.ServiceName, state: svc.ServiceState, acceptanceRequired: svc.AcceptanceRequired ?? false },
  };
}

/** This account among the service's allowed principals (the NLB's ARN names the account). */
export function decidePermission(l: DirectionLayout, lb: LoadBalancerFacts | undefined, svc: DirectionRead["service"], allowed: string[]): PlanStep {
  const d = l.direction;
  const principal = lb ? accountPrincipal(lb.lb.LoadBalancerArn!) : undefined;
  const permitted = Boolean(principal && (allowed.includes(principal) || allowed.includes("*")));
  return {
    id: role.permission(d),
    type: "endpoint-service-permission",
    action: permitted ? "no-op" : "create",
    resource: "endpoint service permission",
    ...(svc ? { resourceId: `${svc.ServiceId}/${principal}` } : {}),
    owned: true,
    summary: permitted ? `${d}: endpoint service allows ${principal}` : `${d}: allow ${principal ?? "this account"} to connect to the endpoint service`,
    params: { direction: d, ...(principal ? { principal } : {}) },
    dependsOn: [role.service(d)],
  };
}

/** The endpoint's security group and the rules it still lacks. */
export function decideSecurityGroup(input: RelayInput, l: DirectionLayout, sg: DirectionRead["securityGroup"]): PlanStep {
  const d = l.direction;
  const sgName = securityGroupName(input.stack, d);
  const rules = l.ports.flatMap((port) => l.sources.map((cidr) => ({ port, cidr })));
  const missing = rules.filter(
    (r) => !sg?.IpPermissions?.some((p) => permissionCovers(p, { protocol: "tcp", fromPort: r.port, toPort: r.port, label: `tcp:${r.port}` }, r.cidr)),
  );
  const ruleText = (rs: typeof rules) => `tcp ${[...new Set(rs.map((r) => r.port))].join(",")} from ${[...new Set(rs.map((r) => r.cidr))].join(", ")}`;
  return {
    id: role.securityGroup(d),
    type: "security-group",
    action: !sg ? "create" : missing.length ? "update" : "no-op",
    resource: "security group",
    ...(sg ? { resourceId: sg.GroupId! } : {}),
    owned: true,
    summary: !sg
      ? `${d}: security group ${sgName} for the endpoint in ${l.endpointVpcId}: allow ${ruleText(rules)}`
      : missing.length
        ? `${d}: security group ${sg.GroupId} (${sgName}): allow ${ruleText(missing)}`
        : `${d}: security group ${sg.GroupId} (${sgName}) allows ${ruleText(rules)}`,
    params: {
      direction: d,
      vpcId: l.endpointVpcId,
      groupName: sgName,
      description: `vpcwire ${input.stack}: who may use the ${d} relay endpoint`,
      rules: missing,
    },
    dependsOn: [],
  };
}

/** The interface endpoint in the other VPC: create it (on the relay address when pinned), wait for it, or leave it. */
export function decideEndpoint(
  input: RelayInput,
  l: DirectionLayout,
  svc: DirectionRead["service"],
  found: DirectionRead["endpoint"],
  warnings: string[],
): PlanStep {
  const d = l.direction;
  const base = {
    id: role.endpoint(d),
    type: "interface-endpoint",
    resource: "interface endpoint",
    owned: true,
    dependsOn: [role.service(d), role.permission(d), role.securityGroup(d)],
  };
  const params = {
    direction: d,
    vpcId: l.endpointVpcId,
    subnetIds: l.endpointSubnets.map((s) => s.id),
    ...(l.subnetConfigurations ? { subnetConfigurations: l.subnetConfigurations } : {}),
    // The runner of an unchanged service does not run: its name comes from here.
    ...(svc?.ServiceName ? { serviceName: svc.ServiceName } : {}),
  };
  if (!found) {
    const where = l.subnetConfigurations
      ? l.subnetConfigurations.map((c) => `${c.SubnetId} on exactly ${c.Ipv4}`).join(", ")
      : l.endpointSubnets.map(subnetLabel).join(", ");
    return { ...base, action: "create", summary: `${d}: interface endpoint in ${l.endpointVpcId}, ${where}; wait until available`, params };
  }
  const { endpoint: ep, addresses } = found;
  if (ep.ServiceName !== svc?.ServiceName) {
    throw flagError(
      "--stack",
      `the ${d} endpoint ${ep.VpcEndpointId} of stack ${input.stack} connects to ${ep.ServiceName}, not to ${svc?.ServiceName}; remove the stack (vpcwire destroy --stack ${input.stack}) and run again`,
    );
  }
  for (const c of l.subnetConfigurations ?? []) {
    if (!addresses.some((a) => a.ip === c.Ipv4)) {
      warnings.push(
        `${ep.VpcEndpointId} keeps its addresses ${addresses.map((a) => a.ip).join(", ")}; to move it to ${c.Ipv4}, remove the stack and run again.`,
      );
    }
  }
  const available = lower(ep.State) === "available";
  return {
    ...base,
    action: available ? "no-op" : "reuse",
    resourceId: ep.VpcEndpointId!,
    summary: `${d}: interface endpoint ${ep.VpcEndpointId} in ${l.endpointVpcId} (${ep.State}${addresses.length ? `, ${addresses.map((a) => a.ip).join(", ")}` : ""}${available ? "" : "; wait until available"})`,
    params: { ...params, state: ep.State },
  };
}

/**
 * Wait for the health checks of the direction's targets (every run: they say whether the relay works).
 * A `reuse` step: it changes nothing, so a converged re-run stays converged, but its runner runs.
 */
export function decideTargetHealth(input: RelayInput, l: DirectionLayout): PlanStep {
  const d = l.direction;
  const groups = l.ports.map((port) => ({ port, name: targetGroupName(input.stack, d, port), step: role.targetGroup(d, port) }));
  return {
    id: role.health(d),
    type: "target-health",
    action: "reuse",
    resource: "target health",
    owned: false,
    summary: `${d}: health checks of ${groups.map((g) => g.name).join(", ")}; wait until each target passes or fails them`,
    params: {
      direction: d,
      destinationIp: l.destinationIp,
      // Where the checks come from: the NLB's subnets (ids when their CIDRs were not read).
      sourceCidrs: l.nlbSubnets.map((s) => s.cidr || s.id),
      targetGroups: groups,
    },
    dependsOn: l.ports.map((port) => role.listener(d, port)),
  };
}

/** The account root principal of the NLB's owner (partition and account read from its ARN). */
export function accountPrincipal(nlbArn: string): string {
  const [, partition, , , account] = nlbArn.split(":");
  return `arn:${partition ?? "aws"}:iam::${account ?? PLACEHOLDER.account}:root`;
}
