/**
 * bin/code-cache.js: the bundle is compiled with the V8 code cache the build leaves beside it. A cache
 * must never change what runs: one written for other source (even of the same length, which V8 itself
 * does not notice) or one V8 refuses is ignored, and the file is compiled as usual.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { requireFreshBuild } from "../helpers/binary.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const codeCache = join(root, "bin", "code-cache.js");
let dir: string;

/** Run `node` with the cache installed on `dir`, requiring dir/m.cjs; returns what m.cjs exports. */
function load(write = false): string {
  const script = `require(${JSON.stringify(codeCache)}).install(${JSON.stringify(dir)}); process.stdout.write(String(require(${JSON.stringify(join(dir, "m.cjs"))})));`;
  const r = spawnSync(process.execPath, ["-e", script], {
    encoding: "utf8",
    env: { PATH: process.env.PATH, ...(write ? { VPCWIRE_CODE_CACHE: "write" } : {}) },
  });
  expect(r.stderr).toBe("");
  return r.stdout;
}

describe("the V8 code cache of the bundle", () => {
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "vpcwire-cc-"));
    writeFileSync(join(dir, "m.cjs"), "module.exports = (() => 41 + 1)();\n");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("is written only when asked, and then used", () => {
    expect(load()).toBe("42");
    expect(existsSync(join(dir, "m.cjs.v8"))).toBe(false);
    expect(load(true)).toBe("42");
    expect(readFileSync(join(dir, "m.cjs.v8")).length).toBeGreaterThan(16);
    expect(load()).toBe("42");
  });

  it("a cache written for other source of the same length is ignored", () => {
    load(true);
    writeFileSync(join(dir, "m.cjs"), "module.exports = (() => 40 + 3)();\n");
    utimesSync(join(dir, "m.cjs"), new Date(), new Date(Date.now() + 5_000));
    expect(load()).toBe("43");
  });

  it("a cache V8 refuses (corrupt data under a matching stamp) is ignored", () => {
    load(true);
    const file = readFileSync(join(dir, "m.cjs.v8"));
    file.fill(7, 16);
    writeFileSync(join(dir, "m.cjs.v8"), file);
    expect(load()).toBe("42");
  });

  it("the build leaves caches for the entry and what the offline plan loads", () => {
    requireFreshBuild();
    const bundle = join(root, "dist", "bundle");
    expect(existsSync(join(bundle, "vpcwire.cjs.v8"))).toBe(true);
    expect(existsSync(join(bundle, "templates", "vpn", "csr1000v.hbs.cjs.v8"))).toBe(true);
    expect(readdirSync(bundle).filter((f) => f.endsWith(".v8")).length).toBeGreaterThan(10);
  });
});
