/**
 * Site-to-Site VPN tunnel crypto: AWS's allowed values (shared/docs/aws-facts.md §1.5, §2.8), the two
 * profiles vpcwire offers, the TunnelOptions they turn into, and what common devices refuse.
 *
 * Pure data and functions: no SDK import. Shapes that go to or come from EC2 use the SDK's field
 * names (`Phase1EncryptionAlgorithms: [{ Value }]`, ...) so callers pass them through unchanged.
 *
 * Why `modern` is what it is (docs/CRYPTO.md says the same for users):
 * - IKEv2 only: AWS recommends it, and `StartupAction: start` (AWS starts IKE itself, so a tunnel
 *   comes up without waiting for traffic) works only with IKEv2.
 * - AES-256: AES256-GCM-16 for devices that have it (one pass, no separate integrity algorithm, the
 *   smallest ESP overhead, so the largest MTU AWS allows: 1446), and AES256 (CBC) with SHA2-256 or
 *   SHA2-384 for devices that need a separate integrity algorithm.
 * - DH groups 19 and 20 (ECP-256, ECP-384), not 14. AWS evaluates a customer gateway's proposals
 *   "starting with the lowest configured value, regardless of the proposal order" (VPNTunnels.html):
 *   allowing 14 beside them would give every device that also offers 14 the 2048-bit MODP group
 *   (about 112-bit strength, and slower) instead of an elliptic curve. 19 is RFC 8247's
 *   recommended group and supported by every IKEv2 implementation we know; 20 matches AES-256 in
 *   strength (the CNSA suite's choice). Neither is on IOS-XE 17.11's refused list (Cisco FN72510:
 *   1, 2, 5, and 24 for IKEv2). The configs vpcwire renders propose one group, 20.
 * - DPD timeout action `restart`: AWS restarts IKE after a dead-peer timeout instead of clearing the
 *   tunnel and waiting for the customer gateway.
 */

export type IkeVersion = "ikev1" | "ikev2";
export type EncryptionAlgorithm = "AES128" | "AES256" | "AES128-GCM-16" | "AES256-GCM-16";
export type IntegrityAlgorithm = "SHA1" | "SHA2-256" | "SHA2-384" | "SHA2-512";
export type DpdTimeoutAction = "clear" | "none" | "restart";
export type StartupAction = "add" | "start";
export type CryptoProfile = "modern" | "compatible";
/** Devices vpcwire renders configs for. */
export type CryptoDevice = "csr1000v" | "strongswan";

export const CRYPTO_PROFILES: readonly CryptoProfile[] = ["modern", "compatible"];
export const IKE_VERSIONS: readonly IkeVersion[] = ["ikev1", "ikev2"];
/** The same four values for phase 1 and phase 2, in AWS's documented order. */
export const ENCRYPTION_ALGORITHMS: readonly EncryptionAlgorithm[] = ["AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16"];
export const INTEGRITY_ALGORITHMS: readonly IntegrityAlgorithm[] = ["SHA1", "SHA2-256", "SHA2-384", "SHA2-512"];
export const PHASE1_DH_GROUPS: readonly number[] = [2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24];
export const PHASE2_DH_GROUPS: readonly number[] = [2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24];
export const DPD_TIMEOUT_ACTIONS: readonly DpdTimeoutAction[] = ["clear", "none", "restart"];
export const STARTUP_ACTIONS: readonly StartupAction[] = ["add", "start"];

/** AWS's defaults for what a tunnel has when nothing is asked for (aws-facts §1.5, §2.8). */
export const AWS_TUNNEL_DEFAULTS = {
  phase1LifetimeSeconds: 28_800,
  phase2LifetimeSeconds: 3_600,
  dpdTimeoutSeconds: 30,
  dpdTimeoutAction: "clear" as DpdTimeoutAction,
  startupAction: "add" as StartupAction,
};

export interface PhaseCrypto {
  /** Empty: AWS's default, i.e. every allowed value. */
  encryption: EncryptionAlgorithm[];
  /** Empty: AWS's default, i.e. every allowed value. */
  integrity: IntegrityAlgorithm[];
  /** Empty: AWS's default, i.e. every allowed group of this phase. */
  dhGroups: number[];
}

/**
 * What a tunnel allows, as AWS holds it in its tunnel options. Empty lists and absent values mean
 * AWS's defaults. Lists are sets: order carries no meaning for AWS (see the module comment).
 */
