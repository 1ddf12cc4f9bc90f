/**
 * Which route of a VPC route table a packet to one address takes, and why: pure, no AWS call.
 *
 * The rules are AWS's "How route priority works" (Amazon VPC User Guide, route-tables-priority):
 *   1. longest prefix (routes to IPv4 and IPv6 are independent of each other);
 *   2. on an identical destination, a static route (internet gateway, NAT gateway, network interface,
 *      instance, gateway endpoint, transit gateway, peering, Gateway Load Balancer endpoint; the local
 *      route) beats a route that references a prefix list, which beats a propagated route;
 *   3. several prefix lists with overlapping entries to different targets: AWS picks one at random
 *      and keeps that choice (we cannot know which, so we say so);
 *   4. propagated routes then go to the one virtual private gateway, which prefers, for the same
 *      prefix, Direct Connect BGP > VPN static > VPN BGP (Site-to-Site VPN guide, "Route tables and
 *      VPN route priority"): `chooseCarrier` below.
 * Two more facts the route table shows but the list does not spell out:
 *   - only a static route (middlebox routing) can be more specific than the local route; a propagated
 *     route or a prefix-list entry inside the VPC's CIDR is not used (aws-facts 1.7; the prefix-list
 *     rules: "an entry with a more specific CIDR than the VPC CIDR is ignored");
 *   - a winning route in the `blackhole` state drops the packet: AWS does not fall back to a less
 *     specific route.
 */
import ipaddr from "ipaddr.js";

export type TargetKind =
  | "local"
  | "internet-gateway"
  | "egress-only-internet-gateway"
  | "virtual-private-gateway"
  | "transit-gateway"
  | "nat-gateway"
  | "vpc-peering"
  | "network-interface"
  | "instance"
  | "gateway-endpoint"
  | "carrier-gateway"
  | "local-gateway"
  | "core-network"
  | "unknown";

/** How the route got into the table, in AWS's priority terms. */
export type RouteOrigin = "local" | "static" | "prefix-list" | "propagated";

/** A route as DescribeRouteTables returns it (the fields this module reads). */
export interface TableRoute {
  DestinationCidrBlock?: string;
  DestinationIpv6CidrBlock?: string;
  DestinationPrefixListId?: string;
  GatewayId?: string;
  NatGatewayId?: string;
  TransitGatewayId?: string;
  VpcPeeringConnectionId?: string;
  NetworkInterfaceId?: string;
  InstanceId?: string;
  EgressOnlyInternetGatewayId?: string;
  CarrierGatewayId?: string;
  LocalGatewayId?: string;
  CoreNetworkArn?: string;
  Origin?: string;
  State?: string;
}

export interface Target {
  kind: TargetKind;
  id: string;
}

export interface Candidate {
  /** The route's destination as the table shows it: a CIDR or a prefix-list id. */
  destination: string;
  /** For a prefix-list route, the entry that contains the address. */
  matchedCidr: string;
  prefixLength: number;
  origin: RouteOrigin;
  target: Target;
  state: string;
}

export type Verdict = "wins" | "tie" | "less-specific" | "static-wins-tie" | "prefix-list-wins-tie" | "inside-local" | "not-installed" | "other-family";

export interface RankedCandidate extends Candidate {
  verdict: Verdict;
  /** One sentence: why this route wins or loses. */
  why: string;
}

export type Outcome = "forwarded" | "blackhole" | "no-route" | "ambiguous";

export interface RouteDecision {
  destination: string;
  family: 4 | 6;
  /** Every route of the table whose destination contains the address (and why each lost), best first. */
  candidates: RankedCandidate[];
  winner?: RankedCandidate;
  outcome: Outcome;
  /** The answer in words. */
  reason: string;
}

export interface DecideInput {
  /** The destination address (IPv4 or IPv6). */
  ip: string;
  routes: TableRoute[];
  /** The VPC's CIDR blocks (IPv4 and IPv6): what the local routes cover. */
  vpcCidrs: string[];
  /** Entries of the prefix lists the table references, by id; a missing id means "not read". */
  prefixLists?: Record<string, string[]>;
}

type Parsed = [ipaddr.IPv4 | ipaddr.IPv6, number];

