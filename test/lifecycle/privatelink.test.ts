import { CreateVpcEndpointCommand, EC2Client } from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeAws, uninstallFakeAws } from "../fakes/aws.js";
import { seedSecurityGroup } from "../fakes/ec2.js";
import { endpointsState, enis, seedEni } from "../fakes/ec2-endpoints.js";
import { elbState, failHealthChecks } from "../fakes/elbv2.js";
import { ec2Error } from "../fakes/model.js";
import { runCli } from "../helpers/cli.js";
import { seedWorld, vpcFlags, type World } from "../privatelink/world.js";

let w: World;
let aws: FakeAws;

beforeEach(() => {
  w = seedWorld();
  aws = w.aws;
});
afterEach(() => uninstallFakeAws());

const STACK = "seed-relay";
const inbound = (relayIp = "172.16.0.10") => ["--target-ip", "192.168.0.10", "--ports", "80,443", "--relay-ip", relayIp];
const outbound = () => ["--onprem-ip", "10.200.0.10", "--onprem-ports", "80"];
const relay = (...args: string[]) => runCli(["privatelink", "relay", "--stack", STACK, ...args, ...vpcFlags(w), "--yes"], { aws });
const both = () => relay(...inbound(), ...outbound());

const live = {
  lbs: () => elbState(aws).loadBalancers.filter((l) => !l.deleted),
  tgs: () => elbState(aws).targetGroups.filter((t) => !t.deleted),
  listeners: () => elbState(aws).listeners.filter((l) => !l.deleted),
  services: () => endpointsState(aws).services.filter((s) => s.ServiceState !== "Deleted"),
  endpoints: () => endpointsState(aws).endpoints.filter((e) => e.State !== "deleted"),
  stackGroups: () => aws.ec2.securityGroups.filter((g) => g.Tags?.some((t) => t.Key === "vpcwire:stack" && t.Value === STACK)),
};
const writesSince = (n: number) =>
  aws.calls
    .slice(n)
    .map((c) => c.operation)
    .filter((op) => !/^(Describe|Get|List)/.test(op));
/** Nothing of the stack is left in the model. */
const expectAllGone = () => {
  expect(live.lbs()).toEqual([]);
  expect(live.tgs()).toEqual([]);
  expect(live.listeners()).toEqual([]);
  expect(live.services()).toEqual([]);
  expect(live.endpoints()).toEqual([]);
  expect(live.stackGroups()).toEqual([]);
};
/** The reused world is untouched: both VPCs, their subnets, the existing EC2. */
const expectWorldIntact = () => {
  expect(aws.ec2.vpcs.map((v) => v.VpcId)).toEqual(expect.arrayContaining([w.targetVpc, w.relayVpc]));
  expect(aws.ec2.subnets.map((s) => s.SubnetId)).toEqual(expect.arrayContaining([...w.targetSubnets, ...w.relaySubnets, w.natSubnet]));
  expect(aws.ec2.instances.find((i) => i.InstanceId === w.instance.InstanceId)!.State?.Name).toBe("running");
};

