import type { Direction } from "./names.js";

/** Who talks to which address, through what: one row per direction. Plain data (it goes into JSON as is). */
export interface AddressMapEntry {
  direction: Direction;
  /** Who opens the connections. */
  client: string;
  /** The addresses the client must use (never a route to them: PrivateLink answers only on these). */
  connectTo: string[];
  /** The endpoint's DNS name, an alternative to the addresses. */
  dnsName?: string;
  ports: number[];
  /** The hops in order. */
  through: string[];
  /** The host that finally answers. */
  reaches: string;
  /** The source addresses that host sees (the NLB's own addresses: client IPs are not preserved). */
  seenFrom: string[];
}

/** The address map as an aligned text table for people (stderr). The JSON document has every detail. */
export function formatAddressMap(entries: AddressMapEntry[]): string {
  const rows = entries.map((e) => [
    e.direction,
    e.client,
    e.connectTo.join(", "),
    `tcp ${e.ports.join(",")}`,
    e.through.join(" > "),
    e.reaches,
    e.seenFrom.join(", ") || "-",
  ]);
  const header = ["direction", "client", "connects to", "ports", "through", "reaches", "which sees it from"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
