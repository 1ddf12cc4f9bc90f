import { accessSync, constants, readFileSync, type Stats, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { STACK_NAME_RE } from "../aws/tags.js";
import { DEFAULT_TGW_ASN } from "../aws/tgw-plan.js";
import { flagError, UsageError } from "../core/errors.js";
import { globalArgv } from "../core/workflow.js";
import { type AllowRule, parseAllowToken } from "../net/allow.js";
import { type CryptoChoice, type CryptoFlags, type CryptoOverrides, parseCryptoFlags } from "../net/crypto.js";
import { checkId } from "../net/ids.js";
import { type Cidr4, cidrsOverlap, isDocumentationIpv4, isIpv4, isPublicIpv4, parseCidr4 } from "../net/ip.js";
import { checkAmazonAsn, checkCustomerAsn, checkInsideCidr, checkPsk, parseAsn } from "../net/vpn-rules.js";
import { type DeviceSpec, nearestRenderer, parseDeviceFlag } from "./device.js";
import { checkTunnelBase } from "./device-config.js";
import { PSK_STORAGES, type PskStorage } from "./psk-storage.js";

export type Routing = "static" | "bgp";
export type Device = "csr1000v" | "strongswan";
export type IkeVersion = "ikev1" | "ikev2";

/**
 * Tag on the VPN connection: the device the router config was first rendered for. `status` checks
 * the tunnels' crypto against it (both devices when the tag is missing).
 */
export const DEVICE_TAG = "vpcwire:device";

/** Validated input of `vpn create`; flags and wizard answers both end up here. */
export interface VpnInput {
  stack: string;
  /** True when the stack name was derived rather than given. */
  stackDerived: boolean;
  vpcId: string;
  /** Only for offline previews: the VPC's CIDR, which is otherwise read from AWS. */
  vpcCidrs: string[];
  vgwId?: string;
  /**
   * `--transit-gateway new` / `--transit-gateway-id`: the connection goes on a Transit Gateway instead
   * of a virtual private gateway, and the VPC is attached to it.
   */
  tgw?: TgwChoice;
  /** `--acceleration`: Accelerated VPN (only on a Transit Gateway; cannot be changed later). */
  acceleration: boolean;
  cgwIp: string;
  cgwAsn: number;
  amazonAsn: number;
  routing: Routing;
  onpremCidrs: string[];
  /** Route tables to propagate into: ids, every table of the VPC, or none. @default "all" */
  routeTables: string[] | "all" | "none";
  securityGroup?: string;
  allow: AllowRule[];
  tunnelInsideCidrs: [string | undefined, string | undefined];
  /** Pre-shared keys; never printed, never in the plan. */
  psks: [string | undefined, string | undefined];
  /** `--psk-storage`: where AWS keeps the keys of a new connection. @default "standard" */
  pskStorage: PskStorage;
  /**
   * What the tunnels allow: `--crypto` (default `modern`) with the fine-grained overrides applied.
   * Sent per tunnel in CreateVpnConnection, and compared with an existing connection's tunnel options.
   */
  crypto: CryptoChoice;
  /** The one IKE version `--ike-version` named: the router config renders it when a tunnel allows both. */
  ikeVersion?: IkeVersion;
  /** `--tunnel-number-base`: tunnel 1's interface/track numbers on the router (tunnel 2 uses the next). */
  tunnelBase?: number;
  /** The renderer: the one named, or for an AWS device type the nearest own one (previews). */
  device: Device;
  /** `--device` as parsed, when it is not the plain renderer name (an alias or an AWS device type). */
  deviceSpec?: DeviceSpec;
  out?: string;
  outsideInterface?: string;
  /** strongSwan only: the host's own outside address when it sits behind NAT (else the CGW IP). */
  localAddress?: string;
}

/** The Transit Gateway side of `vpn create`. */
export interface TgwChoice {
  /** `new` (the stack's own, created on the first run) or an existing gateway's id. */
  id: string;
  /** Amazon side ASN of a new gateway (`--tgw-asn`). */
  asn: number;
  /** `--tgw-subnets`: the VPC attachment's subnets (default one per Availability Zone). */
  subnets?: string[];
}

/** Raw commander options of `vpn create` (the crypto flags as `CryptoFlags` names them). */
export interface VpnFlags extends CryptoFlags {
  stack?: string;
  vpcId?: string;
  vpcCidr?: string[];
  vgwId?: string;
  transitGateway?: string;
  transitGatewayId?: string;
  tgwAsn?: string;
  tgwSubnets?: string[];
  acceleration?: boolean;
  cgwIp?: string;
  cgwAsn?: string;
  amazonAsn?: string;
  routing?: string;
  onpremCidr?: string[];
  routeTables?: string[];
  securityGroup?: string;
  allow?: string[];
  tunnel1InsideCidr?: string;
  tunnel2InsideCidr?: string;
  tunnel1Psk?: string;
  tunnel2Psk?: string;
  pskFile?: string;
  pskStorage?: string;
  tunnelNumberBase?: string;
  device?: string;
  out?: string;
  outsideInterface?: string;
  localAddress?: string;
}

/** Defaults applied here rather than by commander, so `--help` shows them as plain numbers. */
export const DEFAULT_CGW_ASN = 65000;
export const DEFAULT_AMAZON_ASN = 64512;

/** Flags required off a TTY; the wizard asks for exactly these. */
export function missingVpnFlags(flags: VpnFlags): string[] {
  const missing: string[] = [];
  if (!flags.vpcId) missing.push("--vpc-id");
  if (!flags.cgwIp) missing.push("--cgw-ip");
  const routing = flags.routing ?? "static";
  // On a Transit Gateway the VPC's routes to on-prem are vpcwire's to add, so it needs the ranges.
  const tgwRoutes = usesTgw(flags) && !(flags.routeTables?.length === 1 && flags.routeTables[0] === "none");
  if ((routing === "static" || tgwRoutes) && !flags.onpremCidr?.length) missing.push("--onprem-cidr");
  return missing;
}

/** Whether the flags ask for a Transit Gateway. */
export function usesTgw(flags: Pick<VpnFlags, "transitGateway" | "transitGatewayId">): boolean {
  return flags.transitGateway !== undefined || flags.transitGatewayId !== undefined;
}

/**
 * The target flags: `--transit-gateway new` or `--transit-gateway-id`, exclusive with each other and
 * with the virtual private gateway's (`--vgw-id`, `--amazon-asn`); `--tgw-asn`, `--tgw-subnets` and
 * `--acceleration` only with a Transit Gateway. Exit 2 naming the flags.
 */
export function tgwFlags(flags: VpnFlags): { tgw?: TgwChoice; acceleration: boolean } {
  const acceleration = flags.acceleration === true;
  if (!usesTgw(flags)) {
    if (flags.tgwAsn !== undefined) throw flagError("--tgw-asn", "applies only to --transit-gateway new");
    if (flags.tgwSubnets?.length) throw flagError("--tgw-subnets", "applies only with --transit-gateway new or --transit-gateway-id");
    if (acceleration) {
      throw flagError("--acceleration", "Accelerated VPN works only on a Transit Gateway: add --transit-gateway new or --transit-gateway-id <tgw-id>");
    }
    return { acceleration };
  }
  if (flags.transitGateway !== undefined && flags.transitGatewayId !== undefined) {
    throw flagError("--transit-gateway", "use either --transit-gateway new or --transit-gateway-id <tgw-id>, not both");
  }
  const tgwFlag = flags.transitGateway !== undefined ? "--transit-gateway" : "--transit-gateway-id";
  if (flags.vgwId !== undefined) {
    throw flagError(tgwFlag, `cannot be used with --vgw-id: a VPN connection goes on a virtual private gateway or on a Transit Gateway, not both`);
  }
  if (flags.amazonAsn !== undefined) throw flagError("--amazon-asn", `is the virtual private gateway's ASN; with ${tgwFlag} use --tgw-asn (new gateway only)`);
  let id: string;
  if (flags.transitGateway !== undefined) {
    const value = flags.transitGateway.trim();
    if (value !== "new") {
      throw flagError("--transit-gateway", `takes only "new"${value.startsWith("tgw-") ? `; for an existing gateway use --transit-gateway-id ${value}` : ""}`);
    }
    id = "new";
  } else {
    id = checkId("--transit-gateway-id", flags.transitGatewayId!, "tgw");
    if (flags.tgwAsn !== undefined) throw flagError("--tgw-asn", "applies only to --transit-gateway new (an existing gateway keeps its ASN)");
  }
  const asn = asnFlag("--tgw-asn", flags.tgwAsn ?? String(DEFAULT_TGW_ASN));
  const problem = checkAmazonAsn(asn);
  if (problem) throw flagError("--tgw-asn", problem);
  let subnets: string[] | undefined;
  if (flags.tgwSubnets?.length) {
    subnets = [...new Set(flags.tgwSubnets.map((s) => checkId("--tgw-subnets", s, "subnet")))];
  }
  return { tgw: { id, asn, ...(subnets ? { subnets } : {}) }, acceleration };
}

/** The default stack name: short, stable for the same VPC and router, and valid in resource names. */
export function deriveStackName(vpcId: string, cgwIp: string): string {
  return `vpn-${vpcId.slice(-8)}-${cgwIp.replace(/\./g, "-")}`;
}

/**
 * Validate every flag (exit 2 naming the flag and the rule). Needs all required flags present;
 * `region` makes the reserved-ASN check exact.
 */
export function validateVpnFlags(flags: VpnFlags, opts: { region?: string; cwd: string }): VpnInput {
  const missing = missingVpnFlags(flags);
  if (missing.length) throw new UsageError(`missing required flags: ${missing.join(", ")}`);
  const vpcId = checkId("--vpc-id", flags.vpcId!, "vpc");
  const cgwIp = flags.cgwIp!.trim();
  if (!isIpv4(cgwIp)) throw flagError("--cgw-ip", `"${cgwIp}" is not an IPv4 address`);
  if (!isPublicIpv4(cgwIp) && !isDocumentationIpv4(cgwIp)) {
    throw flagError("--cgw-ip", `${cgwIp} is not a public IPv4 address (behind NAT, give the NAT device's public IP)`);
  }

  const routing = flags.routing ?? "static";
  if (routing !== "static" && routing !== "bgp") throw flagError("--routing", `must be static or bgp, not "${routing}"`);

  const cgwAsn = asnFlag("--cgw-asn", flags.cgwAsn ?? String(DEFAULT_CGW_ASN));
  const cgwProblem = checkCustomerAsn(cgwAsn, opts.region);
  if (cgwProblem) throw flagError("--cgw-asn", cgwProblem);
  const target = tgwFlags(flags);
  const amazonAsn = asnFlag("--amazon-asn", flags.amazonAsn ?? String(DEFAULT_AMAZON_ASN));
  const amazonProblem = checkAmazonAsn(amazonAsn);
  if (amazonProblem) throw flagError("--amazon-asn", amazonProblem);
  if (routing === "bgp" && !target.tgw && cgwAsn === amazonAsn) {
    throw flagError("--cgw-asn", `BGP needs different ASNs on each side; ${cgwAsn} is also the Amazon side ASN (--amazon-asn)`);
  }
  if (routing === "bgp" && target.tgw?.id === "new" && cgwAsn === target.tgw.asn) {
    throw flagError("--cgw-asn", `BGP needs different ASNs on each side; ${cgwAsn} is also the new Transit Gateway's ASN (--tgw-asn)`);
  }

  const onpremCidrs = cidrList("--onprem-cidr", flags.onpremCidr ?? []);
  if (!target.tgw && onpremCidrs.length > 100) throw flagError("--onprem-cidr", "a VPN on a virtual private gateway takes at most 100 static routes");
  const vpcCidrs = cidrList("--vpc-cidr", flags.vpcCidr ?? []);
  assertNoOverlap(onpremCidrs, vpcCidrs, "--vpc-cidr");

  const routeTables = routeTablesFlag(flags.routeTables);
  const securityGroup = flags.securityGroup ? checkId("--security-group", flags.securityGroup, "sg") : undefined;
  if (flags.allow?.length && !securityGroup) throw flagError("--allow", "needs --security-group (the group to add the rules to)");
  const allow = (flags.allow?.length ? flags.allow : ["icmp"]).map((token) => {
    const rule = parseAllowToken(token);
    if (typeof rule === "string") throw flagError("--allow", rule);
    return rule;
  });
  if (securityGroup && onpremCidrs.length === 0) {
    throw flagError("--security-group", "needs --onprem-cidr (the on-prem ranges to allow)");
  }

  const inside: [string | undefined, string | undefined] = [flags.tunnel1InsideCidr, flags.tunnel2InsideCidr];
  inside.forEach((c, i) => {
    if (c === undefined) return;
    const problem = checkInsideCidr(c);
    if (problem) throw flagError(`--tunnel${i + 1}-inside-cidr`, problem);
  });
  if (inside[0] && inside[1] && inside[0] === inside[1]) {
    throw flagError("--tunnel2-inside-cidr", "the two tunnels need different inside CIDRs");
  }

  const psks = pskFlags(flags, opts.cwd);
  const pskStorage = (flags.pskStorage ?? "standard") as PskStorage;
  if (!PSK_STORAGES.includes(pskStorage)) throw flagError("--psk-storage", `must be one of ${PSK_STORAGES.join(", ")}`);
  const crypto = cryptoFlags(flags);
  const ikeVersion = crypto.overrides.ikeVersions?.length === 1 ? crypto.overrides.ikeVersions[0] : undefined;
  const tunnelBase = tunnelBaseFlag(flags.tunnelNumberBase);
  const deviceSpec = parseDeviceFlag(flags.device ?? "csr1000v");
  const device = nearestRenderer(deviceSpec);
  if (flags.outsideInterface !== undefined && !/^[A-Za-z][A-Za-z0-9/.:-]{0,39}$/.test(flags.outsideInterface)) {
    throw flagError("--outside-interface", `"${flags.outsideInterface}" is not an interface name`);
  }
  const localAddress = flags.localAddress?.trim();
  if (localAddress !== undefined) {
    if (!isIpv4(localAddress)) throw flagError("--local-address", `"${localAddress}" is not an IPv4 address`);
    if (device !== "strongswan") {
      throw flagError("--local-address", "applies only to --device strongswan (the CSR1000V sends IKE from --outside-interface)");
    }
  }
  const out = flags.out ? outFlag(flags.out, opts.cwd) : undefined;

  let stack = flags.stack;
  const stackDerived = stack === undefined;
  if (stack !== undefined && !STACK_NAME_RE.test(stack)) {
    throw flagError("--stack", `"${stack}" must be 1-32 lowercase letters, digits and hyphens, not starting or ending with a hyphen`);
  }
  stack ??= deriveStackName(vpcId, cgwIp);

  return {
    stack,
    stackDerived,
    vpcId,
    vpcCidrs,
    ...(flags.vgwId ? { vgwId: checkId("--vgw-id", flags.vgwId, "vgw") } : {}),
    ...(target.tgw ? { tgw: target.tgw } : {}),
    acceleration: target.acceleration,
    cgwIp,
    cgwAsn,
    amazonAsn,
    routing,
    onpremCidrs,
    routeTables,
    ...(securityGroup ? { securityGroup } : {}),
    allow,
    tunnelInsideCidrs: inside,
    psks,
    pskStorage,
    crypto,
    ...(ikeVersion ? { ikeVersion } : {}),
    ...(tunnelBase !== undefined ? { tunnelBase } : {}),
    device,
    ...(deviceSpec.kind !== "own" || deviceSpec.name !== device ? { deviceSpec } : {}),
    ...(out ? { out } : {}),
    ...(flags.outsideInterface ? { outsideInterface: flags.outsideInterface } : {}),
    ...(localAddress ? { localAddress } : {}),
  };
}

/** The crypto flags against AWS's allowed values (`parseCryptoFlags`); exit 2 naming the flag. */
function cryptoFlags(flags: VpnFlags): CryptoChoice {
  const raw: CryptoFlags = {};
  for (const key of CRYPTO_FLAG_KEYS) {
    const value = flags[key];
    if (value !== undefined) (raw as Record<string, unknown>)[key] = value;
  }
  const choice = parseCryptoFlags(raw);
  if ("error" in choice) throw new UsageError(choice.error);
  return choice;
}

const CRYPTO_FLAG_KEYS = [
  "crypto",
  "ikeVersion",
  "phase1Encryption",
  "phase1Integrity",
  "phase1DhGroups",
  "phase2Encryption",
  "phase2Integrity",
  "phase2DhGroups",
  "dpdTimeoutAction",
  "startupAction",
] as const satisfies ReadonlyArray<keyof CryptoFlags & keyof VpnFlags>;

function tunnelBaseFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  const problem = checkTunnelBase(value);
  if (problem) throw flagError("--tunnel-number-base", `${problem}, not "${text}"`);
  return value;
}

