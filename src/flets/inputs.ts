import ipaddr from "ipaddr.js";
import { flagError, UsageError } from "../core/errors.js";
import { checkId, isEc2Id } from "../net/ids.js";
import { type Cidr4, cidrContains, cidrsOverlap, isIpv4, isIpv6, isRfc1918, parseCidr4 } from "../net/ip.js";

/**
 * Inputs for `vpcwire flets isatap`, validated. Every value here may end up in a shell script,
 * a systemd unit, an nftables file or a Windows script, so each one is checked against a strict
 * shape (an IP is an IP, a name is `[A-Za-z0-9._-]`) before it gets here; nothing is quoted later.
 */
export interface FletsInput {
  /** The instance's private IPv4 (RFC 1918): the ISATAP tunnel's local end. */
  privateIp?: string;
  /** The EC2 instance, lower case; its private IP (and OS) can be looked up from it. */
  instanceId?: string;
  /** The IPv6 /64 NTT assigned to the ISATAP link, canonical, e.g. `2001:db8::/64`. */
  prefix: string;
  /** NTT's ISATAP router IPv4 (`192.168.103.254` in NTT's own setup). */
  router: string;
  /**
   * The instance's OS. Absent when not given: the caller detects it from `--instance-id`
   * or falls back to `linux`.
   */
  os?: "linux" | "windows";
  /**
   * How the tunnel comes up at boot on Linux: a systemd unit (Amazon Linux 2023 has no /etc/rc.local
   * by default) or a block for /etc/rc.local (older Amazon Linux).
   * @default "systemd"
   */
  boot: "systemd" | "rc.local";
  /**
   * Name of the ISATAP tunnel interface on Linux.
   * @default "sit1"
   */
  interface: string;
  /**
   * Which Linux host firewall to render.
   * @default "nftables"
   */
  firewall: "nftables" | "ip6tables";
  /**
   * The Linux-only flags that were given (`--boot`, `--interface`, `--firewall`), absent when none was:
   * when EC2 reports the instance as Windows they are ignored, and the plan says so.
   */
  linuxOnly?: LinuxOnlyFlag[];
  /** What FLET'S may open on the instance; everything else arriving through the tunnel is dropped. Empty by default. */
  allow: AllowRule[];
  /** A host name to publish as an AAAA record for the ISATAP address, lower case, no trailing dot. */
  dnsName?: string;
  /** Optional IPv4-over-IPv6 tunnel from the instance to the site router across FLET'S. */
  ipip?: IpipTunnel;
  /** Where to write the rendered files. */
  out?: string;
  /** With `--instance-id`: the group to add the protocol 41 rule to (default: the first group of the tunnel's interface). */
  securityGroup?: string;
}

/** Flags that apply only to Linux. */
export type LinuxOnlyFlag = "--boot" | "--interface" | "--firewall";

/** One `--allow` entry. `text` is the canonical spelling (`tcp:22`, `udp:1000-2000`, `icmpv6`). */
export type AllowRule = { protocol: "tcp" | "udp"; fromPort: number; toPort: number; text: string } | { protocol: "icmpv6"; text: "icmpv6" };

export interface IpipTunnel {
  /** The site router's IPv6 address on FLET'S (the far end of the tunnel), canonical. */
  remote: string;
  /** The local IPv4 network (VPC CIDR or subnet) the site routes into the tunnel. Contains the private IP. */
  localV4: string;
  /** The site's IPv4 network, routed into the tunnel on the instance. */
  remoteV4: string;
}

/** Flag name -> key in the raw options object (commander's camelCase). */
export const FLETS_FLAGS = {
  "--prefix": "prefix",
  "--private-ip": "privateIp",
  "--instance-id": "instanceId",
  "--router": "router",
  "--os": "os",
  "--boot": "boot",
  "--interface": "interface",
  "--firewall": "firewall",
  "--allow": "allow",
  "--dns-name": "dnsName",
  "--ipip-remote": "ipipRemote",
  "--ipip-local-v4": "ipipLocalV4",
  "--ipip-remote-v4": "ipipRemoteV4",
  "--out": "out",
  "--security-group": "securityGroup",
} as const;

