/**
 * The sites file of `vpn apply`: YAML (or JSON, which YAML reads too) whose per-site keys are
 * `vpn create`'s flag names without the dashes. One pass checks the whole file: every site through
 * `vpn create`'s own validation, then the checks across sites, and every problem is reported with
 * its site, key and line before anything is sent to AWS.
 */
import { readFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { Command, type Option } from "commander";
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { STACK_NAME_RE } from "../../aws/tags.js";
import { DEFAULT_TGW_ASN } from "../../aws/tgw-plan.js";
import { collectList } from "../../cli/options.js";
import { UsageError } from "../../core/errors.js";
import { checkId } from "../../net/ids.js";
import { cidrsOverlap, parseCidr4 } from "../../net/ip.js";
import { checkAmazonAsn } from "../../net/vpn-rules.js";
import { registerVpn } from "../command.js";
import { vpnCreateCommand } from "../create.js";
import { type VpnFlags, type VpnInput, validateVpnFlags } from "../inputs.js";

/** AWS's default quotas the file is checked against (both adjustable: `quotas:` in the file). */
export const DEFAULT_VGW_CONNECTIONS = 10;
export const DEFAULT_CUSTOMER_GATEWAYS = 50;

/** Keys that belong to the hub (one gateway, one VPC, propagation once), not to a site. */
const HUB_KEYS = ["vpc-id", "vgw-id", "amazon-asn", "vpc-cidr", "route-tables"] as const;
/** A Transit Gateway hub's keys (with `route-tables` and `stack`). */
const TGW_KEYS = ["transit-gateway", "vpcs", "tgw-subnets", "tgw-asn"] as const;
/** vpn create's gateway flags a site of either hub does not take: the hub names the gateway. */
const GATEWAY_FLAGS = ["transit-gateway", "transit-gateway-id", "tgw-subnets", "tgw-asn", "vpcs"] as const;
/** Flags of vpn create a site does not take, and what to use instead. */
const NOT_PER_SITE: Record<string, string> = {
  stack: "the site's name is its stack name",
  out: "give --out-dir to vpn apply: one config per site, named after the site",
};

export interface VgwHubSpec {
  kind: "vgw";
  stack: string;
  vpcId: string;
  vgwId?: string;
  amazonAsn: number;
  vpcCidrs: string[];
  routeTables: VpnInput["routeTables"];
}

export interface TgwHubSpec {
  kind: "tgw";
  stack: string;
  /** `new` (the hub stack's own gateway) or an existing gateway's id. */
  transitGateway: string;
  /** The VPC attached to the gateway (one in this build). */
  vpcs: string[];
  tgwSubnets: string[];
  /** Amazon side ASN of a new gateway. */
  tgwAsn: number;
  /** Where each site's VPC routes go (default every route table of the VPC). */
  routeTables: VpnInput["routeTables"];
  /** `vpc-cidr`: the VPC's CIDRs for offline previews (read from AWS otherwise). */
  vpcCidrs: string[];
}

export interface SiteSpec {
  name: string;
  /** The line of the site's entry in the file. */
  line: number;
  /** The site as `vpn create` input (its stack is its name); the hub's gateway is set by the fleet. */
  input: VpnInput;
  /** The flags as given (with the defaults), for the `vpn create` line of the same site. */
  flags: VpnFlags;
}

export interface SitesFile {
  path: string;
  hub: VgwHubSpec | TgwHubSpec;
  sites: SiteSpec[];
  quotas: { vpnConnectionsPerGateway: number; customerGateways: number };
}

/** One problem in the file: `sites.yaml:14: site osaka, cgw-ip: "x" is not an IPv4 address`. */
export interface FileProblem {
  line?: number;
  site?: string;
  key?: string;
  message: string;
}

/** Every problem of the file at once, exit 2. */
export class SitesFileError extends UsageError {
  constructor(
    readonly file: string,
    readonly problems: FileProblem[],
  ) {
    super(
      `${basename(file)}: ${problems.length} ${problems.length === 1 ? "problem" : "problems"}, nothing was sent to AWS:\n` +
        problems.map((p) => `  ${formatProblem(file, p)}`).join("\n"),
    );
  }
}

export function formatProblem(file: string, p: FileProblem): string {
  const where = `${basename(file)}${p.line ? `:${p.line}` : ""}`;
  const what = [p.site ? `site ${p.site}` : undefined, p.key].filter(Boolean).join(", ");
  return `${where}: ${what ? `${what}: ` : ""}${p.message}`;
}

interface FlagShape {
  attribute: string;
  list: boolean;
  /** A switch (`--acceleration`): true or false in the file. */
  boolean: boolean;
  choices?: readonly string[];
}

/** `vpn create`'s long flags, read from its commander definition: the keys a site may use. */
function vpnCreateFlags(): Map<string, FlagShape> {
  const vpn = new Command("vpn");
  registerVpn(vpn, () => async () => undefined);
  const create = vpn.commands.find((c) => c.name() === "create");
  if (!create) throw new Error("vpn create is not registered");
  const shapes = new Map<string, FlagShape>();
  for (const o of (create?.options ?? []) as Option[]) {
    if (!o.long) continue;
    shapes.set(o.long.slice(2), {
      attribute: o.attributeName(),
      list: o.parseArg === collectList,
      boolean: !o.required && !o.optional && !o.negate,
      ...(o.argChoices ? { choices: o.argChoices } : {}),
    });
  }
  return shapes;
}

type Node = ReturnType<ReturnType<typeof parseDocument>["getIn"]>;

/** Read and check the whole file. Throws SitesFileError (exit 2) listing every problem. */
export function loadSitesFile(path: string, opts: { region?: string }): SitesFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`--file: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems: FileProblem[] = [];
  const lineOf = (node: unknown): number | undefined => {
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    return range ? lines.linePos(range[0]).line : undefined;
  };
  if (doc.errors.length) {
    throw new SitesFileError(
      path,
      doc.errors.map((e) => ({ line: e.linePos?.[0]?.line ?? lines.linePos(e.pos[0]).line, message: e.message.split("\n")[0]! })),
    );
  }
  const root = doc.contents;
  if (!isMap(root)) throw new SitesFileError(path, [{ line: 1, message: "the file must be a mapping with hub:, sites: and optionally defaults: and quotas:" }]);
  const keyNode = (parent: unknown, key: string | number): unknown => {
    if (isMap(parent)) return parent.items.find((p) => isScalar(p.key) && p.key.value === key)?.key;
    if (isSeq(parent)) return parent.items[key as number];
    return undefined;
  };
  for (const item of root.items) {
    const k = isScalar(item.key) ? String(item.key.value) : "";
    if (!["hub", "defaults", "sites", "quotas"].includes(k)) {
      problems.push({ line: lineOf(item.key), key: k, message: "unknown top-level key (hub, defaults, sites, quotas)" });
    }
  }
  const data = doc.toJS() as Record<string, unknown>;
  const hubNode = root.get("hub", true) as Node;
  const defaultsNode = root.get("defaults", true) as Node;
  const sitesNode = root.get("sites", true) as Node;
  const shapes = vpnCreateFlags();

  // --- quotas
  const quotas = { vpnConnectionsPerGateway: DEFAULT_VGW_CONNECTIONS, customerGateways: DEFAULT_CUSTOMER_GATEWAYS };
  const rawQuotas = data.quotas;
  if (rawQuotas !== undefined) {
    if (!isPlainObject(rawQuotas)) problems.push({ line: lineOf(keyNode(root, "quotas")), key: "quotas", message: "must be a mapping" });
    else {
      for (const [k, v] of Object.entries(rawQuotas)) {
        const line = lineOf(keyNode(root.get("quotas", true), k));
        const n = typeof v === "number" ? v : Number.NaN;
        if (k !== "vpn-connections-per-gateway" && k !== "customer-gateways") {
          problems.push({ line, key: `quotas.${k}`, message: "unknown quota (vpn-connections-per-gateway, customer-gateways)" });
        } else if (!Number.isInteger(n) || n < 1) problems.push({ line, key: `quotas.${k}`, message: "must be a whole number of at least 1" });
        else if (k === "vpn-connections-per-gateway") quotas.vpnConnectionsPerGateway = n;
        else quotas.customerGateways = n;
      }
    }
  }

  // --- hub
  const hubRaw = data.hub;
  let hub: VgwHubSpec | TgwHubSpec | undefined;
  let hubFlags: VpnFlags = {};
  if (!isPlainObject(hubRaw)) {
    problems.push({ line: lineOf(keyNode(root, "hub")) ?? 1, key: "hub", message: "required: a mapping with vpc-id (a virtual private gateway hub)" });
  } else {
    const hubLine = (k: string) => lineOf(keyNode(hubNode, k)) ?? lineOf(keyNode(root, "hub"));
    for (const k of Object.keys(hubRaw)) {
      if (![...HUB_KEYS, ...TGW_KEYS, "stack"].includes(k as never)) {
        if (k === "transit-gateway-id") {
          problems.push({ line: hubLine(k), key: `hub.${k}`, message: "write transit-gateway: tgw-… (or transit-gateway: new)" });
          continue;
        }
        problems.push({ line: hubLine(k), key: `hub.${k}`, message: `unknown hub key (${[...HUB_KEYS, "stack", ...TGW_KEYS].join(", ")})` });
      }
    }
    const stackText = hubRaw.stack === undefined ? undefined : String(hubRaw.stack);
    if (stackText !== undefined && !STACK_NAME_RE.test(stackText)) {
      problems.push({ line: hubLine("stack"), key: "hub.stack", message: `"${stackText}" must be 1-32 lowercase letters, digits and hyphens` });
    }
    if (hubRaw["transit-gateway"] !== undefined) {
      hub = tgwHub(hubRaw, stackText, hubLine, problems);
    } else {
      for (const k of TGW_KEYS) {
        if (hubRaw[k] !== undefined) problems.push({ line: hubLine(k), key: `hub.${k}`, message: "only with hub: transit-gateway" });
      }
      const flags = toFlags(hubRaw, HUB_KEYS, shapes, (k, message) => problems.push({ line: hubLine(k), key: `hub.${k}`, message }));
      hubFlags = flags;
      if (!flags.vpcId)
        problems.push({
          line: lineOf(keyNode(root, "hub")),
          key: "hub.vpc-id",
          message: "required: the VPC whose virtual private gateway the sites connect to",
        });
    }
    if (hub === undefined && hubFlags.vpcId) {
      const vpcId = tryCheck(
        () => checkId("--vpc-id", hubFlags.vpcId!, "vpc"),
        (m) => problems.push({ line: hubLine("vpc-id"), key: "hub.vpc-id", message: m }),
      );
      if (vpcId) hub = { kind: "vgw", stack: stackText ?? `vpn-hub-${vpcId.slice(-8)}`, vpcId, amazonAsn: 0, vpcCidrs: [], routeTables: "all" };
    }
  }

  // --- defaults
  const defaults = data.defaults;
  if (defaults !== undefined && !isPlainObject(defaults)) {
    problems.push({ line: lineOf(keyNode(root, "defaults")), key: "defaults", message: "must be a mapping of per-site keys" });
  }
  const defaultsMap = isPlainObject(defaults) ? defaults : {};
  for (const k of Object.keys(defaultsMap)) {
    const problem = perSiteKeyProblem(k, shapes);
    if (problem) problems.push({ line: lineOf(keyNode(defaultsNode, k)), key: `defaults.${k}`, message: problem });
  }

  // --- sites
  const sitesRaw = data.sites;
  const sites: SiteSpec[] = [];
  const inFile: SiteInFile[] = [];
  if (!Array.isArray(sitesRaw) || sitesRaw.length === 0) {
    problems.push({ line: lineOf(keyNode(root, "sites")) ?? 1, key: "sites", message: "required: a list of sites, each with a name" });
  } else {
    sitesRaw.forEach((raw, i) => {
      const siteNode = keyNode(sitesNode, i);
      const siteLine = lineOf(siteNode);
      if (!isPlainObject(raw)) {
        problems.push({ line: siteLine, key: `sites[${i}]`, message: "must be a mapping with name, cgw-ip, ..." });
        return;
      }
      const name = typeof raw.name === "string" || typeof raw.name === "number" ? String(raw.name) : undefined;
      const label = name ?? `#${i + 1}`;
      const lineFor = (k: string): number | undefined => {
        const own = lineOf(keyNode(siteNode, k));
        if (own) return own;
        if (k in defaultsMap) return lineOf(keyNode(defaultsNode, k));
        if (HUB_KEYS.includes(k as never)) return lineOf(keyNode(hubNode, k)) ?? lineOf(keyNode(root, "hub"));
        return siteLine;
      };
      const keyLabel = (k: string) => (k in raw || !(k in defaultsMap) ? k : `${k} (from defaults)`);
      // Without a name the site's other values are still checked (under a stand-in stack name), for one list of everything.
      if (!name) problems.push({ line: siteLine, site: label, key: "name", message: "required: the site's stack name" });
      const stack = name ?? `site-${i + 1}`;
      const refused: string[] = []; // keys whose values are not even of the flag's shape
      for (const k of Object.keys(raw)) {
        if (k === "name") continue;
        const problem = perSiteKeyProblem(k, shapes);
        // Reported; the site's other keys are still checked (an unknown key is simply not a flag).
        if (problem) problems.push({ line: lineFor(k), site: label, key: k, message: problem });
      }
      const merged = { ...defaultsMap, ...raw } as Record<string, unknown>;
      delete merged.name;
      const siteFlags = toFlags(
        merged,
        [...shapes.keys()].filter((k) => !perSiteKeyProblem(k, shapes)),
        shapes,
        (k, message) => {
          problems.push({ line: lineFor(k), site: label, key: keyLabel(k), message });
          refused.push(k);
        },
      );
      if (!hub) return;
      const flags: VpnFlags = hub.kind === "vgw" ? { ...siteFlags, ...hubFlags, stack, routeTables: ["none"] } : { ...siteFlags, ...tgwSiteFlags(hub), stack };
      // The site's other values are still checked (as if the refused keys were not there), for one list of everything.
      const checked = checkSiteFlags(flags, shapes, refused, (f) =>
        validateVpnFlags(f, { ...(opts.region ? { region: opts.region } : {}), cwd: dirname(path) }),
      );
      if (name && checked.input && refused.length === 0) sites.push({ name, line: siteLine ?? 0, input: checked.input, flags: { ...siteFlags, stack: name } });
      // Across sites every site counts, with the values that passed (what was set aside is not compared).
      inFile.push({ name, label, line: siteLine ?? 0, keyLine: lineFor, ...(checked.partial ? { input: checked.partial } : {}), setAside: checked.setAside });
      for (const error of checked.errors) {
        const { key, message } = keyOfError(error.message, label);
        if (key && (HUB_KEYS.includes(key as never) || GATEWAY_FLAGS.includes(key as never))) {
          const hubKey = key === "transit-gateway-id" ? "transit-gateway" : key;
          problems.push({ line: lineOf(keyNode(hubNode, hubKey)) ?? lineOf(keyNode(root, "hub")), key: `hub.${hubKey}`, message });
        } else problems.push({ line: lineFor(key ?? "name"), site: label, ...(key ? { key: keyLabel(key) } : {}), message });
      }
    });
  }

  if (hub?.kind === "vgw" && sites[0]) {
    // The hub's own values as vpn create checked them (the same for every site).
    const first = sites[0].input;
    const routeTables = tryCheck(
      () => routeTablesOf(hubFlags),
      (m) => problems.push({ line: lineOf(keyNode(hubNode, "route-tables")), key: "hub.route-tables", message: m }),
    );
    hub = { ...hub, amazonAsn: first.amazonAsn, vpcCidrs: first.vpcCidrs, routeTables: routeTables ?? "all", ...(first.vgwId ? { vgwId: first.vgwId } : {}) };
  }
  if (hub) problems.push(...crossSiteProblems(hub, inFile, quotas, { sitesLine: lineOf(keyNode(root, "sites")) }));
  if (problems.length) throw new SitesFileError(path, unique(problems));
  return { path, hub: hub!, sites, quotas };
}

