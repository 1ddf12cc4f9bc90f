/** Security-group allow rules as users type them: `icmp`, `ssh`, `https`, `all`, `tcp:8080`, `udp:500-501`. */
export interface AllowRule {
  /** `icmp`, `tcp`, `udp`, `-1` (all) or a protocol number such as `41`. */
  protocol: string;
  fromPort: number;
  toPort: number;
  /** The token the user typed, for messages and descriptions. */
  label: string;
}

const NAMED: Record<string, Omit<AllowRule, "label">> = {
  icmp: { protocol: "icmp", fromPort: -1, toPort: -1 },
  all: { protocol: "-1", fromPort: -1, toPort: -1 },
  ssh: { protocol: "tcp", fromPort: 22, toPort: 22 },
  rdp: { protocol: "tcp", fromPort: 3389, toPort: 3389 },
  http: { protocol: "tcp", fromPort: 80, toPort: 80 },
  https: { protocol: "tcp", fromPort: 443, toPort: 443 },
};

/** Parse one token; returns the rule or an error message. */
export function parseAllowToken(token: string): AllowRule | string {
  const t = token.trim().toLowerCase();
  const named = NAMED[t];
  if (named) return { ...named, label: t };
  const m = /^(tcp|udp):(\d{1,5})(?:-(\d{1,5}))?$/.exec(t);
  if (!m) return `"${token}" is not one of icmp, ssh, rdp, http, https, all, tcp:PORT, udp:PORT, tcp:FROM-TO`;
  const from = Number(m[2]);
  const to = m[3] === undefined ? from : Number(m[3]);
  if (from < 1 || from > 65535 || to < 1 || to > 65535) return `"${token}": ports must be 1-65535`;
  if (to < from) return `"${token}": the range must go from low to high`;
  return { protocol: m[1]!, fromPort: from, toPort: to, label: t };
}

/** The EC2 IpPermission for a rule from one CIDR. */
export function toIpPermission(rule: Pick<AllowRule, "protocol" | "fromPort" | "toPort">, cidr: string, description: string) {
  // Ports mean something only for tcp, udp and icmp (type/code); "-1" or a protocol number covers everything.
  const ported = ["tcp", "udp", "icmp", "icmpv6"].includes(rule.protocol);
  return {
    IpProtocol: rule.protocol,
    ...(ported ? { FromPort: rule.fromPort, ToPort: rule.toPort } : {}),
    IpRanges: [{ CidrIp: cidr, Description: description }],
  };
}

/** Whether an existing SG permission already allows this rule from this CIDR (so nothing needs adding). */
export function permissionCovers(
  existing: { IpProtocol?: string; FromPort?: number; ToPort?: number; IpRanges?: Array<{ CidrIp?: string }> },
  rule: AllowRule,
  cidr: string,
): boolean {
  if (!existing.IpRanges?.some((r) => r.CidrIp === cidr)) return false;
  if (existing.IpProtocol === "-1") return true;
  if (existing.IpProtocol !== rule.protocol) return false;
  if (rule.protocol === "icmp") return existing.FromPort === -1 || existing.FromPort === rule.fromPort;
  return (existing.FromPort ?? 0) <= rule.fromPort && (existing.ToPort ?? 65535) >= rule.toPort;
}
