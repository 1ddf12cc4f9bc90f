/** `vpn apply` with a Transit Gateway hub, in-process against the fake account. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeAws, installFakeAws, uninstallFakeAws } from "../fakes/aws.js";
import { seedRouteTable, seedSubnet, seedVpc } from "../fakes/ec2.js";
import { seedTgw } from "../fakes/ec2-tgw.js";
import { ec2Error } from "../fakes/model.js";
import { ALL_SERVICES } from "../fakes/services.js";
import { runCli } from "../helpers/cli.js";

let aws: FakeAws;
let vpcId: string;
let rtbIds: string[];
let dir: string;

beforeEach(() => {
  aws = installFakeAws(new FakeAws("ap-northeast-1"), ALL_SERVICES);
  vpcId = seedVpc(aws, { cidr: "172.31.0.0/16", name: "prod" }).VpcId!;
  const main = aws.ec2.routeTables.find((t) => t.VpcId === vpcId)!;
  const priv = seedRouteTable(aws, vpcId, "private");
  seedSubnet(aws, vpcId, "172.31.1.0/24", "ap-northeast-1a", { routeTableId: priv.RouteTableId! });
  seedSubnet(aws, vpcId, "172.31.3.0/24", "ap-northeast-1c");
  rtbIds = [main.RouteTableId!, priv.RouteTableId!];
  dir = mkdtempSync(join(tmpdir(), "vpcwire-apply-tgw-"));
});
afterEach(() => uninstallFakeAws());

/** n sites; even ones BGP (ASN 65010+i), odd ones static. */
function writeSites(n: number, hub = `  transit-gateway: new\n  vpcs: [${vpcId}]`, extra: string[] = []): string {
  const lines = ["hub:", hub, "defaults:", "  routing: bgp", "sites:"];
  for (let i = 0; i < n; i++) {
    lines.push(`  - name: site-${i}`, `    cgw-ip: 198.51.100.${10 + i}`, `    onprem-cidr: [10.${10 + i}.0.0/16]`);
    if (i % 2 === 0) lines.push(`    cgw-asn: ${65010 + i}`);
    else lines.push("    routing: static");
  }
  lines.push(...extra);
  const path = join(dir, "sites.yaml");
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

const apply = (path: string, ...more: string[]) => ["vpn", "apply", "-f", path, ...more];
const tgwRoutesIn = (rtb: string) =>
  aws.ec2.routeTables
    .find((t) => t.RouteTableId === rtb)!
    .Routes!.filter((r) => r.TransitGatewayId)
    .map((r) => r.DestinationCidrBlock!)
    .sort();
const staticRoutes = () => {
  const tgw = aws.ec2.tgws[0]!;
  const table = aws.ec2.tgwRouteTables.find((t) => t.TransitGatewayRouteTableId === tgw.Options!.AssociationDefaultRouteTableId)!;
  return table.routes.map((r) => r.DestinationCidrBlock!).sort();
};
const cidrs = (pred: (i: number) => boolean, n: number) =>
  Array.from({ length: n }, (_, i) => i)
    .filter(pred)
    .map((i) => `10.${10 + i}.0.0/16`)
    .sort();

describe("vpn apply: Transit Gateway hub", () => {
  it("12 sites (more than a VGW holds), static and BGP: one gateway, one VPC attachment, every connection on it, routes both ways; re-run converges", async () => {
    const path = writeSites(12);
    const out = mkdtempSync(join(tmpdir(), "vpcwire-out-"));
    const r = await runCli(apply(path, "--yes", "--out-dir", out, "--json"), { aws });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(aws.count("CreateTransitGateway")).toBe(1);
    expect(aws.count("CreateTransitGatewayVpcAttachment")).toBe(1);
    expect(aws.count("CreateVpnConnection")).toBe(12);
    expect(aws.ec2.vgws).toEqual([]);
    const tgw = aws.ec2.tgws[0]!;
    expect(tgw.Tags).toContainEqual({ Key: "vpcwire:stack", Value: `tgw-hub-${vpcId.slice(-8)}` });
    expect(tgw.Options).toMatchObject({ VpnEcmpSupport: "enable", DefaultRouteTableAssociation: "enable", DefaultRouteTablePropagation: "enable" });
    const vpcAtt = aws.ec2.tgwAttachments.filter((a) => a.ResourceType === "vpc");
    expect(vpcAtt).toHaveLength(1);
    expect(vpcAtt[0]!.Tags).toContainEqual({ Key: "vpcwire:stack", Value: `tgw-hub-${vpcId.slice(-8)}` });
    expect(aws.ec2.vpns.every((v) => v.State === "available" && v.TransitGatewayId === tgw.TransitGatewayId && !v.VpnGatewayId)).toBe(true);
    // Static sites: their ranges in the gateway's route table; BGP sites: none (learned over BGP).
    expect(staticRoutes()).toEqual(cidrs((i) => i % 2 === 1, 12));
    // Every site's ranges in every VPC route table, to the gateway, recorded on the site's connection.
    for (const rtb of rtbIds) expect(tgwRoutesIn(rtb)).toEqual(cidrs(() => true, 12));
    const site3 = aws.ec2.vpns.find((v) => v.Tags?.some((t) => t.Key === "vpcwire:stack" && t.Value === "site-3"))!;
    expect(site3.Tags).toContainEqual({ Key: "vpcwire:routes-vpc", Value: vpcId });
    expect(site3.Tags).toContainEqual({ Key: "vpcwire:routes", Value: "10.13.0.0/16" });
    const doc = JSON.parse(r.stdout);
    expect(doc.hub.id).toBe(tgw.TransitGatewayId);
    expect(doc.sites.map((s: { result: string }) => s.result)).toEqual(Array(12).fill("created"));
    for (let i = 0; i < 12; i++) expect(readFileSync(join(out, `site-${i}.cfg`), "utf8")).toContain("crypto ikev2");
    // BGP on the gateway's ASN; the file's sites are not "not in file".
    expect(readFileSync(join(out, "site-0.cfg"), "utf8")).toContain("remote-as 64512");
    expect(doc.notInFile).toEqual([]);

    const writes = aws.operations({ writesOnly: true }).length;
    const again = await runCli(apply(path, "--yes", "--json"), { aws });
    expect(again.code).toBe(0);
    expect(aws.operations({ writesOnly: true }).length).toBe(writes);
    expect(JSON.parse(again.stdout).sites.map((s: { result: string }) => s.result)).toEqual(Array(12).fill("unchanged"));
  });

  it("a reused gateway: attached once, sites on it, nothing of the gateway owned by the hub", async () => {
    const tgw = seedTgw(aws, { asn: 64600 });
    const path = writeSites(3, `  transit-gateway: ${tgw.TransitGatewayId}\n  vpcs: [${vpcId}]\n  route-tables: [${rtbIds[1]}]`);
    const r = await runCli(apply(path, "--yes"), { aws });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(aws.count("CreateTransitGateway")).toBe(0);
    expect(aws.count("CreateTransitGatewayVpcAttachment")).toBe(1);
    expect(aws.ec2.vpns.every((v) => v.TransitGatewayId === tgw.TransitGatewayId)).toBe(true);
    expect(tgwRoutesIn(rtbIds[1]!)).toEqual(cidrs(() => true, 3));
    expect(tgwRoutesIn(rtbIds[0]!)).toEqual([]);
    // A vpn stack on the gateway that the file does not list is "not in file".
    const two = writeSites(2, `  transit-gateway: ${tgw.TransitGatewayId}\n  vpcs: [${vpcId}]\n  route-tables: [${rtbIds[1]}]`);
    const plan = await runCli(apply(two, "--dry-run", "--json"), { aws });
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout).notInFile.map((s: { stack: string }) => s.stack)).toEqual(["site-2"]);
  });

  it("plans examples/sites-tgw.yaml offline: the hub's gateway, every site on it, the VPC CIDR from the hub", async () => {
    const r = await runCli(apply("examples/sites-tgw.yaml", "--dry-run", "--offline"), { aws });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(aws.calls).toEqual([]);
    expect(r.stdout).toContain("Hub (stack tgw-hub-9abcdef0):");
    for (const site of ["osaka", "nagoya", "sapporo"]) expect(r.stdout).toContain(`Site ${site}:`);
    expect(r.stdout).toContain("· no-op   transit gateway <new-tgw-id> (the hub, stack tgw-hub-9abcdef0)");
    expect(r.stdout).toContain("on <new-tgw-id>, accelerated");
    expect(r.stdout).not.toContain("the VPC's CIDR is unknown");
  });

  it("--dry-run --offline: the hub's gateway and attachment, the sites on it, the no-propagation note; no AWS call", async () => {
    const path = writeSites(12);
    const r = await runCli(apply(path, "--dry-run", "--offline", "--region", "ap-northeast-1"), { aws });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(aws.calls).toEqual([]);
    expect(r.stdout).toContain("transit gateway <new-tgw-id>");
    expect(r.stdout).toContain("A Transit Gateway does not propagate routes into VPC route tables");
    expect(r.stdout).toMatch(/Total: 12 sites/);
    const j = await runCli(apply(path, "--dry-run", "--offline", "--region", "ap-northeast-1", "--json"), { aws });
    const doc = JSON.parse(j.stdout);
    expect(doc.hub.steps.map((s: { id: string; action: string }) => `${s.id}:${s.action}`)).toEqual(["tgw:create", "tgw-attach:create"]);
    const site1 = doc.sites[1].plan.steps.map((s: { id: string; action: string }) => `${s.id}:${s.action}`);
    expect(site1).toEqual(expect.arrayContaining(["tgw:no-op", "tgw-attach:no-op", "vpn:create", "tgw-vpn-attach:create", "tgw-route:10.11.0.0/16:create"]));
    expect(aws.calls).toEqual([]);
  });

  it("one site fails halfway: the others finish and the hub is made once; a re-run finishes it", async () => {
    const path = writeSites(4);
    let creates = 0;
    aws.beforeCall = (op) => {
      if (op === "CreateVpnConnection" && ++creates === 2) aws.failNext("CreateVpnConnection", ec2Error("InvalidParameterValue", "boom"));
    };
    const r = await runCli(apply(path, "--yes", "--json"), { aws });
    aws.beforeCall = undefined;
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.sites.filter((s: { ok: boolean }) => !s.ok)).toHaveLength(1);
    expect(aws.ec2.vpns.filter((v) => v.State === "available")).toHaveLength(3);
    const again = await runCli(apply(path, "--yes", "--json"), { aws });
    expect(again.code).toBe(0);
    expect(aws.ec2.vpns.filter((v) => v.State === "available")).toHaveLength(4);
    expect(aws.count("CreateTransitGateway")).toBe(1);
    expect(aws.count("CreateTransitGatewayVpcAttachment")).toBe(1);
    for (const rtb of rtbIds) expect(tgwRoutesIn(rtb)).toEqual(cidrs(() => true, 4));
  });

  it("destroy --stack of one site removes its connection and routes, and leaves the hub and the other sites", async () => {
    const path = writeSites(3);
    expect((await runCli(apply(path, "--yes"), { aws })).code).toBe(0);
    const d = await runCli(["destroy", "--stack", "site-1", "--yes"], { aws });
    expect(d.stderr).not.toMatch(/internal error/);
    expect(d.code).toBe(0);
    expect(aws.ec2.tgws[0]!.State).toBe("available");
    expect(aws.ec2.tgwAttachments.find((a) => a.ResourceType === "vpc")!.State).toBe("available");
    const live = aws.ec2.vpns.filter((v) => v.State === "available");
    expect(live.map((v) => v.Tags!.find((t) => t.Key === "vpcwire:stack")!.Value).sort()).toEqual(["site-0", "site-2"]);
    for (const rtb of rtbIds) expect(tgwRoutesIn(rtb)).toEqual(["10.10.0.0/16", "10.12.0.0/16"]);
    expect(staticRoutes()).not.toContain("10.11.0.0/16");
    // The fleet converges on re-run by bringing site-1 back.
    const again = await runCli(apply(path, "--yes", "--json"), { aws });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).sites.map((s: { result: string }) => s.result)).toEqual(["unchanged", "created", "unchanged"]);
  });

  it("destroy --stack of the hub keeps the gateway while sites use it, and removes it once they are gone", async () => {
    const path = writeSites(2);
    expect((await runCli(apply(path, "--yes"), { aws })).code).toBe(0);
    const hub = `tgw-hub-${vpcId.slice(-8)}`;
    const early = await runCli(["destroy", "--stack", hub, "--yes"], { aws });
    expect(early.stderr).not.toMatch(/internal error/);
    expect(aws.ec2.tgws[0]!.State).toBe("available");
    expect(aws.ec2.vpns.filter((v) => v.State === "available")).toHaveLength(2);
    for (const site of ["site-0", "site-1"]) expect((await runCli(["destroy", "--stack", site, "--yes"], { aws })).code).toBe(0);
    const d = await runCli(["destroy", "--stack", hub, "--yes"], { aws });
    expect(d.stderr).not.toMatch(/internal error/);
    expect(d.code).toBe(0);
    expect(aws.ec2.tgwAttachments.filter((a) => a.ResourceType === "vpc").every((a) => a.State === "deleted")).toBe(true);
    expect(aws.ec2.tgws[0]!.State).toMatch(/deleting|deleted/);
    for (const rtb of rtbIds) expect(tgwRoutesIn(rtb)).toEqual([]);
  });
});

