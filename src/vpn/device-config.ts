import { UsageError, VpcwireError } from "../core/errors.js";
import { type CryptoDevice, DEVICE_REFUSALS, type EncryptionAlgorithm, espTunnelMtu, type IkeVersion, type IntegrityAlgorithm } from "../net/crypto.js";
import { isIpv4, parseCidr4, prefixToMask } from "../net/ip.js";
import { isPsk, PSK_RULE } from "../net/vpn-rules.js";
import { render } from "../render/render.js";
import type { TunnelModel, VpnConfigModel } from "../render/vpn-xml.js";

/**
 * Router configuration for the customer side of an AWS Site-to-Site VPN.
 *
 * The split: this file decides what each device proposes (from the tunnel's options, see
 * `chooseSuite`), turns AWS's vocabulary (`AES256-GCM-16`, `SHA2-384`, `aes-128-cbc`, `group2`,
 * CIDRs) into each device's keywords and validates every value that reaches the text; the
 * templates in `templates/vpn/` only lay the prepared values out.
 */

export type DeviceType = CryptoDevice;
export type { IkeVersion };

export interface DeviceConfigInput {
  device: DeviceType;
  /**
   * From `parseCustomerGatewayConfiguration` merged with the connection's tunnel options
   * (`withTunnelOptions`), or, for the offline preview, `placeholderVpnConfig` (merged with the
   * tunnel options the run will ask for).
   */
  config: VpnConfigModel;
  /** VPC CIDRs: static routes into the tunnels (static routing), or what BGP should learn. */
  vpcCidrs: string[];
  /** On-premises CIDRs: advertised over BGP (BGP routing, and nothing else), or listed as AWS-side static routes. */
  onpremCidrs: string[];
  /**
   * The IKE version to render when a tunnel allows both (its options list none or both). When the
   * options allow only one, that one is rendered and a different preference is reported in
   * `warnings`.
   * @default "ikev1" when both are allowed and the device can do it with the allowed algorithms (what AWS's generic sample uses), else "ikev2"
   */
  ikeVersion?: IkeVersion;
  /**
   * The router's Internet-facing interface: `tunnel source` and IKE local address on the CSR, the
   * parent device of the XFRM interfaces on Linux.
   * @default "GigabitEthernet1" for csr1000v, "eth0" for strongswan
   */
  outsideInterface?: string;
  /**
   * The address IKE is sent from. Differs from the customer gateway IP when the router sits behind
   * NAT (an EC2 instance behind an Elastic IP uses its private IP here). strongSwan: `local_addrs`
   * and the NAT-T part of the MTU. CSR: the IKEv2 policy's `match address local`.
   * @default the customer gateway outside IP from the config
   */
  localAddress?: string;
  /**
   * Number of tunnel 1's objects on the router: tunnel 2 uses the next number. On the CSR the
   * Tunnel interfaces, IKEv1 policy priorities, IP SLA operations and track objects; on Linux the
   * XFRM if_ids and interface names (aws-tun<n>). Range `TUNNEL_BASE_MIN`..`TUNNEL_BASE_MAX`.
   * @default derived from the VPN connection id (`tunnelNumbers`), so two connections on one router rarely collide
   */
  tunnelBase?: number;
  /**
   * A placeholder preview (`--dry-run`) made without reading AWS (`--offline`): the banner says so.
   * Ignored for real configurations.
   */
  offline?: boolean;
}

/**
 * The AWS configuration asks for something the device (or this generator) cannot express, for
 * example only AES-GCM for phase 1 on an IKEv1-only tunnel, or a certificate-authenticated tunnel.
 */
export class DeviceConfigError extends VpcwireError {
  constructor(message: string) {
    super(message, 1);
  }
}

/** What one tunnel's router side proposes: one algorithm of each kind. */
export interface TunnelSuite {
  ikeVersion: IkeVersion;
  phase1: { encryption: EncryptionAlgorithm; integrity: IntegrityAlgorithm; dhGroup: number };
  /** `integrity` is null with AES-GCM, which authenticates by itself. */
  phase2: { encryption: EncryptionAlgorithm; integrity: IntegrityAlgorithm | null; dhGroup: number };
}

/**
 * Everything a tunnel's options allow that the device supports, in preference order (the proposed
 * value first); phase 2 keeps to the proposed cipher family (AEAD or not). Routers that can accept
 * more than they propose use it to answer what AWS starts (see docs/CRYPTO.md).
 */
export interface AcceptableSuite {
  phase1: { encryption: EncryptionAlgorithm[]; integrity: IntegrityAlgorithm[]; dhGroups: number[] };
  phase2: { encryption: EncryptionAlgorithm[]; integrity: IntegrityAlgorithm[]; dhGroups: number[] };
}

export interface DeviceFile {
  /** Where the config's own instructions put it. */
  path: string;
  /** 0o600 for files with keys, 0o755 for scripts, 0o644 otherwise. */
  mode: number;
  text: string;
  what: string;
}

export interface RenderedDeviceConfig {
  /** The configuration to paste or load. Contains the pre-shared keys. */
  text: string;
  /**
   * Every file the configuration needs, `text` first. strongSwan: also the updown script (static
   * routing) and the strongswan.conf retransmit settings, which `text` carries too, as comment
   * lines a `sed` command in its header extracts.
   */
  files: DeviceFile[];
  /** What each tunnel proposes, tunnel 1 first. */
  suites: [TunnelSuite, TunnelSuite];
  /** Things the user should know: an IKE version preference the options overrule, refused algorithms. */
  warnings: string[];
}

/** Render the full configuration for both tunnels. The result contains the pre-shared keys. */
export function renderDeviceConfig(input: DeviceConfigInput): string {
  return renderDevice(input).text;
}

