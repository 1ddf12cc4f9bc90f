import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeAws, installFakeAws, uninstallFakeAws } from "../fakes/aws.js";
import { seedVgw, seedVpc } from "../fakes/ec2.js";
import { ec2Error, SimClock } from "../fakes/model.js";
import { ALL_SERVICES } from "../fakes/services.js";
import { KEY, runCli } from "../helpers/cli.js";

let aws: FakeAws;
let vpcId: string;
let dir: string;

function setup(clock?: SimClock): void {
  aws = installFakeAws(new FakeAws("ap-northeast-1", clock ? { clock } : {}), ALL_SERVICES);
  vpcId = seedVpc(aws, { cidr: "172.31.0.0/16", name: "prod" }).VpcId!;
  dir = mkdtempSync(join(tmpdir(), "vpcwire-apply-"));
}
beforeEach(() => setup());
afterEach(() => uninstallFakeAws());

interface Site {
  name: string;
  ip: string;
  asn?: number;
  cidr: string;
  extra?: string;
}

/** n sites: 198.51.100.(10+i), ASN 65010+i, 10.(10+i).0.0/16. */
function sites(n: number, from = 0): Site[] {
  return Array.from({ length: n }, (_, k) => {
    const i = k + from;
    return { name: `site-${i}`, ip: `198.51.100.${10 + i}`, asn: 65010 + i, cidr: `10.${10 + i}.0.0/16` };
  });
}

