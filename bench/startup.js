#!/usr/bin/env node
// Startup benchmark: wall time of `vpcwire --help` and of the README's offline plan, against bare
// `node -e 0`, over repeated runs. Run with `npm run bench` (builds first).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 15);
const env = { PATH: process.env.PATH, HOME: "/nonexistent", NO_COLOR: "1" };

const cases = [
  ["node -e 0 (baseline)", ["-e", "0"]],
  ["vpcwire --help", [`${root}bin/vpcwire.js`, "--help"]],
  [
    "vpcwire vpn create --dry-run --offline",
    [
      `${root}bin/vpcwire.js`,
      "vpn",
      "create",
      "--dry-run",
      "--offline",
      "--vpc-id",
      "vpc-0123456789abcdef0",
      "--vpc-cidr",
      "172.31.0.0/16",
      "--cgw-ip",
      "203.0.113.10",
      "--onprem-cidr",
      "10.0.0.0/8",
    ],
  ],
];

function time(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const results = [];
for (const [name, args] of cases) {
  time(args); // warm the file cache
  const samples = Array.from({ length: runs }, () => time(args)).sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  const p90 = samples[Math.floor(samples.length * 0.9)];
  results.push({ name, median, p90 });
}
const base = results[0].median;
console.log(`startup, ${runs} runs each (ms)`);
for (const r of results) {
  const over = r === results[0] ? "" : `  (+${(r.median - base).toFixed(0)} over node)`;
  console.log(`  ${r.name.padEnd(42)} median ${r.median.toFixed(0).padStart(5)}  p90 ${r.p90.toFixed(0).padStart(5)}${over}`);
}