function parseCidr(text: string): Parsed | undefined {
  try {
    return ipaddr.parseCIDR(text);
  } catch {
    return undefined;
  }
}

function contains(cidr: string, ip: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  const parsed = parseCidr(cidr);
  return !!parsed && parsed[0].kind() === ip.kind() && ip.match(parsed);
}

/** The kind and id of a route's target, from whichever field AWS filled in. */
export function targetOf(r: TableRoute): Target {
  if (r.GatewayId === "local") return { kind: "local", id: "local" };
  if (r.NatGatewayId) return { kind: "nat-gateway", id: r.NatGatewayId };
  if (r.TransitGatewayId) return { kind: "transit-gateway", id: r.TransitGatewayId };
  if (r.VpcPeeringConnectionId) return { kind: "vpc-peering", id: r.VpcPeeringConnectionId };
  // A route to an instance also names its primary interface; the instance is what people know.
  if (r.InstanceId) return { kind: "instance", id: r.InstanceId };
  if (r.NetworkInterfaceId) return { kind: "network-interface", id: r.NetworkInterfaceId };
  if (r.EgressOnlyInternetGatewayId) return { kind: "egress-only-internet-gateway", id: r.EgressOnlyInternetGatewayId };
  if (r.CarrierGatewayId) return { kind: "carrier-gateway", id: r.CarrierGatewayId };
  if (r.LocalGatewayId) return { kind: "local-gateway", id: r.LocalGatewayId };
  if (r.CoreNetworkArn) return { kind: "core-network", id: r.CoreNetworkArn };
  const g = r.GatewayId ?? "";
  if (g.startsWith("igw-")) return { kind: "internet-gateway", id: g };
  if (g.startsWith("vgw-")) return { kind: "virtual-private-gateway", id: g };
  // Gateway endpoints (S3, DynamoDB) and Gateway Load Balancer endpoints are both vpce- targets.
  if (g.startsWith("vpce-")) return { kind: "gateway-endpoint", id: g };
  return { kind: "unknown", id: g || "?" };
}

export function originOf(r: TableRoute): RouteOrigin {
  if (r.GatewayId === "local") return "local";
  if (r.Origin === "EnableVgwRoutePropagation") return "propagated";
  if (r.DestinationPrefixListId) return "prefix-list";
  return "static";
}

/** Lower is preferred on an identical prefix: static (the local route is one) < prefix list < propagated. */
const ORIGIN_RANK: Record<RouteOrigin, number> = { local: 0, static: 0, "prefix-list": 1, propagated: 2 };

const ORIGIN_WORDS: Record<RouteOrigin, string> = {
  local: "the local route",
  static: "a static route",
  "prefix-list": "a prefix-list route",
  propagated: "a propagated route",
};

/** What the target does with the packet, in one phrase. */
export function describeTarget(t: Target): string {
  switch (t.kind) {
    case "local":
      return "stays in the VPC (local route: every subnet reaches every other subnet directly)";
    case "internet-gateway":
      return `leaves through internet gateway ${t.id} (one-to-one NAT to the sender's public or Elastic IP)`;
    case "egress-only-internet-gateway":
      return `leaves through egress-only internet gateway ${t.id} (IPv6, outbound only)`;
    case "virtual-private-gateway":
      return `goes to virtual private gateway ${t.id} (Site-to-Site VPN or Direct Connect to on-premises)`;
    case "transit-gateway":
      return `goes to transit gateway ${t.id} (its own route table picks the next hop)`;
    case "nat-gateway":
      return `goes through NAT gateway ${t.id} (many-to-one source NAT, then its subnet's route table)`;
    case "vpc-peering":
      return `crosses VPC peering connection ${t.id} to the peer VPC (not transitive)`;
    case "network-interface":
      return `goes to network interface ${t.id} (an appliance: its source/destination check must be off)`;
    case "instance":
      return `goes to instance ${t.id} (an appliance such as a NAT instance: its source/destination check must be off)`;
    case "gateway-endpoint":
      return `goes to VPC endpoint ${t.id} (gateway endpoint or Gateway Load Balancer endpoint)`;
    case "carrier-gateway":
      return `leaves through carrier gateway ${t.id} (Wavelength)`;
    case "local-gateway":
      return `goes to local gateway ${t.id} (Outposts)`;
    case "core-network":
      return `goes to Cloud WAN core network ${t.id}`;
    default:
      return `goes to ${t.id}`;
  }
}

