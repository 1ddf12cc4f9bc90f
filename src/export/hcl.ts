/**
 * A small HCL writer for the Terraform that `vpcwire export` prints, formatted the way `terraform fmt`
 * formats it: two-space indents, and the `=` of consecutive one-line attributes aligned (a blank line,
 * a comment, a nested block or a multi-line value ends an alignment group, and a multi-line value is not
 * aligned itself, as in hclwrite).
 * Only what export needs: strings, numbers, booleans, references, lists, maps and nested blocks.
 */

/** A reference printed bare: `aws_lb.inbound.arn`, `var.office_tunnel1_preshared_key`. */
export interface Ref {
  ref: string;
}

export type Value = string | number | boolean | Ref | Value[] | { [key: string]: Value };

export interface Attr {
  kind: "attr";
  key: string;
  value: Value;
}

export interface Block {
  kind: "block";
  type: string;
  labels: string[];
  body: Item[];
}

export type Item = Attr | Block | { kind: "blank" } | { kind: "comment"; text: string };

export const ref = (path: string): Ref => ({ ref: path });
export const attr = (key: string, value: Value): Attr => ({ kind: "attr", key, value });
export const block = (type: string, labels: string[], body: Item[]): Block => ({ kind: "block", type, labels, body });
export const blank = (): Item => ({ kind: "blank" });
export const comment = (text: string): Item => ({ kind: "comment", text });

const isRef = (v: Value): v is Ref =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as Ref).ref === "string";

/** An HCL quoted string: escapes, and `${` / `%{` doubled so nothing is read as a template. */
export function quote(s: string): string {
  const body = s
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t")
    .replace(/\$\{/g, () => "$${")
    .replace(/%\{/g, "%%{");
  return `"${body}"`;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** A map key: bare when it is an identifier, quoted otherwise (`"vpcwire:stack"`). */
const mapKey = (k: string) => (IDENT.test(k) ? k : quote(k));

/** The lines of a value; the first line continues the `key = ` line. */
function valueLines(v: Value, indent: string): string[] {
  if (typeof v === "string") return [quote(v)];
  if (typeof v === "number" || typeof v === "boolean") return [String(v)];
  if (isRef(v)) return [v.ref];
  if (Array.isArray(v)) {
    const items = v.map((x) => valueLines(x, `${indent}  `));
    if (items.every((l) => l.length === 1)) return [`[${items.map((l) => l[0]).join(", ")}]`];
    const inner = `${indent}  `;
    const lines = ["["];
    for (const l of items) {
      lines.push(`${inner}${l[0]}`, ...l.slice(1));
      lines[lines.length - 1] += ",";
    }
    return [...lines, `${indent}]`];
  }
  const entries = Object.entries(v);
  if (entries.length === 0) return ["{}"];
  const inner = `${indent}  `;
  return [
    "{",
    ...alignedAttrs(
      entries.map(([k, x]) => ({ key: mapKey(k), value: x })),
      inner,
    ),
    `${indent}}`,
  ];
}

/** Consecutive `key = value` lines, with `=` aligned the way terraform fmt does. */
function alignedAttrs(attrs: Array<{ key: string; value: Value }>, indent: string): string[] {
  const out: string[] = [];
  let group: Array<{ key: string; lines: string[] }> = [];
  const flush = () => {
    const width = Math.max(0, ...group.map((g) => g.key.length));
    for (const g of group) {
      out.push(`${indent}${g.key.padEnd(width)} = ${g.lines[0]}`, ...g.lines.slice(1));
    }
    group = [];
  };
  for (const a of attrs) {
    const lines = valueLines(a.value, indent);
    if (lines.length === 1) {
      group.push({ key: a.key, lines });
      continue;
    }
    // A value that opens a bracket it closes on a later line is not aligned and ends the group,
    // as in hclwrite (its `=` starts a multi-line expression; the closing line has no `=`).
    flush();
    out.push(`${indent}${a.key} = ${lines[0]}`, ...lines.slice(1));
  }
  flush();
  return out;
}

function bodyLines(items: Item[], indent: string): string[] {
  const out: string[] = [];
  let run: Array<{ key: string; value: Value }> = [];
  const flush = () => {
    out.push(...alignedAttrs(run, indent));
    run = [];
  };
  for (const item of items) {
    if (item.kind === "attr") {
      run.push({ key: item.key, value: item.value });
      continue;
    }
    flush();
    if (item.kind === "blank") out.push("");
    else if (item.kind === "comment") out.push(...item.text.split("\n").map((l) => `${indent}#${l ? ` ${l}` : ""}`));
    else out.push(...blockLines(item, indent));
  }
  flush();
  return out;
}

function blockLines(b: Block, indent: string): string[] {
  const head = [b.type, ...b.labels.map(quote)].join(" ");
  if (b.body.length === 0) return [`${indent}${head} {}`];
  return [`${indent}${head} {`, ...bodyLines(b.body, `${indent}  `), `${indent}}`];
}

/** A whole file: top-level items, each block separated by one blank line as terraform fmt leaves them. */
export function formatFile(items: Item[]): string {
  const lines = bodyLines(items, "");
  // No trailing blank lines, one final newline.
  while (lines.length && lines.at(-1) === "") lines.pop();
  return `${lines.join("\n")}\n`;
}
