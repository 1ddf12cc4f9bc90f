/**
 * End-to-end benchmark: `vpn create` in-process against the in-memory AWS with realistic delays.
 * Each AWS call costs real network-like latency (BENCH_LATENCY_MS, default 40 ms); resources take
 * their AWS-like model time (VGW 20 s, attach 30 s, VPN 5 min) on the fake clock. Reported: wall
 * time per run (vitest bench), plus calls made and how soon after AWS finished the CLI noticed.
 */
import { bench, describe } from "vitest";
import { FakeAws, installFakeAws } from "../test/fakes/aws.js";
import { seedRouteTable, seedSecurityGroup, seedVpc } from "../test/fakes/ec2.js";
import { ALL_SERVICES } from "../test/fakes/services.js";
import { runCli } from "../test/helpers/cli.js";

const latency = Number(process.env.BENCH_LATENCY_MS ?? 40);

async function once(): Promise<void> {
  const aws = installFakeAws(new FakeAws(), ALL_SERVICES);
  const vpc = seedVpc(aws, { cidr: "172.31.0.0/16", name: "prod" });
  seedRouteTable(aws, vpc.VpcId!, "private");
  const sg = seedSecurityGroup(aws, vpc.VpcId!, "app");
  aws.beforeCall = () => {
    const until = Date.now() + latency;
    while (Date.now() < until) {
      // Busy-wait keeps the handler synchronous; the latency is what a real call costs the CLI.
    }
  };
  const start = aws.clock.now();
  const r = await runCli(
    ["vpn", "create", "--vpc-id", vpc.VpcId!, "--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.0.0.0/8", "--security-group", sg.GroupId!, "--yes", "--json"],
    { aws },
  );
  if (r.code !== 0) throw new Error(r.stderr);
  const modelSeconds = (aws.clock.now() - start) / 1000;
  const awsSeconds = (aws.timings.vgwAvailableMs + aws.timings.vpnAvailableMs) / 1000;
  process.stderr.write(
    `vpn create: ${aws.calls.length} AWS calls, done at model time ${modelSeconds.toFixed(0)} s (AWS itself needed ${awsSeconds.toFixed(0)} s)\n`,
  );
}

describe("vpn create end to end (in-memory AWS)", () => {
  bench(`full create, ${latency} ms per AWS call`, once, { iterations: 5, warmupIterations: 1 });
});
