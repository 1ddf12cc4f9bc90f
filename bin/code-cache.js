// V8 code cache for the bundle (startup time, issue #9; measured by bench/startup.js). Node 20 has no
// module compile cache (module.enableCompileCache is Node 22), and compiling the bundle's code is a large
// part of what a run costs beyond a bare `node`. `npm run build` runs a few representative commands with
// VPCWIRE_CODE_CACHE=write (scripts/bundle.js), which leaves `<file>.v8` beside each bundle file they load:
// V8's cache of that file's code, including the functions those runs compiled. A run then compiles each
// bundle file with its cache. A cache is used only when it was written for this very file (size and
// modification time recorded in it) and V8 accepts it (same V8 version and flags); otherwise the file is
// compiled as usual, so a missing, stale or foreign cache costs nothing but the lost speed.
// Code compiled with vm (and restored from a cache) has no import() of its own: the bundle's import() of packages
// (the SDK, ora, inquirer) calls `__vpcwire_import`, which the wrapper below passes in (scripts/bundle.js).
const Module = require("node:module");
const vm = require("node:vm");
const fs = require("node:fs");
const path = require("node:path");

const HEADER = 16; // source size and mtime (ms), two float64s, then V8's data

function stamp(filename) {
  const stat = fs.statSync(filename);
  const header = Buffer.alloc(HEADER);
  header.writeDoubleLE(stat.size, 0);
  header.writeDoubleLE(stat.mtimeMs, 8);
  return header;
}

/** Compile the files under `dir` with their caches (and, when writing, record new caches at exit). */
exports.install = function install(dir) {
  // Resolved from here: bin/ and dist/bundle/ share the package's node_modules, and the bundle imports packages only.
  const dynamicImport = (specifier) => import(specifier);
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  const writing = process.env.VPCWIRE_CODE_CACHE === "write";
  const compiled = [];
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileWithCache(content, filename) {
    if (!filename.startsWith(prefix)) return compile.call(this, content, filename);
    let cachedData;
    try {
      const file = fs.readFileSync(`${filename}.v8`);
      if (file.subarray(0, HEADER).equals(stamp(filename))) cachedData = file.subarray(HEADER);
    } catch {
      cachedData = undefined;
    }
    if (!cachedData && !writing) return compile.call(this, content, filename);
    const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __vpcwire_import) {${content}\n});`, {
      filename,
      cachedData,
    });
    // Rewritten at exit even when a cache was used: it then holds what earlier runs compiled and what this one did.
    if (writing) compiled.push({ script, filename });
    const wrapper = script.runInThisContext({ displayErrors: true });
    const require = Module.createRequire(filename);
    return wrapper.call(this.exports, this.exports, require, this, filename, path.dirname(filename), dynamicImport);
  };
  if (writing) {
    process.on("exit", () => {
      for (const { script, filename } of compiled) fs.writeFileSync(`${filename}.v8`, Buffer.concat([stamp(filename), script.createCachedData()]));
    });
  }
};