describe("list", () => {
  it("shows the privatelink stack next to a VPN stack, with its kind, what it holds and its state", async () => {
    // The relay VPC is the one on-prem reaches over the VPN.
    const vpn = await runCli(
      ["vpn", "create", "--stack", "office", "--vpc-id", w.relayVpc, "--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.0.0.0/8", "--yes"],
      { aws },
    );
    expect(vpn.code).toBe(0);
    expect((await both()).code).toBe(0);

    const r = await runCli(["list"], { aws });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines.find((l) => l.startsWith("office"))).toMatch(/^office\s+vpn\s+available\s/);
    const row = lines.find((l) => l.startsWith(STACK))!;
    expect(row).toMatch(/^seed-relay\s+privatelink\s+available\s+/);
    for (const id of [
      "seed-relay-in",
      "seed-relay-in:TCP:80",
      "seed-relay-in:TCP:443",
      "seed-relay-in-80",
      "seed-relay-in-443",
      "seed-relay-out",
      "seed-relay-out-80",
    ]) {
      expect(row).toContain(`${id},`);
    }
    expect(row.match(/vpce-svc-\w+/g)).toHaveLength(2);
    expect(row.match(/vpce-(?!svc)\w+/g)).toHaveLength(2);
    expect(row.match(/sg-\w+/g)).toHaveLength(2);
    // The VPCs were there before: shown as reused.
    expect(row).toContain(`${w.targetVpc} (reused)`);
    expect(row).toContain(`${w.relayVpc} (reused)`);

    const doc = JSON.parse((await runCli(["list", "--json"], { aws })).stdout);
    expect(doc.stacks.map((s: { stack: string; kind: string }) => `${s.stack}:${s.kind}`)).toEqual(["office:vpn", `${STACK}:privatelink`]);
    const pl = doc.stacks.find((s: { kind: string }) => s.kind === "privatelink");
    expect(pl.state).toBe("available");
    const types = pl.resources.map((r: { type: string }) => r.type);
    expect(new Set(types)).toEqual(
      new Set(["network load balancer", "listener", "target group", "endpoint service", "interface endpoint", "security group", "VPC"]),
    );
    expect(pl.resources.find((r: { id: string }) => r.id === "seed-relay-out-80").detail).toContain("10.200.0.10:80 healthy");
    expect(
      pl.resources
        .filter((r: { owned: boolean }) => !r.owned)
        .map((r: { id: string }) => r.id)
        .sort(),
    ).toEqual([w.targetVpc, w.relayVpc].sort());
  });

  it("a half-finished relay is listed as partial; an unhealthy target as unhealthy", async () => {
    aws.failNext("CreateVpcEndpoint", ec2Error("VpcEndpointLimitExceeded", "The maximum number of VPC endpoints has been reached."));
    expect((await relay(...inbound())).code).toBe(1);
    const partial = JSON.parse((await runCli(["list", "--json"], { aws })).stdout).stacks;
    expect(partial.map((s: { stack: string; state: string }) => `${s.stack}:${s.state}`)).toEqual([`${STACK}:partial`]);

    expect((await relay(...inbound())).code).toBe(0);
    failHealthChecks(aws, "192.168.0.10:443");
    expect((await runCli(["list"], { aws })).stdout).toMatch(/^seed-relay\s+privatelink\s+unhealthy\s/m);
  });

  it("a principal that may not read load balancers still gets a list, with a warning", async () => {
    expect((await both()).code).toBe(0);
    aws.failNext("DescribeLoadBalancers", ec2Error("AccessDenied", "User is not authorized to perform: elasticloadbalancing:DescribeLoadBalancers"));
    const r = await runCli(["list"], { aws });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("Could not read load balancers (AccessDenied");
    expect(r.stdout).toMatch(/^seed-relay\s+privatelink\s+partial\s+vpce-svc-/m);
  });

  it("finds a stack by its tags even when an emulator ignores Filters", async () => {
    expect((await both()).code).toBe(0);
    // Another kind's tagged group in the same account must not become part of the stack.
    const other = seedSecurityGroup(aws, w.relayVpc, "someone-else");
    other.Tags = [
      { Key: "vpcwire:stack", Value: STACK },
      { Key: "vpcwire:kind", Value: "vpn" },
    ];
    aws.beforeCall = (_op, input) => {
      delete input.Filters;
    };
    const doc = JSON.parse((await runCli(["list", "--json"], { aws })).stdout);
    const pl = doc.stacks.find((s: { kind: string }) => s.kind === "privatelink");
    expect(pl.resources.filter((r: { type: string }) => r.type === "security group")).toHaveLength(2);
    expect(pl.resources.map((r: { id: string }) => r.id)).not.toContain(other.GroupId);
  });
});

