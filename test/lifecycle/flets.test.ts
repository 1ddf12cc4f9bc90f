import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseFletsStack } from "../../src/flets/lifecycle.js";
import { uninstallFakeAws } from "../fakes/aws.js";
import { ec2Error } from "../fakes/model.js";
import { type FletsAccount, fletsAccount, SEED, seedInstance, seedVif } from "../flets/account.js";
import { runCli } from "../helpers/cli.js";

let acct: FletsAccount;
let STACK: string;

beforeEach(() => {
  acct = fletsAccount();
  STACK = `isatap-${acct.instanceId}`;
});
afterEach(() => uninstallFakeAws());

const isatap = (...extra: string[]) =>
  runCli(["flets", "isatap", "--prefix", SEED.prefix, "--router", SEED.router, "--instance-id", acct.instanceId, "--yes", ...extra], { aws: acct.aws });
const sg = () => acct.aws.ec2.securityGroups.find((g) => g.GroupId === acct.sgId)!;
const rtb = (id: string) => acct.aws.ec2.routeTables.find((t) => t.RouteTableId === id)!;
/** Someone removes the protocol 41 rule by hand (console or CLI). */
const revokeByHand = () => {
  acct.aws.ec2.sgRules.splice(0);
  sg().IpPermissions = (sg().IpPermissions ?? []).filter((p) => p.IpProtocol !== "41");
};

describe("stack names", () => {
  it("isatap-<instance id> and isatap-<ip> name the tunnel's end", () => {
    expect(parseFletsStack("isatap-i-0123456789abcdef0")).toEqual({ instanceId: "i-0123456789abcdef0" });
    expect(parseFletsStack("isatap-10-216-0-101")).toEqual({ privateIp: "10.216.0.101" });
    expect(parseFletsStack("office")).toBeUndefined();
  });
});

describe("list", () => {
  it("shows the stack by its tagged protocol 41 rule", async () => {
    expect((await isatap()).code).toBe(0);
    const r = await runCli(["list"], { aws: acct.aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`${STACK}\\s+flets\\s+available\\s+sgr-\\w+`));
    const doc = JSON.parse((await runCli(["list", "--json"], { aws: acct.aws })).stdout);
    expect(doc.stacks).toEqual([
      {
        stack: STACK,
        kind: "flets",
        state: "available",
        resources: [
          { type: "security group rule", id: expect.stringMatching(/^sgr-/), owned: true, detail: `${acct.sgId} allows protocol 41 from ${SEED.router}/32` },
        ],
      },
    ]);
  });

  it("a run that found the rule already there made no stack", async () => {
    sg().IpPermissions = [{ IpProtocol: "41", IpRanges: [{ CidrIp: `${SEED.router}/32` }] }];
    expect((await isatap()).code).toBe(0);
    expect(JSON.parse((await runCli(["list", "--json"], { aws: acct.aws })).stdout).stacks).toEqual([]);
  });
});

