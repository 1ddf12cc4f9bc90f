/**
 * `vpcwire vpn apply -f sites.yaml`: many `vpn create` runs as one fleet. The file is checked whole
 * (sites-file.ts), the hub is read and planned once, each site is observed and decided by vpn
 * create's own observe/decide, and one plan covers them all. Applying runs the hub stage first, then
 * the sites concurrently (`--parallel`) with vpn create's runners, every AWS call through one shared
 * adaptive rate limiter (clients.ts). A failing site does not stop the others.
 */
import { setMaxListeners } from "node:events";
import { accessSync, constants, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Handler } from "../../cli/kit.js";
import { applyPlan, Journal, type StepResults } from "../../core/apply.js";
import type { Context } from "../../core/context.js";
import type { PlanWhere } from "../../core/create-command.js";
import { formatElapsed } from "../../core/duration.js";
import { AbortedError, ApplyError, type ExistingResource, flagError, InterruptedError, UsageError } from "../../core/errors.js";
import type { Io, Task } from "../../core/io.js";
import { countActions, formatPlan, type Plan, planIsNoop } from "../../core/plan.js";
import { knownRegion, resolveRegion } from "../../core/region.js";
import { destroyCommand, globalArgv, shellJoin } from "../../core/workflow.js";
import { type VpnCreateFacts, vpnCreateCommand } from "../create.js";
import type { VpnInput } from "../inputs.js";
import { fleetClients } from "./clients.js";
import { type Hub, type NotInFile, stacksNotInFile, tgwHub, vgwHub } from "./hub.js";
import { formatProblem, loadSitesFile, type SiteSpec, SitesFileError } from "./sites-file.js";

/** Sites applied at once unless --parallel says otherwise: AWS's rate limits, not this, pace the fleet. */
export const DEFAULT_PARALLEL = 50;
export const MAX_PARALLEL = 200;

interface ApplyFlags {
  file?: string;
  parallel?: string;
  outDir?: string;
}

interface PlannedSite {
  spec: SiteSpec;
  input: VpnInput;
  facts: VpnCreateFacts;
  plan: Plan;
}

export interface SiteResult {
  name: string;
  stack: string;
  ok: boolean;
  /** `created`, `updated`, `unchanged`, `failed`, `interrupted`, `not started`. */
  result: string;
  elapsedMs: number;
  resources?: Record<string, unknown>;
  configPath?: string;
  error?: { message: string; code?: string };
  existing?: ExistingResource[];
}

