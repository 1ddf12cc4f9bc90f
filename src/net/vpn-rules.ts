/**
 * Site-to-Site VPN input rules (shared/docs/aws-facts.md section 2). Each check returns an error
 * message (the rule, without the flag) or undefined, so callers name their own flag.
 */
import { type Cidr4, parseCidr4 } from "./ip.js";

/**
 * AWS's pre-shared key rule, the one vpcwire applies everywhere a key is checked: 8–64 characters
 * of letters, digits, `.` and `_`, not starting with `0` (shared/docs/aws-facts.md section 2.1).
 */
export const PSK_RE = /^(?!0)[A-Za-z0-9._]{8,64}$/;

/** The rule as words, for messages that must not show the key. */
export const PSK_RULE = "8-64 characters from [A-Za-z0-9._], not starting with 0";

export function isPsk(psk: string): boolean {
  return PSK_RE.test(psk);
}

export function checkPsk(psk: string): string | undefined {
  if (psk.length < 8 || psk.length > 64) return "a pre-shared key must be 8 to 64 characters long";
  if (psk.startsWith("0")) return "a pre-shared key must not start with 0";
  if (!PSK_RE.test(psk)) return "a pre-shared key may contain only letters, digits, '.' and '_'";
  return undefined;
}

/** /30 blocks inside 169.254.0.0/16 that AWS refuses as tunnel inside CIDRs. */
export const RESERVED_INSIDE_CIDRS = [
  "169.254.0.0/30",
  "169.254.1.0/30",
  "169.254.2.0/30",
  "169.254.3.0/30",
  "169.254.4.0/30",
  "169.254.5.0/30",
  "169.254.169.252/30",
];

export function checkInsideCidr(text: string): string | undefined {
  const parsed = parseCidr4(text);
  if (typeof parsed === "string") return parsed;
  if (parsed.prefix !== 30) return `"${text}" must be a /30`;
  if (!parsed.network.startsWith("169.254.")) return `"${text}" must be inside 169.254.0.0/16`;
  if (RESERVED_INSIDE_CIDRS.includes(parsed.text)) return `"${text}" is reserved by AWS (${RESERVED_INSIDE_CIDRS.join(", ")})`;
  return undefined;
}

/** Amazon side of a virtual private gateway: private ASNs only. */
export function checkAmazonAsn(asn: number): string | undefined {
  if (!Number.isInteger(asn)) return "must be a whole number";
  if ((asn >= 64512 && asn <= 65534) || (asn >= 4_200_000_000 && asn <= 4_294_967_294)) return undefined;
  return `${asn} is not a private ASN (64512-65534 or 4200000000-4294967294)`;
}

/**
 * ASNs AWS reserves and refuses for customer gateways: 7224 everywhere, plus one per Region.
 * Singapore appears as 17943 on one AWS page and 17493 on another; both are refused.
 */
export const RESERVED_CGW_ASNS: Record<string, number[]> = {
  "*": [7224],
  "eu-west-1": [9059],
  "ap-northeast-1": [10124],
  "ap-southeast-1": [17943, 17493],
};

export function checkCustomerAsn(asn: number, region?: string): string | undefined {
  if (!Number.isInteger(asn) || asn < 1 || asn > 4_294_967_295) return `${asn} is outside 1-4294967295`;
  const reserved = [...RESERVED_CGW_ASNS["*"]!, ...(region ? (RESERVED_CGW_ASNS[region] ?? []) : [])];
  if (reserved.includes(asn)) return `${asn} is reserved by AWS${region ? ` in ${region}` : ""} and cannot be a customer gateway ASN`;
  if (!region && Object.values(RESERVED_CGW_ASNS).flat().includes(asn)) {
    return `${asn} is reserved by AWS in some Regions and cannot be a customer gateway ASN`;
  }
  return undefined;
}

/** Parse an ASN typed by a user (`65000`, also asdot `1.10`). */
export function parseAsn(text: string): number | undefined {
  const t = text.trim();
  if (/^\d{1,10}$/.test(t)) return Number(t);
  const m = /^(\d{1,5})\.(\d{1,5})$/.exec(t);
  if (m && Number(m[1]) <= 65535 && Number(m[2]) <= 65535) return Number(m[1]) * 65536 + Number(m[2]);
  return undefined;
}

export type { Cidr4 };
