import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TunnelOptionLike } from "../../src/net/crypto.js";
import { ipv4ToInt } from "../../src/net/ip.js";
import {
  type BgpPeerModel,
  parseCustomerGatewayConfiguration,
  placeholderVpnConfig,
  type TunnelModel,
  type VpnConfigModel,
  VpnConfigParseError,
  withTunnelOptions,
} from "../../src/render/vpn-xml.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/vpn/${name}`, import.meta.url), "utf8");
const STATIC_XML = fixture("static.xml");
const BGP_XML = fixture("bgp.xml");
const FIXTURE_PSKS = [
  "FAKEkeyTunnelOne_example.0000000",
  "FAKEkeyTunnelTwo_example.0000000",
  "FAKEkeyTunnelOne_bgp.example.000",
  "FAKEkeyTunnelTwo_bgp.example.000",
];

/** The parse must fail with a VpnConfigParseError whose message matches and leaks nothing. */
function expectParseError(xml: string, message: RegExp, opts?: { tunnelOrder?: string[] }, secrets: string[] = FIXTURE_PSKS): void {
  let caught: unknown;
  try {
    parseCustomerGatewayConfiguration(xml, opts);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(VpnConfigParseError);
  const text = (caught as Error).message;
  expect(text).toMatch(message);
  for (const secret of secrets) expect(text).not.toContain(secret);
  expect(text).not.toContain("<?xml");
  expect(text).not.toContain("<ike>");
  expect(text.length).toBeLessThan(300);
}

const AES_SHA1_DEFAULTS = {
  ike: { authenticationProtocol: "sha1", encryptionProtocol: "aes-128-cbc", lifetime: 28800, dhGroup: 2, mode: "main" },
  ipsec: {
    protocol: "esp",
    authenticationProtocol: "hmac-sha1-96",
    encryptionProtocol: "aes-128-cbc",
    lifetime: 3600,
    dhGroup: 2,
    mode: "tunnel",
    clearDfBit: true,
    fragmentationBeforeEncryption: true,
    tcpMssAdjustment: 1379,
    dpdInterval: 10,
    dpdRetries: 3,
  },
};

describe("parseCustomerGatewayConfiguration", () => {
  it("parses a static-routing configuration into the full model", () => {
    const model = parseCustomerGatewayConfiguration(STATIC_XML);
    expect(model).toEqual({
      vpnConnectionId: "vpn-0a1b2c3d4e5f60718",
      customerGatewayId: "cgw-0a1b2c3d4e5f60718",
      vpnGatewayId: "vgw-0a1b2c3d4e5f60718",
      routing: "static",
      tunnels: [
        {
          number: 1,
          customer: { outsideIp: "198.51.100.10", insideIp: "169.254.100.2", insideCidr: "169.254.100.0/30", insideMask: "255.255.255.252" },
          aws: { outsideIp: "203.0.113.21", insideIp: "169.254.100.1" },
          ike: { ...AES_SHA1_DEFAULTS.ike, preSharedKey: "FAKEkeyTunnelOne_example.0000000" },
          ipsec: AES_SHA1_DEFAULTS.ipsec,
        },
        {
          number: 2,
          customer: { outsideIp: "198.51.100.10", insideIp: "169.254.200.2", insideCidr: "169.254.200.0/30", insideMask: "255.255.255.252" },
          aws: { outsideIp: "203.0.113.22", insideIp: "169.254.200.1" },
          ike: { ...AES_SHA1_DEFAULTS.ike, preSharedKey: "FAKEkeyTunnelTwo_example.0000000" },
          ipsec: AES_SHA1_DEFAULTS.ipsec,
        },
      ],
    });
    expect(model.placeholder).toBeUndefined();
  });

  it("parses BGP and orders tunnels by AWS outside IP numerically, not by document or string order", () => {
    // The fixture lists 203.0.113.122 first; as strings it also sorts before 203.0.113.22.
    const model = parseCustomerGatewayConfiguration(BGP_XML);
    expect(model.routing).toBe("bgp");
    expect(model.tunnels.map((t) => t.aws.outsideIp)).toEqual(["203.0.113.22", "203.0.113.122"]);
    expect(model.tunnels.map((t) => t.number)).toEqual([1, 2]);
    const [t1, t2] = model.tunnels;
    expect(t1.ike.preSharedKey).toBe("FAKEkeyTunnelOne_bgp.example.000");
    expect(t1.customer).toEqual({
      outsideIp: "198.51.100.10",
      insideIp: "169.254.44.10",
      insideCidr: "169.254.44.8/30",
      insideMask: "255.255.255.252",
      bgp: { asn: 65010, holdTime: 30 },
    });
    expect(t1.aws).toEqual({ outsideIp: "203.0.113.22", insideIp: "169.254.44.9", bgp: { asn: 64512, holdTime: 30 } });
    expect(t2.aws.insideIp).toBe("169.254.45.13");
    expect(t2.ike.preSharedKey).toBe("FAKEkeyTunnelTwo_bgp.example.000");
  });

  it("orders tunnels as the caller says when tunnelOrder is given", () => {
    const model = parseCustomerGatewayConfiguration(BGP_XML, { tunnelOrder: ["203.0.113.122", "203.0.113.22"] });
    expect(model.tunnels.map((t) => [t.number, t.aws.outsideIp])).toEqual([
      [1, "203.0.113.122"],
      [2, "203.0.113.22"],
    ]);
    expect(model.tunnels[0].ike.preSharedKey).toBe("FAKEkeyTunnelTwo_bgp.example.000");
  });

  it("rejects a tunnelOrder that does not name the tunnels in the XML", () => {
    expectParseError(BGP_XML, /tunnelOrder \(203\.0\.113\.22, 203\.0\.113\.99\) does not match .*203\.0\.113\.122 and 203\.0\.113\.22/, {
      tunnelOrder: ["203.0.113.22", "203.0.113.99"],
    });
    expectParseError(BGP_XML, /tunnelOrder must list the 2 AWS outside IPs/, { tunnelOrder: ["203.0.113.22"] });
    expectParseError(BGP_XML, /a duplicate/, { tunnelOrder: ["203.0.113.22", "203.0.113.22"] });
  });

  it("tolerates a missing XML header, other indentation, CRLF and whitespace around values", () => {
    const reformatted = STATIC_XML.replace(/^<\?xml[^>]*>\s*/, "")
      .replace(/\n\s*/g, "\r\n\t\t")
      .replace(/<ip_address>203\.0\.113\.21<\/ip_address>/, "<ip_address>\n      203.0.113.21\n    </ip_address>")
      .replace("<tcp_mss_adjustment>1379", "<tcp_mss_adjustment>  1379  ");
    expect(reformatted).not.toContain("<?xml");
    expect(parseCustomerGatewayConfiguration(reformatted)).toEqual(parseCustomerGatewayConfiguration(STATIC_XML));
  });

  it("tolerates comments and the mask-only form of inside addresses", () => {
    const xml = STATIC_XML.replace("<ipsec_tunnel>", "<ipsec_tunnel><!-- tunnel #1 -->").replaceAll("<network_cidr>30</network_cidr>", "");
    const model = parseCustomerGatewayConfiguration(xml);
    expect(model.tunnels[0].customer.insideCidr).toBe("169.254.100.0/30");
  });

  it("keeps digit-only values as strings (no number parsing of keys or addresses)", () => {
    const xml = STATIC_XML.replace("FAKEkeyTunnelOne_example.0000000", "12345678901234567890123456789012");
    expect(parseCustomerGatewayConfiguration(xml).tunnels[0].ike.preSharedKey).toBe("12345678901234567890123456789012");
  });

  it("treats a document without <bgp> blocks as static even without vpn_connection_attributes", () => {
    const xml = STATIC_XML.replace(/\s*<vpn_connection_attributes>.*<\/vpn_connection_attributes>/, "");
    expect(parseCustomerGatewayConfiguration(xml).routing).toBe("static");
  });

  it("treats NoBGPVPNConnection as static even if <bgp> blocks are present", () => {
    const xml = BGP_XML.replace(
      "</vpn_connection_type>",
      "</vpn_connection_type>\n  <vpn_connection_attributes>NoBGPVPNConnection</vpn_connection_attributes>",
    );
    expect(parseCustomerGatewayConfiguration(xml).routing).toBe("static");
  });

  it("treats an empty vpn_gateway_id (transit gateway) as absent", () => {
    const xml = STATIC_XML.replace(/<vpn_gateway_id>.*<\/vpn_gateway_id>/, "<vpn_gateway_id/>");
    expect(parseCustomerGatewayConfiguration(xml).vpnGatewayId).toBeUndefined();
  });

  it("rejects a document with one tunnel, saying what is missing and nothing secret", () => {
    const oneTunnel = STATIC_XML.replace(/<ipsec_tunnel>[\s\S]*?<\/ipsec_tunnel>\s*/, "");
    expectParseError(oneTunnel, /expected 2 <ipsec_tunnel> elements, found 1/);
  });

  it("rejects three tunnels and none", () => {
    const tunnel = /<ipsec_tunnel>[\s\S]*?<\/ipsec_tunnel>/.exec(STATIC_XML)![0];
    expectParseError(STATIC_XML.replace("</vpn_connection>", `${tunnel}</vpn_connection>`), /found 3/);
    expectParseError(STATIC_XML.replace(/<ipsec_tunnel>[\s\S]*<\/ipsec_tunnel>/, ""), /found 0/);
  });

  it("names a missing element with its tunnel", () => {
    const xml = STATIC_XML.replace("<tcp_mss_adjustment>1379</tcp_mss_adjustment>", "");
    expectParseError(xml, /<ipsec_tunnel> #1 \(AWS outside IP 203\.0\.113\.21\): missing ipsec\/tcp_mss_adjustment/);
    const noOutside = STATIC_XML.replace("<ip_address>203.0.113.22</ip_address>", "");
    expectParseError(noOutside, /<ipsec_tunnel> #2: missing vpn_gateway\/tunnel_outside_address\/ip_address/);
  });

  it("rejects invalid values without echoing a key", () => {
    expectParseError(STATIC_XML.replace("<lifetime>28800", "<lifetime>8h"), /ike\/lifetime "8h" is not a whole number/);
    expectParseError(STATIC_XML.replace("203.0.113.21", "203.0.113.321"), /"203\.0\.113\.321" is not an IPv4 address/);
    expectParseError(STATIC_XML.replace("<clear_df_bit>true", "<clear_df_bit>yes"), /clear_df_bit "yes" is not true or false/);
    expectParseError(STATIC_XML.replace("<perfect_forward_secrecy>group2", "<perfect_forward_secrecy>modp1024"), /not a Diffie-Hellman group/);
    expectParseError(
      STATIC_XML.replace("169.254.100.1<", "169.254.101.1<"),
      /#1 \(AWS outside IP 203\.0\.113\.21\): customer inside 169\.254\.100\.2 and AWS inside 169\.254\.101\.1 are not in the same network/,
    );
  });

  it("one endpoint twice (an emulator's canned answer) parses in document order, with a warning", () => {
    const model = parseCustomerGatewayConfiguration(STATIC_XML.replace(/<ip_address>203\.0\.113\.22</, "<ip_address>203.0.113.21<"), {
      tunnelOrder: ["203.0.113.21", "203.0.113.22"],
    });
    expect(model.tunnels.map((t) => t.aws.outsideIp)).toEqual(["203.0.113.21", "203.0.113.21"]);
    expect(model.warnings).toEqual([expect.stringContaining("both tunnels in the VPN connection's configuration have the AWS outside IP 203.0.113.21")]);
  });

  it("rejects a malformed pre-shared key without quoting it", () => {
    const bad = "FAKEkey with spaces;\nend";
    const xml = STATIC_XML.replace("FAKEkeyTunnelOne_example.0000000", bad);
    expectParseError(xml, /<ipsec_tunnel> #1 \(AWS outside IP 203\.0\.113\.21\): ike\/pre_shared_key is not 8-64 characters/, undefined, [
      ...FIXTURE_PSKS,
      bad,
      "FAKEkey",
    ]);
  });

  it("never puts a key into an error, even one found in an unexpected place", () => {
    // A corrupted document where the key landed in the outside address.
    const xml = STATIC_XML.replace("<ip_address>203.0.113.21</ip_address>", "<ip_address>FAKEkeyTunnelOne_example.0000000</ip_address>");
    expectParseError(xml, /<redacted>/);
  });

  it("rejects malformed XML without quoting it", () => {
    const truncated = STATIC_XML.slice(0, STATIC_XML.indexOf("FAKEkeyTunnelTwo") + 20);
    expectParseError(truncated, /not well-formed XML \(\w+ at line \d+, column \d+\)/);
    expectParseError(" \n", /the document is empty/);
    expectParseError("<html><body>FAKEkeyTunnelOne_example.0000000</body></html>", /no <vpn_connection> root element/);
  });

  it("rejects half-configured BGP", () => {
    const xml = BGP_XML.replace(/<bgp>\s*<asn>64512<\/asn>\s*<hold_time>30<\/hold_time>\s*<\/bgp>/, "");
    expectParseError(xml, /routing is BGP but <ipsec_tunnel> #1 has no vpn_gateway\/bgp/);
  });

  it("rejects repeated elements instead of picking one", () => {
    const xml = STATIC_XML.replace("<mode>main</mode>", "<mode>main</mode><mode>aggressive</mode>");
    expectParseError(xml, /<mode> appears more than once/);
  });

  // Round trip: any valid model, written as AWS would write it (in any tunnel order, with or
  // without header, any indentation), parses back to itself.
  it("round-trips random valid configurations", () => {
    fc.assert(
      fc.property(modelArb, fc.boolean(), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 4 }), (model, reversed, useOrder, header, indent) => {
        const xml = toXml(model, { reversed, header, indent });
        const parsed = parseCustomerGatewayConfiguration(xml, useOrder ? { tunnelOrder: model.tunnels.map((t) => t.aws.outsideIp) } : {});
        expect(parsed).toEqual(useOrder ? model : sortedByOutsideIp(model));
      }),
      { numRuns: 200 },
    );
  });
});

describe("placeholderVpnConfig", () => {
  it("fills in what is known and marks the rest as placeholders", () => {
    const model = placeholderVpnConfig({
      routing: "bgp",
      customerOutsideIp: "198.51.100.10",
      customerAsn: 65010,
      amazonAsn: 64512,
      tunnel1InsideCidr: "169.254.10.0/30",
    });
    expect(model.placeholder).toBe(true);
    expect(model.vpnConnectionId).toBe("<VPN-CONNECTION-ID>");
    const [t1, t2] = model.tunnels;
    expect(t1.aws.outsideIp).toBe("<AWS-TUNNEL1-OUTSIDE-IP>");
    expect(t2.aws.outsideIp).toBe("<AWS-TUNNEL2-OUTSIDE-IP>");
    expect(t1.ike.preSharedKey).toBe("<TUNNEL1-PSK>");
    expect(t2.ike.preSharedKey).toBe("<TUNNEL2-PSK>");
    expect([t1.aws.insideIp, t1.customer.insideIp, t1.customer.insideCidr]).toEqual(["169.254.10.1", "169.254.10.2", "169.254.10.0/30"]);
    expect([t2.aws.insideIp, t2.customer.insideIp]).toEqual(["<TUNNEL2-AWS-INSIDE-IP>", "<TUNNEL2-CUSTOMER-INSIDE-IP>"]);
    expect(t1.customer.bgp).toEqual({ asn: 65010, holdTime: 30 });
    expect(t1.aws.bgp).toEqual({ asn: 64512, holdTime: 30 });
    expect(t1.ike).toMatchObject({ encryptionProtocol: "aes-128-cbc", authenticationProtocol: "sha1", dhGroup: 2, lifetime: 28800 });
    expect(t1.ipsec).toMatchObject({ lifetime: 3600, tcpMssAdjustment: 1379, dpdInterval: 10, dpdRetries: 3 });
  });

  it("has no BGP blocks for static routing and keeps a given VPN id", () => {
    const model = placeholderVpnConfig({ vpnConnectionId: "vpn-0abc", routing: "static", customerOutsideIp: "198.51.100.10" });
    expect(model.vpnConnectionId).toBe("vpn-0abc");
    expect(model.tunnels[0].customer.bgp).toBeUndefined();
    expect(model.tunnels[1].aws.bgp).toBeUndefined();
  });

  it("rejects inside CIDRs that are not /30 and BGP without ASNs", () => {
    expect(() => placeholderVpnConfig({ routing: "static", customerOutsideIp: "198.51.100.10", tunnel2InsideCidr: "169.254.10.0/29" })).toThrow(
      /tunnel 2 .* not a \/30/,
    );
    expect(() => placeholderVpnConfig({ routing: "bgp", customerOutsideIp: "198.51.100.10" })).toThrow(/ASN/);
    expect(() => placeholderVpnConfig({ routing: "static", customerOutsideIp: "nope" })).toThrow(/IPv4/);
  });
});

// ---------------------------------------------------------------------------------------------
// A tiny writer of AWS's XML layout, for the round-trip property.

const octet = fc.integer({ min: 0, max: 255 });
const publicIp = fc.tuple(fc.integer({ min: 1, max: 223 }), octet, octet, fc.integer({ min: 1, max: 254 })).map((o) => o.join("."));
const insideBase = fc.tuple(octet, fc.integer({ min: 0, max: 63 })).map(([c, d]) => [169, 254, c, d * 4] as const);
const psk = fc.stringMatching(/^[A-Za-z0-9._]{8,64}$/);
const hold = fc.constantFrom(30, 90);

const tunnelArb = (routing: "static" | "bgp", asns: { customer: BgpPeerModel; aws: BgpPeerModel }, cgwIp: string) =>
  fc
    .record({
      awsIp: publicIp,
      inside: insideBase,
      psk: fc.option(psk, { nil: undefined }),
      ikeEnc: fc.constantFrom("aes-128-cbc", "aes-256-cbc", "aes-128-gcm-16"),
      ikeAuth: fc.constantFrom("sha1", "sha2-256", "sha2-512"),
      ikeLifetime: fc.integer({ min: 900, max: 28800 }),
      ikeGroup: fc.constantFrom(2, 14, 19, 24),
      espEnc: fc.constantFrom("aes-128-cbc", "aes-256-cbc"),
      espAuth: fc.constantFrom("hmac-sha1-96", "hmac-sha2-256-128"),
      espLifetime: fc.integer({ min: 900, max: 3600 }),
      espGroup: fc.constantFrom(2, 5, 14),
      clearDf: fc.boolean(),
      fragBefore: fc.boolean(),
      mss: fc.integer({ min: 1200, max: 1406 }),
      dpdInterval: fc.integer({ min: 1, max: 60 }),
      dpdRetries: fc.integer({ min: 1, max: 10 }),
    })
    .map((v): TunnelModel => {
      const [a, b, c, d] = v.inside;
      const t: TunnelModel = {
        number: 1,
        customer: { outsideIp: cgwIp, insideIp: `${a}.${b}.${c}.${d + 2}`, insideCidr: `${a}.${b}.${c}.${d}/30`, insideMask: "255.255.255.252" },
        aws: { outsideIp: v.awsIp, insideIp: `${a}.${b}.${c}.${d + 1}` },
        ike: { authenticationProtocol: v.ikeAuth, encryptionProtocol: v.ikeEnc, lifetime: v.ikeLifetime, dhGroup: v.ikeGroup, mode: "main" },
        ipsec: {
          protocol: "esp",
          authenticationProtocol: v.espAuth,
          encryptionProtocol: v.espEnc,
          lifetime: v.espLifetime,
          dhGroup: v.espGroup,
          mode: "tunnel",
          clearDfBit: v.clearDf,
          fragmentationBeforeEncryption: v.fragBefore,
          tcpMssAdjustment: v.mss,
          dpdInterval: v.dpdInterval,
          dpdRetries: v.dpdRetries,
        },
      };
      if (v.psk !== undefined) t.ike.preSharedKey = v.psk;
      if (routing === "bgp") {
        t.customer.bgp = { ...asns.customer };
        t.aws.bgp = { ...asns.aws };
      }
      return t;
    });

const modelArb: fc.Arbitrary<VpnConfigModel> = fc
  .record({
    routing: fc.constantFrom("static" as const, "bgp" as const),
    cgwIp: publicIp,
    customerAsn: fc.integer({ min: 1, max: 4_294_967_295 }),
    awsAsn: fc.integer({ min: 64512, max: 65534 }),
    customerHold: hold,
    awsHold: hold,
    vgw: fc.option(fc.stringMatching(/^vgw-[0-9a-f]{8,17}$/), { nil: undefined }),
    hex: fc.stringMatching(/^[0-9a-f]{17}$/),
  })
  .chain((g) => {
    const asns = { customer: { asn: g.customerAsn, holdTime: g.customerHold }, aws: { asn: g.awsAsn, holdTime: g.awsHold } };
    const tunnel = tunnelArb(g.routing, asns, g.cgwIp);
    return fc
      .tuple(tunnel, tunnel)
      .filter(([a, b]) => a.aws.outsideIp !== b.aws.outsideIp)
      .map(([a, b]): VpnConfigModel => {
        const model: VpnConfigModel = {
          vpnConnectionId: `vpn-${g.hex}`,
          customerGatewayId: `cgw-${g.hex}`,
          routing: g.routing,
          tunnels: [
            { ...a, number: 1 },
            { ...b, number: 2 },
          ],
        };
        if (g.vgw !== undefined) model.vpnGatewayId = g.vgw;
        return model;
      });
  });

function sortedByOutsideIp(model: VpnConfigModel): VpnConfigModel {
  const [a, b] = [...model.tunnels].sort((x, y) => ipv4ToInt(x.aws.outsideIp) - ipv4ToInt(y.aws.outsideIp)) as [TunnelModel, TunnelModel];
  return {
    ...model,
    tunnels: [
      { ...a, number: 1 },
      { ...b, number: 2 },
    ],
  };
}

type Tree = { [name: string]: string | number | boolean | Tree | undefined };

function toXml(model: VpnConfigModel, opts: { reversed: boolean; header: boolean; indent: number }): string {
  const pad = (depth: number) => (opts.indent === 0 ? "" : `\n${" ".repeat(opts.indent * depth)}`);
  const write = (tree: Tree, depth: number): string =>
    Object.entries(tree)
      .filter(([, v]) => v !== undefined)
      .map(([name, v]) => `${pad(depth)}<${name}>${typeof v === "object" ? write(v, depth + 1) + pad(depth) : String(v)}</${name}>`)
      .join("");
  const bgp = (peer: BgpPeerModel | undefined): Tree | undefined => (peer ? { asn: peer.asn, hold_time: peer.holdTime } : undefined);
  const inside = (ip: string): Tree => ({ ip_address: ip, network_mask: "255.255.255.252", network_cidr: 30 });
  const tunnel = (t: TunnelModel): Tree => ({
    customer_gateway: {
      tunnel_outside_address: { ip_address: t.customer.outsideIp },
      tunnel_inside_address: inside(t.customer.insideIp),
      bgp: bgp(t.customer.bgp),
    },
    vpn_gateway: { tunnel_outside_address: { ip_address: t.aws.outsideIp }, tunnel_inside_address: inside(t.aws.insideIp), bgp: bgp(t.aws.bgp) },
    ike: {
      authentication_protocol: t.ike.authenticationProtocol,
      encryption_protocol: t.ike.encryptionProtocol,
      lifetime: t.ike.lifetime,
      perfect_forward_secrecy: `group${t.ike.dhGroup}`,
      mode: t.ike.mode,
      pre_shared_key: t.ike.preSharedKey,
    },
    ipsec: {
      protocol: t.ipsec.protocol,
      authentication_protocol: t.ipsec.authenticationProtocol,
      encryption_protocol: t.ipsec.encryptionProtocol,
      lifetime: t.ipsec.lifetime,
      perfect_forward_secrecy: `group${t.ipsec.dhGroup}`,
      mode: t.ipsec.mode,
      clear_df_bit: t.ipsec.clearDfBit,
      fragmentation_before_encryption: t.ipsec.fragmentationBeforeEncryption,
      tcp_mss_adjustment: t.ipsec.tcpMssAdjustment,
      dead_peer_detection: { interval: t.ipsec.dpdInterval, retries: t.ipsec.dpdRetries },
    },
  });
  const tunnels = opts.reversed ? [...model.tunnels].reverse() : model.tunnels;
  const head = write(
    {
      customer_gateway_id: model.customerGatewayId,
      vpn_gateway_id: model.vpnGatewayId,
      vpn_connection_type: "ipsec.1",
      vpn_connection_attributes: model.routing === "static" ? "NoBGPVPNConnection" : undefined,
    },
    1,
  );
  const body = tunnels.map((t) => `${pad(1)}<ipsec_tunnel>${write(tunnel(t), 2)}${pad(1)}</ipsec_tunnel>`).join("");
  const decl = opts.header ? '<?xml version="1.0" encoding="UTF-8"?>\n' : "";
  return `${decl}<vpn_connection id="${model.vpnConnectionId}">${head}${body}${pad(0)}</vpn_connection>\n`;
}

describe("withTunnelOptions", () => {
  const model = parseCustomerGatewayConfiguration(BGP_XML);
  const option = (ip: string, extra: TunnelOptionLike = {}): TunnelOptionLike => ({
    OutsideIpAddress: ip,
    IkeVersions: [{ Value: "ikev2" }],
    Phase1DHGroupNumbers: [{ Value: 20 }],
    Phase1LifetimeSeconds: 14_400,
    Phase2LifetimeSeconds: 1_800,
    DpdTimeoutSeconds: 30,
    DpdTimeoutAction: "restart",
    StartupAction: "start",
    ...extra,
  });

  it("matches the options to the tunnels by AWS outside IP, whatever their order", () => {
    const [ip1, ip2] = model.tunnels.map((t) => t.aws.outsideIp) as [string, string];
    const merged = withTunnelOptions(model, [option(ip2, { Phase2DHGroupNumbers: [{ Value: 19 }] }), option(ip1, { Phase2DHGroupNumbers: [{ Value: 21 }] })]);
    expect(merged.tunnels[0].options?.phase2.dhGroups).toEqual([21]);
    expect(merged.tunnels[1].options?.phase2.dhGroups).toEqual([19]);
    expect(merged.tunnels[0].options).toMatchObject({ ikeVersions: ["ikev2"], dpdTimeoutAction: "restart", startupAction: "start", dpdTimeoutSeconds: 30 });
    // Lifetimes come from the options; keys and addresses stay the XML's.
    expect(merged.tunnels[0].ike.lifetime).toBe(14_400);
    expect(merged.tunnels[0].ipsec.lifetime).toBe(1_800);
    expect(merged.tunnels[0].ike.preSharedKey).toBe(model.tunnels[0].ike.preSharedKey);
    expect(merged.tunnels[1].customer).toEqual(model.tunnels[1].customer);
    expect(merged.warnings).toBeUndefined();
    // The input model is left as it was.
    expect(model.tunnels[0].options).toBeUndefined();
    expect(model.tunnels[0].ike.lifetime).toBe(28_800);
  });

  it("takes the options in order, with a warning, when their IPs do not match the XML's (emulators)", () => {
    const merged = withTunnelOptions(model, [option("192.0.2.1", { Phase1DHGroupNumbers: [{ Value: 14 }] }), option("192.0.2.2")]);
    expect(merged.tunnels[0].options?.phase1.dhGroups).toEqual([14]);
    expect(merged.warnings?.[0]).toMatch(/outside IPs \(192\.0\.2\.1, 192\.0\.2\.2\) do not match .* taking the options in order/);
  });

  it("says when the connection lists no options, and reports values AWS does not document", () => {
    expect(withTunnelOptions(model, undefined).warnings).toEqual([
      "the VPN connection lists no tunnel options; the router config follows the tunnel configuration XML's algorithms",
    ]);
    const [ip1, ip2] = model.tunnels.map((t) => t.aws.outsideIp) as [string, string];
    const odd = withTunnelOptions(model, [option(ip1, { Phase1EncryptionAlgorithms: [{ Value: "CHACHA20" }] }), option(ip2)]);
    expect(odd.warnings).toEqual(["tunnel 1: ignoring tunnel option values AWS does not document: Phase1EncryptionAlgorithms CHACHA20"]);
  });

  it("a placeholder model takes the options in order, silently (the preview's requested crypto)", () => {
    const preview = placeholderVpnConfig({ routing: "static", customerOutsideIp: "198.51.100.10" });
    const merged = withTunnelOptions(preview, [option("ignored"), option("ignored", { IkeVersions: [{ Value: "ikev1" }] })]);
    expect(merged.tunnels[1].options?.ikeVersions).toEqual(["ikev1"]);
    expect(merged.warnings).toBeUndefined();
    expect(merged.placeholder).toBe(true);
  });
});
