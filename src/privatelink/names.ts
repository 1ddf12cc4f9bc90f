import { createHash } from "node:crypto";

export type Direction = "inbound" | "outbound";

export const DIRECTIONS: Direction[] = ["inbound", "outbound"];

/** `in` / `out`: the short form used inside length-limited names. */
export const SHORT: Record<Direction, string> = { inbound: "in", outbound: "out" };

/**
 * `<base>-<suffix>` in at most `max` characters, leaving room for a suffix of `reserve` characters
 * (so every name of a kind shares one prefix). A base that does not fit keeps its start and gets
 * four hex digits of its hash, so two long stack names that share a prefix still get different
 * names, and the same stack always gets the same name (re-runs find what they created).
 * ELBv2 names must not begin with `internal-`; such a base gets a `vw-` prefix.
 */
export function shortName(base: string, suffix: string, max = 32, reserve = suffix.length): string {
  let b = base.startsWith("internal-") ? `vw-${base}` : base;
  const room = max - Math.max(reserve, suffix.length) - 1;
  if (b.length > room) {
    const hash = createHash("sha1").update(base).digest("hex").slice(0, 4);
    b = `${b.slice(0, room - 5).replace(/-+$/, "")}-${hash}`;
  }
  return `${b}-${suffix}`;
}

/** Network Load Balancer name (ELBv2: 32 characters, letters, digits and hyphens). */
export function nlbName(stack: string, direction: Direction): string {
  return shortName(stack, SHORT[direction], 32, "out".length);
}

/** Target group name, one per direction and port. */
export function targetGroupName(stack: string, direction: Direction, port: number): string {
  return shortName(stack, `${SHORT[direction]}-${port}`, 32, "out-65535".length);
}

/** Security group of a direction's interface endpoint (group names may be 255 characters). */
export function securityGroupName(stack: string, direction: Direction): string {
  return `vpcwire-${stack}-vpce-${SHORT[direction]}`;
}

/** Plan step ids and `vpcwire:role` tag values. */
export const role = {
  nlb: (d: Direction) => `nlb-${d}`,
  targetGroup: (d: Direction, port: number) => `tg-${d}-${port}`,
  listener: (d: Direction, port: number) => `listener-${d}-${port}`,
  service: (d: Direction) => `svc-${d}`,
  permission: (d: Direction) => `perm-${d}`,
  securityGroup: (d: Direction) => `sg-${d}`,
  endpoint: (d: Direction) => `vpce-${d}`,
  /** The wait for the health checks (a plan step only: no resource carries this role). */
  health: (d: Direction) => `health-${d}`,
};

/**
 * Tags on the inbound interface endpoint that say where on-prem connects (the relay IP) and what holds
 * it (`endpoint`: the endpoint's own interface; `nat`: a NAT server), so `vpcwire status` can check it.
 * Without them (no --relay-ip) on-prem uses the endpoint's own addresses.
 */
export const RELAY_IP_TAG = "vpcwire:relay-ip";
export const RELAY_MODE_TAG = "vpcwire:relay-mode";

/** Names inside the NAT server's rules: an nftables table, or iptables chains (28 characters at most). */
export function natNames(stack: string): { table: string; dnatChain: string; snatChain: string; forwardChain: string } {
  return {
    table: `vpcwire_${stack.replace(/-/g, "_")}`,
    dnatChain: shortName(`VW-${stack}`, "DNAT", 28),
    snatChain: shortName(`VW-${stack}`, "SNAT", 28),
    forwardChain: shortName(`VW-${stack}`, "FWD", 28, "DNAT".length),
  };
}
