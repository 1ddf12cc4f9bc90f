import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeAws, installFakeAws, uninstallFakeAws } from "../fakes/aws.js";
import { type FakeVif, seedDxGateway, seedHostedVif, setBgpStatus } from "../fakes/dx.js";
import { seedRouteTable, seedVgw, seedVpc } from "../fakes/ec2.js";
import { ALL_SERVICES } from "../fakes/services.js";
import { runCli } from "../helpers/cli.js";

let aws: FakeAws;
let vpcId: string;
let mainRtb: string;
let privRtb: string;
let vifA: FakeVif;
let vifB: FakeVif;

beforeEach(() => {
  aws = installFakeAws(new FakeAws(), ALL_SERVICES);
  vpcId = seedVpc(aws, { cidr: "10.216.0.0/24", name: "cloudgw" }).VpcId!;
  mainRtb = aws.ec2.routeTables.find((t) => t.VpcId === vpcId)!.RouteTableId!;
  privRtb = seedRouteTable(aws, vpcId, "private").RouteTableId!;
  vifA = seedHostedVif(aws, { name: "ntte-cgw-a", vlan: 1101, advertise: ["192.168.103.0/24", "172.20.0.0/16"], bgpUpAfterMs: 0 });
  vifB = seedHostedVif(aws, { name: "ntte-cgw-b", vlan: 1102, advertise: ["192.168.103.0/24"], bgpUpAfterMs: 0 });
});
afterEach(() => uninstallFakeAws());

const stack = () => `dx-${vifA.virtualInterfaceId!.slice(6)}`;
/** Accept both, propagating into the main route table only. */
const acceptBoth = async () => {
  const r = await runCli(
    ["dx", "accept-vif", "--vif-id", vifA.virtualInterfaceId!, "--vif-id", vifB.virtualInterfaceId!, "--vpc-id", vpcId, "--route-tables", mainRtb, "--yes"],
    { aws },
  );
  expect(r.code).toBe(0);
};