describe("status", () => {
  it("healthy: load balancers active, every target healthy, endpoints available, relay IP on the endpoint (exit 0)", async () => {
    expect((await both()).code).toBe(0);
    const r = await runCli(["status", "--stack", STACK], { aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Stack seed-relay (privatelink, ap-northeast-1): healthy");
    expect(r.stdout).toContain("Inbound (on-prem -> existing EC2 192.168.0.10, TCP 80,443)");
    expect(r.stdout).toContain("Outbound (existing EC2 -> on-prem 10.200.0.10, TCP 80)");
    expect(r.stdout).toMatch(
      /✔ load balancer seed-relay-in: active, internal in vpc-\w+, nodes 192\.168\.0\.\d+ \(ap-northeast-1a\), 192\.168\.1\.\d+ \(ap-northeast-1c\)/,
    );
    expect(r.stdout).toContain("✔ target 192.168.0.10:443 (seed-relay-in-443, listener TCP 443): healthy");
    expect(r.stdout).toContain("✔ target 10.200.0.10:80 (seed-relay-out-80, listener TCP 80): healthy");
    expect(r.stdout).toMatch(/✔ endpoint service vpce-svc-\w+: Available, com\.amazonaws\.vpce\.ap-northeast-1\.vpce-svc-\w+/);
    expect(r.stdout).toMatch(/✔ interface endpoint vpce-\w+: available; in vpc-\w+, addresses 172\.16\.0\.10 \(eni-\w+, ap-northeast-1a\)/);
    expect(r.stdout).toMatch(/✔ relay IP 172\.16\.0\.10 is on the endpoint's interface eni-\w+ \(ap-northeast-1a\): on-prem connects to it, no NAT server/);
    expect(r.stdout).toMatch(
      /· security group sg-\w+ \(vpcwire-seed-relay-vpce-in\) allows tcp 80,443 from 10\.0\.0\.0\/8, 172\.16\.0\.0\/12, 192\.168\.0\.0\/16, 100\.64\.0\.0\/10/,
    );
  });

  it("an unhealthy on-prem target is explained in words (exit 1), and --json carries state, reason and explanation", async () => {
    expect((await both()).code).toBe(0);
    failHealthChecks(aws, "10.200.0.10");
    const r = await runCli(["status", "--stack", STACK], { aws });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("something is down");
    expect(r.stdout).toContain(
      "✖ target 10.200.0.10:80 (seed-relay-out-80, listener TCP 80): unhealthy (Target.Timeout): the on-prem host 10.200.0.10 does not answer TCP 80 from the load balancer: " +
        "the on-prem firewall must allow TCP 80 from the relay subnets (172.16.0.0/24, 172.16.1.0/24)",
    );
    // The inbound direction is fine and says so.
    expect(r.stdout).toContain("✔ target 192.168.0.10:80 (seed-relay-in-80, listener TCP 80): healthy");

    const j = await runCli(["status", "--stack", STACK, "--json"], { aws });
    expect(j.code).toBe(1);
    const doc = JSON.parse(j.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, ok: true, stack: STACK, kind: "privatelink", healthy: false });
    expect(doc.inbound.healthy).toBe(true);
    expect(doc.outbound.healthy).toBe(false);
    expect(doc.outbound.loadBalancer).toMatchObject({ name: "seed-relay-out", state: "active", vpcId: w.relayVpc });
    expect(doc.outbound.targetGroups[0].targets[0]).toMatchObject({
      ip: "10.200.0.10",
      port: 80,
      availabilityZone: "all",
      state: "unhealthy",
      reason: "Target.Timeout",
      explanation: expect.stringContaining("the on-prem firewall must allow TCP 80 from the relay subnets"),
    });
    expect(doc.inbound.endpoint).toMatchObject({ state: "available", vpcId: w.relayVpc, addresses: [{ ip: "172.16.0.10", az: "ap-northeast-1a" }] });
    expect(doc.inbound.relay).toMatchObject({ mode: "endpoint", relayIp: "172.16.0.10" });
    expect(doc.outbound.endpoint.addresses).toHaveLength(2);
  });

  it("an inbound target refusing connections names its security group and the target subnets", async () => {
    expect((await relay(...inbound())).code).toBe(0);
    failHealthChecks(aws, "192.168.0.10:443", { State: "unhealthy", Reason: "Target.FailedHealthChecks", Description: "Health checks failed" });
    const r = await runCli(["status", "--stack", STACK], { aws });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "✖ target 192.168.0.10:443 (seed-relay-in-443, listener TCP 443): unhealthy (Target.FailedHealthChecks): 192.168.0.10 refuses or drops TCP 443 from the load balancer: " +
        "its security group and host firewall must allow TCP 443 from the target subnets (192.168.0.0/24, 192.168.1.0/24)",
    );
  });

  it("NAT server: says which interface holds the relay IP, and that nothing does once it is gone", async () => {
    const nat = seedEni(aws, w.natSubnet, "172.16.9.10", { description: "NAT server", instanceId: "i-0000000000000abcd" });
    expect((await relay(...inbound("172.16.9.10"))).code).toBe(0);
    const r = await runCli(["status", "--stack", STACK], { aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `✔ relay IP 172\\.16\\.9\\.10 is held by ${nat.NetworkInterfaceId} \\(i-0000000000000abcd\\), the NAT server: its rules must forward to 172\\.16\\.0\\.\\d+`,
      ),
    );
    nat.deleted = true;
    const gone = await runCli(["status", "--stack", STACK], { aws });
    expect(gone.code).toBe(1);
    expect(gone.stdout).toMatch(/✖ relay IP 172\.16\.9\.10: no interface in vpc-\w+ holds it: give it to the NAT server/);
  });

  it("without a relay IP, on-prem uses the endpoint's own addresses", async () => {
    expect(
      (await runCli(["privatelink", "relay", "--stack", STACK, "--target-ip", "192.168.0.10", "--ports", "80", ...vpcFlags(w), "--yes"], { aws })).code,
    ).toBe(0);
    const r = await runCli(["status", "--stack", STACK], { aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/· no relay IP recorded on the endpoint: on-prem connects to its addresses \(172\.16\.0\.\d+, 172\.16\.1\.\d+\) or vpce-/);
    expect(JSON.parse((await runCli(["status", "--stack", STACK, "--json"], { aws })).stdout).inbound.relay).toMatchObject({ mode: "direct", relayIp: null });
  });

  it("a half-finished relay says what is missing and how to finish it (exit 1)", async () => {
    aws.failNext("CreateVpcEndpoint", ec2Error("VpcEndpointLimitExceeded", "The maximum number of VPC endpoints has been reached."));
    expect((await relay(...inbound())).code).toBe(1);
    const r = await runCli(["status", "--stack", STACK], { aws });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "✖ no interface endpoint: run the same privatelink relay command again to finish it, or remove the stack (vpcwire destroy --stack seed-relay)",
    );
  });

  it("an endpoint waiting for acceptance is explained", async () => {
    aws.beforeCall = (op) => {
      if (op === "CreateVpcEndpoint") for (const s of endpointsState(aws).services) s.AcceptanceRequired = true;
    };
    aws.failNext("AcceptVpcEndpointConnections", ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));
    expect((await relay(...inbound())).code).toBe(1);
    aws.beforeCall = undefined;
    const r = await runCli(["status", "--stack", STACK], { aws });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /✖ interface endpoint vpce-\w+: pendingAcceptance: waiting for the endpoint service to accept it; run the same privatelink relay command again/,
    );
  });
});

