/**
 * The inventory as Terraform files: `versions.tf` (Terraform 1.5+ for `import` blocks, the AWS
 * provider), `variables.tf` (the pre-shared keys, `sensitive`, never a value), `main.tf` (data
 * sources and resources), `imports.tf` (one `import` block per importable resource) and
 * `terraform.tfvars.example` (the variables to fill in, with placeholders).
 */
import { attr, blank, block, comment, formatFile, type Item, quote, ref } from "./hcl.js";
import type { ExportInventory } from "./inventory.js";

export interface TerraformFiles {
  "versions.tf": string;
  "variables.tf": string;
  "main.tf": string;
  "imports.tf": string;
  "terraform.tfvars.example": string;
}

/** Blocks separated by one blank line. */
const spaced = (blocks: Item[][]): Item[] => blocks.flatMap((b, i) => (i === 0 ? b : [blank(), ...b]));

export function toTerraform(inv: ExportInventory): TerraformFiles {
  const head = `vpcwire export of stack ${inv.stack} (${inv.kind}${inv.region ? `, ${inv.region}` : ""}).`;
  const versions = formatFile([
    comment(head),
    block(
      "terraform",
      [],
      [attr("required_version", ">= 1.5.0"), blank(), block("required_providers", [], [attr("aws", { source: "hashicorp/aws", version: ">= 5.0" })])],
    ),
    ...(inv.region ? [blank(), block("provider", ["aws"], [attr("region", inv.region)])] : []),
  ]);

  const variables = formatFile(
    inv.variables.length
      ? spaced(
          inv.variables.map((v) => [
            block("variable", [v.name], [attr("description", v.description), attr("type", ref("string")), attr("sensitive", v.sensitive)]),
          ]),
        )
      : [comment("No variables: this stack holds no secrets.")],
  );

  const data = inv.resources.filter((r) => r.mode === "data");
  const resources = inv.resources.filter((r) => r.mode === "resource");
  const main = formatFile([
    comment(`${head}\nReused resources are data sources: Terraform reads them and never changes them.`),
    ...(data.length ? [blank(), ...spaced(data.map((r) => [comment(`${r.vpcwireType} ${r.id} (reused)`), block("data", [r.type, r.name], r.body)]))] : []),
    ...(resources.length
      ? [blank(), ...spaced(resources.map((r) => [comment([`${r.vpcwireType} ${r.id}`, ...r.notes].join("\n")), block("resource", [r.type, r.name], r.body)]))]
      : []),
  ]);

  const importable = resources.filter((r) => r.importId !== null);
  const notImportable = resources.filter((r) => r.importId === null);
  const imports = formatFile([
    comment(
      [
        "Terraform 1.5+ adopts these resources on the next plan/apply instead of creating them.",
        ...(notImportable.length ? ["Not importable with the AWS provider (see main.tf):", ...notImportable.map((r) => `  ${r.address}`)] : []),
      ].join("\n"),
    ),
    ...importable.flatMap((r) => [blank(), block("import", [], [attr("to", ref(r.address)), attr("id", r.importId!)])]),
  ]);

  const tfvars = [
    "# Copy to terraform.tfvars (keep it out of version control) and fill in the keys.",
    ...inv.variables.flatMap((v) => [`# ${v.description}`, `${v.name} = ${quote("<pre-shared key>")}`]),
    "",
  ].join("\n");

  return { "versions.tf": versions, "variables.tf": variables, "main.tf": main, "imports.tf": imports, "terraform.tfvars.example": tfvars };
}