/** `renderDeviceConfig` with the extra files, the chosen proposals and the warnings. */
export function renderDevice(input: DeviceConfigInput): RenderedDeviceConfig {
  const common = prepareCommon(input);
  if (input.device === "csr1000v") {
    const view = csr1000vView(input, common);
    const text = render("vpn/csr1000v.hbs", view);
    return {
      text,
      files: [{ path: `${common.vpnConnectionId}.cfg`, mode: 0o600, text, what: "IOS-XE configuration" }],
      suites: common.suites,
      warnings: common.warnings,
    };
  }
  const view = strongswanView(input, common);
  const text = render("vpn/strongswan.hbs", view);
  const files: DeviceFile[] = [{ path: view.paths.config, mode: 0o600, text, what: "swanctl configuration" }];
  if (view.updown) files.push({ path: view.paths.updown, mode: 0o755, text: view.updown.script, what: "updown script (routes follow the tunnels)" });
  files.push({ path: view.paths.charon, mode: 0o644, text: view.charonConf.text, what: "strongswan.conf retransmit settings" });
  return { text, files, suites: common.suites, warnings: common.warnings };
}

// ---------------------------------------------------------------------------------------------
// Tunnel numbers

export const TUNNEL_BASE_MIN = 1;
/** IOS-XE track objects go up to 1000, and tunnel 2 uses base + 1. */
export const TUNNEL_BASE_MAX = 999;

/** The rule for `--tunnel-number-base`, without the flag name (undefined when valid). */
export function checkTunnelBase(value: number): string | undefined {
  if (!Number.isInteger(value) || value < TUNNEL_BASE_MIN || value > TUNNEL_BASE_MAX) {
    return `must be a whole number from ${TUNNEL_BASE_MIN} to ${TUNNEL_BASE_MAX} (tunnel 2 uses the next number; IOS-XE track objects end at 1000)`;
  }
  return undefined;
}

/**
 * Tunnel 1's and tunnel 2's numbers on the router: `base` and `base + 1`, or, without a base, a
 * pair derived from the VPN connection id: an even number from 100 to 998, so two connections'
 * pairs never overlap partly and collide only when their ids map to the same pair (1 in 450).
 * Null for a placeholder id (the preview then shows placeholders).
 */
export function tunnelNumbers(vpnConnectionId: string, base?: number): [number, number] | null {
  if (base !== undefined) {
    const problem = checkTunnelBase(base);
    if (problem) throw new UsageError(`tunnel number base ${base}: ${problem}`);
    return [base, base + 1];
  }
  const m = /^vpn-([0-9a-f]+)$/i.exec(vpnConnectionId);
  if (!m) return null;
  const derived = 100 + 2 * (Number.parseInt(m[1]!.slice(-8), 16) % 450);
  return [derived, derived + 1];
}

// ---------------------------------------------------------------------------------------------
// Shared preparation and validation

interface Network {
  cidr: string;
  network: string;
  mask: string;
}

interface Common {
  placeholder: boolean;
  /** Only with `placeholder`: the preview was made without reading AWS. */
  offline: boolean;
  vpnConnectionId: string;
  customerGatewayId: string;
  vpnGatewayId: string | null;
  customerOutsideIp: string;
  bgpRouting: boolean;
  /** `IKEv2`, or `IKEv1 (tunnel 1), IKEv2 (tunnel 2)` when they differ. */
  ikeLabel: string;
  anyIkev1: boolean;
  anyIkev2: boolean;
  vpcNetworks: Network[];
  onpremNetworks: Network[];
  tunnels: [TunnelModel, TunnelModel];
  suites: [TunnelSuite, TunnelSuite];
  acceptable: [AcceptableSuite, AcceptableSuite];
  /** Tunnel 1's and 2's numbers, or placeholders in a preview without a connection id. */
  numbers: [number | string, number | string];
  numbersDerived: boolean;
  /** AWS starts IKE on both tunnels (StartupAction start). */
  awsStarts: boolean;
  /** Customer and Amazon ASNs when routing is BGP. */
  asns: { customer: number; aws: number } | null;
  warnings: string[];
}

// Placeholders come only from placeholderVpnConfig; anything else must be a real value.
const PLACEHOLDER_RE = /^<[A-Z0-9-]+>$/;
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;
const INTERFACE_RE = /^[A-Za-z][A-Za-z0-9/.:_-]{0,63}$/;