function familyOf(ip: ipaddr.IPv4 | ipaddr.IPv6): 4 | 6 {
  return ip.kind() === "ipv4" ? 4 : 6;
}

/**
 * The candidates for `ip` in a route table and the one that wins, with the reason for each. Pure:
 * the caller reads the table, the VPC's CIDRs and the entries of any prefix list the table uses.
 */
export function decideRoute(input: DecideInput): RouteDecision {
  const addr = ipaddr.parse(input.ip);
  const family = familyOf(addr);
  const destination = addr.toString();
  const localCidrs = input.vpcCidrs.filter((c) => contains(c, addr));
  const localPrefix = Math.max(-1, ...localCidrs.map((c) => parseCidr(c)![1]));

  const candidates: RankedCandidate[] = [];
  const unresolved: string[] = [];
  for (const r of input.routes) {
    const origin = originOf(r);
    const target = targetOf(r);
    const state = r.State ?? "active";
    let matched: string | undefined;
    let destinationText: string;
    if (r.DestinationPrefixListId) {
      destinationText = r.DestinationPrefixListId;
      const entries = input.prefixLists?.[r.DestinationPrefixListId];
      if (!entries) {
        unresolved.push(r.DestinationPrefixListId);
        continue;
      }
      // The most specific entry of the list that holds the address decides the route's prefix.
      matched = entries.filter((e) => contains(e, addr)).sort((a, b) => parseCidr(b)![1] - parseCidr(a)![1])[0];
    } else {
      destinationText = r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? "";
      if (contains(destinationText, addr)) matched = destinationText;
    }
    if (!matched) continue;
    const prefixLength = parseCidr(matched)![1];
    const base: Candidate = { destination: destinationText, matchedCidr: matched, prefixLength, origin, target, state };
    if (state === "filtered") {
      candidates.push({ ...base, verdict: "not-installed", why: "AWS reports this route as filtered: it is not used for forwarding." });
    } else if ((origin === "propagated" || origin === "prefix-list") && prefixLength > localPrefix && localPrefix >= 0) {
      candidates.push({
        ...base,
        verdict: "inside-local",
        why: `more specific than the local route, but only a static route may be: AWS does not use ${ORIGIN_WORDS[origin]} inside the VPC's own CIDR.`,
      });
    } else {
      candidates.push({ ...base, verdict: "less-specific", why: "" });
    }
  }

  const usable = candidates.filter((c) => c.verdict === "less-specific");
  const best = Math.max(-1, ...usable.map((c) => c.prefixLength));
  const longest = usable.filter((c) => c.prefixLength === best);
  const bestRank = Math.min(...longest.map((c) => ORIGIN_RANK[c.origin]));
  const top = longest.filter((c) => ORIGIN_RANK[c.origin] === bestRank);
  const topTargets = new Set(top.map((c) => `${c.target.kind}:${c.target.id}`));
  const ambiguous = top.length > 1 && topTargets.size > 1;
  const winner = ambiguous ? undefined : top[0];

  for (const c of usable) {
    if (c === winner) {
      c.verdict = "wins";
      c.why = winnerWhy(c, usable);
    } else if (c.prefixLength < best) {
      c.verdict = "less-specific";
      c.why = `/${c.prefixLength} is less specific than /${best}: the longest prefix wins.`;
    } else if (top.includes(c)) {
      c.verdict = "tie";
      c.why = ambiguous
        ? "several prefix lists hold the address with the same prefix length and different targets: AWS picks one at random, then always the same one."
        : "the same prefix and target as the winner.";
    } else if (bestRank === 0) {
      c.verdict = "static-wins-tie";
      c.why = `same /${c.prefixLength} as the winner, but on an identical destination a static route beats ${ORIGIN_WORDS[c.origin]}.`;
    } else {
      c.verdict = "prefix-list-wins-tie";
      c.why = `same /${c.prefixLength} as the winner, but a route that references a prefix list beats a propagated route.`;
    }
  }

  const order = (c: RankedCandidate) => (c.verdict === "wins" ? 0 : c.verdict === "tie" ? 1 : usable.includes(c) ? 2 : 3);
  candidates.sort((a, b) => order(a) - order(b) || b.prefixLength - a.prefixLength || ORIGIN_RANK[a.origin] - ORIGIN_RANK[b.origin]);

  let outcome: Outcome;
  let reason: string;
  if (ambiguous) {
    outcome = "ambiguous";
    reason = `${top.map((c) => c.destination).join(" and ")} both hold ${destination} as /${best} with different targets: AWS picks one at random and keeps it; remove the overlap to be sure.`;
  } else if (!winner) {
    outcome = "no-route";
    reason = `No route in this table covers ${destination}: the packet is dropped.`;
  } else if (winner.state === "blackhole") {
    outcome = "blackhole";
    reason = `${winner.destination} → ${winner.target.id} wins (${winner.why}) but its target is gone (state blackhole): the packet is dropped; AWS does not fall back to a less specific route.`;
  } else {
    outcome = "forwarded";
    reason = `${destination} ${describeTarget(winner.target)}: ${winner.destination} wins (${winner.why})`;
  }
  if (unresolved.length) reason += ` (Prefix list${unresolved.length > 1 ? "s" : ""} ${[...new Set(unresolved)].join(", ")} not read.)`;
  return { destination, family, candidates, ...(winner ? { winner } : {}), outcome, reason };
}

