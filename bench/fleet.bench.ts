/**
 * Fleet benchmark (issue #12, point 6): `vpn apply` of 50 sites against the in-memory AWS, compared
 * with one site and with 50 single-site `vpn create` runs.
 *
 * The fake models what makes a fleet slow on AWS: each call takes model time (Describe 150 ms,
 * writes 300 ms), resources take AWS's times (VGW 20 s, attach 30 s, VPN connection 5 min), and EC2's
 * request rate limits are enforced (10 mutating calls/s, 20 Describe calls/s; beyond them the call
 * fails with RequestLimitExceeded). Time is a SimClock: concurrent waits overlap as in real time,
 * and the whole run takes seconds. Reported on stderr: model wall time, AWS calls, throttled calls.
 * The 50 sites go onto a Transit Gateway hub (`hub: transit-gateway: new`: the issue's "50 sites onto a
 * TGW"), compared with one site on the same kind of hub and with 50 `vpn create` runs one after another
 * (the first `--transit-gateway new`, the others `--transit-gateway-id` of it). A virtual private
 * gateway holds 10 connections by default: the VGW case is 10 sites vs one.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bench, describe } from "vitest";
import { FakeAws, installFakeAws } from "../test/fakes/aws.js";
import { seedRouteTable, seedSubnet, seedVpc } from "../test/fakes/ec2.js";
import { SimClock } from "../test/fakes/model.js";
import { ALL_SERVICES } from "../test/fakes/services.js";
import { runCli } from "../test/helpers/cli.js";

const SITES = Number(process.env.BENCH_SITES ?? 50);
const VGW_SITES = 10;
type HubKind = "tgw" | "vgw";

function account() {
  const aws = installFakeAws(new FakeAws("ap-northeast-1", { clock: new SimClock() }), ALL_SERVICES);
  aws.latencyMs = (op) => (/^(Describe|Get|List)/.test(op) ? 150 : 300);
  aws.rateLimits = { mutating: 10, describe: 20 };
  const vpcId = seedVpc(aws, { cidr: "172.31.0.0/16", name: "prod" }).VpcId!;
  const priv = seedRouteTable(aws, vpcId, "private");
  seedSubnet(aws, vpcId, "172.31.1.0/24", "ap-northeast-1a", { routeTableId: priv.RouteTableId! });
  seedSubnet(aws, vpcId, "172.31.2.0/24", "ap-northeast-1c");
  return { aws, vpcId };
}

const site = (i: number) => ({ ip: `198.51.${100 + Math.floor(i / 200)}.${10 + (i % 200)}`, asn: 65010 + i, cidr: `10.${10 + i}.0.0/16` });

interface Measured {
  modelSeconds: number;
  calls: number;
  throttled: number;
}

async function fleet(hub: HubKind, n: number): Promise<Measured> {
  const { aws, vpcId } = account();
  const lines = [
    "hub:",
    ...(hub === "tgw" ? ["  transit-gateway: new", `  vpcs: [${vpcId}]`] : [`  vpc-id: ${vpcId}`]),
    "defaults:",
    "  routing: bgp",
    "sites:",
  ];
  for (let i = 0; i < n; i++) {
    const s = site(i);
    lines.push(`  - name: site-${i}`, `    cgw-ip: ${s.ip}`, `    cgw-asn: ${s.asn}`, `    onprem-cidr: ${s.cidr}`);
  }
  const path = join(mkdtempSync(join(tmpdir(), "vpcwire-bench-")), "sites.yaml");
  writeFileSync(path, `${lines.join("\n")}\n`);
  const start = aws.clock.now();
  const r = await runCli(["vpn", "apply", "-f", path, "--yes", "--json"], { aws });
  if (r.code !== 0) throw new Error(r.stderr);
  return { modelSeconds: (aws.clock.now() - start) / 1000, calls: aws.calls.length, throttled: sum(aws.throttled) };
}

/** n sites one after another with `vpn create` (the first creates the gateway, the others reuse it). */
async function singles(hub: HubKind, n: number): Promise<Measured> {
  const { aws, vpcId } = account();
  const start = aws.clock.now();
  for (let i = 0; i < n; i++) {
    const s = site(i);
    const target =
      hub === "vgw"
        ? []
        : i === 0
          ? ["--transit-gateway", "new"]
          : ["--transit-gateway-id", aws.ec2.tgws.find((t) => t.State === "available")!.TransitGatewayId!];
    const r = await runCli(
      [
        "vpn",
        "create",
        "--stack",
        `site-${i}`,
        "--vpc-id",
        vpcId,
        "--cgw-ip",
        s.ip,
        "--routing",
        "bgp",
        "--cgw-asn",
        String(s.asn),
        "--onprem-cidr",
        s.cidr,
        "--yes",
        "--json",
        ...target,
      ],
      { aws },
    );
    if (r.code !== 0) throw new Error(r.stderr);
  }
  return { modelSeconds: (aws.clock.now() - start) / 1000, calls: aws.calls.length, throttled: sum(aws.throttled) };
}

function sum(m: Map<string, number>): number {
  return [...m.values()].reduce((a, b) => a + b, 0);
}

const report = (label: string, m: Measured) =>
  process.stderr.write(
    `${label.padEnd(34)} model wall time ${m.modelSeconds.toFixed(0).padStart(6)} s  AWS calls ${String(m.calls).padStart(6)}  throttled ${m.throttled}\n`,
  );

function compare(hub: HubKind, n: number, one: Measured, many: Measured, sequential: Measured): void {
  const name = hub === "tgw" ? "Transit Gateway" : "virtual private gateway";
  report(`${name}: vpn apply, 1 site`, one);
  report(`${name}: vpn apply, ${n} sites`, many);
  report(`${name}: vpn create x ${n}, in turn`, sequential);
  process.stderr.write(
    `${name}: ${n} sites took ${(many.modelSeconds / one.modelSeconds).toFixed(2)}x the wall time of one site (goal: within 2x); ` +
      `${many.calls} calls vs ${sequential.calls} for ${n} single-site runs (${((100 * many.calls) / sequential.calls).toFixed(0)}%).\n`,
  );
}

describe(`vpn apply: ${SITES} sites on a Transit Gateway (and ${VGW_SITES} on a VGW) vs one (in-memory AWS, realistic delays and EC2 rate limits)`, () => {
  bench(
    `Transit Gateway hub: fleet of ${SITES} vs one site vs ${SITES} single-site runs`,
    async () => {
      try {
        compare("tgw", SITES, await fleet("tgw", 1), await fleet("tgw", SITES), await singles("tgw", SITES));
      } catch (e) {
        process.stderr.write(`bench failed: ${String((e as Error).stack)}\n`);
        throw e;
      }
    },
    { iterations: 1, warmupIterations: 0 },
  );
  bench(
    `virtual private gateway hub: fleet of ${VGW_SITES} vs one site vs ${VGW_SITES} single-site runs`,
    async () => {
      compare("vgw", VGW_SITES, await fleet("vgw", 1), await fleet("vgw", VGW_SITES), await singles("vgw", VGW_SITES));
    },
    { iterations: 1, warmupIterations: 0 },
  );
});