/**
 * `--out`: a file vpcwire can write, checked before anything is created in AWS (the config only
 * exists at the end of a run). Not a directory or a device; its directory must already exist and be
 * writable. Returns the absolute path.
 */
export function outFlag(text: string, cwd: string): string {
  const path = resolve(cwd, text);
  if (/[/\\]$/.test(text)) throw flagError("--out", `${text} names a directory; give a file name such as ${resolve(path, "router.cfg")}`);
  const stat = statOrUndefined(path);
  if (stat?.isDirectory()) throw flagError("--out", `${path} is a directory; give a file name such as ${resolve(path, "router.cfg")}`);
  if (stat && !stat.isFile()) throw flagError("--out", `${path} exists and is not a regular file`);
  if (stat && !canWrite(path)) throw flagError("--out", `${path} exists and is not writable`);
  const dir = dirname(path);
  const parent = statOrUndefined(dir);
  if (!parent) throw flagError("--out", `directory ${dir} does not exist (create it first)`);
  if (!parent.isDirectory()) throw flagError("--out", `${dir} is not a directory`);
  if (!stat && !canWrite(dir, constants.W_OK | constants.X_OK)) throw flagError("--out", `directory ${dir} is not writable`);
  return path;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function canWrite(path: string, mode = constants.W_OK): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}

