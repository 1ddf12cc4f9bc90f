import { createRequire } from "node:module";
import type { XMLParser } from "fast-xml-parser";
import { VpcwireError } from "../core/errors.js";
import { cryptoFromTunnelOption, plainCrypto, type TunnelCrypto, type TunnelOptionLike } from "../net/crypto.js";
import { intToIpv4, ipv4ToInt, isIpv4, networkAddress, parseCidr4, prefixToMask } from "../net/ip.js";

/**
 * Typed model of AWS's `CustomerGatewayConfiguration` XML (the document returned by
 * CreateVpnConnection / DescribeVpnConnections), and an offline stand-in for it.
 *
 * The XML carries both pre-shared keys, so nothing here ever puts the raw document or a key into an
 * error message; see `VpnConfigParseError`.
 */

export type VpnRouting = "static" | "bgp";

export interface BgpPeerModel {
  asn: number;
  /** Seconds; AWS sends 30. */
  holdTime: number;
}

export interface TunnelModel {
  /** 1 or 2, after ordering (see `ParseCustomerGatewayConfigurationOptions.tunnelOrder`). */
  number: 1 | 2;
  customer: {
    outsideIp: string;
    insideIp: string;
    /** The tunnel's inside network, e.g. `169.254.100.0/30`. */
    insideCidr: string;
    /** Dotted mask of the inside network, e.g. `255.255.255.252`. */
    insideMask: string;
    bgp?: BgpPeerModel;
  };
  aws: {
    outsideIp: string;
    insideIp: string;
    bgp?: BgpPeerModel;
  };
  ike: {
    /** As AWS writes it, e.g. `sha1`. */
    authenticationProtocol: string;
    /** As AWS writes it, e.g. `aes-128-cbc`. */
    encryptionProtocol: string;
    lifetime: number;
    /** Phase-1 Diffie-Hellman group number (`group2` in the XML gives 2). */
    dhGroup: number;
    mode: string;
    /** Absent for certificate-authenticated tunnels. */
    preSharedKey?: string;
  };
  ipsec: {
    protocol: string;
    /** As AWS writes it, e.g. `hmac-sha1-96`. */
    authenticationProtocol: string;
    encryptionProtocol: string;
    lifetime: number;
    /** PFS group number for phase 2. */
    dhGroup: number;
    mode: string;
    clearDfBit: boolean;
    fragmentationBeforeEncryption: boolean;
    tcpMssAdjustment: number;
    dpdInterval: number;
    dpdRetries: number;
  };
  /**
   * What AWS allows on this tunnel, from DescribeVpnConnections `Options.TunnelOptions` (see
   * `withTunnelOptions`). Absent when only the XML was read: the XML's algorithms are then the
   * tunnel's, and both IKE versions are assumed. An empty list inside means AWS's defaults, for
   * which the XML's value is used.
   */
  options?: TunnelCrypto;
}

export interface VpnConfigModel {
  vpnConnectionId: string;
  customerGatewayId: string;
  /** Absent (or empty in the XML) when the VPN terminates on a transit gateway. */
  vpnGatewayId?: string;
  routing: VpnRouting;
  tunnels: [TunnelModel, TunnelModel];
  /** Set only by `placeholderVpnConfig`: values written `<...>` are not real yet. */
  placeholder?: true;
  /** Oddities in the XML worth telling the user (what emulators return, for example). */
  warnings?: string[];
}

export interface ParseCustomerGatewayConfigurationOptions {
  /**
   * AWS outside IPs in tunnel-1, tunnel-2 order, as the caller knows them from
   * `Options.TunnelOptions[].OutsideIpAddress`. AWS does not promise that the XML lists the tunnels
   * in that order, so tunnels are matched by outside IP.
   * @default tunnels ordered by AWS outside IP, numerically
   */
  tunnelOrder?: string[];
}

