/**
 * `--device`: which router config to write. vpcwire's own renderers (route-based, both tunnels,
 * failover, filters, the connection's crypto), or any of AWS's device types, whose sample AWS fills in
 * for a created connection (GetVpnConnectionDeviceSampleConfiguration).
 *
 * The flag is parsed without AWS (`parseDeviceFlag`, exit 2 before any call); an AWS type named by a
 * search is looked up in AWS's catalog once a Region is known (`resolveDevice`).
 */
import { send } from "../aws/call.js";
import { awsCode, toAwsError } from "../aws/errors.js";
import type { Context } from "../core/context.js";
import { flagError, VpcwireError } from "../core/errors.js";
import { closest } from "../core/suggest.js";
import type { IkeVersion } from "../net/crypto.js";

export type OwnRenderer = "csr1000v" | "strongswan";

export interface OwnDevice {
  /** What `--device` accepts. */
  name: string;
  renderer: OwnRenderer;
  label: string;
}

/** vpcwire's renderers; `ios-xe` and `catalyst8000v` are other names for the same IOS-XE config. */
export const OWN_DEVICES: readonly OwnDevice[] = [
  { name: "csr1000v", renderer: "csr1000v", label: "Cisco CSR1000V / IOS-XE (route-based VTI)" },
  { name: "ios-xe", renderer: "csr1000v", label: "Cisco IOS-XE routers (same config as csr1000v)" },
  { name: "catalyst8000v", renderer: "csr1000v", label: "Cisco Catalyst 8000V (same config as csr1000v)" },
  { name: "strongswan", renderer: "strongswan", label: "strongSwan on Linux (swanctl.conf, route-based)" },
];

export const OWN_DEVICE_NAMES = OWN_DEVICES.map((d) => d.name);

/** `--device` as typed, checked without AWS. */
export type DeviceSpec =
  | { kind: "own"; name: string; renderer: OwnRenderer }
  | { kind: "aws-id"; id: string; text: string }
  | { kind: "aws-search"; search: string; text: string };

/** One of AWS's device types (GetVpnConnectionDeviceTypes). */
export interface AwsDeviceType {
  id: string;
  vendor: string;
  platform: string;
  software: string;
}

/** `--device` after the catalog was read: what to render. */
export type ResolvedDevice = { kind: "own"; name: string; renderer: OwnRenderer } | { kind: "aws"; type: AwsDeviceType; text: string };

const AWS_ID_RE = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;
// Printable text without quotes or control characters: it is echoed in messages and matched, never run.
/** Built when first needed: a pattern with Unicode classes costs about a millisecond to create, at every start otherwise. */
let searchRe: RegExp | undefined;
function searchText(value: string): boolean {
  searchRe ??= /^[\p{L}\p{N} .,+()/_:-]{2,100}$/u;
  return searchRe.test(value);
}

/** Parse `--device` (exit 2 naming the flag). No AWS call. */
export function parseDeviceFlag(text: string, flag = "--device"): DeviceSpec {
  const value = text.trim();
  const own = OWN_DEVICES.find((d) => d.name === value.toLowerCase());
  if (own) return { kind: "own", name: own.name, renderer: own.renderer };
  if (/^aws:/i.test(value)) {
    const id = value.slice(4).trim();
    if (!AWS_ID_RE.test(id)) throw flagError(flag, `"${value.slice(0, 80)}" is not aws:<id> with an id from 'vpcwire vpn devices' (letters, digits, hyphens)`);
    return { kind: "aws-id", id, text: `aws:${id}` };
  }
  if (!searchText(value)) {
    throw flagError(
      flag,
      `"${value.slice(0, 80)}" is not a device: use ${OWN_DEVICE_NAMES.join(", ")}, aws:<id>, or 2-100 letters, digits and spaces that name one of AWS's device types (see 'vpcwire vpn devices')`,
    );
  }
  return { kind: "aws-search", search: value, text: value };
}

/** "Yamaha RTX Routers Rev.10.01.16+": what people call the type. */
export function deviceLabel(t: AwsDeviceType): string {
  return [t.vendor, t.platform, t.software].filter(Boolean).join(" ");
}

/**
 * The types a search matches: every word of it appears in the vendor, platform or software
 * (case-insensitive). A search equal to a type's whole label matches that type only.
 */
