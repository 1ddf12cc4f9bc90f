import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeAws, installFakeAws, uninstallFakeAws } from "../fakes/aws.js";
import { dxError, type FakeVif, seedDxGateway, seedHostedVif, setBgpStatus } from "../fakes/dx.js";
import { seedRouteTable, seedSubnet, seedVgw, seedVpc } from "../fakes/ec2.js";
import { ALL_SERVICES } from "../fakes/services.js";
import { runCli } from "../helpers/cli.js";

let aws: FakeAws;
let vpcId: string;
let mainRtb: string;
let privRtb: string;
/** NTT East's Cloud Gateway offers two hosted VIFs at once, on two connections, for redundancy. */
let vifA: FakeVif;
let vifB: FakeVif;

beforeEach(() => {
  aws = installFakeAws(new FakeAws(), ALL_SERVICES);
  // NTT East assigns the VPC a /24.
  const vpc = seedVpc(aws, { cidr: "10.216.0.0/24", name: "cloudgw" });
  vpcId = vpc.VpcId!;
  mainRtb = aws.ec2.routeTables.find((t) => t.VpcId === vpcId)!.RouteTableId!;
  const priv = seedRouteTable(aws, vpcId, "private");
  privRtb = priv.RouteTableId!;
  seedSubnet(aws, vpcId, "10.216.0.0/25", "ap-northeast-1a", { routeTableId: privRtb });
  vifA = seedHostedVif(aws, { name: "ntte-cgw-a", vlan: 1101, location: "EqTY2", partnerAsn: 65100, advertise: ["192.168.103.0/24"], bgpUpAfterMs: 0 });
  vifB = seedHostedVif(aws, { name: "ntte-cgw-b", vlan: 1102, location: "TCCBK", partnerAsn: 65100, advertise: ["192.168.103.0/24"], bgpUpAfterMs: 0 });
});
afterEach(() => uninstallFakeAws());

const ids = () => [vifA.virtualInterfaceId!, vifB.virtualInterfaceId!];
const accept = (...extra: string[]) => ["dx", "accept-vif", "--vif-id", ids().join(","), "--vpc-id", vpcId, ...extra];
const stackName = () => `dx-${vifA.virtualInterfaceId!.slice("dxvif-".length)}`;
const table = (id: string) => aws.ec2.routeTables.find((t) => t.RouteTableId === id)!;

