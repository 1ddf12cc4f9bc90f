/**
 * The fake ELBv2 and PrivateLink services must fail where AWS fails, or the command tests prove
 * nothing: API defaults (application/internet-facing, instance targets, Gateway endpoints), the
 * IP-target rules, zones, acceptance and the lowerCamel endpoint states.
 */
import {
  AcceptVpcEndpointConnectionsCommand,
  CreateVpcEndpointCommand,
  CreateVpcEndpointServiceConfigurationCommand,
  DeleteVpcEndpointServiceConfigurationsCommand,
  DeleteVpcEndpointsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeVpcEndpointConnectionsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  ModifyVpcEndpointServicePermissionsCommand,
} from "@aws-sdk/client-ec2";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { awsCode, isNotFound } from "../../src/aws/errors.js";
import { uninstallFakeAws } from "../fakes/aws.js";
import { failHealthChecks } from "../fakes/elbv2.js";
import { seedWorld, type World } from "./world.js";

let w: World;
const elb = new ElasticLoadBalancingV2Client({ region: "ap-northeast-1" });
const ec2 = new EC2Client({ region: "ap-northeast-1" });

beforeEach(() => {
  w = seedWorld();
});
afterEach(() => uninstallFakeAws());

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (error) {
    return awsCode(error);
  }
}

const nlb = (name = "t-in", subnets = [w.targetSubnets[0]]) =>
  elb.send(new CreateLoadBalancerCommand({ Name: name, Type: "network", Scheme: "internal", Subnets: subnets, Tags: [{ Key: "k", Value: "v" }] }));
const tg = (vpcId: string, name = "t-in-80") =>
  elb.send(new CreateTargetGroupCommand({ Name: name, Protocol: "TCP", Port: 80, VpcId: vpcId, TargetType: "ip" }));

/** NLB (active) -> target group -> listener -> endpoint service (allowed) in the target VPC. */
async function service(acceptanceRequired: boolean) {
  const lb = (await nlb()).LoadBalancers![0]!;
  w.aws.clock.advance(w.aws.timings.nlbActiveMs!);
  const svc = (
    await ec2.send(new CreateVpcEndpointServiceConfigurationCommand({ NetworkLoadBalancerArns: [lb.LoadBalancerArn!], AcceptanceRequired: acceptanceRequired }))
  ).ServiceConfiguration!;
  await ec2.send(new ModifyVpcEndpointServicePermissionsCommand({ ServiceId: svc.ServiceId!, AddAllowedPrincipals: [`arn:aws:iam::${w.aws.account}:root`] }));
  w.aws.clock.advance(w.aws.timings.vpceServiceAvailableMs!);
  return { lb, svc };
}