function prepareCommon(input: DeviceConfigInput): Common {
  const { config } = input;
  const placeholder = config.placeholder === true;
  // The model is typed, but it may have been built by hand or deserialised: check everything that
  // ends up verbatim in a config, so no value can smuggle in an extra router command.
  const value = (text: string, valid: boolean, what: string): string => {
    if (valid || (placeholder && PLACEHOLDER_RE.test(text))) return text;
    throw new DeviceConfigError(`${what} "${text.slice(0, 64)}" is not valid in a device configuration`);
  };
  value(config.vpnConnectionId, ID_RE.test(config.vpnConnectionId), "VPN connection id");
  value(config.customerGatewayId, ID_RE.test(config.customerGatewayId), "customer gateway id");
  if (config.vpnGatewayId !== undefined) value(config.vpnGatewayId, ID_RE.test(config.vpnGatewayId), "VPN gateway id");

  if (config.tunnels.length !== 2) throw new DeviceConfigError(`expected 2 tunnels, got ${config.tunnels.length}`);
  for (const t of config.tunnels) {
    const where = `tunnel ${t.number}`;
    value(t.customer.outsideIp, isIpv4(t.customer.outsideIp), `${where} customer outside IP`);
    value(t.customer.insideIp, isIpv4(t.customer.insideIp), `${where} customer inside IP`);
    value(t.customer.insideCidr, typeof parseCidr4(t.customer.insideCidr) !== "string", `${where} inside CIDR`);
    value(t.customer.insideMask, isIpv4(t.customer.insideMask), `${where} inside mask`);
    value(t.aws.outsideIp, isIpv4(t.aws.outsideIp), `${where} AWS outside IP`);
    value(t.aws.insideIp, isIpv4(t.aws.insideIp), `${where} AWS inside IP`);
    const psk = t.ike.preSharedKey;
    if (psk === undefined) {
      throw new DeviceConfigError(`${where} has no pre-shared key (certificate authentication is not supported by this generator)`);
    }
    // Never echo a key, valid or not.
    if (!isPsk(psk) && !(placeholder && PLACEHOLDER_RE.test(psk))) {
      throw new DeviceConfigError(`${where} pre-shared key is not ${PSK_RULE}`);
    }
    if (t.ipsec.protocol.toLowerCase() !== "esp" || t.ipsec.mode.toLowerCase() !== "tunnel") {
      throw new DeviceConfigError(`${where}: only ESP in tunnel mode can be routed through a tunnel interface`);
    }
    for (const [what, n] of [
      ["IKE lifetime", t.ike.lifetime],
      ["IPsec lifetime", t.ipsec.lifetime],
      ["TCP MSS", t.ipsec.tcpMssAdjustment],
      ["DPD interval", t.ipsec.dpdInterval],
      ["DPD retries", t.ipsec.dpdRetries],
    ] as const) {
      if (!Number.isInteger(n) || n < 1) throw new DeviceConfigError(`${where} ${what} ${n} is not a positive whole number`);
    }
  }
  const [t1, t2] = config.tunnels;
  if (t1.customer.outsideIp !== t2.customer.outsideIp) {
    throw new DeviceConfigError("the two tunnels have different customer gateway IPs; one VPN connection has one customer gateway");
  }

  let asns: Common["asns"] = null;
  if (config.routing === "bgp") {
    const asn = (t: TunnelModel, side: "customer" | "aws") =>
      t[side].bgp?.asn ?? fail(`routing is BGP but tunnel ${t.number} has no ${side === "aws" ? "Amazon-side" : "customer"} ASN`);
    if (asn(t1, "customer") !== asn(t2, "customer") || asn(t1, "aws") !== asn(t2, "aws")) {
      throw new DeviceConfigError("the two tunnels report different ASNs; one BGP process cannot serve both");
    }
    asns = { customer: asn(t1, "customer"), aws: asn(t1, "aws") };
  }

  const vpcNetworks = input.vpcCidrs.map((c) => network(c, "VPC CIDR", placeholder));
  const onpremNetworks = input.onpremCidrs.map((c) => network(c, "on-premises CIDR", false));
  if (config.routing === "static" && vpcNetworks.length === 0) {
    throw new UsageError("static routing needs at least one VPC CIDR to route into the tunnels");
  }

  const warnings: string[] = [];
  const chosen = config.tunnels.map((t) => chooseSuite(input.device, t, input.ikeVersion, warnings));
  const suites = chosen.map(({ acceptable: _, ...suite }) => suite) as [TunnelSuite, TunnelSuite];
  const acceptable = chosen.map((c) => c.acceptable) as [AcceptableSuite, AcceptableSuite];
  const versions = suites.map((s) => s.ikeVersion);
  const label = (v: IkeVersion) => (v === "ikev1" ? "IKEv1" : "IKEv2");
  const refused = refusedSummary(input.device, suites);
  if (refused) {
    const rules = DEVICE_REFUSALS[input.device];
    warnings.push(
      `the ${input.device === "csr1000v" ? "CSR1000V" : "strongSwan"} config proposes ${refused}, which ${rules.label} refuses by default (${rules.source})`,
    );
  }

  const numbers = tunnelNumbers(config.vpnConnectionId, input.tunnelBase);
  return {
    placeholder,
    offline: placeholder && input.offline === true,
    vpnConnectionId: config.vpnConnectionId,
    customerGatewayId: config.customerGatewayId,
    vpnGatewayId: config.vpnGatewayId ?? null,
    customerOutsideIp: t1.customer.outsideIp,
    bgpRouting: config.routing === "bgp",
    ikeLabel: versions[0] === versions[1] ? label(versions[0]!) : `${label(versions[0]!)} (tunnel 1), ${label(versions[1]!)} (tunnel 2)`,
    anyIkev1: versions.includes("ikev1"),
    anyIkev2: versions.includes("ikev2"),
    vpcNetworks,
    onpremNetworks,
    tunnels: config.tunnels,
    suites,
    acceptable,
    numbers: numbers ?? ["<TUNNEL1-NUMBER>", "<TUNNEL2-NUMBER>"],
    numbersDerived: input.tunnelBase === undefined,
    awsStarts: config.tunnels.every((t) => t.options?.startupAction === "start"),
    asns,
    warnings,
  };
}

function fail(message: string): never {
  throw new DeviceConfigError(message);
}

/** The offline preview may not know the VPC's CIDR: `<VPC-CIDR>` renders as `<VPC-NETWORK> <VPC-MASK>`. */
export const VPC_CIDR_PLACEHOLDER = "<VPC-CIDR>";

function network(text: string, what: string, placeholder: boolean): Network {
  if (placeholder && text === VPC_CIDR_PLACEHOLDER) return { cidr: text, network: "<VPC-NETWORK>", mask: "<VPC-MASK>" };
  const cidr = parseCidr4(text);
  if (typeof cidr === "string") throw new UsageError(`${what}: ${cidr}`);
  return { cidr: cidr.text, network: cidr.network, mask: prefixToMask(cidr.prefix) };
}

function outsideInterface(input: DeviceConfigInput, fallback: string): string {
  const name = input.outsideInterface ?? fallback;
  if (!INTERFACE_RE.test(name)) throw new UsageError(`outside interface "${name.slice(0, 64)}" is not an interface name`);
  return name;
}

