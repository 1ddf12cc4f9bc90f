/**
 * EC2 PrivateLink in the fake account: endpoint services (provider side), interface endpoints
 * (consumer side), the requester-managed network interfaces they create, and the security groups a
 * relay creates for its endpoints. See test/fakes/README-privatelink.md for states, timings and errors.
 *
 * The handlers are registered on the EC2 stub next to the base EC2 fake (test/fakes/ec2.ts), which
 * owns VPCs, subnets, instances and security groups; this module reads those and adds to them.
 */
import {
  AcceptVpcEndpointConnectionsCommand,
  CreateSecurityGroupCommand,
  CreateVpcEndpointCommand,
  CreateVpcEndpointServiceConfigurationCommand,
  DeleteSecurityGroupCommand,
  DeleteVpcEndpointServiceConfigurationsCommand,
  DeleteVpcEndpointsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeVpcEndpointConnectionsCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointServicePermissionsCommand,
  DescribeVpcEndpointsCommand,
  ModifyVpcEndpointServicePermissionsCommand,
  type NetworkInterface,
  RejectVpcEndpointConnectionsCommand,
  type SecurityGroup,
  type ServiceConfiguration,
  type Subnet,
  type Tag,
  type VpcEndpoint,
} from "@aws-sdk/client-ec2";
import { type Cidr4, cidrContains, intToIpv4, ipv4ToInt, isIpv4, parseCidr4 } from "../../src/net/ip.js";
import type { FakeAws, FakeService } from "./aws.js";
import type { ElbState } from "./elbv2.js";
import { ec2Error, matchesFilters, tagsFrom } from "./model.js";

// --- Shared model pieces (also used by the ELBv2 fake) --------------------------------------------

/** Something whose state moves on with model time: each transition applies once its time has come. */
export interface Timeline {
  transitions: Array<{ at: number; apply: () => void }>;
}

/** Apply every transition whose time has come. Call at the start of each operation. */
export function settle(aws: FakeAws, items: Timeline[]): void {
  const now = aws.clock.now();
  for (const item of items) {
    while (item.transitions.length && item.transitions[0]!.at <= now) item.transitions.shift()!.apply();
  }
}

/** Queue a transition `delayMs` after the previous one (or after now). */
export function later(aws: FakeAws, item: Timeline, delayMs: number, apply: () => void): void {
  const last = item.transitions.at(-1)?.at ?? aws.clock.now();
  item.transitions.push({ at: Math.max(last, aws.clock.now()) + delayMs, apply });
}

/** A network interface in the model: endpoint ENIs, NLB nodes, and hand-made ones (a NAT server). */
export interface FakeEni extends NetworkInterface {
  /** Set when the interface is gone (its owner was deleted); kept out of every answer. */
  deleted?: boolean;
}

/** A deterministic hex string per call and prefix, so ids and DNS names are stable across runs. */
export function seqHex(aws: FakeAws, prefix: string, length: number): string {
  const counter = aws.ids.next(`hex-${prefix}`);
  let x = Number.parseInt(counter.slice(counter.lastIndexOf("-") + 1), 16);
  let s = "";
  while (s.length < length) {
    x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) >>> 0;
    x = (x + 0x6d2b79f5) >>> 0;
    s += x.toString(16).padStart(8, "0");
  }
  return s.slice(0, length);
}

export function enis(aws: FakeAws): FakeEni[] {
  aws.state.enis ??= [];
  return aws.state.enis as FakeEni[];
}

/** Interfaces the API shows: the model's own plus one per seeded instance (its primary address). */
function allEnis(aws: FakeAws): FakeEni[] {
  const instances: FakeEni[] = (aws.ec2?.instances ?? [])
    .filter((i) => i.PrivateIpAddress && i.SubnetId && i.State?.Name !== "terminated")
    .map((i) => ({
      NetworkInterfaceId: i.NetworkInterfaces?.[0]?.NetworkInterfaceId ?? `eni-${i.InstanceId!.slice(2).padStart(17, "0")}`,
      SubnetId: i.SubnetId,
      VpcId: i.VpcId,
      AvailabilityZone: i.Placement?.AvailabilityZone,
      PrivateIpAddress: i.PrivateIpAddress,
      PrivateIpAddresses: [{ PrivateIpAddress: i.PrivateIpAddress, Primary: true }],
      InterfaceType: "interface",
      Description: "Primary network interface",
      Status: "in-use",
      RequesterManaged: false,
      Attachment: { InstanceId: i.InstanceId, DeviceIndex: 0, Status: "attached" },
      Groups: i.SecurityGroups ?? [],
      TagSet: [],
    }));
  return [...enis(aws).filter((e) => !e.deleted), ...instances];
}

