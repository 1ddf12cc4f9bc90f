/**
 * bin/code-cache.js: the bundle is compiled with the V8 code cache the build leaves beside it. A cache
 * must never change what runs: one written for other source (even of the same length, which V8 itself
 * does not notice) or one V8 refuses is ignored, and the file is compiled as usual.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
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

  it("the build leaves caches for the entry, the packs and what they hold", () => {
    requireFreshBuild();
    const bundle = join(root, "dist", "bundle");
    expect(existsSync(join(bundle, "vpcwire.cjs.v8"))).toBe(true);
    const packOf: Record<string, string> = JSON.parse(readFileSync(join(bundle, "packs.json"), "utf8"));
    const packs = [...new Set(Object.values(packOf))];
    expect(packs).toEqual(expect.arrayContaining(["pack-help.cjs", "pack-vpn-create.cjs"]));
    for (const pack of packs) expect(existsSync(join(bundle, `${pack}.v8`)), pack).toBe(true);
    // The offline plan's template is in its pack; every packed file still exists as a file.
    expect(packOf["templates/vpn/csr1000v.hbs.cjs"]).toBe("pack-vpn-create.cjs");
    for (const file of Object.keys(packOf)) expect(existsSync(join(bundle, file)), file).toBe(true);
    expect(packOf["vpcwire.cjs"]).toBeUndefined();
  });

  it("the built CLI prints the same with its packs and caches as the bundle files loaded one by one", () => {
    requireFreshBuild();
    const args = [
      ...["vpn", "create", "--dry-run", "--offline", "--vpc-id", "vpc-0123456789abcdef0", "--vpc-cidr", "172.31.0.0/16"],
      ...["--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.0.0.0/8", "--routing", "bgp"],
    ];
    const env = { PATH: process.env.PATH, HOME: "/nonexistent", NO_COLOR: "1" };
    const packed = spawnSync(process.execPath, [join(root, "bin", "vpcwire.js"), ...args], { encoding: "utf8", env });
    // Without bin/code-cache.js: Node loads dist/bundle/*.cjs itself, one file per chunk, no cache, no pack.
    const entry = JSON.stringify(join(root, "dist", "bundle", "vpcwire.cjs"));
    const plain = spawnSync(process.execPath, ["-e", `process.argv.splice(1, 0, "vpcwire"); require(${entry}).run();`, ...args], { encoding: "utf8", env });
    expect(packed.stderr).toBe("");
    expect(packed.status).toBe(0);
    expect(plain.status).toBe(0);
    expect(packed.stdout).toContain("router bgp");
    expect(packed.stdout).toBe(plain.stdout);
  });
});

/**
 * Packs (bin/code-cache.js, written by scripts/bundle.js): chunks a run needs, in one file. A packed chunk
 * must behave as its file would: run once however it is reached, with its own file name, and with
 * require cycles resolved as CommonJS does.
 */
