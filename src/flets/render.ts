import { flagError } from "../core/errors.js";
import { type Cidr4, cidrContains, isIpv4, parseCidr4 } from "../net/ip.js";
import { type IsatapAddress, isatapAddress, isatapLinkLocal } from "../net/isatap.js";
import { render } from "../render/render.js";
import { type AllowRule, type FletsInput, IPIP_INTERFACE } from "./inputs.js";

/** One rendered file for `--out`. */
export interface FletsFile {
  /** File name inside the output directory, e.g. `isatap-up.sh`. */
  name: string;
  /** 0o755 for scripts, 0o644 for the rest. */
  mode: number;
  /** One line: what the file is and where it goes. */
  description: string;
  content: string;
  /** Where the file belongs on the instance (Linux only; Windows scripts are run from anywhere). */
  installPath?: string;
}

/** The instance's ISATAP address (all three spellings) plus the addresses the files refer to. */
export interface FletsAddresses extends IsatapAddress {
  /** The /64, canonical. */
  prefix: string;
  /** `fe80::5efe:<private v4>`, which the OS adds itself when the tunnel comes up. */
  linkLocal: IsatapAddress;
  /** The router's ISATAP address in the /64: the default route's next hop. */
  gateway: IsatapAddress;
}

export interface FletsRendered {
  address: FletsAddresses;
  files: FletsFile[];
  /** Things the user must know, in words (stderr material). */
  warnings: string[];
  /** What to check once the files are in place, one item per entry. */
  checklist: string[];
  /** Zone-file line for `--dns-name`, e.g. `app.example.jp. IN AAAA 2001:db8::5efe:ad8:65`. */
  dnsRecord?: string;
}

/** Where the Linux files are installed; the files refer to each other by these paths. */
export const FLETS_INSTALL_PATHS = {
  rcLocal: "/etc/rc.local",
  unit: "/etc/systemd/system/isatap.service",
  upScript: "/usr/local/sbin/isatap-up.sh",
  nftables: "/etc/nftables/vpcwire-isatap.nft",
  ip6tables: "/usr/local/sbin/isatap-firewall.sh",
  ipipScript: "/usr/local/sbin/isatap-ipip-up.sh",
} as const;

/** ICMPv6 types a host on the tunnel must accept: errors (1-4, incl. packet too big) and router/neighbour discovery (133-136). */
const ESSENTIAL_ICMPV6_TYPES = [1, 2, 3, 4, 133, 134, 135, 136];

/**
 * Render everything `vpcwire flets isatap` hands the user, from templates under templates/flets/.
 * Pure: no I/O beyond reading the templates. `privateIp` and `os` are required here; the caller
 * resolves them (from the flags, or from `--instance-id`) before rendering.
 */
