import type { Command } from "commander";
import type { ActionFactory } from "../cli/kit.js";

/** Repeatable flag, values kept as typed (the validator splits comma lists and rejects empty entries). */
const repeat = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/**
 * `vpcwire flets ...`: flags and help only; the implementation is imported when the command runs.
 * No commander defaults: the validator applies them, and it must see which flags were really given
 * (a Linux-only flag with --os windows is an error).
 */
export function registerFlets(flets: Command, action: ActionFactory): void {
  flets
    .command("isatap")
    .description(
      "derive the instance's ISATAP address and render its tunnel, boot and host-firewall files; with --instance-id, also check " +
        "(and fix) that its security group lets IP protocol 41 in from the ISATAP router and that its route table propagates the Direct Connect routes",
    )
    .option("--prefix <ipv6/64>", "the IPv6 /64 NTT assigned to the ISATAP link")
    .option("--router <ipv4>", "NTT's ISATAP router (IPv4)")
    .option("--private-ip <ipv4>", "the instance's private IPv4, the tunnel's local end (no AWS account needed)")
    .option("--instance-id <id>", "read the private IP, OS and subnet from this instance, and check its AWS side")
    .option("--os <os>", "linux or windows (default: from --instance-id, else linux)")
    .option("--boot <how>", "Linux: systemd or rc.local (default: systemd)")
    .option("--interface <name>", "Linux: name of the tunnel interface (default: sit1)")
    .option("--firewall <kind>", "Linux: nftables or ip6tables host firewall (default: nftables)")
    .option("--allow <rules>", "what the site may open over FLET'S: tcp:PORT, udp:PORT, tcp:FROM-TO, icmpv6 (comma list or repeated; default: nothing)", repeat)
    .option("--dns-name <fqdn>", "print the AAAA record to create for this name")
    .option("--ipip-remote <ipv6>", "Linux: IPv4-over-IPv6 tunnel to the site router at this FLET'S address")
    .option("--ipip-local-v4 <cidr>", "with --ipip-remote: the VPC-side IPv4 network (contains the private IP)")
    .option("--ipip-remote-v4 <cidr>", "with --ipip-remote: the site's IPv4 network, routed into the tunnel")
    .option("--security-group <id>", "with --instance-id: the group to add the protocol 41 rule to (default: the instance's first group)")
    .option("--out <dir>", "write the files here (scripts 0755, others 0644; replaces only files vpcwire generated) instead of stdout")
    .addHelpText(
      "after",
      `
Examples:
  # Files only, no AWS account needed (NTT East's example values):
  vpcwire flets isatap --prefix 2001:db8::/64 --private-ip 10.216.0.101 --router 192.168.103.254
  # Also check and fix the instance's security group and route propagation, then write the files:
  vpcwire flets isatap --instance-id i-0123456789abcdef0 --prefix 2001:db8::/64 --router 192.168.103.254 \\
      --allow tcp:22,tcp:443,icmpv6 --dns-name app.example.jp --out ./isatap
  # Only show what would change in AWS:
  vpcwire flets isatap --instance-id i-0123456789abcdef0 --prefix 2001:db8::/64 --router 192.168.103.254 --dry-run
  # Older Amazon Linux (/etc/rc.local, ip6tables), with IPv4 to the site over FLET'S:
  vpcwire flets isatap --prefix 2001:db8::/64 --private-ip 10.216.0.101 --router 192.168.103.254 \\
      --boot rc.local --firewall ip6tables --ipip-remote 2001:db8:100::1 \\
      --ipip-local-v4 10.216.0.0/24 --ipip-remote-v4 192.168.10.0/24
  # Windows Server:
  vpcwire flets isatap --prefix 2001:db8::/64 --private-ip 10.216.0.102 --router 192.168.103.254 --os windows --out .

With --json, one document on stdout: privateIp, router, os, address, files, checklist, warnings and (with
--instance-id) aws at the top level. --dry-run --json has the same fields at the top level, next to the
plan's steps; its files always carry their content.`,
    )
    .action(action(async () => (await import("./isatap.js")).fletsIsatap));
}
