import { describe, expect, it } from "vitest";
import { type TunnelCrypto, tunnelCrypto } from "../../src/net/crypto.js";
import { placeholderVpnConfig, type VpnConfigModel, withTunnelOptions } from "../../src/render/vpn-xml.js";
import { sampleAlgorithms, sampleHeader, sampleIkeVersion, weakerThanConnection } from "../../src/vpn/connection-config.js";
import { type AwsDeviceType, matchDeviceTypes, nearestRenderer, nearOwnDevice, parseDeviceFlag, pickDeviceType } from "../../src/vpn/device.js";
import { DEFAULT_DEVICE_TYPES } from "../fakes/ec2-vpn-devices.js";
import { expectGolden } from "../helpers/golden.js";

const TYPES: AwsDeviceType[] = DEFAULT_DEVICE_TYPES.map((t) => ({
  id: t.VpnConnectionDeviceTypeId,
  vendor: t.Vendor,
  platform: t.Platform,
  software: t.Software,
}));
const byId = (id: string) => TYPES.find((t) => t.id === id)!;

describe("--device parsing (no AWS)", () => {
  it("a search a letter or two off one of vpcwire's own devices is taken for a typo of it", () => {
    expect(nearOwnDevice("strongwan")).toBe("strongswan");
    expect(nearOwnDevice("CSR100V")).toBe("csr1000v");
    expect(nearOwnDevice("ios_xe")).toBe("ios-xe");
    expect(nearOwnDevice("Cisco ASA")).toBeUndefined();
    expect(nearOwnDevice("Yamaha")).toBeUndefined();
    expect(() => pickDeviceType(TYPES, { kind: "aws-search", search: "strongwan", text: "strongwan" })).toThrow(
      /matches none of AWS's \d+ device types .*; did you mean strongswan\?$/,
    );
  });

  it("own renderers and their aliases, case-insensitive", () => {
    expect(parseDeviceFlag("csr1000v")).toEqual({ kind: "own", name: "csr1000v", renderer: "csr1000v" });
    expect(parseDeviceFlag("IOS-XE")).toEqual({ kind: "own", name: "ios-xe", renderer: "csr1000v" });
    expect(parseDeviceFlag("catalyst8000v")).toEqual({ kind: "own", name: "catalyst8000v", renderer: "csr1000v" });
    expect(parseDeviceFlag("strongswan")).toEqual({ kind: "own", name: "strongswan", renderer: "strongswan" });
  });

  it("aws:<id> and searches; anything else is a usage error naming the flag", () => {
    expect(parseDeviceFlag("aws:4e5a6c01")).toEqual({ kind: "aws-id", id: "4e5a6c01", text: "aws:4e5a6c01" });
    expect(parseDeviceFlag(" yamaha rtx ")).toEqual({ kind: "aws-search", search: "yamaha rtx", text: "yamaha rtx" });
    expect(() => parseDeviceFlag("aws:")).toThrow(/^--device: "aws:" is not aws:<id>/);
    expect(() => parseDeviceFlag("aws:a b")).toThrow(/--device/);
    expect(() => parseDeviceFlag("x")).toThrow(/is not a device/);
    expect(() => parseDeviceFlag("cisco`reboot`")).toThrow(/is not a device/);
    expect(() => parseDeviceFlag("yamaha", "--other")).not.toThrow();
  });

  it("a search must name exactly one type; an exact label wins over word matches", () => {
    expect(pickDeviceType(TYPES, { kind: "aws-search", search: "Yamaha", text: "Yamaha" }).id).toBe("4e5a6c01");
    expect(pickDeviceType(TYPES, { kind: "aws-search", search: "juniper srx", text: "" }).id).toBe("1b2d3f02");
    expect(matchDeviceTypes(TYPES, "palo alto").map((t) => t.id)).toEqual(["2c3e4a01", "2c3e4a02"]);
    expect(matchDeviceTypes(TYPES, "Palo Alto Networks PA Series PANOS 7.0+").map((t) => t.id)).toEqual(["2c3e4a02"]);
    expect(() => pickDeviceType(TYPES, { kind: "aws-search", search: "palo alto", text: "" })).toThrow(
      /^--device: "palo alto" matches 2 of AWS's device types: Palo Alto Networks PA Series PANOS 4\.1\.2\+ \(GUI\) \(aws:2c3e4a01\); Palo Alto Networks PA Series PANOS 7\.0\+ \(aws:2c3e4a02\); name one with aws:<id>/,
    );
    expect(() => pickDeviceType(TYPES, { kind: "aws-id", id: "00000000", text: "aws:00000000" })).toThrow(/aws:00000000 is not one of AWS's 21 device types/);
  });

  it("the nearest own renderer for previews", () => {
    expect(nearestRenderer(parseDeviceFlag("cisco isr"))).toBe("csr1000v");
    expect(nearestRenderer(parseDeviceFlag("strongswan ubuntu"))).toBe("strongswan");
    expect(nearestRenderer(parseDeviceFlag("yamaha"))).toBe("csr1000v");
    expect(nearestRenderer(parseDeviceFlag("aws:5f6b7d01"))).toBe("csr1000v");
    expect(nearestRenderer(byId("5f6b7d02"))).toBe("strongswan");
  });
});

describe("how strong a sample is", () => {
  it("finds the algorithms across vendors' spellings", () => {
    expect(sampleAlgorithms("crypto isakmp policy 200\n encryption aes 128\n hash sha\n group 2\n esp-aes 128 esp-sha-hmac\n set pfs group2")).toEqual({
      encryption: ["AES128"],
      integrity: ["SHA1"],
      dhGroups: [2],
    });
    expect(sampleAlgorithms("set proposal aes256-sha256\nset dhgrp 14")).toEqual({ encryption: ["AES256"], integrity: ["SHA2-256"], dhGroups: [14] });
    // Yamaha numbers the IKE group after the tunnel; the group is the modp.
    expect(sampleAlgorithms("ipsec ike group 2 modp2048\nipsec sa policy 102 2 esp aes-cbc sha-hmac")).toEqual({
      encryption: ["AES128"],
      integrity: ["SHA1"],
      dhGroups: [14],
    });
    expect(sampleAlgorithms("ike=aes256gcm16-sha384-ecp384!").dhGroups).toEqual([20]);
    expect(sampleAlgorithms("encryption-algorithm aes-256-gcm").encryption).toEqual(["AES256-GCM-16"]);
    expect(sampleAlgorithms("no algorithms here")).toEqual({ encryption: [], integrity: [], dhGroups: [] });
  });

  it("warns only below the weakest the connection allows", () => {
    const modern = tunnelCrypto("modern");
    const compatible = tunnelCrypto("compatible");
    const baseline = { encryption: ["AES128" as const], integrity: ["SHA1" as const], dhGroups: [2] };
    expect(weakerThanConnection(baseline, [compatible, compatible])).toBeUndefined();
    expect(weakerThanConnection(baseline, [undefined, undefined])).toBeUndefined();
    const w = weakerThanConnection(baseline, [modern, modern]);
    expect(w).toBe(
      "the sample proposes AES128, SHA1, DH group 2, weaker than this connection allows (AES256/AES256-GCM-16, SHA2-256/SHA2-384, DH groups 19,20): " +
        "AWS refuses those proposals, so change them on the router to the connection's algorithms, or use vpcwire's own config (--device csr1000v or strongswan)",
    );
    expect(weakerThanConnection({ encryption: ["AES256"], integrity: ["SHA2-256"], dhGroups: [20] }, [modern, modern])).toBeUndefined();
  });
});

function model(routing: "static" | "bgp", crypto: [TunnelCrypto, TunnelCrypto] | undefined): VpnConfigModel {
  const m = placeholderVpnConfig({
    routing,
    customerOutsideIp: "203.0.113.10",
    customerAsn: 65010,
    amazonAsn: 64512,
    tunnel1InsideCidr: "169.254.44.0/30",
    tunnel2InsideCidr: "169.254.45.0/30",
  });
  const real: VpnConfigModel = {
    ...m,
    vpnConnectionId: "vpn-0a1b2c3d4e5f60718",
    customerGatewayId: "cgw-0a1b2c3d4e5f60718",
    vpnGatewayId: "vgw-0a1b2c3d4e5f60718",
    tunnels: m.tunnels.map((t, i) => ({
      ...t,
      aws: { ...t.aws, outsideIp: `52.196.10.${21 + i}` },
      ike: { ...t.ike, preSharedKey: `Secret${i}Key.abcdef` },
    })) as VpnConfigModel["tunnels"],
  };
  delete real.placeholder;
  if (!crypto) return real;
  const spec = (c: TunnelCrypto, ip: string) => ({
    OutsideIpAddress: ip,
    IkeVersions: c.ikeVersions.map((Value) => ({ Value })),
    Phase1EncryptionAlgorithms: c.phase1.encryption.map((Value) => ({ Value })),
    Phase2EncryptionAlgorithms: c.phase2.encryption.map((Value) => ({ Value })),
    Phase1IntegrityAlgorithms: c.phase1.integrity.map((Value) => ({ Value })),
    Phase2IntegrityAlgorithms: c.phase2.integrity.map((Value) => ({ Value })),
    Phase1DHGroupNumbers: c.phase1.dhGroups.map((Value) => ({ Value })),
    Phase2DHGroupNumbers: c.phase2.dhGroups.map((Value) => ({ Value })),
    ...(c.dpdTimeoutAction ? { DpdTimeoutAction: c.dpdTimeoutAction } : {}),
    ...(c.startupAction ? { StartupAction: c.startupAction } : {}),
  });
  return withTunnelOptions(real, [spec(crypto[0], "52.196.10.21"), spec(crypto[1], "52.196.10.22")]);
}

describe("the vpcwire header of an AWS sample (goldens)", () => {
  it("Yamaha, static, modern crypto, with the weaker-sample warning", () => {
    const m = model("static", [tunnelCrypto("modern"), tunnelCrypto("modern")]);
    const text = sampleHeader({
      type: byId("4e5a6c01"),
      sampleType: "recommended",
      ikeVersion: sampleIkeVersion(m),
      model: m,
      stack: "branch-osaka",
      awsSide: [
        "virtual private gateway vgw-0a1b2c3d4e5f60718 attached to vpc-0a1b2c3d4e5f60718 (Amazon side ASN 64512)",
        "customer gateway cgw-0a1b2c3d4e5f60718 for 203.0.113.10",
        "VPN connection vpn-0a1b2c3d4e5f60718 with both tunnels",
        "static routes to on-prem: 10.0.0.0/8",
      ],
      weaker: weakerThanConnection(
        sampleAlgorithms("ipsec ike group 1 modp2048\nesp aes256-cbc sha256-hmac"),
        m.tunnels.map((t) => t.options),
      )!,
    });
    expect(text).not.toContain("Secret0Key");
    expectGolden("vpn", "sample-header-yamaha.txt", `${text}\n`);
  });

  it("Cisco, BGP, tunnels with different crypto and the compatibility sample: ! comments", () => {
    const m = model("bgp", [tunnelCrypto("compatible"), tunnelCrypto("compatible", { ikeVersions: ["ikev1"] })]);
    expect(sampleIkeVersion(m)).toBe("ikev1");
    expect(sampleIkeVersion(m, "ikev2")).toBe("ikev1");
    const text = sampleHeader({ type: byId("0a1c2e01"), sampleType: "compatibility", ikeVersion: "ikev1", model: m, awsSide: [] });
    expect(text.split("\n").every((l) => l.startsWith("! "))).toBe(true);
    expectGolden("vpn", "sample-header-cisco-bgp.txt", `${text}\n`);
  });
});
