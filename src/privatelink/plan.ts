import type { LoadBalancer, TargetGroup } from "@aws-sdk/client-elastic-load-balancing-v2";
import { STACK_TAG, tagValue } from "../aws/tags.js";
import { getInstance, getVpc, listSubnets, type SubnetInfo } from "../aws/vpc.js";
import type { Context } from "../core/context.js";
import { flagError } from "../core/errors.js";
import type { Plan, PlanStep } from "../core/plan.js";
import { permissionCovers } from "../net/allow.js";
import { type Cidr4, cidrContains, ipv4ToInt, parseCidr4 } from "../net/ip.js";
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
  lower,
  targetHealth,
} from "./aws.js";
import type { NatMode, RelayInput } from "./inputs.js";
import { type Direction, nlbName, role, securityGroupName, targetGroupName } from "./names.js";

/** Placeholders of an offline plan (and of a plan whose resources do not exist yet). */
export const PLACEHOLDER = {
  account: "<account-id>",
  targetIp: "<target-instance-ip>",
  targetVpcCidr: "<target-vpc-cidr>",
  relaySubnet: (ip: string) => `<relay subnet holding ${ip}>`,
};

/** How on-prem reaches the existing EC2. */
export type InboundMode =
  /** The endpoint's interface sits on the relay IP: on-prem connects to it, no NAT server. */
  | "endpoint"
  /** A NAT server holds the relay IP and forwards to the endpoint's interface. */
  | "nat"
  /** No relay IP: on-prem uses the endpoint's own addresses (or DNS name). */
  | "direct";

/** What the finish step needs beyond the step results. */
export interface DirectionFacts {
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
   * What planning read about resources that already exist (a re-run). Steps left unchanged
   * ("no-op") run no runner, so the finish step takes their details from here.
   */
  knownLoadBalancer?: { name: string; dnsName?: string; addresses: Array<{ az?: string; subnetId?: string; ip?: string }> };
  knownServiceName?: string;
  knownAddresses?: EndpointAddress[];
  knownDnsName?: string;
}

export interface RelayFacts {
  targetVpcCidrs: string[];
  relayVpcCidrs: string[];
  inbound?: DirectionFacts & {
    mode: InboundMode;
    relayIp?: string;
    targetInstance?: string;
    /** The interface holding the relay IP in NAT mode (the NAT server), when one does already. */
    natServer?: { eniId: string; instanceId?: string; az?: string };
  };
  outbound?: DirectionFacts;
  /** NAT rules to render: none unless the inbound relay goes through a NAT server. */
  nat: NatMode;
}

export interface RelayPlan {
  plan: Plan;
  facts: RelayFacts;
}

/** Health checks every 10 s, three in a row to change state: a verdict in about 30 s rather than minutes. */
export const HEALTH_CHECK = { intervalSeconds: 10, healthyThreshold: 3, unhealthyThreshold: 3 };

const subnetLabel = (s: SubnetInfo) => (s.az ? `${s.id} (${s.az}, ${s.cidr})` : s.id);
const offlineSubnet = (id: string, vpcId: string): SubnetInfo => ({ id, vpcId, az: "", cidr: "" });
const contains = (cidr: string, ip: string) => {
  const c = parseCidr4(cidr);
  return typeof c !== "string" && cidrContains(c, ip);
};

/**
 * Read the account and decide what to create, reuse, update or leave alone, for one or both
 * directions. Never writes. Every check that can fail on AWS's side is made here first, so a bad
 * combination stops before the first resource exists. With `--offline` nothing is read.
 */
