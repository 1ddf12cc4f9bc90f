/**
 * The built binary with no AWS account at all: no credentials, no Region, no ~/.aws. In-process tests
 * cannot show this (the SDK reads process.env, which vitest fills with fake keys). Runs the built dist/
 * (the global setup builds it; a missing or stale build fails these tests).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { requireFreshBuild } from "../helpers/binary.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = join(ROOT, "bin", "vpcwire.js");

function run(args: string[]) {
  const home = mkdtempSync(join(tmpdir(), "vpcwire-home-"));
  try {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      cwd: home,
      encoding: "utf8",
      // Only what a shell needs: no AWS_* variable, and a HOME without ~/.aws.
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, NO_COLOR: "1", CI: "true", AWS_EC2_METADATA_DISABLED: "true" },
      timeout: 20_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

describe("bin/vpcwire.js flets isatap", () => {
  beforeEach(requireFreshBuild);

  it("renders the seed's files with no AWS account", () => {
    const r = run(["flets", "isatap", "--prefix", "2001:db8::/64", "--private-ip", "10.216.0.101", "--router", "192.168.103.254"]);
    expect(r.stderr).not.toMatch(/internal error|credentials|region/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("==> isatap-up.sh <==");
    expect(r.stdout).toContain("ip -6 addr add 2001:db8::5efe:10.216.0.101/64 dev sit1");
    expect(r.stderr).toContain("2001:db8::5efe:ad8:65");
  });

  it("--help shows the flags and the seed's example", () => {
    const r = run(["flets", "isatap", "--help"]);
    expect(r.code).toBe(0);
    for (const flag of [
      "--prefix",
      "--private-ip",
      "--instance-id",
      "--router",
      "--os",
      "--boot",
      "--interface",
      "--allow",
      "--dns-name",
      "--ipip-remote",
      "--security-group",
      "--out",
    ]) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toContain("vpcwire flets isatap --prefix 2001:db8::/64 --private-ip 10.216.0.101 --router 192.168.103.254");
  });

  it("--instance-id without credentials fails with a word on how to run without an account", () => {
    const r = run([
      "flets",
      "isatap",
      "--prefix",
      "2001:db8::/64",
      "--instance-id",
      "i-0123456789abcdef0",
      "--router",
      "192.168.103.254",
      "--region",
      "ap-northeast-1",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No AWS credentials/);
  });
});
