import ipaddr from "ipaddr.js";
import { isIpv4, isIpv6, isPublicIpv4 } from "./ip.js";

/**
 * One ISATAP address written three ways. All three name the same 128 bits; which one to show
 * depends on the reader: NTT's documents and Windows print the dotted form, iproute2 (`ip -6 addr`)
 * prints the compressed hex form, and the expanded form is unambiguous for comparing by eye.
 */
export interface IsatapAddress {
  /** Mixed notation with the IPv4 address at the end, e.g. `2001:db8::5efe:10.216.0.101`. */
  dotted: string;
  /** Every group written out in four hex digits, e.g. `2001:0db8:0000:0000:0000:5efe:0ad8:0065`. */
  hex: string;
  /** RFC 5952 text, e.g. `2001:db8::5efe:ad8:65` (what `ip -6 addr show` prints). */
  compressed: string;
}

/**
 * The 64-bit ISATAP interface identifier for an IPv4 address, as four 16-bit groups
 * (RFC 5214 §6.1: modified EUI-64 from the IANA OUI 00-00-5E, type 0xFE, then the IPv4 address).
 *
 * The u/l bit: RFC 5214 sets it to 1 only when the IPv4 address is known to be globally unique.
 * We follow the RFC and decide that with ipaddr.js's range check (`unicast` = globally routable).
 * Private (RFC 1918), shared (100.64/10), documentation and other special-purpose IPv4 addresses
 * give `0000:5efe:<v4>`; a public IPv4 gives `0200:5efe:<v4>`. vpcwire only accepts an RFC 1918
 * `--private-ip`, and NTT's Cloud Gateway router is a private address too, so in practice every
 * address vpcwire renders is the `::5efe:` form NTT's own setup uses. The Linux kernel's ISATAP
 * driver takes the IPv4 next hop from the last 32 bits and accepts either u-bit form, so a route
 * via a `::5efe:` gateway works whichever form the router itself chose.
 */
export function isatapInterfaceId(ipv4: string): [number, number, number, number] {
  if (!isIpv4(ipv4)) throw new TypeError(`isatapInterfaceId: not a dotted-quad IPv4 address: ${JSON.stringify(ipv4)}`);
  const [a, b, c, d] = ipaddr.IPv4.parse(ipv4).octets as [number, number, number, number];
  return [isPublicIpv4(ipv4) ? 0x0200 : 0x0000, 0x5efe, (a << 8) | b, (c << 8) | d];
}

/**
 * The ISATAP address for `ipv4` in a /64 (RFC 5214 §6.1): the prefix's 64 bits, then
 * {@link isatapInterfaceId}. `prefix64` is `2001:db8::/64` or just `2001:db8::`; anything else
 * (another length, host bits set, not IPv6) is a programming error here, because inputs are
 * validated before they reach this function.
 *
 * @example isatapAddress("2001:db8::/64", "10.216.0.101").dotted === "2001:db8::5efe:10.216.0.101"
 */
export function isatapAddress(prefix64: string, ipv4: string): IsatapAddress {
  const parts = [...prefixGroups(prefix64), ...isatapInterfaceId(ipv4)];
  const address = new ipaddr.IPv6(parts);
  return {
    dotted: mixedNotation(parts, ipaddr.IPv4.parse(ipv4).octets.join(".")),
    hex: parts.map((p) => p.toString(16).padStart(4, "0")).join(":"),
    compressed: address.toRFC5952String(),
  };
}

/** The ISATAP link-local address for `ipv4`: `fe80::5efe:<v4>` (the kernel adds it when the tunnel comes up). */
export function isatapLinkLocal(ipv4: string): IsatapAddress {
  return isatapAddress("fe80::/64", ipv4);
}

function prefixGroups(prefix64: string): number[] {
  const m = /^([0-9A-Fa-f:.]+)(?:\/(\d{1,3}))?$/.exec(prefix64);
  if (!m || !isIpv6(m[1]!)) throw new TypeError(`isatapAddress: not an IPv6 prefix: ${JSON.stringify(prefix64)}`);
  if (m[2] !== undefined && Number(m[2]) !== 64) {
    throw new RangeError(`isatapAddress: ISATAP needs a /64, got /${m[2]}`);
  }
  const parts = ipaddr.IPv6.parse(m[1]!).parts;
  if (parts.slice(4).some((p) => p !== 0)) {
    throw new RangeError(`isatapAddress: ${prefix64} has bits set beyond the first 64`);
  }
  return parts.slice(0, 4);
}

/**
 * RFC 5952 text for the first six groups followed by the dotted IPv4 (RFC 5952 §5 mixed notation):
 * the longest run of two or more zero groups becomes `::` (the first one on a tie), a single zero
 * group stays `0`. ipaddr.js prints mixed notation only for IPv4-mapped addresses, hence this.
 */
function mixedNotation(parts: number[], ipv4: string): string {
  const head = parts.slice(0, 6);
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < head.length; ) {
    if (head[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < head.length && head[j] === 0) j += 1;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const groups = head.map((p) => p.toString(16));
  if (bestLength < 2) return `${groups.join(":")}:${ipv4}`;
  const left = groups.slice(0, bestStart).join(":");
  const right = groups.slice(bestStart + bestLength).join(":");
  return `${left}::${right === "" ? "" : `${right}:`}${ipv4}`;
}