describe("dx accept-vif: the NTT East case (two hosted VIFs at once)", () => {
  it("creates and attaches a gateway, accepts both VIFs, waits for them concurrently, propagates, and shows what arrived", async () => {
    const r = await runCli(accept("--yes"), { aws });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);

    const vgw = aws.ec2.vgws[0]!;
    expect(vgw.Tags).toContainEqual({ Key: "vpcwire:stack", Value: stackName() });
    expect(vgw.Tags).toContainEqual({ Key: "vpcwire:kind", Value: "dx" });
    expect(vgw.VpcAttachments).toEqual([{ VpcId: vpcId, State: "attached" }]);
    expect(aws.operations({ writesOnly: true }).sort()).toEqual(
      [
        "CreateVpnGateway",
        "AttachVpnGateway",
        "ConfirmPrivateVirtualInterface",
        "ConfirmPrivateVirtualInterface",
        "TagResource",
        "TagResource",
        "EnableVgwRoutePropagation",
        "EnableVgwRoutePropagation",
      ].sort(),
    );
    // Confirmed onto the new gateway, only after it was attached.
    const confirms = aws.calls.filter((c) => c.operation === "ConfirmPrivateVirtualInterface").map((c) => c.input);
    expect(confirms).toEqual(ids().map((id) => ({ virtualInterfaceId: id, virtualGatewayId: vgw.VpnGatewayId })));
    const ops = aws.operations();
    expect(ops.indexOf("ConfirmPrivateVirtualInterface")).toBeGreaterThan(ops.indexOf("AttachVpnGateway"));
    // Propagation is enabled after the interfaces settled.
    expect(ops.indexOf("EnableVgwRoutePropagation")).toBeGreaterThan(ops.lastIndexOf("ConfirmPrivateVirtualInterface"));

    for (const vif of [vifA, vifB]) {
      expect(vif.virtualInterfaceState).toBe("available");
      expect(vif.virtualGatewayId).toBe(vgw.VpnGatewayId);
      expect(vif.tags).toEqual([
        { key: "vpcwire:stack", value: stackName() },
        { key: "vpcwire:kind", value: "dx" },
        { key: "vpcwire:role", value: "vif" },
      ]);
    }
    const tagArns = aws.calls.filter((c) => c.operation === "TagResource").map((c) => c.input.resourceArn);
    expect(tagArns).toEqual(ids().map((id) => `arn:aws:directconnect:ap-northeast-1:123456789012:dxvif/${id}`));
    for (const id of [mainRtb, privRtb]) expect(table(id).PropagatingVgws).toEqual([{ GatewayId: vgw.VpnGatewayId }]);

    // One progress line per interface, each with its own states.
    for (const id of ids()) {
      expect(r.stderr).toMatch(new RegExp(`… virtual interface ${id} \\(ntte-cgw-[ab]\\), VLAN 110[12]`));
      expect(r.stderr).toMatch(new RegExp(`virtual interface ${id} [^\\n]*: pending`));
      expect(r.stderr).toMatch(new RegExp(`✔ virtual interface ${id} [^\\n]*: available \\(BGP up\\)`));
    }
    // The report on stdout: state, VLAN, BGP per peer, and the routes that arrived in each table.
    expect(r.stdout).toMatch(new RegExp(`✔ ${vifA.virtualInterfaceId} \\(ntte-cgw-a\\)  available  VLAN 1101  on ${vgw.VpnGatewayId}`));
    expect(r.stdout).toMatch(new RegExp(`✔ ${vifB.virtualInterfaceId} \\(ntte-cgw-b\\)  available  VLAN 1102`));
    expect(r.stdout).toContain("BGP ipv4 169.254.101.2/30 (ASN 65100) <-> AWS 169.254.101.1/30 (ASN 64512): up");
    expect(r.stdout).toMatch(new RegExp(`${mainRtb} \\(cloudgw-main\\) \\[main\\]: propagation on; 192\\.168\\.103\\.0/24 \\(active\\)`));
    expect(r.stdout).toMatch(new RegExp(`${privRtb} \\(private\\): propagation on; 192\\.168\\.103\\.0/24 \\(active\\)`));
    expect(r.stdout).toContain("All 2 virtual interfaces are available with BGP up.");
    expect(r.stderr).toContain(`Check it any time with: vpcwire dx status --stack ${stackName()}`);
  });

  it("the concurrent waits share one DescribeVirtualInterfaces call per poll", async () => {
    const r = await runCli(accept("--yes", "--route-tables", "none"), { aws });
    expect(r.code).toBe(0);
    const afterConfirm = aws.calls.slice(aws.calls.findIndex((c) => c.operation === "ConfirmPrivateVirtualInterface"));
    const describes = afterConfirm.filter((c) => c.operation === "DescribeVirtualInterfaces");
    // Polls that coincide ask for the whole list once, instead of each interface by id.
    expect(describes.some((c) => c.input.virtualInterfaceId === undefined)).toBe(true);
    const perId = describes.filter((c) => c.input.virtualInterfaceId !== undefined).length;
    expect(perId).toBeLessThanOrEqual(2);
    // Two interfaces, 60 s pending: a handful of polls, not twice as many calls.
    expect(describes.length).toBeLessThan(12);
  });

  it("--json: one document with the target, both interfaces, their BGP peers and the propagated routes", async () => {
    const r = await runCli(accept("--json"), { aws });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      schemaVersion: 1,
      ok: true,
      command: "dx accept-vif",
      stack: stackName(),
      region: "ap-northeast-1",
      healthy: true,
      target: { virtualGatewayId: aws.ec2.vgws[0]!.VpnGatewayId, vpcId },
    });
    expect(doc.virtualInterfaces.map((v: { virtualInterfaceId: string; state: string; vlan: number }) => [v.virtualInterfaceId, v.state, v.vlan])).toEqual([
      [vifA.virtualInterfaceId, "available", 1101],
      [vifB.virtualInterfaceId, "available", 1102],
    ]);
    expect(doc.virtualInterfaces[0].bgpPeers[0]).toMatchObject({
      bgpStatus: "up",
      customerAddress: "169.254.101.2/30",
      amazonAddress: "169.254.101.1/30",
      customerAsn: 65100,
    });
    const tables = doc.virtualPrivateGateways[0].routeTables;
    expect(tables).toHaveLength(2);
    for (const t of tables) {
      expect(t.propagation).toBe(true);
      expect(t.propagatedRoutes).toEqual([{ destination: "192.168.103.0/24", state: "active" }]);
    }
  });
});

