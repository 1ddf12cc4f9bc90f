#!/usr/bin/env node
// CommonJS (bin/package.json): Node 20 starts a CommonJS entry without its ES module loader, which is
// most of what `vpcwire --help` would cost otherwise. Runs the bundle that `npm run build` writes.
require("../dist/bundle/vpcwire.cjs").run();