export function renderFletsFiles(input: FletsInput & { privateIp: string; os: "linux" | "windows" }): FletsRendered {
  // The private IP may come from an AWS lookup rather than a validated flag: check it again,
  // along with the rules that depend on it, because it goes into every script.
  if (!isIpv4(input.privateIp)) throw flagError("--private-ip", `${JSON.stringify(input.privateIp)} is not an IPv4 address`);
  if (input.router === input.privateIp) throw flagError("--router", `"${input.router}" is the instance's own private IP; give NTT's ISATAP router`);
  if (input.ipip && !cidrContains(parseCidr4(input.ipip.localV4) as Cidr4, input.privateIp)) {
    throw flagError("--ipip-local-v4", `${input.ipip.localV4} does not contain the instance's private IP ${input.privateIp}`);
  }

  const own = isatapAddress(input.prefix, input.privateIp);
  const address: FletsAddresses = {
    ...own,
    prefix: input.prefix,
    linkLocal: isatapLinkLocal(input.privateIp),
    gateway: isatapAddress(input.prefix, input.router),
  };
  const linux = input.os === "linux";
  const ipip = linux && input.ipip ? { ...input.ipip, name: IPIP_INTERFACE, path: FLETS_INSTALL_PATHS.ipipScript } : null;
  const firewall =
    input.firewall === "nftables"
      ? { kind: "nftables", path: FLETS_INSTALL_PATHS.nftables, load: `/usr/sbin/nft -f ${FLETS_INSTALL_PATHS.nftables}` }
      : { kind: "ip6tables", path: FLETS_INSTALL_PATHS.ip6tables, load: FLETS_INSTALL_PATHS.ip6tables };
  const ports = input.allow
    .filter((r): r is Extract<AllowRule, { protocol: "tcp" | "udp" }> => r.protocol !== "icmpv6")
    .map((r) => {
      const range = r.fromPort === r.toPort ? `${r.fromPort}` : `${r.fromPort}-${r.toPort}`;
      return { protocol: r.protocol, text: r.text, nftPorts: range, netshPorts: range, iptPorts: range.replace("-", ":") };
    });
  const allowPing = input.allow.some((r) => r.protocol === "icmpv6");

  const model = {
    iface: input.interface,
    privateIp: input.privateIp,
    router: input.router,
    prefix: input.prefix,
    address: own,
    linkLocal: address.linkLocal,
    gateway: address.gateway,
    paths: FLETS_INSTALL_PATHS,
    firewall,
    ports,
    portList: ports.map((p) => p.text).join(", "),
    allowPing,
    anyAllowed: allowPing || ports.length > 0,
    icmpv6Types: ESSENTIAL_ICMPV6_TYPES,
    ipip,
    dnsName: input.dnsName ?? null,
    linux,
    systemd: input.boot === "systemd",
    nftables: input.firewall === "nftables",
  };

  const files: FletsFile[] = [];
  const add = (template: string, file: Omit<FletsFile, "content">) => {
    const content = render(`flets/${template}`, model);
    // cmd.exe misreads some LF-only batch files; Windows tools expect CRLF.
    files.push({ ...file, content: linux ? content : content.replace(/\r?\n/g, "\r\n") });
  };

  if (linux) {
    if (input.boot === "systemd") {
      add("systemd-unit.hbs", {
        name: "isatap.service",
        mode: 0o644,
        description: `systemd unit: runs isatap-up.sh once the network is online and removes ${input.interface} on stop`,
        installPath: FLETS_INSTALL_PATHS.unit,
      });
      add("isatap-up-sh.hbs", {
        name: "isatap-up.sh",
        mode: 0o755,
        description: `Loads the host firewall, then brings up ${input.interface}: tunnel, router, address, default route`,
        installPath: FLETS_INSTALL_PATHS.upScript,
      });
    } else {
      add("rc-local.hbs", {
        name: "rc.local.snippet",
        mode: 0o644,
        description: `Block to append to /etc/rc.local (which must be executable): loads the host firewall, then brings up ${input.interface}`,
        installPath: FLETS_INSTALL_PATHS.rcLocal,
      });
    }
    if (input.firewall === "nftables") {
      add("nftables.hbs", {
        name: "firewall.nft",
        mode: 0o644,
        description: `nftables host firewall for traffic from FLET'S on ${input.interface}: replies, ICMPv6 and the --allow list, drop the rest`,
        installPath: FLETS_INSTALL_PATHS.nftables,
      });
    } else {
      add("ip6tables.hbs", {
        name: "firewall-ip6tables.sh",
        mode: 0o755,
        description: `ip6tables host firewall for traffic from FLET'S on ${input.interface}: replies, ICMPv6 and the --allow list, drop the rest`,
        installPath: FLETS_INSTALL_PATHS.ip6tables,
      });
    }
    if (ipip) {
      add("ipip-linux.hbs", {
        name: "ipip-up.sh",
        mode: 0o755,
        description: `IPv4-over-IPv6 tunnel ${ipip.name} to the site router ${ipip.remote}, routing ${ipip.remoteV4} into it`,
        installPath: FLETS_INSTALL_PATHS.ipipScript,
      });
    }
  } else {
    add("netsh.hbs", {
      name: "isatap.ps1",
      mode: 0o755,
      description: "PowerShell + netsh, run once as Administrator: ISATAP router, address and default route, stored persistently",
    });
    add("netsh-firewall.hbs", {
      name: "isatap-firewall.cmd",
      mode: 0o755,
      description: "netsh advfirewall, run as Administrator: one inbound rule per --allow entry, to the ISATAP address only",
    });
  }

  const checklist = render("flets/checklist.hbs", model)
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");

  const result: FletsRendered = { address, files, warnings: warnings(input, address, firewallFileName(files)), checklist };
  if (input.dnsName !== undefined) result.dnsRecord = `${input.dnsName}. IN AAAA ${own.compressed}`;
  return result;
}

