/** `decideTeardown` is pure: hand-made facts of a one-direction stack, no fake AWS. */
import { describe, expect, it } from "vitest";
import { decideTeardown, type TeardownFacts } from "../../src/privatelink/lifecycle/destroy-plan.js";
import type { DirectionParts } from "../../src/privatelink/lifecycle/parts.js";

const LB_ARN = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/net/r-in/0123456789abcdef";
const TG_ARN = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/r-in-80/0123456789abcdef";

const inbound = (): DirectionParts => ({
  direction: "inbound",
  nlbs: [{ LoadBalancerArn: LB_ARN, LoadBalancerName: "r-in", VpcId: "vpc-0aaaaaaaaaaaaaaaa", State: { Code: "active" } }],
  listeners: [{ ListenerArn: `${LB_ARN}/l1`, LoadBalancerArn: LB_ARN, Protocol: "TCP", Port: 80 }],
  targetGroups: [{ tg: { TargetGroupArn: TG_ARN, TargetGroupName: "r-in-80", Port: 80, LoadBalancerArns: [LB_ARN], VpcId: "vpc-0aaaaaaaaaaaaaaaa" } }],
  services: [{ ServiceId: "vpce-svc-0c000000000000001", ServiceState: "Available", NetworkLoadBalancerArns: [LB_ARN] }],
  endpoints: [{ VpcEndpointId: "vpce-0e000000000000001", VpcId: "vpc-0bbbbbbbbbbbbbbbb" }],
  securityGroups: [{ GroupId: "sg-0d000000000000001", GroupName: "vpcwire-r-vpce-in", VpcId: "vpc-0bbbbbbbbbbbbbbbb" }],
});
const facts = (extra: Partial<TeardownFacts> = {}): TeardownFacts => ({
  parts: { stack: "r", directions: [inbound()], rules: [] },
  foreignServices: [],
  groupUsers: [],
  connections: new Map([["vpce-svc-0c000000000000001", { others: [] }]]),
  ...extra,
});

describe("decideTeardown", () => {
  it("deletes in dependency order and keeps the VPCs", () => {
    const { steps, warnings } = decideTeardown(facts());
    expect(steps.map((s) => `${s.action} ${s.id}`)).toEqual([
      "delete vpce-delete:vpce-0e000000000000001",
      "delete svc-delete:vpce-svc-0c000000000000001",
      "delete listener-delete:r-in:TCP:80",
      "delete nlb-delete:r-in",
      "delete tg-delete:r-in-80",
      "delete sg-delete:sg-0d000000000000001",
      "no-op keep:vpc-0aaaaaaaaaaaaaaaa",
      "no-op keep:vpc-0bbbbbbbbbbbbbbbb",
    ]);
    expect(steps.find((s) => s.type === "privatelink-sg-delete")!.dependsOn).toEqual([
      "vpce-delete:vpce-0e000000000000001",
      "svc-delete:vpce-svc-0c000000000000001",
      "listener-delete:r-in:TCP:80",
      "nlb-delete:r-in",
      "tg-delete:r-in-80",
    ]);
    expect(warnings).toEqual([]);
  });

  it("connections that could not be listed: a warning that says what to do, and the delete does not list them", () => {
    const { steps, warnings } = decideTeardown(facts({ connections: new Map([["vpce-svc-0c000000000000001", { unlisted: "EC2 ... InvalidAction" }]]) }));
    expect(steps.find((s) => s.type === "privatelink-service-delete")!.params.listConnections).toBe(false);
    expect(warnings).toEqual([expect.stringContaining("The connections to vpce-svc-0c000000000000001 could not be listed (EC2 ... InvalidAction)")]);
    expect(warnings[0]).toContain("aws ec2 reject-vpc-endpoint-connections --service-id vpce-svc-0c000000000000001");
  });

  it("someone else's service on the stack's load balancer keeps it, its listeners and target groups", () => {
    const theirs = { ServiceId: "vpce-svc-0f000000000000009", ServiceName: "theirs", NetworkLoadBalancerArns: [LB_ARN] };
    const { steps, warnings } = decideTeardown(facts({ foreignServices: [theirs] }));
    expect(steps.filter((s) => s.action === "delete").map((s) => s.type)).toEqual([
      "privatelink-endpoint-delete",
      "privatelink-service-delete",
      "privatelink-sg-delete",
    ]);
    expect(warnings.join("\n")).toContain("r-in was created by this stack but is kept with its listeners and target groups");
  });
});
