/**
 * AWS's customer gateway device catalog in the fake account: GetVpnConnectionDeviceTypes (paged) and
 * GetVpnConnectionDeviceSampleConfiguration (a vendor-shaped sample filled with the connection's
 * outside IPs, inside addresses and pre-shared keys). See test/fakes/README.md.
 */
import { GetVpnConnectionDeviceSampleConfigurationCommand, GetVpnConnectionDeviceTypesCommand, type VpnConnection } from "@aws-sdk/client-ec2";
import type { FakeAws, FakeService } from "./aws.js";
import { ec2Error } from "./model.js";

export interface FakeDeviceType {
  VpnConnectionDeviceTypeId: string;
  Vendor: string;
  Platform: string;
  Software: string;
  /** False: AWS has only the compatibility sample (a recommended request is refused). @default true */
  recommended?: boolean;
}

export interface VpnDevicesState {
  types: FakeDeviceType[];
  /**
   * Largest page the fake returns, below AWS's 200 minimum, so paging shows with a catalog of ~20
   * types. Undefined: a page holds MaxResults items (all when MaxResults is absent), as on AWS.
   */
  pageLimit?: number;
}

/** The default catalog: vendors AWS lists, ids made up (8 hex digits, as AWS's look). */
export const DEFAULT_DEVICE_TYPES: FakeDeviceType[] = [
  { VpnConnectionDeviceTypeId: "0a1c2e01", Vendor: "Cisco Systems, Inc.", Platform: "ASA 5500 Series", Software: "ASA 8.2+", recommended: false },
  { VpnConnectionDeviceTypeId: "0a1c2e02", Vendor: "Cisco Systems, Inc.", Platform: "ASA 5500 Series", Software: "ASA 9.7+ VTI" },
  { VpnConnectionDeviceTypeId: "0a1c2e03", Vendor: "Cisco Systems, Inc.", Platform: "CSRv AMI", Software: "IOS 12.4+" },
  { VpnConnectionDeviceTypeId: "0a1c2e04", Vendor: "Cisco Systems, Inc.", Platform: "ISR Series Routers", Software: "IOS 12.4+" },
  { VpnConnectionDeviceTypeId: "0a1c2e05", Vendor: "Cisco Systems, Inc.", Platform: "Firepower", Software: "v6.2.2+" },
  { VpnConnectionDeviceTypeId: "1b2d3f01", Vendor: "Juniper Networks, Inc.", Platform: "J-Series Routers", Software: "JunOS 9.5+" },
  { VpnConnectionDeviceTypeId: "1b2d3f02", Vendor: "Juniper Networks, Inc.", Platform: "SRX Routers", Software: "JunOS 11.0+" },
  { VpnConnectionDeviceTypeId: "2c3e4a01", Vendor: "Palo Alto Networks", Platform: "PA Series", Software: "PANOS 4.1.2+ (GUI)", recommended: false },
  { VpnConnectionDeviceTypeId: "2c3e4a02", Vendor: "Palo Alto Networks", Platform: "PA Series", Software: "PANOS 7.0+" },
  { VpnConnectionDeviceTypeId: "3d4f5b01", Vendor: "Fortinet", Platform: "Fortigate 40+ Series", Software: "FortiOS 6.4.4+ (GUI)" },
  { VpnConnectionDeviceTypeId: "3d4f5b02", Vendor: "Fortinet", Platform: "Fortigate 40+ Series", Software: "FortiOS 5.0+", recommended: false },
  { VpnConnectionDeviceTypeId: "4e5a6c01", Vendor: "Yamaha", Platform: "RTX Routers", Software: "Rev.10.01.16+" },
  { VpnConnectionDeviceTypeId: "5f6b7d01", Vendor: "Strongswan", Platform: "Ubuntu 16.04", Software: "Strongswan 5.5.1+" },
  { VpnConnectionDeviceTypeId: "5f6b7d02", Vendor: "Openswan", Platform: "Openswan", Software: "Openswan 2.6.38+", recommended: false },
  { VpnConnectionDeviceTypeId: "6a7c8e01", Vendor: "Generic", Platform: "Generic", Software: "Vendor Agnostic" },
  { VpnConnectionDeviceTypeId: "6a7c8e02", Vendor: "Microsoft", Platform: "Windows Server", Software: "2012 R2" },
  { VpnConnectionDeviceTypeId: "6a7c8e03", Vendor: "Mikrotik", Platform: "RouterOS", Software: "6.44.3" },
  { VpnConnectionDeviceTypeId: "6a7c8e04", Vendor: "Ubiquiti", Platform: "EdgeRouter", Software: "EdgeOS v1.10.7" },
  { VpnConnectionDeviceTypeId: "6a7c8e05", Vendor: "SonicWall", Platform: "NSA, TZ", Software: "OS 6.5" },
  { VpnConnectionDeviceTypeId: "6a7c8e06", Vendor: "Checkpoint", Platform: "Gaia", Software: "R80.10+" },
  { VpnConnectionDeviceTypeId: "6a7c8e07", Vendor: "IIJ", Platform: "SEIL/B1", Software: "SEIL/B1 3.70+" },
];

