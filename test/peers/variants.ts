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
 * AWS's default tunnel options (every algorithm allowed) with what vpcwire proposes today: the XML's
 * AES-128, SHA-1, DH group 2 (issue 10, point 1). This is what `--crypto compatible` should keep negotiating.
 */
const AWS_DEFAULT_CRYPTO: Expected = { ike: "AES_CBC-128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024", child: "AES_CBC-128/HMAC_SHA1_96/MODP_1024" };

export const VARIANTS: Variant[] = [
  // No --ike-version: AWS allows both versions, vpcwire renders what it defaults to.
  { name: "static-defaults", routing: "static", nat: false, flags: [], version: 1, expect: AWS_DEFAULT_CRYPTO },
  { name: "static-ikev1", routing: "static", ike: "ikev1", nat: false, flags: [], version: 1, expect: AWS_DEFAULT_CRYPTO },
  { name: "static-ikev2", routing: "static", ike: "ikev2", nat: false, flags: [], version: 2, expect: AWS_DEFAULT_CRYPTO },
  { name: "static-ikev1-nat", routing: "static", ike: "ikev1", nat: true, flags: [], version: 1, expect: AWS_DEFAULT_CRYPTO },
  { name: "static-ikev2-nat", routing: "static", ike: "ikev2", nat: true, flags: [], version: 2, expect: AWS_DEFAULT_CRYPTO },
  { name: "bgp-ikev1", routing: "bgp", ike: "ikev1", nat: false, flags: [], version: 1, expect: AWS_DEFAULT_CRYPTO },
  { name: "bgp-ikev2", routing: "bgp", ike: "ikev2", nat: false, flags: [], version: 2, expect: AWS_DEFAULT_CRYPTO },
  { name: "bgp-ikev1-nat", routing: "bgp", ike: "ikev1", nat: true, flags: [], version: 1, expect: AWS_DEFAULT_CRYPTO },
  { name: "bgp-ikev2-nat", routing: "bgp", ike: "ikev2", nat: true, flags: [], version: 2, expect: AWS_DEFAULT_CRYPTO },
];