export const vpnApply: Handler = async (ctx, opts) => {
  const flags = opts as ApplyFlags;
  if (!flags.file) throw new UsageError("missing required flag: --file (the sites file; see examples/sites.yaml)");
  const parallel = parallelFlag(flags.parallel);
  const outDir = flags.outDir !== undefined ? outDirFlag(flags.outDir, ctx.cwd) : undefined;
  const path = resolve(ctx.cwd, flags.file);
  const known = knownRegion(ctx);
  let file = loadSitesFile(path, known ? { region: known } : {});
  const region = ctx.config.offline ? known : await resolveRegion(ctx);
  if (region && region !== known) file = loadSitesFile(path, { region });
  const where: PlanWhere = { region, offline: ctx.config.offline };
  const hub = file.hub.kind === "tgw" ? tgwHub(file.hub) : vgwHub(file.hub, file.quotas.vpnConnectionsPerGateway);

  // Every concurrent wait listens for Ctrl-C on the one signal: many sites are not a leak.
  setMaxListeners(Math.max(100, parallel * 20), ctx.signal);
  // One limiter and one set of batched reads for every call of the run.
  const fleet = fleetClients(ctx.clients, ctx, ctx.signal);
  const fctx: Context = { ...ctx, clients: fleet.clients };

  // --- observe: the hub once, then every site with vpn create's own observe, pointed at the hub.
  const hubFacts = await hub.observe(fctx, where);
  const hubPlan = hub.decide(hubFacts, where);
  const target = hub.targetId(hubFacts);
  const names = new Set(file.sites.map((s) => s.name));
  const notInFile = stacksNotInFile(hubFacts.connections, names, hub.stack);
  const problems: string[] = [];
  const planned: PlannedSite[] = [];
  await pool(file.sites, parallel, async (spec) => {
    const input = hub.siteInput(spec.input, hubFacts.gatewayId);
    const sctx: Context = { ...fctx, io: quietIo(ctx.io) };
    try {
      const facts = await vpnCreateCommand.observe(sctx, input, where);
      const plan = hub.siteHubSteps(vpnCreateCommand.decide(input, facts, where), target);
      planned.push({ spec, input, facts, plan });
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      problems.push(formatProblem(file.path, { line: spec.line, site: spec.name, message: error.message }));
    }
  });
  planned.sort((a, b) => file.sites.indexOf(a.spec) - file.sites.indexOf(b.spec));
  problems.push(...quotaProblems(file, hub, hubFacts, planned));
  if (problems.length) {
    throw new UsageError(
      `${file.path}: ${problems.length} ${problems.length === 1 ? "problem" : "problems"} with the account, nothing was changed:\n  ${problems.join("\n  ")}`,
    );
  }

  const resume = shellJoin(["vpcwire", "vpn", "apply", "-f", flags.file, ...(outDir ? ["--out-dir", flags.outDir!] : []), "--yes", ...globalArgv(ctx.config)]);
  const document = fleetPlanDocument(file.path, region, where.offline, hub, hubPlan, planned, notInFile);

  if (ctx.config.dryRun) {
    ctx.io.result(ctx.config.json ? JSON.stringify({ ...document, ok: true }, null, 2) : formatFleetPlan(document, hubPlan, planned, ctx.io));
    if (outDir) ctx.io.info(`--dry-run: nothing was written to ${flags.outDir} (the same command without --dry-run writes each site's config there)`);
    return 0;
  }
  const converged = planIsNoop(hubPlan) && planned.every((p) => planIsNoop(p.plan));
  if (!ctx.config.json) ctx.io.info(formatFleetPlan(document, hubPlan, planned, ctx.io));
  if (!converged) {
    if (ctx.io.interactive) {
      const ok = await ctx.io.prompt.confirm({ message: `Apply this plan to ${planned.length} sites?`, default: true });
      if (!ok) throw new AbortedError();
    } else if (!ctx.config.yes) {
      throw new UsageError("--yes: vpn apply changes many stacks and vpcwire is not running interactively; add --yes to confirm");
    }
  }
  if (ctx.signal.aborted) throw new InterruptedError("Interrupted before anything was changed.", "signal");

  // --- the hub stage: once, before any site.
  const started = ctx.now();
  const hubJournal = new Journal();
  let hubResults: StepResults;
  try {
    hubResults = await applyPlan(
      hubPlan,
      {
        runners: hubPlan.steps.some((s) => s.action !== "no-op") ? await hub.runners(fctx, hubJournal) : {},
        resumeCommand: resume,
        destroyCommand: destroyCommand(hub.stack, ctx.config),
      },
      hubJournal,
    );
  } catch (error) {
    if (error instanceof ApplyError) throw error;
    throw new ApplyError(error instanceof Error ? error : new Error(String(error)), {
      existing: hubJournal.resources(),
      resumeCommand: resume,
      destroyCommand: destroyCommand(hub.stack, ctx.config),
    });
  }
  const hubId = hub.targetId(hubFacts, hubResults);

  // --- the sites, concurrently; each one's failure is its own.
  const results: SiteResult[] = [];
  await pool(planned, parallel, async (site) => {
    results.push(await applySite(fctx, ctx.io, hub, hubId, site, outDir));
  });
  results.sort((a, b) => file.sites.findIndex((s) => s.name === a.name) - file.sites.findIndex((s) => s.name === b.name));
  const ok = results.every((r) => r.ok);
  const elapsedMs = ctx.now() - started;
  const calls = { sent: fleet.stats.sent, throttledAndRetried: fleet.stats.throttled, sharedReads: fleet.stats.shared };

  if (ctx.config.json) {
    ctx.io.result(
      JSON.stringify(
        {
          schemaVersion: 1,
          ok,
          command: "vpn apply",
          file: file.path,
          region,
          hub: { stack: hub.stack, id: hubId },
          sites: results,
          notInFile,
          elapsedMs,
          calls,
        },
        null,
        2,
      ),
    );
  } else {
    ctx.io.info(summaryTable(results, ctx.io));
    for (const s of notInFile)
      ctx.io.info(`not in file: stack ${s.stack} (${s.vpnConnectionId}) was left as it is; remove it with ${destroyCommand(s.stack, ctx.config)}`);
    const failed = results.filter((r) => !r.ok);
    if (failed.length) ctx.io.warn(`${failed.length} of ${results.length} sites did not finish; run the same command again to continue:\n  ${resume}`);
    else ctx.io.success(`${results.length} sites ready in ${formatElapsed(elapsedMs)} (${calls.sent} AWS calls).`);
    if (!outDir) ctx.io.info("Router configs: vpcwire vpn config --stack <site> (or run with --out-dir DIR for one file per site).");
  }
  if (ctx.signal.aborted) throw new InterruptedError("Interrupted: sites that had not finished stopped; run the same command again to continue.", "signal");
  return ok ? 0 : 1;
};

