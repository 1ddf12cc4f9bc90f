import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeAws, installFakeAws, uninstallFakeAws } from "../fakes/aws.js";
import { dxError, type FakeVif, seedHostedVif, setBgpStatus } from "../fakes/dx.js";
import { seedRouteTable, seedSecurityGroup, seedSubnet, seedVgw, seedVpc } from "../fakes/ec2.js";
import { ec2Error } from "../fakes/model.js";
import { ALL_SERVICES } from "../fakes/services.js";
import { SEED, seedInstance } from "../flets/account.js";
import { runCli } from "../helpers/cli.js";

let aws: FakeAws;
let vpcId: string;
let mainRtb: string;
let privRtb: string;
let subnetId: string;
/** NTT East's Cloud Gateway offers two hosted VIFs at once; BGP comes up only when a test says so. */
let vifA: FakeVif;
let vifB: FakeVif;

beforeEach(() => {
  aws = installFakeAws(new FakeAws(), ALL_SERVICES);
  vpcId = seedVpc(aws, { cidr: "10.216.0.0/24", name: "cloudgw" }).VpcId!;
  mainRtb = aws.ec2.routeTables.find((t) => t.VpcId === vpcId)!.RouteTableId!;
  privRtb = seedRouteTable(aws, vpcId, "private").RouteTableId!;
  subnetId = seedSubnet(aws, vpcId, "10.216.0.0/25", "ap-northeast-1a", { routeTableId: privRtb }).SubnetId!;
  vifA = seedHostedVif(aws, { name: "ntte-cgw-a", vlan: 1101, partnerAsn: 65100, advertise: ["192.168.103.0/24"], bgpUpAfterMs: null });
  vifB = seedHostedVif(aws, { name: "ntte-cgw-b", vlan: 1102, partnerAsn: 65100, advertise: ["192.168.103.0/24"], bgpUpAfterMs: null });
});
afterEach(() => uninstallFakeAws());

const STACK = "dx-ffa00001";
const ids = () => [vifA.virtualInterfaceId!, vifB.virtualInterfaceId!];
const accept = (...extra: string[]) => runCli(["dx", "accept-vif", "--vif-id", ids().join(","), "--vpc-id", vpcId, "--yes", ...extra], { aws });
const table = (id: string) => aws.ec2.routeTables.find((t) => t.RouteTableId === id)!;
const writesSince = (n: number) =>
  aws.calls
    .slice(n)
    .map((c) => c.operation)
    .filter((op) => !/^(Describe|Get|List)/.test(op));
/** The partner deletes its interfaces (they stay listed as deleted for a while, as on AWS). */
const partnerDeletes = (...vifs: FakeVif[]) => {
  for (const v of vifs) v.virtualInterfaceState = "deleted";
};

