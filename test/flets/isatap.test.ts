import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { describe, expect, it } from "vitest";
import { isPublicIpv4 } from "../../src/net/ip.js";
import { isatapAddress, isatapInterfaceId, isatapLinkLocal } from "../../src/net/isatap.js";

const group = fc.integer({ min: 0, max: 0xffff });
/** A /64 as four groups, biased towards zero groups so `::` compression gets exercised. */
const prefixGroups = fc.tuple(...[0, 1, 2, 3].map(() => fc.oneof(fc.constant(0), group))) as fc.Arbitrary<number[]>;
const octet = fc.integer({ min: 0, max: 255 });
const rfc1918 = fc.oneof(
  fc.tuple(octet, octet, octet).map(([b, c, d]) => `10.${b}.${c}.${d}`),
  fc.tuple(fc.integer({ min: 16, max: 31 }), octet, octet).map(([b, c, d]) => `172.${b}.${c}.${d}`),
  fc.tuple(octet, octet).map(([c, d]) => `192.168.${c}.${d}`),
);

function prefixText(groups: number[]): string {
  return `${new ipaddr.IPv6([...groups, 0, 0, 0, 0]).toRFC5952String()}/64`;
}

function v4Groups(ipv4: string): [number, number] {
  const [a, b, c, d] = ipaddr.IPv4.parse(ipv4).octets as [number, number, number, number];
  return [(a << 8) | b, (c << 8) | d];
}

describe("isatapAddress: the seed's example", () => {
  it("derives 2001:db8::5efe:10.216.0.101 for 10.216.0.101 in 2001:db8::/64", () => {
    expect(isatapAddress("2001:db8::/64", "10.216.0.101")).toEqual({
      dotted: "2001:db8::5efe:10.216.0.101",
      hex: "2001:0db8:0000:0000:0000:5efe:0ad8:0065",
      compressed: "2001:db8::5efe:ad8:65",
    });
  });

  it("derives the router's next hop 2001:db8::5efe:192.168.103.254", () => {
    const gw = isatapAddress("2001:db8::/64", "192.168.103.254");
    expect(gw.dotted).toBe("2001:db8::5efe:192.168.103.254");
    expect(gw.compressed).toBe("2001:db8::5efe:c0a8:67fe");
  });

  it("is the same address NTT writes as 2001:db8::0:5efe:10.216.0.101", () => {
    const ours = ipaddr.IPv6.parse(isatapAddress("2001:db8::/64", "10.216.0.101").dotted);
    expect(ours.toNormalizedString()).toBe(ipaddr.IPv6.parse("2001:db8::0:5efe:10.216.0.101").toNormalizedString());
  });

  it("accepts the prefix without /64", () => {
    expect(isatapAddress("2001:db8::", "10.216.0.101").dotted).toBe("2001:db8::5efe:10.216.0.101");
  });
});

describe("isatapAddress: notation", () => {
  it.each([
    ["2001:db8:1:2::/64", "10.0.0.1", "2001:db8:1:2:0:5efe:10.0.0.1"], // a single zero group is not compressed
    ["2001:0:0:1::/64", "10.0.0.1", "2001::1:0:5efe:10.0.0.1"], // the longest run wins, not the last
    ["2001:0:0:1::/64", "192.168.0.1", "2001::1:0:5efe:192.168.0.1"],
    ["::/64", "10.0.0.1", "::5efe:10.0.0.1"],
    ["1::/64", "8.8.8.8", "1::200:5efe:8.8.8.8"], // public IPv4: u bit set
    ["2001:DB8::/64", "172.16.0.1", "2001:db8::5efe:172.16.0.1"], // lower case out
  ])("%s + %s -> %s", (prefix, v4, dotted) => {
    expect(isatapAddress(prefix, v4).dotted).toBe(dotted);
  });

  it("uses 0000:5efe for private, shared and documentation IPv4 and 0200:5efe for public IPv4 (RFC 5214 §6.1)", () => {
    expect(isatapInterfaceId("10.216.0.101").slice(0, 2)).toEqual([0, 0x5efe]);
    expect(isatapInterfaceId("100.64.0.1").slice(0, 2)).toEqual([0, 0x5efe]);
    expect(isatapInterfaceId("192.0.2.10").slice(0, 2)).toEqual([0, 0x5efe]);
    expect(isatapInterfaceId("8.8.8.8").slice(0, 2)).toEqual([0x0200, 0x5efe]);
  });

  it("gives the link-local address fe80::5efe:<v4>", () => {
    expect(isatapLinkLocal("192.0.2.10")).toEqual({
      dotted: "fe80::5efe:192.0.2.10",
      hex: "fe80:0000:0000:0000:0000:5efe:c000:020a",
      compressed: "fe80::5efe:c000:20a",
    });
  });

  it.each([
    ["2001:db8::/48", "10.0.0.1"],
    ["2001:db8::1/64", "10.0.0.1"],
    ["2001:db8::/64", "10.0.0"],
    ["10.0.0.0/64", "10.0.0.1"],
    ["2001:db8::/64", "010.0.0.1"],
  ])("throws on %s + %s (inputs are validated before they get here)", (prefix, v4) => {
    expect(() => isatapAddress(prefix, v4)).toThrow();
  });
});

