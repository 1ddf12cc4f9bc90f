/** `decideRelay` is pure: these cases drive it with hand-made facts, no fake AWS. */
import type { NetworkInterface, VpcEndpoint } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import type { SubnetInfo } from "../../src/aws/vpc.js";
import { decideRelay, relayLayout } from "../../src/privatelink/decide.js";
import { type RelayFlags, validateRelayFlags } from "../../src/privatelink/inputs.js";
import type { DirectionRead, RelayFacts } from "../../src/privatelink/observe.js";

const TARGET_VPC = "vpc-0aaaaaaaaaaaaaaaa";
const RELAY_VPC = "vpc-0bbbbbbbbbbbbbbbb";
const subnet = (id: string, vpcId: string, az: string, cidr: string): SubnetInfo => ({ id, vpcId, az, cidr });
const T1 = subnet("subnet-0a000000000000001", TARGET_VPC, "ap-northeast-1a", "192.168.0.0/24");
const T2 = subnet("subnet-0a000000000000002", TARGET_VPC, "ap-northeast-1c", "192.168.1.0/24");
const R1 = subnet("subnet-0b000000000000001", RELAY_VPC, "ap-northeast-1a", "172.16.0.0/24");
const R2 = subnet("subnet-0b000000000000002", RELAY_VPC, "ap-northeast-1c", "172.16.1.0/24");
const NAT = subnet("subnet-0b000000000000009", RELAY_VPC, "ap-northeast-1a", "172.16.9.0/24");

const ACCOUNT = "123456789012";
const LB_ARN = `arn:aws:elasticloadbalancing:ap-northeast-1:${ACCOUNT}:loadbalancer/net/r-in/0123456789abcdef`;
const TG_ARN = `arn:aws:elasticloadbalancing:ap-northeast-1:${ACCOUNT}:targetgroup/r-in-80/0123456789abcdef`;
const LISTENER_ARN = `arn:aws:elasticloadbalancing:ap-northeast-1:${ACCOUNT}:listener/net/r-in/0123456789abcdef/0123456789abcdef`;
const SERVICE_NAME = "com.amazonaws.vpce.ap-northeast-1.vpce-svc-0c000000000000001";

/** Endpoint states arrive lowerCamel on the wire although the SDK's type says PascalCase. */
const wire = (state: string) => state as VpcEndpoint["State"];

const where = { region: "ap-northeast-1", offline: false };
const flags = (extra: Partial<RelayFlags> = {}): RelayFlags => ({
  stack: "r",
  targetVpcId: TARGET_VPC,
  targetSubnets: [T1.id, T2.id],
  relayVpcId: RELAY_VPC,
  relaySubnets: [R1.id, R2.id],
  targetIp: "192.168.0.10",
  ports: ["80"],
  allowFrom: ["10.0.0.0/8"],
  ...extra,
});
const input = (extra: Partial<RelayFlags> = {}) => validateRelayFlags(flags(extra), { cwd: "/" });
const nothing = (): DirectionRead => ({ targetGroups: [], allowedPrincipals: [] });
const fresh = (extra: Partial<RelayFacts> = {}): RelayFacts => ({
  read: true,
  targetVpcCidrs: ["192.168.0.0/16"],
  relayVpcCidrs: ["172.16.0.0/16"],
  targetSubnets: [T1, T2],
  relaySubnets: [R1, R2],
  targetVpcSubnets: [T1, T2],
  relayIpHolders: [],
  inbound: nothing(),
  outbound: nothing(),
  ...extra,
});

