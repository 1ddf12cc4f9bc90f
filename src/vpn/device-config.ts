import { UsageError, VpcwireError } from "../core/errors.js";
import { isIpv4, parseCidr4, prefixToMask } from "../net/ip.js";
import { isPsk, PSK_RULE } from "../net/vpn-rules.js";
import { render } from "../render/render.js";
import type { TunnelModel, VpnConfigModel } from "../render/vpn-xml.js";

/**
 * Router configuration for the customer side of an AWS Site-to-Site VPN.
 *
 * The split: this file turns AWS's vocabulary (`aes-128-cbc`, `hmac-sha1-96`, `group2`, CIDRs)
 * into each device's vocabulary and validates every value that reaches the text; the templates in
 * `templates/vpn/` only lay the prepared values out.
 */

export type DeviceType = "csr1000v" | "strongswan";
export type IkeVersion = "ikev1" | "ikev2";

export interface DeviceConfigInput {
  device: DeviceType;
  /** From `parseCustomerGatewayConfiguration` or, for the offline preview, `placeholderVpnConfig`. */
  config: VpnConfigModel;
  /** VPC CIDRs: static routes into the tunnels (static routing), or what BGP should learn. */
  vpcCidrs: string[];
  /** On-premises CIDRs: advertised over BGP (BGP routing), or listed as AWS-side static routes. */
  onpremCidrs: string[];
  /** @default "ikev1" (what AWS's generic sample uses and every CGW speaks) */
  ikeVersion?: IkeVersion;
  /**
   * The router's Internet-facing interface: `tunnel source` and IKE local address on the CSR, the
   * parent device of the XFRM interfaces on Linux.
   * @default "GigabitEthernet1" for csr1000v, "eth0" for strongswan
   */
  outsideInterface?: string;
  /**
   * strongSwan only: the address IKE is sent from. Differs from the customer gateway IP when the
   * host sits behind NAT (an EC2 instance behind an Elastic IP uses its private IP here).
   * @default the customer gateway outside IP from the config
   */
  localAddress?: string;
  /**
   * A placeholder preview (`--dry-run`) made without reading AWS (`--offline`): the banner says so.
   * Ignored for real configurations.
   */
  offline?: boolean;
}

/**
 * The AWS configuration asks for something the device (or this generator) cannot express, for
 * example AES-GCM with IKEv1 on IOS-XE, or a certificate-authenticated tunnel.
 */
export class DeviceConfigError extends VpcwireError {
  constructor(message: string) {
    super(message, 1);
  }
}