export function matchDeviceTypes(types: readonly AwsDeviceType[], search: string): AwsDeviceType[] {
  const norm = (s: string) => s.toLowerCase().replace(/\s+/g, " ").trim();
  const wanted = norm(search);
  const exact = types.filter((t) => norm(deviceLabel(t)) === wanted);
  if (exact.length === 1) return exact;
  const words = wanted.split(" ").filter(Boolean);
  return types.filter((t) => {
    const hay = norm(deviceLabel(t));
    return words.every((w) => hay.includes(w));
  });
}

/**
 * vpcwire's own device a search is probably a typo of (`strongwan`, `csr100v`): at most two letters off.
 * Offline a search cannot be checked against AWS's catalog, so the plan says it; online it helps the error.
 */
export function nearOwnDevice(search: string): string | undefined {
  return closest(search, OWN_DEVICE_NAMES);
}

/** The one type a spec names, or a usage error (exit 2) that lists the candidates. */
export function pickDeviceType(types: readonly AwsDeviceType[], spec: Exclude<DeviceSpec, { kind: "own" }>, flag = "--device"): AwsDeviceType {
  if (spec.kind === "aws-id") {
    const found = types.find((t) => t.id === spec.id);
    if (!found) throw flagError(flag, `${spec.text} is not one of AWS's ${types.length} device types (see 'vpcwire vpn devices')`);
    return found;
  }
  const matches = matchDeviceTypes(types, spec.search);
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    throw flagError(
      flag,
      `"${spec.search}" is not one of vpcwire's renderers (${OWN_DEVICE_NAMES.join(", ")}) and matches none of AWS's ${types.length} device types (see 'vpcwire vpn devices')${nearOwnDevice(spec.search) ? `; did you mean ${nearOwnDevice(spec.search)}?` : ""}`,
    );
  }
  const shown = matches.slice(0, 8).map((t) => `${deviceLabel(t)} (aws:${t.id})`);
  const more = matches.length > shown.length ? `, and ${matches.length - shown.length} more` : "";
  throw flagError(
    flag,
    `"${spec.search}" matches ${matches.length} of AWS's device types: ${shown.join("; ")}${more}; name one with aws:<id> or a longer search`,
  );
}

const CISCO_IOS_RE = /\b(cisco|ios|csr|isr|asr|catalyst)/i;
const LINUX_RE = /\b(strongswan|openswan|libreswan|linux|ubuntu|generic)/i;

/**
 * The own renderer closest to an AWS type, for previews before the connection exists: IOS-style
 * devices get the IOS-XE config, Linux IPsec stacks strongSwan, anything else the IOS-XE config (its
 * structure, a route-based tunnel per AWS endpoint, is what every vendor's sample describes).
 */
export function nearestRenderer(what: AwsDeviceType | DeviceSpec): OwnRenderer {
  if ("kind" in what && what.kind === "own") return what.renderer;
  const text = "kind" in what ? (what.kind === "aws-search" ? what.search : "") : deviceLabel(what);
  if (LINUX_RE.test(text) && !CISCO_IOS_RE.test(text)) return "strongswan";
  return "csr1000v";
}

/** The text `--device` should carry to name the same device again. */
export function deviceArg(d: ResolvedDevice): string {
  return d.kind === "own" ? d.name : `aws:${d.type.id}`;
}

// ---------------------------------------------------------------------------------------------
// AWS calls

type Ctx = Pick<Context, "clients" | "io" | "config" | "signal">;
const ec2 = () => import("@aws-sdk/client-ec2");

/** Every device type AWS has a sample for, through the SDK's paginator (pages of 200, the API's minimum). */
export async function listDeviceTypes(ctx: Ctx): Promise<AwsDeviceType[]> {
  const { paginateGetVpnConnectionDeviceTypes } = await ec2();
  const client = await ctx.clients.get("ec2");
  const out: AwsDeviceType[] = [];
  try {
    ctx.io.debug("EC2 GetVpnConnectionDeviceTypes (paginated)");
    for await (const page of paginateGetVpnConnectionDeviceTypes({ client, pageSize: 200 }, {}, { abortSignal: ctx.signal })) {
      for (const t of page.VpnConnectionDeviceTypes ?? []) {
        if (!t.VpnConnectionDeviceTypeId) continue;
        out.push({ id: t.VpnConnectionDeviceTypeId, vendor: t.Vendor ?? "", platform: t.Platform ?? "", software: t.Software ?? "" });
      }
    }
  } catch (error) {
    throw toAwsError(error, "EC2", "GetVpnConnectionDeviceTypes", ctx.config.endpointUrl);
  }
  return out;
}