describe("list", () => {
  it("shows vpn, dx and flets stacks side by side, each with its kind, resources and state", async () => {
    // A VPN in another VPC; dx and the ISATAP host in the Cloud Gateway VPC.
    const officeVpc = seedVpc(aws, { cidr: "172.31.0.0/16", name: "office" }).VpcId!;
    const vpn = await runCli(
      ["vpn", "create", "--stack", "office", "--vpc-id", officeVpc, "--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.0.0.0/8", "--yes"],
      { aws },
    );
    expect(vpn.code).toBe(0);
    expect((await accept()).code).toBe(0);
    const sgId = seedSecurityGroup(aws, vpcId, "isatap-host").GroupId!;
    seedInstance(aws, { InstanceId: "i-0123456789abcdef0", VpcId: vpcId, SubnetId: subnetId, groups: [sgId] });
    const isatap = await runCli(["flets", "isatap", "--prefix", SEED.prefix, "--router", SEED.router, "--instance-id", "i-0123456789abcdef0", "--yes"], {
      aws,
    });
    expect(isatap.code).toBe(0);

    const r = await runCli(["list"], { aws });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^STACK\s+KIND\s+STATE\s+RESOURCES/);
    expect(lines.find((l) => l.startsWith("office"))).toMatch(/^office\s+vpn\s+available\s+vgw-\w+, cgw-\w+, vpn-\w+$/);
    // The interfaces are the partner's: listed as reused. BGP is not up yet: down.
    expect(lines.find((l) => l.startsWith(STACK))).toMatch(
      new RegExp(`^${STACK}\\s+dx\\s+down\\s+vgw-\\w+, ${ids()[0]} \\(reused\\), ${ids()[1]} \\(reused\\)$`),
    );
    expect(lines.find((l) => l.startsWith("isatap-"))).toMatch(/^isatap-i-0123456789abcdef0\s+flets\s+available\s+sgr-\w+$/);

    const doc = JSON.parse((await runCli(["list", "--json"], { aws })).stdout);
    expect(doc.stacks.map((s: { stack: string; kind: string }) => `${s.stack}:${s.kind}`)).toEqual([
      "office:vpn",
      `${STACK}:dx`,
      "isatap-i-0123456789abcdef0:flets",
    ]);
    const dx = doc.stacks.find((s: { kind: string }) => s.kind === "dx");
    expect(dx.resources).toEqual([
      expect.objectContaining({ type: "virtual private gateway", owned: true, state: "available", detail: `attached to ${vpcId}` }),
      expect.objectContaining({
        type: "virtual interface",
        id: ids()[0],
        owned: false,
        state: "down",
        detail: `VLAN 1101, BGP down, on ${dx.resources[0].id}`,
      }),
      expect.objectContaining({ type: "virtual interface", id: ids()[1], owned: false, state: "down" }),
    ]);
    // Each stack is found by its own kind: status of each names the right one.
    for (const [stack, kind] of [
      ["office", "vpn"],
      [STACK, "dx"],
      ["isatap-i-0123456789abcdef0", "flets"],
    ]) {
      expect(JSON.parse((await runCli(["status", "--stack", stack!, "--json"], { aws })).stdout).kind).toBe(kind);
    }
  });

  it("a half-finished accept (gateway, no interface yet) is listed as partial", async () => {
    aws.failNext("ConfirmPrivateVirtualInterface", dxError("DirectConnectClientException", "Rate exceeded"), 2);
    expect((await accept()).code).toBe(1);
    const doc = JSON.parse((await runCli(["list", "--json"], { aws })).stdout);
    expect(doc.stacks).toEqual([
      { stack: STACK, kind: "dx", state: "partial", resources: [expect.objectContaining({ type: "virtual private gateway", owned: true })] },
    ]);
  });
});

