/**
 * Every strongSwan variant vpcwire renders, one row each. The suite runs `vpn create` with the row's
 * flags, brings both tunnels up against a charon that plays AWS with the connection's tunnel options,
 * and expects the row's IKE version and proposals to be the ones negotiated.
 *
 * Adding a variant is one line. The `--crypto modern|compatible` variants of issue 10, for example:
 *   { name: "bgp-modern-nat", routing: "bgp", nat: true, flags: ["--crypto", "modern"], version: 2,
 *     expect: { ike: "AES_GCM_16-256/PRF_HMAC_SHA2_384/ECP_384", child: "AES_GCM_16-256/ECP_384" } },
 * with `expect` what that profile must negotiate (in `swanctl --list-sas` notation; these are examples,
 * not the chosen algorithms). The AWS side needs no change: it reads each tunnel's options from the fake
 * (algorithm and DH lists, IKE versions, StartupAction, DPD action, lifetimes), as long as the fake keeps
 * what CreateVpnConnection / ModifyVpnTunnelOptions were given in `Options.TunnelOptions` under
 * DescribeVpnConnections' field names. When the default becomes `modern`, "static-defaults" below must
 * change with it (version 2 and the modern expectation).
 */

export interface Expected {
  /** IKE SA: encryption/integrity/PRF/DH, e.g. "AES_CBC-128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024". */
  ike: string;
  /** CHILD SA after a rekey (so with its PFS group), e.g. "AES_CBC-128/HMAC_SHA1_96/MODP_1024". */
  child: string;
  /**
   * IKEv1: the IKE SA after a re-authentication AWS starts (a new Main Mode with AWS's offer, where
   * AWS's first acceptable combination wins; see swan.ts `awsProposalsV1`). Default: `ike`.
   */
  ikeAfterAwsReauth?: string;
}

export interface Variant {
  name: string;
  routing: "static" | "bgp";
  /** --ike-version; undefined leaves it to vpn create's default. */
  ike?: "ikev1" | "ikev2";
  /** Behind NAT: the router sends from --local-address and a NAT namespace maps it to --cgw-ip. */
  nat: boolean;
  /** Any further vpn create flags (e.g. ["--crypto", "modern"]). */
  flags: string[];
  /** The IKE version both tunnels must negotiate. */
  version: 1 | 2;
  expect: Expected;
}

/**
 * AWS's default tunnel options (every algorithm allowed) with what `--crypto compatible` proposes: the
 * classic AES-128, SHA-1, DH group 2 that old devices expect.
 */
const AWS_DEFAULT_CRYPTO: Expected = { ike: "AES_CBC-128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024", child: "AES_CBC-128/HMAC_SHA1_96/MODP_1024" };

/** What `--crypto modern` proposes (docs/CRYPTO.md): IKEv2, AES-256-GCM, PRF SHA2-384, DH 20 (ECP-384), PFS 20. */
const MODERN_IKEV2: Expected = { ike: "AES_GCM_16-256/PRF_HMAC_SHA2_384/ECP_384", child: "AES_GCM_16-256/ECP_384" };
/**
 * `--crypto modern --ike-version ikev1 --startup-action add` (overrides of the profile): IKEv1 with the
 * modern lists. The router proposes AES256/SHA2-384/DH 20 and ESP AES256-GCM-16/PFS 20, and accepts
 * every combination the lists allow (IKEv1 has no INVALID_KE_PAYLOAD to agree on a group later), so
 * a Main Mode that AWS starts (its re-authentication) ends on AWS's first offer, here the lowest.
 */
const MODERN_IKEV1: Expected = {
  ike: "AES_CBC-256/HMAC_SHA2_384_192/PRF_HMAC_SHA2_384/ECP_384",
  child: "AES_GCM_16-256/ECP_384",
  ikeAfterAwsReauth: "AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256",
};
const MODERN_IKEV1_FLAGS = ["--crypto", "modern", "--startup-action", "add"];

const COMPATIBLE = ["--crypto", "compatible"];

export const VARIANTS: Variant[] = [
  // No crypto flags at all: what a fresh `vpn create` does (modern, IKEv2 only, AWS starts IKE).
  { name: "static-defaults", routing: "static", nat: false, flags: [], version: 2, expect: MODERN_IKEV2 },
  { name: "bgp-defaults-nat", routing: "bgp", nat: true, flags: [], version: 2, expect: MODERN_IKEV2 },
  // static/BGP x modern/compatible x IKEv1/IKEv2 x behind NAT or not.
  ...(["static", "bgp"] as const).flatMap((routing) =>
    [false, true].flatMap((nat): Variant[] => {
      const n = nat ? "-nat" : "";
      return [
        { name: `${routing}-modern-ikev2${n}`, routing, ike: "ikev2", nat, flags: [], version: 2, expect: MODERN_IKEV2 },
        { name: `${routing}-compatible-ikev2${n}`, routing, ike: "ikev2", nat, flags: COMPATIBLE, version: 2, expect: AWS_DEFAULT_CRYPTO },
        { name: `${routing}-compatible-ikev1${n}`, routing, ike: "ikev1", nat, flags: COMPATIBLE, version: 1, expect: AWS_DEFAULT_CRYPTO },
        { name: `${routing}-modern-ikev1${n}`, routing, ike: "ikev1", nat, flags: MODERN_IKEV1_FLAGS, version: 1, expect: MODERN_IKEV1 },
      ];
    }),
  ),
];

/**
 * Not a variant: the suite's proof that its rekey check can fail. static-modern-ikev2's connection,
 * with the router file's ESP proposals stripped of their DH group and an AWS side that accepts ESP
 * without PFS; the check must report the first rekeyed CHILD SA as missing its PFS group.
 */
export const NEGATIVE_CONTROL: Variant = {
  name: "negative-esp-without-dh",
  routing: "static",
  ike: "ikev2",
  nat: false,
  flags: [],
  version: 2,
  expect: MODERN_IKEV2,
};