/** `--device` resolved against AWS's catalog (read only for AWS types). */
export async function resolveDevice(ctx: Ctx, spec: DeviceSpec, flag = "--device"): Promise<ResolvedDevice> {
  if (spec.kind === "own") return spec;
  return { kind: "aws", type: pickDeviceType(await listDeviceTypes(ctx), spec, flag), text: spec.text };
}

export type SampleType = "recommended" | "compatibility";

export interface DeviceSample {
  text: string;
  sampleType: SampleType;
  ikeVersion: IkeVersion;
  warnings: string[];
}

/**
 * AWS's sample for one connection and device type. IKEv2 asks for the `recommended` sample; IKEv1
 * only has `compatibility` (AWS refuses `recommended` for IKEv1 with UnsupportedOperationException),
 * and a type AWS has no recommended sample for falls back to `compatibility` with a warning.
 */
export async function fetchDeviceSample(ctx: Ctx, vpnConnectionId: string, type: AwsDeviceType, ikeVersion: IkeVersion): Promise<DeviceSample> {
  const { GetVpnConnectionDeviceSampleConfigurationCommand } = await ec2();
  const get = async (sampleType: SampleType) => {
    const out = await send(
      ctx,
      "ec2",
      new GetVpnConnectionDeviceSampleConfigurationCommand({
        VpnConnectionId: vpnConnectionId,
        VpnConnectionDeviceTypeId: type.id,
        InternetKeyExchangeVersion: ikeVersion,
        SampleType: sampleType,
      }),
    );
    const text = out.VpnConnectionDeviceSampleConfiguration;
    if (!text) throw new VpcwireError(`AWS returned an empty sample configuration for ${deviceLabel(type)} (aws:${type.id})`, 1);
    return text;
  };
  if (ikeVersion === "ikev1") return { text: await get("compatibility"), sampleType: "compatibility", ikeVersion, warnings: [] };
  try {
    return { text: await get("recommended"), sampleType: "recommended", ikeVersion, warnings: [] };
  } catch (error) {
    if (awsCode(error) !== "UnsupportedOperationException") throw error;
    return {
      text: await get("compatibility"),
      sampleType: "compatibility",
      ikeVersion,
      warnings: [
        `AWS has no recommended IKEv2 sample for ${deviceLabel(type)}; this is its compatibility sample (check its algorithms against the connection's)`,
      ],
    };
  }
}

// ---------------------------------------------------------------------------------------------
// The wizard's device question

const AWS_CHOICE = "aws:*";

/**
 * vpcwire's renderers first, then "another router": AWS's catalog, filtered as the user types.
 * Returns what `--device` takes (`csr1000v`, `aws:<id>`).
 */
export async function askDevice(
  ctx: Pick<Context, "clients" | "io" | "config" | "signal">,
  message = "Which router config should vpcwire write?",
): Promise<string> {
  const { prompt } = ctx.io;
  const picked = await prompt.select<string>({
    message,
    choices: [
      ...OWN_DEVICES.filter((d) => d.name === d.renderer).map((d) => ({ name: d.label, value: d.name })),
      { name: "Another router: AWS's sample for one of its device types (Yamaha, Juniper, Palo Alto, Fortinet, ...)", value: AWS_CHOICE },
    ],
    default: "csr1000v",
  });
  if (picked !== AWS_CHOICE) return picked;
  const types = await listDeviceTypes(ctx);
  const type = await prompt.search<AwsDeviceType>({
    message: "AWS device type (type a vendor, platform or software to filter)",
    source: (term) => (term?.trim() ? matchDeviceTypes(types, term) : types).map((t) => ({ name: deviceLabel(t), value: t, description: `aws:${t.id}` })),
  });
  return `aws:${type.id}`;
}