describe("fake ELBv2", () => {
  it("CreateLoadBalancer without Type/Scheme is an internet-facing ALB, which the model cannot place", async () => {
    expect(await codeOf(elb.send(new CreateLoadBalancerCommand({ Name: "x", Subnets: [w.targetSubnets[0]] })))).toBe("InvalidConfigurationRequest");
    expect(await codeOf(elb.send(new CreateLoadBalancerCommand({ Name: "x", Subnets: w.targetSubnets })))).toBe("InvalidSubnet");
    expect(await codeOf(elb.send(new CreateLoadBalancerCommand({ Name: "x", Type: "network", Subnets: w.targetSubnets })))).toBe("InvalidSubnet");
  });

  it("an NLB goes provisioning -> active and has a private address per subnet", async () => {
    const lb = (await nlb("t-in", w.targetSubnets)).LoadBalancers![0]!;
    expect(lb.State?.Code).toBe("provisioning");
    expect(lb.AvailabilityZones?.map((z) => z.LoadBalancerAddresses?.[0]?.PrivateIPv4Address)).toEqual(["192.168.0.128", "192.168.1.128"]);
    w.aws.clock.advance(w.aws.timings.nlbActiveMs!);
    expect((await elb.send(new DescribeLoadBalancersCommand({ Names: ["t-in"] }))).LoadBalancers![0]!.State?.Code).toBe("active");
    const enis = (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "interface-type", Values: ["network_load_balancer"] }] })))
      .NetworkInterfaces!;
    expect(enis.map((e) => e.PrivateIpAddress)).toEqual(["192.168.0.128", "192.168.1.128"]);
  });

  it("names: 32 characters, no internal- prefix; the same create twice returns the same LB, a different one clashes", async () => {
    expect(await codeOf(nlb("x".repeat(33)))).toBe("ValidationError");
    expect(await codeOf(nlb("internal-x"))).toBe("ValidationError");
    const a = (await nlb()).LoadBalancers![0]!;
    expect((await nlb()).LoadBalancers![0]!.LoadBalancerArn).toBe(a.LoadBalancerArn);
    expect(await codeOf(nlb("t-in", w.targetSubnets))).toBe("DuplicateLoadBalancerName");
  });

  it("two subnets in one zone are refused", async () => {
    const { seedSubnet } = await import("../fakes/ec2.js");
    const extra = seedSubnet(w.aws, w.targetVpc, "192.168.2.0/24", "ap-northeast-1a");
    expect(await codeOf(nlb("t-in", [w.targetSubnets[0], extra.SubnetId!]))).toBe("InvalidConfigurationRequest");
  });

  it("Describe by unknown name is LoadBalancerNotFound (a *NotFound the CLI treats as absent)", async () => {
    let error: unknown;
    try {
      await elb.send(new DescribeLoadBalancersCommand({ Names: ["nope"] }));
    } catch (e) {
      error = e;
    }
    expect((error as Error).name).toBe("LoadBalancerNotFoundException");
    expect(awsCode(error)).toBe("LoadBalancerNotFound");
    expect(isNotFound(error)).toBe(true);
  });

  it("IP targets: a target group without TargetType takes instances; outside the VPC needs a zone and a private address", async () => {
    const inst = (await elb.send(new CreateTargetGroupCommand({ Name: "inst", Protocol: "TCP", Port: 80, VpcId: w.relayVpc }))).TargetGroups![0]!;
    expect(await codeOf(elb.send(new RegisterTargetsCommand({ TargetGroupArn: inst.TargetGroupArn!, Targets: [{ Id: "10.200.0.10" }] })))).toBe(
      "InvalidTarget",
    );
    const ip = (await tg(w.relayVpc)).TargetGroups![0]!;
    const reg = (Id: string, AvailabilityZone?: string) =>
      codeOf(
        elb.send(
          new RegisterTargetsCommand({ TargetGroupArn: ip.TargetGroupArn!, Targets: [{ Id, Port: 80, ...(AvailabilityZone ? { AvailabilityZone } : {}) }] }),
        ),
      );
    expect(await reg("10.200.0.10")).toBe("ValidationError");
    expect(await reg("203.0.113.10", "all")).toBe("InvalidTarget");
    expect(await reg("8.8.8.8", "all")).toBe("InvalidTarget");
    expect(await reg("10.200.0.10", "all")).toBeUndefined();
    expect(await reg("100.64.1.1", "all")).toBeUndefined();
    // Inside the VPC the zone is detected; a wrong one is refused.
    expect(await reg("172.16.0.20", "ap-northeast-1c")).toBe("InvalidTarget");
    expect(await reg("172.16.0.20")).toBeUndefined();
  });

  it("target health: unused without a listener, initial, then healthy or the knob's verdict", async () => {
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: "t-out", Type: "network", Scheme: "internal", Subnets: [w.relaySubnets[0]] })))
      .LoadBalancers![0]!;
    const group = (await tg(w.relayVpc, "t-out-80")).TargetGroups![0]!;
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: group.TargetGroupArn!,
        Targets: [
          { Id: "10.200.0.10", Port: 80, AvailabilityZone: "all" },
          { Id: "10.200.0.11", Port: 80, AvailabilityZone: "all" },
        ],
      }),
    );
    const health = async () =>
      (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn! }))).TargetHealthDescriptions!.map((t) => [
        t.TargetHealth?.State,
        t.TargetHealth?.Reason,
      ]);
    expect(await health()).toEqual([
      ["unused", "Target.NotInUse"],
      ["unused", "Target.NotInUse"],
    ]);
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn!,
        Protocol: "TCP",
        Port: 80,
        DefaultActions: [{ Type: "forward", TargetGroupArn: group.TargetGroupArn! }],
      }),
    );
    expect((await health())[0]).toEqual(["initial", "Elb.RegistrationInProgress"]);
    w.aws.clock.advance(w.aws.timings.nlbActiveMs!);
    expect((await health())[0]).toEqual(["initial", "Elb.InitialHealthChecking"]);
    failHealthChecks(w.aws, "10.200.0.11");
    w.aws.clock.advance(w.aws.timings.targetHealthMs!);
    expect(await health()).toEqual([
      ["healthy", undefined],
      ["unhealthy", "Target.Timeout"],
    ]);
  });

  it("listeners: TCP only on an NLB, same VPC target group, one load balancer per target group", async () => {
    const lb = (await nlb()).LoadBalancers![0]!;
    const other = (await tg(w.relayVpc, "other-vpc")).TargetGroups![0]!;
    const forward = (arn: string) => [{ Type: "forward" as const, TargetGroupArn: arn }];
    expect(
      await codeOf(
        elb.send(
          new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn!, Protocol: "HTTP", Port: 80, DefaultActions: forward(other.TargetGroupArn!) }),
        ),
      ),
    ).toBe("IncompatibleProtocols");
    expect(
      await codeOf(
        elb.send(
          new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn!, Protocol: "TCP", Port: 80, DefaultActions: forward(other.TargetGroupArn!) }),
        ),
      ),
    ).toBe("InvalidConfigurationRequest");
    const mine = (await tg(w.targetVpc)).TargetGroups![0]!;
    await elb.send(
      new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn!, Protocol: "TCP", Port: 80, DefaultActions: forward(mine.TargetGroupArn!) }),
    );
    expect(
      await codeOf(
        elb.send(
          new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn!, Protocol: "TCP", Port: 80, DefaultActions: forward(other.TargetGroupArn!) }),
        ),
      ),
    ).toBe("DuplicateListener");
    const lb2 = (await nlb("t-in-2")).LoadBalancers![0]!;
    expect(
      await codeOf(
        elb.send(
          new CreateListenerCommand({ LoadBalancerArn: lb2.LoadBalancerArn!, Protocol: "TCP", Port: 80, DefaultActions: forward(mine.TargetGroupArn!) }),
        ),
      ),
    ).toBe("TargetGroupAssociationLimit");
    expect(await codeOf(elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: mine.TargetGroupArn! })))).toBe("ResourceInUse");
  });

  it("tags are set at creation and read with DescribeTags (20 ARNs at most)", async () => {
    const lb = (await nlb()).LoadBalancers![0]!;
    const out = await elb.send(new DescribeTagsCommand({ ResourceArns: [lb.LoadBalancerArn!] }));
    expect(out.TagDescriptions).toEqual([{ ResourceArn: lb.LoadBalancerArn, Tags: [{ Key: "k", Value: "v" }] }]);
    expect(await codeOf(elb.send(new DescribeTagsCommand({ ResourceArns: Array.from({ length: 21 }, () => lb.LoadBalancerArn!) })))).toBe("ValidationError");
  });
});