describe("status", () => {
  it("explains interfaces that are down because BGP is not up (exit 1); all up is healthy (exit 0)", async () => {
    expect((await accept()).code).toBe(0);
    const down = await runCli(["status", "--stack", STACK], { aws });
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(new RegExp(`^Stack ${STACK} \\(dx, ap-northeast-1\\): something is down`));
    expect(down.stdout).toContain(`Virtual interface ${ids()[0]} (ntte-cgw-a), VLAN 1101, on vgw-`);
    expect(down.stdout).toMatch(/✖ state down\n/);
    // BGP per peer, with both ends and their ASNs.
    expect(down.stdout).toMatch(/✖ BGP ipv4 169\.254\.101\.2\/30 \(ASN 65100\) <-> AWS 169\.254\.101\.1\/30 \(ASN 64512\): down/);
    expect(down.stdout).toContain("accepted, but the BGP session with the partner/on-prem router is not up yet");
    expect(down.stdout).toContain("tell them it is accepted");
    // Propagation is on, but nothing arrived yet.
    expect(down.stdout).toMatch(new RegExp(`${privRtb} \\(private\\): propagation on; no routes from vgw-\\w+ yet`));

    // One peer up: still down.
    setBgpStatus(aws, ids()[0]!, "up");
    const half = await runCli(["status", "--stack", STACK], { aws });
    expect(half.code).toBe(1);
    expect(half.stdout).toMatch(/✔ BGP ipv4 169\.254\.101\.2\/30 .*: up/);
    expect(half.stdout).toMatch(/✖ BGP ipv4 169\.254\.102\.2\/30 .*: down/);

    setBgpStatus(aws, ids()[1]!, "up");
    const up = await runCli(["status", "--stack", STACK], { aws });
    expect(up.code).toBe(0);
    expect(up.stdout).toContain("healthy");
    expect(up.stdout).not.toContain("✖");
    expect(up.stdout).toMatch(new RegExp(`✔ ${privRtb} \\(private\\): propagation on; 192\\.168\\.103\\.0/24 \\(active\\)`));

    const doc = JSON.parse((await runCli(["status", "--stack", STACK, "--json"], { aws })).stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, ok: true, stack: STACK, kind: "dx", healthy: true });
    expect(doc.virtualInterfaces.map((v: { bgpPeers: Array<{ bgpStatus: string }> }) => v.bgpPeers.map((p) => p.bgpStatus))).toEqual([["up"], ["up"]]);
    expect(doc.virtualPrivateGateways[0].routeTables.find((t: { routeTableId: string }) => t.routeTableId === privRtb)).toMatchObject({
      propagation: true,
      propagatedRoutes: [{ destination: "192.168.103.0/24", state: "active" }],
    });
    expect(doc.gateways).toEqual([expect.objectContaining({ owned: true, vpcId })]);
  });

  it("propagation off is shown per table (information, not a failure)", async () => {
    expect((await accept("--route-tables", privRtb)).code).toBe(0);
    setBgpStatus(aws, ids()[0]!, "up");
    setBgpStatus(aws, ids()[1]!, "up");
    const r = await runCli(["status", "--stack", STACK], { aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`· ${mainRtb} \\(cloudgw-main\\) \\[main\\]: propagation off \\(Direct Connect routes do not reach its subnets\\)`));
  });

  it("propagation off in every route table is a failure: Direct Connect routes reach no subnet", async () => {
    expect((await accept("--route-tables", "none")).code).toBe(0);
    setBgpStatus(aws, ids()[0]!, "up");
    setBgpStatus(aws, ids()[1]!, "up");
    const r = await runCli(["status", "--stack", STACK], { aws });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("something is down");
    expect(r.stdout).toMatch(new RegExp(`✖ ${privRtb} \\(private\\): propagation off`));
    expect(r.stdout).toMatch(/✖ No route table of vpc-\w+ propagates from vgw-\w+ or routes to it: Direct Connect routes reach no subnet/);
  });

  it("a gateway with no interface (accept stopped before confirming) is down, with what to do", async () => {
    aws.failNext("ConfirmPrivateVirtualInterface", dxError("DirectConnectClientException", "Rate exceeded"), 2);
    expect((await accept()).code).toBe(1);
    const r = await runCli(["status", "--stack", STACK], { aws });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Gateway vgw-\w+ \(created by this stack\)\n\s+✖ available, attached to vpc-\w+, no Direct Connect virtual interface on it/);
    expect(r.stdout).toContain(`vpcwire destroy --stack ${STACK}`);
  });

  it("finds accepted interfaces that could not be tagged through the stack's gateway", async () => {
    aws.failNext("TagResource", dxError("DirectConnectClientException", "not authorized"), 2);
    expect((await accept()).code).toBe(0);
    expect(vifA.tags).toEqual([]);
    const doc = JSON.parse((await runCli(["status", "--stack", STACK, "--json"], { aws })).stdout);
    expect(doc.virtualInterfaces.map((v: { virtualInterfaceId: string }) => v.virtualInterfaceId)).toEqual(ids());
  });
});

