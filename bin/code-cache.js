// V8 code cache and packs for the bundle (startup time, issue #9; measured by bench/startup.js). Node 20 has
// no module compile cache (module.enableCompileCache is Node 22), and compiling the bundle's code is a large
// part of what a run costs beyond a bare `node`. `npm run build` runs a few representative commands with
// VPCWIRE_CODE_CACHE=write (scripts/bundle.js), which leaves `<file>.v8` beside each bundle file they load:
// V8's cache of that file's code, including the functions those runs compiled. A run then compiles each
// bundle file with its cache. A cache is used only when it was written for this very file (size and
// modification time recorded in it) and V8 accepts it (same V8 version and flags); otherwise the file is
// compiled as usual, so a missing, stale or foreign cache costs nothing but the lost speed.
// Code compiled with vm (and restored from a cache) has no import() of its own: the bundle's import() of packages
// (the SDK, ora, inquirer) calls `__vpcwire_import`, which the wrapper below passes in (scripts/bundle.js).
//
// Packs: finding, reading and compiling each of the ~30 chunk files a run needs costs more than the code in
// them. The build writes the chunks that one representative run loads (beyond `--help`) into one pack file
// (packs.json: chunk -> pack). A pack exports each chunk as a function of the usual CommonJS arguments; a
// chunk is run from its pack once, on first require (from anywhere), and keeps its own file name, so
// `__filename` and what is found beside it are those of the chunk file, which stays in dist/bundle. Without
// packs.json (or without this loader) the chunk files are loaded one by one, as they are.
// VPCWIRE_CODE_CACHE=trace (the build) writes the bundle files a run loads, in order, to VPCWIRE_TRACE.
const Module = require("node:module");
const vm = require("node:vm");
const fs = require("node:fs");
const path = require("node:path");

const HEADER = 16; // source size and mtime (ms), two float64s, then V8's data

/** A bundle file's name as packs.json writes it: relative to the bundle, with "/" (`templates/vpn/csr1000v.hbs.cjs`). */
function relative(prefix, filename) {
  return filename.slice(prefix.length).split(path.sep).join("/");
}

function stamp(filename) {
  const stat = fs.statSync(filename);
  const header = Buffer.alloc(HEADER);
  header.writeDoubleLE(stat.size, 0);
  header.writeDoubleLE(stat.mtimeMs, 8);
  return header;
}

/** What Node passes a module as `require` (Module.createRequire would build a new module for it). */
function requireFor(module) {
  const require = (id) => module.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
  require.cache = Module._cache;
  require.main = process.mainModule;
  return require;
}

/** Compile the files under `dir` with their caches, run packed chunks from their packs (and, when writing or tracing, record at exit). */
exports.install = function install(dir) {
  // Resolved from here: bin/ and dist/bundle/ share the package's node_modules, and the bundle imports packages only.
  const dynamicImport = (specifier) => import(specifier);
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  const mode = process.env.VPCWIRE_CODE_CACHE;
  const writing = mode === "write";
  const compiled = [];
  const loaded = [];
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileWithCache(content, filename) {
    if (!filename.startsWith(prefix)) return compile.call(this, content, filename);
    if (mode === "trace") loaded.push(relative(prefix, filename));
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
    return wrapper.call(this.exports, this.exports, requireFor(this), this, filename, path.dirname(filename), dynamicImport);
  };
  if (writing) {
    process.on("exit", () => {
      for (const { script, filename } of compiled) fs.writeFileSync(`${filename}.v8`, Buffer.concat([stamp(filename), script.createCachedData()]));
    });
  }
  if (mode === "trace" && process.env.VPCWIRE_TRACE) {
    process.on("exit", () => fs.writeFileSync(process.env.VPCWIRE_TRACE, `${JSON.stringify(loaded)}\n`));
  }
  let packOf;
  try {
    packOf = JSON.parse(fs.readFileSync(path.join(dir, "packs.json"), "utf8"));
  } catch {
    return;
  }
  installPacks(prefix, packOf, dynamicImport);
};