describe("status", () => {
  it("healthy when the protocol 41 rule is there and the subnet's table propagates from the VPC's gateway (exit 0)", async () => {
    seedVif(acct.aws, { state: "available", vgwId: acct.vgwId });
    expect((await isatap()).code).toBe(0);
    const r = await runCli(["status", "--stack", STACK], { aws: acct.aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Stack ${STACK} \\(flets, ap-northeast-1\\): healthy`));
    expect(r.stdout).toMatch(
      new RegExp(
        `IP protocol 41 \\(ISATAP\\) from the ISATAP router\\n\\s+✔ ${acct.sgId} allows protocol 41 from 192\\.168\\.103\\.254/32 \\(rule sgr-\\w+\\)`,
      ),
    );
    expect(r.stdout).toContain(`Routing to the ISATAP router from ${acct.instanceId} in ${acct.vpcId}`);
    expect(r.stdout).toContain(`✔ ${acct.rtbId} (isatap), used by ${acct.subnetId}: propagation from ${acct.vgwId} on`);
    // No BGP route to the router in the fake's table: information, not a failure.
    expect(r.stdout).toContain(
      `· no route to the router 192.168.103.254 via ${acct.vgwId} yet: it appears once the BGP session on NTT's Direct Connect interface is up`,
    );
    expect(r.stdout).toMatch(/· Direct Connect virtual interface on vgw-\w+: dxvif-ffntt1 \(available\)/);

    const doc = JSON.parse((await runCli(["status", "--stack", STACK, "--json"], { aws: acct.aws })).stdout);
    expect(doc).toMatchObject({
      schemaVersion: 1,
      kind: "flets",
      healthy: true,
      protocol41: true,
      router: SEED.router,
      instanceId: acct.instanceId,
      vpcId: acct.vpcId,
      subnetId: acct.subnetId,
      routeTableId: acct.rtbId,
      virtualGatewayId: acct.vgwId,
      propagation: true,
    });
  });

  it("propagation off is down (exit 1), with the fix", async () => {
    expect((await isatap()).code).toBe(0);
    rtb(acct.rtbId).PropagatingVgws = [];
    const r = await runCli(["status", "--stack", STACK], { aws: acct.aws });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("something is down");
    expect(r.stdout).toContain(
      `✖ ${acct.rtbId} (isatap), used by ${acct.subnetId}: propagation from ${acct.vgwId} off, so the route to the router does not reach the instance's subnet`,
    );
    expect(r.stdout).toContain(`aws ec2 enable-vgw-route-propagation --gateway-id ${acct.vgwId} --route-table-id ${acct.rtbId}`);
  });

  it("a protocol 41 rule that goes away is reported as gone (exit 1) at the next refresh", async () => {
    expect((await isatap()).code).toBe(0);
    const controller = new AbortController();
    let sleeps = 0;
    acct.aws.clock.onSleep = () => {
      sleeps += 1;
      if (sleeps === 1) revokeByHand();
      if (sleeps === 2) controller.abort();
    };
    const r = await runCli(["status", "--stack", STACK, "--watch", "--interval", "30s"], { aws: acct.aws, signal: controller.signal });
    const [first, second] = r.stdout.split(/^--- .*$/m).filter((s) => s.trim());
    expect(first).toContain("healthy");
    expect(first).toMatch(/✔ sg-\w+ allows protocol 41 from 192\.168\.103\.254\/32/);
    expect(second).toContain("something is down");
    expect(second).toContain(`✖ gone: no rule of this stack lets IP protocol 41 (ISATAP) in any more (revoked by hand?)`);
    expect(second).toContain(`vpcwire flets isatap --instance-id ${acct.instanceId}`);
    expect(r.code).toBe(130); // Ctrl-C ends the watch
    // Gone for good: the stack is no longer found.
    expect((await runCli(["status", "--stack", STACK], { aws: acct.aws })).stderr).toContain(`No resources tagged vpcwire:stack=${STACK}`);
  });

  it("no gateway on the VPC: down, pointing at dx accept-vif", async () => {
    uninstallFakeAws();
    acct = fletsAccount({ vgw: false });
    expect((await isatap()).code).toBe(0);
    const r = await runCli(["status", "--stack", STACK], { aws: acct.aws });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`✖ ${acct.vpcId} has no virtual private gateway attached`);
    expect(r.stdout).toContain(`vpcwire dx accept-vif --vpc-id ${acct.vpcId}`);
  });

  it("a terminated instance leaves the rule over: said so, with how to remove it", async () => {
    expect((await isatap()).code).toBe(0);
    acct.aws.ec2.instances[0]!.State = { Name: "terminated", Code: 48 };
    const r = await runCli(["status", "--stack", STACK], { aws: acct.aws });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`✖ ${acct.instanceId} is terminated: the rule is left over; remove it with vpcwire destroy --stack ${STACK}`);
    // The VPC still comes from the rule's security group.
    expect(r.stdout).toContain(`in ${acct.vpcId}`);
  });

  it("the instance's interface in the rule's group decides the subnet (a second interface in another subnet)", async () => {
    const otherRtb = acct.aws.ec2.routeTables.find((t) => t.RouteTableId === acct.mainRtbId)!;
    expect((await isatap()).code).toBe(0);
    const inst = acct.aws.ec2.instances[0]!;
    // The primary subnet field points elsewhere; the interface with the group is what counts.
    inst.SubnetId = "subnet-elsewhere";
    const doc = JSON.parse((await runCli(["status", "--stack", STACK, "--json"], { aws: acct.aws })).stdout);
    expect(doc.subnetId).toBe(acct.subnetId);
    expect(doc.routeTableId).toBe(acct.rtbId);
    expect(doc.routeTableId).not.toBe(otherRtb.RouteTableId);
  });
});