function winnerWhy(w: RankedCandidate, usable: RankedCandidate[]): string {
  const others = usable.filter((c) => c !== w);
  const parts: string[] = [];
  if (w.origin === "local") parts.push("the local route covers the VPC's own addresses");
  const shorter = others.filter((c) => c.prefixLength < w.prefixLength);
  if (shorter.length) parts.push(`/${w.prefixLength} is the longest prefix that matches`);
  const tied = others.filter((c) => c.prefixLength === w.prefixLength && ORIGIN_RANK[c.origin] > ORIGIN_RANK[w.origin]);
  if (tied.length) {
    parts.push(
      ORIGIN_RANK[w.origin] === 0
        ? `on the same /${w.prefixLength} a static route beats ${[...new Set(tied.map((c) => ORIGIN_WORDS[c.origin]))].join(" and ")}`
        : `on the same /${w.prefixLength} a prefix-list route beats a propagated route`,
    );
  }
  if (w.origin === "prefix-list") parts.push(`its prefix list holds ${w.matchedCidr}`);
  if (!parts.length) parts.push("the only route that matches");
  return parts.join("; ");
}

// --- Inside the virtual private gateway ----------------------------------------------------------

/** A connection on the gateway, as the caller read it (VPN connection or Direct Connect VIF). */
export interface CarrierInput {
  kind: "vpn" | "dx";
  id: string;
  /** The vpcwire stack that owns it, when it carries the tag. */
  stack?: string;
  /** VPN `State` / VIF `virtualInterfaceState`. */
  state: string;
  /** VPN: `StaticRoutesOnly`. DX VIFs always use BGP. */
  routing: "static" | "bgp";
  /** VPN static routes (`Routes[]`). */
  staticRoutes?: Array<{ cidr: string; state: string }>;
  /** VPN tunnels (`VgwTelemetry[]`) or DX BGP peers. */
  tunnels: Array<{ outsideIp?: string; status: string; acceptedRoutes?: number; message?: string }>;
}

export type CarrierVerdict = "carries" | "standby" | "no-route" | "down";

export interface RankedCarrier extends CarrierInput {
  verdict: CarrierVerdict;
  /** The static route that matches (VPN static). */
  matchedRoute?: string;
  why: string;
}

export interface CarrierDecision {
  carriers: RankedCarrier[];
  winner?: RankedCarrier;
  reason: string;
}

/** Inside the gateway, on the same prefix: DX BGP (0) > VPN static (1) > VPN BGP (2). */
const CARRIER_RANK = (c: CarrierInput): number => (c.kind === "dx" ? 0 : c.routing === "static" ? 1 : 2);
const CARRIER_WORDS = ["Direct Connect BGP", "VPN static", "VPN BGP"];

const up = (s: string) => /^(up|UP|available)$/.test(s);