function asnFlag(flag: string, text: string): number {
  const asn = parseAsn(text);
  if (asn === undefined) throw flagError(flag, `"${text}" is not an ASN`);
  return asn;
}

function cidrList(flag: string, items: string[]): string[] {
  const seen = new Set<string>();
  for (const item of items) {
    const parsed = parseCidr4(item);
    if (typeof parsed === "string") throw flagError(flag, parsed);
    seen.add(parsed.text);
  }
  return [...seen];
}

/**
 * On-prem ranges equal to or inside a VPC CIDR are refused: the VPC's local route would always win, so
 * that traffic would never leave the VPC. A range that CONTAINS the VPC is a common, valid design (the
 * local route is more specific and wins; the rest goes over the VPN, longest prefix first).
 */
export function assertNoOverlap(onprem: string[], vpc: string[], vpcSource: string): void {
  const problem = overlapProblem(onprem, vpc, vpcSource);
  if (problem) throw flagError("--onprem-cidr", problem);
}

/** The overlap rule as a message (for the wizard's re-ask), or undefined when the ranges are acceptable. */
export function overlapProblem(onprem: string[], vpc: string[], vpcSource?: string): string | undefined {
  for (const [a, b, pa, pb] of overlappingPairs(onprem, vpc)) {
    if (pa.prefix >= pb.prefix) {
      return `${a} ${pa.prefix === pb.prefix ? "is" : "lies inside"} the VPC's ${b}${vpcSource ? ` (${vpcSource})` : ""}; traffic to it would never leave the VPC`;
    }
  }
  return undefined;
}

