/**
 * A few tests spawn the built binary (the global setup builds it) to catch packaging mistakes:
 * the shim, the dist layout, templates found from dist, exit codes of a real process.
 */
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { requireFreshBuild } from "../helpers/binary.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const bin = `${root}bin/vpcwire.js`;

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  // A clean environment: no AWS credentials or profile at all.
  const clean: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: "/nonexistent", NO_COLOR: "1", ...env };
  const r = spawnSync(process.execPath, [bin, ...args], { env: clean, encoding: "utf8", input: "", timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the built binary", () => {
  beforeEach(requireFreshBuild);

  it("--help lists every command group", () => {
    const r = run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: vpcwire/);
    for (const cmd of ["vpn", "dx", "flets", "privatelink", "list", "status", "destroy"]) expect(r.stdout).toContain(cmd);
    expect(r.stderr).toBe("");
  });

  it("runs the README quick start with no AWS account and no credentials", () => {
    const r = run([
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
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Plan for stack vpn-9abcdef0-203-0-113-10");
    expect(r.stdout).toContain("interface Tunnel<TUNNEL1-NUMBER>");
    expect(r.stdout).toContain("interface Tunnel<TUNNEL2-NUMBER>");
    expect(r.stdout).toContain("OFFLINE PREVIEW");
  });

  it("a usage error exits 2 with one line naming the flag", () => {
    const r = run(["vpn", "create", "--dry-run", "--offline", "--vpc-id", "vpc-1", "--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.0.0.0/8"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('vpcwire: --vpc-id: "vpc-1" is not a vpc id (vpc- followed by 8 or 17 hex digits)');
    expect(r.stdout).toBe("");
  });

  it("an unknown option is a usage error (exit 2)", () => {
    const r = run(["vpn", "create", "--bogus"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--bogus'");
  });

  it("missing flags with stdin closed exit 2 at once instead of waiting for input", () => {
    const r = run(["vpn", "create"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required flags: --vpc-id, --cgw-ip, --onprem-cidr");
  });

  it("--version prints the package version", () => {
    const r = run(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("a reader that goes away (`| head`) ends the output quietly: no internal error, the command's own exit code", async () => {
    const clean: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: "/nonexistent", NO_COLOR: "1" };
    const child = spawn(process.execPath, [bin, "vpn", "create", "--help"], { env: clean, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy(); // the read end closes before the CLI writes: its write gets EPIPE
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((done) => child.on("close", done));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});