describe("dx accept-vif: BGP not up yet", () => {
  beforeEach(() => {
    // The partner's router has not brought BGP up.
    vifA.bgpUpAfterMs = null;
    vifB.bgpUpAfterMs = null;
  });

  it("without --wait-bgp: accepted, down, and it says so in words (exit 0)", async () => {
    const r = await runCli(accept("--yes"), { aws });
    expect(r.code).toBe(0);
    expect(vifA.virtualInterfaceState).toBe("down");
    expect(r.stderr).toMatch(new RegExp(`virtual interface ${vifA.virtualInterfaceId} [^\\n]*: pending`));
    expect(r.stderr).toMatch(new RegExp(`✔ virtual interface ${vifA.virtualInterfaceId} [^\\n]*: accepted, but BGP is not up yet \\(down\\)`));
    expect(r.stdout).toMatch(new RegExp(`✖ ${vifA.virtualInterfaceId} \\(ntte-cgw-a\\)  down  VLAN 1101`));
    expect(r.stdout).toContain("BGP ipv4 169.254.101.2/30 (ASN 65100) <-> AWS 169.254.101.1/30 (ASN 64512): down");
    expect(r.stdout).toContain("accepted, but the BGP session with the partner/on-prem router is not up yet");
    expect(r.stdout).toContain("waits for the peer at 169.254.101.2/30 (ASN 65100) on VLAN 1101");
    expect(r.stdout).toMatch(/propagation on; no routes from vgw-\w+ yet/);
    expect(r.stdout).toContain(`2 of 2 virtual interfaces not up: ${vifA.virtualInterfaceId} (down), ${vifB.virtualInterfaceId} (down).`);
    expect(r.stderr).toMatch(/are accepted, but the BGP session with the partner\/on-prem router is not up yet\. Wait for it with --wait-bgp/);
    // Propagation is on anyway, so routes arrive the moment BGP comes up.
    expect(table(privRtb).PropagatingVgws).toHaveLength(1);
  });

  it("with --wait-bgp: keeps waiting through down until every BGP peer is up, then shows the routes", async () => {
    vifA.bgpUpAfterMs = 3 * 60_000;
    vifB.bgpUpAfterMs = 5 * 60_000;
    const r = await runCli(accept("--yes", "--wait-bgp"), { aws });
    expect(r.code).toBe(0);
    for (const id of ids()) {
      // First the interface settles (down: accepted, BGP not up), then its own BGP wait.
      expect(r.stderr).toMatch(new RegExp(`✔ virtual interface ${id} [^\\n]*: accepted, but BGP is not up yet \\(down\\)`));
      expect(r.stderr).toMatch(new RegExp(`BGP of virtual interface ${id} [^\\n]*: down \\(BGP down\\)`));
      expect(r.stderr).toMatch(new RegExp(`✔ BGP of virtual interface ${id} [^\\n]*: available \\(BGP up\\)`));
    }
    // Propagation was turned on before the BGP waits, not after them.
    const ops = aws.operations();
    expect(ops.lastIndexOf("EnableVgwRoutePropagation")).toBeLessThan(ops.length - 1);
    expect(vifA.virtualInterfaceState).toBe("available");
    expect(vifB.virtualInterfaceState).toBe("available");
    expect(r.stdout).toMatch(/propagation on; 192\.168\.103\.0\/24 \(active\)/);
    expect(r.stdout).toContain("All 2 virtual interfaces are available with BGP up.");
  });

  it("with --wait-bgp and BGP that never comes up: times out (exit 1), says what was accepted, and propagation is on", async () => {
    const r = await runCli(accept("--yes", "--wait-bgp", "--timeout", "10m"), { aws });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Timed out after \d+m\d+s waiting for BGP of virtual interface dxvif-\w+ \(last state: down \(BGP down\)\)/);
    expect(r.stderr).toMatch(new RegExp(`changed virtual interface ${vifA.virtualInterfaceId} \\(down \\(BGP down\\)\\)`));
    expect(r.stderr).toMatch(new RegExp(`changed virtual interface ${vifB.virtualInterfaceId}`));
    // Propagation does not wait for BGP: it is on, so the routes arrive whenever BGP comes up, and the report says so.
    const vgwId = aws.ec2.vgws[0]!.VpnGatewayId!;
    for (const id of [mainRtb, privRtb]) {
      expect(table(id).PropagatingVgws).toEqual([{ GatewayId: vgwId }]);
      expect(r.stderr).toContain(`changed route table ${id} (propagation from ${vgwId} on)`);
    }
    expect(r.stderr).toContain(`Route propagation from ${vgwId} is on in ${mainRtb}, ${privRtb}: the partner's routes arrive as soon as BGP comes up.`);
    expect(r.stderr).toMatch(
      /To continue where it stopped, run the same command again:\n\s+vpcwire dx accept-vif --stack dx-\w+ --vif-id dxvif-\w+ --vif-id dxvif-\w+ --vpc-id vpc-\w+ --wait-bgp/,
    );
    // The re-run only waits: nothing is confirmed twice.
    vifA.bgpUpAfterMs = 0;
    setBgpStatus(aws, vifA.virtualInterfaceId!, "up");
    setBgpStatus(aws, vifB.virtualInterfaceId!, "up");
    const confirms = aws.count("ConfirmPrivateVirtualInterface");
    const again = await runCli(accept("--yes", "--wait-bgp"), { aws });
    expect(again.code).toBe(0);
    expect(aws.count("ConfirmPrivateVirtualInterface")).toBe(confirms);
    expect(again.stdout).toMatch(/propagation on; 192\.168\.103\.0\/24 \(active\)/);
  });

  it("a re-run after the timeout only waits for BGP: the interfaces and propagation are unchanged steps", async () => {
    expect((await runCli(accept("--yes", "--wait-bgp", "--timeout", "5m"), { aws })).code).toBe(1);
    const writes = aws.operations({ writesOnly: true }).length;
    const again = await runCli(accept("--yes", "--wait-bgp", "--timeout", "5m"), { aws });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/· no-op\s+dxvif-\w+ "ntte-cgw-a" .* already accepted onto vgw-\w+ \(down\)/);
    expect(again.stderr).toMatch(/= reuse\s+BGP of dxvif-\w+: wait until every peer is up/);
    // Nothing was written; the interfaces that are still down are reported as they are.
    expect(aws.operations({ writesOnly: true }).length).toBe(writes);
    expect(again.stderr).toMatch(new RegExp(`reused\\s+virtual interface ${vifA.virtualInterfaceId} \\(down \\(BGP down\\)\\)`));
  });
});