describe("dx status", () => {
  it("--stack: every interface available with BGP up is exit 0, with the routes and propagation per route table", async () => {
    await acceptBoth();
    const r = await runCli(["dx", "status", "--stack", stack()], { aws });
    expect(r.code).toBe(0);
    const vgwId = aws.ec2.vgws[0]!.VpnGatewayId!;
    expect(r.stdout).toMatch(new RegExp(`✔ ${vifA.virtualInterfaceId} \\(ntte-cgw-a\\)  available  VLAN 1101  on ${vgwId}`));
    expect(r.stdout).toContain(`stack ${stack()}`);
    expect(r.stdout).toContain(": up");
    expect(r.stdout).toContain(`Route tables of ${vpcId} (routes propagated from ${vgwId}):`);
    expect(r.stdout).toMatch(
      new RegExp(`${mainRtb} \\(cloudgw-main\\) \\[main\\]: propagation on; 192\\.168\\.103\\.0/24 \\(active\\), 172\\.20\\.0\\.0/16 \\(active\\)`),
    );
    // The table that was not chosen is shown as such.
    expect(r.stdout).toMatch(new RegExp(`${privRtb} \\(private\\): propagation off`));
    expect(r.stdout).toContain("All 2 virtual interfaces are available with BGP up.");
    // Read-only.
    const writes = aws.operations({ writesOnly: true }).length;
    await runCli(["dx", "status", "--stack", stack()], { aws });
    expect(aws.operations({ writesOnly: true }).length).toBe(writes);
  });

  it("exit 1 when something is down, with the reason in words; routes leave when BGP goes down", async () => {
    await acceptBoth();
    setBgpStatus(aws, vifB.virtualInterfaceId!, "down");
    const r = await runCli(["dx", "status", "--stack", stack()], { aws });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`✖ ${vifB.virtualInterfaceId} \\(ntte-cgw-b\\)  down`));
    expect(r.stdout).toContain("accepted, but the BGP session with the partner/on-prem router is not up yet");
    expect(r.stdout).toContain(`1 of 2 virtual interfaces not up: ${vifB.virtualInterfaceId} (down).`);
    // The routes that only B announced would be gone; A still announces both.
    expect(r.stdout).toMatch(/propagation on; 192\.168\.103\.0\/24 \(active\), 172\.20\.0\.0\/16 \(active\)/);
    setBgpStatus(aws, vifA.virtualInterfaceId!, "down");
    const both = await runCli(["dx", "status", "--stack", stack(), "--json"], { aws });
    expect(both.code).toBe(1);
    const doc = JSON.parse(both.stdout);
    expect(doc.virtualPrivateGateways[0].routeTables.find((t: { routeTableId: string }) => t.routeTableId === mainRtb).propagatedRoutes).toEqual([]);
  });

  it("--json: the same report as a versioned document", async () => {
    await acceptBoth();
    const r = await runCli(["dx", "status", "--vif-id", vifA.virtualInterfaceId!, "--json"], { aws });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, ok: true, command: "dx status", region: "ap-northeast-1", healthy: true });
    expect(doc.virtualInterfaces).toHaveLength(1);
    expect(doc.virtualInterfaces[0]).toMatchObject({
      virtualInterfaceId: vifA.virtualInterfaceId,
      state: "available",
      healthy: true,
      vlan: 1101,
      stack: stack(),
      problem: null,
      bgpPeers: [{ bgpStatus: "up", bgpPeerState: "available", addressFamily: "ipv4" }],
    });
    expect(doc.virtualPrivateGateways[0]).toMatchObject({ vpcId, state: "available" });
    const tables = doc.virtualPrivateGateways[0].routeTables;
    expect(tables.map((t: { routeTableId: string; propagation: boolean }) => [t.routeTableId, t.propagation])).toEqual([
      [mainRtb, true],
      [privRtb, false],
    ]);
  });

  it("without filters: every interface in the Region, a waiting one included with what to do (exit 1)", async () => {
    const vgw = seedVgw(aws, { attachTo: vpcId });
    seedHostedVif(aws, { name: "old", state: "deleted" });
    const up = seedHostedVif(aws, { name: "up", acceptedOnto: { virtualGatewayId: vgw.VpnGatewayId! } });
    const r = await runCli(["dx", "status"], { aws });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`✖ ${vifA.virtualInterfaceId} \\(ntte-cgw-a\\)  confirming  VLAN 1101  not accepted`));
    expect(r.stdout).toContain(`waiting for you to accept it: vpcwire dx accept-vif --vif-id ${vifA.virtualInterfaceId}`);
    expect(r.stdout).toMatch(new RegExp(`✔ ${up.virtualInterfaceId} \\(up\\)  available`));
    expect(r.stdout).not.toContain("(old)");
    // Only the gateway of the accepted interface is reported, with its route tables.
    expect(r.stdout).toMatch(/propagation off/);
  });

  it("an interface on a Direct Connect gateway is reported without route tables", async () => {
    const gw = seedDxGateway(aws, { asn: 64600 });
    const v = seedHostedVif(aws, { acceptedOnto: { directConnectGatewayId: gw.directConnectGatewayId!, amazonSideAsn: 64600 } });
    const r = await runCli(["dx", "status", "--vif-id", v.virtualInterfaceId!], { aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`on Direct Connect gateway ${gw.directConnectGatewayId}`);
    expect(r.stdout).toContain("(ASN 64600): up");
    expect(r.stdout).not.toContain("Route tables");
  });

  it("usage errors: unknown id, unknown stack, both filters, --offline (exit 2)", async () => {
    const unknown = await runCli(["dx", "status", "--vif-id", "dxvif-fgh0hcrk"], { aws });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--vif-id: dxvif-fgh0hcrk does not exist in this account and Region (ap-northeast-1)");
    const nostack = await runCli(["dx", "status", "--stack", "dx-nothing"], { aws });
    expect(nostack.code).toBe(2);
    expect(nostack.stderr).toContain("--stack: no virtual interface belongs to stack dx-nothing");
    const before = aws.calls.length;
    const both = await runCli(["dx", "status", "--stack", "x", "--vif-id", vifA.virtualInterfaceId!], { aws });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--stack: give --vif-id or --stack, not both");
    const bad = await runCli(["dx", "status", "--vif-id", "vif-1"], { aws });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--vif-id: "vif-1" is not a virtual interface id');
    const offline = await runCli(["dx", "status", "--dry-run", "--offline"], { aws });
    expect(offline.code).toBe(2);
    expect(aws.calls.length).toBe(before);
  });

  it.each([
    [["--stack", ""], "--stack: is empty"],
    [["--vif-id", ""], "--vif-id: has an empty item"],
    [["--vif-id", "dxvif-fgh0hcrk,"], "--vif-id: has an empty item"],
  ])("an explicitly empty %j is a usage error naming the flag, not every interface in the Region (exit 2)", async (argv, message) => {
    const r = await runCli(["dx", "status", ...argv], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(aws.calls).toEqual([]);
  });

  it("--stack also finds interfaces on the stack's gateway when they could not be tagged", async () => {
    aws.failNext("TagResource", new Error("tagging not implemented by this emulator"), 2);
    await acceptBoth();
    expect(vifA.tags).toEqual([]);
    const r = await runCli(["dx", "status", "--stack", stack()], { aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(vifA.virtualInterfaceId!);
    expect(r.stdout).toContain(vifB.virtualInterfaceId!);
  });

  it("no route table receives the gateway's routes: down (✖, exit 1) although BGP is up; a static route through the gateway is enough", async () => {
    const r0 = await runCli(
      ["dx", "accept-vif", "--vif-id", `${vifA.virtualInterfaceId},${vifB.virtualInterfaceId}`, "--vpc-id", vpcId, "--route-tables", "none", "--yes"],
      { aws },
    );
    expect(r0.code).toBe(0);
    const vgwId = aws.ec2.vgws[0]!.VpnGatewayId!;
    const r = await runCli(["dx", "status", "--stack", stack()], { aws });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("All 2 virtual interfaces are available with BGP up. But the routes do not reach the route tables they should");
    expect(r.stdout).toMatch(new RegExp(`✖ ${mainRtb} \\(cloudgw-main\\) \\[main\\]: propagation off`));
    expect(r.stdout).toContain(`No route table of ${vpcId} propagates from ${vgwId} or routes to it: Direct Connect routes reach no subnet`);
    const doc = JSON.parse((await runCli(["dx", "status", "--stack", stack(), "--json"], { aws })).stdout);
    expect(doc.healthy).toBe(false);
    expect(doc.virtualPrivateGateways[0].routeTables.map((t: { chosen: unknown }) => t.chosen)).toEqual([null, null]);

    // Routes by hand instead of propagation: the other table is then only information.
    aws.ec2.routeTables
      .find((t) => t.RouteTableId === privRtb)!
      .Routes!.push({ DestinationCidrBlock: "192.168.103.0/24", GatewayId: vgwId, Origin: "CreateRoute", State: "active" });
    const fixed = await runCli(["dx", "status", "--stack", stack()], { aws });
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(new RegExp(`· ${mainRtb} \\(cloudgw-main\\) \\[main\\]: propagation off`));
    expect(fixed.stdout).not.toContain("✖");
  });
});