describe("destroy", () => {
  it("revokes the stack's rule only, and leaves propagation on with a warning", async () => {
    sg().IpPermissions = [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.0.0/8" }] }];
    expect((await isatap()).code).toBe(0);
    expect(rtb(acct.rtbId).PropagatingVgws).toEqual([{ GatewayId: acct.vgwId }]);
    const before = acct.aws.operations({ writesOnly: true }).length;

    const dry = await runCli(["destroy", "--stack", STACK, "--dry-run"], { aws: acct.aws });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`- delete\\s+security group rule sgr-\\w+: ${acct.sgId} allows protocol 41 from 192\\.168\\.103\\.254/32`));
    expect(dry.stdout).toContain("1 to delete, 0 to update, 0 kept or unchanged.");
    expect(dry.stdout).toContain(`Route propagation from ${acct.vgwId} on ${acct.rtbId} is left on: neither was created by this stack`);
    expect(dry.stdout).toContain(`aws ec2 disable-vgw-route-propagation --gateway-id ${acct.vgwId} --route-table-id ${acct.rtbId}`);
    expect(acct.aws.operations({ writesOnly: true }).length).toBe(before);

    const r = await runCli(["destroy", "--stack", STACK, "--yes"], { aws: acct.aws });
    expect(r.code).toBe(0);
    expect(acct.aws.operations({ writesOnly: true }).slice(before)).toEqual(["RevokeSecurityGroupIngress"]);
    // The rule added by hand stays; propagation stays on.
    expect(sg().IpPermissions).toEqual([{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.0.0/8" }] }]);
    expect(rtb(acct.rtbId).PropagatingVgws).toEqual([{ GatewayId: acct.vgwId }]);
    expect(r.stderr).toMatch(new RegExp(`Stack ${STACK} removed: 1 resource deleted\\.`));
    expect(JSON.parse((await runCli(["list", "--json"], { aws: acct.aws })).stdout).stacks).toEqual([]);
    expect((await runCli(["destroy", "--stack", STACK, "--yes"], { aws: acct.aws })).stderr).toContain("Nothing to remove");
  });

  it("--json: what was deleted", async () => {
    expect((await isatap()).code).toBe(0);
    const r = await runCli(["destroy", "--stack", STACK, "--yes", "--json"], { aws: acct.aws });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: true,
      stack: STACK,
      deleted: [{ type: "security group rule", id: expect.stringMatching(/^sgr-/) }],
      kept: [],
    });
  });

  it("a second run finishes what a failed one left", async () => {
    expect((await isatap()).code).toBe(0);
    acct.aws.failNext("RevokeSecurityGroupIngress", ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));
    const first = await runCli(["destroy", "--stack", STACK, "--yes"], { aws: acct.aws });
    expect(first.code).toBe(1);
    expect(first.stderr).toContain("UnauthorizedOperation");
    expect(first.stderr).toMatch(new RegExp(`run the same command again:\\n\\s+vpcwire destroy --stack ${STACK} --yes`));
    const second = await runCli(["destroy", "--stack", STACK, "--yes"], { aws: acct.aws });
    expect(second.code).toBe(0);
    expect(sg().IpPermissions).toEqual([]);
  });

  it("works when the instance is gone", async () => {
    expect((await isatap()).code).toBe(0);
    acct.aws.ec2.instances.splice(0);
    const r = await runCli(["destroy", "--stack", STACK, "--yes"], { aws: acct.aws });
    expect(r.code).toBe(0);
    expect(sg().IpPermissions).toEqual([]);
    expect(r.stderr).toContain("Route propagation that flets isatap may have turned on is left as it is");
  });

  it("an instance found by its address (isatap-<ip> stacks)", async () => {
    // flets isatap names the stack after the instance; a rule tagged isatap-<ip> is still understood.
    const second = seedInstance(acct.aws, {
      InstanceId: "i-0fedcba9876543210",
      VpcId: acct.vpcId,
      SubnetId: acct.subnetId,
      groups: [acct.sgId],
      ip: "10.216.0.102",
    });
    acct.aws.ec2.sgRules.push({
      SecurityGroupRuleId: "sgr-0000000000000000a",
      GroupId: acct.sgId,
      IsEgress: false,
      IpProtocol: "41",
      FromPort: -1,
      ToPort: -1,
      CidrIpv4: `${SEED.router}/32`,
      Tags: [
        { Key: "vpcwire:stack", Value: "isatap-10-216-0-102" },
        { Key: "vpcwire:kind", Value: "flets" },
      ],
    });
    rtb(acct.rtbId).PropagatingVgws = [{ GatewayId: acct.vgwId }];
    const doc = JSON.parse((await runCli(["status", "--stack", "isatap-10-216-0-102", "--json"], { aws: acct.aws })).stdout);
    expect(doc).toMatchObject({ healthy: true, instanceId: second.InstanceId, routeTableId: acct.rtbId });
  });
});