function routeTablesOf(flags: VpnFlags): VpnInput["routeTables"] {
  const values = flags.routeTables;
  if (!values || values.length === 0) return "all";
  if (values.length === 1 && (values[0] === "all" || values[0] === "none")) return values[0];
  return values.map((v) => checkId("--route-tables", v, "rtb"));
}

/** The flags a TGW hub gives every site: `vpn create --vpc-id <hub VPC> --transit-gateway-id <tgw>|new ...`. */
function tgwSiteFlags(hub: TgwHubSpec): VpnFlags {
  return {
    vpcId: hub.vpcs[0]!,
    ...(hub.transitGateway === "new" ? { transitGateway: "new", tgwAsn: String(hub.tgwAsn) } : { transitGatewayId: hub.transitGateway }),
    ...(hub.tgwSubnets.length ? { tgwSubnets: hub.tgwSubnets } : {}),
    routeTables: hub.routeTables === "all" || hub.routeTables === "none" ? [hub.routeTables] : hub.routeTables,
    ...(hub.vpcCidrs.length ? { vpcCidr: hub.vpcCidrs } : {}),
  };
}

function tgwHub(
  raw: Record<string, unknown>,
  stack: string | undefined,
  lineOf: (k: string) => number | undefined,
  problems: FileProblem[],
): TgwHubSpec | undefined {
  for (const k of HUB_KEYS) {
    if (k === "route-tables" || k === "vpc-cidr") continue;
    if (raw[k] !== undefined) problems.push({ line: lineOf(k), key: `hub.${k}`, message: "not with hub: transit-gateway (list the VPCs under vpcs:)" });
  }
  const tgw = String(raw["transit-gateway"]);
  if (tgw !== "new" && !/^tgw-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(tgw)) {
    problems.push({ line: lineOf("transit-gateway"), key: "hub.transit-gateway", message: `"${tgw}" is not a Transit Gateway id (tgw-…) or new` });
  }
  const list = (k: "vpcs" | "tgw-subnets", prefix: "vpc" | "subnet"): string[] => {
    const v = raw[k];
    const items = Array.isArray(v) ? v.map(String) : typeof v === "string" ? v.split(",").map((s) => s.trim()) : [];
    if (v !== undefined && items.length === 0) problems.push({ line: lineOf(k), key: `hub.${k}`, message: "must be a list" });
    for (const item of items)
      tryCheck(
        () => checkId(`hub.${k}`, item, prefix),
        (m) => problems.push({ line: lineOf(k), key: `hub.${k}`, message: m }),
      );
    return items;
  };
  const vpcs = list("vpcs", "vpc");
  const tgwSubnets = list("tgw-subnets", "subnet");
  if (vpcs.length === 0) problems.push({ line: lineOf("transit-gateway"), key: "hub.vpcs", message: "required with transit-gateway: the VPC to attach" });
  if (vpcs.length > 1) {
    problems.push({
      line: lineOf("vpcs"),
      key: "hub.vpcs",
      message: "one VPC per Transit Gateway hub in this version (each site records its VPC routes for one VPC); use one sites file per VPC",
    });
  }
  let tgwAsn = DEFAULT_TGW_ASN;
  if (raw["tgw-asn"] !== undefined) {
    if (tgw !== "new")
      problems.push({ line: lineOf("tgw-asn"), key: "hub.tgw-asn", message: "applies only to transit-gateway: new (an existing gateway keeps its ASN)" });
    const n = Number(raw["tgw-asn"]);
    const problem = Number.isInteger(n) ? checkAmazonAsn(n) : `"${String(raw["tgw-asn"])}" is not a number`;
    if (problem) problems.push({ line: lineOf("tgw-asn"), key: "hub.tgw-asn", message: problem });
    else tgwAsn = n;
  }
  const routeTables = tryCheck(
    () => routeTablesOf({ routeTables: commaList(raw["route-tables"]) }),
    (m) => problems.push({ line: lineOf("route-tables"), key: "hub.route-tables", message: m }),
  );
  const stackName = stack ?? `tgw-hub-${(vpcs[0] ?? "vpc").slice(-8)}`;
  return {
    kind: "tgw",
    stack: stackName,
    transitGateway: tgw,
    vpcs,
    tgwSubnets,
    tgwAsn,
    routeTables: routeTables ?? "all",
    vpcCidrs: commaList(raw["vpc-cidr"]),
  };
}