describe("dx accept-vif: re-runs and existing gateways", () => {
  it("reuse on re-run: nothing is confirmed or tagged twice, and it says nothing changed", async () => {
    expect((await runCli(accept("--yes"), { aws })).code).toBe(0);
    const writes = aws.operations({ writesOnly: true }).length;
    const again = await runCli(accept("--yes"), { aws });
    expect(again.code).toBe(0);
    expect(aws.operations({ writesOnly: true }).length).toBe(writes);
    expect(again.stderr).toMatch(/· no-op\s+dxvif-\w+ "ntte-cgw-a" .* already accepted onto vgw-\w+ \(available\)/);
    expect(again.stderr).toMatch(/was already accepted; nothing was changed/);
    expect(aws.ec2.vgws).toHaveLength(1);
    // The report is shown again.
    expect(again.stdout).toContain("All 2 virtual interfaces are available with BGP up.");
  });

  it("uses the gateway already attached to the VPC and keeps its ASN", async () => {
    const vgw = seedVgw(aws, { attachTo: vpcId, asn: 64700 });
    const r = await runCli(accept("--yes"), { aws });
    expect(r.code).toBe(0);
    expect(aws.operations()).not.toContain("CreateVpnGateway");
    expect(aws.operations()).not.toContain("AttachVpnGateway");
    expect(vifA.virtualGatewayId).toBe(vgw.VpnGatewayId);
    expect(vifA.amazonSideAsn).toBe(64700);
    expect(r.stderr).toMatch(new RegExp(`= reuse\\s+virtual private gateway ${vgw.VpnGatewayId}, Amazon ASN 64700, not created by this stack`));
  });

  it("an interface accepted earlier onto the same gateway (in the console) is only tagged", async () => {
    const vgw = seedVgw(aws, { attachTo: vpcId });
    const early = seedHostedVif(aws, { name: "by-hand", acceptedOnto: { virtualGatewayId: vgw.VpnGatewayId! } });
    const r = await runCli(["dx", "accept-vif", "--vif-id", early.virtualInterfaceId!, "--vgw-id", vgw.VpnGatewayId!, "--yes"], { aws });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/~ update\s+dxvif-\w+ "by-hand" .* already accepted onto vgw-\w+ \(available\); tag vpcwire:stack=dx-/);
    expect(aws.operations()).not.toContain("ConfirmPrivateVirtualInterface");
    expect(early.tags).toContainEqual({ key: "vpcwire:stack", value: `dx-${early.virtualInterfaceId!.slice(6)}` });
    // --vgw-id alone: its VPC's route tables get propagation.
    expect(table(mainRtb).PropagatingVgws).toEqual([{ GatewayId: vgw.VpnGatewayId }]);
  });

  it("--dx-gateway-id: accepts onto the Direct Connect gateway, no route tables involved", async () => {
    const gw = seedDxGateway(aws, { name: "corp", asn: 64600 });
    const r = await runCli(["dx", "accept-vif", "--vif-id", vifA.virtualInterfaceId!, "--dx-gateway-id", gw.directConnectGatewayId!, "--json"], { aws });
    expect(r.code).toBe(0);
    expect(aws.calls.find((c) => c.operation === "ConfirmPrivateVirtualInterface")!.input).toEqual({
      virtualInterfaceId: vifA.virtualInterfaceId,
      directConnectGatewayId: gw.directConnectGatewayId,
    });
    expect(aws.operations()).not.toContain("CreateVpnGateway");
    expect(aws.operations()).not.toContain("EnableVgwRoutePropagation");
    const doc = JSON.parse(r.stdout);
    expect(doc.target).toEqual({ directConnectGatewayId: gw.directConnectGatewayId });
    expect(doc.virtualInterfaces[0]).toMatchObject({ directConnectGatewayId: gw.directConnectGatewayId, amazonAsn: 64600 });
    expect(doc.virtualPrivateGateways).toEqual([]);
  });
});