/** One line per on-prem range that contains a VPC CIDR: which part stays local. */
export function containedVpcNotes(onprem: string[], vpc: string[]): string[] {
  return overlappingPairs(onprem, vpc)
    .filter(([, , pa, pb]) => pa.prefix < pb.prefix)
    .map(([a, b]) => `${a} contains the VPC's ${b}: ${b} stays local (the VPC's local route is more specific); the rest of ${a} goes over the VPN.`);
}

function overlappingPairs(onprem: string[], vpc: string[]): Array<[string, string, Cidr4, Cidr4]> {
  const pairs: Array<[string, string, Cidr4, Cidr4]> = [];
  for (const a of onprem) {
    for (const b of vpc) {
      const pa = parseCidr4(a);
      const pb = parseCidr4(b);
      if (typeof pa === "string" || typeof pb === "string") continue;
      if (cidrsOverlap(pa, pb)) pairs.push([a, b, pa, pb]);
    }
  }
  return pairs;
}

function routeTablesFlag(values: string[] | undefined): string[] | "all" | "none" {
  if (!values || values.length === 0) return "all";
  if (values.length === 1 && (values[0] === "all" || values[0] === "none")) return values[0];
  return values.map((v) => checkId("--route-tables", v, "rtb"));
}

function pskFlags(flags: VpnFlags, cwd: string): [string | undefined, string | undefined] {
  let psks: [string | undefined, string | undefined] = [flags.tunnel1Psk, flags.tunnel2Psk];
  if (flags.pskFile) {
    if (flags.tunnel1Psk || flags.tunnel2Psk) throw flagError("--psk-file", "use either --psk-file or --tunnel1-psk/--tunnel2-psk");
    let text: string;
    try {
      text = readFileSync(resolve(cwd, flags.pskFile), "utf8");
    } catch {
      throw flagError("--psk-file", `cannot read ${flags.pskFile}`);
    }
    const keys = text
      .split(/\r?\n/)
      .map((l) => l.replace(/^tunnel[12]\s*[=:]\s*/i, "").trim())
      .filter((l) => l && !l.startsWith("#"));
    if (keys.length < 1 || keys.length > 2) throw flagError("--psk-file", "must hold one key (both tunnels) or two keys (one per line)");
    psks = [keys[0], keys[1] ?? keys[0]];
  }
  psks.forEach((k, i) => {
    if (k === undefined) return;
    const problem = checkPsk(k);
    // Never echo the key itself.
    if (problem) throw flagError(flags.pskFile ? "--psk-file" : `--tunnel${i + 1}-psk`, problem);
  });
  return psks;
}

