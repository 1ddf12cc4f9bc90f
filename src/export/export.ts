/** `vpcwire export --stack NAME --format terraform|json [--out DIR]`: hand a stack over to Terraform. */
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { STACK_NAME_RE } from "../aws/tags.js";
import type { Handler } from "../cli/kit.js";
import { flagError, UsageError, VpcwireError } from "../core/errors.js";
import { resolveRegion } from "../core/region.js";
import { allLifecycles } from "../lifecycle/kinds.js";
import type { Item, Value } from "./hcl.js";
import { buildInventory, type ExportInventory } from "./inventory.js";
import { toTerraform } from "./terraform.js";

export const FORMATS = ["terraform", "json"] as const;
export type ExportFormat = (typeof FORMATS)[number];

export interface ExportFlags {
  stack: string;
  format: ExportFormat;
  out?: string;
}

/** Check the flags before any AWS call. */
export function validateExportFlags(opts: Record<string, unknown>, json: boolean): ExportFlags {
  const stack = opts.stack as string | undefined;
  if (!stack) throw new UsageError("missing required flags: --stack (see 'vpcwire list' for the stacks in this Region)");
  if (!STACK_NAME_RE.test(stack)) throw flagError("--stack", `"${stack}" is not a stack name (lowercase letters, digits and hyphens)`);
  const format = (opts.format as string | undefined) ?? (json ? "json" : "terraform");
  if (!(FORMATS as readonly string[]).includes(format)) throw flagError("--format", `"${format}" is not one of ${FORMATS.join(", ")}`);
  const out = opts.out as string | undefined;
  if (out !== undefined && out.trim() === "") throw flagError("--out", "must name a directory");
  return { stack, format: format as ExportFormat, ...(out !== undefined ? { out } : {}) };
}

/** The HCL body as plain data for --format json: references as `{ "ref": "aws_lb.x.arn" }`. */
function bodyData(items: Item[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    if (item.kind === "attr") out[item.key] = item.value as Value;
    else if (item.kind === "block") out[item.type] = [...((out[item.type] as unknown[]) ?? []), bodyData(item.body)];
  }
  return out;
}

export function inventoryData(inv: ExportInventory) {
  return {
    stack: inv.stack,
    kind: inv.kind,
    region: inv.region,
    resources: inv.resources.map((r) => ({
      address: r.address,
      mode: r.mode,
      type: r.type,
      name: r.name,
      id: r.id,
      vpcwireType: r.vpcwireType,
      importId: r.importId,
      importable: r.importId !== null,
      notes: r.notes,
      arguments: bodyData(r.body),
    })),
    variables: inv.variables,
    warnings: inv.warnings,
  };
}

class StackNotFound extends VpcwireError {
  constructor(stack: string, region: string | null) {
    super(`No resources tagged vpcwire:stack=${stack} in ${region ?? "this Region"} (see 'vpcwire list').`, 1);
  }
}

export const exportStack: Handler = async (ctx, opts) => {
  const flags = validateExportFlags(opts, ctx.config.json);
  if (ctx.config.offline) throw flagError("--offline", "export reads the stack's resources in AWS; run it without --offline");
  const dir = flags.out ? resolve(ctx.cwd, flags.out) : undefined;
  if (dir && existsSync(dir) && !statSync(dir).isDirectory()) throw flagError("--out", `${flags.out} is a file; give a directory`);

  const region = await resolveRegion(ctx);
  let found: Awaited<ReturnType<typeof buildInventory>> | undefined;
  for (const lifecycle of await allLifecycles()) {
    const [summary] = await lifecycle.discover(ctx, flags.stack);
    if (summary) {
      found = await buildInventory(ctx, summary, region);
      break;
    }
  }
  if (!found) throw new StackNotFound(flags.stack, region);
  const inv = found;
  for (const w of inv.warnings) ctx.io.warn(w);

  const data = inventoryData(inv);
  const files: Record<string, string> =
    flags.format === "json" ? { "vpcwire-export.json": `${JSON.stringify({ schemaVersion: 1, ...data }, null, 2)}\n` } : { ...toTerraform(inv) };

  if (dir) {
    mkdirSync(dir, { recursive: true });
    // Nothing secret goes into these files: the keys are variables without a value.
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const written = Object.keys(files).map((n) => join(dir, n));
    if (ctx.config.json) {
      ctx.io.result(JSON.stringify({ schemaVersion: 1, ok: true, command: "export", stack: inv.stack, region, format: flags.format, written }, null, 2));
    } else {
      const imports = inv.resources.filter((r) => r.importId !== null).length;
      ctx.io.success(`Stack ${inv.stack}: ${inv.resources.length} blocks (${imports} to import) written to ${Object.keys(files).join(", ")} in ${dir}`);
      if (flags.format === "terraform")
        ctx.io.info(`Next: cp terraform.tfvars.example terraform.tfvars, fill in the keys, then terraform init && terraform plan (see README "Export").`);
    }
    return 0;
  }
  if (flags.format === "json" || ctx.config.json) {
    const doc = flags.format === "json" ? data : { stack: inv.stack, kind: inv.kind, region, files };
    ctx.io.result(JSON.stringify({ schemaVersion: 1, ok: true, command: "export", ...doc }, null, 2));
    return 0;
  }
  // One stream: every .tf file in one (valid) document; the tfvars example needs --out.
  const t = files as unknown as ReturnType<typeof toTerraform>;
  ctx.io.result([t["versions.tf"], t["variables.tf"], t["main.tf"], t["imports.tf"]].join("\n").trimEnd());
  if (inv.variables.length)
    ctx.io.info(`The keys are variables (${inv.variables.map((v) => v.name).join(", ")}); --out DIR also writes terraform.tfvars.example.`);
  return 0;
};