function localAddress(input: DeviceConfigInput, c: Common): string {
  const address = input.localAddress ?? c.customerOutsideIp;
  if (!isIpv4(address)) throw new UsageError(`local address "${address.slice(0, 64)}" is not an IPv4 address`);
  return address;
}

/** BGP keepalive a third of the hold time, the usual ratio (and AWS's `10 30`). */
function bgpTimers(holdTime: number): { keepalive: number; holdTime: number } {
  return { keepalive: Math.max(1, Math.floor(holdTime / 3)), holdTime };
}

// ---------------------------------------------------------------------------------------------
// Choosing what the router proposes
//
// AWS evaluates a customer gateway's proposals starting from the lowest value it allows, whatever
// order the device offers them in (VPNTunnels.html). A device offering [GCM, CBC] would therefore
// always get CBC, and [20, 19] always 19. So the router proposes exactly one algorithm of each kind:
// the most preferred one the tunnel's options allow and the device supports. That also makes the
// negotiated suite known in advance, which the strongSwan MTU needs.

const ENCRYPTION_PREFERENCE: EncryptionAlgorithm[] = ["AES256-GCM-16", "AES128-GCM-16", "AES256", "AES128"];
// Phase 1 integrity is also the PRF; per-message cost does not matter there.
const PHASE1_INTEGRITY_PREFERENCE: IntegrityAlgorithm[] = ["SHA2-384", "SHA2-256", "SHA2-512", "SHA1"];
// Phase 2 integrity costs ICV bytes in every packet (and so MTU): HMAC-SHA2-256-128 is strong enough.
const PHASE2_INTEGRITY_PREFERENCE: IntegrityAlgorithm[] = ["SHA2-256", "SHA2-384", "SHA2-512", "SHA1"];
// Elliptic curves first (strength per cost), then MODP by size, the small-subgroup groups 22-24
// and the weak 5 and 2 last.
const DH_PREFERENCE = [20, 19, 21, 14, 15, 16, 17, 18, 24, 23, 22, 5, 2, 1];

interface DeviceSupport {
  /** Neither IOS-XE nor strongSwan has AES-GCM for an IKEv1 (ISAKMP) SA. */
  phase1Gcm: Record<IkeVersion, boolean>;
  dhGroups: number[];
}

const SUPPORT: Record<DeviceType, DeviceSupport> = {
  // IOS-XE 17 `group ?` in an isakmp policy, IKEv2 proposal and IPsec profile: 1 2 5 14 15 16 19 20 21 24.
  csr1000v: { phase1Gcm: { ikev1: false, ikev2: true }, dhGroups: [1, 2, 5, 14, 15, 16, 19, 20, 21, 24] },
  strongswan: { phase1Gcm: { ikev1: false, ikev2: true }, dhGroups: [1, 2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24] },
};

const DEVICE_NAMES: Record<DeviceType, string> = { csr1000v: "IOS-XE", strongswan: "strongSwan" };

function chooseSuite(
  device: DeviceType,
  t: TunnelModel,
  preference: IkeVersion | undefined,
  warnings: string[],
): TunnelSuite & { acceptable: AcceptableSuite } {
  const where = `tunnel ${t.number}`;
  const o = t.options;
  // An empty options list means AWS's defaults, and AWS's XML names the value to use for those.
  const enc1 = o?.phase1.encryption.length ? o.phase1.encryption : [xmlEncryption(t.ike.encryptionProtocol, `${where} IKE`)];
  const integ1 = o?.phase1.integrity.length ? o.phase1.integrity : [xmlIntegrity(t.ike.authenticationProtocol, `${where} IKE`)];
  const dh1 = o?.phase1.dhGroups.length ? o.phase1.dhGroups : [t.ike.dhGroup];
  const enc2 = o?.phase2.encryption.length ? o.phase2.encryption : [xmlEncryption(t.ipsec.encryptionProtocol, `${where} IPsec`)];
  const integ2 = o?.phase2.integrity.length ? o.phase2.integrity : [xmlIntegrity(t.ipsec.authenticationProtocol, `${where} IPsec`)];
  const dh2 = o?.phase2.dhGroups.length ? o.phase2.dhGroups : [t.ipsec.dhGroup];

  const allowed: IkeVersion[] = o?.ikeVersions.length ? [...o.ikeVersions] : ["ikev1", "ikev2"];
  if (preference && !allowed.includes(preference)) {
    warnings.push(`${where} allows only ${allowed.join(", ")}; rendering that instead of ${preference}`);
  }
  const order =
    preference && allowed.includes(preference)
      ? [preference, ...allowed.filter((v) => v !== preference)]
      : (["ikev1", "ikev2"] as IkeVersion[]).filter((v) => allowed.includes(v));
  const support = SUPPORT[device];
  const best = <T>(list: readonly T[], pref: readonly T[], ok: (v: T) => boolean = () => true): T | undefined => pref.find((v) => list.includes(v) && ok(v));

  const problems: string[] = [];
  for (const version of order) {
    const e1 = best(enc1, ENCRYPTION_PREFERENCE, (e) => support.phase1Gcm[version] || !isGcm(e));
    if (!e1) {
      problems.push(`${DEVICE_NAMES[device]} has no AES-GCM for ${version.replace("ike", "IKE")} phase 1, and the tunnel allows only ${enc1.join(", ")}`);
      continue;
    }
    const d1 = best(dh1, DH_PREFERENCE, (g) => support.dhGroups.includes(g));
    const d2 = best(dh2, DH_PREFERENCE, (g) => support.dhGroups.includes(g));
    if (d1 === undefined || d2 === undefined) {
      const [phase, list] = d1 === undefined ? ["phase 1", dh1] : ["phase 2", dh2];
      problems.push(`${DEVICE_NAMES[device]} supports none of the ${phase} DH groups the tunnel allows (${list.join(", ")})`);
      break;
    }
    const e2 = best(enc2, ENCRYPTION_PREFERENCE)!;
    if (preference && version !== preference && problems.length) warnings.push(`${where}: ${problems[0]}; rendering ${version} instead of ${preference}`);
    const all = <T>(list: readonly T[], pref: readonly T[], ok: (v: T) => boolean = () => true): T[] => pref.filter((v) => list.includes(v) && ok(v));
    return {
      ikeVersion: version,
      phase1: { encryption: e1, integrity: best(integ1, PHASE1_INTEGRITY_PREFERENCE)!, dhGroup: d1 },
      phase2: { encryption: e2, integrity: isGcm(e2) ? null : best(integ2, PHASE2_INTEGRITY_PREFERENCE)!, dhGroup: d2 },
      acceptable: {
        phase1: {
          encryption: all(enc1, ENCRYPTION_PREFERENCE, (e) => support.phase1Gcm[version] || !isGcm(e)),
          integrity: all(integ1, PHASE1_INTEGRITY_PREFERENCE),
          dhGroups: all(dh1, DH_PREFERENCE, (g) => support.dhGroups.includes(g)),
        },
        phase2: {
          encryption: all(enc2, ENCRYPTION_PREFERENCE, (e) => isGcm(e) === isGcm(e2)),
          integrity: isGcm(e2) ? [] : all(integ2, PHASE2_INTEGRITY_PREFERENCE),
          dhGroups: all(dh2, DH_PREFERENCE, (g) => support.dhGroups.includes(g)),
        },
      },
    };
  }
  return fail(`${where}: ${problems[0] ?? "no IKE version to render"}`);
}

