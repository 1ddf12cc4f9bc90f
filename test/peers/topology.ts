/**
 * The networks of one IPsec variant, all inside namespaces this suite creates:
 *
 *   router (vpcwire's file)  ──────────────────────────────  aws (both AWS endpoints)
 *   198.51.100.10 = --cgw-ip                                  203.0.113.20, 203.0.113.21
 *
 * or, behind NAT:
 *
 *   router ─────────────── nat ─────────────────────────────  aws
 *   192.0.2.10             192.0.2.1 | 198.51.100.10
 *   = --local-address      SNAT out, DNAT of UDP 500/4500 in
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Connection, NET } from "./connection.js";
import { awsSwanctlConf, Charon } from "./swan.js";
import { type Lab, run } from "./sys.js";

export interface IpsecLab {
  aws: Charon;
  router: Charon;
  /**
   * Static routing: the tunnels' interfaces as the header creates them, with a veth standing in
   * for each XFRM interface this kernel cannot create (`xfrmError` says why); undefined for BGP.
   */
  tunnelInterfaces?: { name: string; xfrmError: string }[];
}

/** Header lines the user runs, e.g. `#   ip link add aws-tun102 type xfrm dev eth0 if_id 102`. */
function setupLines(text: string, re: RegExp): string[] {
  return text
    .split("\n")
    .map((l) => /^# {3}(.*)$/.exec(l)?.[1] ?? "")
    .filter((l) => re.test(l));
}

/**
 * The static-routing setup from the rendered header, run as written where this kernel allows it:
 * the updown script extracted with the header's `sed` and `chmod` (into /etc/swanctl, which is the
 * router charon's swanctl directory), and the tunnels' interfaces. `ip link add … type xfrm` is
 * tried first; this kernel has no XFRM interfaces, so a veth pair with the same name, address and
 * MTU stands in (the updown script only needs a device to route to).
 */
async function staticRoutingSetup(lab: Lab, router: Charon, conn: Connection): Promise<{ name: string; xfrmError: string }[]> {
  const extract = setupLines(conn.text, /^(sed -n 's\/\^#updown\||chmod 0755 \/etc\/swanctl\/vpcwire-updown-)/);
  if (extract.length !== 2) throw new Error(`the rendered file does not say how to extract its updown script:\n${extract.join("\n")}`);
  await router.shellAtEtc(extract.join(" && "));
  const out: { name: string; xfrmError: string }[] = [];
  for (const line of setupLines(conn.text, /^ip link add \S+ type xfrm /)) {
    const name = line.split(" ")[3]!;
    const xfrm = await run("ip", [
      "-n",
      router.ns,
      ...line
        .split(" ")
        .slice(1)
        .map((w) => (w === "eth0" ? "wan" : w)),
    ]);
    if (xfrm.code === 0) throw new Error(`this kernel created an XFRM interface (${line}): the suite should use it (see ../shared/docs/real-peers.md)`);
    await lab.ip(router.ns, ["link", "add", name, "type", "veth", "peer", "name", `${name}p`]);
    await lab.ip(router.ns, ["link", "set", `${name}p`, "up"]);
    out.push({ name, xfrmError: (xfrm.stderr || xfrm.stdout).trim() });
  }
  for (const line of setupLines(conn.text, /^ip (addr add \S+ dev|link set \S+ mtu \d+ up$)/)) await lab.ip(router.ns, line.split(" ").slice(1));
  if (out.length !== 2) throw new Error(`expected two tunnel interfaces in the rendered header, found ${out.length}`);
  return out;
}

export interface LabOptions {
  /** Negative control only: the AWS side also accepts ESP without PFS (real AWS does not). */
  awsAllowsNoPfs?: boolean;
}

export async function ipsecLab(lab: Lab, conn: Connection, nat: boolean, opts: LabOptions = {}): Promise<IpsecLab> {
  const awsNs = await lab.netns("aws");
  const routerNs = await lab.netns("router");
  const awsEnd = { ns: awsNs, dev: "wan", addrs: conn.tunnels.map((t) => `${t.awsOutsideIp}/32`) };
  if (nat) {
    const natNs = await lab.netns("nat");
    await lab.link({ ns: routerNs, dev: "wan", addrs: [`${NET.natInsideRouter}/24`] }, { ns: natNs, dev: "lan", addrs: [`${NET.natInsideGateway}/24`] });
    await lab.link({ ns: natNs, dev: "wan", addrs: [`${conn.cgwIp}/24`] }, awsEnd);
    await lab.ip(routerNs, ["route", "add", "default", "via", NET.natInsideGateway]);
    await lab.ip(natNs, ["route", "add", "203.0.113.0/24", "dev", "wan"]);
    await lab.exec(natNs, ["sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward"]);
    const rules = join(lab.dir, "nat.nft");
    writeFileSync(
      rules,
      `table ip vpcwire_nat {
  chain prerouting {
    type nat hook prerouting priority dstnat;
    iifname "wan" ip daddr ${conn.cgwIp} udp dport { 500, 4500 } dnat to ${NET.natInsideRouter}
  }
  chain postrouting {
    type nat hook postrouting priority srcnat;
    oifname "wan" ip saddr ${NET.natInsideRouter} snat to ${conn.cgwIp}
  }
}
`,
    );
    await lab.exec(natNs, ["nft", "-f", rules]);
  } else {
    await lab.link({ ns: routerNs, dev: "wan", addrs: [`${conn.cgwIp}/24`] }, awsEnd);
    await lab.ip(routerNs, ["route", "add", "203.0.113.0/24", "dev", "wan"]);
  }
  await lab.ip(awsNs, ["route", "add", "198.51.100.0/24", "dev", "wan"]);

  const aws = new Charon(lab, "aws", awsNs);
  const router = new Charon(lab, "router", routerNs);
  const awsConf = join(lab.dir, "aws.conf");
  writeFileSync(awsConf, awsSwanctlConf(conn, conn.cgwIp, { allowNoPfs: opts.awsAllowsNoPfs }), { mode: 0o600 });
  // Unchanged, where its header says ("Save as /etc/swanctl/conf.d/<vpn id>.conf").
  const place = /Save as \/etc\/swanctl\/conf\.d\/(\S+\.conf)\b/.exec(conn.text);
  if (!place) throw new Error("the rendered file does not say where in /etc/swanctl/conf.d to save it");
  router.place(conn.file, place[1]);
  const tunnelInterfaces = conn.static ? await staticRoutingSetup(lab, router, conn) : undefined;
  // AWS first, as in real life: its endpoints exist (and, with StartupAction start, already try to
  // start IKE, retransmitting into the void) before the router's charon runs with the config. A
  // router that also started IKE at load then made a second IKE SA per tunnel when AWS's
  // retransmit arrived (issue 10); the rendered file now only traps when AWS starts.
  // Until its config is loaded, a router AWS starts IKE with drops IKE (like a router not yet set up):
  // AWS retransmits. A charon that is running without the config would answer NO_PROPOSAL_CHOSEN,
  // which ends this stand-in's attempt for good (AWS keeps trying; the stand-in cannot model how).
  const awsStarts = conn.tunnels.every((t) => t.options.StartupAction === "start");
  const hold = join(lab.dir, "router-hold.nft");
  writeFileSync(hold, "table inet vwp_hold {\n  chain input {\n    type filter hook input priority 0;\n    udp dport { 500, 4500 } drop\n  }\n}\n");
  if (awsStarts) await lab.exec(routerNs, ["nft", "-f", hold]);
  await aws.start();
  await aws.load(awsConf);
  await router.start({ etcSwanctl: true });
  await router.load(conn.file, place[1]);
  if (awsStarts) await lab.exec(routerNs, ["nft", "delete", "table", "inet", "vwp_hold"]);
  return { aws, router, tunnelInterfaces };
}