describe("destroy", () => {
  it("keeps a gateway the partner's interfaces still use; once they are deleted, removes it in order", async () => {
    expect((await accept()).code).toBe(0);
    const vgw = aws.ec2.vgws[0]!;
    const before = aws.calls.length;
    const kept = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    expect(kept.code).toBe(0);
    // Nothing is detached or deleted: that would cut both interfaces off.
    expect(writesSince(before)).toEqual([]);
    expect(kept.stderr).toMatch(
      new RegExp(`· no-op\\s+virtual interface ${ids()[0]} kept: belongs to the partner; ask them to delete it, or it stays attached to ${vgw.VpnGatewayId}`),
    );
    expect(kept.stderr).toMatch(
      new RegExp(
        `· no-op\\s+virtual private gateway ${vgw.VpnGatewayId} kept: still in use by Direct Connect virtual interfaces ${ids()[0]} \\(down\\), ${ids()[1]} \\(down\\)`,
      ),
    );
    expect(kept.stderr).toContain(`${vgw.VpnGatewayId} was created by this stack but is kept, attached to ${vpcId} with its route propagation`);
    expect(kept.stderr).toContain("then run this destroy again to remove the gateway");
    expect(kept.stderr).toMatch(
      new RegExp(
        `Stack ${STACK} is not removed yet: 0 resources deleted, kept ${ids()[0]}, ${ids()[1]} \\(not created by this stack\\)\\. ${vgw.VpnGatewayId} is the stack's own but still in use`,
      ),
    );
    expect(vgw.State).toBe("available");
    expect(vgw.VpcAttachments).toEqual([{ VpcId: vpcId, State: "attached" }]);
    expect(table(privRtb).PropagatingVgws).toEqual([{ GatewayId: vgw.VpnGatewayId }]);
    // Still there, so still listed.
    expect((await runCli(["list"], { aws })).stdout).toContain(STACK);

    partnerDeletes(vifA, vifB);
    const mark = aws.calls.length;
    const r = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const writes = writesSince(mark);
    expect(writes.filter((op) => op === "DisableVgwRoutePropagation")).toHaveLength(2);
    expect(writes.lastIndexOf("DisableVgwRoutePropagation")).toBeLessThan(writes.indexOf("DetachVpnGateway"));
    expect(writes.indexOf("DetachVpnGateway")).toBeLessThan(writes.indexOf("DeleteVpnGateway"));
    expect(writes.every((op) => ["DisableVgwRoutePropagation", "DetachVpnGateway", "DeleteVpnGateway"].includes(op))).toBe(true);
    expect(vgw.State).toBe("deleted");
    expect(table(mainRtb).PropagatingVgws).toEqual([]);
    expect(r.stderr).toMatch(new RegExp(`Stack ${STACK} removed: 2 resources deleted\\.`));
    expect(JSON.parse((await runCli(["list", "--json"], { aws })).stdout).stacks).toEqual([]);
    expect((await runCli(["destroy", "--stack", STACK, "--yes"], { aws })).stderr).toContain(`Nothing to remove: no resources tagged vpcwire:stack=${STACK}`);
  });

  it("--dry-run shows the teardown plan in order and changes nothing", async () => {
    expect((await accept()).code).toBe(0);
    partnerDeletes(vifA);
    const writes = aws.operations({ writesOnly: true }).length;
    const text = await runCli(["destroy", "--stack", STACK, "--dry-run"], { aws });
    expect(text.code).toBe(0);
    // One interface left keeps the gateway.
    expect(text.stdout).toMatch(new RegExp(`virtual private gateway vgw-\\w+ kept: still in use by Direct Connect virtual interface ${ids()[1]} \\(down\\)`));
    expect(text.stdout).not.toContain(ids()[0]);

    partnerDeletes(vifB);
    const r = await runCli(["destroy", "--stack", STACK, "--dry-run", "--json"], { aws });
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan).toMatchObject({ schemaVersion: 1, command: "destroy", kind: "dx", stack: STACK });
    expect(plan.steps.map((s: { type: string; action: string }) => `${s.type}:${s.action}`)).toEqual([
      "disable-propagation:update",
      "disable-propagation:update",
      "vgw-detach:delete",
      "vgw-delete:delete",
    ]);
    expect(plan.steps[2].dependsOn).toEqual(plan.steps.slice(0, 2).map((s: { id: string }) => s.id));
    expect(plan.steps[3].dependsOn).toEqual([plan.steps[2].id]);
    const plain = await runCli(["destroy", "--stack", STACK, "--dry-run"], { aws });
    expect(plain.stdout).toMatch(/~ update\s+route table rtb-\w+: disable propagation from vgw-\w+/);
    expect(plain.stdout).toMatch(/- delete\s+attachment of vgw-\w+ to vpc-\w+; wait until detached/);
    expect(plain.stdout).toMatch(/- delete\s+virtual private gateway vgw-\w+\n/);
    expect(plain.stdout).toContain("2 to delete, 2 to update, 0 kept or unchanged.");
    expect(aws.operations({ writesOnly: true }).length).toBe(writes);
  });

  it("keeps what it reused: a gateway attached before, its propagation, and the interfaces", async () => {
    const vgw = seedVgw(aws, { attachTo: vpcId });
    expect((await accept()).code).toBe(0);
    setBgpStatus(aws, ids()[0]!, "up");
    expect(table(privRtb).PropagatingVgws).toEqual([{ GatewayId: vgw.VpnGatewayId }]);
    const list = JSON.parse((await runCli(["list", "--json"], { aws })).stdout);
    expect(list.stacks[0].resources[0]).toMatchObject({ id: vgw.VpnGatewayId, owned: false });

    const plan = await runCli(["destroy", "--stack", STACK, "--dry-run"], { aws });
    expect(plan.stdout).toContain(`virtual private gateway ${vgw.VpnGatewayId} kept: it existed before this stack`);
    expect(plan.stdout).toContain(`virtual interface ${ids()[1]} kept: belongs to the partner`);
    expect(plan.stdout).toContain(`Route propagation from ${vgw.VpnGatewayId} is left as it is: the gateway was not created by this stack.`);
    expect(plan.stdout).toContain("0 to delete, 0 to update, 3 kept or unchanged.");

    // Even after the partner deleted the interfaces, the gateway that was there before stays.
    partnerDeletes(vifA, vifB);
    const writes = aws.operations({ writesOnly: true }).length;
    const r = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    expect(r.code).toBe(0);
    expect(aws.operations({ writesOnly: true }).length).toBe(writes);
    expect(vgw.State).toBe("available");
    expect(vgw.VpcAttachments).toEqual([{ VpcId: vpcId, State: "attached" }]);
    expect(table(privRtb).PropagatingVgws).toEqual([{ GatewayId: vgw.VpnGatewayId }]);
  });

  it("a VPN stack's gateway that a dx stack reused is kept by the VPN's destroy while the interfaces use it", async () => {
    const vpn = await runCli(["vpn", "create", "--stack", "office", "--vpc-id", vpcId, "--cgw-ip", "203.0.113.10", "--onprem-cidr", "172.16.0.0/12", "--yes"], {
      aws,
    });
    expect(vpn.code).toBe(0);
    const vgw = aws.ec2.vgws[0]!;
    expect((await accept()).code).toBe(0);
    expect(vifA.virtualGatewayId).toBe(vgw.VpnGatewayId);

    const r = await runCli(["destroy", "--stack", "office", "--yes"], { aws });
    expect(r.code).toBe(0);
    expect(aws.ec2.vpns[0]!.State).toBe("deleted");
    expect(aws.ec2.cgws[0]!.State).toBe("deleted");
    expect(aws.operations()).not.toContain("DetachVpnGateway");
    expect(vgw.State).toBe("available");
    expect(r.stderr).toContain(`${vgw.VpnGatewayId} was created by this stack but is kept`);
    // The dx stack still reports its interfaces on that gateway.
    expect(JSON.parse((await runCli(["status", "--stack", STACK, "--json"], { aws })).stdout).virtualInterfaces).toHaveLength(2);
  });

  it("cleans up after a half-finished accept: the gateway it created goes, the interfaces it never confirmed stay as they were", async () => {
    aws.failNext("ConfirmPrivateVirtualInterface", dxError("DirectConnectClientException", "Rate exceeded"), 2);
    const first = await accept();
    expect(first.code).toBe(1);
    expect(first.stderr).toContain(`vpcwire destroy --stack ${STACK}`);
    const vgw = aws.ec2.vgws[0]!;
    const r = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    expect(r.code).toBe(0);
    expect(vgw.State).toBe("deleted");
    expect(aws.operations()).not.toContain("DisableVgwRoutePropagation");
    expect(vifA.virtualInterfaceState).toBe("confirming");
    expect(vifB.virtualInterfaceState).toBe("confirming");
    // The interfaces can be accepted afresh.
    expect((await accept()).code).toBe(0);
  });

  it("after an accept that confirmed one interface of two, the gateway stays for that one; a second accept finishes", async () => {
    aws.failNext("ConfirmPrivateVirtualInterface", dxError("DirectConnectClientException", "Rate exceeded"));
    expect((await accept()).code).toBe(1);
    const accepted = [vifA, vifB].filter((v) => v.virtualInterfaceState !== "confirming");
    expect(accepted).toHaveLength(1);
    const plan = await runCli(["destroy", "--stack", STACK, "--dry-run", "--json"], { aws });
    const steps = JSON.parse(plan.stdout).steps as Array<{ type: string; resourceId: string; owned: boolean }>;
    expect(steps.map((s) => `${s.type}:${s.resourceId}:${s.owned}`)).toEqual([
      `keep:${accepted[0]!.virtualInterfaceId}:false`,
      `keep:${aws.ec2.vgws[0]!.VpnGatewayId}:true`,
    ]);
    expect((await accept()).code).toBe(0);
    expect([vifA, vifB].every((v) => v.virtualGatewayId === aws.ec2.vgws[0]!.VpnGatewayId)).toBe(true);
  });

  it("retries dependency errors, and a second run finishes what a failed one left", async () => {
    expect((await accept()).code).toBe(0);
    partnerDeletes(vifA, vifB);
    aws.failNext("DetachVpnGateway", ec2Error("IncorrectState", "The gateway is busy"), 2);
    aws.failNext("DeleteVpnGateway", ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));
    const first = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    expect(first.code).toBe(1);
    expect(first.stderr).toContain("UnauthorizedOperation");
    expect(first.stderr).toMatch(new RegExp(`run the same command again:\\n\\s+vpcwire destroy --stack ${STACK} --yes`));
    expect(aws.ec2.vgws[0]!.VpcAttachments![0]!.State).toBe("detached");

    const second = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    expect(second.code).toBe(0);
    // Propagation is already off and the gateway detached: only the delete is left.
    expect(second.stderr).toMatch(/1 to delete, 0 to update/);
    expect(aws.ec2.vgws[0]!.State).toBe("deleted");
    expect(aws.count("DetachVpnGateway")).toBe(3);
    expect(aws.count("DisableVgwRoutePropagation")).toBe(2);
  });

  it("an interface put on the gateway after the plan was made stops the detach", async () => {
    expect((await accept()).code).toBe(0);
    partnerDeletes(vifA, vifB);
    const vgwId = aws.ec2.vgws[0]!.VpnGatewayId!;
    let late: FakeVif | undefined;
    aws.beforeCall = (op) => {
      // Planning reads the route tables after the interfaces: a new one arrives in between.
      if (op === "DescribeRouteTables" && !late) late = seedHostedVif(aws, { acceptedOnto: { virtualGatewayId: vgwId } });
    };
    const r = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    aws.beforeCall = undefined;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${vgwId} is now used by Direct Connect virtual interface ${late!.virtualInterfaceId} (available); it was left attached`);
    expect(aws.operations()).not.toContain("DetachVpnGateway");
    expect(aws.operations()).not.toContain("DisableVgwRoutePropagation");
    expect(aws.ec2.vgws[0]!.VpcAttachments![0]!.State).toBe("attached");
  });

  it("keeps the gateway when Direct Connect cannot be read (it cannot tell whether interfaces still use it)", async () => {
    expect((await accept()).code).toBe(0);
    partnerDeletes(vifA, vifB);
    aws.failNext(
      "DescribeVirtualInterfaces",
      dxError("DirectConnectClientException", "User is not authorized to perform: directconnect:DescribeVirtualInterfaces"),
      10,
    );
    const writes = aws.operations({ writesOnly: true }).length;
    const r = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    aws.failures.clear();
    expect(r.code).toBe(0);
    expect(aws.operations({ writesOnly: true }).length).toBe(writes);
    expect(r.stderr).toMatch(
      /Could not check whether Direct Connect virtual interfaces use vgw-\w+ \(DirectConnectClientException\): vgw-\w+ is kept as it is/,
    );
    expect(r.stderr).toContain("directconnect:DescribeVirtualInterfaces");
    expect(r.stderr).toMatch(/virtual private gateway vgw-\w+ kept: Direct Connect could not be read/);
    expect(aws.ec2.vgws[0]!.VpcAttachments![0]!.State).toBe("attached");
    // With the permission back, the same command finishes.
    expect((await runCli(["destroy", "--stack", STACK, "--yes"], { aws })).code).toBe(0);
    expect(aws.ec2.vgws[0]!.State).toBe("deleted");
  });

  it("needs --yes when not interactive, and asks in a terminal with no as the default", async () => {
    expect((await accept()).code).toBe(0);
    partnerDeletes(vifA, vifB);
    const noYes = await runCli(["destroy", "--stack", STACK], { aws });
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain("--yes: destroy changes AWS");
    const r = await runCli(["destroy", "--stack", STACK], { aws, tty: true, answers: [{ waitFor: `Delete these resources of stack ${STACK}?`, keys: "\r" }] });
    expect(r.code).toBe(3);
    expect(aws.ec2.vgws[0]!.State).toBe("available");
  });
});