function isGcm(e: EncryptionAlgorithm): boolean {
  return e.endsWith("-GCM-16");
}

/**
 * `DH group 2 (phase 1 and PFS)`, or per phase when they differ; undefined when nothing is refused.
 * Both tunnels usually agree; when they do not, each is named.
 */
function refusedSummary(device: DeviceType, suites: [TunnelSuite, TunnelSuite]): string | undefined {
  const rules = DEVICE_REFUSALS[device];
  const one = (s: TunnelSuite) => {
    const p1 = rules.phase1[s.ikeVersion].includes(s.phase1.dhGroup) ? s.phase1.dhGroup : undefined;
    const p2 = rules.phase2.includes(s.phase2.dhGroup) ? s.phase2.dhGroup : undefined;
    if (p1 !== undefined && p1 === p2) return `DH group ${p1} (phase 1 and PFS)`;
    return [p1 !== undefined ? `phase 1 DH group ${p1}` : "", p2 !== undefined ? `PFS group ${p2}` : ""].filter(Boolean).join(" and ") || undefined;
  };
  const [a, b] = suites.map(one);
  if (a === b) return a;
  return [a ? `${a} on tunnel 1` : "", b ? `${b} on tunnel 2` : ""].filter(Boolean).join(", ");
}

/** Comment text broken into lines of at most `width` characters (the comment marker comes on top). */
function wrap(text: string, width = 77): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

// The XML writes algorithms one way (aes-128-cbc, hmac-sha1-96, sha1, group2), TunnelOptions
// another (AES128, SHA1); tests and hand-built models use both. Map the XML spelling to AWS's.

function xmlEncryption(text: string, where: string): EncryptionAlgorithm {
  const m = /^aes-?(128|256)(?:-?(cbc|gcm(?:-?16)?))?$/i.exec(text);
  if (!m) throw new DeviceConfigError(`${where}: unsupported encryption "${text}" (expected AES-128/256, CBC or GCM)`);
  const gcm = (m[2] ?? "cbc").toLowerCase().startsWith("gcm");
  return `AES${m[1]}${gcm ? "-GCM-16" : ""}` as EncryptionAlgorithm;
}

function xmlIntegrity(text: string, where: string): IntegrityAlgorithm {
  // sha1, SHA1, hmac-sha1-96, sha2-256, SHA2-256, sha256, hmac-sha2-256-128, ...
  const m = /^(?:hmac-)?sha(?:-?2)?-?(1|256|384|512)(?:-\d+)?$/i.exec(text);
  if (!m) throw new DeviceConfigError(`${where}: unsupported integrity algorithm "${text}" (expected SHA1 or SHA2-256/384/512)`);
  return (m[1] === "1" ? "SHA1" : `SHA2-${m[1]}`) as IntegrityAlgorithm;
}

const bits = (e: EncryptionAlgorithm) => (e.startsWith("AES256") ? 256 : 128);
const shaBits = (i: IntegrityAlgorithm) => (i === "SHA1" ? 1 : Number(i.slice(5)));

// ---------------------------------------------------------------------------------------------
// Cisco CSR1000V / IOS-XE

const IOS_HASH: Record<IntegrityAlgorithm, string> = { SHA1: "sha", "SHA2-256": "sha256", "SHA2-384": "sha384", "SHA2-512": "sha512" };
const IOS_IKEV2_HASH: Record<IntegrityAlgorithm, string> = { SHA1: "sha1", "SHA2-256": "sha256", "SHA2-384": "sha384", "SHA2-512": "sha512" };

