#!/usr/bin/env node
// Build step (after tsc and the template precompile): bundle the CLI that bin/vpcwire.js runs into
// dist/bundle/, for startup time (issue #9; measured by bench/startup.js). Node 20 has no module compile
// cache, and its ES module loader costs a fixed ~10% of a bare `node -e 0` plus a few ms per file, so:
//  - one small entry, vpcwire.cjs: the CLI edge, commander (bundled) and the names of the commands;
//  - every module the entry imports lazily (a command's flags, its implementation, the engine) lands in
//    a chunk that is loaded only when a run needs it (esbuild code splitting, so shared code is one
//    copy and module state and classes stay single);
//  - everything is CommonJS (.cjs), loaded with require(): esbuild splits ES modules only, so each chunk
//    is converted after splitting, and `import("./chunk.js")` between chunks becomes a require().
// Packages stay external (loaded from node_modules, the heavy ones lazily as the sources say) except the
// small ones every run needs, which are bundled: BUNDLED below.
// Also writes dist/bundle/modules.json (chunk or pack -> source files in it) for test/cli/startup.test.ts,
// copies the precompiled templates beside the chunks (src/render/render.ts looks for them there), and
// last packs and V8 code caches (below; bin/code-cache.js loads them).
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, transform } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, "dist", "bundle");
/**
 * Packages compiled into the bundle: small, and on most paths (commander on every one). Of handlebars only
 * `handlebars/runtime` is imported statically (src/render/render.ts); the compiler is required at run time
 * by runs from the sources only.
 */
const BUNDLED = ["commander", "handlebars", "ipaddr.js", "ms"];

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const external = Object.keys(pkg.dependencies).filter((name) => !BUNDLED.includes(name));

/**
 * commander requires node:child_process at load time, for executable subcommands, which vpcwire does
 * not use; loading it (and node:net behind it) is a fifth of what `--help` costs. Inside commander it
 * is replaced by a stand-in that requires the real module on first use.
 */
const lazyChildProcess = {
  name: "lazy-child-process",
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: "child_process", namespace: "lazy-child-process" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "lazy-child-process" }, () => ({
      contents: 'module.exports = { get spawn() { return require("node:child_process").spawn; } };',
      loader: "js",
    }));
  },
};

