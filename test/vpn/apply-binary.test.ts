/** `vpn apply` from the built binary: the shipped example plans with no AWS account and no credentials. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { requireFreshBuild } from "../helpers/binary.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

function run(args: string[]) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: "/nonexistent", NO_COLOR: "1", AWS_REGION: "ap-northeast-1" };
  const r = spawnSync(process.execPath, [`${root}bin/vpcwire.js`, ...args], { cwd: root, env, encoding: "utf8", input: "", timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("vpn apply from the built binary", () => {
  beforeEach(requireFreshBuild);

  it("plans examples/sites.yaml offline: the hub, every site and a total", () => {
    const r = run(["vpn", "apply", "-f", "examples/sites.yaml", "--dry-run", "--offline"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Hub (stack vpn-hub-9abcdef0):");
    for (const site of ["osaka", "nagoya", "sapporo"]) expect(r.stdout).toContain(`Site ${site}:`);
    expect(r.stdout).toMatch(/Total: 3 sites \(3 to create or change, 0 unchanged\)/);
  });

  it("a broken file: every problem with its line, exit 2", () => {
    const r = run(["vpn", "apply", "-f", "test/fixtures/vpn/bad-sites.yaml", "--dry-run", "--offline", "--json"]);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc.error.type).toBe("UsageError");
    expect(doc.error.message).toContain('bad-sites.yaml:8: site kyoto, cgw-asn: "sixty" is not an ASN');
    expect(doc.error.message).toContain('bad-sites.yaml:13: site kobe, routing: must be one of static, bgp, not "ospf"');
  });
});
