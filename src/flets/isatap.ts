import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Handler } from "../cli/kit.js";
import type { Context } from "../core/context.js";
import { flagError, UsageError } from "../core/errors.js";
import type { Plan } from "../core/plan.js";
import { resolveRegion } from "../core/region.js";
import { destroyCommand, globalArgv, runWorkflow, shellJoin } from "../core/workflow.js";
import { checkId } from "../net/ids.js";
import { type FletsInput, missingFletsFlags, validateFletsFlags } from "./inputs.js";
import { type FletsAwsOptions, type FletsFacts, planFlets } from "./plan.js";
import { type FletsFile, type FletsRendered, renderFletsFiles } from "./render.js";

/**
 * `vpcwire flets isatap`: input -> (AWS side: plan -> confirm -> apply) -> files.
 * With `--private-ip` alone nothing is read from AWS (no credentials or Region needed) and the plan has
 * no step; with `--instance-id` the instance is read and its security group and route propagation checked.
 */
export const fletsIsatap: Handler = async (ctx, opts) => {
  // Commander may leave absent options as undefined keys; drop them so placeholders and wizard answers apply.
  let raw: Record<string, unknown> = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
  const cwd = ctx.cwd;
  const missing = missingFletsFlags(raw);
  if (missing.length > 0) {
    if (!ctx.io.interactive) {
      throw new UsageError(`missing required flags: ${missing.join(", ")} (vpcwire asks for them only in an interactive terminal)`);
    }
    // Check what was given before asking for the rest, so a typo fails now rather than after the questions.
    const placeholders = { prefix: "2001:db8::/64", router: "198.51.100.254", ...(raw.privateIp ? {} : { instanceId: "i-00000000" }) };
    validateFletsFlags({ ...placeholders, ...raw });
    validateAwsFlags(raw, undefined, ctx);
    const { fletsWizard } = await import("./wizard.js");
    raw = await fletsWizard(ctx, raw);
  }
  const input = validateFletsFlags(raw);
  const awsOpts = validateAwsFlags(raw, input, ctx);
  const outDir = input.out === undefined ? undefined : checkOutDir(resolve(cwd, input.out));
  const argv = fletsArgv(input, awsOpts, ctx.config);
  if (missing.length > 0) ctx.io.info(`The same run without questions:\n  ${shellJoin(argv)}`);

  // The Region matters only when the instance is read; rendering alone needs none.
  const online = input.instanceId !== undefined && !ctx.config.offline;
  const region = online ? await resolveRegion(ctx) : (ctx.config.region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION ?? null);
  const { plan, facts } = await planFlets(ctx, input, awsOpts, region);
  if (facts.osSource === "instance" && facts.os === "windows") {
    const linuxOnly = (["--boot", "--interface", "--firewall"] as const).filter((f) => raw[f.slice(2)] !== undefined);
    if (linuxOnly.length) {
      plan.warnings.push(`${linuxOnly.join(", ")} ignored: EC2 reports ${input.instanceId} as Windows (pass --os linux if it is not).`);
    }
  }
  const rendered = renderFletsFiles({ ...input, privateIp: facts.privateIp, os: facts.os });
  // Refuse to overwrite someone else's file before anything is changed in AWS.
  if (outDir) classifyOutFiles(outDir, rendered.files);

  const outcome = await runWorkflow(ctx, {
    plan,
    runners: async () => (await import("./runners.js")).fletsRunners(ctx, plan.stack),
    resumeCommand: shellJoin(argv),
    // Revokes the stack's protocol 41 rule; the route propagation a run turned on stays on (the failure
    // report says so on the route table's line, see runners.ts).
    destroyCommand: destroyCommand(plan.stack, ctx.config),
    dryRunExtra: async () => ({
      text: [...summaryLines(input, facts, rendered), ...rendered.warnings.map((w) => `  ! ${w}`), "", filesText(rendered.files, outDir, true)].join("\n"),
      // The same top-level fields as the applied run's document, next to the plan's.
      json: resultFields(input, facts, rendered, plan, undefined),
    }),
    finish: async () => finishFlets(ctx, input, facts, rendered, plan, outDir),
  });
  if (outcome.kind === "applied" && outcome.converged && plan.steps.length > 0 && !ctx.config.json) {
    ctx.io.success(`The AWS side of ${facts.aws?.instanceId ?? "the instance"} was already in place; nothing was changed.`);
  }
  return 0;
};

/**
 * Flags that only the AWS side uses; checked with the others, before any AWS call. Without `input`
 * (before the wizard) only their own shape is checked, not how they combine with the others.
 */
