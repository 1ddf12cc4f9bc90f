import type { GlobalConfig } from "../core/context.js";
import { parseDuration } from "../core/duration.js";
import { flagError } from "../core/errors.js";

const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** Validate and normalise the global options (exit 2 on bad values, before any AWS call). */
export function toGlobalConfig(opts: Record<string, unknown>): GlobalConfig {
  const region = opts.region as string | undefined;
  if (region !== undefined && !REGION_RE.test(region)) {
    throw flagError("--region", `"${region}" is not an AWS Region name (e.g. ap-northeast-1)`);
  }
  const endpointUrl = opts.endpointUrl as string | undefined;
  if (endpointUrl !== undefined) {
    let ok = false;
    try {
      const u = new URL(endpointUrl);
      ok = u.protocol === "http:" || u.protocol === "https:";
    } catch {
      ok = false;
    }
    if (!ok) throw flagError("--endpoint-url", `"${endpointUrl}" must be an http:// or https:// URL`);
  }
  let timeoutMs: number | undefined;
  if (opts.timeout !== undefined) {
    timeoutMs = parseDuration(String(opts.timeout));
    if (timeoutMs === undefined) throw flagError("--timeout", `"${String(opts.timeout)}" is not a duration (e.g. 90s, 40m, 1h)`);
  }
  const offline = Boolean(opts.offline);
  if (offline && !opts.dryRun) throw flagError("--offline", "works only with --dry-run (an offline run cannot change AWS)");
  const profile = opts.profile as string | undefined;
  if (profile !== undefined && !/^[\w.@+-]+$/.test(profile)) throw flagError("--profile", `"${profile}" is not a profile name`);
  return {
    ...(region ? { region } : {}),
    ...(profile ? { profile } : {}),
    ...(endpointUrl ? { endpointUrl } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    json: Boolean(opts.json),
    yes: Boolean(opts.yes),
    dryRun: Boolean(opts.dryRun),
    offline,
    color: opts.color !== false,
    verbose: Boolean(opts.verbose),
    revealSecrets: Boolean(opts.revealSecrets),
  };
}
