/**
 * The fake account for `flets isatap` command tests: NTT East's Cloud Gateway setup from the seed
 * (a /24 VPC, an instance at 10.216.0.101, a VGW for NTT's Direct Connect VIFs).
 * Direct Connect interfaces come from the shared fake (test/fakes/dx.ts).
 */
import type { VirtualInterface } from "@aws-sdk/client-direct-connect";
import type { Instance } from "@aws-sdk/client-ec2";
import { FakeAws, installFakeAws } from "../fakes/aws.js";
import { dxState, seedHostedVif } from "../fakes/dx.js";
import { seedRouteTable, seedSecurityGroup, seedSubnet, seedVgw, seedVpc } from "../fakes/ec2.js";
import { ALL_SERVICES } from "../fakes/services.js";

export const SEED = { prefix: "2001:db8::/64", privateIp: "10.216.0.101", router: "192.168.103.254" } as const;

export interface FletsAccount {
  aws: FakeAws;
  vpcId: string;
  subnetId: string;
  /** The route table explicitly associated with the instance's subnet. */
  rtbId: string;
  mainRtbId: string;
  sgId: string;
  vgwId: string;
  instanceId: string;
}

/** Install the fake with the seed's account: VPC, subnet with its own route table, a security group, an attached VGW, one Linux instance. */
export function fletsAccount(opts: { vgw?: boolean } = {}): FletsAccount {
  const aws = installFakeAws(new FakeAws(), ALL_SERVICES);
  const vpcId = seedVpc(aws, { cidr: "10.216.0.0/24", name: "cloudgw" }).VpcId!;
  const mainRtbId = aws.ec2.routeTables.find((t) => t.VpcId === vpcId)!.RouteTableId!;
  const rtbId = seedRouteTable(aws, vpcId, "isatap").RouteTableId!;
  const subnetId = seedSubnet(aws, vpcId, "10.216.0.0/24", "ap-northeast-1a", { name: "isatap", routeTableId: rtbId }).SubnetId!;
  const sgId = seedSecurityGroup(aws, vpcId, "isatap-host").GroupId!;
  const vgwId = opts.vgw === false ? "" : seedVgw(aws, { attachTo: vpcId }).VpnGatewayId!;
  const instanceId = "i-0123456789abcdef0";
  seedInstance(aws, { InstanceId: instanceId, VpcId: vpcId, SubnetId: subnetId, groups: [sgId] });
  return { aws, vpcId, subnetId, rtbId, mainRtbId, sgId, vgwId, instanceId };
}

/** An EC2 instance as DescribeInstances returns it, with one network interface. */
export function seedInstance(
  aws: FakeAws,
  o: { InstanceId: string; VpcId: string; SubnetId: string; groups: string[]; ip?: string; windows?: boolean; name?: string; extraIps?: string[] },
): Instance {
  const ip = o.ip ?? SEED.privateIp;
  const groups = o.groups.map((GroupId) => ({ GroupId, GroupName: aws.ec2.securityGroups.find((g) => g.GroupId === GroupId)?.GroupName }));
  const instance: Instance = {
    InstanceId: o.InstanceId,
    State: { Name: "running", Code: 16 },
    InstanceType: "t3.small",
    VpcId: o.VpcId,
    SubnetId: o.SubnetId,
    PrivateIpAddress: ip,
    // EC2 sends `windows` in lower case although the SDK's enum says `Windows`: seed what the wire carries.
    ...(o.windows ? { Platform: "windows" as Instance["Platform"], PlatformDetails: "Windows" } : { PlatformDetails: "Linux/UNIX" }),
    SecurityGroups: groups,
    SourceDestCheck: true,
    Tags: [{ Key: "Name", Value: o.name ?? "isatap-host" }],
    NetworkInterfaces: [
      {
        NetworkInterfaceId: `eni-${o.InstanceId.slice(2)}`,
        SubnetId: o.SubnetId,
        VpcId: o.VpcId,
        PrivateIpAddress: ip,
        PrivateIpAddresses: [ip, ...(o.extraIps ?? [])].map((a, n) => ({ PrivateIpAddress: a, Primary: n === 0 })),
        Groups: groups,
        Attachment: { DeviceIndex: 0, Status: "attached" },
      },
    ],
  };
  aws.ec2.instances.push(instance);
  return instance;
}

/** A hosted VIF from NTT East's account: `confirming` until accepted, then on a VGW. */
export function seedVif(aws: FakeAws, o: { state: "confirming" | "pending" | "down" | "available"; vgwId?: string; id?: string }): VirtualInterface {
  const n = dxState(aws).vifs.length + 1;
  const vif = seedHostedVif(aws, {
    state: o.state,
    name: "cloudgw",
    ...(o.vgwId ? { acceptedOnto: { virtualGatewayId: o.vgwId } } : {}),
  });
  vif.virtualInterfaceId = o.id ?? `dxvif-ffntt${n}`;
  return vif;
}