function writeSites(list: Site[], opts: { hub?: string; defaults?: string; quotas?: string } = {}): string {
  const lines = [
    "hub:",
    opts.hub ?? `  vpc-id: ${vpcId}`,
    "defaults:",
    opts.defaults ?? "  routing: bgp",
    ...(opts.quotas ? ["quotas:", opts.quotas] : []),
    "sites:",
    ...list.flatMap((s) => [
      `  - name: ${s.name}`,
      `    cgw-ip: ${s.ip}`,
      ...(s.asn !== undefined ? [`    cgw-asn: ${s.asn}`] : []),
      `    onprem-cidr: [${s.cidr}]`,
      ...(s.extra ? [s.extra] : []),
    ]),
  ];
  const path = join(dir, "sites.yaml");
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

const apply = (path: string, ...more: string[]) => ["vpn", "apply", "-f", path, ...more];

describe("vpn apply: the sites file is checked whole", () => {
  it("reports every problem with its site, key and line, exit 2, and sends nothing to AWS", async () => {
    const path = writeSites([
      { name: "osaka", ip: "198.51.100.10", asn: 65010, cidr: "10.10.0.0/16" },
      { name: "kyoto", ip: "not-an-ip", asn: 65011, cidr: "10.11.0.0/16" },
      { name: "kobe", ip: "198.51.100.10", asn: 65012, cidr: "10.10.128.0/17" },
      { name: "osaka", ip: "198.51.100.13", asn: 65010, cidr: "10.13.0.0/16", extra: "    tunel1-inside-cidr: 169.254.10.0/30" },
    ]);
    const r = await runCli(apply(path, "--dry-run"), { aws });
    expect(r.code).toBe(2);
    expect(aws.calls).toEqual([]);
    expect(r.stderr).toContain("sites.yaml: 6 problems, nothing was sent to AWS");
    // The line of the key itself when the site sets it.
    expect(r.stderr).toContain('sites.yaml:11: site kyoto, cgw-ip: "not-an-ip" is not an IPv4 address');
    expect(r.stderr).toContain("sites.yaml:22: site osaka, tunel1-inside-cidr: unknown key: vpn create has no such flag");
    // Across sites: the line of the key too.
    expect(r.stderr).toContain("sites.yaml:15: site kobe, cgw-ip: 198.51.100.10 is also site osaka's router");
    expect(r.stderr).toContain("sites.yaml:17: site kobe, onprem-cidr: 10.10.128.0/17 overlaps site osaka's 10.10.0.0/16");
    expect(r.stderr).toContain("sites.yaml:18: site osaka, name: also the name of the site on line 6");
    expect(r.stderr).toContain("sites.yaml:20: site osaka, cgw-asn: ASN 65010 is also site osaka's");
  });

  it("a site's every bad value is reported at once, not only the first (and nothing that only follows from one)", async () => {
    const path = writeSites([
      {
        name: "nara",
        ip: "not-an-ip",
        asn: 65010,
        cidr: "10.10.0.0/16",
        extra: ["    tunnel1-inside-cidr: 10.0.0.0/30", "    security-group: group-1", "    allow: [ssh]", "    psk-storage: vault"].join("\n"),
      },
      { name: "uji", ip: "198.51.100.11", asn: 65011, cidr: "10.11.0.0/16", extra: "    tunnel-number-base: -3" },
    ]);
    const r = await runCli(apply(path, "--dry-run", "--offline"), { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('sites.yaml:7: site nara, cgw-ip: "not-an-ip" is not an IPv4 address');
    expect(r.stderr).toMatch(/sites\.yaml:10: site nara, tunnel1-inside-cidr: .*169\.254/);
    expect(r.stderr).toMatch(/sites\.yaml:11: site nara, security-group: /);
    expect(r.stderr).toMatch(/sites\.yaml:13: site nara, psk-storage: /);
    expect(r.stderr).toMatch(/site uji, tunnel-number-base: /);
    // --allow is fine by itself: that it "needs --security-group" only follows from setting the bad group aside.
    expect(r.stderr).not.toContain("allow:");
    expect(r.stderr).toContain("sites.yaml: 5 problems, nothing was sent to AWS");
    // In file order.
    const lines = [...r.stderr.matchAll(/sites\.yaml:(\d+):/g)].map((m) => Number(m[1]));
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    // For scripts: the same problems as a list, each with its line, site and key.
    const json = await runCli(apply(path, "--dry-run", "--offline", "--json"), { aws });
    const doc = JSON.parse(json.stdout);
    expect(doc.error.problems).toHaveLength(5);
    expect(doc.error.problems[0]).toEqual({ line: 7, site: "nara", key: "cgw-ip", message: '"not-an-ip" is not an IPv4 address' });
  });

  it("a YAML syntax error is reported with its line", async () => {
    const path = join(dir, "broken.yaml");
    writeFileSync(path, "hub:\n  vpc-id: vpc-0123456789abcdef0\nsites:\n  - name: a\n    cgw-ip: [1, 2\n  - name: b\n");
    const r = await runCli(apply(path, "--dry-run", "--offline"), { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.yaml:\d+: Flow sequence/);
  });

  it("a site with problems of its own is still compared with the others, and a site without a name still has its values checked", async () => {
    const path = writeSites([
      { name: "kobe", ip: "198.51.100.10", asn: 65010, cidr: "10.10.0.0/16", extra: "    allow: [nope]\n    tunnel1-inside-cidr: 169.254.10.0/30" },
      { name: "nara", ip: "198.51.100.10", asn: 65011, cidr: "10.10.1.0/24", extra: "    tunnel1-inside-cidr: 169.254.10.0/30" },
      { name: "", ip: "999.1.1.1", asn: 65012, cidr: "10.0.0.0/33" },
    ]);
    const r = await runCli(apply(path, "--dry-run", "--offline"), { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sites\.yaml:10: site kobe, allow: /);
    expect(r.stderr).toContain("sites.yaml:13: site nara, cgw-ip: 198.51.100.10 is also site kobe's router");
    expect(r.stderr).toContain("sites.yaml:15: site nara, onprem-cidr: 10.10.1.0/24 overlaps site kobe's 10.10.0.0/16");
    expect(r.stderr).toContain("sites.yaml:16: site nara, tunnel1-inside-cidr: 169.254.10.0/30 is also used by site kobe");
    expect(r.stderr).toContain("sites.yaml:17: site #3, name: required");
    expect(r.stderr).toContain('sites.yaml:18: site #3, cgw-ip: "999.1.1.1" is not an IPv4 address');
    expect(r.stderr).toMatch(/sites\.yaml:20: site #3, onprem-cidr: /);
  });

  it("a key from defaults is reported at the defaults line; hub-only keys are refused per site", async () => {
    const path = writeSites(sites(2), { defaults: "  routing: bgp\n  crypto: ancient\n  vpc-id: vpc-0123456789abcdef0" });
    const r = await runCli(apply(path, "--dry-run", "--offline"), { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sites\.yaml:6: defaults\.vpc-id: belongs under hub:/);
    expect(r.stderr).toMatch(/sites\.yaml:5: site site-0, crypto \(from defaults\): /);
  });

  it("more sites than a virtual private gateway holds: says so and suggests a Transit Gateway", async () => {
    const path = writeSites(sites(11));
    const r = await runCli(apply(path, "--dry-run", "--offline"), { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /sites\.yaml:5: sites: 11 sites, but a virtual private gateway holds at most 10 VPN connections \(AWS's default quota\); use a Transit Gateway hub \(hub: transit-gateway: new\)/,
    );
  });

  it("the customer gateway quota counts the routers of the file", async () => {
    const path = writeSites(sites(4), { quotas: "  customer-gateways: 3" });
    const r = await runCli(apply(path, "--dry-run", "--offline"), { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("sites: 4 customer gateways, but a Region holds at most 3");
  });

  it("a Transit Gateway hub is checked, and holds more sites than a VGW (apply-tgw.test.ts has the rest)", async () => {
    const bad = writeSites(sites(2), { hub: "  transit-gateway: tgw-nope\n  vpcs: [vpc-0123456789abcdef0]" });
    const r1 = await runCli(apply(bad, "--dry-run", "--offline"), { aws });
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain('sites.yaml:2: hub.transit-gateway: "tgw-nope" is not a Transit Gateway id (tgw-…) or new');
    const ok = writeSites(sites(12), { hub: "  transit-gateway: new\n  vpcs: [vpc-0123456789abcdef0]" });
    const r2 = await runCli(apply(ok, "--dry-run", "--offline", "--region", "ap-northeast-1"), { aws });
    expect(r2.stderr).toBe("");
    expect(r2.code).toBe(0);
    expect(r2.stdout).toMatch(/Total: 12 sites/);
  });

  it("JSON files are accepted", async () => {
    const path = join(dir, "sites.json");
    writeFileSync(
      path,
      JSON.stringify({
        hub: { "vpc-id": vpcId, "vpc-cidr": "172.31.0.0/16" },
        sites: [{ name: "osaka", "cgw-ip": "198.51.100.10", "onprem-cidr": ["10.10.0.0/16"] }],
      }),
    );
    const r = await runCli(apply(path, "--dry-run", "--offline"), { aws });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Site osaka:");
  });
});

describe("vpn apply: one plan for the fleet", () => {
  it("--dry-run --offline: per-site sections and a total, no AWS call", async () => {
    const r = await runCli(apply("examples/sites.yaml", "--dry-run", "--offline"), { aws });
    expect(r.code).toBe(0);
    expect(aws.calls).toEqual([]);
    expect(r.stdout).toContain("Fleet plan for");
    expect(r.stdout).toContain("Hub (stack vpn-hub-9abcdef0):");
    expect(r.stdout).toContain("+ create  virtual private gateway <new-vgw-id>");
    for (const site of ["osaka", "nagoya", "sapporo"]) expect(r.stdout).toContain(`Site ${site}:`);
    expect(r.stdout).toContain("· no-op   virtual private gateway <new-vgw-id> (the hub, stack vpn-hub-9abcdef0)");
    expect(r.stdout).toMatch(/Total: 3 sites \(3 to create or change, 0 unchanged\); \d+ to create/);
  });

  it("--dry-run with --out-dir writes no config and says so", async () => {
    const out = mkdtempSync(join(tmpdir(), "vpcwire-out-"));
    const r = await runCli(apply("examples/sites.yaml", "--dry-run", "--offline", "--out-dir", out), { aws });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`--dry-run: nothing was written to ${out}`);
    expect(readdirSync(out)).toEqual([]);
  });

  it("--dry-run --json: one versioned document with the hub, the sites and the totals", async () => {
    const path = writeSites(sites(3));
    const r = await runCli(apply(path, "--dry-run", "--json"), { aws });
    expect(r.code).toBe(0);
    expect(aws.operations({ writesOnly: true })).toEqual([]);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, ok: true, command: "vpn apply", offline: false, notInFile: [] });
    expect(doc.hub.steps.map((s: { id: string }) => s.id)).toEqual(["vgw", "attach", `propagation:${aws.ec2.routeTables[0]!.RouteTableId}`]);
    expect(doc.sites.map((s: { name: string }) => s.name)).toEqual(["site-0", "site-1", "site-2"]);
    expect(doc.sites[0].plan.steps.find((s: { id: string }) => s.id === "vpn").action).toBe("create");
    expect(doc.totals).toMatchObject({ sites: 3, sitesToChange: 3, sitesUnchanged: 0 });
  });

  it("off a terminal, applying needs --yes", async () => {
    const r = await runCli(apply(writeSites(sites(1))), { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--yes: vpn apply changes many stacks");
    expect(aws.operations({ writesOnly: true })).toEqual([]);
  });
});

describe("vpn apply: flags", () => {
  it("--file is required, --parallel and --out-dir are checked before any AWS call", async () => {
    let r = await runCli(["vpn", "apply", "--dry-run"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required flag: --file");
    r = await runCli(apply(writeSites(sites(1)), "--parallel", "0", "--dry-run"), { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--parallel: must be a whole number from 1 to 200, not "0"');
    r = await runCli(apply(writeSites(sites(1)), "--out-dir", join(dir, "nope"), "--yes"), { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--out-dir: directory");
    expect(aws.calls).toEqual([]);
  });

  it("inside CIDRs that collide across sites are named by their key", async () => {
    const list = sites(2);
    list[0]!.extra = "    tunnel1-inside-cidr: 169.254.10.0/30";
    list[1]!.extra = "    tunnel2-inside-cidr: 169.254.10.0/30";
    const r = await runCli(apply(writeSites(list), "--dry-run", "--offline"), { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("site site-1, tunnel2-inside-cidr: 169.254.10.0/30 is also used by site site-0");
  });
});

describe("vpn apply: applying", () => {
  it("in a terminal, the plan is shown and confirmed once for the whole fleet", async () => {
    const path = writeSites(sites(2));
    const r = await runCli(apply(path), { aws, tty: true, answers: [{ waitFor: "Apply this plan to 2 sites?", keys: KEY.enter }] });
    expect(r.code).toBe(0);
    // The fleet's one question; no site asks vpn create's own.
    expect(r.stderr).toContain("Apply this plan to 2 sites?");
    expect(r.stderr).not.toContain("Apply this plan?");
    expect(aws.ec2.vpns.filter((v) => v.State === "available")).toHaveLength(2);
  });

  it("creates the hub once, then the sites concurrently; re-running converges", async () => {
    const path = writeSites(sites(3));
    const out = mkdtempSync(join(tmpdir(), "vpcwire-out-"));
    const r = await runCli(apply(path, "--yes", "--out-dir", out), { aws });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(aws.count("CreateVpnGateway")).toBe(1);
    expect(aws.count("AttachVpnGateway")).toBe(1);
    expect(aws.count("CreateVpnConnection")).toBe(3);
    expect(aws.ec2.vpns.every((v) => v.State === "available" && v.VpnGatewayId === aws.ec2.vgws[0]!.VpnGatewayId)).toBe(true);
    // The sites' connections were created before any had finished: concurrent, not one after another.
    const creates = aws.calls
      .map((c, i) => [c.operation, i] as const)
      .filter(([op]) => op === "CreateVpnConnection")
      .map(([, i]) => i);
    const firstAvailablePoll = aws.calls.findIndex((c, i) => i > creates[0]! && c.operation === "DescribeVpnConnections");
    expect(creates[2]!).toBeLessThan(firstAvailablePoll + 10);
    // Each site is its own stack, tagged at creation.
    for (const [i, v] of aws.ec2.vpns.entries()) expect(v.Tags).toContainEqual({ Key: "vpcwire:stack", Value: `site-${i}` });
    expect(aws.ec2.vgws[0]!.Tags).toContainEqual({ Key: "vpcwire:stack", Value: `vpn-hub-${vpcId.slice(-8)}` });
    // One progress line per site and a summary table.
    expect(r.stderr).toMatch(/✔ site site-1: created, vpn-\w+ available/);
    expect(r.stderr).toMatch(/SITE\s+RESULT\s+VPN CONNECTION\s+STATE\s+ELAPSED/);
    // One config per site, 0600, named after the site.
    for (const s of ["site-0", "site-1", "site-2"]) {
      const file = join(out, `${s}.cfg`);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, "utf8")).toContain("crypto ikev2");
    }

    const writes = aws.operations({ writesOnly: true }).length;
    const again = await runCli(apply(path, "--yes", "--json"), { aws });
    expect(again.code).toBe(0);
    expect(aws.operations({ writesOnly: true }).length).toBe(writes);
    const doc = JSON.parse(again.stdout);
    expect(doc.sites.map((s: { result: string }) => s.result)).toEqual(["unchanged", "unchanged", "unchanged"]);

    // vpn config works for each site's stack.
    const cfg = await runCli(["vpn", "config", "--stack", "site-2", "--device", "strongswan"], { aws });
    expect(cfg.code).toBe(0);
    expect(cfg.stdout).toContain("198.51.100.12");
  });

  it("polls of many sites share one Describe call per tick", async () => {
    const path = writeSites(sites(5));
    const r = await runCli(apply(path, "--yes", "--json"), { aws });
    expect(r.code).toBe(0);
    const polls = aws.calls.filter((c) => c.operation === "DescribeVpnConnections" && Array.isArray(c.input.VpnConnectionIds));
    expect(polls.some((c) => (c.input.VpnConnectionIds as string[]).length > 1)).toBe(true);
    expect(JSON.parse(r.stdout).calls.sharedReads).toBeGreaterThan(0);
  });

  it("one site fails halfway: the others finish, exit 1 with per-site results; a re-run finishes it", async () => {
    const path = writeSites(sites(3));
    let creates = 0;
    aws.beforeCall = (op) => {
      if (op === "CreateVpnConnection" && ++creates === 2) aws.failNext("CreateVpnConnection", ec2Error("InvalidParameterValue", "boom"));
    };
    const r = await runCli(apply(path, "--yes", "--json"), { aws });
    aws.beforeCall = undefined;
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(false);
    const failed = doc.sites.filter((s: { ok: boolean }) => !s.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ result: "failed", error: { code: "InvalidParameterValue" } });
    expect(failed[0].existing.map((e: { kind: string }) => e.kind)).toContain("customer gateway");
    expect(doc.sites.filter((s: { ok: boolean }) => s.ok)).toHaveLength(2);
    expect(aws.ec2.vpns.filter((v) => v.State === "available")).toHaveLength(2);

    const again = await runCli(apply(path, "--yes", "--json"), { aws });
    expect(again.code).toBe(0);
    expect(
      JSON.parse(again.stdout)
        .sites.map((s: { result: string }) => s.result)
        .sort(),
    ).toEqual(["created", "unchanged", "unchanged"]);
    expect(aws.ec2.vpns.filter((v) => v.State === "available")).toHaveLength(3);
    expect(aws.count("CreateVpnGateway")).toBe(1);
  });

  it("Ctrl-C during a fleet apply: exit 130; a re-run converges and everything carries its stack tag", async () => {
    const path = writeSites(sites(4));
    const controller = new AbortController();
    let creates = 0;
    aws.beforeCall = (op) => {
      if (op === "CreateVpnConnection" && ++creates === 2) controller.abort();
    };
    const r = await runCli(apply(path, "--yes"), { aws, signal: controller.signal });
    aws.beforeCall = undefined;
    expect(r.code).toBe(130);
    const again = await runCli(apply(path, "--yes", "--json"), { aws });
    expect(again.code).toBe(0);
    expect(aws.ec2.vpns.filter((v) => v.State === "available")).toHaveLength(4);
    for (const res of [...aws.ec2.vgws, ...aws.ec2.cgws, ...aws.ec2.vpns]) {
      expect(res.Tags?.some((t) => t.Key === "vpcwire:stack")).toBe(true);
    }
    expect(aws.ec2.cgws).toHaveLength(4);
  });

  it("a site removed from the file is not deleted; the plan lists it as not in file", async () => {
    await runCli(apply(writeSites(sites(3)), "--yes"), { aws });
    const path = writeSites(sites(2));
    const r = await runCli(apply(path, "--dry-run"), { aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Not in file .*\n\s+· site-2: VPN connection vpn-\w+ \(available\) on the hub — not in file/);
    const json = JSON.parse((await runCli(apply(path, "--dry-run", "--json"), { aws })).stdout);
    expect(json.notInFile).toEqual([{ stack: "site-2", vpnConnectionId: aws.ec2.vpns[2]!.VpnConnectionId, state: "available" }]);
    const applied = await runCli(apply(path, "--yes"), { aws });
    expect(applied.code).toBe(0);
    expect(aws.operations({ writesOnly: true }).filter((op) => op.startsWith("Delete"))).toEqual([]);
    expect(aws.ec2.vpns[2]!.State).toBe("available");
  });

  it("a gateway that already holds connections: the quota is checked against the account (exit 2, nothing changed)", async () => {
    aws.limits.vpnConnectionsPerVgw = 2;
    const quota = { quotas: "  vpn-connections-per-gateway: 2" };
    expect((await runCli(apply(writeSites(sites(2), quota), "--yes"), { aws })).code).toBe(0);
    const writes = aws.operations({ writesOnly: true }).length;
    const r = await runCli(apply(writeSites(sites(1, 5), quota), "--yes"), { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already holds 2 VPN connections and the file adds 1: 3 is more than its 2 .*use a Transit Gateway hub/);
    expect(aws.operations({ writesOnly: true }).length).toBe(writes);
  });

  it("AWS's VpnConnectionLimitExceeded (the quota set higher in the file than in the account) fails only that site", async () => {
    const vgw = seedVgw(aws, { attachTo: vpcId });
    aws.limits.vpnConnectionsPerVgw = 2;
    await runCli(apply(writeSites(sites(2), { quotas: "  vpn-connections-per-gateway: 2" }), "--yes"), { aws });
    expect(aws.ec2.vpns).toHaveLength(2);
    const r = await runCli(apply(writeSites(sites(3), { quotas: "  vpn-connections-per-gateway: 3" }), "--yes"), { aws });
    expect(r.code).toBe(1);
    // The file said 3 but AWS refused the third: VpnConnectionLimitExceeded for that site only.
    expect(r.stderr).toMatch(/site site-2: failed: .*VpnConnectionLimitExceeded/);
    expect(vgw.VpnGatewayId).toBe(aws.ec2.vgws[0]!.VpnGatewayId);
    const r2 = await runCli(apply(writeSites(sites(3)), "--dry-run"), { aws });
    expect(r2.code).toBe(0);
  });

  it("throttling under load slows the fleet instead of failing it", async () => {
    setup(new SimClock());
    aws.rateLimits = { mutating: 2, describe: 4 };
    const path = writeSites(sites(10));
    const r = await runCli(apply(path, "--yes", "--json"), { aws });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const throttled = [...aws.throttled.values()].reduce((a, b) => a + b, 0);
    expect(throttled).toBeGreaterThan(0);
    expect(JSON.parse(r.stdout).calls.throttledAndRetried).toBe(throttled);
    expect(aws.ec2.vpns.filter((v) => v.State === "available")).toHaveLength(10);
  });
});