/** Render the full configuration for both tunnels. The result contains the pre-shared keys. */
export function renderDeviceConfig(input: DeviceConfigInput): string {
  const common = prepareCommon(input);
  return input.device === "csr1000v" ? render("vpn/csr1000v.hbs", csr1000vView(input, common)) : render("vpn/strongswan.hbs", strongswanView(input, common));
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
  ikev1: boolean;
  ikev2: boolean;
  ikeLabel: string;
  vpcNetworks: Network[];
  onpremNetworks: Network[];
  tunnels: [TunnelModel, TunnelModel];
  /** Customer and Amazon ASNs when routing is BGP. */
  asns: { customer: number; aws: number } | null;
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

  const ikeVersion = input.ikeVersion ?? "ikev1";
  return {
    placeholder,
    offline: placeholder && input.offline === true,
    vpnConnectionId: config.vpnConnectionId,
    customerGatewayId: config.customerGatewayId,
    vpnGatewayId: config.vpnGatewayId ?? null,
    customerOutsideIp: t1.customer.outsideIp,
    bgpRouting: config.routing === "bgp",
    ikev1: ikeVersion === "ikev1",
    ikev2: ikeVersion === "ikev2",
    ikeLabel: ikeVersion === "ikev1" ? "IKEv1" : "IKEv2",
    vpcNetworks,
    onpremNetworks,
    tunnels: config.tunnels,
    asns,
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

/** BGP keepalive a third of the hold time, the usual ratio (and AWS's `10 30`). */
function bgpTimers(holdTime: number): { keepalive: number; holdTime: number } {
  return { keepalive: Math.max(1, Math.floor(holdTime / 3)), holdTime };
}

// ---------------------------------------------------------------------------------------------
// Algorithm names: AWS writes them one way in the XML (aes-128-cbc, hmac-sha1-96, group2) and as
// TunnelOptions values another (AES128, SHA2-256); accept both and map to each device's keywords.

interface Cipher {
  bits: 128 | 256;
  gcm: boolean;
}

function cipher(text: string, where: string): Cipher {
  const m = /^aes-?(128|256)(?:-?(cbc|gcm(?:-?16)?))?$/i.exec(text);
  if (!m) throw new DeviceConfigError(`${where}: unsupported encryption "${text}" (expected AES-128/256, CBC or GCM)`);
  return { bits: Number(m[1]) as 128 | 256, gcm: (m[2] ?? "cbc").toLowerCase().startsWith("gcm") };
}

type Hash = 1 | 256 | 384 | 512;

function hash(text: string, where: string): Hash {
  // sha1, SHA1, hmac-sha1-96, sha2-256, SHA2-256, sha256, hmac-sha2-256-128, ...
  const m = /^(?:hmac-)?sha(?:-?2)?-?(1|256|384|512)(?:-\d+)?$/i.exec(text);
  if (!m) throw new DeviceConfigError(`${where}: unsupported integrity algorithm "${text}" (expected SHA1 or SHA2-256/384/512)`);
  return Number(m[1]) as Hash;
}

// ---------------------------------------------------------------------------------------------
// Cisco CSR1000V / IOS-XE

const IOS_HASH: Record<Hash, string> = { 1: "sha", 256: "sha256", 384: "sha384", 512: "sha512" };
const IOS_IKEV2_HASH: Record<Hash, string> = { 1: "sha1", 256: "sha256", 384: "sha384", 512: "sha512" };

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

  const tunnels = c.tunnels.map((t) => {
    const where = `tunnel ${t.number}`;
    const ike = cipher(t.ike.encryptionProtocol, `${where} IKE`);
    const ikeHash = hash(t.ike.authenticationProtocol, `${where} IKE`);
    const esp = cipher(t.ipsec.encryptionProtocol, `${where} IPsec`);
    const espHash = hash(t.ipsec.authenticationProtocol, `${where} IPsec`);
    if (c.ikev1 && ike.gcm) {
      throw new DeviceConfigError(`${where}: IOS-XE IKEv1 policies have no AES-GCM; render with IKEv2 or allow AES-CBC for phase 1`);
    }
    // AWS names per-tunnel objects <kind>-<vpn id>-0 / -1 in its samples; keep that so users can
    // compare with a downloaded sample.
    const suffix = `${id}-${t.number - 1}`;
    return {
      number: t.number,
      awsOutsideIp: t.aws.outsideIp,
      awsInsideIp: t.aws.insideIp,
      customerInsideIp: t.customer.insideIp,
      insideCidr: t.customer.insideCidr,
      insideMask: t.customer.insideMask,
      psk: t.ike.preSharedKey!,
      isakmpPolicy: 199 + t.number,
      keyring: `keyring-${suffix}`,
      isakmpProfile: `isakmp-${suffix}`,
      ikev2Keyring: `ikev2-keyring-${suffix}`,
      ikev2Profile: `ikev2-profile-${suffix}`,
      ikeEncryption: `aes ${ike.bits}`,
      ikeHash: IOS_HASH[ikeHash],
      ikeDhGroup: t.ike.dhGroup,
      ikeLifetime: t.ike.lifetime,
      ikev2Proposal: {
        encryption: `aes-${ike.gcm ? "gcm" : "cbc"}-${ike.bits}`,
        // AEAD proposals carry no integrity algorithm; IOS-XE then wants the PRF spelled out.
        hashLine: `${ike.gcm ? "prf" : "integrity"} ${IOS_IKEV2_HASH[ikeHash]}`,
        group: t.ike.dhGroup,
      },
      dpdInterval: t.ipsec.dpdInterval,
      transformSet: `ipsec-prop-${suffix}`,
      transformSetAlgorithms: esp.gcm ? `esp-gcm ${esp.bits}` : `esp-aes ${esp.bits} esp-${IOS_HASH[espHash]}-hmac`,
      ipsecProfile: `ipsec-${suffix}`,
      pfsGroup: `group${t.ipsec.dhGroup}`,
      ipsecLifetime: t.ipsec.lifetime,
      mss: t.ipsec.tcpMssAdjustment,
      // Tunnel 1 is preferred; both stay above the default static distance of 1 so an operator's
      // own static route still wins without deleting these lines.
      distance: t.number === 1 ? 10 : 20,
      slaId: t.number,
      bgpTimers: bgpTimers(t.aws.bgp?.holdTime ?? 30),
    };
  });

  // One IKEv2 policy for the box that offers every distinct proposal: with two policies that both
  // match any local address, IOS-XE would only ever use one of them.
  const proposals: { name: string; encryption: string; hashLine: string; group: number }[] = [];
  const withProposals = tunnels.map((t) => {
    const p = t.ikev2Proposal;
    let proposal = proposals.find((q) => q.encryption === p.encryption && q.hashLine === p.hashLine && q.group === p.group);
    if (!proposal) {
      proposal = { name: `ikev2-prop-${id}-${t.number - 1}`, ...p };
      proposals.push(proposal);
    }
    return { ...t, ikev2ProposalName: proposal.name };
  });

  return {
    ...c,
    outsideInterface: outsideInterface(input, "GigabitEthernet1"),
    dfBitClear: t1.ipsec.clearDfBit,
    fragmentation: t1.ipsec.fragmentationBeforeEncryption ? "before-encryption" : "after-encryption",
    dpdInterval: t1.ipsec.dpdInterval,
    ikev2Proposals: proposals,
    ikev2Policy: `ikev2-policy-${id}`,
    tunnels: withProposals,
    bgp: c.asns ? { asn: c.asns.customer, awsAsn: c.asns.aws } : null,
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

function swanDh(group: number, where: string): string {
  return SWAN_DH[group] ?? fail(`${where}: Diffie-Hellman group ${group} has no strongSwan keyword here`);
}

function strongswanView(input: DeviceConfigInput, c: Common) {
  const localAddress = input.localAddress ?? c.customerOutsideIp;
  if (!isIpv4(localAddress)) throw new UsageError(`local address "${localAddress.slice(0, 64)}" is not an IPv4 address`);
  const parent = outsideInterface(input, "eth0");

  const tunnels = c.tunnels.map((t) => {
    const where = `tunnel ${t.number}`;
    const ike = cipher(t.ike.encryptionProtocol, `${where} IKE`);
    const ikeHash = `sha${hash(t.ike.authenticationProtocol, `${where} IKE`)}`;
    const esp = cipher(t.ipsec.encryptionProtocol, `${where} IPsec`);
    const espHash = `sha${hash(t.ipsec.authenticationProtocol, `${where} IPsec`)}`;
    const enc = (x: Cipher) => `aes${x.bits}${x.gcm ? "gcm16" : ""}`;
    // Rekey at 90% of AWS's lifetime (minus strongSwan's random jitter of up to 10% more), and
    // never keep an SA past the lifetime AWS enforces on its side.
    const ikeRekey = Math.floor(t.ike.lifetime * 0.9);
    const childRekey = Math.floor(t.ipsec.lifetime * 0.9);
    const name = `${c.vpnConnectionId}-tunnel${t.number}`;
    return {
      number: t.number,
      name,
      awsOutsideIp: t.aws.outsideIp,
      awsInsideIp: t.aws.insideIp,
      customerInsideIp: t.customer.insideIp,
      customerInsidePrefix: `${t.customer.insideIp}/${t.customer.insideCidr.split("/")[1] ?? "30"}`,
      psk: t.ike.preSharedKey!,
      // IKE needs a PRF; with AES-GCM there is no integrity algorithm to derive it from.
      ikeProposal: `${enc(ike)}-${ike.gcm ? "prf" : ""}${ikeHash}-${swanDh(t.ike.dhGroup, `${where} IKE`)}`,
      espProposal: `${enc(esp)}${esp.gcm ? "" : `-${espHash}`}-${swanDh(t.ipsec.dhGroup, `${where} IPsec`)}`,
      ikeLifetime: t.ike.lifetime,
      ikeRekey,
      ikeOver: t.ike.lifetime - ikeRekey,
      childRekey,
      childLife: t.ipsec.lifetime,
      dpdDelay: t.ipsec.dpdInterval,
      // IKEv1 only: strongSwan waits this long for R_U_THERE_ACKs; AWS suggests interval x retries.
      dpdTimeout: t.ipsec.dpdInterval * t.ipsec.dpdRetries,
      ifId: t.number,
      ifName: `aws-tun${t.number}`,
      // Interface MTU matching the MSS AWS gives (MSS + 20 bytes IPv4 + 20 bytes TCP), so the host's
      // own TCP and the clamp for forwarded TCP agree.
      mtu: t.ipsec.tcpMssAdjustment + 40,
      mss: t.ipsec.tcpMssAdjustment,
      metric: t.number === 1 ? 100 : 200,
      bgpTimers: bgpTimers(t.aws.bgp?.holdTime ?? 30),
    };
  });

  return {
    ...c,
    ikeVersionNumber: c.ikev1 ? 1 : 2,
    localAddress,
    behindNat: localAddress !== c.customerOutsideIp,
    parentInterface: parent,
    tunnels,
    bgp: c.asns ? { asn: c.asns.customer, awsAsn: c.asns.aws } : null,
  };
}