describe("dx accept-vif: route propagation in the report", () => {
  it("a chosen route table without propagation is down (✖), with a warning, and the run is not reported healthy", async () => {
    // Someone turns propagation off on the private table right after it was enabled.
    aws.beforeCall = (op) => {
      if (op === "DescribeRouteTables" && aws.count("EnableVgwRoutePropagation") === 2) table(privRtb).PropagatingVgws = [];
    };
    const r = await runCli(accept("--yes"), { aws });
    expect(r.code).toBe(0);
    const vgwId = aws.ec2.vgws[0]!.VpnGatewayId!;
    expect(r.stdout).toMatch(new RegExp(`✔ ${mainRtb} \\(cloudgw-main\\) \\[main\\]: propagation on; 192\\.168\\.103\\.0/24 \\(active\\)`));
    expect(r.stdout).toMatch(new RegExp(`✖ ${privRtb} \\(private\\): propagation off`));
    expect(r.stdout).toContain("But the routes do not reach the route tables they should");
    expect(r.stderr).toContain(`warning: Route propagation from ${vgwId} is off in ${privRtb}, chosen with --route-tables`);
    expect(r.stderr).not.toContain("Direct Connect is up");
  });

  it("--json: the same verdict in healthy, each table's chosen flag and the gateway's problem", async () => {
    aws.beforeCall = (op) => {
      if (op === "DescribeRouteTables" && aws.count("EnableVgwRoutePropagation") === 1) table(mainRtb).PropagatingVgws = [];
    };
    const r = await runCli(accept("--json", "--route-tables", mainRtb), { aws });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.healthy).toBe(false);
    expect(doc.virtualInterfaces.every((v: { healthy: boolean }) => v.healthy)).toBe(true);
    const gw = doc.virtualPrivateGateways[0];
    expect(gw.routeTables.map((t: { routeTableId: string; chosen: boolean; propagation: boolean }) => [t.routeTableId, t.chosen, t.propagation])).toEqual([
      [mainRtb, true, false],
      [privRtb, false, false],
    ]);
    expect(gw.problem).toContain(`is off in ${mainRtb}, chosen with --route-tables`);
  });

  it("a table left out with --route-tables is information (·), not a failure", async () => {
    const r = await runCli(accept("--yes", "--route-tables", privRtb), { aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`· ${mainRtb} \\(cloudgw-main\\) \\[main\\]: propagation off`));
    expect(r.stderr).toContain(`Route tables without propagation (not chosen): ${mainRtb}.`);
    expect(r.stderr).toContain("Direct Connect is up");
  });
});