export function vpnDevicesState(aws: FakeAws): VpnDevicesState {
  return aws.state.vpnDevices as VpnDevicesState;
}

interface SampleTunnel {
  n: number;
  awsIp: string;
  cgwIp: string;
  awsInside: string;
  cgwInside: string;
  psk: string;
}

/** What a sample proposes: AWS's compatibility baseline, or stronger for the recommended sample (modelled, unverified). */
interface Suite {
  ike: "ikev1" | "ikev2";
  aes: 128 | 256;
  sha: 1 | 256;
  dh: 2 | 14;
}

function vendorSample(type: FakeDeviceType, vpnId: string, tunnels: SampleTunnel[], s: Suite): string {
  const vendor = type.Vendor.toLowerCase();
  const head = `Amazon Web Services\nVirtual Private Cloud\n\nVPN connection ${vpnId}: ${type.Vendor} ${type.Platform} ${type.Software}\nIKE ${s.ike === "ikev2" ? "version 2" : "version 1"}\n`;
  const modp = s.dh === 2 ? "modp1024" : "modp2048";
  if (vendor.startsWith("cisco")) {
    return `! ${head.split("\n").join("\n! ")}
${tunnels
  .map(
    (t) => `! IPSec Tunnel #${t.n}
crypto ${s.ike === "ikev2" ? "ikev2 proposal" : "isakmp policy"} ${200 + t.n - 1}
  encryption ${s.ike === "ikev2" ? `aes-cbc-${s.aes}` : `aes ${s.aes}`}
  ${s.ike === "ikev2" ? "integrity" : "hash"} ${s.sha === 1 ? "sha" : "sha256"}
  group ${s.dh}
crypto keyring keyring-${vpnId}-${t.n - 1}
  pre-shared-key address ${t.awsIp} key ${t.psk}
crypto ipsec transform-set ipsec-prop-${vpnId}-${t.n - 1} esp-aes ${s.aes} ${s.sha === 1 ? "esp-sha-hmac" : "esp-sha256-hmac"}
crypto ipsec profile ipsec-${vpnId}-${t.n - 1}
  set pfs group${s.dh}
interface Tunnel${t.n}
  ip address ${t.cgwInside} 255.255.255.252
  tunnel source ${t.cgwIp}
  tunnel destination ${t.awsIp}
`,
  )
  .join("\n")}`;
  }
  if (vendor.startsWith("juniper")) {
    return `# ${head.split("\n").join("\n# ")}
${tunnels
  .map(
    (t) => `set security ike proposal ike-prop-${vpnId}-${t.n} authentication-algorithm ${s.sha === 1 ? "sha1" : "sha-256"}
set security ike proposal ike-prop-${vpnId}-${t.n} encryption-algorithm aes-${s.aes}-cbc
set security ike proposal ike-prop-${vpnId}-${t.n} dh-group group${s.dh}
set security ike policy ike-pol-${vpnId}-${t.n} pre-shared-key ascii-text "${t.psk}"
set security ike gateway gw-${vpnId}-${t.n} address ${t.awsIp}
set interfaces st0.${t.n} family inet address ${t.cgwInside}/30
`,
  )
  .join("\n")}`;
  }
  if (vendor.startsWith("palo alto")) {
    return `# ${head.split("\n").join("\n# ")}
${tunnels
  .map(
    (
      t,
    ) => `set network ike crypto-profiles ike-crypto-profiles ike-crypto-${vpnId}-${t.n} dh-group group${s.dh} hash ${s.sha === 1 ? "sha1" : "sha256"} encryption aes-${s.aes}-cbc
set network ike gateway ike-vpn-${vpnId}-${t.n} authentication pre-shared-key key ${t.psk}
set network ike gateway ike-vpn-${vpnId}-${t.n} peer-address ip ${t.awsIp}
set network interface tunnel units tunnel.${t.n} ip ${t.cgwInside}/30
`,
  )
  .join("\n")}`;
  }
  if (vendor.startsWith("fortinet")) {
    return `# ${head.split("\n").join("\n# ")}
${tunnels
  .map(
    (t) => `config vpn ipsec phase1-interface
  edit ${vpnId}-${t.n - 1}
    set proposal aes${s.aes}-sha${s.sha}
    set dhgrp ${s.dh}
    set remote-gw ${t.awsIp}
    set psksecret ${t.psk}
  next
end
config system interface
  edit ${vpnId}-${t.n - 1}
    set ip ${t.cgwInside} 255.255.255.255
    set remote-ip ${t.awsInside}
  next
end
`,
  )
  .join("\n")}`;
  }
  if (vendor === "yamaha") {
    return `# ${head.split("\n").join("\n# ")}
${tunnels
  .map(
    (t) => `tunnel select ${t.n}
 ipsec tunnel ${100 + t.n}
  ipsec sa policy ${100 + t.n} ${t.n} esp ${s.aes === 128 ? "aes-cbc" : "aes256-cbc"} ${s.sha === 1 ? "sha-hmac" : "sha256-hmac"}
  ipsec ike encryption ${t.n} ${s.aes === 128 ? "aes-cbc" : "aes256-cbc"}
  ipsec ike group ${t.n} ${modp}
  ipsec ike hash ${t.n} ${s.sha === 1 ? "sha" : "sha256"}
  ipsec ike pre-shared-key ${t.n} text ${t.psk}
  ipsec ike local address ${t.n} ${t.cgwIp}
  ipsec ike remote address ${t.n} ${t.awsIp}
 ip tunnel address ${t.cgwInside}/30
 ip tunnel remote address ${t.awsInside}
 tunnel enable ${t.n}
`,
  )
  .join("\n")}`;
  }
  if (vendor === "strongswan" || vendor === "openswan") {
    return `# ${head.split("\n").join("\n# ")}
${tunnels
  .map(
    (t) => `conn Tunnel${t.n}
  left=%defaultroute
  leftid=${t.cgwIp}
  right=${t.awsIp}
  ike=aes${s.aes}-sha${s.sha}-${modp}!
  esp=aes${s.aes}-sha${s.sha}-${modp}!
  keyexchange=${s.ike}
# /etc/ipsec.secrets: ${t.cgwIp} ${t.awsIp} : PSK "${t.psk}"
`,
  )
  .join("\n")}`;
  }
  return `${head}
${tunnels
  .map(
    (t) => `IPSec Tunnel #${t.n}
  Pre-Shared Key           : ${t.psk}
  Encryption Algorithm     : aes-${s.aes}-cbc
  Authentication Algorithm : ${s.sha === 1 ? "sha1" : "sha2-256"}
  Diffie-Hellman           : Group ${s.dh}
  Customer Gateway         : ${t.cgwIp}
  Virtual Private Gateway  : ${t.awsIp}
  Inside IP Addresses      : ${t.cgwInside}/30 (customer), ${t.awsInside}/30 (AWS)
`,
  )
  .join("\n")}`;
}

