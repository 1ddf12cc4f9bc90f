/**
 * Elastic Load Balancing v2 in the fake account: load balancers (network and application), target
 * groups with IP and instance targets, listeners, target health and tags, with the API's own defaults
 * (application, internet-facing, instance targets) so a caller that forgets to say "network",
 * "internal" or "ip" fails here as it would on AWS. See test/fakes/README-privatelink.md.
 */
import {
  type Action,
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  DuplicateListenerException,
  DuplicateLoadBalancerNameException,
  DuplicateTargetGroupNameException,
  ElasticLoadBalancingV2ServiceException,
  IncompatibleProtocolsException,
  InvalidConfigurationRequestException,
  InvalidSubnetException,
  InvalidTargetException,
  type Listener,
  ListenerNotFoundException,
  type LoadBalancer,
  LoadBalancerNotFoundException,
  ModifyListenerCommand,
  ModifyLoadBalancerAttributesCommand,
  RegisterTargetsCommand,
  ResourceInUseException,
  SubnetNotFoundException,
  type Tag,
  type TargetDescription,
  type TargetGroup,
  TargetGroupAssociationLimitException,
  TargetGroupNotFoundException,
  type TargetHealth,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { type Cidr4, cidrContains, isIpv4, isRfc1918, isRfc6598, parseCidr4 } from "../../src/net/ip.js";
import type { FakeAws, FakeService } from "./aws.js";
import { addEni, endpointsState, enis, seqHex } from "./ec2-endpoints.js";
import { requestId } from "./model.js";

export interface FakeLoadBalancer extends LoadBalancer {
  tags: Tag[];
  attributes: Map<string, string>;
  activeAt: number;
  eniIds: string[];
  deleted?: boolean;
}

export interface FakeRegisteredTarget extends TargetDescription {
  registeredAt: number;
}

export interface FakeTargetGroup extends TargetGroup {
  tags: Tag[];
  targets: FakeRegisteredTarget[];
  deleted?: boolean;
}

export interface FakeListener extends Listener {
  tags: Tag[];
  createdAt: number;
  deleted?: boolean;
}

export interface ElbState {
  loadBalancers: FakeLoadBalancer[];
  targetGroups: FakeTargetGroup[];
  listeners: FakeListener[];
  /**
   * The test knob for health checks: what a target's checks find once they have run. Keyed by
   * `ip` or `ip:port`; a target not listed passes its checks.
   */
  healthOverrides: Map<string, TargetHealth>;
}

export const ELB_TIMINGS = {
  /** provisioning -> active. */
  nlbActiveMs: 3 * 60_000,
  /** From a target being registered behind a listener (and the LB active) to its first verdict. */
  targetHealthMs: 60_000,
};

export function elbState(aws: FakeAws): ElbState {
  aws.state.elbv2 ??= { loadBalancers: [], targetGroups: [], listeners: [], healthOverrides: new Map() };
  return aws.state.elbv2 as ElbState;
}

/** Make a target fail its health checks (after the initial period), as a closed firewall would. */
export function failHealthChecks(
  aws: FakeAws,
  target: string,
  health: TargetHealth = { State: "unhealthy", Reason: "Target.Timeout", Description: "Health checks failed: request timed out" },
): void {
  elbState(aws).healthOverrides.set(target, health);
}

/** An ELBv2 error shaped like the SDK's: `name` is the model shape, `Code` the wire code. */
function elbError<E extends ElasticLoadBalancingV2ServiceException>(
  Ctor: new (opts: { $metadata: object; message: string }) => E,
  code: string,
  message: string,
): E {
  const e = new Ctor({ $metadata: { httpStatusCode: 400, requestId: requestId(), attempts: 1, totalRetryDelay: 0 }, message });
  Object.assign(e, { Code: code, Message: message });
  return e;
}

/** Parameter validation failures come back as the generic ValidationError (no modelled shape). */
function validationError(message: string): Error {
  const e = new ElasticLoadBalancingV2ServiceException({
    name: "ValidationError",
    $fault: "client",
    $metadata: { httpStatusCode: 400, requestId: requestId(), attempts: 1, totalRetryDelay: 0 },
    message,
  });
  Object.assign(e, { Code: "ValidationError" });
  return e;
}

const NAME_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;

function checkName(kind: string, name: string | undefined): string {
  if (!name) throw validationError(`A ${kind} name must be specified`);
  if (!NAME_RE.test(name)) {
    throw validationError(
      `${kind} name '${name}' cannot be longer than '32' characters, must contain only alphanumeric characters or hyphens, and must not begin or end with a hyphen`,
    );
  }
  return name;
}

const clone = <T>(v: T): T => structuredClone(v);

/** Load balancer attributes and their defaults; cross-zone load balancing is off by default on an NLB. */
const NLB_ATTRIBUTES: Record<string, string> = {
  "deletion_protection.enabled": "false",
  "load_balancing.cross_zone.enabled": "false",
  "access_logs.s3.enabled": "false",
  "dns_record.client_routing_policy": "any_availability_zone",
};
const ALB_ATTRIBUTES: Record<string, string> = {
  "deletion_protection.enabled": "false",
  "idle_timeout.timeout_seconds": "60",
  "access_logs.s3.enabled": "false",
};

export const elasticLoadBalancing: FakeService = (aws, { elbv2 }) => {
  for (const [k, v] of Object.entries(ELB_TIMINGS)) aws.timings[k] ??= v;
  const st = elbState(aws);
  const h = <I extends object, O>(op: string, fn: (input: I) => O) => aws.handler<I, O>("elbv2", op, fn);
  const arnBase = `arn:aws:elasticloadbalancing:${aws.region}:${aws.account}`;

  const lbState = (lb: FakeLoadBalancer) => (aws.clock.now() >= lb.activeAt ? "active" : "provisioning");
  const lbView = (lb: FakeLoadBalancer): LoadBalancer => {
    const { tags: _t, activeAt: _a, eniIds: _e, deleted: _d, attributes: _x, ...rest } = lb;
    return { ...clone(rest), State: { Code: lbState(lb) } };
  };
  const tgView = (tg: FakeTargetGroup): TargetGroup => {
    const { tags: _t, targets: _x, deleted: _d, ...rest } = tg;
    return clone(rest);
  };
  const listenerView = (l: FakeListener): Listener => {
    const { tags: _t, createdAt: _c, deleted: _d, ...rest } = l;
    return clone(rest);
  };
  const liveLbs = () => st.loadBalancers.filter((l) => !l.deleted);
  const liveTgs = () => st.targetGroups.filter((t) => !t.deleted);
  const liveListeners = () => st.listeners.filter((l) => !l.deleted);
  const lbByArn = (arn: string | undefined) => {
    const lb = liveLbs().find((l) => l.LoadBalancerArn === arn);
    if (!lb) throw elbError(LoadBalancerNotFoundException, "LoadBalancerNotFound", `Load balancer '${arn}' not found`);
    return lb;
  };
  const tgByArn = (arn: string | undefined) => {
    const tg = liveTgs().find((t) => t.TargetGroupArn === arn);
    if (!tg) throw elbError(TargetGroupNotFoundException, "TargetGroupNotFound", `Target groups '${arn}' not found`);
    return tg;
  };

  // --- Load balancers -------------------------------------------------------------------------------
  elbv2.on(CreateLoadBalancerCommand).callsFake(
    h(
      "CreateLoadBalancer",
      (i: {
        Name?: string;
        Type?: string;
        Scheme?: string;
        Subnets?: string[];
        SubnetMappings?: Array<{ SubnetId?: string; PrivateIPv4Address?: string }>;
        IpAddressType?: string;
        SecurityGroups?: string[];
        Tags?: Tag[];
      }) => {
        const name = checkName("Load balancer", i.Name);
        if (name.startsWith("internal-")) throw validationError(`Load balancer name '${name}' cannot begin with 'internal-'`);
        // The API's defaults: an internet-facing Application Load Balancer.
        const type = i.Type ?? "application";
        const scheme = i.Scheme ?? "internet-facing";
        if (i.Subnets?.length && i.SubnetMappings?.length) {
          throw validationError("You can specify subnets or subnet mappings, not both");
        }
        const mappings: Array<{ SubnetId?: string; PrivateIPv4Address?: string }> = i.SubnetMappings?.length
          ? i.SubnetMappings
          : (i.Subnets ?? []).map((SubnetId) => ({ SubnetId }));
        const subnets = mappings.map((m) => {
          const s = aws.ec2.subnets.find((x) => x.SubnetId === m.SubnetId);
          if (!s) throw elbError(SubnetNotFoundException, "SubnetNotFound", `The subnet ID '${m.SubnetId}' is not valid`);
          return s;
        });
        if (subnets.length === 0) throw validationError("At least one subnet must be specified");
        const vpcId = subnets[0]!.VpcId!;
        if (subnets.some((s) => s.VpcId !== vpcId)) throw elbError(InvalidSubnetException, "InvalidSubnet", "All subnets must belong to the same VPC");
        const zones = subnets.map((s) => s.AvailabilityZone!);
        if (new Set(zones).size !== zones.length) {
          throw elbError(
            InvalidConfigurationRequestException,
            "InvalidConfigurationRequest",
            "A load balancer cannot be attached to multiple subnets in the same Availability Zone",
          );
        }
        if (type === "application" && subnets.length < 2) {
          throw elbError(
            InvalidConfigurationRequestException,
            "InvalidConfigurationRequest",
            "At least two subnets in two different Availability Zones must be specified",
          );
        }
        // The model has no internet gateways, so an internet-facing load balancer cannot be placed.
        if (scheme === "internet-facing") throw elbError(InvalidSubnetException, "InvalidSubnet", `VPC ${vpcId} has no internet gateway`);
        if (i.IpAddressType && i.IpAddressType !== "ipv4") throw validationError(`An internal load balancer must use IP address type 'ipv4'`);

        const same = liveLbs().find((l) => l.LoadBalancerName === name);
        if (same) {
          // Creating the same load balancer again returns it; anything different is a name clash.
          const sameSubnets =
            [...(same.AvailabilityZones ?? []).map((z) => z.SubnetId)].sort().join() ===
            subnets
              .map((s) => s.SubnetId)
              .sort()
              .join();
          if (same.Type === type && same.Scheme === scheme && sameSubnets) return { LoadBalancers: [lbView(same)] };
          throw elbError(DuplicateLoadBalancerNameException, "DuplicateLoadBalancerName", `A load balancer with the name '${name}' already exists`);
        }
        const hex = seqHex(aws, "elb", 16);
        const lbEnis = mappings.map((m, n) =>
          addEni(aws, {
            subnetId: subnets[n]!.SubnetId!,
            ...(m.PrivateIPv4Address ? { ip: m.PrivateIPv4Address } : {}),
            interfaceType: type === "network" ? "network_load_balancer" : "interface",
            description: `ELB ${type === "network" ? "net" : "app"}/${name}/${hex}`,
            requesterManaged: true,
          }),
        );
        const lb: FakeLoadBalancer = {
          LoadBalancerArn: `${arnBase}:loadbalancer/${type === "network" ? "net" : "app"}/${name}/${hex}`,
          DNSName: `${name}-${hex.slice(0, 10)}.elb.${aws.region}.amazonaws.com`,
          CanonicalHostedZoneId: "Z31USIVHYNEOWT",
          CreatedTime: new Date(aws.clock.now()),
          LoadBalancerName: name,
          Scheme: scheme as LoadBalancer["Scheme"],
          VpcId: vpcId,
          Type: type as LoadBalancer["Type"],
          IpAddressType: "ipv4",
          AvailabilityZones: subnets.map((s, n) => ({
            ZoneName: s.AvailabilityZone,
            SubnetId: s.SubnetId,
            LoadBalancerAddresses: type === "network" ? [{ PrivateIPv4Address: lbEnis[n]!.PrivateIpAddress }] : [],
          })),
          ...(i.SecurityGroups?.length ? { SecurityGroups: [...i.SecurityGroups] } : {}),
          tags: clone(i.Tags ?? []),
          attributes: new Map(Object.entries(type === "network" ? NLB_ATTRIBUTES : ALB_ATTRIBUTES)),
          activeAt: aws.clock.now() + aws.timings.nlbActiveMs!,
          eniIds: lbEnis.map((e) => e.NetworkInterfaceId!),
        };
        st.loadBalancers.push(lb);
        return { LoadBalancers: [lbView(lb)] };
      },
    ),
  );

  elbv2.on(DescribeLoadBalancersCommand).callsFake(
    h("DescribeLoadBalancers", (i: { Names?: string[]; LoadBalancerArns?: string[] }) => {
      if (i.Names?.length && i.LoadBalancerArns?.length)
        throw validationError("Load balancer names and load balancer ARNs cannot be specified at the same time");
      const byName = i.Names?.map((n) => liveLbs().find((l) => l.LoadBalancerName === n));
      if (byName?.some((l) => !l)) throw elbError(LoadBalancerNotFoundException, "LoadBalancerNotFound", "One or more load balancers not found");
      const byArn = i.LoadBalancerArns?.map((a) => liveLbs().find((l) => l.LoadBalancerArn === a));
      if (byArn?.some((l) => !l)) throw elbError(LoadBalancerNotFoundException, "LoadBalancerNotFound", "One or more load balancers not found");
      return { LoadBalancers: (byName ?? byArn ?? liveLbs()).map((l) => lbView(l!)) };
    }),
  );

  elbv2.on(DeleteLoadBalancerCommand).callsFake(
    h("DeleteLoadBalancer", (i: { LoadBalancerArn: string }) => {
      const lb = liveLbs().find((l) => l.LoadBalancerArn === i.LoadBalancerArn);
      // Deleting a load balancer that is already gone succeeds.
      if (!lb) return {};
      const svc = endpointsState(aws).services.find((s) => s.ServiceState !== "Deleted" && s.NetworkLoadBalancerArns?.includes(lb.LoadBalancerArn!));
      if (svc) {
        throw elbError(
          ResourceInUseException,
          "ResourceInUse",
          `Load balancer '${lb.LoadBalancerArn}' cannot be deleted because it is currently associated with another service (${svc.ServiceId})`,
        );
      }
      lb.deleted = true;
      for (const l of st.listeners) if (l.LoadBalancerArn === lb.LoadBalancerArn) l.deleted = true;
      for (const tg of st.targetGroups) tg.LoadBalancerArns = (tg.LoadBalancerArns ?? []).filter((a) => a !== lb.LoadBalancerArn);
      for (const eni of enis(aws)) if (lb.eniIds.includes(eni.NetworkInterfaceId!)) eni.deleted = true;
      return {};
    }),
  );

  elbv2.on(DescribeLoadBalancerAttributesCommand).callsFake(
    h("DescribeLoadBalancerAttributes", (i: { LoadBalancerArn: string }) => ({
      Attributes: [...lbByArn(i.LoadBalancerArn).attributes].map(([Key, Value]) => ({ Key, Value })),
    })),
  );
  elbv2.on(ModifyLoadBalancerAttributesCommand).callsFake(
    h("ModifyLoadBalancerAttributes", (i: { LoadBalancerArn: string; Attributes: Array<{ Key?: string; Value?: string }> }) => {
      const lb = lbByArn(i.LoadBalancerArn);
      for (const a of i.Attributes ?? []) {
        if (!a.Key || !lb.attributes.has(a.Key)) {
          throw elbError(InvalidConfigurationRequestException, "InvalidConfigurationRequest", `Load balancer attribute key '${a.Key}' is not recognized`);
        }
        if (a.Key.endsWith(".enabled") && a.Value !== "true" && a.Value !== "false") throw validationError(`'${a.Value}' is not a valid value for ${a.Key}`);
        lb.attributes.set(a.Key, a.Value ?? "");
      }
      return { Attributes: [...lb.attributes].map(([Key, Value]) => ({ Key, Value })) };
    }),
  );

  // --- Target groups ------------------------------------------------------------------------------
  elbv2.on(CreateTargetGroupCommand).callsFake(
    h(
      "CreateTargetGroup",
      (i: {
        Name?: string;
        Protocol?: string;
        Port?: number;
        VpcId?: string;
        TargetType?: string;
        HealthCheckProtocol?: string;
        HealthCheckPort?: string;
        HealthCheckEnabled?: boolean;
        HealthCheckIntervalSeconds?: number;
        HealthCheckTimeoutSeconds?: number;
        HealthyThresholdCount?: number;
        UnhealthyThresholdCount?: number;
        Tags?: Tag[];
      }) => {
        const name = checkName("Target group", i.Name);
        const targetType = i.TargetType ?? "instance";
        if (targetType !== "lambda") {
          if (!i.Protocol) throw validationError("A protocol must be specified");
          if (i.Port === undefined || i.Port < 1 || i.Port > 65535) throw validationError("A port between 1 and 65535 must be specified");
          if (!i.VpcId) throw validationError("A VPC ID must be specified");
          if (!aws.ec2.vpcs.some((v) => v.VpcId === i.VpcId)) throw validationError(`The VPC ID '${i.VpcId}' is not found`);
        }
        const range = (what: string, v: number | undefined, lo: number, hi: number) => {
          if (v !== undefined && (v < lo || v > hi)) throw validationError(`${what} must be between ${lo} and ${hi}`);
        };
        range("Health check interval", i.HealthCheckIntervalSeconds, 5, 300);
        range("Health check timeout", i.HealthCheckTimeoutSeconds, 2, 120);
        range("Healthy threshold count", i.HealthyThresholdCount, 2, 10);
        range("Unhealthy threshold count", i.UnhealthyThresholdCount, 2, 10);
        const same = liveTgs().find((t) => t.TargetGroupName === name);
        if (same) {
          if (same.Protocol === i.Protocol && same.Port === i.Port && same.VpcId === i.VpcId && same.TargetType === targetType) {
            return { TargetGroups: [tgView(same)] };
          }
          throw elbError(
            DuplicateTargetGroupNameException,
            "DuplicateTargetGroupName",
            `A target group with the same name '${name}' exists, but with different settings`,
          );
        }
        const tcp = ["TCP", "TLS", "UDP", "TCP_UDP"].includes(i.Protocol ?? "");
        const tg: FakeTargetGroup = {
          TargetGroupArn: `${arnBase}:targetgroup/${name}/${seqHex(aws, "tg", 16)}`,
          TargetGroupName: name,
          Protocol: i.Protocol as TargetGroup["Protocol"],
          Port: i.Port,
          VpcId: i.VpcId,
          TargetType: targetType as TargetGroup["TargetType"],
          HealthCheckEnabled: i.HealthCheckEnabled ?? true,
          HealthCheckProtocol: (i.HealthCheckProtocol ?? (tcp ? "TCP" : "HTTP")) as TargetGroup["HealthCheckProtocol"],
          HealthCheckPort: i.HealthCheckPort ?? "traffic-port",
          HealthCheckIntervalSeconds: i.HealthCheckIntervalSeconds ?? 30,
          HealthCheckTimeoutSeconds: i.HealthCheckTimeoutSeconds ?? (tcp ? 10 : 6),
          HealthyThresholdCount: i.HealthyThresholdCount ?? 5,
          UnhealthyThresholdCount: i.UnhealthyThresholdCount ?? 2,
          IpAddressType: "ipv4",
          LoadBalancerArns: [],
          tags: clone(i.Tags ?? []),
          targets: [],
        };
        st.targetGroups.push(tg);
        return { TargetGroups: [tgView(tg)] };
      },
    ),
  );

  elbv2.on(DescribeTargetGroupsCommand).callsFake(
    h("DescribeTargetGroups", (i: { Names?: string[]; TargetGroupArns?: string[]; LoadBalancerArn?: string }) => {
      if (i.LoadBalancerArn) lbByArn(i.LoadBalancerArn);
      const byName = i.Names?.map((n) => liveTgs().find((t) => t.TargetGroupName === n));
      const byArn = i.TargetGroupArns?.map((a) => liveTgs().find((t) => t.TargetGroupArn === a));
      if (byName?.some((t) => !t) || byArn?.some((t) => !t)) {
        throw elbError(TargetGroupNotFoundException, "TargetGroupNotFound", "One or more target groups not found");
      }
      const found = (byName ?? byArn ?? liveTgs()).filter((t) => !i.LoadBalancerArn || t!.LoadBalancerArns?.includes(i.LoadBalancerArn));
      return { TargetGroups: found.map((t) => tgView(t!)) };
    }),
  );

  elbv2.on(DeleteTargetGroupCommand).callsFake(
    h("DeleteTargetGroup", (i: { TargetGroupArn: string }) => {
      const tg = liveTgs().find((t) => t.TargetGroupArn === i.TargetGroupArn);
      if (!tg) return {};
      if (tg.LoadBalancerArns?.length) {
        throw elbError(ResourceInUseException, "ResourceInUse", `Target group '${tg.TargetGroupArn}' is currently in use by a listener or a rule`);
      }
      tg.deleted = true;
      return {};
    }),
  );

  elbv2.on(RegisterTargetsCommand).callsFake(
    h("RegisterTargets", (i: { TargetGroupArn: string; Targets: TargetDescription[] }) => {
      const tg = tgByArn(i.TargetGroupArn);
      if (!i.Targets?.length) throw validationError("At least one target must be specified");
      const vpcCidrs = aws.ec2.vpcs.find((v) => v.VpcId === tg.VpcId)!.CidrBlockAssociationSet!.map((a) => parseCidr4(a.CidrBlock!) as Cidr4);
      for (const t of i.Targets) {
        if (tg.TargetType === "instance") {
          if (!aws.ec2.instances.some((x) => x.InstanceId === t.Id)) {
            throw elbError(InvalidTargetException, "InvalidTarget", `The following targets are not valid instances: '${t.Id}'`);
          }
        } else if (tg.TargetType === "ip") {
          const ip = t.Id ?? "";
          if (!isIpv4(ip)) throw elbError(InvalidTargetException, "InvalidTarget", `The IP address '${ip}' is not a valid IPv4 address`);
          const inVpc = vpcCidrs.some((c) => cidrContains(c, ip));
          if (inVpc) {
            const subnet = aws.ec2.subnets.find((s) => s.VpcId === tg.VpcId && cidrContains(parseCidr4(s.CidrBlock!) as Cidr4, ip));
            if (!subnet) throw elbError(InvalidTargetException, "InvalidTarget", `The IP address '${ip}' is not in a subnet of ${tg.VpcId}`);
            if (t.AvailabilityZone !== undefined && t.AvailabilityZone !== subnet.AvailabilityZone) {
              throw elbError(
                InvalidTargetException,
                "InvalidTarget",
                `The Availability Zone '${t.AvailabilityZone}' does not match the target '${ip}' (in ${subnet.AvailabilityZone}); leave it out for targets inside the VPC`,
              );
            }
          } else {
            if (!isRfc1918(ip) && !isRfc6598(ip)) {
              throw elbError(
                InvalidTargetException,
                "InvalidTarget",
                `The IP address '${ip}' is outside the VPC and not in 10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12 or 192.168.0.0/16`,
              );
            }
            if (t.AvailabilityZone === undefined) {
              throw validationError(
                `An Availability Zone must be specified for the IP address '${ip}' because it is outside the VPC of the target group ('all' for every zone)`,
              );
            }
          }
        } else {
          throw elbError(InvalidTargetException, "InvalidTarget", `Targets of type ${tg.TargetType} are not modelled`);
        }
        const port = t.Port ?? tg.Port!;
        const existing = tg.targets.find((x) => x.Id === t.Id && (x.Port ?? tg.Port) === port);
        // Registering a registered target again is a no-op.
        if (!existing) {
          tg.targets.push({
            Id: t.Id,
            Port: port,
            ...(t.AvailabilityZone !== undefined ? { AvailabilityZone: t.AvailabilityZone } : {}),
            registeredAt: aws.clock.now(),
          });
        }
      }
      return {};
    }),
  );

  elbv2.on(DeregisterTargetsCommand).callsFake(
    h("DeregisterTargets", (i: { TargetGroupArn: string; Targets: TargetDescription[] }) => {
      const tg = tgByArn(i.TargetGroupArn);
      tg.targets = tg.targets.filter((x) => !i.Targets.some((t) => t.Id === x.Id && (t.Port ?? tg.Port) === x.Port));
      return {};
    }),
  );

  const healthOf = (tg: FakeTargetGroup, t: FakeRegisteredTarget): TargetHealth => {
    const listeners = liveListeners().filter((l) => l.DefaultActions?.some((a) => forwardsTo(a, tg.TargetGroupArn!)));
    if (listeners.length === 0) {
      return { State: "unused", Reason: "Target.NotInUse", Description: "Target group is not configured to receive traffic from the load balancer" };
    }
    const lb = liveLbs().find((l) => l.LoadBalancerArn === listeners[0]!.LoadBalancerArn)!;
    if (t.AvailabilityZone === undefined) {
      const subnet = aws.ec2.subnets.find((s) => s.VpcId === tg.VpcId && cidrContains(parseCidr4(s.CidrBlock!) as Cidr4, t.Id!));
      if (subnet && !(lb.AvailabilityZones ?? []).some((z) => z.ZoneName === subnet.AvailabilityZone)) {
        return { State: "unused", Reason: "Target.NotInUse", Description: "Target is in an Availability Zone that is not enabled for the load balancer" };
      }
    }
    if (lbState(lb) !== "active") return { State: "initial", Reason: "Elb.RegistrationInProgress", Description: "Target registration is in progress" };
    const since = Math.max(t.registeredAt, Math.min(...listeners.map((l) => l.createdAt)), lb.activeAt);
    if (aws.clock.now() < since + aws.timings.targetHealthMs!) {
      return { State: "initial", Reason: "Elb.InitialHealthChecking", Description: "Initial health checks in progress" };
    }
    const override = st.healthOverrides.get(`${t.Id}:${t.Port}`) ?? st.healthOverrides.get(t.Id!);
    return override ? clone(override) : { State: "healthy" };
  };

  elbv2.on(DescribeTargetHealthCommand).callsFake(
    h("DescribeTargetHealth", (i: { TargetGroupArn: string; Targets?: TargetDescription[] }) => {
      const tg = tgByArn(i.TargetGroupArn);
      const listed = i.Targets?.length
        ? i.Targets.map(
            (t) => tg.targets.find((x) => x.Id === t.Id && x.Port === (t.Port ?? tg.Port)) ?? { Id: t.Id, Port: t.Port ?? tg.Port, registeredAt: -1 },
          )
        : tg.targets;
      return {
        TargetHealthDescriptions: listed.map((t) => ({
          Target: { Id: t.Id, Port: t.Port, ...(t.AvailabilityZone !== undefined ? { AvailabilityZone: t.AvailabilityZone } : {}) },
          HealthCheckPort: tg.HealthCheckPort === "traffic-port" ? String(t.Port) : tg.HealthCheckPort,
          TargetHealth:
            t.registeredAt < 0
              ? { State: "unused", Reason: "Target.NotRegistered", Description: "Target is not registered to the target group" }
              : healthOf(tg, t),
        })),
      };
    }),
  );

  // --- Listeners ----------------------------------------------------------------------------------
  const forwardsTo = (a: Action, tgArn: string) =>
    a.Type === "forward" && (a.TargetGroupArn === tgArn || a.ForwardConfig?.TargetGroups?.some((t) => t.TargetGroupArn === tgArn));
  const checkActions = (lb: FakeLoadBalancer, protocol: string, actions: Action[] | undefined, self?: FakeListener) => {
    if (!actions?.length) throw validationError("A default action must be specified");
    for (const a of actions) {
      if (a.Type !== "forward" || !a.TargetGroupArn) throw validationError(`Only forward actions to one target group are modelled`);
      const tg = tgByArn(a.TargetGroupArn);
      if (tg.VpcId !== lb.VpcId) {
        throw elbError(
          InvalidConfigurationRequestException,
          "InvalidConfigurationRequest",
          `The target group '${tg.TargetGroupArn}' is in ${tg.VpcId}, not in the load balancer's VPC ${lb.VpcId}`,
        );
      }
      const nlbProtocols: Record<string, string[]> = { TCP: ["TCP", "TCP_UDP"], TLS: ["TCP", "TLS"], UDP: ["UDP", "TCP_UDP"], TCP_UDP: ["TCP_UDP"] };
      if (!(nlbProtocols[protocol] ?? []).includes(tg.Protocol!)) {
        throw elbError(
          IncompatibleProtocolsException,
          "IncompatibleProtocols",
          `Listener protocol '${protocol}' is not compatible with target group protocol '${tg.Protocol}'`,
        );
      }
      const others = (tg.LoadBalancerArns ?? []).filter((arn) => arn !== lb.LoadBalancerArn);
      if (others.length && !self) {
        throw elbError(
          TargetGroupAssociationLimitException,
          "TargetGroupAssociationLimit",
          `The following target groups cannot be associated with more than one load balancer: ${tg.TargetGroupArn}`,
        );
      }
    }
  };
  const associate = () => {
    for (const tg of st.targetGroups) {
      tg.LoadBalancerArns = [
        ...new Set(
          liveListeners()
            .filter((l) => l.DefaultActions?.some((a) => forwardsTo(a, tg.TargetGroupArn!)))
            .map((l) => l.LoadBalancerArn!),
        ),
      ];
    }
  };

  elbv2.on(CreateListenerCommand).callsFake(
    h("CreateListener", (i: { LoadBalancerArn: string; Protocol?: string; Port?: number; DefaultActions?: Action[]; Tags?: Tag[] }) => {
      const lb = lbByArn(i.LoadBalancerArn);
      const protocol = i.Protocol ?? (lb.Type === "network" ? "" : "HTTP");
      if (lb.Type === "network" && !["TCP", "TLS", "UDP", "TCP_UDP"].includes(protocol)) {
        throw elbError(
          IncompatibleProtocolsException,
          "IncompatibleProtocols",
          `Protocol '${protocol || "(none)"}' is not supported by Network Load Balancers`,
        );
      }
      if (lb.Type === "application" && !["HTTP", "HTTPS"].includes(protocol)) {
        throw elbError(IncompatibleProtocolsException, "IncompatibleProtocols", `Protocol '${protocol}' is not supported by Application Load Balancers`);
      }
      if (i.Port === undefined || i.Port < 1 || i.Port > 65535) throw validationError("A port between 1 and 65535 must be specified");
      const same = liveListeners().find((l) => l.LoadBalancerArn === lb.LoadBalancerArn && l.Port === i.Port);
      if (same) {
        if (same.Protocol === protocol && JSON.stringify(same.DefaultActions) === JSON.stringify(i.DefaultActions)) return { Listeners: [listenerView(same)] };
        throw elbError(DuplicateListenerException, "DuplicateListener", `A listener already exists on port ${i.Port} of this load balancer`);
      }
      checkActions(lb, protocol, i.DefaultActions);
      const hexLb = lb.LoadBalancerArn!.slice(lb.LoadBalancerArn!.lastIndexOf("/") + 1);
      const listener: FakeListener = {
        ListenerArn: `${arnBase}:listener/${lb.Type === "network" ? "net" : "app"}/${lb.LoadBalancerName}/${hexLb}/${seqHex(aws, "listener", 16)}`,
        LoadBalancerArn: lb.LoadBalancerArn,
        Port: i.Port,
        Protocol: protocol as Listener["Protocol"],
        DefaultActions: clone(i.DefaultActions),
        tags: clone(i.Tags ?? []),
        createdAt: aws.clock.now(),
      };
      st.listeners.push(listener);
      associate();
      return { Listeners: [listenerView(listener)] };
    }),
  );

  elbv2.on(ModifyListenerCommand).callsFake(
    h("ModifyListener", (i: { ListenerArn: string; DefaultActions?: Action[]; Port?: number; Protocol?: string }) => {
      const l = liveListeners().find((x) => x.ListenerArn === i.ListenerArn);
      if (!l) throw elbError(ListenerNotFoundException, "ListenerNotFound", `Listener '${i.ListenerArn}' not found`);
      const lb = lbByArn(l.LoadBalancerArn);
      if (i.DefaultActions) {
        checkActions(lb, i.Protocol ?? l.Protocol!, i.DefaultActions, l);
        l.DefaultActions = clone(i.DefaultActions);
        l.createdAt = aws.clock.now();
      }
      if (i.Port !== undefined) l.Port = i.Port;
      associate();
      return { Listeners: [listenerView(l)] };
    }),
  );

  elbv2.on(DescribeListenersCommand).callsFake(
    h("DescribeListeners", (i: { LoadBalancerArn?: string; ListenerArns?: string[] }) => {
      if (i.LoadBalancerArn) lbByArn(i.LoadBalancerArn);
      if (!i.LoadBalancerArn && !i.ListenerArns?.length) throw validationError("You must specify either listener ARNs or a load balancer ARN");
      const byArn = i.ListenerArns?.map((a) => liveListeners().find((l) => l.ListenerArn === a));
      if (byArn?.some((l) => !l)) throw elbError(ListenerNotFoundException, "ListenerNotFound", "One or more listeners not found");
      return { Listeners: (byArn ?? liveListeners().filter((l) => l.LoadBalancerArn === i.LoadBalancerArn)).map((l) => listenerView(l!)) };
    }),
  );

  elbv2.on(DeleteListenerCommand).callsFake(
    h("DeleteListener", (i: { ListenerArn: string }) => {
      const l = liveListeners().find((x) => x.ListenerArn === i.ListenerArn);
      if (!l) throw elbError(ListenerNotFoundException, "ListenerNotFound", `Listener '${i.ListenerArn}' not found`);
      l.deleted = true;
      associate();
      return {};
    }),
  );

  // --- Tags ---------------------------------------------------------------------------------------
  const taggable = (arn: string): { tags: Tag[] } => {
    const found =
      liveLbs().find((l) => l.LoadBalancerArn === arn) ?? liveTgs().find((t) => t.TargetGroupArn === arn) ?? liveListeners().find((l) => l.ListenerArn === arn);
    if (found) return found;
    if (arn.includes(":targetgroup/")) throw elbError(TargetGroupNotFoundException, "TargetGroupNotFound", `Target groups '${arn}' not found`);
    if (arn.includes(":listener/")) throw elbError(ListenerNotFoundException, "ListenerNotFound", `Listener '${arn}' not found`);
    throw elbError(LoadBalancerNotFoundException, "LoadBalancerNotFound", `Load balancer '${arn}' not found`);
  };
  elbv2.on(DescribeTagsCommand).callsFake(
    h("DescribeTags", (i: { ResourceArns: string[] }) => {
      if (!i.ResourceArns?.length) throw validationError("At least one resource ARN must be specified");
      if (i.ResourceArns.length > 20) throw validationError("A maximum of 20 resource ARNs can be described at once");
      return { TagDescriptions: i.ResourceArns.map((arn) => ({ ResourceArn: arn, Tags: clone(taggable(arn).tags) })) };
    }),
  );
  elbv2.on(AddTagsCommand).callsFake(
    h("AddTags", (i: { ResourceArns: string[]; Tags: Tag[] }) => {
      for (const arn of i.ResourceArns) {
        const r = taggable(arn);
        for (const t of i.Tags) r.tags = [...r.tags.filter((x) => x.Key !== t.Key), clone(t)];
      }
      return {};
    }),
  );
};