/**
 * The XML could not be turned into a usable model. Exit code 1: the document comes from AWS, not
 * from the user. Messages name the element that is wrong and never contain a pre-shared key or the
 * raw XML.
 */
export class VpnConfigParseError extends VpcwireError {
  constructor(message: string) {
    super(message, 1);
  }
}

// AWS's documented PSK alphabet; the "must not start with 0" rule is AWS's to enforce, not ours.
// Anything else could break out of a `pre-shared-key ... key <psk>` line in a router config.
const PSK_RE = /^[A-Za-z0-9._]{8,64}$/;
// Protocol names ("aes-128-cbc", "hmac-sha1-96", "main", "esp") are copied into configs only after
// mapping, but keep them to a harmless alphabet anyway.
const TOKEN_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAX_ASN = 4_294_967_295;

// fast-xml-parser is loaded on the first parse, not at import: `--help` and offline plans import
// this module's types and placeholder model but never parse XML (startup goal, issue 9). Its CommonJS
// build keeps the parse synchronous.
const requireCjs = createRequire(import.meta.url);
let loaded: { parser: XMLParser; validate: typeof import("fast-xml-parser").XMLValidator.validate } | undefined;

function xmlLibrary(): NonNullable<typeof loaded> {
  if (!loaded) {
    const fxp = requireCjs("fast-xml-parser") as typeof import("fast-xml-parser");
    const parser = new fxp.XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: "@_",
      // Addresses like 169.254.100.2 and keys like 0123... must stay strings; numbers are converted
      // explicitly below, field by field.
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: true,
      isArray: (name) => name === "ipsec_tunnel",
    });
    loaded = { parser, validate: (xml, options) => fxp.XMLValidator.validate(xml, options) };
  }
  return loaded;
}

/**
 * Parse AWS's `CustomerGatewayConfiguration` XML into a typed model with exactly two tunnels.
 *
 * Routing is `static` when `vpn_connection_attributes` is `NoBGPVPNConnection` or no tunnel has a
 * `<bgp>` block; otherwise every tunnel must have both `<bgp>` blocks.
 *
 * @throws VpnConfigParseError naming the missing or invalid element.
 */
