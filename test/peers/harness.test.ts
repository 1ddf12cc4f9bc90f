/**
 * The pure parts of the real-peer harness (part of `npm test`; the daemons run in `npm run test:peers`):
 * the AWS side must accept exactly what the tunnel options allow, and what swanctl and the rendered
 * file say must be read correctly, or the real-peer suite would prove nothing.
 */
import { describe, expect, it } from "vitest";
import { renderedFrr } from "./frr.js";
import { awsIkeVersion, awsProposals, awsProposalsV1, parseListSas, withoutDh } from "./swan.js";

describe("the AWS side's proposals", () => {
  it("with no option lists: every algorithm and group AWS allows, CBC and AEAD apart, PFS groups in ESP", () => {
    expect(awsProposals({})).toEqual({
      ike: [
        "aes128-aes256-sha1-sha256-sha384-sha512-modp1024-modp2048-modp3072-modp4096-modp6144-modp8192-ecp256-ecp384-ecp521-modp1024s160-modp2048s224-modp2048s256",
        "aes128gcm16-aes256gcm16-prfsha1-prfsha256-prfsha384-prfsha512-modp1024-modp2048-modp3072-modp4096-modp6144-modp8192-ecp256-ecp384-ecp521-modp1024s160-modp2048s224-modp2048s256",
      ].join(","),
      esp: [
        "aes128-aes256-sha1-sha256-sha384-sha512-modp1024-modp1536-modp2048-modp3072-modp4096-modp6144-modp8192-ecp256-ecp384-ecp521-modp1024s160-modp2048s224-modp2048s256",
        "aes128gcm16-aes256gcm16-modp1024-modp1536-modp2048-modp3072-modp4096-modp6144-modp8192-ecp256-ecp384-ecp521-modp1024s160-modp2048s224-modp2048s256",
      ].join(","),
    });
  });

  it("with option lists: only those (group 5 exists in phase 2 only)", () => {
    expect(
      awsProposals({
        Phase1EncryptionAlgorithms: [{ Value: "AES256-GCM-16" }],
        Phase1IntegrityAlgorithms: [{ Value: "SHA2-384" }],
        Phase1DHGroupNumbers: [{ Value: 20 }],
        Phase2EncryptionAlgorithms: [{ Value: "AES256" }, { Value: "AES256-GCM-16" }],
        Phase2IntegrityAlgorithms: [{ Value: "SHA2-256" }],
        Phase2DHGroupNumbers: [{ Value: 5 }, { Value: 19 }],
      }),
    ).toEqual({ ike: "aes256gcm16-prfsha384-ecp384", esp: "aes256-sha256-modp1536-ecp256,aes256gcm16-modp1536-ecp256" });
    expect(() => awsProposals({ Phase1DHGroupNumbers: [{ Value: 1 }] })).toThrow(/DH group 1 is not one AWS allows/);
    expect(() => awsProposals({ Phase2EncryptionAlgorithms: [{ Value: "3DES" }] })).toThrow(/encryption 3DES/);
  });

  it("IKEv1: one proposal per allowed combination (strongSwan's IKEv1 sends the first algorithm of each kind only), lowest first, no GCM in phase 1", () => {
    const v1 = awsProposalsV1({
      Phase1EncryptionAlgorithms: [{ Value: "AES256-GCM-16" }, { Value: "AES256" }],
      Phase1IntegrityAlgorithms: [{ Value: "SHA2-384" }, { Value: "SHA2-256" }],
      Phase1DHGroupNumbers: [{ Value: 20 }, { Value: 19 }],
      Phase2EncryptionAlgorithms: [{ Value: "AES256-GCM-16" }, { Value: "AES256" }],
      Phase2IntegrityAlgorithms: [{ Value: "SHA2-256" }],
      Phase2DHGroupNumbers: [{ Value: 20 }, { Value: 19 }],
    });
    expect(v1.ike).toBe("aes256-sha256-ecp256,aes256-sha256-ecp384,aes256-sha384-ecp256,aes256-sha384-ecp384");
    expect(v1.esp).toBe("aes256-sha256-ecp256,aes256-sha256-ecp384,aes256gcm16-ecp256,aes256gcm16-ecp384");
    // AWS's defaults: 2 CBC ciphers x 4 integrity x 12 groups in phase 1.
    expect(awsProposalsV1({}).ike.split(",")).toHaveLength(96);
  });

  it("the negative control's AWS side also accepts ESP without PFS (real AWS does not)", () => {
    const o = { Phase2EncryptionAlgorithms: [{ Value: "AES256-GCM-16" }], Phase2DHGroupNumbers: [{ Value: 20 }] };
    expect(awsProposals(o).esp).toBe("aes256gcm16-ecp384");
    expect(awsProposals(o, { allowNoPfs: true }).esp).toBe("aes256gcm16-ecp384,aes256gcm16");
  });

  it("IKE versions: both unless the options name one", () => {
    expect(awsIkeVersion({})).toBe(0);
    expect(awsIkeVersion({ IkeVersions: [{ Value: "ikev1" }, { Value: "ikev2" }] })).toBe(0);
    expect(awsIkeVersion({ IkeVersions: [{ Value: "ikev2" }] })).toBe(2);
    expect(awsIkeVersion({ IkeVersions: [{ Value: "ikev1" }] })).toBe(1);
  });
});