describe("dx accept-vif: plans that refuse", () => {
  it("a rejected VIF is a clear error naming the flag, before any write (exit 2)", async () => {
    const rejected = seedHostedVif(aws, { state: "rejected" });
    const r = await runCli(["dx", "accept-vif", "--vif-id", `${vifA.virtualInterfaceId},${rejected.virtualInterfaceId}`, "--vpc-id", vpcId, "--yes"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--vif-id: ${rejected.virtualInterfaceId} is rejected: it was declined`);
    expect(r.stderr).toContain("ask the partner to provision a new one");
    expect(aws.operations({ writesOnly: true })).toEqual([]);
  });

  it("a deleted VIF is refused too", async () => {
    const gone = seedHostedVif(aws, { state: "deleted" });
    const r = await runCli(["dx", "accept-vif", "--vif-id", gone.virtualInterfaceId!, "--vpc-id", vpcId, "--yes"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--vif-id: ${gone.virtualInterfaceId} is deleted: its owner or the partner deleted it`);
  });

  it("a VIF already accepted onto another gateway: says which", async () => {
    const other = seedVgw(aws);
    const elsewhere = seedHostedVif(aws, { acceptedOnto: { virtualGatewayId: other.VpnGatewayId! } });
    const r = await runCli(["dx", "accept-vif", "--vif-id", elsewhere.virtualInterfaceId!, "--vpc-id", vpcId, "--yes"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `--vif-id: ${elsewhere.virtualInterfaceId} is already accepted onto virtual private gateway ${other.VpnGatewayId} (state available) and cannot be moved to <new-vgw-id>`,
    );
    expect(r.stderr).toContain(`use --vgw-id ${other.VpnGatewayId} to check it`);
    expect(aws.operations({ writesOnly: true })).toEqual([]);
  });

  it("an unknown VIF id: does not exist in this Region", async () => {
    const r = await runCli(["dx", "accept-vif", "--vif-id", "dxvif-fgh0hcrk", "--vpc-id", vpcId, "--yes"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--vif-id: dxvif-fgh0hcrk does not exist in this account and Region (ap-northeast-1)");
  });

  it("a gateway not attached to any VPC needs --vpc-id", async () => {
    const loose = seedVgw(aws);
    const r = await runCli(["dx", "accept-vif", "--vif-id", vifA.virtualInterfaceId!, "--vgw-id", loose.VpnGatewayId!, "--yes"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--vgw-id: ${loose.VpnGatewayId} is not attached to a VPC; add --vpc-id`);
  });

  it("a new gateway with the partner's ASN is refused: BGP needs two ASNs", async () => {
    const same = seedHostedVif(aws, { partnerAsn: 64512 });
    const r = await runCli(["dx", "accept-vif", "--vif-id", same.virtualInterfaceId!, "--vpc-id", vpcId, "--yes"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--amazon-asn: the partner's BGP ASN on dxvif-\w+ is 64512, the same as the new gateway's Amazon side ASN/);
    const ok = await runCli(["dx", "accept-vif", "--vif-id", same.virtualInterfaceId!, "--vpc-id", vpcId, "--amazon-asn", "64513", "--yes"], { aws });
    expect(ok.code).toBe(0);
    expect(aws.ec2.vgws[0]!.AmazonSideAsn).toBe(64513);
  });

  it.each([
    [["--vif-id", "dxvif-XYZ", "--vpc-id", "vpc-0123456789abcdef0"], '--vif-id: "dxvif-XYZ" is not a virtual interface id'],
    [["--vif-id", "dxvif-fgh0hcrk", "--vpc-id", "vpc-12"], '--vpc-id: "vpc-12" is not a vpc id'],
    [["--vif-id", "dxvif-fgh0hcrk", "--vpc-id", "vpc-0123456789abcdef0", "--route-tables", "rtb-zz"], '--route-tables: "rtb-zz" is not a rtb id'],
    [["--vif-id", "dxvif-fgh0hcrk", "--dx-gateway-id", "nope"], '--dx-gateway-id: "nope" is not a Direct Connect gateway id'],
    [
      ["--vif-id", "dxvif-fgh0hcrk", "--vpc-id", "vpc-0123456789abcdef0", "--dx-gateway-id", "5f294f92-bafb-4011-916d-9b0b1f1e0f2a"],
      "--dx-gateway-id: give one target",
    ],
    [
      ["--vif-id", "dxvif-fgh0hcrk", "--dx-gateway-id", "5f294f92-bafb-4011-916d-9b0b1f1e0f2a", "--route-tables", "all"],
      "--route-tables: applies to a virtual private gateway target",
    ],
    [["--vif-id", "dxvif-fgh0hcrk", "--vpc-id", "vpc-0123456789abcdef0", "--amazon-asn", "65000x"], '--amazon-asn: "65000x" is not an ASN'],
    [["--vif-id", "dxvif-fgh0hcrk", "--vpc-id", "vpc-0123456789abcdef0", "--amazon-asn", "7224"], "--amazon-asn: 7224 is not a private ASN"],
    [["--vif-id", "dxvif-fgh0hcrk", "--vpc-id", "vpc-0123456789abcdef0", "--stack", "Bad_Name"], '--stack: "Bad_Name" must be'],
    // Explicitly empty values are refused by flag name, never taken as "not given" (a script with an unset variable).
    [["--vif-id", "dxvif-fgh0hcrk", "--vpc-id", "vpc-0123456789abcdef0", "--vgw-id", ""], "--vgw-id: is empty"],
    [["--vif-id", "dxvif-fgh0hcrk", "--vgw-id", ""], "--vgw-id: is empty"],
    [["--vif-id", "dxvif-fgh0hcrk", "--vpc-id", "vpc-0123456789abcdef0", "--route-tables", ""], "--route-tables: has an empty item"],
    [["--vif-id", "dxvif-fgh0hcrk,,dxvif-fgh0hcrl", "--vpc-id", "vpc-0123456789abcdef0"], "--vif-id: has an empty item"],
    [["--vif-id", "dxvif-fgh0hcrk", "--vif-id", "", "--vpc-id", "vpc-0123456789abcdef0"], "--vif-id: has an empty item"],
    [["--vif-id", "dxvif-fgh0hcrk", "--dx-gateway-id", ""], "--dx-gateway-id: is empty"],
    [["--vif-id", "dxvif-fgh0hcrk", "--vpc-id", "vpc-0123456789abcdef0", "--amazon-asn", ""], "--amazon-asn: is empty"],
  ])("bad input %j is a one-line usage error before any AWS call (exit 2)", async (argv, message) => {
    const r = await runCli(["dx", "accept-vif", ...argv, "--yes"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(aws.calls).toEqual([]);
  });
});

describe("dx accept-vif: dry run", () => {
  it("--dry-run --json prints the versioned plan and changes nothing", async () => {
    const r = await runCli(accept("--dry-run", "--json"), { aws });
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan).toMatchObject({ schemaVersion: 1, command: "dx accept-vif", kind: "dx", stack: stackName(), region: "ap-northeast-1", offline: false });
    expect(plan.steps.map((s: { id: string; action: string }) => [s.id, s.action])).toEqual([
      ["vgw", "create"],
      ["attach", "create"],
      [`vif:${vifA.virtualInterfaceId}`, "update"],
      [`vif:${vifB.virtualInterfaceId}`, "update"],
      [`propagation:${mainRtb}`, "update"],
      [`propagation:${privRtb}`, "update"],
    ]);
    const vifStep = plan.steps[2];
    expect(vifStep).toMatchObject({
      type: "dx-vif",
      resource: "virtual interface",
      owned: false,
      params: { virtualInterfaceId: vifA.virtualInterfaceId, vlan: 1101, name: "ntte-cgw-a", state: "confirming", confirm: true, tag: true },
      dependsOn: ["attach"],
    });
    expect(plan.steps[4].dependsOn).toEqual(["attach", `vif:${vifA.virtualInterfaceId}`, `vif:${vifB.virtualInterfaceId}`]);
    expect(aws.operations({ writesOnly: true })).toEqual([]);
    expect(vifA.virtualInterfaceState).toBe("confirming");
  });

  it("--dry-run --wait-bgp: the BGP waits come after propagation, which depends only on the accepts", async () => {
    const r = await runCli(accept("--dry-run", "--json", "--wait-bgp"), { aws });
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    const [a, b] = ids();
    const propagation = [`propagation:${mainRtb}`, `propagation:${privRtb}`];
    expect(plan.steps.map((s: { id: string; action: string }) => [s.id, s.action])).toEqual([
      ["vgw", "create"],
      ["attach", "create"],
      [`vif:${a}`, "update"],
      [`vif:${b}`, "update"],
      [`propagation:${mainRtb}`, "update"],
      [`propagation:${privRtb}`, "update"],
      [`bgp:${a}`, "reuse"],
      [`bgp:${b}`, "reuse"],
    ]);
    expect(plan.steps[4].dependsOn).toEqual(["attach", `vif:${a}`, `vif:${b}`]);
    expect(plan.steps[6]).toMatchObject({ type: "dx-bgp", owned: false, params: { virtualInterfaceId: a }, dependsOn: [`vif:${a}`, ...propagation] });
    expect(plan.steps[2].summary).toContain("wait until available (or down: BGP not up yet)");
  });

  it("--dry-run --offline makes no AWS call at all", async () => {
    const r = await runCli(["dx", "accept-vif", "--vif-id", "dxvif-fgh0hcrk", "--vpc-id", "vpc-0123456789abcdef0", "--dry-run", "--offline", "--json"], {
      aws,
    });
    expect(r.code).toBe(0);
    expect(aws.calls).toEqual([]);
    const plan = JSON.parse(r.stdout);
    expect(plan.offline).toBe(true);
    expect(plan.steps.map((s: { id: string }) => s.id)).toEqual(["vgw", "attach", "vif:dxvif-fgh0hcrk", "propagation:all"]);
    expect(plan.steps[2].summary).toContain("not checked offline");
  });

  it("--dry-run --offline with --vgw-id alone or --dx-gateway-id", async () => {
    const vgw = await runCli(["dx", "accept-vif", "--vif-id", "dxvif-fgh0hcrk", "--vgw-id", "vgw-0123abcd", "--dry-run", "--offline"], { aws });
    expect(vgw.code).toBe(0);
    expect(vgw.stdout).toContain("= reuse   virtual private gateway vgw-0123abcd (not checked offline; must be attached to its VPC)");
    expect(vgw.stdout).toContain("accept dxvif-fgh0hcrk onto vgw-0123abcd (not checked offline)");
    expect(vgw.stdout).toContain("every route table of <VPC of vgw-0123abcd>: enable propagation from vgw-0123abcd");
    const dxgw = await runCli(
      ["dx", "accept-vif", "--vif-id", "dxvif-fgh0hcrk", "--dx-gateway-id", "5f294f92-bafb-4011-916d-9b0b1f1e0f2a", "--dry-run", "--offline", "--json"],
      { aws },
    );
    expect(dxgw.code).toBe(0);
    const plan = JSON.parse(dxgw.stdout);
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]).toMatchObject({
      type: "dx-vif",
      dependsOn: [],
      params: { gatewayKind: "dxgw", directConnectGatewayId: "5f294f92-bafb-4011-916d-9b0b1f1e0f2a" },
    });
    expect(aws.calls).toEqual([]);
  });

  it("--dry-run in text shows the plan on stdout", async () => {
    const r = await runCli(accept("--dry-run"), { aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Plan for stack dx-\w+ \(dx accept-vif, region ap-northeast-1\)/);
    expect(r.stdout).toMatch(/~ update\s+accept dxvif-\w+ "ntte-cgw-a" \(VLAN 1101, dxcon-\w+ at EqTY2, partner ASN 65100\) onto <new-vgw-id>/);
    expect(r.stdout).toContain("2 to create, 4 to update, 0 to reuse, 0 unchanged.");
  });
});

describe("dx accept-vif: AWS failures", () => {
  it("DirectConnectClientException on a confirm: exit 1 with code, message, request id and what was already accepted", async () => {
    aws.failNext("ConfirmPrivateVirtualInterface", dxError("DirectConnectClientException", "Virtual interface is not in a state that can be confirmed."));
    const r = await runCli(accept("--yes"), { aws });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "Direct Connect ConfirmPrivateVirtualInterface failed: DirectConnectClientException: Virtual interface is not in a state that can be confirmed.",
    );
    expect(r.stderr).toMatch(/request id: fake-req-\d+/);
    // The other interface was accepted before the failure surfaced.
    expect(r.stderr).toMatch(new RegExp(`changed virtual interface ${vifB.virtualInterfaceId}`));
    expect(r.stderr).toMatch(/created virtual private gateway vgw-\w+/);
    expect(r.stderr).toMatch(/To continue where it stopped, run the same command again/);
    // Propagation waits for the interfaces, so it never started.
    expect(aws.operations()).not.toContain("EnableVgwRoutePropagation");
    // Resuming accepts the remaining one.
    const again = await runCli(accept("--yes"), { aws });
    expect(again.code).toBe(0);
    expect(vifA.virtualInterfaceState).toBe("available");
  });

  it("--json error document carries the AWS code and request id", async () => {
    aws.failNext("DescribeVirtualInterfaces", dxError("DirectConnectClientException", "User is not authorized"));
    const r = await runCli(accept("--json"), { aws });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, ok: false, error: { aws: { code: "DirectConnectClientException", service: "Direct Connect" } } });
    expect(doc.error.aws.requestId).toMatch(/^fake-req-/);
  });

  it("fails fast when the partner deletes an interface while we wait", async () => {
    aws.beforeCall = (op) => {
      if (op === "DescribeVirtualInterfaces" && vifB.virtualInterfaceState === "pending") {
        vifB.transitions = [];
        vifB.virtualInterfaceState = "deleted";
      }
    };
    vifA.bgpUpAfterMs = null;
    const t0 = aws.clock.now();
    const r = await runCli(accept("--yes", "--wait-bgp", "--timeout", "30m"), { aws });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`virtual interface ${vifB.virtualInterfaceId} is deleted: the partner or the owner deleted it`);
    expect(r.stderr).toMatch(new RegExp(`changed virtual interface ${vifB.virtualInterfaceId} \\(deleted\\)`));
    // The other interface stops waiting at its next poll instead of sitting out the 30-minute timeout.
    expect(r.stderr).toMatch(new RegExp(`✖ virtual interface ${vifA.virtualInterfaceId} [^\\n]*stopped waiting because ${vifB.virtualInterfaceId} is deleted`));
    expect(aws.elapsedSince(t0)).toBeLessThan(10 * 60_000);
  });

  it("a tagging failure is a warning, not a failed run", async () => {
    aws.failNext("TagResource", dxError("DirectConnectClientException", "Access denied for tagging"), 2);
    const r = await runCli(accept("--yes"), { aws });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: dxvif-\w+ is accepted but could not be tagged \(DirectConnectClientException/);
    expect(r.stderr).toContain("--vif-id");
  });
});
