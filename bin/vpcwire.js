#!/usr/bin/env node
// CommonJS (bin/package.json): Node 20 starts a CommonJS entry without its ES module loader, which is
// most of what `vpcwire --help` would cost otherwise. Runs the bundle that `npm run build` writes,
// compiled with the V8 code cache the build leaves beside it (bin/code-cache.js).
const { join } = require("node:path");
const bundle = join(__dirname, "..", "dist", "bundle");
require("./code-cache.js").install(bundle);
require(join(bundle, "vpcwire.cjs")).run();
