/**
 * strongSwan for the real-peer suite: the charon that plays AWS (built from the connection's tunnel
 * options), one charon per side in its own namespace and mount namespace, and what `swanctl` reports.
 */
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { TunnelOption } from "@aws-sdk/client-ec2";
import type { Connection, Tunnel } from "./connection.js";
import { type Daemon, type Lab, run, waitFor } from "./sys.js";

export const CHARON = "/usr/lib/ipsec/charon";
export const LIBIPSEC_PLUGIN = "/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so";
export const OPENSSL_PLUGIN = "/usr/lib/ipsec/plugins/libstrongswan-openssl.so";

// --- AWS's side, from the tunnel options --------------------------------------------------------

/** What an AWS endpoint allows when a tunnel's option lists are empty (aws-facts.md 1.5). */
export const AWS_ALLOWED = {
  encryption: ["AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16"],
  integrity: ["SHA1", "SHA2-256", "SHA2-384", "SHA2-512"],
  phase1Dh: [2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24],
  phase2Dh: [2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24],
  ikeVersions: ["ikev1", "ikev2"],
} as const;

const ENCRYPTION: Record<string, { kw: string; aead: boolean }> = {
  AES128: { kw: "aes128", aead: false },
  AES256: { kw: "aes256", aead: false },
  "AES128-GCM-16": { kw: "aes128gcm16", aead: true },
  "AES256-GCM-16": { kw: "aes256gcm16", aead: true },
};
const INTEGRITY: Record<string, { integ: string; prf: string }> = {
  SHA1: { integ: "sha1", prf: "prfsha1" },
  "SHA2-256": { integ: "sha256", prf: "prfsha256" },
  "SHA2-384": { integ: "sha384", prf: "prfsha384" },
  "SHA2-512": { integ: "sha512", prf: "prfsha512" },
};
const DH: Record<number, string> = {
  2: "modp1024",
  5: "modp1536",
  14: "modp2048",
  15: "modp3072",
  16: "modp4096",
  17: "modp6144",
  18: "modp8192",
  19: "ecp256",
  20: "ecp384",
  21: "ecp521",
  22: "modp1024s160",
  23: "modp2048s224",
  24: "modp2048s256",
};

function values<T>(list: Array<{ Value?: T }> | undefined, fallback: readonly T[]): T[] {
  const v = (list ?? []).map((x) => x.Value).filter((x): x is T => x !== undefined);
  return v.length ? v : [...fallback];
}

function keyword<T extends string | number>(table: Record<T, unknown>, value: T, what: string): void {
  if (!(value in table)) throw new Error(`tunnel option ${what} ${value} is not one AWS allows`);
}

/**
 * strongSwan proposals accepting exactly the combinations a tunnel's option lists allow: one proposal
 * for the CBC ciphers (any integrity), one for the AEAD ciphers (integrity only as PRF in IKE, none in
 * ESP), each with every allowed DH group. In ESP the DH groups make PFS mandatory, as on AWS.
 */
export function awsProposals(o: TunnelOption, opts: { allowNoPfs?: boolean } = {}): { ike: string; esp: string } {
  const p1enc = values(o.Phase1EncryptionAlgorithms, AWS_ALLOWED.encryption);
  const p2enc = values(o.Phase2EncryptionAlgorithms, AWS_ALLOWED.encryption);
  const p1int = values(o.Phase1IntegrityAlgorithms, AWS_ALLOWED.integrity);
  const p2int = values(o.Phase2IntegrityAlgorithms, AWS_ALLOWED.integrity);
  const p1dh = values(o.Phase1DHGroupNumbers, AWS_ALLOWED.phase1Dh);
  const p2dh = values(o.Phase2DHGroupNumbers, AWS_ALLOWED.phase2Dh);
  for (const e of [...p1enc, ...p2enc]) keyword(ENCRYPTION, e, "encryption");
  for (const i of [...p1int, ...p2int]) keyword(INTEGRITY, i, "integrity");
  for (const g of [...p1dh, ...p2dh]) keyword(DH, g, "DH group");
  const join = (parts: string[]) => parts.join("-");
  const split = (enc: string[]) => ({
    cbc: enc.filter((e) => !ENCRYPTION[e]!.aead).map((e) => ENCRYPTION[e]!.kw),
    aead: enc.filter((e) => ENCRYPTION[e]!.aead).map((e) => ENCRYPTION[e]!.kw),
  });
  const ikeEnc = split(p1enc);
  const espEnc = split(p2enc);
  const ikeDh = p1dh.map((g) => DH[g]!);
  const espDh = p2dh.map((g) => DH[g]!);
  const ike: string[] = [];
  if (ikeEnc.cbc.length) ike.push(join([...ikeEnc.cbc, ...p1int.map((i) => INTEGRITY[i]!.integ), ...ikeDh]));
  if (ikeEnc.aead.length) ike.push(join([...ikeEnc.aead, ...p1int.map((i) => INTEGRITY[i]!.prf), ...ikeDh]));
  const esp: string[] = [];
  if (espEnc.cbc.length) esp.push(join([...espEnc.cbc, ...p2int.map((i) => INTEGRITY[i]!.integ), ...espDh]));
  if (espEnc.aead.length) esp.push(join([...espEnc.aead, ...espDh]));
  // Only for the suite's negative control: real AWS requires PFS.
  if (opts.allowNoPfs) {
    if (espEnc.cbc.length) esp.push(join([...espEnc.cbc, ...p2int.map((i) => INTEGRITY[i]!.integ)]));
    if (espEnc.aead.length) esp.push(join(espEnc.aead));
  }
  return { ike: ike.join(","), esp: esp.join(",") };
}