export function parseCustomerGatewayConfiguration(xml: string, opts: ParseCustomerGatewayConfigurationOptions = {}): VpnConfigModel {
  const secrets = collectSecrets(xml);
  // A safety net: even if a key turned up somewhere unexpected (a corrupted document), it never
  // reaches an error message.
  const fail: Fail = (message) => {
    let safe = message;
    for (const secret of secrets) safe = safe.split(secret).join("<redacted>");
    throw new VpnConfigParseError(`CustomerGatewayConfiguration: ${safe}`);
  };

  if (xml.trim() === "") fail("the document is empty");
  const { parser, validate } = xmlLibrary();
  const validation = validate(xml);
  if (validation !== true) {
    // The validator's own message can quote document text, so only its code and position are kept.
    const { code, line, col } = validation.err;
    fail(`not well-formed XML (${code} at line ${line}${col === undefined ? "" : `, column ${col}`})`);
  }

  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch {
    // Same reason as above: the parser's message is not safe to pass on.
    fail("not well-formed XML");
  }

  const root = new Reader(field(doc, "vpn_connection", "document", fail), "<vpn_connection>", fail);
  if (!isObject(root.node)) fail("no <vpn_connection> root element");

  const vpnConnectionId = root.text("@_id", "the id attribute");
  if (!/^vpn-[0-9a-zA-Z]+$/.test(vpnConnectionId)) fail(`<vpn_connection> id "${vpnConnectionId}" is not a VPN connection id`);
  const customerGatewayId = root.text("customer_gateway_id");
  if (!/^cgw-[0-9a-zA-Z]+$/.test(customerGatewayId)) fail(`customer_gateway_id "${customerGatewayId}" is not a customer gateway id`);
  // A connection on a Transit Gateway has no virtual private gateway: the element is empty or absent.
  const vpnGatewayId = root.optText("vpn_gateway_id") || undefined;
  if (vpnGatewayId !== undefined && !/^vgw-[0-9a-zA-Z]+$/.test(vpnGatewayId)) {
    fail(`vpn_gateway_id "${vpnGatewayId}" is not a virtual private gateway id`);
  }

  const tunnelNodes = (root.node as Record<string, unknown>).ipsec_tunnel;
  const count = Array.isArray(tunnelNodes) ? tunnelNodes.length : 0;
  if (count !== 2) fail(`expected 2 <ipsec_tunnel> elements, found ${count}`);

  const parsed = (tunnelNodes as unknown[]).map((node, i) => readTunnel(new Reader(node, `<ipsec_tunnel> #${i + 1}`, fail)));
  const [first, second] = parsed as [ParsedTunnel, ParsedTunnel];
  const warnings: string[] = [];
  // AWS always gives the two tunnels different endpoints. Emulators (moto, LocalStack) return one
  // canned tunnel twice: render it as given, in document order, and say so rather than fail after
  // everything was created.
  const sameEndpoint = first.aws.outsideIp === second.aws.outsideIp;
  if (sameEndpoint) {
    warnings.push(
      `both tunnels in the VPN connection's configuration have the AWS outside IP ${first.aws.outsideIp}; ` +
        "AWS always gives two different endpoints, so this is probably an emulator's canned answer",
    );
  }

  const noBgp = root.optText("vpn_connection_attributes") === "NoBGPVPNConnection";
  const withBgp = parsed.filter((t) => t.customer.bgp || t.aws.bgp);
  let routing: VpnRouting = "static";
  if (!noBgp && withBgp.length > 0) {
    routing = "bgp";
    parsed.forEach((t, i) => {
      if (!t.customer.bgp) fail(`routing is BGP but <ipsec_tunnel> #${i + 1} has no customer_gateway/bgp`);
      if (!t.aws.bgp) fail(`routing is BGP but <ipsec_tunnel> #${i + 1} has no vpn_gateway/bgp`);
    });
  }

  const ordered: [ParsedTunnel, ParsedTunnel] = sameEndpoint ? [first, second] : orderTunnels(first, second, opts.tunnelOrder, fail);
  const model: VpnConfigModel = {
    vpnConnectionId,
    customerGatewayId,
    routing,
    tunnels: [
      { number: 1, ...ordered[0] },
      { number: 2, ...ordered[1] },
    ],
  };
  if (vpnGatewayId !== undefined) model.vpnGatewayId = vpnGatewayId;
  if (warnings.length) model.warnings = warnings;
  return model;
}

export interface PlaceholderVpnConfigOptions {
  /** @default "<VPN-CONNECTION-ID>" */
  vpnConnectionId?: string;
  /** Pre-shared keys the user chose (`--tunnel1-psk`, `--psk-file`): known before anything exists. @default placeholders */
  preSharedKeys?: readonly [string | undefined, string | undefined];
  routing: VpnRouting;
  /** The customer gateway's public IP: known before anything exists in AWS. */
  customerOutsideIp: string;
  /** Required when `routing` is `bgp`. */
  customerAsn?: number;
  /** Required when `routing` is `bgp`. */
  amazonAsn?: number;
  /**
   * The /30 requested for tunnel 1 (TunnelOptions[0].TunnelInsideCidr).
   * @default placeholders, because AWS picks the range
   */
  tunnel1InsideCidr?: string;
  /** @default placeholders, because AWS picks the range */
  tunnel2InsideCidr?: string;
}

/**
 * The model the offline preview renders before a VPN connection exists: what the user already
 * knows is filled in, what only AWS can tell (outside IPs, keys, unrequested inside ranges) is an
 * obvious `<PLACEHOLDER>`, and IKE/IPsec settings are AWS's defaults.
 */
