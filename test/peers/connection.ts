/**
 * The configs exactly as users get them: `vpcwire vpn create --device strongswan --out <file>` run
 * in-process against the fake AWS, and the connection as AWS holds it (outside IPs, keys, inside
 * CIDRs, tunnel options) read from the fake's state to build the "AWS" side.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TunnelOption } from "@aws-sdk/client-ec2";
import { FakeAws, installFakeAws, uninstallFakeAws } from "../fakes/aws.js";
import { seedVpc } from "../fakes/ec2.js";
import { ALL_SERVICES } from "../fakes/services.js";
import { runCli } from "../helpers/cli.js";
import type { Variant } from "./variants.js";

/** Addresses: documentation ranges (RFC 5737) outside, link-local inside; nothing leaves this machine. */
export const NET = {
  /** What AWS knows the router as (--cgw-ip): the router itself, or the NAT's outside address. */
  cgwIp: "198.51.100.10",
  /** Behind NAT: the router's own address (--local-address) and the NAT's inside address. */
  natInsideRouter: "192.0.2.10",
  natInsideGateway: "192.0.2.1",
  /** The VPC as the fake seeds it. */
  vpcCidr: "10.99.0.0/16",
  /** On-prem prefixes given to vpn create; the router also has a prefix outside them. */
  onprem: ["10.20.0.0/16", "10.21.0.0/16"],
  /** Connected on the BGP router but not an on-prem prefix given to vpn create: must not reach AWS. */
  notOnprem: "10.30.0.0/16",
  cgwAsn: 65010,
} as const;

export interface Tunnel {
  number: 1 | 2;
  /** The connection's `<vpn>-tunnelN` name in the rendered file. */
  name: string;
  awsOutsideIp: string;
  psk: string;
  insideCidr: string;
  awsInsideIp: string;
  customerInsideIp: string;
  options: TunnelOption;
}

export interface Connection {
  vpnId: string;
  /** The rendered file, as written by --out. */
  file: string;
  text: string;
  static: boolean;
  tunnels: [Tunnel, Tunnel];
  /** What AWS knows the router as (the customer gateway's IP). */
  cgwIp: string;
  /** The address the router sends IKE from (its own, behind NAT the --local-address). */
  routerAddress: string;
  vpcCidrs: string[];
  onpremCidrs: string[];
  /** BGP: the customer gateway's and the virtual private gateway's ASNs. */
  cgwAsn: number;
  awsAsn: number;
}

/** Each connection gets its own pair of AWS outside addresses in 203.0.113.0/24 (TEST-NET-3). */
function outsideIps(): () => string {
  let n = 20;
  return () => `203.0.113.${n++}`;
}

function hostInCidr(cidr: string, host: number): string {
  const [base] = cidr.split("/");
  const parts = base!.split(".").map(Number);
  parts[3] = parts[3]! + host;
  return parts.join(".");
}

/** Runs `vpn create` for one variant (sequentially: the fake patches the SDK clients process-wide). */
export async function createConnection(variant: Variant, dir: string): Promise<Connection> {
  const aws = installFakeAws(new FakeAws(), ALL_SERVICES);
  try {
    aws.vpnOutsideIp = outsideIps();
    const vpc = seedVpc(aws, { cidr: NET.vpcCidr, name: "peers" });
    const file = join(dir, "vpcwire.conf");
    const argv = [
      "vpn",
      "create",
      "--vpc-id",
      vpc.VpcId!,
      "--cgw-ip",
      NET.cgwIp,
      ...NET.onprem.flatMap((c) => ["--onprem-cidr", c]),
      "--device",
      "strongswan",
      "--routing",
      variant.routing,
      ...(variant.routing === "bgp" ? ["--cgw-asn", String(NET.cgwAsn)] : []),
      ...(variant.ike ? ["--ike-version", variant.ike] : []),
      ...(variant.nat ? ["--local-address", NET.natInsideRouter] : []),
      ...variant.flags,
      "--route-tables",
      "none",
      "--yes",
      "--out",
      file,
    ];
    const r = await runCli(argv, { aws });
    if (r.code !== 0) throw new Error(`vpcwire ${argv.join(" ")} exited ${r.code}:\n${r.stderr}`);
    const vpn = aws.ec2.vpns[0]!;
    const cgw = aws.ec2.cgws.find((g) => g.CustomerGatewayId === vpn.CustomerGatewayId)!;
    const vgw = aws.ec2.vgws.find((g) => g.VpnGatewayId === vpn.VpnGatewayId)!;
    const opts = vpn.Options!.TunnelOptions!;
    const tunnels = opts.map((o, i): Tunnel => {
      const number = (i + 1) as 1 | 2;
      return {
        number,
        name: `${vpn.VpnConnectionId}-tunnel${number}`,
        awsOutsideIp: o.OutsideIpAddress!,
        psk: o.PreSharedKey!,
        insideCidr: o.TunnelInsideCidr!,
        awsInsideIp: hostInCidr(o.TunnelInsideCidr!, 1),
        customerInsideIp: hostInCidr(o.TunnelInsideCidr!, 2),
        options: o,
      };
    }) as [Tunnel, Tunnel];
    return {
      vpnId: vpn.VpnConnectionId!,
      file,
      text: readFileSync(file, "utf8"),
      static: vpn.Options!.StaticRoutesOnly === true,
      tunnels,
      cgwIp: cgw.IpAddress!,
      routerAddress: variant.nat ? NET.natInsideRouter : cgw.IpAddress!,
      vpcCidrs: [NET.vpcCidr],
      onpremCidrs: [...NET.onprem],
      cgwAsn: Number(cgw.BgpAsn),
      awsAsn: Number(vgw.AmazonSideAsn),
    };
  } finally {
    uninstallFakeAws();
  }
}