const result = await build({
  absWorkingDir: root,
  entryPoints: { vpcwire: "src/cli/index.ts" },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outdir: out,
  chunkNames: "[name]-[hash]",
  external,
  plugins: [lazyChildProcess],
  define: { __VPCWIRE_VERSION__: JSON.stringify(pkg.version) }, // src/cli/version.ts
  metafile: true,
  write: false,
  logLevel: "warning",
});

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const CHUNK = /^\.\/[\w.-]+\.js$/;
/** Bundle files a pack may hold: chunks and precompiled templates (the entry, vpcwire.cjs, stays a file). */
const PACKABLE = /^(?:templates\/[\w./-]+|[\w.-]+)\.cjs$/;
const modules = {};
for (const file of result.outputFiles) {
  const name = basename(file.path).replace(/\.js$/, ".cjs");
  // Chunks refer to each other as "./<name>.js": statically (import ... from) and lazily (import()).
  const esm = file.text
    .replace(/(from |import )"(\.\/[\w.-]+)\.js"/g, '$1"$2.cjs"')
    .replace(/\bimport\("(\.\/[\w.-]+)\.js"\)/g, 'Promise.resolve().then(() => require("$1.cjs"))');
  // import.meta.url is where the module lives (render.ts finds templates/ beside it; version.ts the package.json).
  const url = esm.includes("import.meta.url");
  const { code } = await transform(esm, {
    format: "cjs",
    platform: "node",
    target: "node20",
    ...(url
      ? { define: { "import.meta.url": "__vpcwire_module_url" }, banner: 'const __vpcwire_module_url = require("node:url").pathToFileURL(__filename).href;' }
      : {}),
    logLevel: "warning",
  });
  const leftover = /(?:from |import\(|require\()"(\.\/[\w.-]+\.js)"/.exec(code);
  if (leftover && CHUNK.test(leftover[1])) throw new Error(`${name}: a reference to ${leftover[1]} was not converted`);
  // import() of packages (the SDK, ora, inquirer: loaded lazily) goes through the loader's own import() when the file is
  // compiled with its V8 code cache (bin/code-cache.js passes __vpcwire_import): code compiled by vm, and even more so
  // code restored from a cache, has no import() of its own. Compiled by Node itself, the file uses its own import().
  const lazy = code.replace(/\bimport\(("[^"]+")\)/g, '(typeof __vpcwire_import === "function" ? __vpcwire_import($1) : import($1))');
  writeFileSync(join(out, name), lazy);
  const meta = result.metafile.outputs[`dist/bundle/${basename(file.path)}`];
  if (meta) modules[name] = Object.keys(meta.inputs).sort();
}
cpSync(join(root, "dist", "render", "templates"), join(out, "templates"), { recursive: true });

// Packs and V8 code caches (bin/code-cache.js). The representative runs below are what users run most
// offline. First each run is traced (which bundle files it loads, in order); then the chunks each run loads
// beyond the runs before it are written into one pack: `--help` reads the entry and one pack, the README's
// offline plan one more pack instead of ~30 chunk files.
// Then the runs are repeated to write caches: each bundle file (and pack) they load gets `<file>.v8` with the
// code those runs compiled. A run that fails here is a broken CLI: stop the build.
const VPN = ["--vpc-id", "vpc-0123456789abcdef0", "--vpc-cidr", "172.31.0.0/16", "--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.0.0.0/8"];
const RUNS = [
  { pack: "help", args: ["--help"] },
  { pack: "vpn-create", args: ["vpn", "create", "--dry-run", "--offline", ...VPN] },
  { pack: "vpn-create-more", args: ["vpn", "create", "--dry-run", "--offline", "--json", "--routing", "bgp", "--device", "strongswan", ...VPN] },
  { pack: "vpn-create-help", args: ["vpn", "create", "--help"] },
  { pack: "vpn-apply", args: ["vpn", "apply", "-f", join(root, "examples", "sites.yaml"), "--dry-run", "--offline"] },
];

function vpcwire(args, env) {
  const run = spawnSync(process.execPath, [join(root, "bin", "vpcwire.js"), ...args], {
    env: { PATH: process.env.PATH, HOME: "/nonexistent", NO_COLOR: "1", ...env },
    encoding: "utf8",
    input: "",
  });
  if (run.status !== 0) throw new Error(`bundle: vpcwire ${args.join(" ")} exited ${run.status}: ${run.stderr}`);
}

const trace = join(out, "trace.json");
const placed = new Set(); // chunks already in a pack or loaded by --help (which stay files)
const packOf = {};
for (const { pack, args } of RUNS) {
  rmSync(trace, { force: true }); // a run that wrote no trace must not pass for the one before it
  vpcwire(args, { VPCWIRE_CODE_CACHE: "trace", VPCWIRE_TRACE: trace });
  // The entry stays its own file: every run, --help included, starts there.
  const files = JSON.parse(readFileSync(trace, "utf8")).filter((f) => PACKABLE.test(f) && f !== "vpcwire.cjs" && !placed.has(f));
  for (const f of files) placed.add(f);
  if (files.length < 2) continue;
  const name = `pack-${pack}.cjs`;
  const parts = files.map(
    (f) => `${JSON.stringify(f)}: function (exports, require, module, __filename, __dirname, __vpcwire_import) {\n${readFileSync(join(out, f), "utf8")}\n},\n`,
  );
  writeFileSync(
    join(out, name),
    `// ${files.length} chunks of \`vpcwire ${args.slice(0, 2).join(" ")} ...\`, packed by scripts/bundle.js (see bin/code-cache.js)\nmodule.exports = {\n${parts.join("")}};\n`,
  );
  modules[name] = [...new Set(files.flatMap((f) => modules[f] ?? [f.replace(/\.cjs$/, "")]))].sort(); // a template: templates/<name>.hbs
  for (const f of files) packOf[f] = name;
}
rmSync(trace);
writeFileSync(join(out, "packs.json"), `${JSON.stringify(packOf, null, 1)}\n`);
writeFileSync(join(out, "modules.json"), `${JSON.stringify(modules, null, 1)}\n`);
for (const { args } of RUNS) vpcwire(args, { VPCWIRE_CODE_CACHE: "write" });