function firewallFileName(files: FletsFile[]): string {
  return files.find((f) => /firewall/.test(f.name))?.name ?? "the host firewall";
}

function warnings(input: FletsInput & { privateIp: string; os: "linux" | "windows" }, address: FletsAddresses, firewallFile: string): string[] {
  const linux = input.os === "linux";
  const iface = linux ? input.interface : "The ISATAP interface";
  const list = [
    `Security groups and network ACLs do not apply inside the tunnel: they see only the outer IPv4 packets (IP protocol 41) ` +
      `between ${input.privateIp} and ${input.router}. The security group must let IP protocol 41 in from ${input.router}/32; ` +
      `the IPv6 traffic itself is filtered only by the host firewall (${firewallFile}).`,
  ];
  if (!linux) {
    list.push(
      `${iface} comes up late in boot, only after Windows reaches the router ${input.router}: services that listen on ` +
        `${address.dotted} must start after it, or listen on :: instead.`,
    );
  } else if (input.boot === "systemd") {
    list.push(
      `${iface} comes up late in boot (after network-online.target): a service that needs it must be ordered after it ` +
        `(Wants=isatap.service and After=isatap.service in its unit), or listen on :: instead of ${address.compressed}.`,
    );
  } else {
    list.push(
      `${iface} comes up late in boot (rc.local runs after the other services): a service that needs it must be started ` +
        `after the rc.local block, or listen on :: instead of ${address.compressed}.`,
    );
  }
  list.push(
    `RDS, ELB and other AWS managed services in the VPC cannot build an ISATAP tunnel, so FLET'S cannot reach them over IPv6. ` +
      `Reach them through an instance: a proxy, or an IPv4-over-IPv6 tunnel (--ipip-remote) with *.amazonaws.com resolvable at the site.`,
  );
  list.push(
    `The default IPv6 route goes into the tunnel, as in NTT's own setup. FLET'S is a closed network: if this instance also ` +
      `has a VPC IPv6 address, its IPv6 Internet traffic would go to FLET'S and be lost; route only the site's prefixes via ` +
      `${address.gateway.compressed} in that case.`,
  );
  if (input.allow.length === 0) {
    list.push(
      "No --allow given: the host firewall lets in only replies and ICMPv6 control messages from FLET'S, so nothing at the site " +
        "can open a connection to the instance.",
    );
  }
  if (linux && input.boot === "rc.local" && input.firewall === "nftables") {
    list.push(
      "Older Amazon Linux releases may not have nft; if so, use --firewall ip6tables. The rc.local block leaves the tunnel down " +
        "when the firewall does not load.",
    );
  }
  if (!linux) {
    list.push(
      "Newer Windows releases may ship with ISATAP disabled or removed; isatap.ps1 turns it on, but test on the target Windows version first.",
      "Windows Firewall lets block rules win over allow rules, so no 'drop the rest' rule is added: unsolicited inbound traffic is " +
        "blocked by default, but inbound rules already enabled on this host (Remote Desktop, file sharing...) also apply to the tunnel.",
    );
    if (input.ipip) {
      list.push(
        "The IPv4-over-IPv6 tunnel (--ipip-*) is not rendered: Windows has no built-in IPv4-over-IPv6 tunnel. Terminate it on a " +
          "Linux instance or a router appliance in the VPC instead.",
      );
    }
  } else if (input.ipip) {
    list.push(
      `IPv4 from the site arrives on ${IPIP_INTERFACE}, not ${input.interface}, so the host firewall does not filter it; the VPC's ` +
        `security groups see the site's addresses (${input.ipip.remoteV4}). For other VPC hosts to reach the site, turn off this ` +
        `instance's source/destination check and route ${input.ipip.remoteV4} to it in the VPC route tables.`,
    );
  }
  return list;
}
