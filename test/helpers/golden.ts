import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

/** test/golden/ */
export const GOLDEN_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "golden");

/** UPDATE_GOLDEN=1 rewrites golden files instead of comparing (review the diff before keeping it). */
export const UPDATING = process.env.UPDATE_GOLDEN === "1";

export type GoldenResult = { status: "same" | "written" | "missing" } | { status: "different"; expected: string };

/**
 * Compare `actual` with the golden file at `path`. The file is written only when `update` is true;
 * otherwise a missing or different file is reported and left as it is.
 */
export function compareGolden(path: string, actual: string, update: boolean): GoldenResult {
  if (update) {
    mkdirSync(dirname(path), { recursive: true });
    if (!existsSync(path) || readFileSync(path, "utf8") !== actual) writeFileSync(path, actual);
    return { status: "written" };
  }
  if (!existsSync(path)) return { status: "missing" };
  const expected = readFileSync(path, "utf8");
  return expected === actual ? { status: "same" } : { status: "different", expected };
}

/** Fail unless `actual` equals test/golden/<area>/<name>; UPDATE_GOLDEN=1 rewrites the file instead. */
export function expectGolden(area: string, name: string, actual: string): void {
  const shown = `test/golden/${area}/${name}`;
  const result = compareGolden(join(GOLDEN_ROOT, area, name), actual, UPDATING);
  if (result.status === "missing") throw new Error(`golden file ${shown} is missing; run UPDATE_GOLDEN=1 npx vitest run to create it`);
  if (result.status === "different") {
    // toBe prints a line diff; the message says how to accept the change.
    expect(actual, `${name} differs from ${shown} (UPDATE_GOLDEN=1 npx vitest run accepts it)`).toBe(result.expected);
  }
}
