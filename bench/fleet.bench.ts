/**
 * Fleet benchmark (issue #12, point 6): `vpn apply` of 50 sites against the in-memory AWS, compared
 * with one site and with 50 single-site `vpn create` runs.
 *
 * The fake models what makes a fleet slow on AWS: each call takes model time (Describe 150 ms,
 * writes 300 ms), resources take AWS's times (VGW 20 s, attach 30 s, VPN connection 5 min), and EC2's
 * request rate limits are enforced (10 mutating calls/s, 20 Describe calls/s; beyond them the call
 * fails with RequestLimitExceeded). Time is a SimClock: concurrent waits overlap as in real time,
 * and the whole run takes seconds. Reported on stderr: model wall time, AWS calls, throttled calls.
 * 50 sites on one virtual private gateway needs its quota raised (default 10); the file says so
 * with `quotas: vpn-connections-per-gateway: 50` and the fake's limit is raised to match.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bench, describe } from "vitest";
import { FakeAws, installFakeAws } from "../test/fakes/aws.js";
import { seedRouteTable, seedVpc } from "../test/fakes/ec2.js";
import { SimClock } from "../test/fakes/model.js";
import { ALL_SERVICES } from "../test/fakes/services.js";
import { runCli } from "../test/helpers/cli.js";

const SITES = Number(process.env.BENCH_SITES ?? 50);

function account() {
  const aws = installFakeAws(new FakeAws("ap-northeast-1", { clock: new SimClock() }), ALL_SERVICES);
  aws.latencyMs = (op) => (/^(Describe|Get|List)/.test(op) ? 150 : 300);
  aws.rateLimits = { mutating: 10, describe: 20 };
  aws.limits.vpnConnectionsPerVgw = Math.max(10, SITES);
  const vpcId = seedVpc(aws, { cidr: "172.31.0.0/16", name: "prod" }).VpcId!;
  seedRouteTable(aws, vpcId, "private");
  return { aws, vpcId };
}

const site = (i: number) => ({ ip: `198.51.${100 + Math.floor(i / 200)}.${10 + (i % 200)}`, asn: 65010 + i, cidr: `10.${10 + i}.0.0/16` });

interface Measured {
  modelSeconds: number;
  calls: number;
  throttled: number;
}

async function fleet(n: number): Promise<Measured> {
  const { aws, vpcId } = account();
  const lines = ["hub:", `  vpc-id: ${vpcId}`, "quotas:", `  vpn-connections-per-gateway: ${Math.max(10, n)}`, "defaults:", "  routing: bgp", "sites:"];
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
async function singles(n: number): Promise<Measured> {
  const { aws, vpcId } = account();
  const start = aws.clock.now();
  for (let i = 0; i < n; i++) {
    const s = site(i);
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

describe(`vpn apply: ${SITES} sites vs one (in-memory AWS, realistic delays and EC2 rate limits)`, () => {
  bench(
    `fleet of ${SITES} vs one site vs ${SITES} single-site runs`,
    async () => {
      const one = await fleet(1);
      const many = await fleet(SITES);
      const sequential = await singles(SITES);
      report("vpn apply, 1 site", one);
      report(`vpn apply, ${SITES} sites`, many);
      report(`vpn create x ${SITES}, one after another`, sequential);
      process.stderr.write(
        `${SITES} sites took ${(many.modelSeconds / one.modelSeconds).toFixed(2)}x the wall time of one site (goal: within 2x); ` +
          `${many.calls} calls vs ${sequential.calls} for ${SITES} single-site runs (${((100 * many.calls) / sequential.calls).toFixed(0)}%).\n`,
      );
    },
    { iterations: 1, warmupIterations: 0 },
  );
});
