#!/usr/bin/env node
// Build step (after tsc): precompile every templates/**/*.hbs into dist/render/templates/<name>.cjs, so
// the shipped CLI renders with the Handlebars runtime alone and never loads the compiler. Reads whatever
// templates/ holds at build time. The compile options and both folders come from the built render.js,
// so the build and the TypeScript sources (tests) compile alike.
//   node scripts/precompile-templates.js [--templates <folder>] [--out <folder>]
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import Handlebars from "handlebars";
import { COMPILE_OPTIONS, PRECOMPILED_DIR, TEMPLATES_DIR } from "../dist/render/render.js";

function flag(name, fallback) {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const value = process.argv[i + 1];
  if (!value) throw new Error(`${name} needs a folder`);
  return value;
}
const from = flag("--templates", TEMPLATES_DIR);
const out = flag("--out", PRECOMPILED_DIR);

const names = readdirSync(from, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".hbs"))
  .map((f) => f.split(sep).join("/"))
  .sort();

// Start clean: a template removed from templates/ must not linger in the build.
rmSync(out, { recursive: true, force: true });
for (const name of names) {
  let spec;
  try {
    spec = Handlebars.precompile(readFileSync(join(from, name), "utf8"), COMPILE_OPTIONS);
  } catch (error) {
    throw new Error(`templates/${name}: ${error.message}`);
  }
  const file = join(out, `${name}.cjs`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `// Precompiled from templates/${name} by scripts/precompile-templates.js: do not edit.\n"use strict";\nmodule.exports = ${spec};\n`);
}