describe("vpn apply: Transit Gateway sites file", () => {
  it("checks the hub and the sites with the TGW rules, exit 2 before any AWS call", async () => {
    const bad = writeSites(
      2,
      "  transit-gateway: tgw-nope\n  vpcs: [vpc-0123456789abcdef0, vpc-0123456789abcdef1]\n  tgw-asn: 100\n  vpc-id: vpc-0123456789abcdef0",
      [
        "  - name: site-x",
        "    cgw-ip: 198.51.100.99",
        "    cgw-asn: 65099",
        "    onprem-cidr: [10.99.0.0/16]",
        "    transit-gateway-id: tgw-0123456789abcdef0",
        "    tgw-subnets: [subnet-0123456789abcdef0]",
      ],
    );
    const r = await runCli(apply(bad, "--dry-run", "--offline"), { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('hub.transit-gateway: "tgw-nope" is not a Transit Gateway id (tgw-…) or new');
    expect(r.stderr).toContain("hub.vpcs: one VPC per Transit Gateway hub");
    expect(r.stderr).toContain("hub.tgw-asn: applies only to transit-gateway: new");
    expect(r.stderr).toContain("hub.vpc-id: not with hub: transit-gateway");
    expect(r.stderr).toMatch(/site site-x, transit-gateway-id: belongs under hub:/);
    expect(r.stderr).toMatch(/site site-x, tgw-subnets: belongs under hub:/);
    expect(aws.calls).toEqual([]);
  });

  it("the account contradicts the hub: a gateway that does not exist, a subnet not in the VPC (exit 2, named by hub key, nothing written)", async () => {
    const missing = writeSites(2, `  transit-gateway: tgw-0123456789abcdef0\n  vpcs: [${vpcId}]`);
    const r = await runCli(apply(missing, "--dry-run"), { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("hub.transit-gateway: tgw-0123456789abcdef0 does not exist in this account and Region");
    const subnet = writeSites(2, `  transit-gateway: new\n  vpcs: [${vpcId}]\n  tgw-subnets: [subnet-0123456789abcdef0]`);
    const r2 = await runCli(apply(subnet, "--yes"), { aws });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(`hub.tgw-subnets: subnet-0123456789abcdef0 is not a subnet of ${vpcId}`);
    expect(aws.operations({ writesOnly: true })).toEqual([]);
  });

  it("a BGP site with the new gateway's ASN is refused; acceleration is a per-site key; no 10-site limit", async () => {
    const clash = writeSites(2, `  transit-gateway: new\n  vpcs: [${vpcId}]\n  tgw-asn: 65010`);
    const r = await runCli(apply(clash, "--dry-run", "--offline"), { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/site site-0, cgw-asn: .*Transit Gateway's ASN/);
    const accel = writeSites(11, undefined, [
      "  - name: fast",
      "    cgw-ip: 198.51.100.200",
      "    cgw-asn: 65200",
      "    onprem-cidr: [10.200.0.0/16]",
      "    acceleration: true",
    ]);
    const ok = await runCli(apply(accel, "--dry-run", "--offline", "--json"), { aws });
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    const doc = JSON.parse(ok.stdout);
    expect(doc.totals.sites).toBe(12);
    expect(doc.sites[11].plan.steps.find((s: { id: string }) => s.id === "vpn").params.acceleration).toBe(true);
  });
});