function subnetOf(aws: FakeAws, subnetId: string): Subnet {
  const subnet = aws.ec2.subnets.find((s) => s.SubnetId === subnetId);
  if (!subnet) throw ec2Error("InvalidSubnetID.NotFound", `The subnet ID '${subnetId}' does not exist`);
  return subnet;
}

/** Addresses AWS keeps for itself in every subnet: the first four and the last. */
export function isReservedInSubnet(cidr: string, ip: string): boolean {
  const c = parseCidr4(cidr) as Cidr4;
  const offset = ipv4ToInt(ip) - ipv4ToInt(c.network);
  return offset < 4 || offset === 2 ** (32 - c.prefix) - 1;
}

/** Every private address in use in a subnet (any interface, primary or secondary). */
export function usedIps(aws: FakeAws, subnetId: string): Set<string> {
  return new Set(
    allEnis(aws)
      .filter((e) => e.SubnetId === subnetId)
      .flatMap((e) => (e.PrivateIpAddresses ?? []).map((a) => a.PrivateIpAddress!).concat(e.PrivateIpAddress ? [e.PrivateIpAddress] : [])),
  );
}

/**
 * A free address in the subnet, or the one asked for after checking it (in the subnet, not reserved,
 * not in use). Automatic picks start in the middle of the subnet, so the low addresses people
 * like to choose by hand (x.x.x.10) stay free in tests, much as AWS's random picks rarely hit them.
 */
export function allocateIp(aws: FakeAws, subnet: Subnet, wanted?: string): string {
  const cidr = parseCidr4(subnet.CidrBlock!) as Cidr4;
  const used = usedIps(aws, subnet.SubnetId!);
  if (wanted !== undefined) {
    if (!isIpv4(wanted) || !cidrContains(cidr, wanted)) {
      throw ec2Error("InvalidParameterValue", `Address ${wanted} does not fall within the subnet's address range (${subnet.CidrBlock}) of ${subnet.SubnetId}`);
    }
    if (isReservedInSubnet(cidr.text, wanted)) {
      throw ec2Error("InvalidParameterValue", `Address ${wanted} is reserved by AWS in subnet ${subnet.SubnetId}`);
    }
    if (used.has(wanted)) throw ec2Error("InvalidIPAddress.InUse", `Address ${wanted} is in use.`);
    return wanted;
  }
  const size = 2 ** (32 - cidr.prefix);
  const base = ipv4ToInt(cidr.network);
  const start = Math.max(4, Math.floor(size / 2));
  for (let i = 0; i < size; i++) {
    const offset = 4 + ((start - 4 + i) % (size - 5));
    const ip = intToIpv4(base + offset);
    if (!used.has(ip)) return ip;
  }
  throw ec2Error(
    "InsufficientFreeAddressesInSubnet",
    `There are not enough free addresses in subnet '${subnet.SubnetId}' to satisfy the requested number of instances.`,
  );
}

/** Create an interface in the model (used by endpoints, NLB nodes, and tests seeding a NAT server). */
export function addEni(
  aws: FakeAws,
  opts: { subnetId: string; ip?: string; interfaceType: string; description: string; requesterManaged: boolean; groups?: string[]; instanceId?: string },
): FakeEni {
  const subnet = subnetOf(aws, opts.subnetId);
  const ip = allocateIp(aws, subnet, opts.ip);
  const eni: FakeEni = {
    NetworkInterfaceId: aws.ids.next("eni"),
    SubnetId: subnet.SubnetId,
    VpcId: subnet.VpcId,
    AvailabilityZone: subnet.AvailabilityZone,
    PrivateIpAddress: ip,
    PrivateIpAddresses: [{ PrivateIpAddress: ip, Primary: true }],
    InterfaceType: opts.interfaceType as NetworkInterface["InterfaceType"],
    Description: opts.description,
    Status: "in-use",
    RequesterManaged: opts.requesterManaged,
    Groups: (opts.groups ?? []).map((g) => ({ GroupId: g })),
    ...(opts.instanceId ? { Attachment: { InstanceId: opts.instanceId, DeviceIndex: 1, Status: "attached" } } : {}),
    TagSet: [],
  };
  enis(aws).push(eni);
  return eni;
}

/** Seed an interface that exists before the test, e.g. the NAT server holding the relay address. */
export function seedEni(aws: FakeAws, subnetId: string, ip: string, opts: { description?: string; instanceId?: string } = {}): FakeEni {
  return addEni(aws, {
    subnetId,
    ip,
    interfaceType: "interface",
    description: opts.description ?? "seeded interface",
    requesterManaged: false,
    ...(opts.instanceId ? { instanceId: opts.instanceId } : {}),
  });
}

