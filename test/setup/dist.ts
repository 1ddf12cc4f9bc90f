/**
 * Vitest global setup: the tests that spawn bin/vpcwire.js run the built dist/, so make sure it is
 * built from the current sources before any test starts. `npm test` builds first, so there this only
 * checks; a bare `npx vitest run` builds when dist/ is missing or older than src/ or templates/.
 *
 * A failed build does not stop the in-process tests: the binary tests fail with the build output
 * (see test/helpers/binary.ts), never skip.
 */
import { execFile } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Everything the build reads: a change to any of these makes dist/ stale. */
const BUILD_INPUTS = ["src", "templates", "scripts", "package.json", "tsconfig.json", "tsconfig.build.json"];

/** What bin/vpcwire.js runs: the bundle scripts/bundle.js writes after tsc (its other files are written with it). */
const BUNDLE_ENTRY = join("dist", "bundle", "vpcwire.cjs");

export type DistState = { ok: true } | { ok: false; problem: string };

declare module "vitest" {
  export interface ProvidedContext {
    /** Set by this global setup: whether dist/ was built from the current sources. */
    vpcwireDist: DistState;
  }
}

function filesUnder(path: string): string[] {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return [];
  if (!stat.isDirectory()) return [path];
  return readdirSync(path, { recursive: true, encoding: "utf8" })
    .map((name) => join(path, name))
    .filter((file) => statSync(file).isFile());
}

/**
 * Why dist/ cannot be trusted, or undefined when it is fresh: every src/**.ts has its dist/**.js, the
 * bundle exists, and the oldest of those is newer than every build input. (The build rewrites every output, so the
 * oldest output marks when the last complete build started writing.)
 */
export function distStaleness(): string | undefined {
  const srcDir = join(ROOT, "src");
  const rel = (file: string) => relative(ROOT, file);
  let oldest: { file: string; mtimeMs: number } | undefined;
  for (const source of filesUnder(srcDir).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))) {
    const output = join(ROOT, "dist", relative(srcDir, source)).replace(/\.ts$/, ".js");
    const stat = statSync(output, { throwIfNoEntry: false });
    if (!stat) return `${rel(output)} is missing`;
    if (!oldest || stat.mtimeMs < oldest.mtimeMs) oldest = { file: output, mtimeMs: stat.mtimeMs };
  }
  if (!oldest) return "src/ holds no TypeScript";
  const bundle = statSync(join(ROOT, BUNDLE_ENTRY), { throwIfNoEntry: false });
  if (!bundle) return `${BUNDLE_ENTRY} is missing`;
  if (bundle.mtimeMs < oldest.mtimeMs) oldest = { file: join(ROOT, BUNDLE_ENTRY), mtimeMs: bundle.mtimeMs };
  for (const input of BUILD_INPUTS.flatMap((p) => filesUnder(join(ROOT, p)))) {
    if (statSync(input).mtimeMs > oldest.mtimeMs) return `${rel(input)} is newer than ${rel(oldest.file)}`;
  }
  return undefined;
}

/** Run `npm run build` (the package's own build, whatever steps it has) when dist/ is stale. */
export async function ensureFreshDist(): Promise<DistState> {
  const before = distStaleness();
  if (!before) return { ok: true };
  process.stderr.write(`vpcwire tests: ${before}; running npm run build\n`);
  // Under `npm test` npm says where it lives; otherwise the npm on PATH.
  const npm = process.env.npm_execpath;
  const [command, args] = npm?.endsWith(".js") ? [process.execPath, [npm, "run", "build"]] : ["npm", ["run", "build"]];
  try {
    await promisify(execFile)(command, args, { cwd: ROOT, encoding: "utf8", shell: process.platform === "win32", maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string; message: string };
    return { ok: false, problem: `npm run build failed (${String(e.code ?? e.message)}):\n${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
  const after = distStaleness();
  return after ? { ok: false, problem: `dist/ is still stale after npm run build: ${after}` } : { ok: true };
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide("vpcwireDist", await ensureFreshDist());
  // Watch mode: sources may have changed since the last run.
  project.onTestsRerun(async () => project.provide("vpcwireDist", await ensureFreshDist()));
}