describe("destroy", () => {
  it("removes what the stack created in dependency order: endpoints, services, listeners, load balancers, target groups, security groups last", async () => {
    expect((await both()).code).toBe(0);
    const before = aws.calls.length;
    const r = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const writes = writesSince(before);
    const first = (op: string) => writes.indexOf(op);
    const last = (op: string) => writes.lastIndexOf(op);
    const order = [
      "DeleteVpcEndpoints",
      "DeleteVpcEndpointServiceConfigurations",
      "DeleteListener",
      "DeleteLoadBalancer",
      "DeleteTargetGroup",
      "DeleteSecurityGroup",
    ];
    for (const op of order) expect(writes, op).toContain(op);
    for (let i = 0; i + 1 < order.length; i++) expect(last(order[i]!), `${order[i]} before ${order[i + 1]}`).toBeLessThan(first(order[i + 1]!));
    // Security groups go last of all.
    expect(writes.slice(first("DeleteSecurityGroup")).every((op) => op === "DeleteSecurityGroup")).toBe(true);
    expect(aws.count("DeleteVpcEndpoints")).toBe(2);
    expect(aws.count("DeleteListener")).toBe(3);
    expect(aws.count("DeleteLoadBalancer")).toBe(2);
    expect(aws.count("DeleteTargetGroup")).toBe(3);
    expect(aws.count("DeleteSecurityGroup")).toBe(2);
    // Nothing but the stack's own resources was written to.
    expect(new Set(writes)).toEqual(new Set(order));
    expectAllGone();
    expectWorldIntact();
    // Waited for the endpoints, services and load balancers to be gone, with progress.
    expect(r.stderr).toMatch(/interface endpoint vpce-\w+ deleting: deleting/);
    expect(r.stderr).toMatch(/Stack seed-relay removed: 14 resources deleted, kept vpc-\w+, vpc-\w+ \(not created by this stack\)\./);
    expect(JSON.parse((await runCli(["list", "--json"], { aws })).stdout).stacks).toEqual([]);
    // Running it again finds nothing to remove.
    const again = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("Nothing to remove: no resources tagged vpcwire:stack=seed-relay");
  });

  it("leaves what it reused: the VPCs, the existing EC2, a NAT server, a hand-made group, and a VPN stack in the same VPC", async () => {
    const vpn = await runCli(
      ["vpn", "create", "--stack", "office", "--vpc-id", w.relayVpc, "--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.0.0.0/8", "--yes"],
      { aws },
    );
    expect(vpn.code).toBe(0);
    const nat = seedEni(aws, w.natSubnet, "172.16.9.10", { description: "NAT server", instanceId: "i-0000000000000abcd" });
    const handMade = seedSecurityGroup(aws, w.relayVpc, "hand-made", [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.0.0/8" }] }]);
    expect((await relay(...inbound("172.16.9.10"), ...outbound())).code).toBe(0);

    const plan = await runCli(["destroy", "--stack", STACK, "--dry-run"], { aws });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`VPC ${w.targetVpc} kept: not created by this stack`);
    expect(plan.stdout).toContain(`VPC ${w.relayVpc} kept: not created by this stack`);
    expect(plan.stdout).toMatch(/- delete\s+inbound: interface endpoint vpce-\w+/);

    const r = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    expect(r.code).toBe(0);
    expectAllGone();
    expectWorldIntact();
    expect(enis(aws).find((e) => e.NetworkInterfaceId === nat.NetworkInterfaceId)!.deleted).toBeUndefined();
    expect(aws.ec2.securityGroups.find((g) => g.GroupId === handMade.GroupId)!.IpPermissions).toHaveLength(1);
    expect(aws.ec2.vpns[0]!.State).toBe("available");
    expect(aws.ec2.vgws[0]!.State).toBe("available");
    const doc = JSON.parse((await runCli(["list", "--json"], { aws })).stdout);
    expect(doc.stacks.map((s: { stack: string }) => s.stack)).toEqual(["office"]);
  });

  it("rejects the connection of an endpoint it did not create before deleting the service, and leaves that endpoint alone", async () => {
    expect((await relay(...inbound())).code).toBe(0);
    const service = live.services()[0]!;
    // Someone else connects an endpoint of their own to the relay's service.
    const theirs = await new EC2Client({ region: "ap-northeast-1" }).send(
      new CreateVpcEndpointCommand({ VpcEndpointType: "Interface", VpcId: w.relayVpc, ServiceName: service.ServiceName, SubnetIds: [w.relaySubnets[1]] }),
    );
    const theirId = theirs.VpcEndpoint!.VpcEndpointId!;
    const plan = await runCli(["destroy", "--stack", STACK, "--dry-run"], { aws });
    expect(plan.stdout).toContain(`${service.ServiceId} also serves endpoint ${theirId}`);
    const r = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    expect(r.code).toBe(0);
    expect(aws.calls.find((c) => c.operation === "RejectVpcEndpointConnections")!.input).toEqual({ ServiceId: service.ServiceId, VpcEndpointIds: [theirId] });
    expect(aws.calls.filter((c) => c.operation === "DeleteVpcEndpoints").flatMap((c) => c.input.VpcEndpointIds as string[])).not.toContain(theirId);
    expect(endpointsState(aws).endpoints.find((e) => e.VpcEndpointId === theirId)!.State).toBe("rejected");
    expect(live.services()).toEqual([]);
    expect(live.lbs()).toEqual([]);
  });

  it.each(["CreateListener", "CreateVpcEndpointServiceConfiguration", "CreateVpcEndpoint"])("cleans up after a relay that failed at %s", async (op) => {
    aws.failNext(op, ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));
    const first = await both();
    expect(first.code).toBe(1);
    expect(first.stderr).toContain(`${op} failed: UnauthorizedOperation`);
    expect(live.tgs().length).toBeGreaterThan(0);
    const r = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expectAllGone();
    expectWorldIntact();
  });

  it("an endpoint that cannot list endpoint connections (some emulators): warns and still removes everything", async () => {
    expect((await both()).code).toBe(0);
    const unsupported = ec2Error("InvalidAction", "The action DescribeVpcEndpointConnections is not valid for this web service.");
    aws.failNext("DescribeVpcEndpointConnections", unsupported, 10);
    const r = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /The connections to vpce-svc-\w+ could not be listed \(EC2 DescribeVpcEndpointConnections failed: InvalidAction: .*\); endpoints of other accounts on it are neither shown nor rejected/,
    );
    // Asked once per service while planning; the deletes do not ask again.
    expect(aws.count("DescribeVpcEndpointConnections")).toBe(2);
    expectAllGone();
    expectWorldIntact();
  });

  it("retries dependency errors, and a second run finishes what a failed one left", async () => {
    expect((await both()).code).toBe(0);
    aws.failNext("DeleteLoadBalancer", ec2Error("ResourceInUse", "Load balancer is currently associated with another service"), 2);
    aws.failNext("DeleteSecurityGroup", ec2Error("DependencyViolation", "resource sg has a dependent object"), 2);
    aws.failNext("DeleteTargetGroup", ec2Error("AccessDenied", "User is not authorized to perform: elasticloadbalancing:DeleteTargetGroup"));
    const first = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    expect(first.code).toBe(1);
    expect(first.stderr).toContain("DeleteTargetGroup failed: AccessDenied");
    expect(first.stderr).toMatch(/run the same command again:\n\s+vpcwire destroy --stack seed-relay --yes/);
    // The endpoints, services, listeners and load balancers are gone; a target group and both groups are left.
    expect(live.endpoints()).toEqual([]);
    expect(live.lbs()).toEqual([]);
    expect(live.stackGroups()).toHaveLength(2);
    const doc = JSON.parse((await runCli(["list", "--json"], { aws })).stdout);
    expect(doc.stacks).toEqual([expect.objectContaining({ stack: STACK, kind: "privatelink", state: "partial" })]);

    const second = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    expect(second.code).toBe(0);
    expectAllGone();
    expectWorldIntact();
    // Nothing was deleted twice.
    expect(aws.count("DeleteVpcEndpoints")).toBe(2);
    expect(aws.count("DeleteVpcEndpointServiceConfigurations")).toBe(2);
    expect(aws.count("DeleteLoadBalancer")).toBe(2 + 2);
  });

  it("a destroy interrupted while the endpoints are deleting is finished by the next run", async () => {
    expect((await both()).code).toBe(0);
    const controller = new AbortController();
    aws.beforeCall = (op) => {
      if (op === "DeleteVpcEndpoints") setImmediate(() => controller.abort());
    };
    const first = await runCli(["destroy", "--stack", STACK, "--yes"], { aws, signal: controller.signal });
    aws.beforeCall = undefined;
    expect(first.code).toBe(130);
    expect(live.endpoints().some((e) => e.State === "deleting")).toBe(true);
    const plan = JSON.parse((await runCli(["destroy", "--stack", STACK, "--dry-run", "--json"], { aws })).stdout);
    expect(
      plan.steps
        .filter((s: { type: string }) => s.type === "privatelink-endpoint-delete")
        .map((s: { summary: string }) => s.summary)
        .join("\n"),
    ).toContain("already deleting");
    const second = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    expect(second.code).toBe(0);
    expectAllGone();
  });

  it("needs --yes when not interactive; --dry-run --json shows the teardown plan in order and changes nothing", async () => {
    expect((await both()).code).toBe(0);
    const writes = aws.operations({ writesOnly: true }).length;
    const noYes = await runCli(["destroy", "--stack", STACK], { aws });
    expect(noYes.code).toBe(2);
    const dry = await runCli(["destroy", "--stack", STACK, "--dry-run", "--json"], { aws });
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan).toMatchObject({ schemaVersion: 1, command: "destroy", kind: "privatelink", stack: STACK, region: "ap-northeast-1" });
    const types = plan.steps.map((s: { type: string }) => s.type);
    const order = [
      "privatelink-endpoint-delete",
      "privatelink-service-delete",
      "privatelink-listener-delete",
      "privatelink-nlb-delete",
      "privatelink-tg-delete",
      "privatelink-sg-delete",
      "keep",
    ];
    expect([...new Set(types)]).toEqual(order);
    expect(types.filter((t: string) => t !== "keep").length).toBe(14);
    const step = (id: string) => plan.steps.find((s: { id: string }) => s.id === id);
    expect(step("nlb-delete:seed-relay-in")).toMatchObject({
      action: "delete",
      resource: "network load balancer",
      owned: true,
      params: { arn: expect.stringContaining(":loadbalancer/net/seed-relay-in/") },
    });
    expect(step("tg-delete:seed-relay-in-80").dependsOn).toEqual(expect.arrayContaining(["nlb-delete:seed-relay-in", "nlb-delete:seed-relay-out"]));
    const sgStep = plan.steps.find((s: { type: string }) => s.type === "privatelink-sg-delete");
    expect(sgStep.dependsOn).toEqual(expect.arrayContaining(["tg-delete:seed-relay-in-80", "nlb-delete:seed-relay-in"]));
    expect(plan.steps.filter((s: { type: string }) => s.type === "keep").map((s: { resourceId: string; owned: boolean }) => [s.resourceId, s.owned])).toEqual(
      expect.arrayContaining([
        [w.targetVpc, false],
        [w.relayVpc, false],
      ]),
    );
    expect(aws.operations({ writesOnly: true }).length).toBe(writes);
  });

  it("keeps a group something else still uses, with a warning that says what to do", async () => {
    expect((await relay(...inbound())).code).toBe(0);
    const sg = live.stackGroups()[0]!;
    const theirs = seedEni(aws, w.natSubnet, "172.16.9.20", { description: "someone's server", instanceId: "i-0000000000000beef" });
    theirs.Groups = [{ GroupId: sg.GroupId }];
    const r = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `${sg.GroupId} (vpcwire-seed-relay-vpce-in) was created by this stack but is kept: ${theirs.NetworkInterfaceId} (i-0000000000000beef) uses it`,
    );
    expect(aws.ec2.securityGroups.some((g) => g.GroupId === sg.GroupId)).toBe(true);
    expect(aws.count("DeleteSecurityGroup")).toBe(0);
    expect(live.lbs()).toEqual([]);
  });
});