/**
 * IKEv1 proposals of the same lists, one strongSwan proposal per combination. strongSwan's IKEv1
 * encodes only the first algorithm of each kind of a proposal (one ISAKMP transform per proposal),
 * so the compact form of `awsProposals` would make this stand-in offer one combination when it
 * starts Main Mode or Quick Mode (e.g. AES256/SHA2-256/DH 19 only); AWS offers what the tunnel's
 * lists allow. Lowest values first, the order in which AWS evaluates proposals (aws-facts.md 1.5);
 * the order AWS offers them in as an initiator is not documented. No AES-GCM in an IKEv1 phase 1.
 */
export function awsProposalsV1(o: TunnelOption): { ike: string; esp: string } {
  const sorted = <T>(list: T[], order: readonly T[]) => [...list].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const p1enc = sorted(values(o.Phase1EncryptionAlgorithms, AWS_ALLOWED.encryption), AWS_ALLOWED.encryption).filter((e) => !ENCRYPTION[e]?.aead);
  const p2enc = sorted(values(o.Phase2EncryptionAlgorithms, AWS_ALLOWED.encryption), AWS_ALLOWED.encryption);
  const p1int = sorted(values(o.Phase1IntegrityAlgorithms, AWS_ALLOWED.integrity), AWS_ALLOWED.integrity);
  const p2int = sorted(values(o.Phase2IntegrityAlgorithms, AWS_ALLOWED.integrity), AWS_ALLOWED.integrity);
  const p1dh = sorted(values(o.Phase1DHGroupNumbers, AWS_ALLOWED.phase1Dh), AWS_ALLOWED.phase1Dh);
  const p2dh = sorted(values(o.Phase2DHGroupNumbers, AWS_ALLOWED.phase2Dh), AWS_ALLOWED.phase2Dh);
  for (const e of [...p1enc, ...p2enc]) keyword(ENCRYPTION, e, "encryption");
  for (const i of [...p1int, ...p2int]) keyword(INTEGRITY, i, "integrity");
  for (const g of [...p1dh, ...p2dh]) keyword(DH, g, "DH group");
  const ike = p1enc.flatMap((e) => p1int.flatMap((i) => p1dh.map((g) => `${ENCRYPTION[e]!.kw}-${INTEGRITY[i]!.integ}-${DH[g]}`)));
  const esp = p2enc.flatMap((e) =>
    ENCRYPTION[e]!.aead
      ? p2dh.map((g) => `${ENCRYPTION[e]!.kw}-${DH[g]}`)
      : p2int.flatMap((i) => p2dh.map((g) => `${ENCRYPTION[e]!.kw}-${INTEGRITY[i]!.integ}-${DH[g]}`)),
  );
  return { ike: ike.join(","), esp: esp.join(",") };
}

/** strongSwan's `version` for the tunnel's IKE versions: 0 = both. */
export function awsIkeVersion(o: TunnelOption): 0 | 1 | 2 {
  const v = values(o.IkeVersions, AWS_ALLOWED.ikeVersions);
  if (v.includes("ikev1") && v.includes("ikev2")) return 0;
  return v.includes("ikev2") ? 2 : 1;
}

/**
 * The swanctl.conf of the charon that plays AWS for both tunnels: a responder (unless StartupAction
 * is start) on each outside IP that accepts only the customer gateway's address and identity, with
 * 0.0.0.0/0 selectors both ways, mandatory PFS, and AWS's lifetimes, DPD and replay window.
 */