/** The raw flags as commander or the wizard give them (commander's camelCase keys; global options may ride along). */
export type FletsFlags = Record<string, unknown>;

type FletsFlag = keyof typeof FLETS_FLAGS;

/** How {@link missingFletsFlags} names the "one of the two" requirement. */
export const PRIVATE_IP_OR_INSTANCE_ID = "--private-ip or --instance-id";

/** Linux names for which the kernel creates a fallback device itself, or which are not tunnels to create. */
const RESERVED_INTERFACES = new Set(["lo", "sit0", "tunl0", "ip6tnl0", "gre0", "gretap0", "ip6gre0", "erspan0", "ip_vti0", "ip6_vti0"]);

/** The Linux IPv4-over-IPv6 tunnel device name (not user-chosen). */
export const IPIP_INTERFACE = "ipip1";

/**
 * Names of the required flags that are absent: `--prefix`, `--router`, and
 * {@link PRIVATE_IP_OR_INSTANCE_ID} when neither of those two was given. A wizard asks for these;
 * a non-interactive run reports them as a usage error.
 */
export function missingFletsFlags(raw: Record<string, unknown>): string[] {
  const missing: string[] = [];
  if (!given(raw, "--prefix")) missing.push("--prefix");
  if (!given(raw, "--router")) missing.push("--router");
  if (!given(raw, "--private-ip") && !given(raw, "--instance-id")) missing.push(PRIVATE_IP_OR_INSTANCE_ID);
  return missing;
}

/**
 * Validate raw option values (strings from commander or a wizard; `allow` may also be an array of
 * comma lists) into a {@link FletsInput}. Throws a UsageError (exit 2) listing every missing required
 * flag ({@link missingFletsFlags}, as `vpn create` does), else `flagError` on the first bad flag, in
 * the order flags are listed in {@link FLETS_FLAGS}. Unknown keys are ignored, so the raw
 * object may carry global options too. Values are not trimmed: what is checked is what is used.
 * Defaults are applied here, so the command should not give commander defaults for these flags
 * (a Linux-only flag given with `--os windows` is an error, and a commander default would trip it).
 */
export function validateFletsFlags(raw: Record<string, unknown>): FletsInput {
  const missing = missingFletsFlags(raw);
  if (missing.length > 0) throw new UsageError(`missing required flags: ${missing.join(", ")}`);

  const prefix = validatePrefix(single(raw, "--prefix")!);
  const privateIpText = single(raw, "--private-ip");
  const privateIp = privateIpText === undefined ? undefined : validatePrivateIp(privateIpText);
  const instanceIdText = single(raw, "--instance-id");
  const instanceId = instanceIdText === undefined ? undefined : validateInstanceId(instanceIdText);
  const router = validateRouter(single(raw, "--router")!, privateIp);

  const osText = single(raw, "--os");
  const os = osText === undefined ? undefined : oneOf("--os", osText, ["linux", "windows"] as const);

  const linuxOnly = (flag: FletsFlag): string | undefined => {
    const value = single(raw, flag);
    if (value !== undefined && os === "windows") throw flagError(flag, "applies only to --os linux");
    return value;
  };
  const bootText = linuxOnly("--boot");
  const boot = bootText === undefined ? "systemd" : oneOf("--boot", bootText, ["systemd", "rc.local"] as const);
  const interfaceText = linuxOnly("--interface");
  const iface = interfaceText === undefined ? "sit1" : validateInterface(interfaceText);
  const firewallText = linuxOnly("--firewall");
  const firewall = firewallText === undefined ? "nftables" : oneOf("--firewall", firewallText, ["nftables", "ip6tables"] as const);

  const allow = validateAllow(raw[FLETS_FLAGS["--allow"]]);

  const dnsText = single(raw, "--dns-name");
  const dnsName = dnsText === undefined ? undefined : validateDnsName(dnsText);

  const ipip = validateIpip(raw, { privateIp, router, iface, os });

  const outText = single(raw, "--out");
  if (outText !== undefined && (outText === "" || /[\0\r\n]/.test(outText))) {
    throw flagError("--out", "must be a directory path (not empty, no control characters)");
  }

  const securityGroup = validateSecurityGroup(single(raw, "--security-group"), instanceId);

  const input: FletsInput = { prefix, router, boot, interface: iface, firewall, allow };
  const linuxFlags = (["--boot", "--interface", "--firewall"] as const).filter((f) => single(raw, f) !== undefined);
  if (linuxFlags.length > 0) input.linuxOnly = linuxFlags;
  if (privateIp !== undefined) input.privateIp = privateIp;
  if (instanceId !== undefined) input.instanceId = instanceId;
  if (os !== undefined) input.os = os;
  if (dnsName !== undefined) input.dnsName = dnsName;
  if (ipip !== undefined) input.ipip = ipip;
  if (outText !== undefined) input.out = outText;
  if (securityGroup !== undefined) input.securityGroup = securityGroup;
  return input;
}

