import ipaddr from "ipaddr.js";

/** A parsed IPv4 CIDR block: `network` is the canonical network address. */
export interface Cidr4 {
  network: string;
  prefix: number;
  /** `network/prefix`, canonical. */
  text: string;
}

const DOTTED_QUAD = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** Strict dotted-quad IPv4 (no octal, hex, or short forms that inet_aton would accept). */
export function isIpv4(text: string): boolean {
  // The shape first: anything else (a name, a placeholder) is refused without running ipaddr's parsers,
  // whose patterns are compiled on their first use.
  return DOTTED_QUAD.test(text) && ipaddr.IPv4.isValidFourPartDecimal(text) && !/(^|\.)0\d/.test(text);
}

export function isIpv6(text: string): boolean {
  return ipaddr.IPv6.isValid(text) && !text.includes("%");
}

/**
 * Parse `a.b.c.d/n`. Returns an error message (a rule, without the flag) instead of throwing, so
 * callers can name their own flag.
 */
export function parseCidr4(text: string): Cidr4 | string {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text.trim());
  if (!m || !isIpv4(m[1]!)) return `"${text}" is not an IPv4 CIDR block (expected a.b.c.d/n)`;
  const prefix = Number(m[2]);
  if (prefix > 32) return `"${text}" has a prefix length over 32`;
  const network = networkAddress(m[1]!, prefix);
  if (network !== m[1]) return `"${text}" has host bits set (did you mean ${network}/${prefix}?)`;
  return { network, prefix, text: `${network}/${prefix}` };
}

export function ipv4ToInt(ip: string): number {
  return ipaddr.IPv4.parse(ip)
    .toByteArray()
    .reduce((acc, b) => acc * 256 + b, 0);
}

export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

export function networkAddress(ip: string, prefix: number): string {
  const size = 2 ** (32 - prefix);
  return intToIpv4(Math.floor(ipv4ToInt(ip) / size) * size);
}

/** Dotted netmask for a prefix length, e.g. 30 -> 255.255.255.252. */
export function prefixToMask(prefix: number): string {
  return intToIpv4(2 ** 32 - 2 ** (32 - prefix));
}

export function cidrContains(cidr: Cidr4, ip: string): boolean {
  return networkAddress(ip, cidr.prefix) === cidr.network;
}

export function cidrsOverlap(a: Cidr4, b: Cidr4): boolean {
  return cidrContains(a, b.network) || cidrContains(b, a.network);
}

/** RFC 1918 private IPv4 (10/8, 172.16/12, 192.168/16). */
export function isRfc1918(ip: string): boolean {
  return isIpv4(ip) && ipaddr.IPv4.parse(ip).range() === "private";
}

/** Carrier-grade NAT space, RFC 6598 (100.64.0.0/10). */
export function isRfc6598(ip: string): boolean {
  return isIpv4(ip) && ipaddr.IPv4.parse(ip).range() === "carrierGradeNat";
}

/** A globally routable unicast IPv4 address (not private, loopback, link-local, CGN, multicast, reserved, documentation...). */
export function isPublicIpv4(ip: string): boolean {
  return isIpv4(ip) && ipaddr.IPv4.parse(ip).range() === "unicast";
}

/** TEST-NET-1/2/3 (RFC 5737): not routable, but accepted where a public address is asked for so examples and emulators work. */
export function isDocumentationIpv4(ip: string): boolean {
  if (!isIpv4(ip)) return false;
  return ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"].some((c) => {
    const parsed = parseCidr4(c) as Cidr4;
    return cidrContains(parsed, ip);
  });
}
