import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deriveStackName, parsePorts, type RelayFlags, relayArgv, validateRelayFlags } from "../../src/privatelink/inputs.js";
import { type FakeAws, uninstallFakeAws } from "../fakes/aws.js";
import { NO_REGION_ENV, runCli, withoutRegion } from "../helpers/cli.js";
import { seedWorld } from "./world.js";

let aws: FakeAws;
beforeEach(() => {
  aws = seedWorld().aws;
});
afterEach(() => uninstallFakeAws());

const VPCS = [
  "--target-vpc-id",
  "vpc-0123456789abcdef0",
  "--target-subnets",
  "subnet-0123456789abcdef0",
  "--relay-vpc-id",
  "vpc-0fedcba9876543210",
  "--relay-subnets",
  "subnet-0fedcba9876543210",
];
const INBOUND = ["--target-ip", "192.168.0.10", "--ports", "80,443"];

describe("privatelink relay flags: exit 2 naming the flag, before any AWS call", () => {
  const cases: Array<[string, string[], string]> = [
    ["a target that is not an IP", ["--target-ip", "192.168.0", "--ports", "80", ...VPCS], '--target-ip: "192.168.0" is not an IPv4 address'],
    ["a public target", ["--target-ip", "8.8.8.8", "--ports", "80", ...VPCS], "--target-ip: 8.8.8.8 is not a private address"],
    [
      "both target forms",
      ["--target-ip", "192.168.0.10", "--target-instance", "i-0123456789abcdef0", "--ports", "80", ...VPCS],
      "--target-instance: give either --target-ip or --target-instance, not both",
    ],
    ["a bad instance id", ["--target-instance", "i-xyz", "--ports", "80", ...VPCS], '--target-instance: "i-xyz" is not a instance id'],
    ["port 0", ["--target-ip", "192.168.0.10", "--ports", "0", ...VPCS], "--ports: 0 is outside 1-65535"],
    ["port 70000", ["--target-ip", "192.168.0.10", "--ports", "80,70000", ...VPCS], "--ports: 70000 is outside 1-65535"],
    ["a named port", ["--target-ip", "192.168.0.10", "--ports", "https", ...VPCS], '--ports: "https" is not a port number'],
    [
      "too many ports",
      ["--target-ip", "192.168.0.10", "--ports", Array.from({ length: 51 }, (_, i) => String(1000 + i)).join(","), ...VPCS],
      "--ports: at most 50 ports",
    ],
    ["a public on-prem host", ["--onprem-ip", "203.0.113.10", "--onprem-ports", "22", ...VPCS], "--onprem-ip: 203.0.113.10 is not a private address"],
    ["on-prem ports without a host", [...INBOUND, "--onprem-ports", "22", ...VPCS], "--onprem-ports: needs --onprem-ip"],
    [
      "a relay IP without an inbound target",
      ["--onprem-ip", "10.200.0.10", "--onprem-ports", "22", "--relay-ip", "172.16.0.10", ...VPCS],
      "--relay-ip: needs --target-ip or --target-instance",
    ],
    ["a public relay IP", [...INBOUND, "--relay-ip", "52.1.2.3", ...VPCS], "--relay-ip: 52.1.2.3 is not a private address"],
    [
      "the relay IP equal to the on-prem host",
      [...INBOUND, "--relay-ip", "10.200.0.10", "--onprem-ip", "10.200.0.10", "--onprem-ports", "22", ...VPCS],
      "--relay-ip: 10.200.0.10 is also --onprem-ip",
    ],
    ["NAT rules without a relay IP", [...INBOUND, "--nat", "nftables", ...VPCS], "--nat: NAT rules need --relay-ip"],
    ["an unknown NAT kind", [...INBOUND, "--relay-ip", "172.16.0.10", "--nat", "pf", ...VPCS], "argument 'pf' is invalid"],
    ["--out with no NAT rules", [...INBOUND, "--out", "x.nft", ...VPCS], "--out: there are no NAT rules to write"],
    ["a bad allow-from CIDR", [...INBOUND, "--allow-from", "10.0.0.1/8", ...VPCS], '--allow-from: "10.0.0.1/8" has host bits set'],
    [
      "the same VPC twice",
      [
        ...INBOUND,
        "--target-vpc-id",
        "vpc-0123456789abcdef0",
        "--target-subnets",
        "subnet-0123456789abcdef0",
        "--relay-vpc-id",
        "vpc-0123456789abcdef0",
        "--relay-subnets",
        "subnet-0fedcba9876543210",
      ],
      "--relay-vpc-id: is the same VPC as --target-vpc-id",
    ],
    [
      "a bad subnet id",
      [
        ...INBOUND,
        "--target-vpc-id",
        "vpc-0123456789abcdef0",
        "--target-subnets",
        "sub-1",
        "--relay-vpc-id",
        "vpc-0fedcba9876543210",
        "--relay-subnets",
        "subnet-0fedcba9876543210",
      ],
      '--target-subnets: "sub-1" is not a subnet id',
    ],
    ["a bad stack name", [...INBOUND, ...VPCS, "--stack", "Relay_1"], '--stack: "Relay_1" must be 1-32 lowercase letters'],
  ];
  it.each(cases)("%s", async (_, args, message) => {
    const r = await runCli(["privatelink", "relay", ...args, "--yes"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(aws.calls).toEqual([]);
  });

  it.each([
    [["--allow-from", ""], "--allow-from: has an empty item"],
    [["--allow-from", "10.0.0.0/8,"], "--allow-from: has an empty item"],
    [["--ports", "22,,"], "--ports: has an empty item"],
    [["--relay-ip", ""], "--relay-ip: is empty"],
    [["--onprem-ip", "10.200.0.10", "--onprem-ports", ",22"], "--onprem-ports: has an empty item"],
  ])("an explicitly empty value is refused, never taken as the default: %j", async (extra, message) => {
    const r = await runCli(["privatelink", "relay", "--target-ip", "192.168.0.10", "--ports", "80", ...extra, ...VPCS, "--yes"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(aws.calls).toEqual([]);
  });

  it("off a TTY, missing flags are listed (exit 2) and nothing is asked", async () => {
    const r = await runCli(["privatelink", "relay"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "missing required flags: --target-ip or --target-instance (inbound) and/or --onprem-ip (outbound), --target-vpc-id, --target-subnets, --relay-vpc-id, --relay-subnets",
    );
    expect(aws.calls).toEqual([]);
  });

  it("a direction without its ports is missing them", async () => {
    const r = await runCli(["privatelink", "relay", "--target-ip", "192.168.0.10", "--onprem-ip", "10.200.0.10", ...VPCS], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required flags: --ports, --onprem-ports");
  });

  describe("with no AWS Region configured, flags are checked first", () => {
    // Nothing the SDK could take a Region from, in the command's environment or the process's.
    const noRegion = NO_REGION_ENV;
    withoutRegion();

    it("a bad flag names the flag (exit 2), not the missing Region", async () => {
      const r = await runCli(["privatelink", "relay", "--target-ip", "8.8.8.8", "--ports", "80", ...VPCS], { aws, env: noRegion });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("--target-ip: 8.8.8.8 is not a private address");
      expect(r.stderr).not.toContain("Region");
    });

    it("a bare run off a TTY lists the missing flags", async () => {
      const r = await runCli(["privatelink", "relay"], { aws, env: noRegion });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("missing required flags: --target-ip or --target-instance (inbound)");
    });

    it("valid flags then need the Region", async () => {
      const r = await runCli(["privatelink", "relay", ...INBOUND, ...VPCS], { aws, env: noRegion });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("--region: no AWS Region is configured");
      expect(aws.calls).toEqual([]);
    });
  });

  it("--help lists the flags and examples", async () => {
    const r = await runCli(["privatelink", "relay", "--help"]);
    expect(r.code).toBe(0);
    for (const flag of ["--target-ip", "--target-instance", "--ports", "--relay-ip", "--onprem-ip", "--onprem-ports", "--nat <kind>", "--out <file>"]) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toContain("vpcwire privatelink relay --dry-run --offline");
  });
});

describe("validateRelayFlags", () => {
  const base: RelayFlags = {
    targetVpcId: "vpc-0123456789abcdef0",
    targetSubnets: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef0"],
    relayVpcId: "vpc-0fedcba9876543210",
    relaySubnets: ["subnet-0fedcba9876543210"],
  };

  it("normalises: duplicate subnets and ports removed, default allow-from, derived stack", () => {
    const input = validateRelayFlags({ ...base, targetIp: "192.168.0.10", ports: ["443", "80", "443"] }, { cwd: "/tmp" });
    expect(input.targetSubnets).toEqual(["subnet-0123456789abcdef0"]);
    expect(input.inbound).toEqual({
      targetIp: "192.168.0.10",
      ports: [443, 80],
      allowFrom: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"],
    });
    expect(input.stack).toBe("relay-9abcdef0-192-168-0-10");
    expect(input.stackDerived).toBe(true);
    expect(input.nat).toBeUndefined();
  });

  it("derives an outbound-only stack name from the relay VPC and the on-prem host", () => {
    expect(
      deriveStackName({ targetVpcId: "vpc-0123456789abcdef0", relayVpcId: "vpc-0fedcba9876543210", outbound: { onpremIp: "10.200.0.10", ports: [22] } }),
    ).toBe("relay-76543210-10-200-0-10");
  });

  it("--out resolves against the working directory", () => {
    const input = validateRelayFlags(
      { ...base, targetIp: "192.168.0.10", ports: ["80"], relayIp: "172.16.9.10", nat: "iptables", out: "rules/nat.sh" },
      { cwd: "/work/x" },
    );
    expect(input.out).toBe("/work/x/rules/nat.sh");
  });

  it("the resume command repeats the run without questions", () => {
    const input = validateRelayFlags(
      { ...base, targetIp: "192.168.0.10", ports: ["80"], relayIp: "172.16.0.10", onpremIp: "10.200.0.10", onpremPorts: ["22"], stack: "s" },
      { cwd: "/" },
    );
    expect(relayArgv(input, { region: "ap-northeast-1" }).join(" ")).toBe(
      "vpcwire privatelink relay --stack s --target-ip 192.168.0.10 --ports 80 --target-vpc-id vpc-0123456789abcdef0 --target-subnets subnet-0123456789abcdef0 " +
        "--relay-vpc-id vpc-0fedcba9876543210 --relay-subnets subnet-0fedcba9876543210 --relay-ip 172.16.0.10 --onprem-ip 10.200.0.10 --onprem-ports 22 --region ap-northeast-1",
    );
  });

  it("refuses empty values however they arrive (an empty list does not mean the default)", () => {
    const inbound = { ...base, targetIp: "192.168.0.10", ports: ["80"] };
    expect(() => validateRelayFlags({ ...inbound, allowFrom: [] }, { cwd: "/" })).toThrow("--allow-from: is empty");
    expect(() => validateRelayFlags({ ...inbound, allowFrom: ["10.0.0.0/8", " "] }, { cwd: "/" })).toThrow("--allow-from: has an empty item");
    expect(() => validateRelayFlags({ ...inbound, ports: ["22", ""] }, { cwd: "/" })).toThrow("--ports: has an empty item");
    expect(() => validateRelayFlags({ ...inbound, stack: "" }, { cwd: "/" })).toThrow("--stack: is empty");
    expect(validateRelayFlags({ ...inbound, allowFrom: ["10.0.0.0/8"] }, { cwd: "/" }).inbound?.allowFrom).toEqual(["10.0.0.0/8"]);
  });

  it("parsePorts", () => {
    expect(parsePorts(["22", " 80 ", "22"])).toEqual([22, 80]);
    expect(parsePorts(["-1"])).toBe('"-1" is not a port number');
  });
});