export interface TunnelCrypto {
  /** Empty: both. */
  ikeVersions: IkeVersion[];
  phase1: PhaseCrypto;
  phase2: PhaseCrypto;
  /** @default AWS's 30 */
  dpdTimeoutSeconds?: number;
  /** @default AWS's "clear" */
  dpdTimeoutAction?: DpdTimeoutAction;
  /** @default AWS's "add" (the customer gateway starts IKE) */
  startupAction?: StartupAction;
  /** @default AWS's 28800 */
  phase1LifetimeSeconds?: number;
  /** @default AWS's 3600 */
  phase2LifetimeSeconds?: number;
}

/** Fine-grained choices on top of a profile; each replaces the profile's value. */
export interface CryptoOverrides {
  ikeVersions?: IkeVersion[];
  phase1Encryption?: EncryptionAlgorithm[];
  phase1Integrity?: IntegrityAlgorithm[];
  phase1DhGroups?: number[];
  phase2Encryption?: EncryptionAlgorithm[];
  phase2Integrity?: IntegrityAlgorithm[];
  phase2DhGroups?: number[];
  dpdTimeoutAction?: DpdTimeoutAction;
  startupAction?: StartupAction;
}

const MODERN: TunnelCrypto = {
  ikeVersions: ["ikev2"],
  phase1: { encryption: ["AES256-GCM-16", "AES256"], integrity: ["SHA2-256", "SHA2-384"], dhGroups: [19, 20] },
  phase2: { encryption: ["AES256-GCM-16", "AES256"], integrity: ["SHA2-256", "SHA2-384"], dhGroups: [19, 20] },
  dpdTimeoutAction: "restart",
  startupAction: "start",
};

const COMPATIBLE: TunnelCrypto = {
  ikeVersions: [],
  phase1: { encryption: [], integrity: [], dhGroups: [] },
  phase2: { encryption: [], integrity: [], dhGroups: [] },
};

/**
 * A profile with overrides applied. `startupAction` follows the IKE versions unless overridden:
 * `start` only when the tunnel is IKEv2-only (AWS refuses `start` otherwise).
 */
export function tunnelCrypto(profile: CryptoProfile, overrides: CryptoOverrides = {}): TunnelCrypto {
  const base = structuredClone(profile === "modern" ? MODERN : COMPATIBLE);
  const o = overrides;
  const crypto: TunnelCrypto = {
    ...base,
    ikeVersions: o.ikeVersions ? [...o.ikeVersions] : base.ikeVersions,
    phase1: {
      encryption: o.phase1Encryption ? [...o.phase1Encryption] : base.phase1.encryption,
      integrity: o.phase1Integrity ? [...o.phase1Integrity] : base.phase1.integrity,
      dhGroups: o.phase1DhGroups ? [...o.phase1DhGroups] : base.phase1.dhGroups,
    },
    phase2: {
      encryption: o.phase2Encryption ? [...o.phase2Encryption] : base.phase2.encryption,
      integrity: o.phase2Integrity ? [...o.phase2Integrity] : base.phase2.integrity,
      dhGroups: o.phase2DhGroups ? [...o.phase2DhGroups] : base.phase2.dhGroups,
    },
  };
  if (o.dpdTimeoutAction) crypto.dpdTimeoutAction = o.dpdTimeoutAction;
  if (o.startupAction) {
    crypto.startupAction = o.startupAction;
  } else if (crypto.startupAction === "start" && !ikev2Only(crypto)) {
    delete crypto.startupAction;
  }
  return crypto;
}

function ikev2Only(crypto: TunnelCrypto): boolean {
  return crypto.ikeVersions.length === 1 && crypto.ikeVersions[0] === "ikev2";
}

// ---------------------------------------------------------------------------------------------
// EC2 shapes (plain objects with the SDK's field names)

export interface ValueOf<T> {
  Value?: T | undefined;
}

/** The crypto part of `VpnTunnelOptionsSpecification` (CreateVpnConnection / ModifyVpnTunnelOptions input). */
export interface TunnelOptionsSpec {
  IKEVersions?: ValueOf<string>[];
  Phase1EncryptionAlgorithms?: ValueOf<string>[];
  Phase1IntegrityAlgorithms?: ValueOf<string>[];
  Phase1DHGroupNumbers?: ValueOf<number>[];
  Phase2EncryptionAlgorithms?: ValueOf<string>[];
  Phase2IntegrityAlgorithms?: ValueOf<string>[];
  Phase2DHGroupNumbers?: ValueOf<number>[];
  DPDTimeoutSeconds?: number;
  DPDTimeoutAction?: string;
  StartupAction?: string;
  Phase1LifetimeSeconds?: number;
  Phase2LifetimeSeconds?: number;
}