/** What a first run of `r` (inbound, port 80, relay IP 172.16.0.10 on the endpoint) left in the account. */
function built(change: Partial<DirectionRead> = {}): DirectionRead {
  return {
    loadBalancer: {
      lb: {
        LoadBalancerArn: LB_ARN,
        LoadBalancerName: "r-in",
        Type: "network",
        Scheme: "internal",
        VpcId: TARGET_VPC,
        State: { Code: "active" },
        DNSName: "r-in-0123.elb.ap-northeast-1.amazonaws.com",
        AvailabilityZones: [
          { SubnetId: T1.id, ZoneName: T1.az, LoadBalancerAddresses: [{ PrivateIPv4Address: "192.168.0.200" }] },
          { SubnetId: T2.id, ZoneName: T2.az, LoadBalancerAddresses: [{ PrivateIPv4Address: "192.168.1.200" }] },
        ],
      },
      stackTag: "r",
      crossZone: true,
      listeners: [{ Port: 80, Protocol: "TCP", ListenerArn: LISTENER_ARN, DefaultActions: [{ Type: "forward", TargetGroupArn: TG_ARN }] }],
    },
    targetGroups: [
      {
        port: 80,
        tg: { TargetGroupArn: TG_ARN, TargetGroupName: "r-in-80", TargetType: "ip", Protocol: "TCP", VpcId: TARGET_VPC, Port: 80 },
        stackTag: "r",
        registered: [{ Id: "192.168.0.10", Port: 80 }],
      },
    ],
    service: {
      ServiceId: "vpce-svc-0c000000000000001",
      ServiceName: SERVICE_NAME,
      ServiceState: "Available",
      AvailabilityZones: [T1.az, T2.az],
      Tags: [{ Key: "vpcwire:stack", Value: "r" }],
    },
    allowedPrincipals: [`arn:aws:iam::${ACCOUNT}:root`],
    securityGroup: { GroupId: "sg-0d000000000000001", IpPermissions: [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "10.0.0.0/8" }] }] },
    endpoint: {
      endpoint: {
        VpcEndpointId: "vpce-0e000000000000001",
        ServiceName: SERVICE_NAME,
        State: wire("available"),
        NetworkInterfaceIds: ["eni-0f000000000000001"],
      },
      addresses: [{ eniId: "eni-0f000000000000001", ip: "172.16.0.10", subnetId: R1.id, az: R1.az }],
    },
    ...change,
  };
}
/** The stack's own endpoint interface holds the relay IP (a re-run). */
const ownHolder: NetworkInterface[] = [{ NetworkInterfaceId: "eni-0f000000000000001", InterfaceType: "vpc_endpoint" }];

const actions = (i = input({ relayIp: "172.16.0.10" }), facts = fresh()) => decideRelay(i, facts, where).steps.map((s) => `${s.action} ${s.id}`);