async function applySite(ctx: Context, io: Io, hub: Hub, hubId: string, site: PlannedSite, outDir: string | undefined): Promise<SiteResult> {
  const { spec, facts } = site;
  const started = ctx.now();
  const line = io.task(`site ${spec.name}`);
  const sctx: Context = { ...ctx, io: siteIo(io, line) };
  const plan = hub.siteHubSteps(site.plan, hubId);
  const input: VpnInput = {
    ...hub.siteInput(site.input, hubId),
    ...(outDir ? { out: join(outDir, `${spec.name}.${site.input.device === "strongswan" ? "conf" : "cfg"}`) } : {}),
  };
  const journal = new Journal();
  const base = { name: spec.name, stack: input.stack };
  if (ctx.signal.aborted) {
    line.fail(`site ${spec.name}: not started (interrupted)`);
    return { ...base, ok: false, result: "not started", elapsedMs: 0 };
  }
  try {
    const noop = planIsNoop(plan);
    const results = await applyPlan(
      plan,
      {
        // Reuse steps run too (they wait for a pending resource): runners unless every step is a no-op.
        runners: plan.steps.every((s) => s.action === "no-op") ? {} : await vpnCreateCommand.runners(sctx, input, facts, journal),
        resumeCommand: "",
        destroyCommand: destroyCommand(input.stack, ctx.config),
      },
      journal,
    );
    line.update("router config");
    const finished = await vpnCreateCommand.finish(sctx, input, facts, results, plan);
    const resources = finished.document.resources as Record<string, unknown>;
    const counts = countActions(plan);
    const result = noop ? "unchanged" : counts.create > 0 ? "created" : "updated";
    line.succeed(`site ${spec.name}: ${result}, ${String(resources.vpnConnectionId)} ${String(resources.state)}`);
    return { ...base, ok: true, result, elapsedMs: ctx.now() - started, resources, ...(input.out ? { configPath: input.out } : {}) };
  } catch (error) {
    const interrupted = error instanceof InterruptedError || ctx.signal.aborted;
    const cause = error instanceof ApplyError ? error.cause : error;
    const message = cause instanceof Error ? cause.message : String(cause);
    const code = (cause as { details?: { code?: string } })?.details?.code;
    line.fail(`site ${spec.name}: ${interrupted ? "interrupted" : "failed"}: ${message}`);
    return {
      ...base,
      ok: false,
      result: interrupted ? "interrupted" : "failed",
      elapsedMs: ctx.now() - started,
      error: { message, ...(code ? { code } : {}) },
      existing: error instanceof ApplyError ? error.existing : journal.resources(),
    };
  }
}

/** Run `work` on every item, at most `limit` at once. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** A site's Io: its steps' progress becomes the state of its one line; their chatter is debug only. */
function siteIo(io: Io, line: Task): Io {
  return {
    ...quietIo(io),
    task: (label) => {
      line.update(label);
      return {
        update: (state) => line.update(`${label}: ${state}`),
        succeed: (text) => line.update(text ?? `${label}: done`),
        fail: (text) => line.update(text ?? `${label}: failed`),
      };
    },
  };
}

function quietIo(io: Io): Io {
  return { ...io, info: io.debug, success: io.debug, result: io.debug, warn: io.debug, task: () => ({ update() {}, succeed() {}, fail() {} }) };
}

function parallelFlag(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PARALLEL;
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PARALLEL) throw flagError("--parallel", `must be a whole number from 1 to ${MAX_PARALLEL}, not "${text}"`);
  return n;
}

/** `--out-dir`: an existing, writable directory (checked before anything is created). */
function outDirFlag(text: string, cwd: string): string {
  const path = resolve(cwd, text);
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw flagError("--out-dir", `directory ${path} does not exist (create it first)`);
  }
  if (!isDir) throw flagError("--out-dir", `${path} is not a directory`);
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
  } catch {
    throw flagError("--out-dir", `directory ${path} is not writable`);
  }
  return path;
}