function validateAwsFlags(raw: Record<string, unknown>, input: FletsInput | undefined, ctx: Context): FletsAwsOptions {
  const sg = raw.securityGroup;
  if (sg !== undefined && typeof sg !== "string") throw flagError("--security-group", "expects one security group id");
  const groupId = sg === undefined ? undefined : checkId("--security-group", sg, "sg");
  if (!input) return {};
  if (groupId !== undefined && !input.instanceId) {
    throw flagError("--security-group", "needs --instance-id (vpcwire checks the group only for an instance it can read)");
  }
  if (ctx.config.offline && input.instanceId && !input.privateIp) {
    throw flagError("--instance-id", "cannot be read with --offline; give --private-ip (and --os) for an offline preview");
  }
  return groupId === undefined ? {} : { securityGroup: groupId };
}

/** `--out` must be a directory, or not exist yet. */
function checkOutDir(dir: string): string {
  try {
    if (!statSync(dir).isDirectory()) throw flagError("--out", `${dir} exists and is not a directory`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  return dir;
}

type FileState = "new" | "same" | "replace";

/**
 * What writing each file would do. vpcwire overwrites only files it generated itself (they say so in
 * their first lines) and leaves identical ones alone; any other file in the way is a usage error.
 */
function classifyOutFiles(dir: string, files: FletsFile[]): Map<string, FileState> {
  const states = new Map<string, FileState>();
  for (const file of files) {
    const path = join(dir, file.name);
    let existing: string;
    try {
      if (!statSync(path).isFile()) throw flagError("--out", `${path} exists and is not a file; move it away or pick another --out directory`);
      existing = readFileSync(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        states.set(file.name, "new");
        continue;
      }
      throw error;
    }
    if (existing === file.content) states.set(file.name, "same");
    else if (/generated by vpcwire/i.test(existing.split("\n").slice(0, 3).join("\n"))) states.set(file.name, "replace");
    else throw flagError("--out", `${path} exists and was not written by vpcwire; move it away or pick another --out directory`);
  }
  return states;
}

interface WrittenFile {
  path: string;
  status: "written" | "unchanged" | "replaced";
}

function writeOutFiles(dir: string, files: FletsFile[]): Map<string, WrittenFile> {
  const states = classifyOutFiles(dir, files);
  mkdirSync(dir, { recursive: true });
  const written = new Map<string, WrittenFile>();
  for (const file of files) {
    const path = join(dir, file.name);
    const state = states.get(file.name)!;
    if (state !== "same") {
      // Write beside and rename, so a script is never left half written.
      const tmp = `${path}.vpcwire-${process.pid}.tmp`;
      writeFileSync(tmp, file.content, { mode: file.mode });
      chmodSync(tmp, file.mode);
      renameSync(tmp, path);
    } else {
      chmodSync(path, file.mode);
    }
    written.set(file.name, { path, status: state === "new" ? "written" : state === "same" ? "unchanged" : "replaced" });
  }
  return written;
}

const octal = (mode: number) => `0${mode.toString(8).padStart(3, "0")}`;

/**
 * The fields of the result, without the envelope. Both `--json` documents carry them at the top level:
 * the applied run's (`{schemaVersion, ok, command, stack, region, ...}`, files with their path and
 * status when written with --out) and --dry-run's (the plan document, `steps` and `offline` included,
 * with these fields beside it; files always with their content). `warnings` holds the plan's warnings,
 * then the rendered files' warnings.
 */
function resultFields(input: FletsInput, facts: FletsFacts, rendered: FletsRendered, plan: Plan, written: Map<string, WrittenFile> | undefined) {
  return {
    privateIp: facts.privateIp,
    router: input.router,
    os: facts.os,
    osSource: facts.osSource,
    address: rendered.address,
    files: rendered.files.map((f) => {
      const w = written?.get(f.name);
      return {
        name: f.name,
        mode: octal(f.mode),
        description: f.description,
        ...(f.installPath ? { installPath: f.installPath } : {}),
        ...(w ? { path: w.path, status: w.status } : { content: f.content }),
      };
    }),
    checklist: rendered.checklist,
    ...(rendered.dnsRecord ? { dnsRecord: rendered.dnsRecord } : {}),
    warnings: [...plan.warnings, ...rendered.warnings],
    ...(facts.aws
      ? { aws: { ...facts.aws, steps: plan.steps.map((s) => ({ action: s.action, resource: s.resource, resourceId: s.resourceId, summary: s.summary })) } }
      : {}),
  };
}

function finishFlets(ctx: Context, input: FletsInput, facts: FletsFacts, rendered: FletsRendered, plan: Plan, outDir: string | undefined) {
  const written = outDir ? writeOutFiles(outDir, rendered.files) : undefined;
  const doc = {
    schemaVersion: 1,
    ok: true,
    command: "flets isatap",
    stack: plan.stack,
    region: plan.region,
    ...resultFields(input, facts, rendered, plan, written),
  };
  const { io } = ctx;
  if (ctx.config.json) {
    io.result(JSON.stringify(doc, null, 2));
    return doc;
  }
  // Files first, the summary last: it is what the user needs to read, so it should not scroll away.
  if (!written) io.result(filesText(rendered.files, undefined, false));
  for (const line of summaryLines(input, facts, rendered)) io.info(line);
  for (const w of rendered.warnings) io.warn(w);
  io.info(fileList(rendered.files, outDir, written));
  io.info(["Once the files are in place, check:", ...rendered.checklist.map((c) => `  - ${c}`)].join("\n"));
  return doc;
}

/** The address in every spelling, and what the files are for. */
function summaryLines(input: FletsInput, facts: FletsFacts, rendered: FletsRendered): string[] {
  const a = rendered.address;
  const from =
    facts.osSource === "instance"
      ? `, as EC2 reports for ${facts.aws?.instanceId}`
      : facts.osSource === "default"
        ? "; no --os given, so Linux (pass --os windows for a Windows instance)"
        : "";
  const linux = facts.os === "linux";
  return [
    `ISATAP address of ${facts.privateIp} in ${a.prefix}:`,
    `  ${a.dotted}  (as NTT and Windows write it)`,
    `  ${a.compressed}  (as ip -6 addr shows it)`,
    `  ${a.hex}  (every digit)`,
    `  default route via ${a.gateway.dotted} = ${a.gateway.compressed} (the ISATAP router ${input.router})`,
    ...(rendered.dnsRecord ? [`AAAA record to create: ${rendered.dnsRecord}`] : []),
    `Files for ${linux ? `Linux (${input.boot}, ${input.firewall}, interface ${input.interface})` : "Windows"}${from}.`,
  ];
}

function fileList(files: FletsFile[], outDir: string | undefined, written: Map<string, WrittenFile> | undefined): string {
  const lines = files.map((f) => {
    const w = written?.get(f.name);
    const where = w ? `${w.path} (${octal(f.mode)}, ${w.status})` : `${f.name} (${octal(f.mode)})`;
    return `  ${where}${f.installPath ? ` -> ${f.installPath}` : ""}: ${f.description}`;
  });
  const head = written ? `Files in ${outDir} (vpcwire replaces only files it generated itself):` : "Files (printed on stdout; use --out DIR to write them):";
  return [head, ...lines].join("\n");
}

/** The files as one text, each after a `==> name <==` header (the layout `head`/`tail` use for several files). */
function filesText(files: FletsFile[], outDir: string | undefined, dryRun: boolean): string {
  const head = dryRun ? [`Files${outDir ? ` for ${outDir}` : ""} (--dry-run: not written):`, ""] : [];
  return [...head, ...files.map((f) => `==> ${f.name} <==\n${f.content.replace(/\r?\n$/, "")}\n`)].join("\n");
}

/** The equivalent non-interactive command (for resume hints and after the wizard). */
export function fletsArgv(input: FletsInput, aws: FletsAwsOptions, global: { region?: string; profile?: string; endpointUrl?: string }): string[] {
  const args = ["vpcwire", "flets", "isatap", "--prefix", input.prefix, "--router", input.router];
  if (input.instanceId) args.push("--instance-id", input.instanceId);
  if (input.privateIp) args.push("--private-ip", input.privateIp);
  if (input.os) args.push("--os", input.os);
  if (input.os !== "windows") {
    if (input.boot !== "systemd") args.push("--boot", input.boot);
    if (input.interface !== "sit1") args.push("--interface", input.interface);
    if (input.firewall !== "nftables") args.push("--firewall", input.firewall);
  }
  if (input.allow.length) args.push("--allow", input.allow.map((a) => a.text).join(","));
  if (input.dnsName) args.push("--dns-name", input.dnsName);
  if (input.ipip) args.push("--ipip-remote", input.ipip.remote, "--ipip-local-v4", input.ipip.localV4, "--ipip-remote-v4", input.ipip.remoteV4);
  if (aws.securityGroup) args.push("--security-group", aws.securityGroup);
  if (input.out) args.push("--out", input.out);
  args.push(...globalArgv(global));
  return args;
}