/**
 * A `TunnelOption` as DescribeVpnConnections returns it in `Options.TunnelOptions[]` (note the output
 * spellings `IkeVersions`, `DpdTimeoutSeconds`, `DpdTimeoutAction`). Input spellings are read too,
 * so a spec we sent can stand in for the output (offline previews).
 */
export interface TunnelOptionLike extends TunnelOptionsSpec {
  OutsideIpAddress?: string | undefined;
  TunnelInsideCidr?: string | undefined;
  PreSharedKey?: string | undefined;
  IkeVersions?: ValueOf<string>[] | undefined;
  DpdTimeoutSeconds?: number | undefined;
  DpdTimeoutAction?: string | undefined;
}

const values = <T>(list: readonly T[]): { Value: T }[] => list.map((Value) => ({ Value }));

/**
 * The `VpnTunnelOptionsSpecification` fields for CreateVpnConnection. Empty lists are left out, so
 * AWS applies its defaults. The caller adds per-tunnel fields (`TunnelInsideCidr`, `PreSharedKey`).
 */
export function tunnelOptionsSpec(crypto: TunnelCrypto): TunnelOptionsSpec {
  const spec: TunnelOptionsSpec = {};
  if (crypto.ikeVersions.length) spec.IKEVersions = values(crypto.ikeVersions);
  if (crypto.phase1.encryption.length) spec.Phase1EncryptionAlgorithms = values(crypto.phase1.encryption);
  if (crypto.phase1.integrity.length) spec.Phase1IntegrityAlgorithms = values(crypto.phase1.integrity);
  if (crypto.phase1.dhGroups.length) spec.Phase1DHGroupNumbers = values(crypto.phase1.dhGroups);
  if (crypto.phase2.encryption.length) spec.Phase2EncryptionAlgorithms = values(crypto.phase2.encryption);
  if (crypto.phase2.integrity.length) spec.Phase2IntegrityAlgorithms = values(crypto.phase2.integrity);
  if (crypto.phase2.dhGroups.length) spec.Phase2DHGroupNumbers = values(crypto.phase2.dhGroups);
  if (crypto.dpdTimeoutSeconds !== undefined) spec.DPDTimeoutSeconds = crypto.dpdTimeoutSeconds;
  if (crypto.dpdTimeoutAction) spec.DPDTimeoutAction = crypto.dpdTimeoutAction;
  if (crypto.startupAction) spec.StartupAction = crypto.startupAction;
  if (crypto.phase1LifetimeSeconds !== undefined) spec.Phase1LifetimeSeconds = crypto.phase1LifetimeSeconds;
  if (crypto.phase2LifetimeSeconds !== undefined) spec.Phase2LifetimeSeconds = crypto.phase2LifetimeSeconds;
  return spec;
}

/** Both tunnels' specs for CreateVpnConnection `Options.TunnelOptions`, with each tunnel's own fields merged in. */
export function tunnelOptionsSpecs<T extends object>(crypto: TunnelCrypto, perTunnel: [T, T]): [TunnelOptionsSpec & T, TunnelOptionsSpec & T] {
  return [
    { ...tunnelOptionsSpec(crypto), ...perTunnel[0] },
    { ...tunnelOptionsSpec(crypto), ...perTunnel[1] },
  ];
}

/**
 * The `TunnelOptions` for ModifyVpnTunnelOptions. Unlike at creation, leaving a list out keeps the
 * tunnel's current list, so going back to AWS's defaults must name them all: every empty list
 * becomes the full allowed list, and DPD action and startup action are always sent.
 */
export function modifyTunnelOptionsSpec(crypto: TunnelCrypto): TunnelOptionsSpec {
  const full = withDefaults(crypto);
  const spec: TunnelOptionsSpec = {
    IKEVersions: values(full.ikeVersions),
    Phase1EncryptionAlgorithms: values(full.phase1.encryption),
    Phase1IntegrityAlgorithms: values(full.phase1.integrity),
    Phase1DHGroupNumbers: values(full.phase1.dhGroups),
    Phase2EncryptionAlgorithms: values(full.phase2.encryption),
    Phase2IntegrityAlgorithms: values(full.phase2.integrity),
    Phase2DHGroupNumbers: values(full.phase2.dhGroups),
    DPDTimeoutAction: crypto.dpdTimeoutAction ?? AWS_TUNNEL_DEFAULTS.dpdTimeoutAction,
    StartupAction: crypto.startupAction ?? AWS_TUNNEL_DEFAULTS.startupAction,
  };
  if (crypto.dpdTimeoutSeconds !== undefined) spec.DPDTimeoutSeconds = crypto.dpdTimeoutSeconds;
  return spec;
}

