import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { validateVpnFlags, vpnArgv } from "../../src/vpn/inputs.js";
import { FakeAws, installFakeAws, uninstallFakeAws } from "../fakes/aws.js";
import { seedVpc } from "../fakes/ec2.js";
import { ALL_SERVICES } from "../fakes/services.js";
import { runCli } from "../helpers/cli.js";

let aws: FakeAws;
let vpcId: string;
beforeEach(() => {
  aws = installFakeAws(new FakeAws(), ALL_SERVICES);
  vpcId = seedVpc(aws, { cidr: "172.31.0.0/16" }).VpcId!;
});
afterEach(() => uninstallFakeAws());

const ok = () => ["vpn", "create", "--vpc-id", vpcId, "--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.0.0.0/8", "--yes"];

describe("bad input: one line naming the flag and the rule, exit 2, no AWS call", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ["vpc id shape", ["--vpc-id", "vpc-xyz"], /^vpcwire: --vpc-id: "vpc-xyz" is not a vpc id/],
    ["private CGW address", ["--cgw-ip", "192.168.1.1"], /^vpcwire: --cgw-ip: 192\.168\.1\.1 is not a public IPv4 address/],
    ["CGW not an address", ["--cgw-ip", "router.example.com"], /^vpcwire: --cgw-ip: "router\.example\.com" is not an IPv4 address/],
    ["on-prem CIDR host bits", ["--onprem-cidr", "10.0.0.1/8"], /--onprem-cidr: "10\.0\.0\.1\/8" has host bits set \(did you mean 10\.0\.0\.0\/8\?\)/],
    ["reserved CGW ASN in Tokyo", ["--cgw-asn", "10124"], /--cgw-asn: 10124 is reserved by AWS in ap-northeast-1/],
    ["CGW ASN 7224", ["--cgw-asn", "7224"], /--cgw-asn: 7224 is reserved by AWS/],
    ["public Amazon ASN", ["--amazon-asn", "16509"], /--amazon-asn: 16509 is not a private ASN/],
    ["BGP with equal ASNs", ["--routing", "bgp", "--cgw-asn", "64512"], /--cgw-asn: BGP needs different ASNs/],
    ["inside CIDR not /30", ["--tunnel1-inside-cidr", "169.254.10.0/29"], /--tunnel1-inside-cidr: "169\.254\.10\.0\/29" must be a \/30/],
    ["inside CIDR reserved", ["--tunnel2-inside-cidr", "169.254.169.252/30"], /--tunnel2-inside-cidr: .* is reserved by AWS/],
    [
      "same inside CIDRs",
      ["--tunnel1-inside-cidr", "169.254.10.0/30", "--tunnel2-inside-cidr", "169.254.10.0/30"],
      /--tunnel2-inside-cidr: the two tunnels need different inside CIDRs/,
    ],
    ["PSK leading zero", ["--tunnel1-psk", "0secretkey"], /--tunnel1-psk: a pre-shared key must not start with 0/],
    ["PSK bad chars", ["--tunnel2-psk", "secret-key!"], /--tunnel2-psk: a pre-shared key may contain only/],
    ["allow without group", ["--allow", "ssh"], /--allow: needs --security-group/],
    ["bad allow token", ["--security-group", "sg-0123456789abcdef0", "--allow", "gre"], /--allow: "gre" is not one of/],
    ["route table id", ["--route-tables", "rtb-1,main"], /--route-tables: "rtb-1" is not a rtb id/],
    ["routing choice", ["--routing", "ospf"], /--routing.*ospf.*static, bgp|Allowed choices are static, bgp/],
    ["stack name", ["--stack", "My Stack"], /--stack: "My Stack" must be 1-32 lowercase letters/],
    ["timeout", ["--timeout", "soon"], /--timeout: "soon" is not a duration/],
    ["region", ["--region", "tokyo"], /--region: "tokyo" is not an AWS Region name/],
    ["endpoint", ["--endpoint-url", "localhost:4566"], /--endpoint-url: "localhost:4566" must be an http/],
    ["offline without dry-run", ["--offline"], /--offline: works only with --dry-run/],
    ["local address not IPv4", ["--device", "strongswan", "--local-address", "host.local"], /^vpcwire: --local-address: "host\.local" is not an IPv4 address/],
    ["local address on a CSR", ["--local-address", "172.31.5.10"], /^vpcwire: --local-address: applies only to --device strongswan/],
  ];
  it.each(cases)("%s", async (_name, extra, message) => {
    const r = await runCli([...ok(), ...extra], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(
      r.stderr
        .trim()
        .split("\n")
        .filter((l) => !l.startsWith("(run with --help")).length,
    ).toBe(1);
    expect(aws.operations({ writesOnly: true })).toEqual([]);
    // Flag errors come before any AWS call at all (Describe included).
    expect(aws.calls).toEqual([]);
  });

  describe("--out is checked before anything is created", () => {
    const dir = mkdtempSync(join(tmpdir(), "vpcwire-out-"));
    writeFileSync(join(dir, "file"), "x");
    const outCases: Array<[string, string, RegExp]> = [
      ["an existing directory", dir, new RegExp(`^vpcwire: --out: ${dir} is a directory; give a file name such as ${dir}/router\\.cfg$`, "m")],
      ["a path ending in /", `${join(dir, "new")}/`, /^vpcwire: --out: \S+\/new\/ names a directory/],
      [
        "a missing directory",
        join(dir, "missing", "csr.cfg"),
        new RegExp(`^vpcwire: --out: directory ${dir}/missing does not exist \\(create it first\\)$`, "m"),
      ],
      ["a file as the directory", join(dir, "file", "csr.cfg"), new RegExp(`^vpcwire: --out: ${dir}/file is not a directory$`, "m")],
      ["a device", "/dev/null", /^vpcwire: --out: \/dev\/null exists and is not a regular file$/m],
    ];
    it.each(outCases)("%s", async (_name, out, message) => {
      for (const argv of [
        [...ok(), "--out", out],
        // An offline preview refuses it too, so the mistake shows before the real run.
        [
          "vpn",
          "create",
          "--dry-run",
          "--offline",
          "--vpc-id",
          "vpc-0123456789abcdef0",
          "--cgw-ip",
          "203.0.113.10",
          "--onprem-cidr",
          "10.0.0.0/8",
          "--out",
          out,
        ],
      ]) {
        const r = await runCli(argv, { aws });
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(message);
        expect(
          r.stderr
            .trim()
            .split("\n")
            .filter((l) => !l.startsWith("(run with --help")).length,
        ).toBe(1);
        expect(aws.calls).toEqual([]);
      }
    });

    it("a relative path is taken from the working directory and must be writable there", async () => {
      const r = await runCli([...ok(), "--dry-run", "--offline", "--out", "csr.cfg"], { aws, cwd: dir });
      expect(r.code).toBe(0);
    });

    // root may write anywhere, so only an ordinary user sees the refusal.
    it.skipIf(process.getuid?.() === 0)("a directory that is not writable", async () => {
      const locked = join(dir, "locked");
      mkdirSync(locked);
      chmodSync(locked, 0o500);
      const r = await runCli([...ok(), "--out", join(locked, "csr.cfg")], { aws });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--out: directory ${locked} is not writable`);
      expect(aws.calls).toEqual([]);
    });
  });

  it("never echoes a rejected pre-shared key", async () => {
    const r = await runCli([...ok(), "--tunnel1-psk", "0TopSecretKey"], { aws });
    expect(r.stderr).not.toContain("0TopSecretKey");
  });

  it("--psk-file takes one key for both tunnels or one per line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vpcwire-psk-"));
    writeFileSync(join(dir, "keys"), "tunnel1=First.key_1\ntunnel2=Second.key_2\n");
    const r = await runCli([...ok(), "--psk-file", join(dir, "keys")], { aws });
    expect(r.code).toBe(0);
    expect(aws.ec2.vpns[0]!.Options!.TunnelOptions!.map((t) => t.PreSharedKey)).toEqual(["First.key_1", "Second.key_2"]);
    writeFileSync(join(dir, "bad"), "short\n");
    const bad = await runCli([...ok(), "--psk-file", join(dir, "bad")], { aws });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--psk-file: a pre-shared key must be 8 to 64/);
    expect(bad.stderr).not.toContain("short");
  });
});

describe("dry-run", () => {
  it("--dry-run --json prints a versioned plan and makes only read calls", async () => {
    const r = await runCli([...ok(), "--dry-run", "--json"], { aws });
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan).toMatchObject({ schemaVersion: 1, command: "vpn create", kind: "vpn", offline: false, region: "ap-northeast-1" });
    expect(plan.steps.map((s: { id: string; action: string }) => `${s.id}:${s.action}`)).toEqual([
      "vgw:create",
      "attach:create",
      "cgw:create",
      "vpn:create",
      "route:10.0.0.0/8:create",
      `propagation:${aws.ec2.routeTables[0]!.RouteTableId}:update`,
    ]);
    expect(plan.deviceConfigPreview.placeholder).toBe(true);
    expect(aws.calls.length).toBeGreaterThan(0);
    expect(aws.calls.every((c) => /^Describe/.test(c.operation))).toBe(true);
    // No DryRun-flagged mutating calls either.
    expect(aws.calls.some((c) => "DryRun" in c.input)).toBe(false);
  });

  it("--dry-run --offline makes no AWS call and marks placeholders", async () => {
    const r = await runCli(
      [
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
      { aws },
    );
    expect(r.code).toBe(0);
    expect(aws.calls).toEqual([]);
    expect(r.stdout).toContain("offline: ids in <...> are placeholders");
    expect(r.stdout).toContain("<new-vgw-id>");
    expect(r.stdout).toContain("OFFLINE PREVIEW");
    expect(r.stdout).toContain("ip route 172.31.0.0 255.255.0.0 Tunnel<TUNNEL1-NUMBER> 10 track <TUNNEL1-NUMBER>");
  });

  it("keeps pre-shared keys out of the plan", async () => {
    const r = await runCli([...ok(), "--dry-run", "--json", "--tunnel1-psk", "Visible.no_1", "--tunnel2-psk", "Visible.no_2"], { aws });
    expect(r.stdout).not.toContain("Visible.no_1");
    expect(r.stdout).toContain("given (hidden)");
  });
});

describe("help", () => {
  it("lists every --allow form and shows numeric defaults as numbers", async () => {
    const r = await runCli(["vpn", "create", "--help"]);
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, " ");
    expect(help).toContain("tcp:PORT, udp:PORT, tcp:FROM-TO (default: icmp)");
    expect(help).toContain("--cgw-asn <asn> BGP ASN of the on-prem router (default: 65000)");
    expect(help).toContain("(default: 64512)");
    expect(help).not.toMatch(/default: "\d+"/);
    expect(help).toContain("--local-address <ipv4>");
  });

  it("without --cgw-asn/--amazon-asn the defaults still apply", async () => {
    const r = await runCli([...ok(), "--routing", "bgp", "--dry-run", "--json"], { aws });
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.steps.find((s: { id: string }) => s.id === "cgw").params.asn).toBe(65000);
    expect(plan.steps.find((s: { id: string }) => s.id === "vgw").params.amazonAsn).toBe(64512);
  });
});

describe("vpnArgv", () => {
  it("repeats --local-address in the command vpcwire suggests", () => {
    const input = validateVpnFlags(
      { vpcId: "vpc-0123456789abcdef0", cgwIp: "203.0.113.10", onpremCidr: ["10.0.0.0/8"], device: "strongswan", localAddress: "172.31.5.10" },
      { cwd: "/" },
    );
    expect(input.localAddress).toBe("172.31.5.10");
    const argv = vpnArgv(input, {});
    expect(argv.join(" ")).toContain("--device strongswan --local-address 172.31.5.10");
  });
});

describe("crypto and tunnel numbering flags", () => {
  const flags = { vpcId: "vpc-0123456789abcdef0", cgwIp: "203.0.113.10", onpremCidr: ["10.0.0.0/8"] };

  it("default: modern, nothing in the argv; one --ike-version becomes the render preference", () => {
    const input = validateVpnFlags(flags, { cwd: "/" });
    expect(input.crypto.profile).toBe("modern");
    expect(input.crypto.crypto.ikeVersions).toEqual(["ikev2"]);
    expect(vpnArgv(input, {}).join(" ")).not.toMatch(/--crypto|--ike-version|--phase|--tunnel-number-base/);
    expect(validateVpnFlags({ ...flags, ikeVersion: "ikev1" }, { cwd: "/" }).ikeVersion).toBe("ikev1");
    expect(validateVpnFlags({ ...flags, ikeVersion: ["ikev1", "ikev2"] }, { cwd: "/" }).ikeVersion).toBeUndefined();
  });

  it("the argv reproduces the profile, every override and the tunnel number base", () => {
    const given = {
      ...flags,
      crypto: "Compatible",
      ikeVersion: ["ikev2"],
      phase1Encryption: ["aes256-gcm-16", "AES256"],
      phase1Integrity: ["SHA2-384"],
      phase1DhGroups: ["20", "19"],
      phase2Encryption: ["AES256"],
      phase2Integrity: ["SHA2-256"],
      phase2DhGroups: ["20"],
      dpdTimeoutAction: "restart",
      startupAction: "start",
      tunnelNumberBase: "40",
    };
    const input = validateVpnFlags(given, { cwd: "/" });
    expect(input.tunnelBase).toBe(40);
    const argv = vpnArgv(input, {});
    expect(argv.slice(argv.indexOf("--crypto"))).toEqual([
      "--crypto",
      "compatible",
      "--ike-version",
      "ikev2",
      "--phase1-encryption",
      "AES256-GCM-16,AES256",
      "--phase1-integrity",
      "SHA2-384",
      "--phase1-dh-groups",
      "20,19",
      "--phase2-encryption",
      "AES256",
      "--phase2-integrity",
      "SHA2-256",
      "--phase2-dh-groups",
      "20",
      "--dpd-timeout-action",
      "restart",
      "--startup-action",
      "start",
      "--tunnel-number-base",
      "40",
    ]);
    // Running that argv again gives the same choice.
    const again = validateVpnFlags(
      {
        ...flags,
        crypto: "compatible",
        ikeVersion: "ikev2",
        phase1Encryption: "AES256-GCM-16,AES256",
        phase1Integrity: "SHA2-384",
        phase1DhGroups: "20,19",
        phase2Encryption: "AES256",
        phase2Integrity: "SHA2-256",
        phase2DhGroups: "20",
        dpdTimeoutAction: "restart",
        startupAction: "start",
        tunnelNumberBase: "40",
      },
      { cwd: "/" },
    );
    expect(again.crypto).toEqual(input.crypto);
  });

  it("--tunnel-number-base must be 1-999", () => {
    expect(() => validateVpnFlags({ ...flags, tunnelNumberBase: "0" }, { cwd: "/" })).toThrow(/^--tunnel-number-base: must be a whole number from 1 to 999/);
    expect(() => validateVpnFlags({ ...flags, tunnelNumberBase: "1.5" }, { cwd: "/" })).toThrow(/--tunnel-number-base/);
    expect(validateVpnFlags({ ...flags, tunnelNumberBase: "999" }, { cwd: "/" }).tunnelBase).toBe(999);
  });
});