/** The equivalent non-interactive command (for resume hints and after the wizard). Secrets are never included. */
export function vpnArgv(input: VpnInput, global: { region?: string; profile?: string; endpointUrl?: string }): string[] {
  const args = ["vpcwire", "vpn", "create", "--stack", input.stack, "--vpc-id", input.vpcId, "--cgw-ip", input.cgwIp];
  if (input.vgwId) args.push("--vgw-id", input.vgwId);
  if (input.tgw?.id === "new") args.push("--transit-gateway", "new");
  else if (input.tgw) args.push("--transit-gateway-id", input.tgw.id);
  if (input.tgw?.id === "new" && input.tgw.asn !== DEFAULT_TGW_ASN) args.push("--tgw-asn", String(input.tgw.asn));
  if (input.tgw?.subnets?.length) args.push("--tgw-subnets", input.tgw.subnets.join(","));
  if (input.acceleration) args.push("--acceleration");
  if (input.cgwAsn !== DEFAULT_CGW_ASN) args.push("--cgw-asn", String(input.cgwAsn));
  if (!input.tgw && input.amazonAsn !== DEFAULT_AMAZON_ASN) args.push("--amazon-asn", String(input.amazonAsn));
  if (input.routing !== "static") args.push("--routing", input.routing);
  for (const c of input.onpremCidrs) args.push("--onprem-cidr", c);
  if (input.routeTables !== "all") args.push("--route-tables", Array.isArray(input.routeTables) ? input.routeTables.join(",") : input.routeTables);
  if (input.securityGroup) args.push("--security-group", input.securityGroup, "--allow", input.allow.map((a) => a.label).join(","));
  input.tunnelInsideCidrs.forEach((c, i) => {
    if (c) args.push(`--tunnel${i + 1}-inside-cidr`, c);
  });
  if (input.psks[0] || input.psks[1]) args.push("--psk-file", "<your-psk-file>");
  if (input.pskStorage !== "standard") args.push("--psk-storage", input.pskStorage);
  args.push(...cryptoArgv(input.crypto));
  if (input.tunnelBase !== undefined) args.push("--tunnel-number-base", String(input.tunnelBase));
  if (input.deviceSpec) args.push("--device", input.deviceSpec.kind === "own" ? input.deviceSpec.name : input.deviceSpec.text);
  else if (input.device !== "csr1000v") args.push("--device", input.device);
  if (input.outsideInterface) args.push("--outside-interface", input.outsideInterface);
  if (input.localAddress) args.push("--local-address", input.localAddress);
  if (input.out) args.push("--out", input.out);
  args.push(...globalArgv(global));
  return args;
}

/** The crypto flags that reproduce a choice: the profile when not the default, then each override. */
export function cryptoArgv(choice: Pick<CryptoChoice, "profile" | "overrides">): string[] {
  const args: string[] = [];
  if (choice.profile !== "modern") args.push("--crypto", choice.profile);
  const o: CryptoOverrides = choice.overrides;
  const list = (flag: string, values: Array<string | number> | undefined) => {
    if (values?.length) args.push(flag, values.join(","));
  };
  list("--ike-version", o.ikeVersions);
  list("--phase1-encryption", o.phase1Encryption);
  list("--phase1-integrity", o.phase1Integrity);
  list("--phase1-dh-groups", o.phase1DhGroups);
  list("--phase2-encryption", o.phase2Encryption);
  list("--phase2-integrity", o.phase2Integrity);
  list("--phase2-dh-groups", o.phase2DhGroups);
  if (o.dpdTimeoutAction) args.push("--dpd-timeout-action", o.dpdTimeoutAction);
  if (o.startupAction) args.push("--startup-action", o.startupAction);
  return args;
}