describe("isatapAddress: properties (RFC 5214 form)", () => {
  it("keeps the prefix, puts 0000:5efe in bits 64-95 and the IPv4 in the last 32 bits for private IPv4", () => {
    fc.assert(
      fc.property(prefixGroups, rfc1918, (prefix, v4) => {
        const { hex } = isatapAddress(prefixText(prefix), v4);
        const parts = ipaddr.IPv6.parse(hex).parts;
        expect(parts.slice(0, 4)).toEqual(prefix);
        expect(parts.slice(4, 6)).toEqual([0x0000, 0x5efe]);
        expect(parts.slice(6)).toEqual(v4Groups(v4));
      }),
    );
  });

  it("sets the u bit exactly for globally unique IPv4, for any IPv4", () => {
    fc.assert(
      fc.property(prefixGroups, fc.ipV4(), (prefix, v4) => {
        const parts = ipaddr.IPv6.parse(isatapAddress(prefixText(prefix), v4).hex).parts;
        expect(parts[4]).toBe(isPublicIpv4(v4) ? 0x0200 : 0x0000);
        expect(parts[5]).toBe(0x5efe);
        expect(parts.slice(6)).toEqual(v4Groups(v4));
      }),
    );
  });

  it("writes one address three ways: dotted, hex and compressed all parse to the same 128 bits", () => {
    fc.assert(
      fc.property(prefixGroups, fc.ipV4(), (prefix, v4) => {
        const a = isatapAddress(prefixText(prefix), v4);
        const normal = ipaddr.IPv6.parse(a.hex).toNormalizedString();
        expect(ipaddr.IPv6.parse(a.dotted).toNormalizedString()).toBe(normal);
        expect(ipaddr.IPv6.parse(a.compressed).toNormalizedString()).toBe(normal);
        expect(a.hex).toMatch(/^(?:[0-9a-f]{4}:){7}[0-9a-f]{4}$/);
        expect(a.compressed).toBe(ipaddr.IPv6.parse(a.hex).toRFC5952String());
      }),
    );
  });

  it("writes the dotted form the RFC 5952 way (same zero compression as ipaddr.js gives the hex form)", () => {
    fc.assert(
      fc.property(prefixGroups, fc.ipV4(), (prefix, v4) => {
        const a = isatapAddress(prefixText(prefix), v4);
        // Reference: with the last two groups non-zero, RFC 5952 picks the same '::' among the first six groups.
        const parts = ipaddr.IPv6.parse(a.hex).parts;
        const reference = new ipaddr.IPv6([...parts.slice(0, 6), 0xffff, 0xffff]).toRFC5952String();
        expect(reference.endsWith(":ffff:ffff")).toBe(true);
        expect(a.dotted).toBe(`${reference.slice(0, -"ffff:ffff".length)}${v4}`);
      }),
    );
  });

  it("link-local is the same interface id under fe80::/64", () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        expect(isatapLinkLocal(v4)).toEqual(isatapAddress("fe80::/64", v4));
        expect(ipaddr.IPv6.parse(isatapLinkLocal(v4).hex).range()).toBe("linkLocal");
      }),
    );
  });
});