// ---------------------------------------------------------------------------------------------
// One rule per flag. Each returns the canonical value or throws flagError naming the flag.

function validatePrefix(text: string): string {
  const m = /^([0-9A-Fa-f:.]+)\/(\d{1,3})$/.exec(text);
  if (!m) {
    if (isIpv4(text.split("/")[0] ?? "")) throw flagError("--prefix", `${show(text)} is IPv4; expected the IPv6 /64 NTT assigned, e.g. 2001:db8:1:2::/64`);
    if (isIpv6(text)) throw flagError("--prefix", `${show(text)} has no prefix length; expected an IPv6 /64 such as ${text}/64`);
    throw flagError("--prefix", `${show(text)} is not an IPv6 /64 prefix (expected e.g. 2001:db8:1:2::/64)`);
  }
  const [, addressText, lengthText] = m as unknown as [string, string, string];
  if (!isIpv6(addressText)) {
    if (isIpv4(addressText)) throw flagError("--prefix", `${show(text)} is IPv4; expected the IPv6 /64 NTT assigned, e.g. 2001:db8:1:2::/64`);
    throw flagError("--prefix", `${show(text)} is not an IPv6 /64 prefix (expected e.g. 2001:db8:1:2::/64)`);
  }
  if (Number(lengthText) !== 64) {
    throw flagError("--prefix", `${show(text)} is a /${Number(lengthText)}; ISATAP needs exactly a /64 (prefix + 64-bit interface id)`);
  }
  const address = ipaddr.IPv6.parse(addressText);
  const network = new ipaddr.IPv6([...address.parts.slice(0, 4), 0, 0, 0, 0]);
  if (address.parts.slice(4).some((p) => p !== 0)) {
    throw flagError("--prefix", `${show(text)} has host bits set (did you mean ${network.toRFC5952String()}/64?)`);
  }
  const range = address.range();
  if (["unspecified", "loopback", "linkLocal", "multicast", "ipv4Mapped"].includes(range)) {
    throw flagError("--prefix", `${show(text)} is a ${range} prefix; expected the global /64 NTT assigned`);
  }
  return `${network.toRFC5952String()}/64`;
}

function validatePrivateIp(text: string): string {
  if (!isIpv4(text)) throw flagError("--private-ip", `${show(text)} is not an IPv4 address (dotted quad, e.g. 10.216.0.101)`);
  if (!isRfc1918(text)) {
    throw flagError("--private-ip", `${show(text)} is not an RFC 1918 private address (10/8, 172.16/12, 192.168/16); give the instance's private IP`);
  }
  return text;
}

function validateInstanceId(text: string): string {
  // Accepted in any case (a copy from a console in upper case), given back lower case as AWS has it.
  if (!isEc2Id(text.toLowerCase(), "instance")) {
    throw flagError("--instance-id", `${show(text)} is not an EC2 instance id (i- followed by 8 or 17 hex digits)`);
  }
  return text.toLowerCase();
}