export function awsSwanctlConf(conn: Connection, cgwIp: string, opts: { allowNoPfs?: boolean } = {}): string {
  const blocks = conn.tunnels.map((t) => {
    const o = t.options;
    const { ike, esp } = awsIkeVersion(o) === 1 && !opts.allowNoPfs ? awsProposalsV1(o) : awsProposals(o, opts);
    const p1 = o.Phase1LifetimeSeconds ?? 28_800;
    const p2 = o.Phase2LifetimeSeconds ?? 3600;
    const margin = o.RekeyMarginTimeSeconds ?? 270;
    const fuzz = o.RekeyFuzzPercentage ?? 100;
    const dpdAction = { clear: "clear", restart: "restart", none: "none" }[o.DpdTimeoutAction ?? "clear"] ?? "clear";
    const start = o.StartupAction === "start";
    return `  ${awsName(t)} {
    version = ${awsIkeVersion(o)}
    local_addrs = ${t.awsOutsideIp}
    remote_addrs = ${cgwIp}
    proposals = ${ike}
    mobike = no
    reauth_time = 0
    rekey_time = ${p1 - margin}s
    rand_time = ${Math.floor((margin * fuzz) / 100)}s
    over_time = ${margin}s
    dpd_delay = 10s
    dpd_timeout = ${o.DpdTimeoutSeconds ?? 30}s
    local {
      auth = psk
      id = ${t.awsOutsideIp}
    }
    remote {
      auth = psk
      id = ${cgwIp}
    }
    children {
      ${awsName(t)} {
        local_ts = 0.0.0.0/0
        remote_ts = 0.0.0.0/0
        esp_proposals = ${esp}
        mode = tunnel
        rekey_time = ${p2 - margin}s
        rand_time = ${Math.floor((margin * fuzz) / 100)}s
        life_time = ${p2}s
        replay_window = ${o.ReplayWindowSize ?? 1024}
        dpd_action = ${dpdAction}
        start_action = ${start ? "start" : "none"}
        close_action = none
      }
    }
  }`;
  });
  const secrets = conn.tunnels.map(
    (t) => `  ike-${awsName(t)} {
    id-aws = ${t.awsOutsideIp}
    id-cgw = ${cgwIp}
    secret = "${t.psk}"
  }`,
  );
  return `# The AWS side of ${conn.vpnId}, from its tunnel options (test/peers/swan.ts).\nconnections {\n${blocks.join("\n")}\n}\n\nsecrets {\n${secrets.join("\n")}\n}\n`;
}

export function awsName(t: Tunnel): string {
  return `aws-tunnel${t.number}`;
}

// --- charon daemons ------------------------------------------------------------------------------

const SWANCTL_DIRS = ["x509", "x509ca", "x509ocsp", "x509aa", "x509ac", "x509crl", "pubkey", "private", "rsa", "ecdsa", "bliss", "pkcs8", "pkcs12"];
const PLUGINS = "random nonce openssl aes sha1 sha2 hmac gcm kdf pem pkcs1 x509 pubkey";
/** charon only: `updown` runs a CHILD SA's `updown = ` command (vpcwire's static-routing script). */
const CHARON_PLUGINS = `${PLUGINS} updown`;

export class Charon {
  readonly uri: string;
  readonly env: NodeJS.ProcessEnv;
  readonly swanctlDir: string;
  readonly logFile: string;
  daemon?: Daemon;

  constructor(
    private readonly lab: Lab,
    readonly role: string,
    readonly ns: string,
  ) {
    const dir = join(lab.dir, role);
    this.swanctlDir = join(dir, "swanctl");
    for (const d of ["run", "swanctl/conf.d", ...SWANCTL_DIRS.map((s) => `swanctl/${s}`)]) mkdirSync(join(dir, d), { recursive: true });
    this.uri = `unix://${join(dir, "charon.vici")}`;
    this.logFile = join(dir, "charon.log");
    const conf = join(dir, "strongswan.conf");
    // kernel-libipsec: this kernel has no ESP (../shared/docs/real-peers.md). The fwmark pair keeps
    // charon's own IKE packets out of the 0.0.0.0/0 routes libipsec installs into its TUN device.
    writeFileSync(
      conf,
      `charon {
  load = ${CHARON_PLUGINS} kernel-libipsec kernel-netlink socket-default vici
  plugins {
    socket-default { fwmark = 0x4711 }
    kernel-netlink { fwmark = !0x4711 }
    vici { socket = ${this.uri} }
  }
  filelog {
    log {
      path = ${this.logFile}
      time_format = %T
      default = 1
      ike = 2
      # not the vici connections of every poll
      cfg = 0
    }
  }
}
swanctl { load = ${PLUGINS} }
`,
    );
    writeFileSync(join(this.swanctlDir, "swanctl.conf"), "include conf.d/*.conf\n");
    this.env = { ...process.env, STRONGSWAN_CONF: conf };
  }

