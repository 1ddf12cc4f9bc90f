import { readFileSync } from "node:fs";

/** Set by the bundle build (scripts/bundle.js) from package.json; undefined when running from dist/ or the sources. */
declare const __VPCWIRE_VERSION__: string | undefined;

/**
 * package.json is the one source of truth: the bundle has the version written in at build time (one file
 * read less on every run); dist/ and the sources read it at run time.
 */
export const VERSION: string =
  typeof __VPCWIRE_VERSION__ === "string"
    ? __VPCWIRE_VERSION__
    : (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