/** A hub value given as one item, a comma-separated string or a list of them: its items, trimmed. */
function commaList(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((v) =>
    String(v)
      .split(",")
      .map((x) => x.trim()),
  );
}

/** Why a key cannot be a site's (or a default's), or undefined when it can. */
function perSiteKeyProblem(key: string, shapes: Map<string, FlagShape>): string | undefined {
  if (key === "name") return undefined;
  if (HUB_KEYS.includes(key as never)) return "belongs under hub: (one gateway for every site; route propagation is enabled once)";
  if (TGW_KEYS.includes(key as never) || GATEWAY_FLAGS.includes(key as never)) {
    return "belongs under hub: (hub: transit-gateway: new | tgw-…, vpcs, tgw-subnets, tgw-asn: one gateway for every site)";
  }
  if (key in NOT_PER_SITE) return `not per site: ${NOT_PER_SITE[key]}`;
  if (key.startsWith("-")) return `write keys without the dashes (${key.replace(/^-+/, "")})`;
  if (!shapes.has(key)) return "unknown key: vpn create has no such flag (see vpcwire vpn create --help)";
  return undefined;
}

/** YAML values to the strings and lists commander would have produced for the same flags. */
function toFlags(
  raw: Record<string, unknown>,
  allowed: readonly string[],
  shapes: Map<string, FlagShape>,
  problem: (key: string, message: string) => void,
): VpnFlags {
  const flags: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const shape = shapes.get(key);
    if (!shape || !allowed.includes(key)) continue;
    if (shape.boolean) {
      if (typeof value !== "boolean") problem(key, `must be true or false, not ${JSON.stringify(value)}`);
      else if (value) flags[shape.attribute] = true;
      continue;
    }
    const scalar = (v: unknown): string | undefined => (typeof v === "string" ? v.trim() : typeof v === "number" ? String(v) : undefined);
    if (shape.list) {
      const items = (Array.isArray(value) ? value : [value]).map(scalar);
      if (items.some((s) => s === undefined)) {
        problem(key, "must be a string, a number or a list of them");
        continue;
      }
      const split = (items as string[]).flatMap((s) => s.split(",").map((x) => x.trim()));
      if (split.length === 0 || split.some((s) => s === "")) {
        problem(key, "has an empty value");
        continue;
      }
      flags[shape.attribute] = split;
    } else {
      const s = scalar(value);
      if (s === undefined) {
        problem(key, Array.isArray(value) ? "takes one value, not a list" : "must be a string or a number");
        continue;
      }
      if (s === "") {
        problem(key, "is empty");
        continue;
      }
      if (shape.choices && !shape.choices.includes(s)) {
        problem(key, `must be one of ${shape.choices.join(", ")}, not "${s}"`);
        continue;
      }
      flags[shape.attribute] = s;
    }
  }
  return flags as VpnFlags;
}