function validateRouter(text: string, privateIp: string | undefined): string {
  if (!isIpv4(text)) throw flagError("--router", `${show(text)} is not an IPv4 address (NTT's ISATAP router, e.g. 192.168.103.254)`);
  const range = ipaddr.IPv4.parse(text).range();
  if (["unspecified", "broadcast", "multicast", "loopback", "linkLocal"].includes(range)) {
    throw flagError("--router", `${show(text)} is a ${range} address and cannot be the ISATAP router`);
  }
  if (text === privateIp) throw flagError("--router", `${show(text)} is the instance's own --private-ip; give NTT's ISATAP router`);
  return text;
}

function validateInterface(text: string): string {
  // Linux allows almost any byte in a name; these names go into shell scripts and nftables
  // unquoted, so only the characters real interface names use are accepted.
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/.test(text)) {
    throw flagError("--interface", `${show(text)} is not a valid interface name (1-15 letters, digits, '.', '_' or '-', not starting with '-' or '.')`);
  }
  if (RESERVED_INTERFACES.has(text)) {
    throw flagError("--interface", `${show(text)} is a device the kernel creates itself; pick another name such as sit1`);
  }
  return text;
}

function validateSecurityGroup(text: string | undefined, instanceId: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  checkId("--security-group", text, "sg");
  if (!instanceId) throw flagError("--security-group", "needs --instance-id (vpcwire checks the group only for an instance it can read)");
  return text;
}

function validateAllow(value: unknown): AllowRule[] {
  if (value === undefined || value === null) return [];
  const chunks = Array.isArray(value) ? value : [value];
  const rules: AllowRule[] = [];
  const seen = new Set<string>();
  for (const chunk of chunks) {
    if (typeof chunk !== "string") throw flagError("--allow", "expects tcp:PORT, udp:PORT, tcp:FROM-TO or icmpv6");
    for (const part of chunk.split(",")) {
      const rule = parseAllowEntry(part.trim());
      if (!seen.has(rule.text)) {
        seen.add(rule.text);
        rules.push(rule);
      }
    }
  }
  return rules;
}

function parseAllowEntry(entry: string): AllowRule {
  if (entry === "") throw flagError("--allow", "has an empty entry (expected e.g. tcp:22,tcp:443)");
  if (/^icmpv6$/i.test(entry)) return { protocol: "icmpv6", text: "icmpv6" };
  const m = /^(tcp|udp):(\d{1,5})(?:-(\d{1,5}))?$/i.exec(entry);
  if (!m) throw flagError("--allow", `${show(entry)} is not tcp:PORT, udp:PORT, tcp:FROM-TO, udp:FROM-TO or icmpv6`);
  const protocol = m[1]!.toLowerCase() as "tcp" | "udp";
  const fromPort = Number(m[2]);
  const toPort = m[3] === undefined ? fromPort : Number(m[3]);
  for (const port of [fromPort, toPort]) {
    if (port < 1 || port > 65535) throw flagError("--allow", `${show(entry)}: port ${port} is outside 1-65535`);
  }
  if (toPort < fromPort) throw flagError("--allow", `${show(entry)}: the range runs backwards (did you mean ${protocol}:${toPort}-${fromPort}?)`);
  const text = fromPort === toPort ? `${protocol}:${fromPort}` : `${protocol}:${fromPort}-${toPort}`;
  return { protocol, fromPort, toPort, text };
}

function validateDnsName(text: string): string {
  const name = text.endsWith(".") ? text.slice(0, -1) : text;
  const labels = name.split(".");
  const labelOk = (l: string) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l);
  if (name.length === 0 || name.length > 253 || labels.length < 2 || !labels.every(labelOk) || /^\d+$/.test(labels[labels.length - 1]!)) {
    throw flagError("--dns-name", `${show(text)} is not a fully qualified host name (e.g. app.example.co.jp)`);
  }
  return name.toLowerCase();
}

