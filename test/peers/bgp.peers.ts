/**
 * The BGP part of vpcwire's strongSwan file (FRR configuration) against an "AWS" BGP speaker: for
 * every BGP variant, FRR runs the rendered part unchanged in a router namespace and FRR plays the
 * virtual private gateway in another, over one veth pair per tunnel at the tunnels' inside addresses
 * (BGP without IPsec: this kernel cannot route into XFRM interfaces; ../shared/docs/real-peers.md).
 *
 *   router: lo 10.20.0.1/16, 10.21.0.1/16 (on-prem), 10.30.0.1/16 (not on-prem)
 *           tun1 169.254.x.2/30 ───── tun1 169.254.x.1/30   aws (announces the VPC CIDR)
 *           tun2 169.254.y.2/30 ───── tun2 169.254.y.1/30
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Connection, createConnection, NET } from "./connection.js";
import { Frr, renderedFrr } from "./frr.js";
import { missingPrerequisites } from "./prereqs.js";
import { Lab, waitFor } from "./sys.js";
import { VARIANTS } from "./variants.js";

const missing = missingPrerequisites();
const BGP_VARIANTS = VARIANTS.filter((v) => v.routing === "bgp");
const WAIT_MS = 30_000;

/** The first host of a prefix with its length, e.g. 10.20.0.0/16 -> 10.20.0.1/16 (the LAN address). */
function firstHost(cidr: string): string {
  const [base, len] = cidr.split("/");
  const p = base!.split(".").map(Number);
  p[3] = p[3]! + 1;
  return `${p.join(".")}/${len}`;
}

/**
 * What this router's frr.conf already holds before the user adds vpcwire's part: it redistributes its
 * connected networks (the on-prem LANs, 10.30.0.0/16, the tunnels' /30s). vpcwire's outbound policy must
 * keep everything but the on-prem prefixes away from AWS (AWS drops a session beyond 100 routes).
 */
function existingRouterConfig(asn: number): string {
  return `frr defaults traditional
hostname router
!
router bgp ${asn}
 address-family ipv4 unicast
  redistribute connected
 exit-address-family
exit
!
`;
}

/** The virtual private gateway's side: AWS's ASN, a neighbor per tunnel, the VPC CIDR announced. */
function awsConfig(conn: Connection): string {
  const [t1] = conn.tunnels;
  return `frr defaults traditional
hostname aws
!
router bgp ${conn.awsAsn}
 bgp router-id ${t1.awsInsideIp}
 no bgp ebgp-requires-policy
 no bgp network import-check
${conn.tunnels.map((t) => ` neighbor ${t.customerInsideIp} remote-as ${conn.cgwAsn}\n neighbor ${t.customerInsideIp} timers 10 30`).join("\n")}
 address-family ipv4 unicast
${conn.vpcCidrs.map((c) => `  network ${c}`).join("\n")}
 exit-address-family
exit
`;
}

let setups: Map<string, { conn: Connection; lab: Lab }> | undefined;

beforeAll(async () => {
  if (missing) return;
  setups = new Map();
  for (const [i, v] of BGP_VARIANTS.entries()) {
    const lab = new Lab(`b${i}`);
    setups.set(v.name, { conn: await createConnection(v, lab.dir), lab });
  }
});

afterAll(async () => {
  await Promise.all([...(setups?.values() ?? [])].map(({ lab }) => lab.close()));
});