describe("reading swanctl --list-sas --raw", () => {
  // Captured from charon 5.9.8 (the AWS side of an IKEv1 tunnel after a CHILD rekey).
  const raw =
    "list-sa event {t1 {uniqueid=2 version=1 state=ESTABLISHED local-host=203.0.113.20 local-port=4500 local-id=203.0.113.20 remote-host=198.51.100.10 remote-port=4500 remote-id=198.51.100.10 initiator-spi=371a408283b54dc0 responder-spi=cdd460ca8cd317ef nat-remote=yes nat-any=yes encr-alg=AES_CBC encr-keysize=128 integ-alg=HMAC_SHA1_96 prf-alg=PRF_HMAC_SHA1 dh-group=MODP_1024 established=4 rekey-time=14144 child-sas {t1-2 {name=t1 uniqueid=2 reqid=1 state=REKEYED mode=TUNNEL protocol=ESP encap=yes spi-in=29455e3b spi-out=8585a67f encr-alg=AES_CBC encr-keysize=128 integ-alg=HMAC_SHA1_96 dh-group=MODP_1024 bytes-in=0 packets-in=0 bytes-out=0 packets-out=0 rekey-time=3103 life-time=3596 install-time=4 local-ts=[0.0.0.0/0] remote-ts=[0.0.0.0/0]} t1-3 {name=t1 uniqueid=3 reqid=1 state=INSTALLED mode=TUNNEL protocol=ESP encap=yes spi-in=c1c098b2 spi-out=425ab472 encr-alg=AES_GCM_16 encr-keysize=256 local-ts=[10.0.0.0/8 192.0.2.0/24] remote-ts=[0.0.0.0/0]}}}}\n" +
    "list-sa event {t2 {uniqueid=1 version=2 state=CONNECTING local-host=203.0.113.21 child-sas {}}}\n" +
    "list-sas reply {}\n";

  it("gives each IKE SA with its proposal and CHILD SAs as swanctl prints them", () => {
    const [t1, t2, ...rest] = parseListSas(raw);
    expect(rest).toEqual([]);
    expect(t1).toMatchObject({
      name: "t1",
      uniqueid: "2",
      version: 1,
      state: "ESTABLISHED",
      initiatorSpi: "371a408283b54dc0",
      responderSpi: "cdd460ca8cd317ef",
      proposal: "AES_CBC-128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024",
    });
    expect(t1!.raw["remote-host"]).toBe("198.51.100.10");
    expect(t1!.children.map((c) => [c.name, c.uniqueid, c.state, c.spiIn, c.spiOut, c.proposal, c.localTs, c.remoteTs])).toEqual([
      ["t1", "2", "REKEYED", "29455e3b", "8585a67f", "AES_CBC-128/HMAC_SHA1_96/MODP_1024", ["0.0.0.0/0"], ["0.0.0.0/0"]],
      ["t1", "3", "INSTALLED", "c1c098b2", "425ab472", "AES_GCM_16-256", ["10.0.0.0/8", "192.0.2.0/24"], ["0.0.0.0/0"]],
    ]);
    expect(t2).toMatchObject({ name: "t2", version: 2, state: "CONNECTING", proposal: "", children: [] });
  });

  it("drops only the DH group for an IKEv2 CHILD SA's first proposal", () => {
    expect(withoutDh("AES_CBC-128/HMAC_SHA1_96/MODP_1024")).toBe("AES_CBC-128/HMAC_SHA1_96");
    expect(withoutDh("AES_GCM_16-256/ECP_384")).toBe("AES_GCM_16-256");
    expect(withoutDh("AES_GCM_16-256/CURVE_25519")).toBe("AES_GCM_16-256");
  });
});

describe("the FRR part of a rendered strongSwan file", () => {
  // The layout templates/vpn/strongswan.hbs renders (the real files are read by the real-peer suite).
  const file = [
    "secrets {",
    "}",
    "",
    "# =============================================================================",
    "# BGP: strongSwan only carries packets; the routes come from a BGP daemon.",
    "#",
    "# router bgp 65010",
    "#  neighbor 169.254.44.9 remote-as 64512",
    "#  !",
    "#  address-family ipv4 unicast",
    "#   network 10.20.0.0/16",
    "#  exit-address-family",
    "# exit",
    "# !",
    "# route-map vpn-1-out permit 10",
    "#  match ip address prefix-list vpn-1-onprem",
    "# exit",
    "# =============================================================================",
    "",
  ].join("\n");

  it("is the commented block from 'router bgp' to the closing rule, without comment marks", () => {
    expect(renderedFrr(file)).toBe(
      "router bgp 65010\n neighbor 169.254.44.9 remote-as 64512\n !\n address-family ipv4 unicast\n  network 10.20.0.0/16\n exit-address-family\nexit\n!\nroute-map vpn-1-out permit 10\n match ip address prefix-list vpn-1-onprem\nexit\n",
    );
  });

  it("a file without one (static routing) is an error, not an empty config", () => {
    expect(() => renderedFrr(file.replace("# router bgp 65010", "# (no BGP)"))).toThrow(/no FRR part/);
    expect(() => renderedFrr(file.replace(/# =+\n$/, ""))).toThrow(/no closing/);
  });
});
