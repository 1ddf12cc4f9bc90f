import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";

/**
 * The templates folder ships beside `src/` and `dist/`, so the same relative path works from the
 * TypeScript sources (tests) and from the built JavaScript (the binary).
 */
export const TEMPLATES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "templates");

const engine = Handlebars.create();

// Helpers stay few and generic: models are prepared in TypeScript, templates only lay them out.
engine.registerHelper("eq", (a: unknown, b: unknown) => a === b);
engine.registerHelper("join", (items: unknown, sep: unknown) => (Array.isArray(items) ? items.join(typeof sep === "string" ? sep : ", ") : ""));
engine.registerHelper("inc", (n: unknown) => Number(n) + 1);

const cache = new Map<string, Handlebars.TemplateDelegate>();

/**
 * Render `templates/<name>` (for example `vpn/csr1000v.hbs`) with a prepared model.
 * Rendering is pure: no HTML escaping (these are device configs), and a value missing from the
 * model is an error rather than an empty string in a router config.
 */
export function render(name: string, model: object): string {
  let template = cache.get(name);
  if (!template) {
    const source = readFileSync(join(TEMPLATES_DIR, name), "utf8");
    template = engine.compile(source, { noEscape: true, strict: true });
    cache.set(name, template);
  }
  return template(model);
}
