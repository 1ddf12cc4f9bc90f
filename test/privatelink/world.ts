/** The seed's network in the fake account: the existing VPC (192.168.0.0/16) and the relay VPC (172.16.0.0/16). */
import type { Instance } from "@aws-sdk/client-ec2";
import { FakeAws, installFakeAws } from "../fakes/aws.js";
import { seedSubnet, seedVpc } from "../fakes/ec2.js";
import { ALL_SERVICES } from "../fakes/services.js";

export interface World {
  aws: FakeAws;
  targetVpc: string;
  relayVpc: string;
  /** 192.168.0.0/24 (a), 192.168.1.0/24 (c). */
  targetSubnets: [string, string];
  /** 172.16.0.0/24 (a), 172.16.1.0/24 (c). */
  relaySubnets: [string, string];
  /** 172.16.9.0/24 (a): where a NAT server lives, not a relay subnet. */
  natSubnet: string;
  /** The existing EC2 at 192.168.0.10. */
  instance: Instance;
}

export function seedWorld(): World {
  const aws = installFakeAws(new FakeAws(), ALL_SERVICES);
  const target = seedVpc(aws, { cidr: "192.168.0.0/16", name: "vpc-test02" });
  const relay = seedVpc(aws, { cidr: "172.16.0.0/16", name: "vpc-test03" });
  const t1 = seedSubnet(aws, target.VpcId!, "192.168.0.0/24", "ap-northeast-1a", { name: "existing-a" });
  const t2 = seedSubnet(aws, target.VpcId!, "192.168.1.0/24", "ap-northeast-1c", { name: "existing-c" });
  const r1 = seedSubnet(aws, relay.VpcId!, "172.16.0.0/24", "ap-northeast-1a", { name: "relay-a" });
  const r2 = seedSubnet(aws, relay.VpcId!, "172.16.1.0/24", "ap-northeast-1c", { name: "relay-c" });
  const nat = seedSubnet(aws, relay.VpcId!, "172.16.9.0/24", "ap-northeast-1a", { name: "nat" });
  const instance: Instance = {
    InstanceId: aws.ids.next("i"),
    PrivateIpAddress: "192.168.0.10",
    SubnetId: t1.SubnetId,
    VpcId: target.VpcId,
    Placement: { AvailabilityZone: "ap-northeast-1a" },
    State: { Name: "running", Code: 16 },
    Tags: [{ Key: "Name", Value: "ec2-test01" }],
  };
  aws.ec2.instances.push(instance);
  return {
    aws,
    targetVpc: target.VpcId!,
    relayVpc: relay.VpcId!,
    targetSubnets: [t1.SubnetId!, t2.SubnetId!],
    relaySubnets: [r1.SubnetId!, r2.SubnetId!],
    natSubnet: nat.SubnetId!,
    instance,
  };
}

/** The flags every relay run needs: both VPCs and both subnet lists. */
export function vpcFlags(w: World, opts: { targetSubnets?: string[]; relaySubnets?: string[] } = {}): string[] {
  return [
    "--target-vpc-id",
    w.targetVpc,
    "--target-subnets",
    (opts.targetSubnets ?? w.targetSubnets).join(","),
    "--relay-vpc-id",
    w.relayVpc,
    "--relay-subnets",
    (opts.relaySubnets ?? w.relaySubnets).join(","),
  ];
}