/**
 * Read a tunnel's crypto from DescribeVpnConnections `Options.TunnelOptions[]` (or from a spec).
 * Values AWS does not document are kept out rather than guessed at; `unknown` lists them so a
 * caller can warn.
 */
export function cryptoFromTunnelOption(option: TunnelOptionLike): TunnelCrypto & { unknown: string[] } {
  const unknown: string[] = [];
  const pick = <T extends string | number>(
    field: string,
    list: ValueOf<unknown>[] | undefined,
    allowed: readonly T[],
    norm: (v: unknown) => T | undefined,
  ): T[] => {
    const out: T[] = [];
    for (const item of list ?? []) {
      const v = norm(item?.Value);
      if (v !== undefined && allowed.includes(v)) {
        if (!out.includes(v)) out.push(v);
      } else {
        unknown.push(`${field} ${String(item?.Value)}`);
      }
    }
    return out;
  };
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const upper = (v: unknown) => (typeof v === "string" ? v.toUpperCase() : undefined);
  const lower = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : undefined);
  const num = (v: unknown) => (typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined);
  const crypto: TunnelCrypto & { unknown: string[] } = {
    ikeVersions: pick("IkeVersions", option.IkeVersions ?? option.IKEVersions, IKE_VERSIONS, lower as (v: unknown) => IkeVersion),
    phase1: {
      encryption: pick("Phase1EncryptionAlgorithms", option.Phase1EncryptionAlgorithms, ENCRYPTION_ALGORITHMS, upper as (v: unknown) => EncryptionAlgorithm),
      integrity: pick("Phase1IntegrityAlgorithms", option.Phase1IntegrityAlgorithms, INTEGRITY_ALGORITHMS, upper as (v: unknown) => IntegrityAlgorithm),
      dhGroups: pick("Phase1DHGroupNumbers", option.Phase1DHGroupNumbers, PHASE1_DH_GROUPS, num),
    },
    phase2: {
      encryption: pick("Phase2EncryptionAlgorithms", option.Phase2EncryptionAlgorithms, ENCRYPTION_ALGORITHMS, upper as (v: unknown) => EncryptionAlgorithm),
      integrity: pick("Phase2IntegrityAlgorithms", option.Phase2IntegrityAlgorithms, INTEGRITY_ALGORITHMS, upper as (v: unknown) => IntegrityAlgorithm),
      dhGroups: pick("Phase2DHGroupNumbers", option.Phase2DHGroupNumbers, PHASE2_DH_GROUPS, num),
    },
    unknown,
  };
  const dpdSeconds = option.DpdTimeoutSeconds ?? option.DPDTimeoutSeconds;
  if (typeof dpdSeconds === "number" && Number.isInteger(dpdSeconds) && dpdSeconds > 0) crypto.dpdTimeoutSeconds = dpdSeconds;
  const dpdAction = lower(option.DpdTimeoutAction ?? option.DPDTimeoutAction);
  if (dpdAction !== undefined) {
    if ((DPD_TIMEOUT_ACTIONS as readonly string[]).includes(dpdAction)) crypto.dpdTimeoutAction = dpdAction as DpdTimeoutAction;
    else unknown.push(`DpdTimeoutAction ${dpdAction}`);
  }
  const startup = lower(str(option.StartupAction));
  if (startup !== undefined) {
    if ((STARTUP_ACTIONS as readonly string[]).includes(startup)) crypto.startupAction = startup as StartupAction;
    else unknown.push(`StartupAction ${startup}`);
  }
  for (const [key, field] of [
    ["phase1LifetimeSeconds", option.Phase1LifetimeSeconds],
    ["phase2LifetimeSeconds", option.Phase2LifetimeSeconds],
  ] as const) {
    if (typeof field === "number" && Number.isInteger(field) && field > 0) crypto[key] = field;
  }
  return crypto;
}

/** The crypto with every empty list replaced by what AWS allows for it, and AWS's default actions. */
export function withDefaults(crypto: TunnelCrypto): TunnelCrypto {
  const or = <T>(list: T[], all: readonly T[]) => (list.length ? [...list] : [...all]);
  return {
    ...crypto,
    ikeVersions: or(crypto.ikeVersions, IKE_VERSIONS),
    phase1: {
      encryption: or(crypto.phase1.encryption, ENCRYPTION_ALGORITHMS),
      integrity: or(crypto.phase1.integrity, INTEGRITY_ALGORITHMS),
      dhGroups: or(crypto.phase1.dhGroups, PHASE1_DH_GROUPS),
    },
    phase2: {
      encryption: or(crypto.phase2.encryption, ENCRYPTION_ALGORITHMS),
      integrity: or(crypto.phase2.integrity, INTEGRITY_ALGORITHMS),
      dhGroups: or(crypto.phase2.dhGroups, PHASE2_DH_GROUPS),
    },
    dpdTimeoutAction: crypto.dpdTimeoutAction ?? AWS_TUNNEL_DEFAULTS.dpdTimeoutAction,
    startupAction: crypto.startupAction ?? AWS_TUNNEL_DEFAULTS.startupAction,
  };
}