function csr1000vView(input: DeviceConfigInput, c: Common) {
  const id = c.vpnConnectionId;
  const [t1, t2] = c.tunnels;
  // These three are global on IOS-XE (crypto ipsec df-bit / fragmentation, isakmp keepalive); they
  // can only follow the XML if both tunnels agree, which every AWS configuration seen so far does.
  for (const [what, a, b] of [
    ["clear_df_bit", t1.ipsec.clearDfBit, t2.ipsec.clearDfBit],
    ["fragmentation_before_encryption", t1.ipsec.fragmentationBeforeEncryption, t2.ipsec.fragmentationBeforeEncryption],
    ["dead_peer_detection interval", t1.ipsec.dpdInterval, t2.ipsec.dpdInterval],
  ] as const) {
    if (a !== b) throw new DeviceConfigError(`the tunnels differ in ${what}, which is a global setting on IOS-XE`);
  }
  const local = localAddress(input, c);

  const tunnels = c.tunnels.map((t, i) => {
    const s = c.suites[i]!;
    const n = c.numbers[i]!;
    // AWS names per-tunnel objects <kind>-<vpn id>-0 / -1 in its samples; keep that so users can
    // compare with a downloaded sample.
    const suffix = `${id}-${t.number - 1}`;
    const gcm1 = isGcm(s.phase1.encryption);
    return {
      number: t.number,
      ikev1: s.ikeVersion === "ikev1",
      ikev2: s.ikeVersion === "ikev2",
      suiteText: describeSuite(s),
      interfaceNumber: n,
      awsOutsideIp: t.aws.outsideIp,
      awsInsideIp: t.aws.insideIp,
      customerInsideIp: t.customer.insideIp,
      insideCidr: t.customer.insideCidr,
      insideMask: t.customer.insideMask,
      psk: t.ike.preSharedKey!,
      isakmpPolicy: n,
      keyring: `keyring-${suffix}`,
      isakmpProfile: `isakmp-${suffix}`,
      ikev2Keyring: `ikev2-keyring-${suffix}`,
      ikev2Profile: `ikev2-profile-${suffix}`,
      ikeEncryption: `aes ${bits(s.phase1.encryption)}`,
      ikeHash: IOS_HASH[s.phase1.integrity],
      ikeDhGroup: s.phase1.dhGroup,
      ikeLifetime: t.ike.lifetime,
      ikev2Proposal: {
        encryption: `aes-${gcm1 ? "gcm" : "cbc"}-${bits(s.phase1.encryption)}`,
        // AEAD proposals carry no integrity algorithm; IOS-XE then wants the PRF spelled out.
        hashLine: `${gcm1 ? "prf" : "integrity"} ${IOS_IKEV2_HASH[s.phase1.integrity]}`,
        group: s.phase1.dhGroup,
      },
      dpdInterval: t.ipsec.dpdInterval,
      transformSet: `ipsec-prop-${suffix}`,
      transformSetAlgorithms: s.phase2.integrity
        ? `esp-aes ${bits(s.phase2.encryption)} esp-${IOS_HASH[s.phase2.integrity]}-hmac`
        : `esp-gcm ${bits(s.phase2.encryption)}`,
      ipsecProfile: `ipsec-${suffix}`,
      pfsGroup: `group${s.phase2.dhGroup}`,
      ipsecLifetime: t.ipsec.lifetime,
      mss: t.ipsec.tcpMssAdjustment,
      // Tunnel 1 is preferred; both stay above the default static distance of 1 so an operator's
      // own static route still wins without deleting these lines.
      distance: t.number === 1 ? 10 : 20,
      slaId: n,
      bgpTimers: bgpTimers(t.aws.bgp?.holdTime ?? 30),
    };
  });

  // One IKEv2 policy per local address for every AWS connection on this router: a policy without
  // `match address local` would replace IOS-XE's default policy for every peer, and two policies
  // for the same address would shadow each other. Pasting a second connection's config re-enters the
  // same policy and adds its proposal (IOS-XE appends `proposal` lines).
  const proposals: { name: string; encryption: string; hashLine: string; group: number }[] = [];
  const withProposals = tunnels.map((t) => {
    if (!t.ikev2) return { ...t, ikev2ProposalName: null };
    const p = t.ikev2Proposal;
    let proposal = proposals.find((q) => q.encryption === p.encryption && q.hashLine === p.hashLine && q.group === p.group);
    if (!proposal) {
      proposal = { name: `ikev2-prop-${id}-${t.number - 1}`, ...p };
      proposals.push(proposal);
    }
    return { ...t, ikev2ProposalName: proposal.name };
  });

  const refused = refusedSummary("csr1000v", c.suites);
  const numberText = (kind: string) => `${kind} ${c.numbers[0]} and ${c.numbers[1]}`;
  const numbersUsed = [
    ...(withProposals.some((t) => t.ikev1) ? [numberText("isakmp policy")] : []),
    `interfaces Tunnel${c.numbers[0]} and Tunnel${c.numbers[1]}`,
    ...(c.bgpRouting ? [] : [numberText("ip sla"), numberText("track")]),
  ].join(", ");
  return {
    ...c,
    outsideInterface: outsideInterface(input, "GigabitEthernet1"),
    localAddress: local,
    dfBitClear: t1.ipsec.clearDfBit,
    fragmentation: t1.ipsec.fragmentationBeforeEncryption ? "before-encryption" : "after-encryption",
    dpdInterval: t1.ipsec.dpdInterval,
    ikev2Proposals: proposals,
    ikev2Policy: `vpcwire-${local.replace(/\./g, "-")}`,
    tunnels: withProposals,
    onpremNetworks: c.onpremNetworks.map((n, i) => ({ ...n, seq: (i + 1) * 5 })),
    numbersLines: wrap(`Numbers used on this router: ${numbersUsed}.`),
    ikev2PolicyLines: proposals.length
      ? wrap(
          `The IKEv2 policy vpcwire-${local.replace(/\./g, "-")} matches only this router's address ${local} and is shared by every AWS ` +
            "connection vpcwire renders for that address: pasting another connection's config adds its proposal to it.",
        )
      : [],
    refusedLines: refused
      ? wrap(
          `WARNING: this config proposes ${refused}, which IOS-XE 17.11 and later (Catalyst 8000V) refuse by default ` +
            '(Cisco Field Notice FN72510). On those releases the tunnels come up only after "crypto engine compliance shield disable" ' +
            "and a reload, which Cisco advises against. Better: give the connection stronger crypto (vpcwire vpn create ... --crypto modern).",
        )
      : null,
    bgp: c.asns ? { asn: c.asns.customer, awsAsn: c.asns.aws, prefixList: `${id}-onprem` } : null,
  };
}

