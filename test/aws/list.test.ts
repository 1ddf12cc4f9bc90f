import { DescribeVirtualInterfacesCommand, DirectConnectClient } from "@aws-sdk/client-direct-connect";
import {
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  EC2ServiceException,
  paginateDescribeSubnets,
  paginateDescribeVpcs,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { listAll, tokenPaginator } from "../../src/aws/list.js";
import { AwsError, InterruptedError } from "../../src/core/errors.js";
import { testContext } from "../helpers/context.js";

const ec2 = mockClient(EC2Client);
const dx = mockClient(DirectConnectClient);
afterEach(() => {
  ec2.reset();
  dx.reset();
});

/** A Describe that serves `pages` pages of one VPC each, and records the inputs it saw. */
function servePages(pages: number) {
  const seen: Array<Record<string, unknown>> = [];
  ec2.on(DescribeVpcsCommand).callsFake((input: { NextToken?: string }) => {
    seen.push({ ...input });
    const n = input.NextToken ? Number(input.NextToken.slice(1)) : 0;
    return { Vpcs: [{ VpcId: `vpc-${String(n).padStart(8, "0")}` }], ...(n + 1 < pages ? { NextToken: `t${n + 1}` } : {}) };
  });
  return seen;
}

describe("listAll", () => {
  it("follows every page, past the 50 the hand-written loop used to stop at", async () => {
    servePages(120);
    const vpcs = await listAll(testContext(), "ec2", paginateDescribeVpcs, {}, (o) => o.Vpcs);
    expect(vpcs).toHaveLength(120);
    expect(vpcs.at(-1)?.VpcId).toBe("vpc-00000119");
  });

  it("sends the Filters with every page and the token of the page before", async () => {
    const seen: Array<Record<string, unknown>> = [];
    ec2.on(DescribeSubnetsCommand).callsFake((input) => {
      seen.push({ ...input });
      return input.NextToken ? { Subnets: [{ SubnetId: "subnet-2" }] } : { Subnets: [{ SubnetId: "subnet-1" }], NextToken: "next" };
    });
    const filters = [{ Name: "vpc-id", Values: ["vpc-0123abcd"] }];
    const subnets = await listAll(testContext(), "ec2", paginateDescribeSubnets, { Filters: filters }, (o) => o.Subnets);
    expect(subnets.map((s) => s.SubnetId)).toEqual(["subnet-1", "subnet-2"]);
    expect(seen.map((i) => [i.Filters, i.NextToken])).toEqual([
      [filters, undefined],
      [filters, "next"],
    ]);
  });

  it("stops when an endpoint hands back the same token again (some emulators do)", async () => {
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: "vpc-00000001" }], NextToken: "same" });
    const vpcs = await listAll(testContext(), "ec2", paginateDescribeVpcs, {}, (o) => o.Vpcs);
    expect(vpcs).toHaveLength(2);
    expect(ec2.commandCalls(DescribeVpcsCommand)).toHaveLength(2);
  });

  it("logs each page under --verbose, as send does", async () => {
    servePages(3);
    const ctx = testContext();
    await listAll(ctx, "ec2", paginateDescribeVpcs, {}, (o) => o.Vpcs);
    expect(ctx.io.lines.filter((l) => l.startsWith("debug:"))).toEqual(["debug: EC2 DescribeVpcs", "debug: EC2 DescribeVpcs", "debug: EC2 DescribeVpcs"]);
  });

  it("turns a failure on any page into an AwsError that names the service and operation", async () => {
    let calls = 0;
    ec2.on(DescribeVpcsCommand).callsFake(() => {
      calls += 1;
      if (calls === 1) return { Vpcs: [], NextToken: "t1" };
      throw new EC2ServiceException({
        name: "UnauthorizedOperation",
        $fault: "client",
        $metadata: { httpStatusCode: 403, requestId: "req-1" },
        message: "You are not authorized to perform this operation.",
      });
    });
    const error = await listAll(testContext(), "ec2", paginateDescribeVpcs, {}, (o) => o.Vpcs).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).details).toMatchObject({ service: "EC2", operation: "DescribeVpcs", code: "UnauthorizedOperation", requestId: "req-1" });
  });

  it("Ctrl-C during a read is an interruption, not an AWS error", async () => {
    const abort = new AbortController();
    ec2.on(DescribeVpcsCommand).callsFake(() => {
      abort.abort();
      throw new Error("aborted");
    });
    const error = await listAll(testContext({ signal: abort.signal }), "ec2", paginateDescribeVpcs, {}, (o) => o.Vpcs).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as Error).message).toBe("Interrupted while waiting for EC2 DescribeVpcs.");
  });
});

describe("tokenPaginator (Direct Connect ships no paginators)", () => {
  it("asks without a token first, then with each nextToken until there is none", async () => {
    const seen: Array<Record<string, unknown>> = [];
    dx.on(DescribeVirtualInterfacesCommand).callsFake((input) => {
      seen.push({ ...input });
      const n = input.nextToken ? Number(input.nextToken) : 0;
      return { virtualInterfaces: [{ virtualInterfaceId: `dxvif-0000000${n}` }], ...(n < 2 ? { nextToken: String(n + 1) } : {}) };
    });
    const paginate = tokenPaginator(DescribeVirtualInterfacesCommand, "nextToken");
    const vifs = await listAll(testContext(), "dx", paginate, {}, (o) => o.virtualInterfaces);
    expect(vifs.map((v) => v.virtualInterfaceId)).toEqual(["dxvif-00000000", "dxvif-00000001", "dxvif-00000002"]);
    expect(seen).toEqual([{}, { nextToken: "1" }, { nextToken: "2" }]);
  });

  it("stops on a repeated token", async () => {
    dx.on(DescribeVirtualInterfacesCommand).resolves({ virtualInterfaces: [], nextToken: "again" });
    await listAll(testContext(), "dx", tokenPaginator(DescribeVirtualInterfacesCommand, "nextToken"), {}, (o) => o.virtualInterfaces);
    expect(dx.commandCalls(DescribeVirtualInterfacesCommand)).toHaveLength(2);
  });
});