export function placeholderVpnConfig(opts: PlaceholderVpnConfigOptions): VpnConfigModel {
  if (!isIpv4(opts.customerOutsideIp)) throw new Error(`customer outside IP "${opts.customerOutsideIp}" is not an IPv4 address`);
  let bgp: { customer: BgpPeerModel; aws: BgpPeerModel } | undefined;
  if (opts.routing === "bgp") {
    if (!isAsn(opts.customerAsn) || !isAsn(opts.amazonAsn)) {
      throw new Error("a BGP preview needs both the customer and the Amazon-side ASN");
    }
    bgp = { customer: { asn: opts.customerAsn, holdTime: 30 }, aws: { asn: opts.amazonAsn, holdTime: 30 } };
  }

  const tunnel = (n: 1 | 2, insideCidr: string | undefined): TunnelModel => {
    const inside = insideCidr === undefined ? placeholderInside(n) : insideFromCidr(insideCidr, n);
    const t: TunnelModel = {
      number: n,
      customer: {
        outsideIp: opts.customerOutsideIp,
        insideIp: inside.customerIp,
        insideCidr: inside.cidr,
        insideMask: "255.255.255.252",
      },
      aws: { outsideIp: `<AWS-TUNNEL${n}-OUTSIDE-IP>`, insideIp: inside.awsIp },
      // AWS's defaults as the XML reports them (aws-facts 3.1, 2.8).
      ike: {
        authenticationProtocol: "sha1",
        encryptionProtocol: "aes-128-cbc",
        lifetime: 28800,
        dhGroup: 2,
        mode: "main",
        preSharedKey: opts.preSharedKeys?.[n - 1] ?? `<TUNNEL${n}-PSK>`,
      },
      ipsec: {
        protocol: "esp",
        authenticationProtocol: "hmac-sha1-96",
        encryptionProtocol: "aes-128-cbc",
        lifetime: 3600,
        dhGroup: 2,
        mode: "tunnel",
        clearDfBit: true,
        fragmentationBeforeEncryption: true,
        tcpMssAdjustment: 1379,
        dpdInterval: 10,
        dpdRetries: 3,
      },
    };
    if (bgp) {
      t.customer.bgp = { ...bgp.customer };
      t.aws.bgp = { ...bgp.aws };
    }
    return t;
  };

  return {
    vpnConnectionId: opts.vpnConnectionId ?? "<VPN-CONNECTION-ID>",
    customerGatewayId: "<CUSTOMER-GATEWAY-ID>",
    routing: opts.routing,
    tunnels: [tunnel(1, opts.tunnel1InsideCidr), tunnel(2, opts.tunnel2InsideCidr)],
    placeholder: true,
  };
}

/**
 * The model with each tunnel's settings taken from the connection's tunnel options
 * (DescribeVpnConnections `Options.TunnelOptions[]`, plain objects with the SDK's field names):
 * IKE versions, phase 1/2 algorithm and DH lists, lifetimes, DPD timeout and action, startup action.
 * The XML stays the source of keys and addresses, and of algorithms only where an options list is
 * empty (AWS's defaults): AWS's XML names the same baseline suite whatever the options say.
 *
 * Tunnels are matched by AWS outside IP. A placeholder model (no outside IPs yet) takes the options
 * in order, so an offline preview can render the crypto a run is about to ask for:
 * `withTunnelOptions(placeholderVpnConfig(...), tunnelOptionsSpecs(crypto, ...))`. When the IPs do
 * not match (emulators answer with canned XML), the options are taken in order too, with a warning.
 */