describe("decideRelay", () => {
  it("an empty account: every resource of both directions is created, then the health checks are waited for", () => {
    const plan = decideRelay(input({ relayIp: "172.16.0.10", onpremIp: "10.200.0.10", onpremPorts: ["22"] }), fresh(), where);
    expect(plan.steps.map((s) => `${s.action} ${s.id}`)).toEqual([
      "create nlb-inbound",
      "create tg-inbound-80",
      "create listener-inbound-80",
      "create svc-inbound",
      "create perm-inbound",
      "create sg-inbound",
      "create vpce-inbound",
      "reuse health-inbound",
      "create nlb-outbound",
      "create tg-outbound-22",
      "create listener-outbound-22",
      "create svc-outbound",
      "create perm-outbound",
      "create sg-outbound",
      "create vpce-outbound",
      "reuse health-outbound",
    ]);
    const step = (id: string) => plan.steps.find((s) => s.id === id)!;
    // The outbound NLB waits for the inbound endpoint to hold the relay IP.
    expect(step("nlb-outbound").dependsOn).toEqual(["vpce-inbound"]);
    expect(step("vpce-inbound").params.subnetConfigurations).toEqual([{ SubnetId: R1.id, Ipv4: "172.16.0.10" }]);
    expect(step("tg-outbound-22").params.target).toEqual({ ip: "10.200.0.10", port: 22, availabilityZone: "all" });
    // The outbound endpoint lets the target VPC in; the health wait knows where the checks come from.
    expect(step("sg-outbound").params.rules).toEqual([{ port: 22, cidr: "192.168.0.0/16" }]);
    expect(step("health-outbound")).toMatchObject({
      type: "target-health",
      dependsOn: ["listener-outbound-22"],
      params: { destinationIp: "10.200.0.10", sourceCidrs: [R1.cidr, R2.cidr], targetGroups: [{ port: 22, name: "r-out-22", step: "tg-outbound-22" }] },
    });
    expect(plan.warnings).toContain(
      "The inbound endpoint sits only in ap-northeast-1a (the zone of 172.16.0.10); if that zone fails, on-prem loses the relay address until it recovers.",
    );
  });

  it("a re-run over what the first one built changes nothing; unchanged steps carry what later steps and finish need", () => {
    const plan = decideRelay(input({ relayIp: "172.16.0.10" }), fresh({ inbound: built(), relayIpHolders: ownHolder }), where);
    expect(plan.steps.map((s) => `${s.action} ${s.id}`)).toEqual([
      "no-op nlb-inbound",
      "no-op tg-inbound-80",
      "no-op listener-inbound-80",
      "no-op svc-inbound",
      "no-op perm-inbound",
      "no-op sg-inbound",
      "no-op vpce-inbound",
      "reuse health-inbound",
    ]);
    const step = (id: string) => plan.steps.find((s) => s.id === id)!;
    expect(step("nlb-inbound").resourceId).toBe(LB_ARN);
    expect(step("tg-inbound-80").resourceId).toBe(TG_ARN);
    expect(step("vpce-inbound").params.serviceName).toBe(SERVICE_NAME);
    expect(plan.warnings).toEqual([
      "The inbound endpoint sits only in ap-northeast-1a (the zone of 172.16.0.10); if that zone fails, on-prem loses the relay address until it recovers.",
    ]);
  });

  it("turns cross-zone load balancing back on, re-registers a changed target and repoints a listener", () => {
    const b = built();
    b.loadBalancer!.crossZone = false;
    b.targetGroups[0]!.registered = [{ Id: "192.168.0.11", Port: 80, AvailabilityZone: "ap-northeast-1a" }];
    b.loadBalancer!.listeners[0]!.DefaultActions = [{ Type: "forward", TargetGroupArn: "arn:other" }];
    const plan = decideRelay(input({ relayIp: "172.16.0.10" }), fresh({ inbound: b, relayIpHolders: ownHolder }), where);
    const step = (id: string) => plan.steps.find((s) => s.id === id)!;
    expect(step("nlb-inbound")).toMatchObject({ action: "update", summary: "inbound: network load balancer r-in: turn cross-zone load balancing on" });
    expect(step("tg-inbound-80")).toMatchObject({
      action: "update",
      summary: "inbound: target group r-in-80: register 192.168.0.10:80, deregister 192.168.0.11:80",
      params: { register: true, deregister: [{ id: "192.168.0.11", port: 80, availabilityZone: "ap-northeast-1a" }] },
    });
    expect(step("listener-inbound-80")).toMatchObject({ action: "update", resourceId: LISTENER_ARN });
  });

  it("waits for what is still coming up (reuse) and adds a missing permission and rule", () => {
    const b = built();
    b.loadBalancer!.lb.State = { Code: "provisioning" };
    b.service!.ServiceState = "Pending";
    b.allowedPrincipals = [];
    b.securityGroup!.IpPermissions = [];
    b.endpoint!.endpoint.State = wire("pending");
    const plan = decideRelay(input({ relayIp: "172.16.0.10" }), fresh({ inbound: b, relayIpHolders: ownHolder }), where);
    expect(plan.steps.map((s) => `${s.action} ${s.id}`)).toEqual([
      "reuse nlb-inbound",
      "no-op tg-inbound-80",
      "no-op listener-inbound-80",
      "reuse svc-inbound",
      "create perm-inbound",
      "update sg-inbound",
      "reuse vpce-inbound",
      "reuse health-inbound",
    ]);
    expect(plan.steps.find((s) => s.id === "perm-inbound")!.params.principal).toBe(`arn:aws:iam::${ACCOUNT}:root`);
  });

  it("a load balancer of another stack, or of the wrong shape, stops the plan naming --stack", () => {
    const theirs = built();
    theirs.loadBalancer!.stackTag = "other";
    expect(() => actions(undefined, fresh({ inbound: theirs }))).toThrow(
      "--stack: a load balancer named r-in already exists and is part of stack other; pick another --stack",
    );
    const wrong = built();
    wrong.loadBalancer!.lb.Scheme = "internet-facing";
    expect(() => actions(undefined, fresh({ inbound: wrong }))).toThrow("--stack: the load balancer r-in of stack r is internet-facing, not internal");
  });

  it("the relay IP: taken by someone, reserved, outside the relay VPC, or in a zone the NLB does not serve", () => {
    const someone = [{ NetworkInterfaceId: "eni-0123", Attachment: { InstanceId: "i-0123" } }];
    expect(() => actions(input({ relayIp: "172.16.0.10" }), fresh({ relayIpHolders: someone }))).toThrow(
      "--relay-ip: 172.16.0.10 is already used by eni-0123 (i-0123)",
    );
    expect(() => actions(input({ relayIp: "172.16.0.2" }))).toThrow("--relay-ip: 172.16.0.2 is one of the five addresses AWS reserves");
    expect(() => actions(input({ relayIp: "10.9.9.9" }))).toThrow(`--relay-ip: 10.9.9.9 is outside ${RELAY_VPC}`);
    expect(() => actions(input({ relayIp: "172.16.1.10", targetSubnets: [T1.id] }), fresh({ targetSubnets: [T1] }))).toThrow(
      `--relay-ip: 172.16.1.10 is in ${R2.id} (ap-northeast-1c), but the inbound load balancer has no subnet in ap-northeast-1c`,
    );
    expect(() => actions(input({ relayIp: "172.16.9.10", nat: "none" }))).toThrow("--relay-ip: 172.16.9.10 is in none of the relay subnets");
  });

  it("a relay IP outside the relay subnets goes on a NAT server: its address is let in, nftables rules by default", () => {
    const i = input({ relayIp: "172.16.9.10" });
    const facts = fresh({
      relaySubnets: [R1, R2],
      targetVpcSubnets: [T1, T2, NAT],
      relayIpHolders: [{ NetworkInterfaceId: "eni-0nat", Attachment: { InstanceId: "i-0nat" }, AvailabilityZone: NAT.az, InterfaceType: "interface" }],
    });
    const layout = relayLayout(i, facts);
    expect(layout.nat).toBe("nftables");
    expect(layout.inbound).toMatchObject({ mode: "nat", natServer: { eniId: "eni-0nat", instanceId: "i-0nat", az: NAT.az } });
    const plan = decideRelay(i, facts, where);
    const step = (id: string) => plan.steps.find((s) => s.id === id)!;
    expect(step("vpce-inbound").params.subnetIds).toEqual([R1.id, R2.id]);
    expect(step("vpce-inbound").params.subnetConfigurations).toBeUndefined();
    expect(step("sg-inbound").params.rules).toEqual([
      { port: 80, cidr: "10.0.0.0/8" },
      { port: 80, cidr: "172.16.9.10/32" },
    ]);
  });

  it("the target: an instance in another VPC is refused; an address outside the VPC is registered for every zone", () => {
    const other = { InstanceId: "i-0123456789abcdef0", VpcId: "vpc-0ccccccccccccccc0", PrivateIpAddress: "10.1.0.5" };
    expect(() => actions(input({ targetIp: undefined, targetInstance: "i-0123456789abcdef0" }), fresh({ targetInstance: other }))).toThrow(
      `--target-instance: i-0123456789abcdef0 is in vpc-0ccccccccccccccc0, not in --target-vpc-id ${TARGET_VPC}`,
    );
    const plan = decideRelay(input({ targetIp: "10.50.0.5" }), fresh(), where);
    expect(plan.steps.find((s) => s.id === "tg-inbound-80")!.params.target).toEqual({ ip: "10.50.0.5", port: 80, availabilityZone: "all" });
    expect(plan.warnings.join("\n")).toContain(`The target 10.50.0.5 is outside ${TARGET_VPC}`);
    expect(() => actions(input({ targetSubnets: [T2.id] }), fresh({ targetSubnets: [T2] }))).toThrow(
      "--target-subnets: the target 192.168.0.10 is in ap-northeast-1a",
    );
  });

  it("subnets without a shared zone, and an on-prem host inside the relay VPC, are refused", () => {
    expect(() => actions(input(), fresh({ targetSubnets: [T2], relaySubnets: [R1], targetVpcSubnets: [T1, T2] }))).toThrow(
      "--relay-subnets: no relay subnet shares an Availability Zone with the target subnets",
    );
    expect(() => actions(input({ onpremIp: "172.16.5.5", onpremPorts: ["22"] }))).toThrow("--onprem-ip: 172.16.5.5 is inside the relay VPC");
  });

  it("facts that were not read (offline): placeholders, the relay IP assumed on the endpoint, nothing checked", () => {
    const notRead: RelayFacts = {
      read: false,
      targetVpcCidrs: [],
      relayVpcCidrs: [],
      targetSubnets: [T1, T2].map((s) => ({ ...s, az: "", cidr: "" })),
      relaySubnets: [R1, R2].map((s) => ({ ...s, az: "", cidr: "" })),
    };
    const plan = decideRelay(input({ relayIp: "172.16.0.10", onpremIp: "10.200.0.10", onpremPorts: ["22"] }), notRead, { region: null, offline: true });
    expect(plan.offline).toBe(true);
    expect(plan.steps.filter((s) => s.action !== "create").map((s) => s.id)).toEqual(["health-inbound", "health-outbound"]);
    const step = (id: string) => plan.steps.find((s) => s.id === id)!;
    expect(step("vpce-inbound").params.subnetConfigurations).toEqual([{ SubnetId: "<relay subnet holding 172.16.0.10>", Ipv4: "172.16.0.10" }]);
    expect(step("sg-outbound").params.rules).toEqual([{ port: 22, cidr: "<target-vpc-cidr>" }]);
    expect(step("perm-inbound").summary).toBe("inbound: allow this account to connect to the endpoint service");
    expect(plan.warnings[0]).toBe("Offline: subnets, Availability Zones and addresses were not checked; ids in <...> are placeholders.");
    // --nat previews the NAT-server variant instead.
    expect(relayLayout(input({ relayIp: "172.16.0.10", nat: "iptables" }), notRead)).toMatchObject({ nat: "iptables", inbound: { mode: "nat" } });
  });
});
