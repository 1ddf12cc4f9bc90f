/**
 * The router config for a VPN connection that exists: the one function behind `vpn create`'s last
 * step and `vpn config`. Keys and addresses come from the connection's tunnel configuration XML; the
 * crypto from its tunnel options; the routing from the connection. The text is either vpcwire's own
 * renderer or AWS's sample for one of its device types, behind a short vpcwire header.
 */
import type { VpnConnection } from "@aws-sdk/client-ec2";
import type { Context } from "../core/context.js";
import { VpcwireError } from "../core/errors.js";
import {
  describeCrypto,
  ENCRYPTION_ALGORITHMS,
  type EncryptionAlgorithm,
  type IkeVersion,
  INTEGRITY_ALGORITHMS,
  type IntegrityAlgorithm,
  PHASE1_DH_GROUPS,
  PHASE2_DH_GROUPS,
  type TunnelCrypto,
  withDefaults,
} from "../net/crypto.js";
import { parseCustomerGatewayConfiguration, type VpnConfigModel, type VpnRouting, withTunnelOptions } from "../render/vpn-xml.js";
import { type AwsDeviceType, deviceArg, deviceLabel, fetchDeviceSample, type ResolvedDevice, type SampleType } from "./device.js";
import { renderDevice } from "./device-config.js";
import { readPresharedKeys } from "./psk-secret.js";

export interface ConnectionConfigRequest {
  connection: VpnConnection;
  device: ResolvedDevice;
  /** @default the connection's (`Options.StaticRoutesOnly`), else what the XML says */
  routing?: VpnRouting;
  /** Filled into BGP peers when the XML lacks them (emulators). */
  customerAsn?: number;
  amazonAsn?: number;
  /** VPC CIDRs: routed into the tunnels (static) or expected over BGP. */
  vpcCidrs: string[];
  /** On-prem CIDRs: announced over BGP by vpcwire's renderers. */
  onpremCidrs: string[];
  /** The IKE version to prefer where a tunnel allows both. */
  ikeVersion?: IkeVersion;
  outsideInterface?: string;
  localAddress?: string;
  /** `--tunnel-number-base`: tunnel 1's interface/track numbers (default: derived from the connection id). */
  tunnelBase?: number;
  /** What vpcwire did on the AWS side, one line each, for the header of an AWS sample. */
  awsSide: string[];
  stack?: string;
}

/** One tunnel as JSON and summaries show it; the key only when asked for. */
export interface TunnelData {
  tunnel: 1 | 2;
  awsOutsideIp: string;
  customerOutsideIp: string;
  insideCidr: string;
  awsInsideIp: string;
  customerInsideIp: string;
  crypto?: string;
  preSharedKey?: string;
}

export interface DeviceInfo {
  /** What `--device` takes to name this device again: `csr1000v`, `aws:<id>`. */
  device: string;
  renderer?: string;
  awsDeviceType?: AwsDeviceType;
  sampleType?: SampleType;
  ikeVersion?: IkeVersion;
}

export interface ConnectionConfig {
  /** The config to load on the router. Holds the pre-shared keys. */
  text: string;
  model: VpnConfigModel;
  /** The pre-shared keys, for redaction. */
  psks: string[];
  warnings: string[];
  device: DeviceInfo;
  /** For messages: "CSR1000V", "strongSwan", "Yamaha RTX Routers Rev.10.01.16+". */
  label: string;
}