export function withTunnelOptions(model: VpnConfigModel, tunnelOptions: readonly TunnelOptionLike[] | undefined): VpnConfigModel {
  const options = tunnelOptions ?? [];
  const warnings = [...(model.warnings ?? [])];
  if (options.length === 0) {
    if (!model.placeholder) warnings.push("the VPN connection lists no tunnel options; the router config follows the tunnel configuration XML's algorithms");
    return warnings.length ? { ...model, warnings } : model;
  }
  const [t1, t2] = model.tunnels;
  const byIp = (ip: string) => options.filter((o) => o.OutsideIpAddress === ip);
  let matched: [TunnelOptionLike | undefined, TunnelOptionLike | undefined];
  const m1 = byIp(t1.aws.outsideIp);
  const m2 = byIp(t2.aws.outsideIp);
  if (!model.placeholder && t1.aws.outsideIp !== t2.aws.outsideIp && m1.length === 1 && m2.length === 1) {
    matched = [m1[0], m2[0]];
  } else {
    matched = [options[0], options[1]];
    if (!model.placeholder && t1.aws.outsideIp !== t2.aws.outsideIp) {
      warnings.push(
        `the tunnel options' outside IPs (${options.map((o) => o.OutsideIpAddress ?? "none").join(", ")}) do not match the tunnel configuration's ` +
          `(${t1.aws.outsideIp}, ${t2.aws.outsideIp}); taking the options in order`,
      );
    }
  }

  const tunnels = model.tunnels.map((t, i) => {
    const option = matched[i];
    if (!option) {
      warnings.push(`tunnel ${t.number} has no tunnel options; its algorithms follow the tunnel configuration XML`);
      return t;
    }
    const { unknown, ...crypto } = cryptoFromTunnelOption(option);
    if (unknown.length) warnings.push(`tunnel ${t.number}: ignoring tunnel option values AWS does not document: ${unknown.join(", ")}`);
    const copy: TunnelModel = structuredClone(t);
    // A list naming every value AWS allows is AWS's default, however AWS spells it: the router then
    // proposes the XML's classic suite (what `--crypto compatible` is for), as the preview did.
    copy.options = plainCrypto(crypto);
    if (crypto.phase1LifetimeSeconds !== undefined) copy.ike.lifetime = crypto.phase1LifetimeSeconds;
    if (crypto.phase2LifetimeSeconds !== undefined) copy.ipsec.lifetime = crypto.phase2LifetimeSeconds;
    return copy;
  }) as VpnConfigModel["tunnels"];

  const merged: VpnConfigModel = { ...model, tunnels };
  if (warnings.length) merged.warnings = warnings;
  else delete merged.warnings;
  return merged;
}

// ---------------------------------------------------------------------------------------------

type Fail = (message: string) => never;
type ParsedTunnel = Omit<TunnelModel, "number">;

function readTunnel(r: Reader): ParsedTunnel {
  const awsOutsideIp = r.ip("vpn_gateway/tunnel_outside_address/ip_address");
  // From here on, name the tunnel by its AWS endpoint too: document order means little to a user.
  r.label = `${r.label} (AWS outside IP ${awsOutsideIp})`;

  const customerInside = r.inside("customer_gateway/tunnel_inside_address");
  const awsInside = r.inside("vpn_gateway/tunnel_inside_address");
  if (customerInside.cidr !== awsInside.cidr) {
    r.error(`customer inside ${customerInside.ip} and AWS inside ${awsInside.ip} are not in the same network`);
  }

  const tunnel: ParsedTunnel = {
    customer: {
      outsideIp: r.ip("customer_gateway/tunnel_outside_address/ip_address"),
      insideIp: customerInside.ip,
      insideCidr: customerInside.cidr,
      insideMask: customerInside.mask,
    },
    aws: { outsideIp: awsOutsideIp, insideIp: awsInside.ip },
    ike: {
      authenticationProtocol: r.token("ike/authentication_protocol"),
      encryptionProtocol: r.token("ike/encryption_protocol"),
      lifetime: r.int("ike/lifetime", 1, 86_400),
      dhGroup: r.dhGroup("ike/perfect_forward_secrecy"),
      mode: r.token("ike/mode"),
    },
    ipsec: {
      protocol: r.token("ipsec/protocol"),
      authenticationProtocol: r.token("ipsec/authentication_protocol"),
      encryptionProtocol: r.token("ipsec/encryption_protocol"),
      lifetime: r.int("ipsec/lifetime", 1, 86_400),
      dhGroup: r.dhGroup("ipsec/perfect_forward_secrecy"),
      mode: r.token("ipsec/mode"),
      clearDfBit: r.bool("ipsec/clear_df_bit"),
      fragmentationBeforeEncryption: r.bool("ipsec/fragmentation_before_encryption"),
      tcpMssAdjustment: r.int("ipsec/tcp_mss_adjustment", 500, 9_000),
      dpdInterval: r.int("ipsec/dead_peer_detection/interval", 1, 3_600),
      dpdRetries: r.int("ipsec/dead_peer_detection/retries", 1, 100),
    },
  };

  const psk = r.optText("ike/pre_shared_key");
  if (psk !== undefined) {
    // Deliberately no value in the message.
    if (!PSK_RE.test(psk)) r.error("ike/pre_shared_key is not 8-64 characters from [A-Za-z0-9._]");
    tunnel.ike.preSharedKey = psk;
  }
  const customerBgp = r.bgp("customer_gateway/bgp");
  if (customerBgp) tunnel.customer.bgp = customerBgp;
  const awsBgp = r.bgp("vpn_gateway/bgp");
  if (awsBgp) tunnel.aws.bgp = awsBgp;
  return tunnel;
}