/** `--cgw-ip: "x" is not an IPv4 address` → key cgw-ip and the rule; `--stack` is the site's name. */
/**
 * Every problem of one site's flags in one pass. `vpn create` stops at the first bad value, so the flag it
 * names is set aside (dropped; `--cgw-ip`, which a site must have, gets a stand-in) and the site is checked
 * again, until it passes or a problem cannot be set aside (missing flags, one that names no flag). Keys
 * refused before (`refused`: not even of the flag's shape) start out set aside. A complaint that names a
 * flag already set aside (`--allow` "needs --security-group") only follows from
 * setting it aside and is not reported.
 */
function checkSiteFlags(
  flags: VpnFlags,
  shapes: Map<string, FlagShape>,
  refused: readonly string[],
  validate: (flags: VpnFlags) => VpnInput,
): { input?: VpnInput; partial?: VpnInput; setAside: ReadonlySet<string>; errors: UsageError[] } {
  const errors: UsageError[] = [];
  const setAside = new Set<string>(refused);
  let current: Record<string, unknown> = { ...flags };
  for (;;) {
    try {
      const input = validate(current as VpnFlags);
      return errors.length || refused.length ? { partial: input, setAside, errors } : { input, partial: input, setAside, errors };
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      const { key } = keyOfError(error.message, "");
      const follows = [...setAside].some((k) => new RegExp(`--${k}(?![a-z0-9-])`).test(error.message));
      if (!follows) errors.push(error);
      const attribute = key ? shapes.get(key)?.attribute : undefined;
      if (!key || !attribute || setAside.has(key) || error.message.startsWith("missing required flags:")) return { setAside, errors };
      setAside.add(key);
      current = { ...current };
      if (attribute === "cgwIp") current[attribute] = vpnCreateCommand.standIns({}).cgwIp;
      else delete current[attribute];
    }
  }
}