/** Render the router config for an existing connection. */
export async function renderConnectionConfig(
  ctx: Pick<Context, "clients" | "io" | "config" | "signal">,
  req: ConnectionConfigRequest,
): Promise<ConnectionConfig> {
  const { connection } = req;
  const xml = connection.CustomerGatewayConfiguration;
  if (!xml) {
    throw new VpcwireError(
      `VPN connection ${connection.VpnConnectionId} (${connection.State ?? "unknown state"}) returned no tunnel configuration; AWS gives it only while the connection is pending or available`,
      1,
    );
  }
  const options = connection.Options?.TunnelOptions ?? [];
  const order = options.map((t) => t.OutsideIpAddress).filter((ip): ip is string => Boolean(ip));
  const parsed = parseCustomerGatewayConfiguration(xml, order.length === 2 ? { tunnelOrder: order } : {});
  const routing =
    req.routing ?? (connection.Options?.StaticRoutesOnly === true ? "static" : connection.Options?.StaticRoutesOnly === false ? "bgp" : parsed.routing);
  const aligned = alignRouting(withTunnelOptions(parsed, options), routing, { customer: req.customerAsn, amazon: req.amazonAsn });
  // Keys in Secrets Manager: the XML carries none; read them from the connection's secret.
  const model = connection.PreSharedKeyArn ? await withSecretKeys(ctx, aligned, connection.PreSharedKeyArn) : aligned;
  const psks = model.tunnels.map((t) => t.ike.preSharedKey).filter((k): k is string => Boolean(k));
  const warnings = [...(model.warnings ?? [])];

  if (req.device.kind === "own") {
    const rendered = renderDevice({
      device: req.device.renderer,
      config: model,
      vpcCidrs: req.vpcCidrs,
      onpremCidrs: req.onpremCidrs,
      ...(req.ikeVersion ? { ikeVersion: req.ikeVersion } : {}),
      ...(req.outsideInterface ? { outsideInterface: req.outsideInterface } : {}),
      ...(req.localAddress ? { localAddress: req.localAddress } : {}),
      ...(req.tunnelBase !== undefined ? { tunnelBase: req.tunnelBase } : {}),
    });
    for (const w of rendered.warnings) if (!warnings.includes(w)) warnings.push(w);
    return {
      text: rendered.text,
      model,
      psks,
      warnings,
      device: { device: req.device.name, renderer: req.device.renderer },
      label: req.device.renderer === "csr1000v" ? "CSR1000V" : "strongSwan",
    };
  }

  const type = req.device.type;
  const ikeVersion = sampleIkeVersion(model, req.ikeVersion);
  const sample = await fetchDeviceSample(ctx, connection.VpnConnectionId!, type, ikeVersion);
  warnings.push(...sample.warnings);
  if (connection.PreSharedKeyArn && psks.some((k) => !sample.text.includes(k))) {
    warnings.push(
      `the keys of ${connection.VpnConnectionId} live in Secrets Manager (${connection.PreSharedKeyArn}) and AWS's sample does not carry them: ` +
        "put them in by hand (vpcwire vpn config --json --reveal-secrets shows them), or use vpcwire's own config (--device csr1000v or strongswan)",
    );
  }
  const crypto = model.tunnels.map((t) => t.options);
  const weaker = weakerThanConnection(sampleAlgorithms(sample.text), crypto);
  if (weaker) warnings.push(weaker);
  const header = sampleHeader({
    type,
    sampleType: sample.sampleType,
    ikeVersion,
    model,
    awsSide: req.awsSide,
    ...(weaker ? { weaker } : {}),
    ...(req.stack ? { stack: req.stack } : {}),
  });
  return {
    text: `${header}\n${sample.text.endsWith("\n") ? sample.text : `${sample.text}\n`}`,
    model,
    psks,
    warnings,
    device: { device: deviceArg(req.device), awsDeviceType: type, sampleType: sample.sampleType, ikeVersion },
    label: deviceLabel(type),
  };
}

/** The model with each tunnel's key from the connection's Secrets Manager secret (matched by AWS outside address). */
async function withSecretKeys(ctx: Pick<Context, "clients" | "io" | "config" | "signal">, model: VpnConfigModel, arn: string): Promise<VpnConfigModel> {
  const keys = await readPresharedKeys(
    ctx,
    arn,
    model.tunnels.map((t) => t.aws.outsideIp),
  );
  const tunnels = model.tunnels.map((t) => ({ ...t, ike: { ...t.ike, preSharedKey: keys.get(t.aws.outsideIp)! } })) as VpnConfigModel["tunnels"];
  return { ...model, tunnels };
}