/**
 * What differs between the crypto a run asks for and what a tunnel has, as the SDK field names
 * (for a plan's `~ update tunnel options` line). Lists compare as sets, an empty list equals the
 * full allowed list, and an absent action equals AWS's default. Lifetimes and the DPD timeout are
 * compared only when `wanted` sets them.
 */
export function cryptoDifferences(wanted: TunnelCrypto, actual: TunnelCrypto): string[] {
  const w = withDefaults(wanted);
  const a = withDefaults(actual);
  const sameSet = <T>(x: T[], y: T[]) => x.length === y.length && x.every((v) => y.includes(v));
  const out: string[] = [];
  if (!sameSet(w.ikeVersions, a.ikeVersions)) out.push("IKEVersions");
  for (const phase of ["phase1", "phase2"] as const) {
    const p = phase === "phase1" ? "Phase1" : "Phase2";
    if (!sameSet(w[phase].encryption, a[phase].encryption)) out.push(`${p}EncryptionAlgorithms`);
    if (!sameSet(w[phase].integrity, a[phase].integrity)) out.push(`${p}IntegrityAlgorithms`);
    if (!sameSet(w[phase].dhGroups, a[phase].dhGroups)) out.push(`${p}DHGroupNumbers`);
  }
  if (w.dpdTimeoutAction !== a.dpdTimeoutAction) out.push("DPDTimeoutAction");
  if (w.startupAction !== a.startupAction) out.push("StartupAction");
  if (wanted.dpdTimeoutSeconds !== undefined && wanted.dpdTimeoutSeconds !== (actual.dpdTimeoutSeconds ?? AWS_TUNNEL_DEFAULTS.dpdTimeoutSeconds)) {
    out.push("DPDTimeoutSeconds");
  }
  for (const [key, field, def] of [
    ["phase1LifetimeSeconds", "Phase1LifetimeSeconds", AWS_TUNNEL_DEFAULTS.phase1LifetimeSeconds],
    ["phase2LifetimeSeconds", "Phase2LifetimeSeconds", AWS_TUNNEL_DEFAULTS.phase2LifetimeSeconds],
  ] as const) {
    if (wanted[key] !== undefined && wanted[key] !== (actual[key] ?? def)) out.push(field);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Flags

/** Raw flag values as commander gives them (repeatable/comma lists already split by the caller or not). */
export interface CryptoFlags {
  crypto?: string;
  ikeVersion?: string | string[];
  phase1Encryption?: string | string[];
  phase1Integrity?: string | string[];
  phase1DhGroups?: string | string[];
  phase2Encryption?: string | string[];
  phase2Integrity?: string | string[];
  phase2DhGroups?: string | string[];
  dpdTimeoutAction?: string;
  startupAction?: string;
}

/** The flag each override comes from, for messages. */
export const CRYPTO_FLAG_NAMES: Record<keyof CryptoFlags, string> = {
  crypto: "--crypto",
  ikeVersion: "--ike-version",
  phase1Encryption: "--phase1-encryption",
  phase1Integrity: "--phase1-integrity",
  phase1DhGroups: "--phase1-dh-groups",
  phase2Encryption: "--phase2-encryption",
  phase2Integrity: "--phase2-integrity",
  phase2DhGroups: "--phase2-dh-groups",
  dpdTimeoutAction: "--dpd-timeout-action",
  startupAction: "--startup-action",
};

export type CryptoChoice = { profile: CryptoProfile; overrides: CryptoOverrides; crypto: TunnelCrypto };

/**
 * Check crypto flags against AWS's allowed values, before any AWS call. Returns the choice, or one
 * line naming the flag and the rule (the caller throws it as a usage error). Values are
 * case-insensitive (`aes256-gcm-16`, `IKEv2`); lists may be repeated flags or comma-separated;
 * explicitly empty values and empty list items are refused.
 * @param defaultProfile the profile when `--crypto` is not given. @default "modern"
 */
export function parseCryptoFlags(flags: CryptoFlags, defaultProfile: CryptoProfile = "modern"): CryptoChoice | { error: string } {
  const name = CRYPTO_FLAG_NAMES;
  let profile = defaultProfile;
  if (flags.crypto !== undefined) {
    const p = flags.crypto.trim().toLowerCase();
    if (!(CRYPTO_PROFILES as readonly string[]).includes(p)) return { error: `${name.crypto}: must be modern or compatible, not "${flags.crypto}"` };
    profile = p as CryptoProfile;
  }
  const overrides: CryptoOverrides = {};
  type ListKey = "ikeVersion" | "phase1Encryption" | "phase1Integrity" | "phase1DhGroups" | "phase2Encryption" | "phase2Integrity" | "phase2DhGroups";
  const list = <T extends string | number>(key: ListKey, allowed: readonly T[], norm: (s: string) => T | undefined): T[] | string | undefined => {
    const raw = flags[key];
    if (raw === undefined) return undefined;
    const items = (Array.isArray(raw) ? raw : [raw]).flatMap((s) => s.split(","));
    const out: T[] = [];
    for (const item of items) {
      const text = item.trim();
      if (text === "") return `${name[key]}: empty value (give one or more of ${allowed.join(", ")})`;
      const v = norm(text);
      if (v === undefined || !allowed.includes(v)) return `${name[key]}: "${text}" is not one of AWS's allowed values: ${allowed.join(", ")}`;
      if (!out.includes(v)) out.push(v);
    }
    return out;
  };
  const upper = (s: string) => s.toUpperCase();
  const num = (s: string) => (/^\d{1,2}$/.test(s) ? Number(s) : undefined);
  const fields = [
    ["ikeVersions", list("ikeVersion", IKE_VERSIONS, (s) => s.toLowerCase() as IkeVersion)],
    ["phase1Encryption", list("phase1Encryption", ENCRYPTION_ALGORITHMS, upper as (s: string) => EncryptionAlgorithm)],
    ["phase1Integrity", list("phase1Integrity", INTEGRITY_ALGORITHMS, upper as (s: string) => IntegrityAlgorithm)],
    ["phase1DhGroups", list("phase1DhGroups", PHASE1_DH_GROUPS, num)],
    ["phase2Encryption", list("phase2Encryption", ENCRYPTION_ALGORITHMS, upper as (s: string) => EncryptionAlgorithm)],
    ["phase2Integrity", list("phase2Integrity", INTEGRITY_ALGORITHMS, upper as (s: string) => IntegrityAlgorithm)],
    ["phase2DhGroups", list("phase2DhGroups", PHASE2_DH_GROUPS, num)],
  ] as const;
  for (const [key, value] of fields) {
    if (typeof value === "string") return { error: value };
    if (value !== undefined) (overrides as Record<string, unknown>)[key] = value;
  }
  if (flags.dpdTimeoutAction !== undefined) {
    const v = flags.dpdTimeoutAction.trim().toLowerCase();
    if (!(DPD_TIMEOUT_ACTIONS as readonly string[]).includes(v)) {
      return { error: `${name.dpdTimeoutAction}: must be one of ${DPD_TIMEOUT_ACTIONS.join(", ")}, not "${flags.dpdTimeoutAction}"` };
    }
    overrides.dpdTimeoutAction = v as DpdTimeoutAction;
  }
  if (flags.startupAction !== undefined) {
    const v = flags.startupAction.trim().toLowerCase();
    if (!(STARTUP_ACTIONS as readonly string[]).includes(v)) {
      return { error: `${name.startupAction}: must be one of ${STARTUP_ACTIONS.join(", ")}, not "${flags.startupAction}"` };
    }
    overrides.startupAction = v as StartupAction;
  }
  const crypto = tunnelCrypto(profile, overrides);
  if (crypto.startupAction === "start" && !ikev2Only(crypto)) {
    return { error: `${name.startupAction}: start works only on IKEv2-only tunnels (AWS's rule); add --ike-version ikev2 or use add` };
  }
  return { profile, overrides, crypto };
}

// ---------------------------------------------------------------------------------------------
// Descriptions

/** `2, 14-24` rather than twelve numbers. */
function groups(list: number[]): string {
  const sorted = [...list].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j - i >= 2 ? `${sorted[i]}-${sorted[j]}` : sorted.slice(i, j + 1).join(","));
    i = j + 1;
  }
  return parts.join(",");
}