function installPacks(prefix, packOf, dynamicImport) {
  const packs = new Map();
  const chunkOf = (filename) => (filename.startsWith(prefix) ? relative(prefix, filename) : undefined);
  const packed = (name) => name !== undefined && Object.hasOwn(packOf, name);
  const searchPaths = new Map(); // node_modules lookup paths by directory, as Node gives each module

  /** The chunk's function in its pack; undefined (the file is then loaded as it is) when the pack lacks it. */
  function chunkFunction(name) {
    const pack = packOf[name];
    if (!packs.has(pack)) packs.set(pack, loadPack(prefix + pack));
    const chunk = packs.get(pack)[name];
    if (typeof chunk === "function") return chunk;
    delete packOf[name]; // a build that left packs.json and the pack out of step: correct, only slower
    return undefined;
  }

  /**
   * Run packed chunk `name` in `module` (Node's module when required by path): the module is in
   * require.cache while the chunk runs, as a file's would be, so cycles through other files see its
   * exports as they fill; a chunk that throws leaves neither, and the next require runs it again.
   */
  function run(name, module, chunk) {
    const filename = module.filename;
    return loadAsNode(module, () =>
      chunk.call(module.exports, module.exports, requireFromChunk(module, name), module, filename, path.dirname(filename), dynamicImport),
    );
  }

  /** A pack is a bundle file like any other (compiled with its cache, listed in require.cache), read without a module lookup. */
  function loadPack(filename) {
    const module = newModule(filename);
    return loadAsNode(module, () => module._compile(fs.readFileSync(filename, "utf8"), filename));
  }

  /** Fill `module` with `body` as Node loads a file: in require.cache while it runs, dropped from it if it throws. */
  function loadAsNode(module, body) {
    Module._cache[module.filename] = module;
    try {
      body();
    } catch (error) {
      delete Module._cache[module.filename];
      throw error;
    }
    module.loaded = true;
    return module.exports;
  }

  /** A module object as Node makes one for a file (what require.cache holds), without what only Node's own loading needs. */
  function newModule(filename) {
    const dir = path.dirname(filename);
    if (!searchPaths.has(dir)) searchPaths.set(dir, Module._nodeModulePaths(dir));
    const module = Object.create(Module.prototype);
    Object.assign(module, { id: filename, path: dir, exports: {}, filename, loaded: false, children: [], paths: searchPaths.get(dir) });
    return module;
  }

  /**
   * `require` inside a packed chunk: what Node would pass, except that another packed chunk ("./chunk-X.cjs",
   * relative to this chunk) is run from its pack without a file lookup, once (require.cache).
   */
  function requireFromChunk(module, name) {
    const require = requireFor(module);
    const here = name.includes("/") ? path.posix.dirname(name) : "";
    const packedRequire = (specifier) => {
      if (specifier.startsWith("./") || specifier.startsWith("../")) {
        // The bundle's chunks are top-level files requiring each other as "./chunk-X.cjs": no path arithmetic for them.
        const target = here === "" && specifier.startsWith("./") && !specifier.includes("/", 2) ? specifier.slice(2) : path.posix.join(here, specifier);
        if (packed(target)) {
          const filename = target.includes("/") ? path.join(prefix, target) : prefix + target;
          const cached = Module._cache[filename];
          if (cached) return cached.exports;
          const chunk = chunkFunction(target);
          if (chunk) return run(target, newModule(filename), chunk);
        }
      }
      return require(specifier);
    };
    return Object.assign(packedRequire, { resolve: require.resolve, cache: require.cache, main: require.main });
  }

  // A packed chunk required by path (the entry's lazy commands, chunks outside packs, templates) comes from its pack too.
  const loadJs = Module._extensions[".js"];
  Module._extensions[".js"] = function loadPackedOrFile(module, filename) {
    const name = chunkOf(filename);
    const chunk = packed(name) ? chunkFunction(name) : undefined;
    if (!chunk) return loadJs.call(this, module, filename);
    run(name, module, chunk);
  };
}
