/** The process edge and the engine's shared behaviour, through the real CLI in-process. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
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

const offline = [
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
];

describe("parser errors", () => {
  it("an unknown option is one usage line (exit 2), and a JSON error document with --json", async () => {
    const r = await runCli(["vpn", "create", "--bogus"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("vpcwire: unknown option '--bogus' (see --help)\n");
    const j = await runCli(["vpn", "create", "--json", "--routing", "ospf"]);
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout)).toMatchObject({ schemaVersion: 1, ok: false, error: { type: "UsageError", exitCode: 2 } });
    expect(j.stderr).toMatch(/^vpcwire: option '--routing <mode>' argument 'ospf' is invalid/);
  });
});

describe("colour", () => {
  it("a plan on stdout that is not a terminal has no escape codes, even when stderr is a terminal", async () => {
    const r = await runCli(offline, { tty: true, env: { NO_COLOR: "" } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("+ create");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matches ANSI escapes on purpose
    expect(r.stdout).not.toMatch(/\x1b\[/);
  });
});

describe("durations and waits", () => {
  it("a zero or empty duration is refused", async () => {
    for (const t of ["0", "0s", "soon"]) {
      const r = await runCli([...offline, "--timeout", t]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--timeout: ".*" is not a duration/);
    }
  });

  it("a wait uses all of --timeout: the last sleep is cut to the time left", async () => {
    aws.timings.vpnAvailableMs = 60 * 60_000;
    const r = await runCli(["vpn", "create", "--vpc-id", vpcId, "--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.0.0.0/8", "--yes", "--timeout", "100s"], {
      aws,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Timed out after 1m40s waiting for VPN connection/);
  });
});

describe("lifecycle commands read AWS", () => {
  it.each([["list"], ["status", "--stack", "x"], ["destroy", "--stack", "x"]])("%s refuses --offline with a usage error", async (...args) => {
    const r = await runCli([...args, "--dry-run", "--offline"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vpcwire: --offline: \w+ reads the stacks that exist in AWS; run it without --offline\n$/);
  });
});

describe("dry-run JSON", () => {
  it("is a versioned document with ok: true", async () => {
    const r = await runCli([...offline, "--json"]);
    expect(JSON.parse(r.stdout)).toMatchObject({ schemaVersion: 1, ok: true, offline: true });
  });
});

describe("relative paths", () => {
  it("--out is resolved against the working directory, not the PWD variable", async () => {
    const { mkdtempSync, existsSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const real = mkdtempSync(join(tmpdir(), "vpcwire-cwd-"));
    const stale = mkdtempSync(join(tmpdir(), "vpcwire-pwd-"));
    const r = await runCli(["flets", "isatap", "--prefix", "2001:db8::/64", "--private-ip", "10.216.0.101", "--router", "192.168.103.254", "--out", "files"], {
      cwd: real,
      env: { PWD: stale },
    });
    expect(r.code).toBe(0);
    expect(existsSync(join(real, "files", "isatap-up.sh"))).toBe(true);
    expect(existsSync(join(stale, "files"))).toBe(false);
  });
});

describe("wizards need the account", () => {
  it.each([
    ["vpn", "create"],
    ["privatelink", "relay"],
  ])("%s %s with missing flags and --offline in a terminal: usage error, no AWS call", async (...cmd) => {
    const r = await runCli([...cmd, "--dry-run", "--offline"], { tty: true, aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing required flags: .*\(the wizard reads AWS, so it cannot run with --offline\)/);
    expect(aws.calls).toEqual([]);
  });
});

describe("explicitly empty values are usage errors, never 'not given'", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['--vgw-id ""', ["--vgw-id", ""], /--vgw-id: is empty/],
    ['--security-group ""', ["--security-group", ""], /--security-group: is empty/],
    ['--route-tables ""', ["--route-tables", ""], /--route-tables: has an empty item/],
    ['--onprem-cidr "10.0.0.0/8,,"', ["--onprem-cidr", "10.0.0.0/8,,"], /--onprem-cidr: has an empty item/],
    ['--allow ",ssh"', ["--allow", ",ssh"], /--allow: has an empty item/],
  ];
  for (const [name, extra, message] of cases) {
    it(`vpn create ${name}: exit 2 naming the flag, no AWS call`, async () => {
      const r = await runCli(["vpn", "create", "--vpc-id", vpcId, "--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.1.0.0/16", ...extra, "--yes"], { aws });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(aws.calls).toEqual([]);
    });
  }

  it('privatelink relay --ports "22,," does not drop the empty item', async () => {
    const r = await runCli(["privatelink", "relay", "--ports", "22,,", "--target-ip", "192.168.0.10", "--yes"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--ports: has an empty item/);
    expect(aws.calls).toEqual([]);
  });

  it('a global option given empty is refused too (--region "")', async () => {
    const r = await runCli(["list", "--region", ""], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--region/);
  });

  it("with --json the usage error is a JSON document", async () => {
    const r = await runCli(["vpn", "create", "--vgw-id", "", "--json"], { aws });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { type: "UsageError", exitCode: 2 } });
  });
});