export async function planRelay(ctx: Context, input: RelayInput, region: string | null): Promise<RelayPlan> {
  const offline = ctx.config.offline;
  const warnings: string[] = [];
  const steps: PlanStep[] = [];

  // VPCs and subnets.
  let targetVpcCidrs: string[] = [];
  let relayVpcCidrs: string[] = [];
  let targetSubnets = input.targetSubnets.map((id) => offlineSubnet(id, input.targetVpcId));
  let relaySubnets = input.relaySubnets.map((id) => offlineSubnet(id, input.relayVpcId));
  if (!offline) {
    targetVpcCidrs = (await getVpc(ctx, input.targetVpcId, "--target-vpc-id")).cidrs;
    relayVpcCidrs = (await getVpc(ctx, input.relayVpcId, "--relay-vpc-id")).cidrs;
    targetSubnets = await getSubnets(ctx, input.targetSubnets, input.targetVpcId, "--target-subnets");
    relaySubnets = await getSubnets(ctx, input.relaySubnets, input.relayVpcId, "--relay-subnets");
    assertZonesOverlap(targetSubnets, relaySubnets);
  } else {
    warnings.push("Offline: subnets, Availability Zones and addresses were not checked; ids in <...> are placeholders.");
  }

  let inboundFacts: RelayFacts["inbound"];
  let outboundFacts: RelayFacts["outbound"];
  let nat: NatMode = "none";

  if (input.inbound) {
    const ib = input.inbound;
    // The destination: the existing EC2, by IP or instance.
    let destinationIp = ib.targetIp ?? PLACEHOLDER.targetIp;
    if (!offline && ib.targetInstance) {
      const instance = await getInstance(ctx, ib.targetInstance, "--target-instance");
      if (instance.VpcId !== input.targetVpcId) {
        throw flagError("--target-instance", `${ib.targetInstance} is in ${instance.VpcId}, not in --target-vpc-id ${input.targetVpcId}`);
      }
      if (!instance.PrivateIpAddress) throw flagError("--target-instance", `${ib.targetInstance} has no private IPv4 address`);
      destinationIp = instance.PrivateIpAddress;
    }
    let targetAz: "all" | undefined;
    if (!offline) {
      if (targetVpcCidrs.some((c) => contains(c, destinationIp))) {
        // Inside the VPC the target's zone is its subnet's; the NLB sends only to targets in its own zones.
        const home = (await listSubnets(ctx, input.targetVpcId)).find((s) => contains(s.cidr, destinationIp));
        if (!home) throw flagError(ib.targetIp ? "--target-ip" : "--target-instance", `${destinationIp} is in ${input.targetVpcId} but in none of its subnets`);
        if (!targetSubnets.some((s) => s.az === home.az)) {
          throw flagError(
            "--target-subnets",
            `the target ${destinationIp} is in ${home.az} (${home.id}), but no target subnet is in that zone (${zonesOf(targetSubnets)}); ` +
              `a Network Load Balancer sends only to targets in its own zones: add a subnet of ${home.az}`,
          );
        }
      } else {
        targetAz = "all";
        warnings.push(
          `The target ${destinationIp} is outside ${input.targetVpcId} (${targetVpcCidrs.join(", ")}); it is registered for every zone ("all") and must be reachable from the target subnets.`,
        );
      }
    }

    // The relay address: on the endpoint itself, on a NAT server, or none at all.
    let mode: InboundMode = ib.relayIp ? "endpoint" : "direct";
    let endpointSubnets: SubnetInfo[] | undefined;
    let subnetConfigurations: Array<{ SubnetId: string; Ipv4: string }> | undefined;
    let natServer: { eniId: string; instanceId?: string; az?: string } | undefined;
    if (ib.relayIp) {
      const ip = ib.relayIp;
      if (offline) {
        if (input.nat && input.nat !== "none") mode = "nat";
        else {
          warnings.push(
            `Offline: assuming ${ip} lies in one of the relay subnets (the endpoint will sit on it); pass --nat nftables to preview the NAT-server variant.`,
          );
          endpointSubnets = [offlineSubnet(PLACEHOLDER.relaySubnet(ip), input.relayVpcId)];
          subnetConfigurations = [{ SubnetId: PLACEHOLDER.relaySubnet(ip), Ipv4: ip }];
        }
      } else {
        if (!relayVpcCidrs.some((c) => contains(c, ip))) {
          throw flagError(
            "--relay-ip",
            `${ip} is outside ${input.relayVpcId} (${relayVpcCidrs.join(", ")}); on-prem reaches only the relay VPC's addresses over the VPN`,
          );
        }
        const home = relaySubnets.find((s) => contains(s.cidr, ip));
        const holders = await findInterfacesWithIp(ctx, input.relayVpcId, ip);
        // On a re-run the relay IP is held by this stack's own endpoint: that is not a conflict.
        const own = new Set((await findEndpoint(ctx, input.stack, role.endpoint("inbound"), input.relayVpcId))?.NetworkInterfaceIds ?? []);
        if (home && (input.nat === undefined || input.nat === "none")) {
          if (isReserved(home.cidr, ip)) {
            throw flagError("--relay-ip", `${ip} is one of the five addresses AWS reserves in ${home.id} (${home.cidr}): the first four and the last`);
          }
          if (!targetSubnets.some((s) => s.az === home.az)) {
            throw flagError(
              "--relay-ip",
              `${ip} is in ${home.id} (${home.az}), but the inbound load balancer has no subnet in ${home.az} (target subnets: ${zonesOf(targetSubnets)}); ` +
                `an endpoint can sit only in zones of its service: add a target subnet in ${home.az}, or pick a relay IP in a relay subnet of ${zonesOf(targetSubnets)}`,
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
          mode = "endpoint";
          endpointSubnets = [home];
          subnetConfigurations = [{ SubnetId: home.id, Ipv4: ip }];
        } else if (input.nat === "none") {
          throw flagError(
            "--relay-ip",
            `${ip} is in none of the relay subnets (${relaySubnets.map((s) => `${s.id} ${s.cidr}`).join(", ")}); with --nat none the endpoint must sit on the relay address: add the subnet that holds it to --relay-subnets`,
          );
        } else {
          mode = "nat";
          const server = holders.find((e) => !own.has(e.NetworkInterfaceId!) && e.InterfaceType !== "vpc_endpoint");
          if (server) {
            natServer = {
              eniId: server.NetworkInterfaceId!,
              ...(server.Attachment?.InstanceId ? { instanceId: server.Attachment.InstanceId } : {}),
              ...(server.AvailabilityZone ? { az: server.AvailabilityZone } : {}),
            };
          } else {
            warnings.push(`No network interface holds ${ip} yet: give it to the NAT server (for example as a secondary private IP) before on-prem connects.`);
          }
        }
      }
      if (mode === "nat") nat = input.nat ?? "nftables";
      if (mode === "endpoint" && !offline) {
        warnings.push(
          `The inbound endpoint sits only in ${endpointSubnets![0]!.az} (the zone of ${ip}); if that zone fails, on-prem loses the relay address until it recovers.`,
        );
      }
    }
    endpointSubnets ??= usableEndpointSubnets(relaySubnets, targetSubnets, "--relay-subnets", "inbound", offline, warnings);
    if (mode !== "nat" && input.out) warnings.push(`--out ${input.out}: no NAT server is needed, so nothing is written there.`);

    // The endpoint's security group: who may connect. After SNAT a NAT server's traffic comes from the relay IP.
    const sources = [...ib.allowFrom];
    if (mode === "nat" && ib.relayIp && !sources.some((c) => contains(c, ib.relayIp!))) sources.push(`${ib.relayIp}/32`);

    const facts: DirectionFacts = {
      direction: "inbound",
      nlbVpcId: input.targetVpcId,
      nlbSubnets: targetSubnets,
      endpointVpcId: input.relayVpcId,
      endpointSubnets,
      destinationIp,
      ports: ib.ports,
    };
    steps.push(
      ...(await directionSteps(ctx, input, facts, {
        crossZone: true,
        targetAz,
        sources,
        ...(subnetConfigurations ? { subnetConfigurations } : {}),
        nlbDependsOn: [],
        warnings,
      })),
    );
    inboundFacts = {
      ...facts,
      mode,
      ...(ib.relayIp ? { relayIp: ib.relayIp } : {}),
      ...(ib.targetInstance ? { targetInstance: ib.targetInstance } : {}),
      ...(natServer ? { natServer } : {}),
    };
  }

  if (input.outbound) {
    const ob = input.outbound;
    if (!offline && relayVpcCidrs.some((c) => contains(c, ob.onpremIp))) {
      throw flagError(
        "--onprem-ip",
        `${ob.onpremIp} is inside the relay VPC ${input.relayVpcId} (${relayVpcCidrs.join(", ")}); the on-prem host must be outside it, behind the VPN`,
      );
    }
    const endpointSubnets = usableEndpointSubnets(targetSubnets, relaySubnets, "--target-subnets", "outbound", offline, warnings);
    const facts: DirectionFacts = {
      direction: "outbound",
      nlbVpcId: input.relayVpcId,
      nlbSubnets: relaySubnets,
      endpointVpcId: input.targetVpcId,
      endpointSubnets,
      destinationIp: ob.onpremIp,
      ports: ob.ports,
    };
    // The inbound endpoint claims the relay IP when it is created. The outbound NLB takes addresses
    // in the same relay subnets, picked by AWS; starting it only after the inbound endpoint exists
    // means it can never take the relay IP first (which would leave a stack that cannot converge).
    const nlbDependsOn = inboundFacts?.mode === "endpoint" ? [role.endpoint("inbound")] : [];
    steps.push(
      ...(await directionSteps(ctx, input, facts, {
        crossZone: false,
        targetAz: "all",
        sources: offline ? [PLACEHOLDER.targetVpcCidr] : targetVpcCidrs,
        nlbDependsOn,
        warnings,
      })),
    );
    outboundFacts = facts;
  }

  return {
    plan: { schemaVersion: 1, command: "privatelink relay", kind: "privatelink", stack: input.stack, region, offline, steps, warnings },
    facts: {
      targetVpcCidrs,
      relayVpcCidrs,
      ...(inboundFacts ? { inbound: inboundFacts } : {}),
      ...(outboundFacts ? { outbound: outboundFacts } : {}),
      nat,
    },
  };
}

function zonesOf(subnets: SubnetInfo[]): string {
  return [...new Set(subnets.map((s) => s.az))].sort().join(", ");
}

/**
 * The classic failure: an endpoint service offers only the zones its NLB is in, so the NLB's subnets
 * and the endpoint's subnets must share at least one zone. Both directions use the same two subnet
 * lists (each side is the NLB once and the endpoint once), so one check covers both.
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
function usableEndpointSubnets(
  endpointSide: SubnetInfo[],
  nlbSide: SubnetInfo[],
  flag: string,
  direction: Direction,
  offline: boolean,
  warnings: string[],
): SubnetInfo[] {
  if (offline) return endpointSide;
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
  if (["failed"].includes(lower(lb.State?.Code))) return `is in state ${lb.State?.Code}${lb.State?.Reason ? ` (${lb.State.Reason})` : ""}`;
  return undefined;
}

function tgProblem(tg: TargetGroup, vpcId: string, port: number): string | undefined {
  if (tg.TargetType !== "ip") return `has target type ${tg.TargetType}, not ip`;
  if (tg.Protocol !== "TCP") return `uses ${tg.Protocol}, not TCP`;
  if (tg.VpcId !== vpcId) return `is in ${tg.VpcId}, not ${vpcId}`;
  if (tg.Port !== port) return `is for port ${tg.Port}, not ${port}`;
  return undefined;
}

interface DirectionOptions {
  /**
   * Turn cross-zone load balancing on. PrivateLink hands a connection to the NLB node in the
   * endpoint interface's zone, and with cross-zone off (the NLB default) a node sends only to
   * targets in its own zone: the inbound target is one host in one zone, so every other zone would
   * lead nowhere. (The outbound target is registered for "all" zones and needs no such help.)
   */
  crossZone: boolean;
  /** "all" for a target outside the NLB's VPC (on-prem, over the VPN). */
  targetAz: "all" | undefined;
  /** CIDRs the endpoint's security group lets in on the ports. */
  sources: string[];
  /** Pin the endpoint's interface to an address. */
  subnetConfigurations?: Array<{ SubnetId: string; Ipv4: string }>;
  nlbDependsOn: string[];
  warnings: string[];
}

/** The steps of one direction: NLB, target group + listener per port, service, permission, SG, endpoint. */
async function directionSteps(ctx: Context, input: RelayInput, f: DirectionFacts, o: DirectionOptions): Promise<PlanStep[]> {
  const offline = ctx.config.offline;
  const d = f.direction;
  const steps: PlanStep[] = [];
  const name = nlbName(input.stack, d);
  const side = d === "inbound" ? "target" : "relay";

  // --- Load balancer -------------------------------------------------------------------------------
  const lb = offline ? undefined : await findLoadBalancer(ctx, name);
  const tgs = new Map<number, TargetGroup | undefined>();
  for (const port of f.ports) tgs.set(port, offline ? undefined : await findTargetGroup(ctx, targetGroupName(input.stack, d, port)));
  const arns = [lb?.LoadBalancerArn, ...[...tgs.values()].map((t) => t?.TargetGroupArn)].filter((a): a is string => Boolean(a));
  const owners = arns.length ? await elbStackTags(ctx, arns) : new Map<string, string | undefined>();
  if (lb) {
    assertOurs("load balancer", name, input.stack, owners.get(lb.LoadBalancerArn!), lbProblem(lb, f.nlbVpcId));
    f.knownLoadBalancer = {
      name,
      ...(lb.DNSName ? { dnsName: lb.DNSName } : {}),
      addresses: (lb.AvailabilityZones ?? []).flatMap((z) =>
        (z.LoadBalancerAddresses ?? []).map((a) => ({ az: z.ZoneName, subnetId: z.SubnetId, ip: a.PrivateIPv4Address ?? a.IpAddress })),
      ),
    };
    const have = (lb.AvailabilityZones ?? [])
      .map((z) => z.SubnetId)
      .sort()
      .join();
    if (
      have !==
      f.nlbSubnets
        .map((s) => s.id)
        .sort()
        .join()
    ) {
      o.warnings.push(
        `${name} keeps its subnets ${(lb.AvailabilityZones ?? []).map((z) => z.SubnetId).join(", ")} (--${side}-subnets asks for ${f.nlbSubnets.map((s) => s.id).join(", ")}).`,
      );
    }
  }
  const lbState = lb?.State?.Code;
  const crossZone = o.crossZone && !(lb && (await crossZoneEnabled(ctx, lb.LoadBalancerArn!)));
  const crossZoneText = o.crossZone ? ", cross-zone load balancing on" : "";
  const lbParams = { direction: d, name, vpcId: f.nlbVpcId, subnets: f.nlbSubnets.map((s) => s.id), crossZone };
  steps.push(
    lb
      ? {
          id: role.nlb(d),
          type: "load-balancer",
          action: crossZone ? "update" : lower(lbState) === "active" ? "no-op" : "reuse",
          resource: "network load balancer",
          resourceId: lb.LoadBalancerArn!,
          owned: true,
          summary: crossZone
            ? `${d}: network load balancer ${name}: turn cross-zone load balancing on`
            : `${d}: network load balancer ${name} (internal${crossZoneText}, ${lbState}${lower(lbState) === "active" ? "" : ": wait until active"})`,
          params: { ...lbParams, state: lbState },
          dependsOn: o.nlbDependsOn,
        }
      : {
          id: role.nlb(d),
          type: "load-balancer",
          action: "create",
          resource: "network load balancer",
          owned: true,
          summary: `${d}: network load balancer ${name} (internal${crossZoneText}) in ${f.nlbSubnets.map(subnetLabel).join(", ")}; wait until active`,
          params: lbParams,
          dependsOn: o.nlbDependsOn,
        },
  );

  // --- Target group and listener per port ---------------------------------------------------------
  const listeners = lb ? await listListeners(ctx, lb.LoadBalancerArn!) : [];
  const target = { ip: f.destinationIp, ...(o.targetAz ? { availabilityZone: o.targetAz } : {}) };
  for (const port of f.ports) {
    const tgName = targetGroupName(input.stack, d, port);
    const tg = tgs.get(port);
    const stepId = role.targetGroup(d, port);
    const params = { direction: d, name: tgName, vpcId: f.nlbVpcId, port, target: { ...target, port } };
    if (!tg) {
      steps.push({
        id: stepId,
        type: "target-group",
        action: "create",
        resource: "target group",
        owned: true,
        summary: `${d}: target group ${tgName} (TCP ${port}, IP target ${f.destinationIp}:${port}${o.targetAz ? `, zone ${o.targetAz}` : ""}, TCP health checks every ${HEALTH_CHECK.intervalSeconds} s)`,
        params: { ...params, deregister: [] },
        dependsOn: [],
      });
    } else {
      assertOurs("target group", tgName, input.stack, owners.get(tg.TargetGroupArn!), tgProblem(tg, f.nlbVpcId, port));
      const registered = (await targetHealth(ctx, tg.TargetGroupArn!)).map((t) => t.Target!);
      const has = registered.some((t) => t.Id === f.destinationIp && (t.Port ?? port) === port);
      const stale = registered.filter((t) => !(t.Id === f.destinationIp && (t.Port ?? port) === port));
      const change = !has || stale.length > 0;
      steps.push({
        id: stepId,
        type: "target-group",
        action: change ? "update" : "no-op",
        resource: "target group",
        resourceId: tg.TargetGroupArn!,
        owned: true,
        summary: change
          ? `${d}: target group ${tgName}: ${has ? "" : `register ${f.destinationIp}:${port}`}${!has && stale.length ? ", " : ""}${stale.length ? `deregister ${stale.map((t) => `${t.Id}:${t.Port}`).join(", ")}` : ""}`
          : `${d}: target group ${tgName} (${f.destinationIp}:${port} registered)`,
        params: {
          ...params,
          register: !has,
          deregister: stale.map((t) => ({ id: t.Id, port: t.Port, ...(t.AvailabilityZone ? { availabilityZone: t.AvailabilityZone } : {}) })),
        },
        dependsOn: [],
      });
    }
    const existing = listeners.find((l) => l.Port === port);
    const forwards = existing?.DefaultActions?.some((a) => a.Type === "forward" && a.TargetGroupArn === tg?.TargetGroupArn) && existing.Protocol === "TCP";
    steps.push({
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
      dependsOn: [role.nlb(d), stepId],
    });
  }
  if (lb) {
    const extra = listeners.filter((l) => !f.ports.includes(l.Port!));
    if (extra.length)
      o.warnings.push(
        `${name} still has listeners on ${extra.map((l) => l.Port).join(", ")}, which --${d === "inbound" ? "" : "onprem-"}ports no longer lists; they are left alone.`,
      );
  }

  // --- Endpoint service and who may use it ------------------------------------------------------------
  const svc = lb ? await findEndpointService(ctx, input.stack, role.service(d), lb.LoadBalancerArn!) : undefined;
  if (svc) {
    f.knownServiceName = svc.ServiceName;
    const missing = f.endpointSubnets.filter((s) => s.az && !svc.AvailabilityZones?.includes(s.az));
    if (missing.length) {
      o.warnings.push(`${svc.ServiceId} offers ${svc.AvailabilityZones?.join(", ")}; ${missing.map(subnetLabel).join(", ")} cannot hold the ${d} endpoint.`);
    }
  }
  steps.push(
    svc
      ? {
          id: role.service(d),
          type: "endpoint-service",
          action: lower(svc.ServiceState) === "available" ? "no-op" : "reuse",
          resource: "endpoint service",
          resourceId: svc.ServiceId!,
          owned: tagValue(svc.Tags, STACK_TAG) === input.stack,
          summary: `${d}: endpoint service ${svc.ServiceId} on ${name} (${svc.ServiceState}${svc.AcceptanceRequired ? ", acceptance required: vpcwire accepts its own endpoint" : ""})`,
          params: { direction: d, serviceName: svc.ServiceName, state: svc.ServiceState, acceptanceRequired: svc.AcceptanceRequired ?? false },
          dependsOn: [role.nlb(d)],
        }
      : {
          id: role.service(d),
          type: "endpoint-service",
          action: "create",
          resource: "endpoint service",
          owned: true,
          summary: `${d}: endpoint service on ${name} (connections accepted without manual approval)`,
          params: { direction: d, acceptanceRequired: false },
          dependsOn: [role.nlb(d)],
        },
  );
  let principal: string | undefined;
  if (lb) principal = accountPrincipal(lb.LoadBalancerArn!);
  const allowed = svc && principal ? await allowedPrincipals(ctx, svc.ServiceId!) : [];
  const permitted = Boolean(principal && (allowed.includes(principal) || allowed.includes("*")));
  steps.push({
    id: role.permission(d),
    type: "endpoint-service-permission",
    action: permitted ? "no-op" : "create",
    resource: "endpoint service permission",
    ...(svc ? { resourceId: `${svc.ServiceId}/${principal}` } : {}),
    owned: true,
    summary: permitted ? `${d}: endpoint service allows ${principal}` : `${d}: allow ${principal ?? "this account"} to connect to the endpoint service`,
    params: { direction: d, ...(principal ? { principal } : {}) },
    dependsOn: [role.service(d)],
  });

  // --- The endpoint's security group --------------------------------------------------------------------
  const sgName = securityGroupName(input.stack, d);
  const sg = offline ? undefined : await findStackSecurityGroup(ctx, input.stack, role.securityGroup(d), f.endpointVpcId);
  const rules = f.ports.flatMap((port) => o.sources.map((cidr) => ({ port, cidr })));
  const missingRules = rules.filter(
    (r) => !sg?.IpPermissions?.some((p) => permissionCovers(p, { protocol: "tcp", fromPort: r.port, toPort: r.port, label: `tcp:${r.port}` }, r.cidr)),
  );
  const ruleText = (rs: typeof rules) => `tcp ${[...new Set(rs.map((r) => r.port))].join(",")} from ${[...new Set(rs.map((r) => r.cidr))].join(", ")}`;
  steps.push({
    id: role.securityGroup(d),
    type: "security-group",
    action: !sg ? "create" : missingRules.length ? "update" : "no-op",
    resource: "security group",
    ...(sg ? { resourceId: sg.GroupId! } : {}),
    owned: true,
    summary: !sg
      ? `${d}: security group ${sgName} for the endpoint in ${f.endpointVpcId}: allow ${ruleText(rules)}`
      : missingRules.length
        ? `${d}: security group ${sg.GroupId} (${sgName}): allow ${ruleText(missingRules)}`
        : `${d}: security group ${sg.GroupId} (${sgName}) allows ${ruleText(rules)}`,
    params: {
      direction: d,
      vpcId: f.endpointVpcId,
      groupName: sgName,
      description: `vpcwire ${input.stack}: who may use the ${d} relay endpoint`,
      rules: missingRules,
    },
    dependsOn: [],
  });

  // --- Interface endpoint ----------------------------------------------------------------------------------
  const ep = svc ? await findEndpoint(ctx, input.stack, role.endpoint(d), f.endpointVpcId) : undefined;
  if (ep && ep.ServiceName !== svc?.ServiceName) {
    throw flagError(
      "--stack",
      `the ${d} endpoint ${ep.VpcEndpointId} of stack ${input.stack} connects to ${ep.ServiceName}, not to ${svc?.ServiceName}; remove the stack (vpcwire destroy --stack ${input.stack}) and run again`,
    );
  }
  const endpointParams = {
    direction: d,
    vpcId: f.endpointVpcId,
    subnetIds: f.endpointSubnets.map((s) => s.id),
    ...(o.subnetConfigurations ? { subnetConfigurations: o.subnetConfigurations } : {}),
  };
  if (ep) {
    const known = await endpointAddresses(ctx, ep);
    f.knownAddresses = known;
    const dns = ep.DnsEntries?.[0]?.DnsName;
    if (dns) f.knownDnsName = dns;
    for (const c of o.subnetConfigurations ?? []) {
      if (!known.some((a) => a.ip === c.Ipv4)) {
        o.warnings.push(
          `${ep.VpcEndpointId} keeps its addresses ${known.map((a) => a.ip).join(", ")}; to move it to ${c.Ipv4}, remove the stack and run again.`,
        );
      }
    }
    const state = lower(ep.State);
    steps.push({
      id: role.endpoint(d),
      type: "interface-endpoint",
      action: state === "available" ? "no-op" : "reuse",
      resource: "interface endpoint",
      resourceId: ep.VpcEndpointId!,
      owned: true,
      summary: `${d}: interface endpoint ${ep.VpcEndpointId} in ${f.endpointVpcId} (${ep.State}${known.length ? `, ${known.map((a) => a.ip).join(", ")}` : ""}${state === "available" ? "" : "; wait until available"})`,
      params: { ...endpointParams, state: ep.State },
      dependsOn: [role.service(d), role.permission(d), role.securityGroup(d)],
    });
  } else {
    const where = o.subnetConfigurations
      ? o.subnetConfigurations.map((c) => `${c.SubnetId} on exactly ${c.Ipv4}`).join(", ")
      : f.endpointSubnets.map(subnetLabel).join(", ");
    steps.push({
      id: role.endpoint(d),
      type: "interface-endpoint",
      action: "create",
      resource: "interface endpoint",
      owned: true,
      summary: `${d}: interface endpoint in ${f.endpointVpcId}, ${where}; wait until available`,
      params: endpointParams,
      dependsOn: [role.service(d), role.permission(d), role.securityGroup(d)],
    });
  }
  return steps;
}

/** The account root principal of the NLB's owner (partition and account read from its ARN). */
export function accountPrincipal(nlbArn: string): string {
  const [, partition, , , account] = nlbArn.split(":");
  return `arn:${partition ?? "aws"}:iam::${account ?? PLACEHOLDER.account}:root`;
}