// ---------------------------------------------------------------------------------------------
// strongSwan (swanctl.conf) with XFRM interfaces

const SWAN_DH: Record<number, string> = {
  1: "modp768",
  2: "modp1024",
  5: "modp1536",
  14: "modp2048",
  15: "modp3072",
  16: "modp4096",
  17: "modp6144",
  18: "modp8192",
  19: "ecp256",
  20: "ecp384",
  21: "ecp521",
  22: "modp1024s160",
  23: "modp2048s224",
  24: "modp2048s256",
};

/**
 * strongswan.conf retransmission for IKE (global to charon). IKEv2 has no `dpd_timeout`: a peer is
 * dead when a DPD message goes unanswered through the whole retransmit sequence, 165 s with the
 * defaults (4 s, base 1.8, 5 tries). With these a DPD request is retransmitted after 2.5, 3.75 and
 * 5.6 s, and the peer is declared dead 20.3 s after the first one; DPD starts after 10 s without
 * traffic (`dpd_delay`), so a dead AWS endpoint is noticed about 30 s after it went quiet, as AWS
 * notices a dead customer gateway (DPD timeout 30 s).
 */
export const STRONGSWAN_RETRANSMIT = { timeout: 2.5, base: 1.5, tries: 3 } as const;

/** Seconds from the first send until charon gives up: sum of timeout * base^n for n = 0..tries. */
export function retransmitGiveUpSeconds(r: { timeout: number; base: number; tries: number } = STRONGSWAN_RETRANSMIT): number {
  let total = 0;
  for (let n = 0; n <= r.tries; n++) total += r.timeout * r.base ** n;
  return total;
}

function strongswanView(input: DeviceConfigInput, c: Common) {
  const local = localAddress(input, c);
  const parent = outsideInterface(input, "eth0");
  const behindNat = local !== c.customerOutsideIp;
  const id = c.vpnConnectionId;
  const paths = {
    config: `/etc/swanctl/conf.d/${id}.conf`,
    updown: `/etc/swanctl/vpcwire-updown-${id}.sh`,
    charon: "/etc/strongswan.d/vpcwire-retransmit.conf",
  };

  const tunnels = c.tunnels.map((t, i) => {
    const s = c.suites[i]!;
    const a = c.acceptable[i]!;
    const n = c.numbers[i]!;
    const enc = (e: EncryptionAlgorithm) => `aes${bits(e)}${isGcm(e) ? "gcm16" : ""}`;
    const sha = (x: IntegrityAlgorithm) => `sha${shaBits(x)}`;
    // Rekey at 90% of AWS's lifetime (minus strongSwan's random jitter of up to 10% more), and
    // never keep an SA past the lifetime AWS enforces on its side.
    const ikeRekey = Math.floor(t.ike.lifetime * 0.9);
    const childRekey = Math.floor(t.ipsec.lifetime * 0.9);
    const name = `${id}-tunnel${t.number}`;
    const ifName = `aws-tun${n}`;
    const metric = t.number === 1 ? 100 : 200;
    const { mtu, mss } = espTunnelMtu(s.phase2.encryption, s.phase2.integrity, behindNat);
    const p1 = s.phase1;
    return {
      number: t.number,
      name,
      ikeVersionNumber: s.ikeVersion === "ikev1" ? 1 : 2,
      ikev1: s.ikeVersion === "ikev1",
      ikev2: s.ikeVersion === "ikev2",
      awsOutsideIp: t.aws.outsideIp,
      awsInsideIp: t.aws.insideIp,
      customerInsideIp: t.customer.insideIp,
      customerInsidePrefix: `${t.customer.insideIp}/${t.customer.insideCidr.split("/")[1] ?? "30"}`,
      psk: t.ike.preSharedKey!,
      // IKE needs a PRF; with AES-GCM there is no integrity algorithm to derive it from.
      // IKEv1: one proposal listing the chosen algorithm of each kind first and then every other one
      // the tunnel allows. strongSwan's IKEv1 sends only the first of each kind (one transform), so
      // this host still proposes exactly one combination, and it accepts whatever allowed combination
      // AWS offers when AWS starts a Main or Quick Mode (IKEv1 cannot renegotiate the DH group).
      ikeProposal:
        s.ikeVersion === "ikev1"
          ? [...a.phase1.encryption.map(enc), ...a.phase1.integrity.map(sha), ...a.phase1.dhGroups.map((g) => SWAN_DH[g])].join("-")
          : `${enc(p1.encryption)}-${isGcm(p1.encryption) ? "prf" : ""}${sha(p1.integrity)}-${SWAN_DH[p1.dhGroup]}`,
      espProposal:
        s.ikeVersion === "ikev1"
          ? [...a.phase2.encryption.map(enc), ...a.phase2.integrity.map(sha), ...a.phase2.dhGroups.map((g) => SWAN_DH[g])].join("-")
          : `${enc(s.phase2.encryption)}${s.phase2.integrity ? `-${sha(s.phase2.integrity)}` : ""}-${SWAN_DH[s.phase2.dhGroup]}`,
      suiteText: describeSuite(s),
      ikeLifetime: t.ike.lifetime,
      ikeRekey,
      ikeOver: t.ike.lifetime - ikeRekey,
      childRekey,
      childLife: t.ipsec.lifetime,
      dpdDelay: t.ipsec.dpdInterval,
      // IKEv1 only: strongSwan waits this long for R_U_THERE_ACKs; AWS suggests interval x retries.
      dpdTimeout: t.ipsec.dpdInterval * t.ipsec.dpdRetries,
      ifId: n,
      ifName,
      mtu,
      mss,
      metric,
      updownCommand: `${paths.updown} ${ifName} ${metric}`,
      // AWS starts this tunnel (StartupAction start): the router only traps (docs/CRYPTO.md, "Who starts IKE").
      awsStarts: t.options?.startupAction === "start",
      bgpTimers: bgpTimers(t.aws.bgp?.holdTime ?? 30),
    };
  });

  const updown = c.bgpRouting ? null : updownScript(id, c.vpcNetworks, paths.updown);
  const charonConf = charonRetransmitConf(tunnels[0]!.dpdDelay);
  // Lines of another file carried in this one as comments: `sed -n 's/^<marker> \{0,1\}//p'` gets it back.
  const embed = (marker: string, text: string) =>
    text
      .replace(/\n$/, "")
      .split("\n")
      .map((l) => (l === "" ? marker : `${marker} ${l}`));

  return {
    ...c,
    localAddress: local,
    behindNat,
    parentInterface: parent,
    tunnels,
    paths,
    updown: updown ? { ...updown, lines: embed(UPDOWN_MARKER, updown.script) } : null,
    charonConf: { ...charonConf, lines: embed(CHARON_MARKER, charonConf.text) },
    numbersLines: wrap(
      `Numbers used on this host: XFRM interfaces ${tunnels.map((t) => t.ifName).join(" and ")} with if_id ${tunnels.map((t) => t.ifId).join(" and ")}.`,
    ),
    updownMarker: UPDOWN_MARKER,
    charonMarker: CHARON_MARKER,
    bgp: c.asns ? { asn: c.asns.customer, awsAsn: c.asns.aws } : null,
  };
}