function keyOfError(message: string, _site: string): { key?: string; message: string } {
  const m = /^(?:missing required flags: )?--([a-z0-9-]+)(?::\s*)?(.*)$/s.exec(message);
  if (!m) return { message };
  const key = m[1] === "stack" ? "name" : m[1]!;
  if (message.startsWith("missing required flags:")) {
    const keys = [...message.matchAll(/--([a-z0-9-]+)/g)].map((x) => x[1]);
    return { key, message: `required (${keys.join(", ")})` };
  }
  return { key, message: m[2] || message };
}

/** A site of the file as the checks across sites see it: valid or not, with the values that passed. */
interface SiteInFile {
  /** Undefined when the file gives none (the site is then not compared by name). */
  name: string | undefined;
  /** The name, or `#3` for the third entry. */
  label: string;
  line: number;
  /** Where a key of this site is set (its own line, the defaults' or the site's). */
  keyLine: (key: string) => number | undefined;
  /** The site's values after setting aside bad ones; undefined when it could not be checked at all. */
  input?: VpnInput;
  /** Keys whose values were bad (their stand-ins or defaults in `input` are not the user's: not compared). */
  setAside: ReadonlySet<string>;
}

function crossSiteProblems(hub: VgwHubSpec | TgwHubSpec, sites: SiteInFile[], quotas: SitesFile["quotas"], where: { sitesLine?: number }): FileProblem[] {
  const problems: FileProblem[] = [];
  const first = new Map<string, SiteInFile>();
  const seen = (kind: string, value: string, site: SiteInFile): SiteInFile | undefined => {
    const key = `${kind}\u0000${value}`;
    const other = first.get(key);
    if (!other) first.set(key, site);
    return other;
  };
  const at = (site: SiteInFile, key: string) => site.keyLine(key) ?? site.line;
  for (const site of sites) {
    const dupName = site.name === undefined ? undefined : seen("name", site.name, site);
    if (dupName)
      problems.push({
        line: site.line,
        site: site.label,
        key: "name",
        message: `also the name of the site on line ${dupName.line}; each site is its own stack`,
      });
    if (!site.input) continue;
    const { input, setAside } = site;
    const dupIp = setAside.has("cgw-ip") ? undefined : seen("ip", input.cgwIp, site);
    if (dupIp)
      problems.push({
        line: at(site, "cgw-ip"),
        site: site.label,
        key: "cgw-ip",
        message: `${input.cgwIp} is also site ${dupIp.label}'s router; one router per site`,
      });
    if (input.routing === "bgp" && !setAside.has("cgw-asn") && !setAside.has("routing")) {
      const dupAsn = seen("asn", String(input.cgwAsn), site);
      if (dupAsn) {
        problems.push({
          line: at(site, "cgw-asn"),
          site: site.label,
          key: "cgw-asn",
          message: `ASN ${input.cgwAsn} is also site ${dupAsn.label}'s; give each BGP site its own ASN so routes are not dropped as loops`,
        });
      }
    }
    input.tunnelInsideCidrs.forEach((cidr, i) => {
      const key = `tunnel${i + 1}-inside-cidr`;
      if (!cidr || setAside.has(key)) return;
      const dup = seen("inside", cidr, site);
      if (dup && dup !== site) {
        problems.push({
          line: at(site, key),
          site: site.label,
          key,
          message: `${cidr} is also used by site ${dup.label}; inside CIDRs must be unique per gateway`,
        });
      }
    });
  }
  // Overlapping on-prem ranges: traffic to the overlap would go to whichever site AWS prefers.
  const ranges = sites
    .filter((s) => s.input && !s.setAside.has("onprem-cidr"))
    .flatMap((s) => s.input!.onpremCidrs.map((c) => ({ site: s, cidr: c, parsed: parseCidr4(c) })));
  for (let i = 0; i < ranges.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = ranges[i]!;
      const b = ranges[j]!;
      if (a.site === b.site || typeof a.parsed === "string" || typeof b.parsed === "string") continue;
      if (cidrsOverlap(a.parsed, b.parsed)) {
        problems.push({
          line: at(a.site, "onprem-cidr"),
          site: a.site.label,
          key: "onprem-cidr",
          message: `${a.cidr} overlaps site ${b.site.label}'s ${b.cidr}; each on-prem range must belong to one site`,
        });
      }
    }
  }
  if (hub.kind === "vgw" && sites.length > quotas.vpnConnectionsPerGateway) {
    problems.push({
      line: where.sitesLine,
      key: "sites",
      message:
        `${sites.length} sites, but a virtual private gateway holds at most ${quotas.vpnConnectionsPerGateway} VPN connections` +
        `${quotas.vpnConnectionsPerGateway === DEFAULT_VGW_CONNECTIONS ? " (AWS's default quota)" : ""}; use a Transit Gateway hub (hub: transit-gateway: new), or raise the quota and set quotas: vpn-connections-per-gateway`,
    });
  }
  const routers = new Set(sites.filter((s) => s.input && !s.setAside.has("cgw-ip")).map((s) => `${s.input!.cgwIp}/${s.input!.cgwAsn}`));
  if (routers.size > quotas.customerGateways) {
    problems.push({
      line: where.sitesLine,
      key: "sites",
      message: `${routers.size} customer gateways, but a Region holds at most ${quotas.customerGateways} (AWS's default quota); raise it and set quotas: customer-gateways`,
    });
  }
  return problems;
}

/** A hub problem found through every site is said once; the list reads in file order (stable: same line, order found). */
function unique(problems: FileProblem[]): FileProblem[] {
  const seen = new Set<string>();
  return problems
    .filter((p) => {
      const key = JSON.stringify(p);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function tryCheck<T>(fn: () => T, onError: (message: string) => void): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    onError(error.message.replace(/^--?[a-z0-9.-]+:\s*/, ""));
    return undefined;
  }
}
