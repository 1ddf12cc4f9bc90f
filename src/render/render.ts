import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type Handlebars from "handlebars";
// The runtime alone (no compiler). A static import so the build bundles it (scripts/bundle.js): bundled it
// loads in a fraction of the time of its prebuilt one-file form, whose wrapper V8 compiles eagerly.
import HandlebarsRuntime from "handlebars/runtime.js";

/**
 * The templates folder ships beside `src/` and `dist/`, so the same relative path works from the
 * TypeScript sources (tests) and from the built JavaScript (the build precompiles from it).
 */
export const TEMPLATES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "templates");

/** Helpers stay few and generic: models are prepared in TypeScript, templates only lay them out. */
export const HELPERS: Readonly<Record<string, Handlebars.HelperDelegate>> = {
  eq: (a: unknown, b: unknown) => a === b,
  join: (items: unknown, sep: unknown) => (Array.isArray(items) ? items.join(typeof sep === "string" ? sep : ", ") : ""),
  inc: (n: unknown) => Number(n) + 1,
};

/**
 * How every template is compiled, at build time and from sources alike: no HTML escaping (these are
 * device configs), and a value missing from the model is an error rather than an empty string in a
 * router config. Only Handlebars' own block helpers and HELPERS exist (a template naming another one
 * does not compile), so every `{{name}}` compiles to a plain lookup: smaller, faster code than the
 * helper-or-value dispatch Handlebars otherwise generates for each one.
 */
export const COMPILE_OPTIONS = {
  noEscape: true,
  strict: true,
  knownHelpers: Object.fromEntries(Object.keys(HELPERS).map((name) => [name, true])),
  knownHelpersOnly: true,
} as const;

/**
 * Where `npm run build` writes the precompiled templates: beside the built render.js,
 * `templates/vpn/csr1000v.hbs` becomes `dist/render/templates/vpn/csr1000v.hbs.cjs`, one module per
 * template so a run loads only the templates it renders.
 */
export const PRECOMPILED_DIR = fileURLToPath(new URL("./templates/", import.meta.url));

/** Turns a template name (`vpn/csr1000v.hbs`) into a ready template. */
export type TemplateLoader = (name: string) => Handlebars.TemplateDelegate;
type TemplateSpecification = Parameters<typeof Handlebars.template>[0];

const require = createRequire(import.meta.url);

/**
 * Compiles `<dir>/<name>` with the full Handlebars compiler. For runs from the TypeScript sources
 * (tests, benches): they always render the templates as they are now, with no build in between.
 */
export function compilingLoader(dir: string = TEMPLATES_DIR): TemplateLoader {
  const engine = (require("handlebars") as typeof Handlebars).create();
  engine.registerHelper(HELPERS);
  return (name) => engine.compile(readFileSync(join(dir, name), "utf8"), COMPILE_OPTIONS);
}

/**
 * Loads `<dir>/<name>.cjs`, written by the build (scripts/precompile-templates.js), with the Handlebars
 * runtime alone. The built CLI renders this way: the compiler (parser, code generator, source-map) is
 * several times heavier than the runtime and is never needed to render.
 */
export function precompiledLoader(dir: string = PRECOMPILED_DIR): TemplateLoader {
  const engine = (HandlebarsRuntime as typeof Handlebars).create();
  engine.registerHelper(HELPERS);
  return (name) => {
    let spec: TemplateSpecification;
    try {
      spec = require(join(dir, `${name}.cjs`));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw error;
      throw new Error(`template ${name} is not in the build: run \`npm run build\` (it precompiles templates/)`, { cause: error });
    }
    return engine.template(spec);
  };
}

/** Running from the TypeScript sources (tests, benches) rather than from the build. */
const FROM_SOURCES = import.meta.url.endsWith(".ts");

let load: TemplateLoader | undefined;
const cache = new Map<string, Handlebars.TemplateDelegate>();

/**
 * Render `templates/<name>` (for example `vpn/csr1000v.hbs`) with a prepared model.
 * Rendering is pure: no HTML escaping, and a value missing from the model is an error (see
 * COMPILE_OPTIONS); the helpers are HELPERS.
 */
export function render(name: string, model: object): string {
  let template = cache.get(name);
  if (!template) {
    // Loaded on the first render, not at import: most runs render nothing.
    load ??= FROM_SOURCES ? compilingLoader() : precompiledLoader();
    template = load(name);
    cache.set(name, template);
  }
  return template(model);
}
