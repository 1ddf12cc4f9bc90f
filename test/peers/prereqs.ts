/**
 * What the real-peer suite needs from the machine. It installs nothing: `.ci/run` installs the Debian
 * packages, and locally the README says how.
 */
import { execFileSync } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { BGPD, ZEBRA } from "./frr.js";
import { CHARON, LIBIPSEC_PLUGIN, OPENSSL_PLUGIN } from "./swan.js";

export const PACKAGES = "strongswan-charon strongswan-swanctl libcharon-extra-plugins libstrongswan-standard-plugins frr nftables iproute2";

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(delimiter).some((d) => {
    try {
      accessSync(join(d, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Undefined when everything is there, else one sentence saying what is missing. */
export function missingPrerequisites(): string | undefined {
  if (process.platform !== "linux") return `they need Linux network namespaces (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return "they need root (network namespaces, veth pairs, nftables)";
  const missing: string[] = [];
  const files: Array<[string, string]> = [
    [CHARON, "strongswan-charon"],
    [LIBIPSEC_PLUGIN, "libcharon-extra-plugins (kernel-libipsec)"],
    [OPENSSL_PLUGIN, "libstrongswan-standard-plugins (openssl: DH groups, GCM)"],
    [ZEBRA, "frr"],
    [BGPD, "frr"],
  ];
  for (const [file, pkg] of files) if (!existsSync(file)) missing.push(`${file} (${pkg})`);
  for (const [cmd, pkg] of [
    ["swanctl", "strongswan-swanctl"],
    ["vtysh", "frr"],
    ["nft", "nftables"],
    ["ip", "iproute2"],
  ]) {
    if (!onPath(cmd!)) missing.push(`${cmd} (${pkg})`);
  }
  if (!existsSync("/dev/net/tun")) missing.push("/dev/net/tun (kernel-libipsec needs TUN devices)");
  if (missing.length) return `missing ${missing.join(", ")}`;
  try {
    execFileSync("id", ["frr"], { stdio: "ignore" });
  } catch {
    return "the frr user does not exist (is the frr package fully installed?)";
  }
  // Root in a container may still lack the right to create namespaces.
  const probe = `vwp-probe-${process.pid}`;
  try {
    execFileSync("ip", ["netns", "add", probe], { stdio: "pipe", timeout: 5000 });
    execFileSync("ip", ["netns", "del", probe], { stdio: "pipe", timeout: 5000 });
  } catch (e) {
    return `cannot create a network namespace (${String((e as { stderr?: Buffer }).stderr ?? e).trim()})`;
  }
  return undefined;
}

export const skipRequested = (): boolean => process.env.VPCWIRE_PEERS_SKIP === "1";
