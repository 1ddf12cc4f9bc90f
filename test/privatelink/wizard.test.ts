import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { uninstallFakeAws } from "../fakes/aws.js";
import { endpointsState } from "../fakes/ec2-endpoints.js";
import { elbState } from "../fakes/elbv2.js";
import { KEY, runCli } from "../helpers/cli.js";
import { seedWorld, type World } from "./world.js";

let w: World;
beforeEach(() => {
  w = seedWorld();
});
afterEach(() => uninstallFakeAws());

describe("privatelink relay wizard", () => {
  it("asks for both directions with pickers filled from the account, confirms, and builds the relay", async () => {
    const r = await runCli(["privatelink", "relay", "--stack", "wiz"], {
      aws: w.aws,
      tty: true,
      answers: [
        { waitFor: "Which directions should the relay carry?", keys: KEY.enter },
        // Target VPC picker: vpc-test02 (192.168.0.0/16) is listed first.
        { waitFor: "Which VPC holds the existing EC2", keys: KEY.enter },
        // Instance picker shows the Name tag and private IP.
        { waitFor: "Which host should on-prem reach?", keys: KEY.enter },
        { waitFor: "TCP ports on that host to relay", keys: `80,443${KEY.enter}` },
        // The target's own subnet (zone a) is pre-selected; add the zone-c subnet.
        { waitFor: "Subnets of the target VPC for the relay", keys: KEY.down + KEY.space + KEY.enter },
        { waitFor: "Which VPC is the relay VPC", keys: KEY.enter },
        // One relay subnet per shared zone is pre-selected (not the NAT subnet, also in zone a).
        { waitFor: "Subnets of the relay VPC", keys: KEY.enter },
        { waitFor: "Address on-prem should connect to", keys: `172.16.0.10${KEY.enter}` },
        { waitFor: "Private IP of the on-prem host", keys: `203.0.113.5${KEY.enter}` },
        { waitFor: "is not a private address", keys: `${KEY.backspace.repeat(11)}10.200.0.10${KEY.enter}` },
        { waitFor: "TCP ports on the on-prem host", keys: `80${KEY.enter}` },
        { waitFor: "Apply this plan?", keys: `y${KEY.enter}` },
      ],
    });
    expect(r.stderr).toContain("vpc-test02");
    expect(r.stderr).toContain("ec2-test01");
    expect(r.stderr).toContain("192.168.0.10");
    expect(r.stderr).toMatch(/ap-northeast-1c\s+192\.168\.1\.0\/24/);
    expect(r.code).toBe(0);
    expect(
      elbState(w.aws)
        .loadBalancers.map((l) => l.LoadBalancerName)
        .sort(),
    ).toEqual(["wiz-in", "wiz-out"]);
    const inbound = endpointsState(w.aws).endpoints.find((e) => e.VpcId === w.relayVpc)!;
    expect(inbound.SubnetIds).toEqual([w.relaySubnets[0]]);
    // The equivalent command is shown for next time.
    expect(r.stderr).toContain(
      `The same run without questions:\n  vpcwire privatelink relay --stack wiz --target-instance ${w.instance.InstanceId} --ports 80,443 --target-vpc-id ${w.targetVpc} ` +
        `--target-subnets ${w.targetSubnets.join(",")} --relay-vpc-id ${w.relayVpc} --relay-subnets ${w.relaySubnets.join(",")} --relay-ip 172.16.0.10 --onprem-ip 10.200.0.10 --onprem-ports 80`,
    );
    expect(r.stderr).toContain("Address map:");
  });

  it("a relay IP outside the chosen relay subnets leads to the NAT-server question; answering no at the plan changes nothing", async () => {
    const r = await runCli(
      ["privatelink", "relay", "--target-ip", "192.168.0.10", "--ports", "443", "--target-vpc-id", w.targetVpc, "--relay-vpc-id", w.relayVpc],
      {
        aws: w.aws,
        tty: true,
        answers: [
          { waitFor: "Subnets of the target VPC for the relay", keys: KEY.enter },
          { waitFor: "Subnets of the relay VPC", keys: KEY.enter },
          { waitFor: "Address on-prem should connect to", keys: `172.16.9.10${KEY.enter}` },
          { waitFor: "Which rules should vpcwire write for the NAT server?", keys: KEY.down + KEY.enter },
          { waitFor: "Apply this plan?", keys: `n${KEY.enter}` },
        ],
      },
    );
    expect(r.stderr).toContain("172.16.9.10 is in none of the chosen relay subnets");
    expect(r.code).toBe(3);
    expect(w.aws.operations({ writesOnly: true })).toEqual([]);
    expect(r.stderr).toContain("--relay-ip 172.16.9.10 --nat iptables");
  });

  it("re-asks when two subnets of one zone are picked", async () => {
    const r = await runCli(
      [
        "privatelink",
        "relay",
        "--target-ip",
        "192.168.0.10",
        "--ports",
        "443",
        "--target-vpc-id",
        w.targetVpc,
        "--target-subnets",
        w.targetSubnets[0],
        "--relay-vpc-id",
        w.relayVpc,
        "--relay-ip",
        "172.16.0.10",
        "--dry-run",
      ],
      {
        aws: w.aws,
        tty: true,
        answers: [
          // Pre-selected: relay-a; add the NAT subnet (also zone a), which is refused.
          { waitFor: "Subnets of the relay VPC", keys: KEY.down + KEY.space + KEY.enter },
          // Asked again with the pre-selection (wait for the question itself, not only the warning): keep it.
          { waitFor: /pick one subnet per zone[\s\S]*Subnets of the relay VPC/, keys: KEY.enter },
        ],
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("interface endpoint in");
    expect(r.stdout).toContain("on exactly 172.16.0.10");
  });

  it("flags given on the command line are not asked for (an instance id, the ports, both VPCs)", async () => {
    const r = await runCli(
      [
        "privatelink",
        "relay",
        "--target-instance",
        w.instance.InstanceId!,
        "--ports",
        "22",
        "--target-vpc-id",
        w.targetVpc,
        "--relay-vpc-id",
        w.relayVpc,
        "--dry-run",
      ],
      {
        aws: w.aws,
        tty: true,
        answers: [
          { waitFor: "Subnets of the target VPC for the relay", keys: KEY.enter },
          { waitFor: "Subnets of the relay VPC", keys: KEY.enter },
          { waitFor: "Address on-prem should connect to", keys: KEY.enter },
        ],
      },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain("Which directions");
    expect(r.stderr).not.toContain("Which host should on-prem reach?");
    expect(r.stdout).toContain("IP target 192.168.0.10:22");
    expect(r.stdout).toContain(`interface endpoint in ${w.relayVpc}, ${w.relaySubnets[0]}`);
  });

  it("a typo in a given flag fails before any question", async () => {
    const r = await runCli(["privatelink", "relay", "--target-ip", "192.168.0.300"], { aws: w.aws, tty: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--target-ip: "192.168.0.300" is not an IPv4 address');
    expect(w.aws.calls).toEqual([]);
  });
});