function insideAddr(cidr: string, offset: number): string {
  const parts = cidr.split("/")[0]!.split(".").map(Number);
  parts[3] = parts[3]! + offset;
  return parts.join(".");
}

export const ec2VpnDevices: FakeService = (aws, { ec2 }) => {
  aws.state.vpnDevices = { types: structuredClone(DEFAULT_DEVICE_TYPES) } satisfies VpnDevicesState;
  const state = () => vpnDevicesState(aws);

  ec2.on(GetVpnConnectionDeviceTypesCommand).callsFake(
    aws.handler("ec2", "GetVpnConnectionDeviceTypes", (i: { MaxResults?: number; NextToken?: string }) => {
      if (i.MaxResults !== undefined && (i.MaxResults < 200 || i.MaxResults > 1000)) {
        throw ec2Error("InvalidParameterValue", `Value (${i.MaxResults}) for parameter maxResults is invalid. Expecting a value between 200 and 1000.`);
      }
      const types = state().types;
      let start = 0;
      if (i.NextToken !== undefined) {
        const m = /^devices-(\d+)$/.exec(i.NextToken);
        if (!m || Number(m[1]) > types.length) throw ec2Error("InvalidParameterValue", `Invalid value '${i.NextToken}' for nextToken`);
        start = Number(m[1]);
      }
      const size = Math.min(i.MaxResults ?? types.length, state().pageLimit ?? Number.POSITIVE_INFINITY);
      const page = types.slice(start, start + size).map(({ recommended: _r, ...t }) => ({ ...t }));
      const end = start + page.length;
      return { VpnConnectionDeviceTypes: page, ...(end < types.length ? { NextToken: `devices-${end}` } : {}) };
    }),
  );

  ec2.on(GetVpnConnectionDeviceSampleConfigurationCommand).callsFake(
    aws.handler(
      "ec2",
      "GetVpnConnectionDeviceSampleConfiguration",
      (i: { VpnConnectionId?: string; VpnConnectionDeviceTypeId?: string; InternetKeyExchangeVersion?: string; SampleType?: string }) => {
        const vpn: VpnConnection | undefined = aws.ec2.vpns.find((v) => v.VpnConnectionId === i.VpnConnectionId);
        if (!vpn || vpn.State === "deleted") {
          throw ec2Error("InvalidVpnConnectionID.NotFound", `The vpnConnection ID '${i.VpnConnectionId}' does not exist`);
        }
        const type = state().types.find((t) => t.VpnConnectionDeviceTypeId === i.VpnConnectionDeviceTypeId);
        if (!type) throw ec2Error("InvalidParameterValue", `Invalid value '${i.VpnConnectionDeviceTypeId}' for VpnConnectionDeviceTypeId`);
        const ike = i.InternetKeyExchangeVersion ?? "ikev1";
        if (ike !== "ikev1" && ike !== "ikev2") throw ec2Error("InvalidParameterValue", `Invalid value '${ike}' for InternetKeyExchangeVersion`);
        const sampleType = i.SampleType ?? "compatibility";
        if (sampleType !== "compatibility" && sampleType !== "recommended") {
          throw ec2Error("InvalidParameterValue", `Invalid value '${sampleType}' for SampleType`);
        }
        if (sampleType === "recommended" && (ike === "ikev1" || type.recommended === false)) {
          throw ec2Error(
            "UnsupportedOperationException",
            ike === "ikev1"
              ? "The recommended sample configuration does not support IKEv1."
              : "No recommended sample configuration is available for this device type.",
          );
        }
        const cgw = aws.ec2.cgws.find((g) => g.CustomerGatewayId === vpn.CustomerGatewayId);
        const tunnels = (vpn.Options?.TunnelOptions ?? []).map((t, n) => ({
          n: n + 1,
          awsIp: t.OutsideIpAddress!,
          cgwIp: cgw?.IpAddress ?? "0.0.0.0",
          awsInside: insideAddr(t.TunnelInsideCidr!, 1),
          cgwInside: insideAddr(t.TunnelInsideCidr!, 2),
          // Keys in Secrets Manager: what AWS's sample then shows is not known; the fake writes no key.
          psk: t.PreSharedKey ?? "<pre-shared key>",
        }));
        const suite: Suite = sampleType === "recommended" ? { ike, aes: 256, sha: 256, dh: 14 } : { ike, aes: 128, sha: 1, dh: 2 };
        return { VpnConnectionDeviceSampleConfiguration: vendorSample(type, vpn.VpnConnectionId!, tunnels, suite) };
      },
    ),
  );
};