  /**
   * Start charon with a private /run (charon 5.9 writes a fixed /var/run/charon.pid) and wait for vici.
   * `etcSwanctl`: this charon's swanctl directory is also its /etc/swanctl, so that paths a rendered
   * file names there (its updown script) are where the file's instructions put them.
   */
  async start(opts: { etcSwanctl?: boolean } = {}): Promise<void> {
    const run_ = join(this.lab.dir, this.role, "run");
    const script = opts.etcSwanctl ? 'mount --bind "$0" /run && mount --bind "$2" /etc/swanctl && exec "$1"' : 'mount --bind "$0" /run && exec "$1"';
    this.daemon = this.lab.start(`charon-${this.role}`, this.ns, ["sh", "-c", script, run_, CHARON, this.swanctlDir], this.env);
    await waitFor(`charon (${this.role}) to answer on vici`, async () => ((await this.swanctl(["--stats"])).code === 0 ? true : undefined), {
      timeoutMs: 15_000,
      describe: async () => this.diagnostics(),
    });
  }

  /** Place a file in conf.d, as the rendered file's header tells users to. */
  place(file: string, name = basename(file)): void {
    const dest = join(this.swanctlDir, "conf.d", name);
    copyFileSync(file, dest);
    chmodSync(dest, 0o600);
  }

  /** Run a shell command in this charon's namespace with its swanctl directory as /etc/swanctl. */
  async shellAtEtc(command: string): Promise<void> {
    await this.lab.exec(this.ns, ["sh", "-c", `mount --bind "$0" /etc/swanctl && ${command}`, this.swanctlDir]);
  }

  /** Place a file in conf.d and load everything. */
  async load(file: string, name = basename(file)): Promise<void> {
    this.place(file, name);
    const r = await this.swanctl(["--load-all", "--file", join(this.swanctlDir, "swanctl.conf")]);
    if (r.code !== 0 || /failed|error/i.test(r.stdout + r.stderr)) {
      throw new Error(`swanctl --load-all (${this.role}) failed:\n${r.stdout}${r.stderr}`);
    }
  }

  swanctl(args: string[], timeoutMs = 20_000) {
    return run("swanctl", [...args, "--uri", this.uri], { env: this.env, timeoutMs });
  }

  async swanctlOk(args: string[], timeoutMs = 20_000): Promise<string> {
    const r = await this.swanctl(args, timeoutMs);
    if (r.code !== 0) throw new Error(`swanctl ${args.join(" ")} (${this.role}) exited ${r.code}:\n${r.stdout}${r.stderr}\n${this.diagnostics()}`);
    return r.stdout;
  }

  async sas(): Promise<IkeSa[]> {
    const r = await this.swanctl(["--list-sas", "--raw"]);
    if (r.code !== 0) throw new Error(`swanctl --list-sas (${this.role}) exited ${r.code}: ${r.stderr}`);
    return parseListSas(r.stdout);
  }

  /** The routes to `prefix` in this charon's namespace (main table), as `<prefix> dev <dev> metric <n>`. */
  async routes(prefix: string): Promise<string[]> {
    const r = await run("ip", ["-j", "-n", this.ns, "route", "show", prefix]);
    if (r.code !== 0) throw new Error(`ip route show ${prefix} (${this.role}) exited ${r.code}: ${r.stderr}`);
    const list = JSON.parse(r.stdout || "[]") as Array<{ dst: string; dev?: string; metric?: number }>;
    return list.map((x) => `${x.dst} dev ${x.dev} metric ${x.metric ?? 0}`);
  }

  diagnostics(): string {
    return [this.daemon ? this.lab.tail(this.daemon.log, 10) : "", this.lab.tail(this.logFile, 60)].join("\n");
  }
}

// --- swanctl --list-sas --raw ---------------------------------------------------------------------