function orderTunnels(a: ParsedTunnel, b: ParsedTunnel, order: string[] | undefined, fail: Fail): [ParsedTunnel, ParsedTunnel] {
  if (order === undefined) {
    // Without the caller's TunnelOptions, the only stable order is numeric (what older Terraform
    // providers did too); string order would put 203.0.113.100 before 203.0.113.21.
    return ipv4ToInt(a.aws.outsideIp) <= ipv4ToInt(b.aws.outsideIp) ? [a, b] : [b, a];
  }
  const inXml = `${a.aws.outsideIp} and ${b.aws.outsideIp}`;
  if (order.length !== 2 || order[0] === order[1]) {
    fail(`tunnelOrder must list the 2 AWS outside IPs (the XML has ${inXml}), got ${order.length === 2 ? "a duplicate" : order.length}`);
  }
  const [ip1, ip2] = order as [string, string];
  if (ip1 === a.aws.outsideIp && ip2 === b.aws.outsideIp) return [a, b];
  if (ip1 === b.aws.outsideIp && ip2 === a.aws.outsideIp) return [b, a];
  return fail(`tunnelOrder (${ip1}, ${ip2}) does not match the AWS outside IPs in the XML (${inXml})`);
}

/** Path-based access to one parsed element, with errors that say which element is wrong. */
class Reader {
  constructor(
    readonly node: unknown,
    public label: string,
    private readonly fail: Fail,
  ) {}

  /** Fail with this element's label in front. */
  error(message: string): never {
    return this.fail(`${this.label}: ${message}`);
  }

  /** The trimmed text at `path`, or undefined when the element is absent or empty. */
  optText(path: string): string | undefined {
    let current: unknown = this.node;
    for (const name of path.split("/")) {
      current = field(current, name, path, (m) => this.error(m));
      if (current === undefined) return undefined;
    }
    if (isObject(current)) {
      // A leaf that carries attributes parses as { "#text": ..., "@_x": ... }.
      const text = current["#text"];
      if (text === undefined && Object.keys(current).some((k) => !k.startsWith("@_"))) {
        this.error(`${path} should hold a value, not child elements`);
      }
      current = text ?? "";
    }
    const text = String(current).trim();
    return text === "" ? undefined : text;
  }

  text(path: string, what = path): string {
    return this.optText(path) ?? this.error(`missing ${what}`);
  }

  ip(path: string): string {
    const value = this.text(path);
    if (!isIpv4(value)) this.error(`${path} "${value}" is not an IPv4 address`);
    return value;
  }