/** Comment prefixes of the files the strongSwan config carries; a `sed` in its header extracts them. */
export const UPDOWN_MARKER = "#updown|";
export const CHARON_MARKER = "#charon|";

/** A file carried in a rendered config under `marker`, as `sed -n 's/^<marker> \{0,1\}//p'` gets it back. */
export function extractEmbedded(config: string, marker: string): string {
  const lines = config.split("\n").filter((l) => l === marker || l.startsWith(`${marker} `));
  return lines.map((l) => l.slice(marker.length + 1)).join("\n") + (lines.length ? "\n" : "");
}

/** One line for what a tunnel proposes, e.g. `IKEv2 AES256-GCM-16/PRF SHA2-384/DH 20, ESP AES256-GCM-16/PFS 20`. */
export function describeSuite(s: TunnelSuite): string {
  const p2 = s.phase2.integrity ? `${s.phase2.encryption}/${s.phase2.integrity}` : s.phase2.encryption;
  const p1 = `${s.phase1.encryption}/${isGcm(s.phase1.encryption) ? "PRF " : ""}${s.phase1.integrity}`;
  return `${s.ikeVersion === "ikev1" ? "IKEv1" : "IKEv2"} ${p1}/DH ${s.phase1.dhGroup}, ESP ${p2}/PFS ${s.phase2.dhGroup}`;
}

/**
 * The updown script for static routing: strongSwan runs it on every CHILD_SA up/down with the
 * tunnel's XFRM interface and route metric as arguments, and it adds or removes the routes to the
 * VPC. An XFRM interface stays up when its SA is gone, so without this the preferred route would
 * blackhole traffic while AWS maintains that tunnel. CHILD_SA rekeying runs no up/down events, so
 * the routes stay through rekeys.
 */
function updownScript(id: string, vpc: Network[], path: string): { script: string } {
  const cidrs = vpc.map((n) => n.cidr).join(" ");
  const script = `#!/bin/sh
# vpcwire: routes to the VPC of AWS VPN ${id} follow its tunnels' CHILD SAs.
# strongSwan runs this on every CHILD_SA up/down event as
#   ${path} <xfrm interface> <route metric>
# with PLUTO_VERB set (up-client, down-client, ...).
set -u
PATH="\${PATH:-/usr/sbin:/usr/bin:/sbin:/bin}"
if [ "$#" -ne 2 ]; then
  echo "usage: $0 <xfrm interface> <route metric>" >&2
  exit 2
fi
dev="$1"
metric="$2"
cidrs="${cidrs}"

case "\${PLUTO_VERB:-}" in
  up-client|up-host)
    for cidr in $cidrs; do
      ip route replace "$cidr" dev "$dev" metric "$metric" || exit 1
    done
    ;;
  down-client|down-host)
    for cidr in $cidrs; do
      # Already gone (the interface went down with it) is fine.
      ip route del "$cidr" dev "$dev" metric "$metric" 2>/dev/null || true
    done
    ;;
esac
exit 0
`;
  return { script };
}

function charonRetransmitConf(dpdDelay: number): { text: string } {
  const r = STRONGSWAN_RETRANSMIT;
  const giveUp = retransmitGiveUpSeconds(r);
  const text = `# vpcwire: notice a dead AWS endpoint in about ${Math.round(dpdDelay + giveUp)} s, near AWS's DPD timeout of 30 s.
# IKEv2 has no dpd_timeout: a peer is dead once a DPD request (sent after ${dpdDelay} s without
# traffic) is unanswered through the whole retransmit sequence: ${r.tries} retransmits, the last
# answer awaited until ${giveUp.toFixed(1)} s after the first send (defaults: 165 s).
# This applies to every IKE SA of this charon.
charon {
  retransmit_timeout = ${r.timeout}
  retransmit_base = ${r.base}
  retransmit_tries = ${r.tries}
}
`;
  return { text };
}
