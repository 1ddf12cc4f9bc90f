import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CryptoChoice,
  cryptoDifferences,
  cryptoFromTunnelOption,
  DEVICE_REFUSALS,
  describeCrypto,
  describeRefusals,
  ENCRYPTION_ALGORITHMS,
  espTunnelMtu,
  IKE_VERSIONS,
  INTEGRITY_ALGORITHMS,
  modifyTunnelOptionsSpec,
  PHASE1_DH_GROUPS,
  PHASE2_DH_GROUPS,
  parseCryptoFlags,
  refusedBy,
  type TunnelCrypto,
  tunnelCrypto,
  tunnelOptionsSpec,
  tunnelOptionsSpecs,
  withDefaults,
} from "../../src/net/crypto.js";

const ok = (result: ReturnType<typeof parseCryptoFlags>): CryptoChoice => {
  if ("error" in result) throw new Error(result.error);
  return result;
};
const error = (result: ReturnType<typeof parseCryptoFlags>): string => ("error" in result ? result.error : "no error");

describe("AWS's allowed values", () => {
  it("are the documented lists (aws-facts 1.5)", () => {
    expect(IKE_VERSIONS).toEqual(["ikev1", "ikev2"]);
    expect(ENCRYPTION_ALGORITHMS).toEqual(["AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16"]);
    expect(INTEGRITY_ALGORITHMS).toEqual(["SHA1", "SHA2-256", "SHA2-384", "SHA2-512"]);
    expect(PHASE1_DH_GROUPS).toEqual([2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
    // Phase 2 also allows group 5; phase 1 does not.
    expect(PHASE2_DH_GROUPS).toEqual([2, 5, ...PHASE1_DH_GROUPS.slice(1)]);
  });
});

describe("profiles", () => {
  it("modern: IKEv2 only, AES-256 (GCM or CBC + SHA-2), DH 19/20, restart on DPD timeout, AWS starts IKE", () => {
    const spec = tunnelOptionsSpec(tunnelCrypto("modern"));
    expect(spec).toEqual({
      IKEVersions: [{ Value: "ikev2" }],
      Phase1EncryptionAlgorithms: [{ Value: "AES256-GCM-16" }, { Value: "AES256" }],
      Phase1IntegrityAlgorithms: [{ Value: "SHA2-256" }, { Value: "SHA2-384" }],
      Phase1DHGroupNumbers: [{ Value: 19 }, { Value: 20 }],
      Phase2EncryptionAlgorithms: [{ Value: "AES256-GCM-16" }, { Value: "AES256" }],
      Phase2IntegrityAlgorithms: [{ Value: "SHA2-256" }, { Value: "SHA2-384" }],
      Phase2DHGroupNumbers: [{ Value: 19 }, { Value: 20 }],
      DPDTimeoutAction: "restart",
      StartupAction: "start",
    });
    // Nothing from IOS-XE 17.11's refused list, nothing weaker than 128-bit strength.
    expect(refusedBy("csr1000v", tunnelCrypto("modern"))).toEqual([]);
  });

  it("compatible: AWS's defaults, so every list is left out at creation", () => {
    expect(tunnelOptionsSpec(tunnelCrypto("compatible"))).toEqual({});
  });

  it("per-tunnel specs keep each tunnel's own fields", () => {
    const [a, b] = tunnelOptionsSpecs(tunnelCrypto("modern"), [{ TunnelInsideCidr: "169.254.10.0/30" }, { PreSharedKey: "abcdefgh" }]);
    expect(a.TunnelInsideCidr).toBe("169.254.10.0/30");
    expect(a).not.toHaveProperty("PreSharedKey");
    expect(b.PreSharedKey).toBe("abcdefgh");
    expect(b.IKEVersions).toEqual([{ Value: "ikev2" }]);
  });

  it("modifying back to the defaults names every default, because an omitted list keeps the current one", () => {
    const spec = modifyTunnelOptionsSpec(tunnelCrypto("compatible"));
    expect(spec.IKEVersions).toEqual([{ Value: "ikev1" }, { Value: "ikev2" }]);
    expect(spec.Phase1DHGroupNumbers?.map((v) => v.Value)).toEqual([...PHASE1_DH_GROUPS]);
    expect(spec.Phase2DHGroupNumbers?.map((v) => v.Value)).toEqual([...PHASE2_DH_GROUPS]);
    expect(spec.Phase2IntegrityAlgorithms?.map((v) => v.Value)).toEqual([...INTEGRITY_ALGORITHMS]);
    expect(spec.DPDTimeoutAction).toBe("clear");
    expect(spec.StartupAction).toBe("add");
    expect(modifyTunnelOptionsSpec(tunnelCrypto("modern")).Phase1DHGroupNumbers).toEqual([{ Value: 19 }, { Value: 20 }]);
  });

  it("overrides replace the profile's value; start is dropped when IKEv1 is allowed", () => {
    const c = tunnelCrypto("modern", { phase1DhGroups: [21], ikeVersions: ["ikev1", "ikev2"] });
    expect(c.phase1.dhGroups).toEqual([21]);
    expect(c.phase2.dhGroups).toEqual([19, 20]);
    expect(c.startupAction).toBeUndefined();
    expect(c.dpdTimeoutAction).toBe("restart");
    expect(tunnelCrypto("compatible", { startupAction: "start", ikeVersions: ["ikev2"] }).startupAction).toBe("start");
    // The profile itself is never changed by an override.
    expect(tunnelCrypto("modern").phase1.dhGroups).toEqual([19, 20]);
  });
});

describe("parseCryptoFlags", () => {
  it("defaults to modern and reads lists case-insensitively, repeated or comma-separated", () => {
    expect(ok(parseCryptoFlags({})).profile).toBe("modern");
    const c = ok(
      parseCryptoFlags({
        crypto: "Compatible",
        ikeVersion: "IKEv2",
        phase1Encryption: ["aes256-gcm-16", "AES128"],
        phase2DhGroups: "5,14, 14",
        dpdTimeoutAction: "Restart",
        startupAction: "start",
      }),
    );
    expect(c.profile).toBe("compatible");
    expect(c.crypto.ikeVersions).toEqual(["ikev2"]);
    expect(c.crypto.phase1.encryption).toEqual(["AES256-GCM-16", "AES128"]);
    expect(c.crypto.phase2.dhGroups).toEqual([5, 14]);
    expect(c.crypto.phase1.dhGroups).toEqual([]);
    expect(c.crypto.dpdTimeoutAction).toBe("restart");
    expect(c.crypto.startupAction).toBe("start");
  });

  it("names the flag and AWS's allowed values for a value AWS refuses", () => {
    expect(error(parseCryptoFlags({ crypto: "strong" }))).toBe('--crypto: must be modern or compatible, not "strong"');
    expect(error(parseCryptoFlags({ ikeVersion: "ikev3" }))).toBe('--ike-version: "ikev3" is not one of AWS\'s allowed values: ikev1, ikev2');
    expect(error(parseCryptoFlags({ phase1Encryption: "3DES" }))).toMatch(/^--phase1-encryption: "3DES" is not one of AWS's allowed values: AES128, AES256/);
    expect(error(parseCryptoFlags({ phase2Integrity: "MD5" }))).toMatch(/^--phase2-integrity: "MD5" .* SHA1, SHA2-256, SHA2-384, SHA2-512$/);
    // Group 5 is a phase 2 group only.
    expect(error(parseCryptoFlags({ phase1DhGroups: "5" }))).toMatch(/^--phase1-dh-groups: "5" is not one of AWS's allowed values: 2, 14, 15/);
    expect(ok(parseCryptoFlags({ phase2DhGroups: "5" })).crypto.phase2.dhGroups).toEqual([5]);
    expect(error(parseCryptoFlags({ phase2DhGroups: "group14" }))).toMatch(/^--phase2-dh-groups: "group14"/);
    expect(error(parseCryptoFlags({ dpdTimeoutAction: "reset" }))).toBe('--dpd-timeout-action: must be one of clear, none, restart, not "reset"');
    expect(error(parseCryptoFlags({ startupAction: "now" }))).toBe('--startup-action: must be one of add, start, not "now"');
  });

  it("refuses explicitly empty values and empty list items", () => {
    expect(error(parseCryptoFlags({ phase1Integrity: "" }))).toMatch(/^--phase1-integrity: empty value/);
    expect(error(parseCryptoFlags({ phase1DhGroups: "19,,20" }))).toMatch(/^--phase1-dh-groups: empty value/);
    expect(error(parseCryptoFlags({ ikeVersion: ["ikev2", " "] }))).toMatch(/^--ike-version: empty value/);
  });

  it("refuses startup action start unless the tunnel is IKEv2-only (AWS's rule)", () => {
    expect(error(parseCryptoFlags({ ikeVersion: "ikev1,ikev2", startupAction: "start" }))).toMatch(/^--startup-action: start works only on IKEv2-only tunnels/);
    expect(error(parseCryptoFlags({ crypto: "compatible", startupAction: "start" }))).toMatch(/^--startup-action:/);
    // Modern with IKEv1 allowed quietly goes back to add.
    expect(ok(parseCryptoFlags({ ikeVersion: "ikev1" })).crypto.startupAction).toBeUndefined();
  });

  it("accepts every allowed value, alone or in any combination", () => {
    fc.assert(
      fc.property(
        fc.subarray([...ENCRYPTION_ALGORITHMS], { minLength: 1 }),
        fc.subarray([...INTEGRITY_ALGORITHMS], { minLength: 1 }),
        fc.subarray([...PHASE2_DH_GROUPS], { minLength: 1 }),
        (enc, integ, dh) => {
          const c = ok(parseCryptoFlags({ phase2Encryption: enc.map((e) => e.toLowerCase()).join(","), phase2Integrity: integ, phase2DhGroups: dh.join(",") }));
          expect(c.crypto.phase2).toEqual({ encryption: enc, integrity: integ, dhGroups: dh });
        },
      ),
    );
  });
});

describe("reading tunnel options back", () => {
  it("reads DescribeVpnConnections' spellings (IkeVersions, DpdTimeoutSeconds, DpdTimeoutAction)", () => {
    const c = cryptoFromTunnelOption({
      OutsideIpAddress: "203.0.113.21",
      IkeVersions: [{ Value: "ikev2" }],
      Phase1EncryptionAlgorithms: [{ Value: "AES256-GCM-16" }],
      Phase1DHGroupNumbers: [{ Value: 20 }],
      DpdTimeoutSeconds: 40,
      DpdTimeoutAction: "restart",
      StartupAction: "start",
      Phase1LifetimeSeconds: 14400,
      Phase2LifetimeSeconds: 1800,
    });
    expect(c).toEqual({
      ikeVersions: ["ikev2"],
      phase1: { encryption: ["AES256-GCM-16"], integrity: [], dhGroups: [20] },
      phase2: { encryption: [], integrity: [], dhGroups: [] },
      dpdTimeoutSeconds: 40,
      dpdTimeoutAction: "restart",
      startupAction: "start",
      phase1LifetimeSeconds: 14400,
      phase2LifetimeSeconds: 1800,
      unknown: [],
    });
  });

  it("keeps undocumented values out and says which", () => {
    const c = cryptoFromTunnelOption({
      Phase1EncryptionAlgorithms: [{ Value: "AES192" }, { Value: "AES128" }],
      Phase2DHGroupNumbers: [{ Value: 1 }],
      DpdTimeoutAction: "explode",
    });
    expect(c.phase1.encryption).toEqual(["AES128"]);
    expect(c.phase2.dhGroups).toEqual([]);
    expect(c.dpdTimeoutAction).toBeUndefined();
    expect(c.unknown).toEqual(["Phase1EncryptionAlgorithms AES192", "Phase2DHGroupNumbers 1", "DpdTimeoutAction explode"]);
  });

  it("round-trips every choice through the CreateVpnConnection spec", () => {
    fc.assert(
      fc.property(
        fc.subarray([...IKE_VERSIONS]),
        fc.subarray([...ENCRYPTION_ALGORITHMS]),
        fc.subarray([...INTEGRITY_ALGORITHMS]),
        fc.subarray([...PHASE1_DH_GROUPS]),
        fc.subarray([...PHASE2_DH_GROUPS]),
        fc.constantFrom("clear" as const, "none" as const, "restart" as const),
        (ikeVersions, encryption, integrity, dh1, dh2, dpdTimeoutAction) => {
          const crypto: TunnelCrypto = {
            ikeVersions,
            phase1: { encryption, integrity, dhGroups: dh1 },
            phase2: { encryption: [...encryption].reverse(), integrity, dhGroups: dh2 },
            dpdTimeoutAction,
          };
          const { unknown, ...back } = cryptoFromTunnelOption(tunnelOptionsSpec(crypto));
          expect(unknown).toEqual([]);
          expect(back).toEqual(crypto);
          expect(cryptoDifferences(crypto, back)).toEqual([]);
        },
      ),
    );
  });
});

describe("cryptoDifferences", () => {
  it("compares lists as sets, an empty list as every allowed value, and absent actions as AWS's defaults", () => {
    const modern = tunnelCrypto("modern");
    const reordered = structuredClone(modern);
    reordered.phase1.dhGroups = [20, 19];
    expect(cryptoDifferences(modern, reordered)).toEqual([]);
    // AWS may echo its defaults as full lists.
    expect(cryptoDifferences(tunnelCrypto("compatible"), withDefaults(tunnelCrypto("compatible")))).toEqual([]);
    expect(cryptoDifferences(tunnelCrypto("compatible"), modern)).toEqual([
      "IKEVersions",
      "Phase1EncryptionAlgorithms",
      "Phase1IntegrityAlgorithms",
      "Phase1DHGroupNumbers",
      "Phase2EncryptionAlgorithms",
      "Phase2IntegrityAlgorithms",
      "Phase2DHGroupNumbers",
      "DPDTimeoutAction",
      "StartupAction",
    ]);
    expect(cryptoDifferences({ ...modern, dpdTimeoutSeconds: 30 }, modern)).toEqual([]);
    expect(cryptoDifferences({ ...modern, dpdTimeoutSeconds: 45 }, modern)).toEqual(["DPDTimeoutSeconds"]);
  });
});

describe("describeCrypto", () => {
  it("says in one line what a tunnel allows", () => {
    expect(describeCrypto(tunnelCrypto("modern"))).toBe(
      "IKEv2; phase 1 AES256/AES256-GCM-16, SHA2-256/SHA2-384, DH 19,20; phase 2 AES256/AES256-GCM-16, SHA2-256/SHA2-384, DH 19,20; DPD 30 s then restart; AWS starts IKE",
    );
    expect(describeCrypto(tunnelCrypto("compatible"))).toBe(
      "AWS defaults (IKEv1/IKEv2; phase 1 any AES, any SHA, DH 2,14-24; phase 2 any AES, any SHA, DH 2,5,14-24; DPD 30 s then clear; the router starts IKE)",
    );
    expect(describeCrypto(tunnelCrypto("compatible", { phase2DhGroups: [14, 15, 16, 20] }))).toContain("phase 2 any AES, any SHA, DH 14-16,20;");
  });
});

describe("refusedBy", () => {
  it("lists what IOS-XE 17.11+ refuses by default (FN72510): DH 2 and 5, and 24 with IKEv2", () => {
    expect(refusedBy("csr1000v", tunnelCrypto("compatible"))).toEqual([
      { field: "Phase1DHGroupNumbers", value: 2 },
      { field: "Phase1DHGroupNumbers", value: 24, ikeVersion: "ikev2" },
      { field: "Phase2DHGroupNumbers", value: 2 },
      { field: "Phase2DHGroupNumbers", value: 5 },
    ]);
    // IKEv1 policies still take group 24.
    expect(refusedBy("csr1000v", tunnelCrypto("compatible", { ikeVersions: ["ikev1"], phase1DhGroups: [24], phase2DhGroups: [14] }))).toEqual([]);
    expect(refusedBy("csr1000v", tunnelCrypto("modern", { phase1DhGroups: [24] }))).toEqual([{ field: "Phase1DHGroupNumbers", value: 24 }]);
    expect(describeRefusals("csr1000v", refusedBy("csr1000v", tunnelCrypto("compatible")))).toBe(
      "IOS-XE 17.11 and later (Catalyst 8000V) refuses phase 1 DH groups 2, 24 (IKEv2) and phase 2 DH groups 2, 5 by default (Cisco Field Notice FN72510)",
    );
    expect(describeRefusals("csr1000v", [])).toBeUndefined();
  });

  it("strongSwan 5.9 refuses none of AWS's values when a config names them", () => {
    expect(DEVICE_REFUSALS.strongswan.phase2).toEqual([]);
    expect(refusedBy("strongswan", tunnelCrypto("compatible"))).toEqual([]);
  });
});

describe("espTunnelMtu", () => {
  it("reproduces AWS's MTU/MSS table (your-cgw best practices)", () => {
    const rows: [Parameters<typeof espTunnelMtu>[0], Parameters<typeof espTunnelMtu>[1], boolean, number, number][] = [
      ["AES256-GCM-16", null, false, 1446, 1406],
      ["AES128-GCM-16", null, true, 1438, 1398],
      ["AES128", "SHA1", false, 1438, 1398],
      ["AES256", "SHA2-256", false, 1438, 1398],
      ["AES128", "SHA1", true, 1422, 1382],
      ["AES256", "SHA2-256", true, 1422, 1382],
      ["AES256", "SHA2-384", false, 1422, 1382],
      ["AES256", "SHA2-384", true, 1422, 1382],
      ["AES256", "SHA2-512", false, 1422, 1382],
      ["AES256", "SHA2-512", true, 1406, 1366],
    ];
    for (const [enc, integ, nat, mtu, mss] of rows) expect(espTunnelMtu(enc, integ, nat), `${enc} ${integ} NAT-T ${nat}`).toEqual({ mtu, mss });
  });

  it("never exceeds AWS's maximum, and a smaller path lowers it", () => {
    expect(espTunnelMtu("AES256-GCM-16", null, false, 9001).mtu).toBe(1446);
    expect(espTunnelMtu("AES256-GCM-16", null, false, 1400).mtu).toBe(1346);
  });
});