/** What the account says about the quotas: connections on the hub and customer gateways in the Region. */
function quotaProblems(file: ReturnType<typeof loadSitesFile>, hub: Hub, facts: Awaited<ReturnType<Hub["observe"]>>, planned: PlannedSite[]): string[] {
  if (!facts.read) return [];
  const problems: string[] = [];
  const newConnections = planned.filter((p) => p.plan.steps.some((s) => s.id === "vpn" && s.action === "create")).length;
  const total = facts.connections.length + newConnections;
  if (total > hub.connectionLimit) {
    problems.push(
      hub.kind === "vgw"
        ? `sites: ${hub.label} (${facts.gatewayId}) already holds ${facts.connections.length} VPN connections and the file adds ${newConnections}: ` +
            `${total} is more than its ${hub.connectionLimit} (AWS's default quota is 10); use a Transit Gateway hub, or raise the quota and set quotas: vpn-connections-per-gateway`
        : `sites: ${hub.label} (${facts.gatewayId}) already holds ${facts.connections.length} VPN connections and the file adds ${newConnections}: ` +
            `${total} is more than the ${hub.connectionLimit} attachments a Transit Gateway takes (AWS's default quota); raise the quota first`,
    );
  }
  const newCgws = planned.filter((p) => p.plan.steps.some((s) => s.id === "cgw" && s.action === "create")).length;
  if (facts.customerGateways !== undefined && facts.customerGateways + newCgws > file.quotas.customerGateways) {
    problems.push(
      `sites: the Region has ${facts.customerGateways} customer gateways and the file adds ${newCgws}: more than the quota of ${file.quotas.customerGateways}; raise it and set quotas: customer-gateways`,
    );
  }
  return problems;
}

interface FleetPlanDocument {
  schemaVersion: 1;
  command: "vpn apply";
  file: string;
  region: string | null;
  offline: boolean;
  hub: Plan;
  sites: Array<{ name: string; stack: string; plan: Plan }>;
  notInFile: NotInFile[];
  totals: { sites: number; sitesToChange: number; sitesUnchanged: number; notInFile: number; steps: Record<string, number> };
}

function fleetPlanDocument(
  file: string,
  region: string | null,
  offline: boolean,
  _hub: Hub,
  hubPlan: Plan,
  planned: PlannedSite[],
  notInFile: NotInFile[],
): FleetPlanDocument {
  const steps: Record<string, number> = { create: 0, update: 0, reuse: 0, "no-op": 0 };
  for (const plan of [hubPlan, ...planned.map((p) => p.plan)]) {
    for (const [action, n] of Object.entries(countActions(plan))) if (action in steps) steps[action]! += n;
  }
  const sitesToChange = planned.filter((p) => !planIsNoop(p.plan)).length;
  return {
    schemaVersion: 1,
    command: "vpn apply",
    file,
    region,
    offline,
    hub: hubPlan,
    sites: planned.map((p) => ({ name: p.spec.name, stack: p.input.stack, plan: p.plan })),
    notInFile,
    totals: { sites: planned.length, sitesToChange, sitesUnchanged: planned.length - sitesToChange, notInFile: notInFile.length, steps },
  };
}

function formatFleetPlan(doc: FleetPlanDocument, hubPlan: Plan, planned: PlannedSite[], io: Io): string {
  const { style } = io;
  const out = [
    `Fleet plan for ${doc.file} (vpn apply${doc.region ? `, region ${doc.region}` : ""}${doc.offline ? ", offline: ids in <...> are placeholders" : ""}): ${planned.length} sites`,
    "",
    `Hub (stack ${style.bold(hubPlan.stack)}):`,
    indent(formatPlan(hubPlan, style)),
  ];
  for (const p of planned) out.push("", `Site ${style.bold(p.spec.name)}:`, indent(formatPlan(p.plan, style)));
  if (doc.notInFile.length) {
    out.push("", "Not in file (left as they are; vpn apply never deletes; remove one with vpcwire destroy --stack NAME):");
    for (const s of doc.notInFile) out.push(`  · ${s.stack}: VPN connection ${s.vpnConnectionId}${s.state ? ` (${s.state})` : ""} on the hub — not in file`);
  }
  const t = doc.totals;
  out.push(
    "",
    `Total: ${t.sites} sites (${t.sitesToChange} to create or change, ${t.sitesUnchanged} unchanged)${t.notInFile ? `, ${t.notInFile} not in file` : ""}; ` +
      `${t.steps.create} to create, ${t.steps.update} to update, ${t.steps.reuse} to reuse, ${t.steps["no-op"]} unchanged.`,
  );
  return out.join("\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}

function summaryTable(results: SiteResult[], io: Io): string {
  const rows = [
    ["SITE", "RESULT", "VPN CONNECTION", "STATE", "ELAPSED", "CONFIG / ERROR"],
    ...results.map((r) => [
      r.name,
      r.result,
      String(r.resources?.vpnConnectionId ?? "-"),
      String(r.resources?.state ?? "-"),
      formatElapsed(r.elapsedMs),
      r.error ? r.error.message : (r.configPath ?? "-"),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows
    .map((row, n) => {
      const text = row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ");
      return n === 0 ? io.style.bold(text) : results[n - 1]!.ok ? text : io.style.red(text);
    })
    .join("\n");
}

export { SitesFileError };