/**
 * Which connection on the virtual private gateway carries a packet to `ip` (pure). A VPN with
 * static routing carries it when one of its static routes holds the address and a tunnel is UP; a
 * BGP VPN or a Direct Connect VIF may carry it when BGP is up and (VPN) routes were accepted. The API
 * does not say which prefixes a BGP peer announced, so BGP carriers are compared on the assumption
 * of equal prefixes (the gateway's longest-prefix step cannot be checked from here).
 */
export function chooseCarrier(ip: string, inputs: CarrierInput[]): CarrierDecision {
  const addr = ipaddr.parse(ip);
  const ranked: RankedCarrier[] = inputs.map((c) => {
    const liveTunnels = c.tunnels.filter((t) => up(t.status));
    const alive = (c.kind === "vpn" ? c.state === "available" : c.state === "available") && liveTunnels.length > 0;
    if (c.routing === "static") {
      const matches = (c.staticRoutes ?? [])
        .filter((r) => r.state !== "deleted" && r.state !== "deleting" && contains(r.cidr, addr))
        .sort((a, b) => parseCidr(b.cidr)![1] - parseCidr(a.cidr)![1]);
      const m = matches[0];
      if (!m) return { ...c, verdict: "no-route", why: `no static route on ${c.id} holds ${ip}.` };
      if (!alive) return { ...c, verdict: "down", matchedRoute: m.cidr, why: `static route ${m.cidr} holds ${ip}, but no tunnel is UP.` };
      return {
        ...c,
        verdict: "standby",
        matchedRoute: m.cidr,
        why: `static route ${m.cidr} holds ${ip}; ${liveTunnels.length} of ${c.tunnels.length} tunnels UP.`,
      };
    }
    if (!alive) return { ...c, verdict: "down", why: c.kind === "dx" ? `BGP is not up (${c.state}).` : "no tunnel is UP, so nothing is learned over BGP." };
    const learned = c.kind === "vpn" ? liveTunnels.reduce((n, t) => n + (t.acceptedRoutes ?? 0), 0) : undefined;
    if (learned === 0) return { ...c, verdict: "no-route", why: "tunnels are UP but BGP accepted no routes from the customer gateway." };
    return {
      ...c,
      verdict: "standby",
      why: c.kind === "vpn" ? `BGP up, ${learned} route${learned === 1 ? "" : "s"} accepted.` : "BGP up on the virtual interface.",
    };
  });
  const prefixOf = (c: RankedCarrier) => (c.matchedRoute ? parseCidr(c.matchedRoute)![1] : -1);
  // By preference, then (between static VPNs) the more specific static route.
  const live = ranked.filter((c) => c.verdict === "standby").sort((a, b) => CARRIER_RANK(a) - CARRIER_RANK(b) || prefixOf(b) - prefixOf(a));
  const bestRank = Math.min(...live.map(CARRIER_RANK));
  const winner = live[0];
  for (const c of live) {
    if (c === winner) {
      c.verdict = "carries";
      c.why += ` Preferred: ${CARRIER_WORDS[CARRIER_RANK(c)]}${live.length > 1 ? ` beats ${[...new Set(live.filter((o) => o !== c).map((o) => CARRIER_WORDS[CARRIER_RANK(o)]))].join(", ")} on the same prefix` : ""}.`;
    } else if (CARRIER_RANK(c) > bestRank) {
      c.why += ` Not used while ${winner!.id} is up: ${CARRIER_WORDS[bestRank]} comes before ${CARRIER_WORDS[CARRIER_RANK(c)]}.`;
    } else {
      c.why += " Same preference as the carrier: the gateway picks by AS_PATH, then MED (BGP), and uses one tunnel at a time.";
    }
  }
  const reason = winner
    ? `${winner.kind === "dx" ? "Direct Connect interface" : "VPN connection"} ${winner.id}${winner.stack ? ` (stack ${winner.stack})` : ""} carries it: ${winner.why}`
    : inputs.length === 0
      ? "No VPN connection or Direct Connect interface is on the gateway: the packet has nowhere to go."
      : "No connection on the gateway can carry it now (see each one below).";
  return { carriers: ranked, ...(winner ? { winner } : {}), reason };
}