function phaseText(phase: PhaseCrypto, allDh: readonly number[]): string {
  const enc = phase.encryption.length ? sortBy(phase.encryption, ENCRYPTION_ALGORITHMS).join("/") : "any AES";
  const integ = phase.integrity.length ? sortBy(phase.integrity, INTEGRITY_ALGORITHMS).join("/") : "any SHA";
  const dh = groups(phase.dhGroups.length ? phase.dhGroups : [...allDh]);
  return `${enc}, ${integ}, DH ${dh}`;
}

function sortBy<T>(list: T[], order: readonly T[]): T[] {
  return [...list].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

/**
 * One line for plans and `status`, e.g.
 * `IKEv2; phase 1 AES256/AES256-GCM-16, SHA2-256/SHA2-384, DH 19,20; phase 2 ...; DPD 30 s then restart; AWS starts IKE`.
 * A tunnel with nothing chosen reads `AWS defaults (IKEv1/IKEv2; AES128 and up, SHA1 and up, DH 2,14-24; ...)`.
 */
export function describeCrypto(crypto: TunnelCrypto): string {
  const defaults =
    !crypto.ikeVersions.length &&
    (["phase1", "phase2"] as const).every((p) => !crypto[p].encryption.length && !crypto[p].integrity.length && !crypto[p].dhGroups.length);
  const ike = (crypto.ikeVersions.length ? sortBy(crypto.ikeVersions, IKE_VERSIONS) : [...IKE_VERSIONS]).map((v) => v.replace("ike", "IKE")).join("/");
  const dpd = `DPD ${crypto.dpdTimeoutSeconds ?? AWS_TUNNEL_DEFAULTS.dpdTimeoutSeconds} s then ${crypto.dpdTimeoutAction ?? AWS_TUNNEL_DEFAULTS.dpdTimeoutAction}`;
  const startup = (crypto.startupAction ?? AWS_TUNNEL_DEFAULTS.startupAction) === "start" ? "AWS starts IKE" : "the router starts IKE";
  const body = `${ike}; phase 1 ${phaseText(crypto.phase1, PHASE1_DH_GROUPS)}; phase 2 ${phaseText(crypto.phase2, PHASE2_DH_GROUPS)}; ${dpd}; ${startup}`;
  return defaults ? `AWS defaults (${body})` : body;
}

// ---------------------------------------------------------------------------------------------
// What devices refuse

export interface Refusal {
  /** The TunnelOptions field, e.g. `Phase1DHGroupNumbers`. */
  field: "Phase1DHGroupNumbers" | "Phase2DHGroupNumbers";
  value: number;
  /** Refused only with this IKE version. */
  ikeVersion?: IkeVersion;
}

/** What each device refuses without extra configuration, and where that is written down. */
export const DEVICE_REFUSALS: Record<CryptoDevice, { label: string; source: string; phase1: Record<IkeVersion, number[]>; phase2: number[] }> = {
  // Cisco Field Notice FN72510 (IOS-XE 17.11.1 and later; the CSR1000V's successor, the Catalyst
  // 8000V, runs them): weak algorithms need `crypto engine compliance shield disable` and a reload.
  // Of AWS's values that hits DH groups 2 and 5 (1 is not an AWS value) and, in IKEv2 proposals, 24.
  // The notice also lists DES, 3DES and MD5, which AWS never offers.
  csr1000v: {
    label: "IOS-XE 17.11 and later (Catalyst 8000V)",
    source: "Cisco Field Notice FN72510",
    phase1: { ikev1: [1, 2, 5], ikev2: [1, 2, 5, 24] },
    phase2: [1, 2, 5],
  },
  // strongSwan 5.9 takes every algorithm of AWS's lists when a config names it explicitly (vpcwire's
  // do): weak groups are only left out of its `default` proposal. Nothing to report.
  strongswan: { label: "strongSwan 5.9", source: "strongSwan proposal keywords", phase1: { ikev1: [], ikev2: [] }, phase2: [] },
};

/**
 * Algorithms a tunnel's options allow that the device refuses by default. An empty list counts as
 * every value AWS allows, because AWS's own configuration (what the XML describes) uses them: a
 * tunnel left at AWS's defaults proposes DH group 2.
 */
export function refusedBy(device: CryptoDevice, crypto: TunnelCrypto): Refusal[] {
  const rules = DEVICE_REFUSALS[device];
  const full = withDefaults(crypto);
  const out: Refusal[] = [];
  const versions = full.ikeVersions;
  for (const g of full.phase1.dhGroups) {
    const by = versions.filter((v) => rules.phase1[v].includes(g));
    if (by.length === versions.length) out.push({ field: "Phase1DHGroupNumbers", value: g });
    else if (by.length === 1) out.push({ field: "Phase1DHGroupNumbers", value: g, ikeVersion: by[0]! });
  }
  for (const g of full.phase2.dhGroups) if (rules.phase2.includes(g)) out.push({ field: "Phase2DHGroupNumbers", value: g });
  return out;
}

/** One line for a warning, or undefined when nothing is refused. */
export function describeRefusals(device: CryptoDevice, refusals: Refusal[]): string | undefined {
  if (!refusals.length) return undefined;
  const { label, source } = DEVICE_REFUSALS[device];
  const part = (field: Refusal["field"], phase: string) => {
    const list = refusals.filter((r) => r.field === field);
    if (!list.length) return undefined;
    return `${phase} DH group${list.length > 1 ? "s" : ""} ${list.map((r) => `${r.value}${r.ikeVersion ? ` (${r.ikeVersion.replace("ike", "IKE")})` : ""}`).join(", ")}`;
  };
  const parts = [part("Phase1DHGroupNumbers", "phase 1"), part("Phase2DHGroupNumbers", "phase 2")].filter(Boolean);
  return `${label} refuses ${parts.join(" and ")} by default (${source})`;
}

// ---------------------------------------------------------------------------------------------
// ESP overhead

/** The largest inner packet AWS accepts on a tunnel (aws-facts §2.7), and its TCP MSS. */
export const AWS_MAX_MTU = 1446;
export const AWS_MAX_MSS = 1406;

/**
 * Inner MTU and TCP MSS for ESP tunnel mode over a 1500-byte path, from the negotiated phase-2
 * algorithms: outer IPv4 header 20, ESP header 8, IV (CBC 16, GCM 8), payload plus 2 trailer bytes
 * padded to the cipher's block (CBC 16, GCM 4), ICV (GCM 16; HMAC-SHA1-96 12, SHA2-256-128 16,
 * SHA2-384-192 24, SHA2-512-256 32), plus 8 for the UDP header of NAT traversal. Capped at AWS's
 * 1446/1406. This reproduces AWS's own table (your-cgw.html): GCM 1446 (NAT-T 1438), CBC+SHA1 or
 * SHA2-256 1438 (1422), SHA2-384 1422, SHA2-512 1422 (1406). MSS = MTU - 40 (IPv4 + TCP headers).
 */
export function espTunnelMtu(
  encryption: EncryptionAlgorithm,
  integrity: IntegrityAlgorithm | null,
  natTraversal: boolean,
  pathMtu = 1500,
): { mtu: number; mss: number } {
  const gcm = encryption.endsWith("-GCM-16");
  const iv = gcm ? 8 : 16;
  const block = gcm ? 4 : 16;
  const icv = gcm ? 16 : ICV_BYTES[integrity ?? "SHA1"];
  const room = pathMtu - 20 - (natTraversal ? 8 : 0) - 8 - iv - icv;
  // The largest inner length whose padded ESP payload (inner + 2, rounded up to the block) fits.
  const mtu = Math.min(AWS_MAX_MTU, Math.floor(room / block) * block - 2);
  return { mtu, mss: mtu - 40 };
}

const ICV_BYTES: Record<IntegrityAlgorithm, number> = { SHA1: 12, "SHA2-256": 16, "SHA2-384": 24, "SHA2-512": 32 };

/**
 * A tunnel's crypto with every list that names all of AWS's allowed values emptied, so a tunnel left
 * at AWS's defaults reads "AWS defaults (...)" whether AWS lists the values or not. Same meaning.
 */
export function plainCrypto(crypto: TunnelCrypto): TunnelCrypto {
  const full = withDefaults({ ...crypto, ikeVersions: [], phase1: EMPTY_PHASE, phase2: EMPTY_PHASE });
  const plain = <T>(list: T[], all: T[]) => (list.length === all.length && all.every((v) => list.includes(v)) ? [] : list);
  return {
    ...crypto,
    ikeVersions: plain(crypto.ikeVersions, full.ikeVersions),
    phase1: {
      encryption: plain(crypto.phase1.encryption, full.phase1.encryption),
      integrity: plain(crypto.phase1.integrity, full.phase1.integrity),
      dhGroups: plain(crypto.phase1.dhGroups, full.phase1.dhGroups),
    },
    phase2: {
      encryption: plain(crypto.phase2.encryption, full.phase2.encryption),
      integrity: plain(crypto.phase2.integrity, full.phase2.integrity),
      dhGroups: plain(crypto.phase2.dhGroups, full.phase2.dhGroups),
    },
  };
}

const EMPTY_PHASE = { encryption: [], integrity: [], dhGroups: [] };