describe("fake PrivateLink", () => {
  it("endpoint services: PascalCase ServiceState Pending -> Available, zones of the NLB, one service per NLB", async () => {
    const lb = (await nlb()).LoadBalancers![0]!;
    const svc = (await ec2.send(new CreateVpcEndpointServiceConfigurationCommand({ NetworkLoadBalancerArns: [lb.LoadBalancerArn!] }))).ServiceConfiguration!;
    expect(svc.ServiceState).toBe("Pending");
    expect(svc.AvailabilityZones).toEqual(["ap-northeast-1a"]);
    expect(svc.AcceptanceRequired).toBe(true);
    expect(svc.ServiceName).toBe(`com.amazonaws.vpce.ap-northeast-1.${svc.ServiceId}`);
    expect(await codeOf(ec2.send(new CreateVpcEndpointServiceConfigurationCommand({ NetworkLoadBalancerArns: [lb.LoadBalancerArn!] })))).toBe(
      "InvalidParameter",
    );
    expect(await codeOf(elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn! })))).toBe("ResourceInUse");
  });

  it("CreateVpcEndpoint without a type is a Gateway endpoint, which takes no subnets", async () => {
    const { svc } = await service(false);
    expect(await codeOf(ec2.send(new CreateVpcEndpointCommand({ VpcId: w.relayVpc, ServiceName: svc.ServiceName!, SubnetIds: [w.relaySubnets[0]] })))).toBe(
      "InvalidParameter",
    );
  });

  it("a service the account is not allowed to use looks like a service that does not exist", async () => {
    const lb = (await nlb()).LoadBalancers![0]!;
    const svc = (await ec2.send(new CreateVpcEndpointServiceConfigurationCommand({ NetworkLoadBalancerArns: [lb.LoadBalancerArn!] }))).ServiceConfiguration!;
    w.aws.clock.advance(10_000);
    expect(
      await codeOf(
        ec2.send(
          new CreateVpcEndpointCommand({ VpcEndpointType: "Interface", VpcId: w.relayVpc, ServiceName: svc.ServiceName!, SubnetIds: [w.relaySubnets[0]] }),
        ),
      ),
    ).toBe("InvalidServiceName");
  });

  it("endpoints only in the service's zones, one subnet per zone", async () => {
    const { svc } = await service(false);
    const create = (SubnetIds: string[]) =>
      codeOf(ec2.send(new CreateVpcEndpointCommand({ VpcEndpointType: "Interface", VpcId: w.relayVpc, ServiceName: svc.ServiceName!, SubnetIds })));
    expect(await create([w.relaySubnets[1]])).toBe("InvalidParameter");
    expect(await create([w.relaySubnets[0], w.natSubnet])).toBe("DuplicateSubnetsInSameZone");
  });

  it("SubnetConfigurations pin the interface address; it must be in the subnet, not reserved, and free", async () => {
    const { svc } = await service(false);
    const create = (Ipv4: string) =>
      ec2.send(
        new CreateVpcEndpointCommand({
          VpcEndpointType: "Interface",
          VpcId: w.relayVpc,
          ServiceName: svc.ServiceName!,
          SubnetIds: [w.relaySubnets[0]],
          SubnetConfigurations: [{ SubnetId: w.relaySubnets[0], Ipv4 }],
        }),
      );
    expect(await codeOf(create("172.16.1.10"))).toBe("InvalidParameterValue");
    expect(await codeOf(create("172.16.0.1"))).toBe("InvalidParameterValue");
    const ep = (await create("172.16.0.10")).VpcEndpoint!;
    const enis = (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ep.NetworkInterfaceIds }))).NetworkInterfaces!;
    expect(enis.map((e) => [e.PrivateIpAddress, e.InterfaceType, e.RequesterManaged])).toEqual([["172.16.0.10", "vpc_endpoint", true]]);
    expect(await codeOf(create("172.16.0.10"))).toBe("InvalidIPAddress.InUse");
  });

  it("acceptance: pendingAcceptance (lowerCamel on the wire) -> accepted -> pending -> available; filters use lowerCamel too", async () => {
    const { svc } = await service(true);
    const ep = (
      await ec2.send(
        new CreateVpcEndpointCommand({ VpcEndpointType: "Interface", VpcId: w.relayVpc, ServiceName: svc.ServiceName!, SubnetIds: [w.relaySubnets[0]] }),
      )
    ).VpcEndpoint!;
    expect(ep.State).toBe("pendingAcceptance");
    const pending = await ec2.send(
      new DescribeVpcEndpointConnectionsCommand({
        Filters: [
          { Name: "service-id", Values: [svc.ServiceId!] },
          { Name: "vpc-endpoint-state", Values: ["pendingAcceptance"] },
        ],
      }),
    );
    expect(pending.VpcEndpointConnections?.map((c) => c.VpcEndpointId)).toEqual([ep.VpcEndpointId]);
    const accepted = await ec2.send(
      new AcceptVpcEndpointConnectionsCommand({ ServiceId: svc.ServiceId!, VpcEndpointIds: [ep.VpcEndpointId!, "vpce-0000000000000dead"] }),
    );
    expect(accepted.Unsuccessful?.map((u) => u.ResourceId)).toEqual(["vpce-0000000000000dead"]);
    const state = async () => (await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [ep.VpcEndpointId!] }))).VpcEndpoints![0]!.State;
    expect(await state()).toBe("pending");
    w.aws.clock.advance(w.aws.timings.vpceAvailableMs!);
    expect(await state()).toBe("available");
    // The service cannot go while an endpoint uses it; deleting the endpoint frees its address.
    const del = await ec2.send(new DeleteVpcEndpointServiceConfigurationsCommand({ ServiceIds: [svc.ServiceId!] }));
    expect(del.Unsuccessful?.[0]?.Error?.Code).toBe("ExistingVpcEndpointConnections");
    await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [ep.VpcEndpointId!] }));
    expect(await state()).toBe("deleting");
    w.aws.clock.advance(w.aws.timings.vpceDeleteMs!);
    expect(await codeOf(state())).toBe("InvalidVpcEndpointId.NotFound");
    expect(
      (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "interface-type", Values: ["vpc_endpoint"] }] }))).NetworkInterfaces,
    ).toEqual([]);
  });
});
