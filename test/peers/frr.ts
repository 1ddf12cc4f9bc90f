/**
 * FRR for the real-peer suite: the BGP part vpcwire renders for Linux, taken out of the strongSwan
 * file, and zebra + bgpd per side in a namespace, queried through vtysh's JSON output.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Daemon, type Lab, must, waitFor } from "./sys.js";

export const ZEBRA = "/usr/lib/frr/zebra";
export const BGPD = "/usr/lib/frr/bgpd";

/**
 * The FRR configuration in a rendered strongSwan file: the commented block from `# router bgp` to the
 * closing `# ====` rule, without the comment marks (what the file tells users to put in frr.conf).
 */
export function renderedFrr(text: string): string {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => /^# router bgp \d+/.test(l));
  if (start < 0) throw new Error("the rendered file has no FRR part (no '# router bgp' line)");
  const end = lines.findIndex((l, i) => i > start && /^# =+$/.test(l));
  if (end < 0) throw new Error("the rendered FRR part has no closing '# ====' line");
  return `${lines
    .slice(start, end)
    .map((l) => l.replace(/^# ?/, ""))
    .join("\n")}\n`;
}

/** uid/gid of the `frr` user the FRR daemons drop to (they need to write their sockets and pid files). */
function frrIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync("id", ["-u", "frr"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "frr"], { encoding: "utf8" }).trim());
  return { uid, gid };
}

export class Frr {
  readonly dir: string;
  readonly daemons: Daemon[] = [];

  constructor(
    private readonly lab: Lab,
    readonly role: string,
    readonly ns: string,
  ) {
    this.dir = join(lab.dir, `frr-${role}`);
    mkdirSync(this.dir, { recursive: true });
    const { uid, gid } = frrIds();
    chmodSync(lab.dir, 0o711);
    chownSync(this.dir, uid, gid);
  }

  /** zebra, then bgpd with `config` (the daemons run as the frr user, with this lab's paths only). */
  async start(config: string): Promise<void> {
    const conf = join(this.dir, "frr.conf");
    writeFileSync(conf, config);
    const { uid, gid } = frrIds();
    chownSync(conf, uid, gid);
    const common = ["--vty_socket", this.dir, "-P", "0", "-z", join(this.dir, "zserv.api")];
    this.daemons.push(
      this.lab.start(`zebra-${this.role}`, this.ns, [
        ZEBRA,
        ...common,
        "-f",
        "/dev/null",
        "-i",
        join(this.dir, "zebra.pid"),
        "--log",
        `file:${join(this.dir, "zebra.log")}`,
      ]),
    );
    await waitForFile(this, "zserv.api");
    this.daemons.push(
      this.lab.start(`bgpd-${this.role}`, this.ns, [
        BGPD,
        ...common,
        "-f",
        conf,
        "-i",
        join(this.dir, "bgpd.pid"),
        "--log",
        `file:${join(this.dir, "bgpd.log")}`,
      ]),
    );
    await waitForFile(this, "bgpd.vty");
  }

  async vtysh(command: string): Promise<string> {
    return must("vtysh", ["--vty_socket", this.dir, "-c", command], { timeoutMs: 10_000 });
  }

  // biome-ignore lint/suspicious/noExplicitAny: vtysh JSON, read field by field
  async json(command: string): Promise<any> {
    return JSON.parse(await this.vtysh(`${command} json`));
  }

  /** Neighbor address -> BGP state (Established, Active, ...). */
  async peerStates(): Promise<Record<string, string>> {
    const s = await this.json("show ip bgp summary");
    const peers = (s.ipv4Unicast?.peers ?? {}) as Record<string, { state: string }>;
    return Object.fromEntries(Object.entries(peers).map(([k, v]) => [k, v.state]));
  }

  /** Prefixes received and accepted from a neighbor. */
  async routesFrom(neighbor: string): Promise<string[]> {
    const r = await this.json(`show ip bgp neighbors ${neighbor} routes`);
    return Object.keys(r.routes ?? {}).sort();
  }

  /** Prefixes this side sends a neighbor (after its outbound policy). */
  async advertisedTo(neighbor: string): Promise<string[]> {
    const r = await this.json(`show ip bgp neighbors ${neighbor} advertised-routes`);
    return Object.keys(r.advertisedRoutes ?? {}).sort();
  }

  /** Prefixes in this side's BGP table. */
  async table(): Promise<string[]> {
    const r = await this.json("show ip bgp");
    return Object.keys(r.routes ?? {}).sort();
  }

  diagnostics(): string {
    return [...this.daemons.map((d) => this.lab.tail(d.log, 10)), this.lab.tail(join(this.dir, "bgpd.log"), 30)].join("\n");
  }
}

async function waitForFile(frr: Frr, name: string): Promise<void> {
  await waitFor(`FRR (${frr.role}) to create ${name}`, async () => (existsSync(join(frr.dir, name)) ? true : undefined), {
    timeoutMs: 15_000,
    describe: async () => frr.diagnostics(),
  });
}