export interface ChildSa {
  name: string;
  uniqueid: string;
  state: string;
  spiIn: string;
  spiOut: string;
  /** As `swanctl --list-sas` prints it, e.g. "AES_CBC-128/HMAC_SHA1_96/MODP_1024" (no DH before a rekey in IKEv2). */
  proposal: string;
  localTs: string[];
  remoteTs: string[];
  raw: Record<string, string>;
}

export interface IkeSa {
  name: string;
  uniqueid: string;
  version: number;
  state: string;
  initiatorSpi: string;
  responderSpi: string;
  /** e.g. "AES_CBC-128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024" */
  proposal: string;
  children: ChildSa[];
  raw: Record<string, string>;
}

type Section = { [key: string]: string | string[] | Section };

/** Parse the vici dump `swanctl --raw` prints: `name {key=value list=[a b] sub {…}}`. */
export function parseVici(text: string): Section[] {
  const out: Section[] = [];
  const re = /([^\s{}[\]=]+)=\[([^\]]*)\]|([^\s{}[\]=]+)=([^\s{}]*)|([^\s{}[\]=]+)\s*\{|(\})/g;
  // Each line is one message, e.g. "list-sa event {...}"; take the body after the message name.
  for (const line of text.split("\n")) {
    const open = line.indexOf("{");
    if (open < 0) continue;
    const root: Section = {};
    const stack: Section[] = [root];
    for (const m of line.slice(open + 1).matchAll(re)) {
      const top = stack[stack.length - 1];
      if (!top) break;
      if (m[1] !== undefined) top[m[1]] = m[2]!.split(" ").filter(Boolean);
      else if (m[3] !== undefined) top[m[3]] = m[4]!;
      else if (m[5] !== undefined) {
        const sub: Section = {};
        top[m[5]] = sub;
        stack.push(sub);
      } else stack.pop();
    }
    out.push(root);
  }
  return out;
}

function flat(s: Section): Record<string, string> {
  return Object.fromEntries(Object.entries(s).filter((e): e is [string, string] => typeof e[1] === "string"));
}

function proposal(r: Record<string, string>, withPrf: boolean): string {
  const enc = r["encr-alg"] ? `${r["encr-alg"]}${r["encr-keysize"] ? `-${r["encr-keysize"]}` : ""}` : undefined;
  return [enc, r["integ-alg"], withPrf ? r["prf-alg"] : undefined, r["dh-group"]].filter(Boolean).join("/");
}

export function parseListSas(text: string): IkeSa[] {
  const sas: IkeSa[] = [];
  for (const msg of parseVici(text)) {
    for (const [name, body] of Object.entries(msg)) {
      if (typeof body !== "object" || Array.isArray(body)) continue;
      const r = flat(body);
      const childSection = (body["child-sas"] ?? {}) as Section;
      const children = Object.values(childSection)
        .filter((c): c is Section => typeof c === "object" && !Array.isArray(c))
        .map((c) => {
          const cr = flat(c);
          return {
            name: cr.name ?? "",
            uniqueid: cr.uniqueid ?? "",
            state: cr.state ?? "",
            spiIn: cr["spi-in"] ?? "",
            spiOut: cr["spi-out"] ?? "",
            proposal: proposal(cr, false),
            localTs: (c["local-ts"] as string[] | undefined) ?? [],
            remoteTs: (c["remote-ts"] as string[] | undefined) ?? [],
            raw: cr,
          };
        });
      sas.push({
        name,
        uniqueid: r.uniqueid ?? "",
        version: Number(r.version),
        state: r.state ?? "",
        initiatorSpi: r["initiator-spi"] ?? "",
        responderSpi: r["responder-spi"] ?? "",
        proposal: proposal(r, true),
        children,
        raw: r,
      });
    }
  }
  return sas;
}

/** Without the DH group: an IKEv2 CHILD SA created with IKE_AUTH has none (PFS shows from the first rekey). */
export function withoutDh(p: string): string {
  return p
    .split("/")
    .filter((x) => !/^(MODP|ECP|CURVE)_/.test(x))
    .join("/");
}

/** One line per SA, for failure messages. */
export function summary(sas: IkeSa[]): string {
  if (!sas.length) return "(no IKE SAs)";
  return sas
    .map(
      (s) =>
        `${s.name} #${s.uniqueid} IKEv${s.version} ${s.state} ${s.initiatorSpi}_i ${s.responderSpi}_r ${s.proposal}` +
        s.children.map((c) => `\n  ${c.name} #${c.uniqueid} ${c.state} in ${c.spiIn} out ${c.spiOut} ${c.proposal}`).join(""),
    )
    .join("\n");
}