describe("packs of the bundle", () => {
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "vpcwire-pack-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Write chunk files, and the same chunks (or `inPack` instead) into pack-t.cjs with packs.json. */
  function chunks(files: Record<string, string>, inPack: Record<string, string> = files) {
    for (const [name, code] of Object.entries(files)) writeFileSync(join(dir, name), code);
    const parts = Object.entries(inPack).map(
      ([name, code]) => `${JSON.stringify(name)}: function (exports, require, module, __filename, __dirname, __vpcwire_import) {\n${code}\n},`,
    );
    writeFileSync(join(dir, "pack-t.cjs"), `module.exports = {\n${parts.join("\n")}\n};\n`);
    writeFileSync(join(dir, "packs.json"), JSON.stringify(Object.fromEntries(Object.keys(inPack).map((name) => [name, "pack-t.cjs"]))));
  }

  /** Run `script` (with `dir` and `codeCache` in scope) in a fresh node with the loader installed on dir. */
  function run(script: string, env: NodeJS.ProcessEnv = {}) {
    const prelude = `const dir = ${JSON.stringify(dir)}; require(${JSON.stringify(codeCache)}).install(dir);`;
    return spawnSync(process.execPath, ["-e", prelude + script], { encoding: "utf8", env: { PATH: process.env.PATH, ...env } });
  }

  it("a packed chunk runs from its pack (not its file), once, whether required by path or by another chunk, under its own file name", () => {
    const counter = 'globalThis.runs = (globalThis.runs ?? 0) + 1; exports.name = __filename; exports.where = "pack";';
    chunks(
      { "a.cjs": 'exports.b = require("./b.cjs"); exports.where = "file";', "b.cjs": 'exports.where = "file";' },
      { "a.cjs": 'exports.b = require("./b.cjs"); exports.where = "pack";', "b.cjs": counter },
    );
    const r = run(`
      const a = require(dir + "/a.cjs");
      const b = require(dir + "/b.cjs");
      console.log(JSON.stringify({ a: a.where, b: b.where, same: a.b === b, runs: globalThis.runs, name: b.name, cached: Object.keys(require.cache).some((f) => f.endsWith("pack-t.cjs")) }));`);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ a: "pack", b: "pack", same: true, runs: 1, name: join(dir, "b.cjs"), cached: true });
  });

  it("require cycles between packed chunks give the partly filled exports, as CommonJS does", () => {
    chunks({
      "a.cjs": 'exports.early = 1; const b = require("./b.cjs"); exports.seenByB = b.sawEarly;',
      "b.cjs": 'const a = require("./a.cjs"); exports.sawEarly = a.early === 1 && a.seenByB === undefined;',
    });
    const r = run('console.log(require(dir + "/a.cjs").seenByB);');
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("true");
  });

  it("packed chunks require what is not packed (other files, node: modules) as usual", () => {
    chunks({ "a.cjs": 'exports.c = require("./c.cjs").c; exports.sep = require("node:path").sep;' });
    writeFileSync(join(dir, "c.cjs"), "exports.c = 3;");
    const r = run('const a = require(dir + "/a.cjs"); console.log(a.c, a.sep);');
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("3 /");
  });

  it("without packs.json the chunk files are loaded as they are", () => {
    chunks({ "a.cjs": 'exports.where = "file";' }, { "a.cjs": 'exports.where = "pack";' });
    rmSync(join(dir, "packs.json"));
    expect(run('console.log(require(dir + "/a.cjs").where);').stdout.trim()).toBe("file");
  });

  it("a chunk its pack lacks (packs.json and the pack out of step) is loaded from its file", () => {
    chunks({ "a.cjs": 'exports.where = "file";' }, { "b.cjs": 'exports.where = "pack";' });
    writeFileSync(join(dir, "packs.json"), JSON.stringify({ "a.cjs": "pack-t.cjs", "b.cjs": "pack-t.cjs" }));
    writeFileSync(join(dir, "c.cjs"), 'exports.a = require("./a.cjs").where;');
    const r = run('console.log(require(dir + "/a.cjs").where, require(dir + "/c.cjs").a);');
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("file file");
  });

  it("a chunk that throws is not kept: the next require runs it again, as with a file", () => {
    const code = 'exports.x = 1; if (!globalThis.ok) throw new Error("boom"); exports.y = 2;';
    chunks({ "a.cjs": code, "b.cjs": 'exports.a = () => require("./a.cjs");' });
    const r = run(`
      const tries = [];
      for (const from of ["path", "chunk"]) {
        globalThis.ok = false;
        try { from === "path" ? require(dir + "/a.cjs") : require(dir + "/b.cjs").a(); } catch (e) { tries.push(e.message); }
        globalThis.ok = true;
        tries.push(JSON.stringify(from === "path" ? require(dir + "/a.cjs") : require(dir + "/b.cjs").a()));
        delete require.cache[dir + "/a.cjs"];
      }
      console.log(tries.join(" "));`);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe('boom {"x":1,"y":2} boom {"x":1,"y":2}');
  });

  it("a packed chunk is its module in require.cache while it runs: files it requires see its exports fill, and require(__filename) is itself", () => {
    chunks({
      "a.cjs":
        'exports.early = 1; const b = require("./b.cjs"); exports.late = 2; exports.b = b; exports.self = require(__filename) === module.exports; exports.c = require("./c.cjs");',
      "c.cjs": "exports.c = 3;",
    });
    writeFileSync(join(dir, "b.cjs"), 'const a = require("./a.cjs"); exports.sawEarly = Object.keys(a).join() === "early"; exports.later = () => a.late;');
    const r = run(`
      const a = require(dir + "/a.cjs");
      console.log(JSON.stringify({ sawEarly: a.b.sawEarly, later: a.b.later(), self: a.self, cCached: require.cache[dir + "/c.cjs"]?.exports === a.c }));`);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ sawEarly: true, later: 2, self: true, cCached: true });
  });

  it("a packed chunk in a folder finds its neighbours relative to itself", () => {
    mkdirSync(join(dir, "sub"));
    chunks({ "sub/a.cjs": 'exports.b = require("./b.cjs").b; exports.top = require("../t.cjs").t;', "sub/b.cjs": "exports.b = 2;", "t.cjs": "exports.t = 1;" });
    const r = run('const a = require(dir + "/sub/a.cjs"); console.log(a.b, a.top, Object.keys(require.cache).filter((f) => f.startsWith(dir)).length);');
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("2 1 4"); // three chunks and the pack
  });

  it("tracing (the build) records the bundle files a run loads, in order", () => {
    writeFileSync(join(dir, "a.cjs"), 'require("./b.cjs");');
    writeFileSync(join(dir, "b.cjs"), "");
    const trace = join(dir, "trace.json");
    const r = run('require(dir + "/a.cjs");', { VPCWIRE_CODE_CACHE: "trace", VPCWIRE_TRACE: trace });
    expect(r.stderr).toBe("");
    expect(JSON.parse(readFileSync(trace, "utf8"))).toEqual(["a.cjs", "b.cjs"]);
  });
});