  token(path: string): string {
    const value = this.text(path);
    if (!TOKEN_RE.test(value)) this.error(`${path} "${value.slice(0, 64)}" is not a protocol name`);
    return value;
  }

  int(path: string, min: number, max: number): number {
    const value = this.text(path);
    const n = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
    if (!(n >= min && n <= max)) this.error(`${path} "${value.slice(0, 32)}" is not a whole number from ${min} to ${max}`);
    return n;
  }

  bool(path: string): boolean {
    const value = this.text(path).toLowerCase();
    if (value !== "true" && value !== "false") this.error(`${path} "${value.slice(0, 32)}" is not true or false`);
    return value === "true";
  }

  dhGroup(path: string): number {
    const value = this.text(path);
    const m = /^group(\d{1,2})$/i.exec(value);
    if (!m) this.error(`${path} "${value.slice(0, 32)}" is not a Diffie-Hellman group like group2`);
    return Number(m![1]);
  }

  inside(path: string): { ip: string; cidr: string; mask: string } {
    const ip = this.ip(`${path}/ip_address`);
    let prefix: number;
    if (this.optText(`${path}/network_cidr`) !== undefined) {
      prefix = this.int(`${path}/network_cidr`, 1, 32);
    } else {
      const mask = this.ip(`${path}/network_mask`);
      prefix = maskToPrefix(mask) ?? this.error(`${path}/network_mask "${mask}" is not a netmask`);
    }
    return { ip, cidr: `${networkAddress(ip, prefix)}/${prefix}`, mask: prefixToMask(prefix) };
  }

  bgp(path: string): BgpPeerModel | undefined {
    let current: unknown = this.node;
    for (const name of path.split("/")) current = field(current, name, path, (m) => this.error(m));
    if (current === undefined || current === "") return undefined;
    return { asn: this.int(`${path}/asn`, 1, MAX_ASN), holdTime: this.int(`${path}/hold_time`, 0, 65_535) };
  }
}

/** One child of a parsed element; a repeated element is an error rather than a silent first pick. */
function field(node: unknown, name: string, where: string, fail: Fail): unknown {
  if (!isObject(node)) return undefined;
  const value = node[name];
  if (Array.isArray(value)) fail(`${where}: <${name}> appears more than once`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The pre-shared keys as they appear in the text, found without trusting the document's structure. */
function collectSecrets(xml: string): string[] {
  return [...xml.matchAll(/<pre_shared_key\s*>([^<]*)<\/pre_shared_key\s*>/g)].map((m) => m[1]!.trim()).filter((s) => s.length > 0);
}

function maskToPrefix(mask: string): number | undefined {
  for (let prefix = 0; prefix <= 32; prefix++) if (prefixToMask(prefix) === mask) return prefix;
  return undefined;
}

function isAsn(value: number | undefined): value is number {
  return value !== undefined && Number.isInteger(value) && value >= 1 && value <= MAX_ASN;
}

function placeholderInside(n: 1 | 2): { cidr: string; awsIp: string; customerIp: string } {
  return {
    cidr: `<TUNNEL${n}-INSIDE-CIDR>`,
    awsIp: `<TUNNEL${n}-AWS-INSIDE-IP>`,
    customerIp: `<TUNNEL${n}-CUSTOMER-INSIDE-IP>`,
  };
}

function insideFromCidr(text: string, n: 1 | 2): { cidr: string; awsIp: string; customerIp: string } {
  const cidr = parseCidr4(text);
  if (typeof cidr === "string") throw new Error(`tunnel ${n} inside CIDR: ${cidr}`);
  if (cidr.prefix !== 30) throw new Error(`tunnel ${n} inside CIDR "${text}" is not a /30`);
  // AWS takes the first host of the /30 and leaves the second to the customer gateway (aws-facts 2.2).
  const base = ipv4ToInt(cidr.network);
  return { cidr: cidr.text, awsIp: intToIpv4(base + 1), customerIp: intToIpv4(base + 2) };
}