// --- Endpoint services and endpoints --------------------------------------------------------------

export interface FakeEndpointService extends ServiceConfiguration, Timeline {
  allowedPrincipals: string[];
}

/**
 * The wire carries endpoint states in lowerCamel (`pendingAcceptance`) although the SDK's enum type
 * says PascalCase; the model stores what the wire carries.
 */
export interface FakeEndpoint extends Omit<VpcEndpoint, "State">, Timeline {
  State?: string;
  serviceId: string;
  /** Where the interfaces are, with their addresses; NetworkInterfaceIds lists the same ENIs. */
  eniIds: string[];
}

export interface EndpointsState {
  services: FakeEndpointService[];
  endpoints: FakeEndpoint[];
}

export function endpointsState(aws: FakeAws): EndpointsState {
  aws.state.endpoints ??= { services: [], endpoints: [] };
  return aws.state.endpoints as EndpointsState;
}

/** Default timings (model time). Tests change them on `aws.timings` after installing. */
export const ENDPOINT_TIMINGS = {
  vpceServiceAvailableMs: 5_000,
  vpceServiceDeleteMs: 5_000,
  vpceAvailableMs: 90_000,
  vpceDeleteMs: 30_000,
};

const clone = <T>(v: T): T => structuredClone(v);
const strip = <T extends Timeline>(v: T): Omit<T, "transitions"> => {
  const {
    transitions: _t,
    allowedPrincipals: _p,
    serviceId: _s,
    eniIds: _e,
    ...rest
  } = v as T & {
    allowedPrincipals?: unknown;
    serviceId?: unknown;
    eniIds?: unknown;
  };
  return clone(rest) as Omit<T, "transitions">;
};

/** States in which an endpoint still occupies its service and subnets. */
const LIVE_ENDPOINT = ["pendingAcceptance", "pending", "available"];

