import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAllowToken, permissionCovers, toIpPermission } from "../../src/net/allow.js";
import { type Cidr4, cidrsOverlap, ipv4ToInt, isDocumentationIpv4, isPublicIpv4, isRfc1918, networkAddress, parseCidr4 } from "../../src/net/ip.js";
import { checkAmazonAsn, checkCustomerAsn, checkInsideCidr, checkPsk, parseAsn, RESERVED_INSIDE_CIDRS } from "../../src/net/vpn-rules.js";

const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join("."));

describe("pre-shared keys", () => {
  it("accepts exactly the documented alphabet and length, never a leading 0", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."abcXYZ019._-!@ "), minLength: 0, maxLength: 70 }), (key) => {
        const ok = key.length >= 8 && key.length <= 64 && !key.startsWith("0") && /^[A-Za-z0-9._]+$/.test(key);
        expect(checkPsk(key) === undefined).toBe(ok);
      }),
    );
  });
  it("says which rule failed", () => {
    expect(checkPsk("short")).toMatch(/8 to 64/);
    expect(checkPsk("0abcdefgh")).toMatch(/must not start with 0/);
    expect(checkPsk("abcdefgh-")).toMatch(/letters, digits/);
  });
});

describe("tunnel inside CIDRs", () => {
  it("accepts every non-reserved /30 of 169.254.0.0/16", () => {
    fc.assert(
      fc.property(octet, fc.integer({ min: 0, max: 63 }), (third, quad) => {
        const cidr = `169.254.${third}.${quad * 4}/30`;
        expect(checkInsideCidr(cidr) === undefined).toBe(!RESERVED_INSIDE_CIDRS.includes(cidr));
      }),
    );
  });
  it("rejects other sizes, other ranges, host bits, and the reserved blocks", () => {
    expect(checkInsideCidr("169.254.10.0/29")).toMatch(/must be a \/30/);
    expect(checkInsideCidr("10.0.0.0/30")).toMatch(/inside 169\.254\.0\.0\/16/);
    expect(checkInsideCidr("169.254.10.1/30")).toMatch(/host bits/);
    for (const r of RESERVED_INSIDE_CIDRS) expect(checkInsideCidr(r)).toMatch(/reserved/);
  });
});

describe("ASNs", () => {
  it("Amazon side: private ranges only", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_294_967_295 }), (asn) => {
        const ok = (asn >= 64512 && asn <= 65534) || (asn >= 4_200_000_000 && asn <= 4_294_967_294);
        expect(checkAmazonAsn(asn) === undefined).toBe(ok);
      }),
    );
  });
  it("customer side: 1..4294967295 minus the reserved ones", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4_294_967_295 }), (asn) => {
        const reserved = [7224, 9059, 10124, 17943, 17493].includes(asn);
        expect(checkCustomerAsn(asn) === undefined).toBe(!reserved);
      }),
    );
    expect(checkCustomerAsn(10124, "ap-northeast-1")).toMatch(/reserved by AWS in ap-northeast-1/);
    expect(checkCustomerAsn(10124, "us-east-1")).toBeUndefined();
    expect(checkCustomerAsn(7224, "us-east-1")).toMatch(/reserved/);
    expect(checkCustomerAsn(0)).toMatch(/outside/);
  });
  it("parses plain and asdot forms", () => {
    expect(parseAsn("65000")).toBe(65000);
    expect(parseAsn("1.10")).toBe(65546);
    expect(parseAsn("AS65000")).toBeUndefined();
  });
});

describe("addresses", () => {
  it("overlap is symmetric and agrees with comparing first and last addresses", () => {
    const cidr = fc.tuple(ipv4, fc.integer({ min: 0, max: 32 })).map(([ip, prefix]) => parseCidr4(`${networkAddress(ip, prefix)}/${prefix}`) as Cidr4);
    const range = (c: Cidr4) => [ipv4ToInt(c.network), ipv4ToInt(c.network) + 2 ** (32 - c.prefix) - 1] as const;
    fc.assert(
      fc.property(cidr, cidr, (a, b) => {
        const [a0, a1] = range(a);
        const [b0, b1] = range(b);
        expect(cidrsOverlap(a, b)).toBe(cidrsOverlap(b, a));
        expect(cidrsOverlap(a, b)).toBe(a0 <= b1 && b0 <= a1);
      }),
    );
  });
  it("public means globally routable (documentation ranges are accepted separately)", () => {
    expect(isPublicIpv4("8.8.8.8")).toBe(true);
    expect(isPublicIpv4("10.1.2.3")).toBe(false);
    expect(isPublicIpv4("100.64.0.1")).toBe(false);
    expect(isPublicIpv4("169.254.1.1")).toBe(false);
    expect(isPublicIpv4("01.2.3.4")).toBe(false);
    expect(isDocumentationIpv4("203.0.113.10")).toBe(true);
    expect(isRfc1918("172.16.0.10")).toBe(true);
    expect(isRfc1918("172.32.0.10")).toBe(false);
  });
});

describe("security-group allow rules", () => {
  it("parses names and port forms, rejects the rest", () => {
    expect(parseAllowToken("ssh")).toMatchObject({ protocol: "tcp", fromPort: 22, toPort: 22 });
    expect(parseAllowToken("udp:500-501")).toMatchObject({ protocol: "udp", fromPort: 500, toPort: 501 });
    expect(parseAllowToken("all")).toMatchObject({ protocol: "-1" });
    expect(parseAllowToken("tcp:0")).toMatch(/1-65535/);
    expect(parseAllowToken("tcp:90-80")).toMatch(/low to high/);
    expect(parseAllowToken("gre")).toMatch(/is not one of/);
  });
  it("a rule always covers the permission built from it", () => {
    fc.assert(
      fc.property(fc.constantFrom("tcp", "udp"), fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 0, max: 100 }), (proto, from, span) => {
        const to = Math.min(65535, from + span);
        const rule = parseAllowToken(`${proto}:${from}-${to}`);
        if (typeof rule === "string") throw new Error(rule);
        expect(permissionCovers(toIpPermission(rule, "10.0.0.0/8", "x"), rule, "10.0.0.0/8")).toBe(true);
        expect(permissionCovers(toIpPermission(rule, "10.0.0.0/8", "x"), rule, "10.0.0.0/16")).toBe(false);
      }),
    );
  });
});