/** The tunnels for JSON and summaries: the key only with `reveal`. */
export function tunnelData(model: VpnConfigModel, reveal: boolean): TunnelData[] {
  return model.tunnels.map((t) => ({
    tunnel: t.number,
    awsOutsideIp: t.aws.outsideIp,
    customerOutsideIp: t.customer.outsideIp,
    insideCidr: t.customer.insideCidr,
    awsInsideIp: t.aws.insideIp,
    customerInsideIp: t.customer.insideIp,
    ...(t.options ? { crypto: describeCrypto(t.options) } : {}),
    ...(reveal && t.ike.preSharedKey ? { preSharedKey: t.ike.preSharedKey } : {}),
  }));
}

/**
 * The routing the connection was created with decides the router config. AWS's XML agrees with it;
 * an emulator's canned XML may not (moto sends BGP blocks for a static connection), so follow the
 * connection and fill in BGP details from what is known when the XML lacks them.
 */
export function alignRouting(model: VpnConfigModel, routing: VpnRouting, asns: { customer?: number | undefined; amazon?: number | undefined }): VpnConfigModel {
  if (model.routing === routing) return model;
  const warnings = [
    ...(model.warnings ?? []),
    `the tunnel configuration says ${model.routing} routing but the connection uses ${routing}; the router config follows the connection`,
  ];
  if (routing === "static") return { ...model, routing: "static", warnings };
  const missing = (): never => {
    throw new VpcwireError("the connection uses BGP but its tunnel configuration has no BGP peers and the ASNs are not known", 1);
  };
  const tunnels = model.tunnels.map((t) => ({
    ...t,
    customer: { ...t.customer, bgp: t.customer.bgp ?? { asn: asns.customer ?? missing(), holdTime: 30 } },
    aws: { ...t.aws, bgp: t.aws.bgp ?? { asn: asns.amazon ?? missing(), holdTime: 30 } },
  })) as VpnConfigModel["tunnels"];
  return { ...model, routing: "bgp", tunnels, warnings };
}

/** The IKE version of an AWS sample: IKEv2 wherever the tunnels allow it, unless IKEv1 is preferred and allowed. */
export function sampleIkeVersion(model: VpnConfigModel, preferred?: IkeVersion): IkeVersion {
  const allowed = (v: IkeVersion) => model.tunnels.every((t) => !t.options?.ikeVersions.length || t.options.ikeVersions.includes(v));
  if (preferred && allowed(preferred)) return preferred;
  return allowed("ikev2") ? "ikev2" : "ikev1";
}

// ---------------------------------------------------------------------------------------------
// The header of an AWS sample

export interface SampleHeaderInput {
  type: AwsDeviceType;
  sampleType: SampleType;
  ikeVersion: IkeVersion;
  model: VpnConfigModel;
  awsSide: string[];
  weaker?: string;
  stack?: string;
}

/** Cisco's CLIs take `!` for comments; the other vendors' samples and CLIs take `#`. */
export function commentMark(type: AwsDeviceType): "!" | "#" {
  return /cisco/i.test(type.vendor) ? "!" : "#";
}