for (const v of BGP_VARIANTS) {
  describe(`BGP ${v.name}: vpcwire's FRR part against an AWS BGP speaker`, { concurrent: true, skip: missing !== undefined }, () => {
    let conn: Connection;
    let router: Frr;
    let aws: Frr;
    let established = false;
    const diagnostics = async () => `${router.diagnostics()}\n${aws.diagnostics()}`;

    beforeAll(async () => {
      const entry = setups!.get(v.name)!;
      conn = entry.conn;
      const lab = entry.lab;
      const awsNs = await lab.netns("aws");
      const routerNs = await lab.netns("router");
      for (const t of conn.tunnels) {
        const prefix = t.insideCidr.split("/")[1];
        await lab.link(
          { ns: routerNs, dev: `tun${t.number}`, addrs: [`${t.customerInsideIp}/${prefix}`] },
          { ns: awsNs, dev: `tun${t.number}`, addrs: [`${t.awsInsideIp}/${prefix}`] },
        );
      }
      for (const c of [...conn.onpremCidrs, NET.notOnprem]) await lab.ip(routerNs, ["addr", "add", firstHost(c), "dev", "lo"]);
      aws = new Frr(lab, "aws", awsNs);
      router = new Frr(lab, "router", routerNs);
      // AWS first, so the router's first connection attempt finds it listening.
      await aws.start(awsConfig(conn));
      await router.start(existingRouterConfig(conn.cgwAsn) + renderedFrr(conn.text));
    });

    it.sequential("sessions over both tunnels' inside addresses reach Established", async () => {
      const want = (addrs: string[]) => Object.fromEntries(addrs.map((a) => [a, "Established"]));
      await waitFor(
        "BGP Established on both tunnels, seen from both sides",
        async () => {
          const [a, r] = await Promise.all([aws.peerStates(), router.peerStates()]);
          const ok = conn.tunnels.every((t) => a[t.customerInsideIp] === "Established") && conn.tunnels.every((t) => r[t.awsInsideIp] === "Established");
          return ok ? true : undefined;
        },
        {
          timeoutMs: WAIT_MS,
          describe: async () => `aws: ${JSON.stringify(await aws.peerStates())}\nrouter: ${JSON.stringify(await router.peerStates())}\n${await diagnostics()}`,
        },
      );
      expect(await aws.peerStates()).toEqual(want(conn.tunnels.map((t) => t.customerInsideIp)));
      expect(await router.peerStates()).toEqual(want(conn.tunnels.map((t) => t.awsInsideIp)));
      established = true;
    });

    it.sequential("AWS receives the on-prem prefixes over each tunnel, and the router learns the VPC CIDR", async () => {
      expect(established, "the sessions never came up (see the first test)").toBe(true);
      for (const t of conn.tunnels) {
        const got = await waitFor(
          `the on-prem prefixes from ${t.customerInsideIp}`,
          async () => {
            const r = await aws.routesFrom(t.customerInsideIp);
            return conn.onpremCidrs.every((c) => r.includes(c)) ? r : undefined;
          },
          { timeoutMs: WAIT_MS, describe: async () => `aws received: ${(await aws.routesFrom(t.customerInsideIp)).join(", ")}\n${await diagnostics()}` },
        );
        expect(got).toEqual(expect.arrayContaining(conn.onpremCidrs));
        const learned = await waitFor(
          `the VPC CIDR from ${t.awsInsideIp}`,
          async () => {
            const r = await router.routesFrom(t.awsInsideIp);
            return conn.vpcCidrs.every((c) => r.includes(c)) ? r : undefined;
          },
          { timeoutMs: WAIT_MS, describe: async () => `router received: ${(await router.routesFrom(t.awsInsideIp)).join(", ")}\n${await diagnostics()}` },
        );
        expect(learned).toEqual(conn.vpcCidrs);
      }
    });

    it.sequential(`a prefix outside them (${NET.notOnprem}, the /30s) is not advertised, though the router's BGP has it`, async () => {
      expect(established, "the sessions never came up (see the first test)").toBe(true);
      // Control: the router's BGP table has the prefix (redistributed), so only the outbound policy stops it.
      await waitFor(`${NET.notOnprem} in the router's BGP table`, async () => ((await router.table()).includes(NET.notOnprem) ? true : undefined), {
        timeoutMs: WAIT_MS,
        describe: async () => `router table: ${(await router.table()).join(", ")}`,
      });
      const onprem = [...conn.onpremCidrs].sort();
      for (const t of conn.tunnels) {
        expect(await router.advertisedTo(t.awsInsideIp), `advertised to ${t.awsInsideIp}`).toEqual(onprem);
        expect(await aws.routesFrom(t.customerInsideIp), `received from ${t.customerInsideIp}`).toEqual(onprem);
      }
    });

    afterAll(async () => {
      await setups?.get(v.name)?.lab.close();
      setups?.delete(v.name);
    });
  });
}