export const vpcEndpoints: FakeService = (aws, { ec2 }) => {
  for (const [k, v] of Object.entries(ENDPOINT_TIMINGS)) aws.timings[k] ??= v;
  const st = endpointsState(aws);
  const tick = () => settle(aws, [...st.services, ...st.endpoints]);
  const h = <I extends object, O>(op: string, fn: (input: I) => O) =>
    aws.handler<I, O>("ec2", op, (input) => {
      tick();
      return fn(input);
    });
  const accountPrincipal = `arn:aws:iam::${aws.account}:root`;
  const elb = () => aws.state.elbv2 as ElbState | undefined;

  const serviceById = (id: string) => {
    const svc = st.services.find((s) => s.ServiceId === id && s.ServiceState !== "Deleted");
    if (!svc) throw ec2Error("InvalidVpcEndpointServiceId.NotFound", `The Vpc Endpoint Service Id '${id}' does not exist`);
    return svc;
  };

  // --- Endpoint services (provider side) ---------------------------------------------------------
  ec2.on(CreateVpcEndpointServiceConfigurationCommand).callsFake(
    h(
      "CreateVpcEndpointServiceConfiguration",
      (i: {
        NetworkLoadBalancerArns?: string[];
        GatewayLoadBalancerArns?: string[];
        AcceptanceRequired?: boolean;
        PrivateDnsName?: string;
        TagSpecifications?: [];
      }) => {
        const arns = i.NetworkLoadBalancerArns ?? [];
        if (arns.length === 0 && !(i.GatewayLoadBalancerArns ?? []).length) {
          throw ec2Error("InvalidParameter", "You must specify at least one Network Load Balancer or Gateway Load Balancer.");
        }
        const zones = new Map<string, string>();
        for (const arn of arns) {
          const lb = elb()?.loadBalancers.find((l) => l.LoadBalancerArn === arn && !l.deleted);
          if (!lb) throw ec2Error("InvalidParameter", `The Network Load Balancer ARN '${arn}' is invalid or does not exist.`);
          if (lb.Type !== "network") throw ec2Error("InvalidParameter", `Load balancer '${arn}' is not a Network Load Balancer (type ${lb.Type}).`);
          const taken = st.services.find((s) => s.ServiceState !== "Deleted" && s.ServiceState !== "Deleting" && s.NetworkLoadBalancerArns?.includes(arn));
          if (taken) throw ec2Error("InvalidParameter", `Load balancer '${arn}' is already associated with another VPC Endpoint Service (${taken.ServiceId}).`);
          for (const z of lb.AvailabilityZones ?? []) {
            const subnet = aws.ec2.subnets.find((s) => s.SubnetId === z.SubnetId);
            zones.set(z.ZoneName!, subnet?.AvailabilityZoneId ?? "");
          }
        }
        if (i.PrivateDnsName !== undefined) throw ec2Error("InvalidParameter", "Private DNS names are not modelled by the fake account.");
        const id = aws.ids.next("vpce-svc");
        const svc: FakeEndpointService = {
          ServiceId: id,
          ServiceName: `com.amazonaws.vpce.${aws.region}.${id}`,
          ServiceType: [{ ServiceType: "Interface" }],
          ServiceState: "Pending",
          AvailabilityZones: [...zones.keys()].sort(),
          AvailabilityZoneIds: [...zones.entries()].sort().map(([, id]) => id),
          // The model defaults to "acceptance required", like the console: a caller that means
          // "accept automatically" has to say so.
          AcceptanceRequired: i.AcceptanceRequired ?? true,
          ManagesVpcEndpoints: false,
          NetworkLoadBalancerArns: [...arns],
          SupportedIpAddressTypes: ["ipv4"],
          BaseEndpointDnsNames: [`${id}.${aws.region}.vpce.amazonaws.com`],
          Tags: tagsFrom(i.TagSpecifications, "vpc-endpoint-service"),
          allowedPrincipals: [],
          transitions: [],
        };
        later(aws, svc, aws.timings.vpceServiceAvailableMs!, () => (svc.ServiceState = "Available"));
        st.services.push(svc);
        return { ServiceConfiguration: strip(svc) };
      },
    ),
  );

  ec2.on(DescribeVpcEndpointServiceConfigurationsCommand).callsFake(
    h("DescribeVpcEndpointServiceConfigurations", (i: { ServiceIds?: string[]; Filters?: [] }) => {
      for (const id of i.ServiceIds ?? []) serviceById(id);
      return {
        ServiceConfigurations: st.services
          .filter(
            (s) =>
              s.ServiceState !== "Deleted" &&
              (!i.ServiceIds || i.ServiceIds.includes(s.ServiceId!)) &&
              matchesFilters(s, i.Filters, {
                "service-name": (x) => x.ServiceName,
                "service-id": (x) => x.ServiceId,
                "service-state": (x) => x.ServiceState,
              }),
          )
          .map(strip),
      };
    }),
  );

  ec2.on(ModifyVpcEndpointServicePermissionsCommand).callsFake(
    h("ModifyVpcEndpointServicePermissions", (i: { ServiceId: string; AddAllowedPrincipals?: string[]; RemoveAllowedPrincipals?: string[] }) => {
      const svc = serviceById(i.ServiceId);
      const valid = (p: string) => p === "*" || /^arn:aws[a-z-]*:iam::\d{12}:(root|role\/.+|user\/.+)$/.test(p) || /^arn:aws[a-z-]*:organizations::/.test(p);
      for (const p of [...(i.AddAllowedPrincipals ?? []), ...(i.RemoveAllowedPrincipals ?? [])]) {
        if (!valid(p)) throw ec2Error("InvalidPrincipal", `Invalid principal: ${p}`);
      }
      const added = (i.AddAllowedPrincipals ?? []).filter((p) => !svc.allowedPrincipals.includes(p));
      svc.allowedPrincipals.push(...added);
      svc.allowedPrincipals = svc.allowedPrincipals.filter((p) => !(i.RemoveAllowedPrincipals ?? []).includes(p));
      return {
        ReturnValue: true,
        AddedPrincipals: added.map((p, n) => ({
          PrincipalType: p === "*" ? "All" : "Account",
          Principal: p,
          ServicePermissionId: `vpce-svc-perm-${String(n).padStart(17, "0")}`,
          ServiceId: svc.ServiceId,
        })),
      };
    }),
  );

  ec2.on(DescribeVpcEndpointServicePermissionsCommand).callsFake(
    h("DescribeVpcEndpointServicePermissions", (i: { ServiceId: string }) => {
      const svc = serviceById(i.ServiceId);
      return {
        AllowedPrincipals: svc.allowedPrincipals.map((p) => ({ PrincipalType: p === "*" ? "All" : "Account", Principal: p, ServiceId: svc.ServiceId })),
      };
    }),
  );

  const connectionView = (e: FakeEndpoint) => ({
    ServiceId: e.serviceId,
    VpcEndpointId: e.VpcEndpointId,
    VpcEndpointOwner: aws.account,
    VpcEndpointState: e.State,
    CreationTimestamp: e.CreationTimestamp,
    DnsEntries: clone(e.DnsEntries),
    NetworkLoadBalancerArns: clone(st.services.find((s) => s.ServiceId === e.serviceId)?.NetworkLoadBalancerArns ?? []),
    IpAddressType: "ipv4",
    VpcEndpointConnectionId: `vpce-con-${e.VpcEndpointId!.slice(5)}`,
    Tags: [],
  });

  ec2.on(DescribeVpcEndpointConnectionsCommand).callsFake(
    h("DescribeVpcEndpointConnections", (i: { Filters?: [] }) => ({
      VpcEndpointConnections: st.endpoints
        .filter((e) => e.State !== "deleted")
        .map(connectionView)
        .filter((c) =>
          matchesFilters(c as { Tags?: Tag[] }, i.Filters, {
            "service-id": () => c.ServiceId,
            "vpc-endpoint-id": () => c.VpcEndpointId,
            "vpc-endpoint-state": () => c.VpcEndpointState,
            "vpc-endpoint-owner": () => c.VpcEndpointOwner,
          }),
        ),
    })),
  );

  const decide = (verb: "accept" | "reject") => (i: { ServiceId: string; VpcEndpointIds: string[] }) => {
    serviceById(i.ServiceId);
    if (!i.VpcEndpointIds?.length) throw ec2Error("MissingParameter", "The request must contain the parameter VpcEndpointId");
    const unsuccessful: Array<{ ResourceId: string; Error: { Code: string; Message: string } }> = [];
    for (const id of i.VpcEndpointIds) {
      const ep = st.endpoints.find((e) => e.VpcEndpointId === id && e.serviceId === i.ServiceId && e.State !== "deleted");
      if (!ep) {
        unsuccessful.push({ ResourceId: id, Error: { Code: "InvalidVpcEndpoint.NotFound", Message: `The Vpc Endpoint Id '${id}' does not exist` } });
        continue;
      }
      // A provider accepts only pending requests, but may reject an endpoint that is already connected (aws-facts 6.5).
      const decidable = verb === "accept" ? ["pendingAcceptance"] : LIVE_ENDPOINT;
      if (!decidable.includes(ep.State!)) {
        unsuccessful.push({
          ResourceId: id,
          Error: { Code: "InvalidState", Message: `Endpoint ${id} is in state ${ep.State}; only ${decidable.join(", ")} endpoints can be ${verb}ed` },
        });
        continue;
      }
      if (verb === "accept") {
        ep.State = "pending";
        later(aws, ep, aws.timings.vpceAvailableMs!, () => (ep.State = "available"));
      } else {
        ep.transitions = [];
        ep.State = "rejected";
        ep.LastError = { Code: "Client.Rejected", Message: "The endpoint connection was rejected by the service owner." };
      }
    }
    return { Unsuccessful: unsuccessful };
  };
  ec2.on(AcceptVpcEndpointConnectionsCommand).callsFake(h("AcceptVpcEndpointConnections", decide("accept")));
  ec2.on(RejectVpcEndpointConnectionsCommand).callsFake(h("RejectVpcEndpointConnections", decide("reject")));

  ec2.on(DeleteVpcEndpointServiceConfigurationsCommand).callsFake(
    h("DeleteVpcEndpointServiceConfigurations", (i: { ServiceIds: string[] }) => {
      const unsuccessful: Array<{ ResourceId: string; Error: { Code: string; Message: string } }> = [];
      for (const id of i.ServiceIds ?? []) {
        const svc = st.services.find((s) => s.ServiceId === id && s.ServiceState !== "Deleted");
        if (!svc) {
          unsuccessful.push({
            ResourceId: id,
            Error: { Code: "InvalidVpcEndpointService.NotFound", Message: `The Vpc Endpoint Service Id '${id}' does not exist` },
          });
          continue;
        }
        if (st.endpoints.some((e) => e.serviceId === id && LIVE_ENDPOINT.includes(e.State!))) {
          unsuccessful.push({ ResourceId: id, Error: { Code: "ExistingVpcEndpointConnections", Message: `Service ${id} has existing endpoint connections` } });
          continue;
        }
        svc.transitions = [];
        svc.ServiceState = "Deleting";
        later(aws, svc, aws.timings.vpceServiceDeleteMs!, () => (svc.ServiceState = "Deleted"));
      }
      return { Unsuccessful: unsuccessful };
    }),
  );

  // --- Interface endpoints (consumer side) -------------------------------------------------------
  ec2.on(CreateVpcEndpointCommand).callsFake(
    h(
      "CreateVpcEndpoint",
      (i: {
        VpcEndpointType?: string;
        VpcId: string;
        ServiceName?: string;
        SubnetIds?: string[];
        SubnetConfigurations?: Array<{ SubnetId?: string; Ipv4?: string; Ipv6?: string }>;
        SecurityGroupIds?: string[];
        PrivateDnsEnabled?: boolean;
        RouteTableIds?: string[];
        TagSpecifications?: [];
      }) => {
        // The API default is Gateway; a caller that forgets the type gets the errors a gateway endpoint would.
        const type = i.VpcEndpointType ?? "Gateway";
        if (!aws.ec2.vpcs.some((v) => v.VpcId === i.VpcId)) throw ec2Error("InvalidVpcId.NotFound", `The Vpc Id '${i.VpcId}' does not exist`);
        if (type === "Gateway" && (i.SubnetIds?.length || i.SubnetConfigurations?.length)) {
          throw ec2Error("InvalidParameter", "Subnet IDs are only supported for Interface and GatewayLoadBalancer type VPC Endpoints.");
        }
        const svc = st.services.find((s) => s.ServiceName === i.ServiceName && s.ServiceState !== "Deleted" && s.ServiceState !== "Deleting");
        // A service the caller may not use is invisible to it: AWS answers "does not exist".
        // (Whether the provider's own account needs an allow entry is not documented; the model
        // is strict, so the CLI must add it.)
        const allowed = svc && (svc.allowedPrincipals.includes("*") || svc.allowedPrincipals.includes(accountPrincipal));
        if (!svc || !allowed) throw ec2Error("InvalidServiceName", `The Vpc Endpoint Service '${i.ServiceName}' does not exist`);
        if (type !== "Interface") {
          throw ec2Error("InvalidParameter", `The Vpc Endpoint Service '${i.ServiceName}' does not support endpoint type ${type}.`);
        }
        if (svc.ServiceState !== "Available")
          throw ec2Error("InvalidParameter", `The Vpc Endpoint Service '${i.ServiceName}' is not available (${svc.ServiceState}).`);
        if (i.PrivateDnsEnabled === true) {
          throw ec2Error("InvalidParameter", `Private DNS can't be enabled because the service ${i.ServiceName} does not provide a private DNS name.`);
        }
        if (i.RouteTableIds?.length) throw ec2Error("InvalidParameter", "Route table IDs are only supported for Gateway type VPC Endpoint.");

        const configs = i.SubnetConfigurations ?? [];
        for (const c of configs) {
          if (!c.SubnetId) throw ec2Error("MissingParameter", "SubnetConfigurations entries need a SubnetId");
          if (!c.Ipv4) throw ec2Error("InvalidParameter", `You must provide an IPv4 address for subnet ${c.SubnetId}: the endpoint supports IPv4.`);
          if (!isIpv4(c.Ipv4)) throw ec2Error("InvalidParameterValue", `Invalid IPv4 address: ${c.Ipv4}`);
        }
        // A subnet named only in a configuration joins the endpoint's subnets.
        const subnetIds = [...new Set([...(i.SubnetIds ?? []), ...configs.map((c) => c.SubnetId!)])];
        if (subnetIds.length === 0) throw ec2Error("InvalidParameter", "An interface endpoint needs at least one subnet.");
        const subnets = subnetIds.map((id) => subnetOf(aws, id));
        const zones = new Set<string>();
        for (const s of subnets) {
          if (s.VpcId !== i.VpcId) throw ec2Error("InvalidParameter", `The subnet ${s.SubnetId} does not belong to ${i.VpcId}`);
          if (!svc.AvailabilityZones?.includes(s.AvailabilityZone!)) {
            throw ec2Error(
              "InvalidParameter",
              `The VPC endpoint service ${svc.ServiceName} does not support the availability zone of the subnet: ${s.SubnetId}.`,
            );
          }
          if (zones.has(s.AvailabilityZone!)) {
            throw ec2Error(
              "DuplicateSubnetsInSameZone",
              `Found another VPC endpoint subnet in the availability zone of ${s.SubnetId}. VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service.`,
            );
          }
          zones.add(s.AvailabilityZone!);
        }
        const groups = i.SecurityGroupIds?.length
          ? i.SecurityGroupIds
          : [aws.ec2.securityGroups.find((g) => g.VpcId === i.VpcId && g.GroupName === "default")!.GroupId!];
        for (const g of groups) {
          const sg = aws.ec2.securityGroups.find((x) => x.GroupId === g);
          if (!sg) throw ec2Error("InvalidGroup.NotFound", `The security group '${g}' does not exist`);
          if (sg.VpcId !== i.VpcId) throw ec2Error("InvalidParameter", `Security group ${g} and VPC ${i.VpcId} belong to different networks.`);
        }
        // Check every pinned address before creating any interface, so a failure leaves nothing behind.
        for (const c of configs) {
          const s = subnets.find((x) => x.SubnetId === c.SubnetId)!;
          if (!cidrContains(parseCidr4(s.CidrBlock!) as Cidr4, c.Ipv4!)) {
            throw ec2Error("InvalidParameterValue", `The IPv4 address ${c.Ipv4} is not within the CIDR block ${s.CidrBlock} of subnet ${s.SubnetId}.`);
          }
          if (isReservedInSubnet(s.CidrBlock!, c.Ipv4!))
            throw ec2Error("InvalidParameterValue", `The IPv4 address ${c.Ipv4} is reserved in subnet ${s.SubnetId}.`);
          if (usedIps(aws, s.SubnetId!).has(c.Ipv4!)) throw ec2Error("InvalidIPAddress.InUse", `Address ${c.Ipv4} is in use.`);
        }

        const id = aws.ids.next("vpce");
        const created = subnets.map((s) =>
          addEni(aws, {
            subnetId: s.SubnetId!,
            ...(configs.find((c) => c.SubnetId === s.SubnetId)?.Ipv4 ? { ip: configs.find((c) => c.SubnetId === s.SubnetId)!.Ipv4! } : {}),
            interfaceType: "vpc_endpoint",
            description: `VPC Endpoint Interface ${id}`,
            requesterManaged: true,
            groups,
          }),
        );
        const suffix = seqHex(aws, "vpce-dns", 8);
        const base = `${id}-${suffix}.${svc.ServiceId}.${aws.region}.vpce.amazonaws.com`;
        const ep: FakeEndpoint = {
          VpcEndpointId: id,
          VpcEndpointType: "Interface",
          VpcId: i.VpcId,
          ServiceName: svc.ServiceName,
          State: svc.AcceptanceRequired ? "pendingAcceptance" : "pending",
          SubnetIds: subnetIds,
          Groups: groups.map((g) => ({ GroupId: g, GroupName: aws.ec2.securityGroups.find((x) => x.GroupId === g)?.GroupName })),
          IpAddressType: "ipv4",
          DnsOptions: { DnsRecordIpType: "ipv4" },
          PrivateDnsEnabled: false,
          RequesterManaged: false,
          NetworkInterfaceIds: created.map((e) => e.NetworkInterfaceId!),
          DnsEntries: [
            { DnsName: base, HostedZoneId: "Z2E726K9Y6RL4W" },
            ...subnets.map((s) => ({
              DnsName: `${id}-${suffix}-${s.AvailabilityZone}.${svc.ServiceId}.${aws.region}.vpce.amazonaws.com`,
              HostedZoneId: "Z2E726K9Y6RL4W",
            })),
          ],
          CreationTimestamp: new Date(aws.clock.now()),
          Tags: tagsFrom(i.TagSpecifications, "vpc-endpoint"),
          OwnerId: aws.account,
          serviceId: svc.ServiceId!,
          eniIds: created.map((e) => e.NetworkInterfaceId!),
          transitions: [],
        };
        if (!svc.AcceptanceRequired) later(aws, ep, aws.timings.vpceAvailableMs!, () => (ep.State = "available"));
        st.endpoints.push(ep);
        return { VpcEndpoint: strip(ep) };
      },
    ),
  );

  ec2.on(DescribeVpcEndpointsCommand).callsFake(
    h("DescribeVpcEndpoints", (i: { VpcEndpointIds?: string[]; Filters?: [] }) => {
      for (const id of i.VpcEndpointIds ?? []) {
        if (!st.endpoints.some((e) => e.VpcEndpointId === id && e.State !== "deleted")) {
          throw ec2Error("InvalidVpcEndpointId.NotFound", `The Vpc Endpoint Id '${id}' does not exist`);
        }
      }
      return {
        VpcEndpoints: st.endpoints
          .filter(
            (e) =>
              e.State !== "deleted" &&
              (!i.VpcEndpointIds || i.VpcEndpointIds.includes(e.VpcEndpointId!)) &&
              matchesFilters(e, i.Filters, {
                "vpc-id": (x) => x.VpcId,
                "service-name": (x) => x.ServiceName,
                "vpc-endpoint-id": (x) => x.VpcEndpointId,
                "vpc-endpoint-state": (x) => x.State,
                "vpc-endpoint-type": (x) => x.VpcEndpointType,
              }),
          )
          .map(strip),
      };
    }),
  );

  ec2.on(DeleteVpcEndpointsCommand).callsFake(
    h("DeleteVpcEndpoints", (i: { VpcEndpointIds: string[] }) => {
      const unsuccessful: Array<{ ResourceId: string; Error: { Code: string; Message: string } }> = [];
      for (const id of i.VpcEndpointIds ?? []) {
        const ep = st.endpoints.find((e) => e.VpcEndpointId === id && e.State !== "deleted");
        if (!ep) {
          unsuccessful.push({ ResourceId: id, Error: { Code: "InvalidVpcEndpoint.NotFound", Message: `The Vpc Endpoint Id '${id}' does not exist` } });
          continue;
        }
        if (ep.State === "deleting") continue;
        ep.transitions = [];
        ep.State = "deleting";
        later(aws, ep, aws.timings.vpceDeleteMs!, () => {
          ep.State = "deleted";
          for (const eni of enis(aws)) if (ep.eniIds.includes(eni.NetworkInterfaceId!)) eni.deleted = true;
        });
      }
      return { Unsuccessful: unsuccessful };
    }),
  );

  // --- Network interfaces (read only: requester-managed ones cannot be changed) --------------------
  ec2.on(DescribeNetworkInterfacesCommand).callsFake(
    h("DescribeNetworkInterfaces", (i: { NetworkInterfaceIds?: string[]; Filters?: [] }) => {
      const all = allEnis(aws);
      for (const id of i.NetworkInterfaceIds ?? []) {
        if (!all.some((e) => e.NetworkInterfaceId === id)) {
          throw ec2Error("InvalidNetworkInterfaceID.NotFound", `The networkInterface ID '${id}' does not exist`);
        }
      }
      return {
        NetworkInterfaces: all
          .filter(
            (e) =>
              (!i.NetworkInterfaceIds || i.NetworkInterfaceIds.includes(e.NetworkInterfaceId!)) &&
              matchesFilters({ ...e, Tags: e.TagSet ?? [] }, i.Filters, {
                "vpc-id": (x) => x.VpcId,
                "subnet-id": (x) => x.SubnetId,
                "network-interface-id": (x) => x.NetworkInterfaceId,
                "interface-type": (x) => x.InterfaceType,
                description: (x) => x.Description,
                "private-ip-address": (x) => x.PrivateIpAddress,
                "addresses.private-ip-address": (x) => (x.PrivateIpAddresses ?? []).map((a) => a.PrivateIpAddress),
                "attachment.instance-id": (x) => x.Attachment?.InstanceId,
                "requester-managed": (x) => String(x.RequesterManaged ?? false),
                "group-id": (x) => (x.Groups ?? []).map((g) => g.GroupId),
              }),
          )
          .map(({ deleted: _d, ...rest }) => clone(rest)),
      };
    }),
  );

  // --- Security groups that a relay creates for its endpoints -----------------------------------
  ec2.on(CreateSecurityGroupCommand).callsFake(
    h("CreateSecurityGroup", (i: { GroupName: string; Description: string; VpcId?: string; TagSpecifications?: [] }) => {
      if (!i.GroupName || !i.Description) throw ec2Error("MissingParameter", "The request must contain the parameters GroupName and GroupDescription");
      if (/^sg-/i.test(i.GroupName)) throw ec2Error("InvalidParameterValue", "Group names may not be in the format sg-*");
      if (i.GroupName.length > 255 || i.Description.length > 255)
        throw ec2Error("InvalidParameterValue", "Group name and description are limited to 255 characters");
      if (!aws.ec2.vpcs.some((v) => v.VpcId === i.VpcId)) throw ec2Error("InvalidVpcID.NotFound", `The vpc ID '${i.VpcId}' does not exist`);
      if (aws.ec2.securityGroups.some((g) => g.VpcId === i.VpcId && g.GroupName === i.GroupName)) {
        throw ec2Error("InvalidGroup.Duplicate", `The security group '${i.GroupName}' already exists for VPC '${i.VpcId}'`);
      }
      const sg: SecurityGroup = {
        GroupId: aws.ids.next("sg"),
        GroupName: i.GroupName,
        Description: i.Description,
        VpcId: i.VpcId,
        OwnerId: aws.account,
        IpPermissions: [],
        IpPermissionsEgress: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
        Tags: tagsFrom(i.TagSpecifications, "security-group"),
      };
      aws.ec2.securityGroups.push(sg);
      return { GroupId: sg.GroupId, Tags: clone(sg.Tags) };
    }),
  );

  ec2.on(DeleteSecurityGroupCommand).callsFake(
    h("DeleteSecurityGroup", (i: { GroupId: string }) => {
      const n = aws.ec2.securityGroups.findIndex((g) => g.GroupId === i.GroupId);
      if (n < 0) throw ec2Error("InvalidGroup.NotFound", `The security group '${i.GroupId}' does not exist`);
      const inUse = allEnis(aws).find((e) => e.Groups?.some((g) => g.GroupId === i.GroupId));
      if (inUse) throw ec2Error("DependencyViolation", `resource ${i.GroupId} has a dependent object (${inUse.NetworkInterfaceId})`);
      aws.ec2.securityGroups.splice(n, 1);
      // Its rules go with it (DescribeSecurityGroupRules no longer lists them).
      aws.ec2.sgRules = aws.ec2.sgRules.filter((r) => r.GroupId !== i.GroupId);
      return { Return: true, GroupId: i.GroupId };
    }),
  );
};