/** The lines vpcwire puts in front of AWS's sample. Never holds a key. */
export function sampleHeader(h: SampleHeaderInput): string {
  const m = h.model;
  const c = commentMark(h.type);
  const rule = `${c} ${"=".repeat(76)}`;
  const [t1, t2] = m.tunnels;
  const lines = [
    rule,
    `${c} vpcwire: AWS's sample configuration for ${deviceLabel(h.type)}`,
    `${c}   device type aws:${h.type.id}, ${h.sampleType} sample, ${h.ikeVersion === "ikev2" ? "IKEv2" : "IKEv1"}`,
    `${c}   VPN connection ${m.vpnConnectionId}${h.stack ? ` (stack ${h.stack})` : ""}, ${m.routing === "bgp" ? "BGP" : "static"} routing`,
    `${c}   customer gateway ${m.customerGatewayId} (${t1.customer.outsideIp})${m.vpnGatewayId ? `, virtual private gateway ${m.vpnGatewayId}` : ""}`,
  ];
  for (const t of m.tunnels) {
    lines.push(
      `${c}   tunnel ${t.number}: AWS ${t.aws.outsideIp} <-> router ${t.customer.outsideIp}, inside ${t.customer.insideIp} (router) / ${t.aws.insideIp} (AWS) in ${t.customer.insideCidr}${
        t.customer.bgp && t.aws.bgp ? `, BGP AS ${t.customer.bgp.asn} <-> AS ${t.aws.bgp.asn}` : ""
      }`,
    );
  }
  if (h.awsSide.length) {
    lines.push(`${c} Already done on the AWS side by vpcwire (skip the sample's AWS console steps):`);
    for (const a of h.awsSide) lines.push(`${c}   - ${a}`);
  }
  lines.push(`${c} Crypto the connection allows (AWS refuses proposals outside it):`);
  const d1 = t1.options ? describeCrypto(t1.options) : "as in the sample (the connection lists no tunnel options)";
  const d2 = t2.options ? describeCrypto(t2.options) : "as in the sample (the connection lists no tunnel options)";
  if (d1 === d2) lines.push(`${c}   both tunnels: ${d1}`);
  else lines.push(`${c}   tunnel 1: ${d1}`, `${c}   tunnel 2: ${d2}`);
  if (h.weaker) lines.push(`${c} WARNING: ${h.weaker}`);
  lines.push(
    `${c} vpcwire's own configs (--device csr1000v or strongswan) are route-based with both tunnels, failover,`,
    `${c} filters and the connection's crypto; this sample is AWS's text, filled in with this connection's`,
    `${c} addresses and pre-shared keys (keep this file private).`,
    rule,
  );
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// How strong a sample's algorithms are

export interface FoundAlgorithms {
  encryption: EncryptionAlgorithm[];
  integrity: IntegrityAlgorithm[];
  dhGroups: number[];
}

const ENCRYPTION_RANK: Record<EncryptionAlgorithm, number> = { AES128: 1, "AES128-GCM-16": 2, AES256: 3, "AES256-GCM-16": 4 };
const INTEGRITY_RANK: Record<IntegrityAlgorithm, number> = { SHA1: 1, "SHA2-256": 2, "SHA2-384": 3, "SHA2-512": 4 };
// Rough strength classes (NIST SP 800-57 bits of security): 1024-bit MODP groups lowest, then 1536,
// 2048, 3072/ECP-256, 4096/ECP-384, and the largest.
const DH_RANK: Record<number, number> = { 2: 1, 22: 1, 5: 2, 14: 3, 23: 3, 24: 3, 15: 4, 19: 4, 16: 5, 20: 5, 17: 6, 18: 6, 21: 6 };
const MODP_BITS: Record<string, number> = { "1024": 2, "1536": 5, "2048": 14, "3072": 15, "4096": 16, "6144": 17, "8192": 18 };
const ECP_BITS: Record<string, number> = { "256": 19, "384": 20, "521": 21 };

/**
 * The algorithms a vendor's sample names, found by the spellings AWS's samples use across vendors
 * (`aes-128-cbc`, `aes 128`, `aes256`, `esp-sha-hmac`, `sha-256`, `group 2`, `modp1024`, `ecp384`...).
 * A heuristic over free text: it serves a warning, never the config itself.
 */
export function sampleAlgorithms(text: string): FoundAlgorithms {
  let t = text.toLowerCase();
  const enc = new Set<EncryptionAlgorithm>();
  const integ = new Set<IntegrityAlgorithm>();
  const dh = new Set<number>();
  const take = (re: RegExp, add: () => void) => {
    if (re.test(t)) {
      add();
      t = t.replace(new RegExp(re.source, "g"), " ");
    }
  };
  take(/aes[-_ ]?256[-_ ]?gcm|aes[-_ ]?gcm[-_ ]?(?:16[-_ ]?)?256/, () => enc.add("AES256-GCM-16"));
  take(/aes[-_ ]?128[-_ ]?gcm|aes[-_ ]?gcm[-_ ]?(?:16[-_ ]?)?128/, () => enc.add("AES128-GCM-16"));
  take(/aes[-_ ]?(?:cbc[-_ ]?)?256/, () => enc.add("AES256"));
  take(/aes[-_ ]?(?:cbc[-_ ]?)?128|\baes-cbc\b/, () => enc.add("AES128"));
  take(/sha[-_ ]?2?[-_ ]?512/, () => integ.add("SHA2-512"));
  take(/sha[-_ ]?2?[-_ ]?384/, () => integ.add("SHA2-384"));
  take(/sha[-_ ]?2?[-_ ]?256/, () => integ.add("SHA2-256"));
  take(/\bsha[-_ ]?1\b|hmac[-_]sha1|\bsha1|\bsha-hmac\b|\bhash sha\b/, () => integ.add("SHA1"));
  // "group 14", "dh-group group14", "set pfs group2", FortiOS "dhgrp 14"; not Yamaha's "ipsec ike group 2 modp1024",
  // where the number is the tunnel's and the group is the modp that follows.
  for (const match of t.matchAll(/(?:group|dhgrp)\s*[-_]?\s*(\d{1,2})\b(?!\s+modp)/g)) {
    const n = Number(match[1]);
    if (PHASE2_DH_GROUPS.includes(n)) dh.add(n);
  }
  for (const match of t.matchAll(/modp[-_ ]?(\d{4})\b/g)) if (MODP_BITS[match[1]!]) dh.add(MODP_BITS[match[1]!]!);
  for (const match of t.matchAll(/ecp[-_ ]?(\d{3})\b/g)) if (ECP_BITS[match[1]!]) dh.add(ECP_BITS[match[1]!]!);
  const order = <T>(set: Set<T>, all: readonly T[]) => all.filter((v) => set.has(v));
  return {
    encryption: order(enc, ENCRYPTION_ALGORITHMS),
    integrity: order(integ, INTEGRITY_ALGORITHMS),
    dhGroups: [...dh].sort((a, b) => a - b),
  };
}

/**
 * A warning when the sample proposes something weaker than the weakest the connection's tunnels
 * allow (AWS then refuses it, and the connection was set up stronger on purpose); undefined otherwise.
 */
export function weakerThanConnection(found: FoundAlgorithms, crypto: Array<TunnelCrypto | undefined>): string | undefined {
  const known = crypto.filter((c): c is TunnelCrypto => c !== undefined).map(withDefaults);
  if (known.length === 0) return undefined;
  const floor = <T extends string | number>(values: T[], rank: Record<T, number>) => Math.min(...values.map((v) => rank[v] ?? 0));
  const weak: string[] = [];
  const allowed: string[] = [];
  const check = <T extends string | number>(sample: T[], lists: T[][], rank: Record<T, number>, show: (v: T[]) => string) => {
    if (!sample.length) return;
    const all = [...new Set(lists.flat())];
    const min = floor(all, rank);
    const below = sample.filter((v) => (rank[v] ?? 0) < min);
    if (below.length) {
      weak.push(show(below));
      allowed.push(show(all.sort((a, b) => (rank[a] ?? 0) - (rank[b] ?? 0))));
    }
  };
  check(
    found.encryption,
    known.map((c) => [...c.phase1.encryption, ...c.phase2.encryption]),
    ENCRYPTION_RANK,
    (v) => v.join("/"),
  );
  check(
    found.integrity,
    known.map((c) => [...c.phase1.integrity, ...c.phase2.integrity]),
    INTEGRITY_RANK,
    (v) => v.join("/"),
  );
  check(
    found.dhGroups,
    known.map((c) => [...c.phase1.dhGroups, ...c.phase2.dhGroups].filter((g) => PHASE1_DH_GROUPS.includes(g) || PHASE2_DH_GROUPS.includes(g))),
    DH_RANK,
    (v) => `DH group${v.length > 1 ? "s" : ""} ${v.join(",")}`,
  );
  if (!weak.length) return undefined;
  return `the sample proposes ${weak.join(", ")}, weaker than this connection allows (${allowed.join(", ")}): AWS refuses those proposals, so change them on the router to the connection's algorithms, or use vpcwire's own config (--device csr1000v or strongswan)`;
}
