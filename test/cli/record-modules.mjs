// Preload for tests (`node --import ./record-modules.mjs ...`): appends the path of every module the
// process loads, one per line, to the file named by VPCWIRE_MODULE_LOG. ES modules are seen by a
// resolve hook (it runs on the loader thread); CommonJS modules, including those that CommonJS code
// requires, are read from the require cache when the process exits.
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";

const log = process.env.VPCWIRE_MODULE_LOG;
if (!log) throw new Error("record-modules.mjs: set VPCWIRE_MODULE_LOG to a file");

const hook = `
import { appendFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.startsWith("file:")) appendFileSync(${JSON.stringify(log)}, fileURLToPath(result.url) + "\\n");
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

const require = createRequire(import.meta.url);
process.on("exit", () => {
  const files = Object.keys(require.cache);
  if (files.length) appendFileSync(log, `${files.join("\n")}\n`);
});
