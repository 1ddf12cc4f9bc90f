import { DescribeInstancesCommand, DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client, type Instance } from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { getInstance, getVpc, isLiveInstance, LIVE_INSTANCE_STATES, listInstances, listSubnets } from "../../src/aws/vpc.js";
import { UsageError } from "../../src/core/errors.js";
import { ec2Error } from "../fakes/model.js";
import { testContext } from "../helpers/context.js";

const ec2 = mockClient(EC2Client);
afterEach(() => ec2.reset());

const instance = (id: string, state: string, extra: Partial<Instance> = {}): Instance => ({ InstanceId: id, State: { Name: state as never }, ...extra });
const reply = (...instances: Instance[]) => ({ Reservations: [{ Instances: instances }] });

describe("getInstance: one check for every capability", () => {
  const id = "i-0123456789abcdef0";

  it.each(LIVE_INSTANCE_STATES)("returns an instance that is %s", async (state) => {
    ec2.on(DescribeInstancesCommand).resolves(reply(instance(id, state)));
    expect((await getInstance(testContext(), id, "--instance-id")).InstanceId).toBe(id);
  });

  it.each(["shutting-down", "terminated"])("refuses a %s instance, naming the caller's flag (exit 2)", async (state) => {
    ec2.on(DescribeInstancesCommand).resolves(reply(instance(id, state)));
    const error = await getInstance(testContext(), id, "--target-instance").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(`--target-instance: ${id} is ${state}`);
  });

  it("reports an unknown id (InvalidInstanceID.NotFound) and an empty reply the same way", async () => {
    ec2
      .on(DescribeInstancesCommand)
      .rejectsOnce(ec2Error("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`))
      .resolves({ Reservations: [] });
    for (let i = 0; i < 2; i++) {
      await expect(getInstance(testContext(), id, "--instance-id")).rejects.toThrow(`--instance-id: ${id} does not exist in this account and Region`);
    }
  });

  it("does not take another instance an emulator returns for the id", async () => {
    ec2.on(DescribeInstancesCommand).resolves(reply(instance("i-0fffffffffffffff0", "running")));
    await expect(getInstance(testContext(), id, "--instance-id")).rejects.toThrow(/does not exist/);
  });

  it("isLiveInstance follows the states list", () => {
    expect(isLiveInstance(instance(id, "stopped"))).toBe(true);
    expect(isLiveInstance(instance(id, "terminated"))).toBe(false);
    expect(isLiveInstance({})).toBe(false);
  });
});

describe("listInstances", () => {
  it("asks for live instances of the VPC, and checks both on its side when the endpoint ignores Filters", async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolves(
        reply(
          instance("i-00000001", "running", { VpcId: "vpc-0a" }),
          instance("i-00000002", "terminated", { VpcId: "vpc-0a" }),
          instance("i-00000003", "running", { VpcId: "vpc-0b" }),
        ),
      );
    const found = await listInstances(testContext(), "vpc-0a");
    expect(found.map((i) => i.InstanceId)).toEqual(["i-00000001"]);
    expect(ec2.commandCalls(DescribeInstancesCommand)[0]!.args[0].input.Filters).toEqual([
      { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped"] },
      { Name: "vpc-id", Values: ["vpc-0a"] },
    ]);
  });

  it("without a VPC lists the Region's live instances", async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolves(reply(instance("i-00000001", "running", { VpcId: "vpc-0a" }), instance("i-00000003", "stopped", { VpcId: "vpc-0b" })));
    expect((await listInstances(testContext())).map((i) => i.InstanceId)).toEqual(["i-00000001", "i-00000003"]);
    expect(ec2.commandCalls(DescribeInstancesCommand)[0]!.args[0].input.Filters).toHaveLength(1);
  });
});

describe("VPCs and subnets", () => {
  it("getVpc returns the associated IPv4 CIDRs, and falls back to CidrBlock", async () => {
    ec2.on(DescribeVpcsCommand).resolvesOnce({
      Vpcs: [
        {
          VpcId: "vpc-0a",
          CidrBlock: "10.0.0.0/16",
          CidrBlockAssociationSet: [
            { CidrBlock: "10.0.0.0/16", CidrBlockState: { State: "associated" } },
            { CidrBlock: "10.1.0.0/16", CidrBlockState: { State: "disassociated" } },
            { CidrBlock: "10.2.0.0/16" },
          ],
        },
      ],
    });
    expect((await getVpc(testContext(), "vpc-0a")).cidrs).toEqual(["10.0.0.0/16", "10.2.0.0/16"]);
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: "vpc-0a", CidrBlock: "10.9.0.0/16" }] });
    expect((await getVpc(testContext(), "vpc-0a")).cidrs).toEqual(["10.9.0.0/16"]);
  });

  it("getVpc names the caller's flag when the VPC does not exist", async () => {
    ec2.on(DescribeVpcsCommand).rejects(ec2Error("InvalidVpcID.NotFound", "The vpc ID 'vpc-0a' does not exist"));
    await expect(getVpc(testContext(), "vpc-0a", "--relay-vpc-id")).rejects.toThrow("--relay-vpc-id: vpc-0a does not exist in this account and Region");
  });

  it("listSubnets keeps the VPC's subnets only, ordered by zone then CIDR, with their names", async () => {
    ec2.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        { SubnetId: "subnet-3", VpcId: "vpc-0a", AvailabilityZone: "ap-northeast-1c", CidrBlock: "10.0.0.0/24" },
        { SubnetId: "subnet-2", VpcId: "vpc-0a", AvailabilityZone: "ap-northeast-1a", CidrBlock: "10.0.2.0/24", Tags: [{ Key: "Name", Value: "b" }] },
        { SubnetId: "subnet-1", VpcId: "vpc-0a", AvailabilityZone: "ap-northeast-1a", CidrBlock: "10.0.1.0/24", AvailabilityZoneId: "apne1-az4" },
        { SubnetId: "subnet-9", VpcId: "vpc-0b", AvailabilityZone: "ap-northeast-1a", CidrBlock: "10.9.0.0/24" },
      ],
    });
    expect(await listSubnets(testContext(), "vpc-0a")).toEqual([
      { id: "subnet-1", vpcId: "vpc-0a", az: "ap-northeast-1a", azId: "apne1-az4", cidr: "10.0.1.0/24" },
      { id: "subnet-2", vpcId: "vpc-0a", az: "ap-northeast-1a", cidr: "10.0.2.0/24", name: "b" },
      { id: "subnet-3", vpcId: "vpc-0a", az: "ap-northeast-1c", cidr: "10.0.0.0/24" },
    ]);
  });
});