function validateIpip(
  raw: Record<string, unknown>,
  context: { privateIp: string | undefined; router: string; iface: string; os: "linux" | "windows" | undefined },
): IpipTunnel | undefined {
  const remoteText = single(raw, "--ipip-remote");
  const localText = single(raw, "--ipip-local-v4");
  const remoteV4Text = single(raw, "--ipip-remote-v4");
  if (remoteText === undefined && localText === undefined && remoteV4Text === undefined) return undefined;

  if (context.os === "windows") throw flagError("--ipip-remote", "applies only to --os linux (Windows has no built-in IPv4-over-IPv6 tunnel)");
  if (remoteText === undefined) throw flagError("--ipip-remote", "is required with --ipip-local-v4/--ipip-remote-v4 (the site router's IPv6 address)");
  if (!isIpv6(remoteText)) throw flagError("--ipip-remote", `${show(remoteText)} is not an IPv6 address (the site router's address on FLET'S)`);
  const remote = ipaddr.IPv6.parse(remoteText);
  const range = remote.range();
  if (["unspecified", "loopback", "linkLocal", "multicast", "ipv4Mapped"].includes(range)) {
    throw flagError("--ipip-remote", `${show(remoteText)} is a ${range} address; give the site router's global IPv6 address`);
  }

  if (localText === undefined) throw flagError("--ipip-local-v4", "is required with --ipip-remote (the VPC-side IPv4 network, e.g. 10.216.0.0/24)");
  const localV4 = cidr("--ipip-local-v4", localText);
  if (context.privateIp !== undefined && !cidrContains(localV4, context.privateIp)) {
    throw flagError("--ipip-local-v4", `${localV4.text} does not contain the instance's --private-ip ${context.privateIp}`);
  }

  if (remoteV4Text === undefined) throw flagError("--ipip-remote-v4", "is required with --ipip-remote (the site's IPv4 network, e.g. 192.168.10.0/24)");
  const remoteV4 = cidr("--ipip-remote-v4", remoteV4Text);
  if (cidrsOverlap(localV4, remoteV4)) throw flagError("--ipip-remote-v4", `${remoteV4.text} overlaps --ipip-local-v4 ${localV4.text}`);
  if (cidrContains(remoteV4, context.router)) {
    // The tunnel rides on sit1, which needs the router over the VPC; routing the router into the tunnel would loop.
    throw flagError("--ipip-remote-v4", `${remoteV4.text} contains the ISATAP --router ${context.router}; the tunnel would route into itself`);
  }
  if (context.iface === IPIP_INTERFACE) throw flagError("--interface", `"${IPIP_INTERFACE}" is the IPIP tunnel's name; pick another name such as sit1`);
  return { remote: remote.toRFC5952String(), localV4: localV4.text, remoteV4: remoteV4.text };
}

function cidr(flag: FletsFlag, text: string): Cidr4 {
  const parsed = parseCidr4(text);
  if (typeof parsed === "string") {
    // parseCidr4 quotes the value as typed; keep its message only when that is safe to print on one line.
    throw flagError(flag, /^[0-9./]+$/.test(text) ? parsed : `${show(text)} is not an IPv4 CIDR block (expected a.b.c.d/n)`);
  }
  if (parsed.text !== text) throw flagError(flag, `${show(text)} is not a canonical IPv4 CIDR block (expected ${parsed.text})`);
  return parsed;
}

// ---------------------------------------------------------------------------------------------

function given(raw: Record<string, unknown>, flag: FletsFlag): boolean {
  const value = raw[FLETS_FLAGS[flag]];
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}

/** A single-valued flag: absent, or exactly one string. */
function single(raw: Record<string, unknown>, flag: FletsFlag): string | undefined {
  const value = raw[FLETS_FLAGS[flag]];
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    if (value.length > 1) throw flagError(flag, "is given more than once");
    return single({ [FLETS_FLAGS[flag]]: value[0] }, flag);
  }
  if (typeof value !== "string") throw flagError(flag, "expects a value");
  return value;
}

function oneOf<T extends string>(flag: FletsFlag, text: string, choices: readonly T[]): T {
  const match = choices.find((c) => c === text.toLowerCase());
  if (match === undefined) throw flagError(flag, `${show(text)} is not one of ${choices.join(", ")}`);
  return match;
}

/** A value as it appears in an error message: quoted, control characters escaped, one line, short. */
function show(text: string): string {
  const quoted = JSON.stringify(text);
  return quoted.length > 70 ? `${quoted.slice(0, 66)}..."` : quoted;
}
