import { readFileSync } from "node:fs";

/** Read from package.json at runtime so the version has one source of truth. */
export const VERSION: string = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
