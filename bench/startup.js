#!/usr/bin/env node
// Startup benchmark: wall time of `vpcwire --help` and of the README's offline plan, each as a ratio
// to a bare `node -e 0` on the same machine. Run with `npm run bench` (builds first).
// Goals (issue #9, point 6): --help <= 1.5x, offline plan <= 2x.
// The cases run interleaved (one of each per round), so a busy machine slows all of them alike, and
// each ratio is taken between medians of wall time (the goal). BENCH_RUNS sets the rounds (default 21).
// On Linux it also reports CPU time (user + system of the child, from /proc/self/stat), which other
// work on the machine inflates far less than wall time: a check on the wall ratios of a busy machine.
// bin/vpcwire.js runs the bundle that `npm run build` writes (scripts/bundle.js), as a user runs it.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 21);
const env = { PATH: process.env.PATH, HOME: "/nonexistent", NO_COLOR: "1" };
const bin = `${root}bin/vpcwire.js`;

const cases = [
  { name: "node -e 0 (baseline)", args: ["-e", "0"] },
  { name: "vpcwire --help", args: [bin, "--help"], goal: 1.5 },
  {
    name: "vpcwire vpn create --dry-run --offline",
    args: [
      bin,
      ...["vpn", "create", "--dry-run", "--offline", "--vpc-id", "vpc-0123456789abcdef0", "--vpc-cidr", "172.31.0.0/16"],
      ...["--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.0.0.0/8"],
    ],
    goal: 2,
  },
];

/** CPU time (ms) of the children this process has waited for; undefined off Linux. Clock ticks of 10 ms: summed over all runs. */
function childCpu() {
  if (!existsSync("/proc/self/stat")) return undefined;
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
  return (Number(fields[13]) + Number(fields[14])) * 10; // cutime + cstime, at 100 ticks a second
}

const cpu = cases.map(() => 0);
function time(args, j) {
  const c0 = childCpu();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, encoding: "utf8" });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  if (j !== undefined && c0 !== undefined) cpu[j] += childCpu() - c0;
  return wall;
}

const at = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];

for (const c of cases) time(c.args); // warm the file cache
const loadBefore = loadavg()[0];
const samples = cases.map(() => []);
for (let i = 0; i < runs; i++) {
  cases.forEach((c, j) => {
    samples[j].push(time(c.args, j));
  });
}

const stats = samples.map((s) => {
  const sorted = [...s].sort((a, b) => a - b);
  return { median: at(sorted, 0.5), p10: at(sorted, 0.1), p90: at(sorted, 0.9), min: sorted[0] };
});
const base = stats[0].median;
console.log(`startup: ${runs} interleaved runs each, wall time in ms (median, p10-p90), ratio = median / median of node -e 0`);
// Other work on the machine inflates the ratios (module loading suffers more than bare node): say how busy it was.
console.log(`  load average ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after, on ${availableParallelism()} cores`);
const withCpu = childCpu() !== undefined;
let missed = 0;
cases.forEach((c, j) => {
  const { median, p10, p90 } = stats[j];
  const line = `  ${c.name.padEnd(40)} ${median.toFixed(0).padStart(5)}  (${p10.toFixed(0)}-${p90.toFixed(0)})`;
  const cpuText = withCpu ? `  cpu ${(cpu[j] / runs).toFixed(0)} ms/run${c.goal === undefined ? "" : ` = ${(cpu[j] / cpu[0]).toFixed(2)}x`}` : "";
  if (c.goal === undefined) {
    console.log(`${line}${cpuText}`);
    return;
  }
  const ratio = median / base;
  const best = stats[j].min / stats[0].min;
  const ok = ratio <= c.goal;
  if (!ok) missed += 1;
  console.log(`${line}  ${ratio.toFixed(2)}x  goal <= ${c.goal}x: ${ok ? "met" : "MISSED"}  (fastest runs: ${best.toFixed(2)}x)${cpuText}`);
});
if (missed) console.log(`${missed} startup goal(s) missed on this machine (a busy machine inflates ratios: run again when idle).`);
