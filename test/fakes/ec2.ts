/**
 * EC2 in the fake account: VPCs, subnets, route tables, security groups, instances (seeded by tests),
 * and the Site-to-Site VPN resources with their real life cycles and errors.
 */
import {
  AttachVpnGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateCustomerGatewayCommand,
  CreateVpnConnectionCommand,
  CreateVpnConnectionRouteCommand,
  CreateVpnGatewayCommand,
  type CustomerGateway,
  DeleteCustomerGatewayCommand,
  DeleteVpnConnectionCommand,
  DeleteVpnGatewayCommand,
  DescribeCustomerGatewaysCommand,
  DescribeInstancesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  DescribeVpnConnectionsCommand,
  DescribeVpnGatewaysCommand,
  DetachVpnGatewayCommand,
  DisableVgwRoutePropagationCommand,
  EnableVgwRoutePropagationCommand,
  type Instance,
  type IpPermission,
  ModifyVpnTunnelOptionsCommand,
  RevokeSecurityGroupIngressCommand,
  type RouteTable,
  type SecurityGroup,
  type Subnet,
  type Tag,
  type TunnelOption,
  type Vpc,
  type VpnConnection,
  type VpnGateway,
} from "@aws-sdk/client-ec2";
import type { FakeAws, FakeService } from "./aws.js";
import { createVpnAttachment, deleteVpnAttachment, type FakeTgw, type FakeTgwAttachment, type FakeTgwRouteTable, liveTgw } from "./ec2-tgw.js";
import { ec2Error, matchesFilters, tagsFrom } from "./model.js";
import { createVpnKeySecret, deleteVpnKeySecret, updateVpnKey } from "./secrets-manager.js";

/** A resource whose state moves on with model time: `at` is when `next` takes over. */
export interface Timeline {
  transitions: Array<{ at: number; apply: () => void }>;
}

export interface FakeVgw extends VpnGateway, Timeline {}
export interface FakeCgw extends CustomerGateway, Timeline {}
export interface FakeVpn extends VpnConnection, Timeline {
  xmlTunnelsReversed: boolean;
}

/** A security-group rule as DescribeSecurityGroupRules shows it (only rules added through the API get one). */
export interface FakeSgRule {
  SecurityGroupRuleId: string;
  GroupId: string;
  IsEgress: false;
  IpProtocol: string;
  FromPort: number;
  ToPort: number;
  CidrIpv4: string;
  Description?: string;
  Tags: Tag[];
}

export interface Ec2State {
  sgRules: FakeSgRule[];
  vpcs: Vpc[];
  subnets: Subnet[];
  routeTables: RouteTable[];
  securityGroups: SecurityGroup[];
  instances: Instance[];
  vgws: FakeVgw[];
  cgws: FakeCgw[];
  vpns: FakeVpn[];
  /** Transit Gateways, their attachments (VPC and VPN) and route tables: test/fakes/ec2-tgw.ts. */
  tgws: FakeTgw[];
  tgwAttachments: FakeTgwAttachment[];
  tgwRouteTables: FakeTgwRouteTable[];
}

export function settle(aws: FakeAws, items: Timeline[]): void {
  const now = aws.clock.now();
  for (const item of items) {
    while (item.transitions.length && item.transitions[0]!.at <= now) item.transitions.shift()!.apply();
  }
}

export function later(aws: FakeAws, item: Timeline, delayMs: number, apply: () => void): void {
  const last = item.transitions.at(-1)?.at ?? aws.clock.now();
  item.transitions.push({ at: Math.max(last, aws.clock.now()) + delayMs, apply });
}

export const clone = <T>(v: T): T => structuredClone(v);
/** The API view of a fake resource: a deep copy without the model's bookkeeping. */
export const strip = <T extends Timeline>(v: T) => {
  const { transitions: _t, xmlTunnelsReversed: _x, ...rest } = v as T & { xmlTunnelsReversed?: boolean };
  return clone(rest);
};

/** Seed helpers: tests build their starting account with these. */
export function seedVpc(aws: FakeAws, opts: { cidr: string; name?: string; extraCidrs?: string[]; isDefault?: boolean }): Vpc {
  const VpcId = aws.ids.next("vpc");
  const vpc: Vpc = {
    VpcId,
    CidrBlock: opts.cidr,
    State: "available",
    IsDefault: opts.isDefault ?? false,
    CidrBlockAssociationSet: [opts.cidr, ...(opts.extraCidrs ?? [])].map((c, i) => ({
      AssociationId: `vpc-cidr-assoc-${i}`,
      CidrBlock: c,
      CidrBlockState: { State: "associated" },
    })),
    Tags: opts.name ? [{ Key: "Name", Value: opts.name }] : [],
  };
  aws.ec2.vpcs.push(vpc);
  // Every VPC has a main route table and a default security group.
  aws.ec2.routeTables.push({
    RouteTableId: aws.ids.next("rtb"),
    VpcId,
    Associations: [{ Main: true, RouteTableAssociationId: aws.ids.next("rtbassoc") }],
    Routes: [{ DestinationCidrBlock: opts.cidr, GatewayId: "local", Origin: "CreateRouteTable", State: "active" }],
    PropagatingVgws: [],
    Tags: [{ Key: "Name", Value: `${opts.name ?? VpcId}-main` }],
  });
  aws.ec2.securityGroups.push({
    GroupId: aws.ids.next("sg"),
    GroupName: "default",
    Description: "default VPC security group",
    VpcId,
    IpPermissions: [],
    Tags: [],
  });
  return vpc;
}

export function seedSubnet(aws: FakeAws, vpcId: string, cidr: string, az: string, opts: { name?: string; routeTableId?: string } = {}): Subnet {
  const subnet: Subnet = {
    SubnetId: aws.ids.next("subnet"),
    VpcId: vpcId,
    CidrBlock: cidr,
    AvailabilityZone: az,
    AvailabilityZoneId: `apne1-az${az.slice(-1) === "a" ? 4 : az.slice(-1) === "c" ? 1 : 2}`,
    State: "available",
    Tags: opts.name ? [{ Key: "Name", Value: opts.name }] : [],
  };
  aws.ec2.subnets.push(subnet);
  if (opts.routeTableId) {
    aws.ec2.routeTables
      .find((t) => t.RouteTableId === opts.routeTableId)!
      .Associations!.push({
        Main: false,
        SubnetId: subnet.SubnetId,
        RouteTableAssociationId: aws.ids.next("rtbassoc"),
      });
  }
  return subnet;
}

export function seedRouteTable(aws: FakeAws, vpcId: string, name: string): RouteTable {
  const vpc = aws.ec2.vpcs.find((v) => v.VpcId === vpcId)!;
  const table: RouteTable = {
    RouteTableId: aws.ids.next("rtb"),
    VpcId: vpcId,
    Associations: [],
    Routes: [{ DestinationCidrBlock: vpc.CidrBlock, GatewayId: "local", Origin: "CreateRouteTable", State: "active" }],
    PropagatingVgws: [],
    Tags: [{ Key: "Name", Value: name }],
  };
  aws.ec2.routeTables.push(table);
  return table;
}

export function seedSecurityGroup(aws: FakeAws, vpcId: string, name: string, permissions: IpPermission[] = []): SecurityGroup {
  const sg: SecurityGroup = { GroupId: aws.ids.next("sg"), GroupName: name, Description: name, VpcId: vpcId, IpPermissions: permissions, Tags: [] };
  aws.ec2.securityGroups.push(sg);
  return sg;
}

/** A VGW that exists before the test (created by hand), optionally attached. */
export function seedVgw(aws: FakeAws, opts: { asn?: number; attachTo?: string; tags?: Tag[] } = {}): FakeVgw {
  const vgw: FakeVgw = {
    VpnGatewayId: aws.ids.next("vgw"),
    State: "available",
    Type: "ipsec.1",
    AmazonSideAsn: opts.asn ?? 64512,
    VpcAttachments: opts.attachTo ? [{ VpcId: opts.attachTo, State: "attached" }] : [],
    Tags: opts.tags ?? [],
    transitions: [],
  };
  aws.ec2.vgws.push(vgw);
  return vgw;
}

export function seedCgw(aws: FakeAws, ip: string, asn: number, tags: Tag[] = []): FakeCgw {
  const cgw: FakeCgw = {
    CustomerGatewayId: aws.ids.next("cgw"),
    State: "available",
    Type: "ipsec.1",
    IpAddress: ip,
    BgpAsn: String(asn),
    Tags: tags,
    transitions: [],
  };
  aws.ec2.cgws.push(cgw);
  return cgw;
}

const RESERVED_INSIDE = ["169.254.0.0/30", "169.254.1.0/30", "169.254.2.0/30", "169.254.3.0/30", "169.254.4.0/30", "169.254.5.0/30", "169.254.169.252/30"];

function pickInsideCidr(aws: FakeAws, used: Set<string>): string {
  for (let n = 0; ; n++) {
    const third = 10 + ((n * 37 + aws.ec2.vpns.length * 11) % 240);
    const fourth = (n * 4) % 256;
    const cidr = `169.254.${third}.${fourth}/30`;
    if (!used.has(cidr) && !RESERVED_INSIDE.includes(cidr)) return cidr;
  }
}

function insideAddr(cidr: string, offset: number): string {
  const [ip] = cidr.split("/");
  const parts = ip!.split(".").map(Number);
  parts[3] = parts[3]! + offset;
  return parts.join(".");
}

/** How long a tunnel options update keeps the connection `modifying` (`aws.timings.vpnModifyMs`). */
export const DEFAULT_VPN_MODIFY_MS = 4 * 60_000;

let outsideCounter = 0;
function awsOutsideIp(): string {
  outsideCounter += 1;
  return `52.196.${Math.floor(outsideCounter / 200) + 10}.${(outsideCounter % 200) + 20}`;
}

function makePsk(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
  let s = "K";
  for (let i = 0; i < 31; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

// --- Tunnel options ------------------------------------------------------------------------------
// AWS's allowed values and ranges (aws-facts 1.5, 2.8). The fake is written here rather than imported
// from src/net/crypto.ts, so a mistake there cannot make the fake agree with it.

type Values<T> = Array<{ Value?: T }> | undefined;

/** `VpnTunnelOptionsSpecification` (CreateVpnConnection) / `ModifyVpnTunnelOptionsSpecification`: input spellings. */
export interface TunnelOptionsInput {
  TunnelInsideCidr?: string;
  PreSharedKey?: string;
  IKEVersions?: Values<string>;
  Phase1EncryptionAlgorithms?: Values<string>;
  Phase2EncryptionAlgorithms?: Values<string>;
  Phase1IntegrityAlgorithms?: Values<string>;
  Phase2IntegrityAlgorithms?: Values<string>;
  Phase1DHGroupNumbers?: Values<number>;
  Phase2DHGroupNumbers?: Values<number>;
  Phase1LifetimeSeconds?: number;
  Phase2LifetimeSeconds?: number;
  DPDTimeoutSeconds?: number;
  DPDTimeoutAction?: string;
  StartupAction?: string;
}

const ALLOWED = {
  IKEVersions: ["ikev1", "ikev2"],
  Phase1EncryptionAlgorithms: ["AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16"],
  Phase2EncryptionAlgorithms: ["AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16"],
  Phase1IntegrityAlgorithms: ["SHA1", "SHA2-256", "SHA2-384", "SHA2-512"],
  Phase2IntegrityAlgorithms: ["SHA1", "SHA2-256", "SHA2-384", "SHA2-512"],
  Phase1DHGroupNumbers: [2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24],
  Phase2DHGroupNumbers: [2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24],
} as const;
type ListField = keyof typeof ALLOWED;
/** Input list field -> output field (`IKEVersions` is `IkeVersions` in DescribeVpnConnections). */
const OUTPUT_LIST: Record<ListField, keyof TunnelOption> = {
  IKEVersions: "IkeVersions",
  Phase1EncryptionAlgorithms: "Phase1EncryptionAlgorithms",
  Phase2EncryptionAlgorithms: "Phase2EncryptionAlgorithms",
  Phase1IntegrityAlgorithms: "Phase1IntegrityAlgorithms",
  Phase2IntegrityAlgorithms: "Phase2IntegrityAlgorithms",
  Phase1DHGroupNumbers: "Phase1DHGroupNumbers",
  Phase2DHGroupNumbers: "Phase2DHGroupNumbers",
};

/**
 * A tunnel's options after applying `spec` to `current` (output spellings). A field `spec` leaves out
 * keeps its current value; at creation `current` holds AWS's defaults: every allowed value, lifetimes
 * 28800/3600, DPD 30 s then `clear`, startup `add`. Invalid values throw what AWS answers
 * (`InvalidParameterValue`; the messages are the fake's own).
 */
export function applyTunnelOptions(current: TunnelOption, spec: TunnelOptionsInput): TunnelOption {
  const bad = (message: string) => ec2Error("InvalidParameterValue", message);
  const next: TunnelOption = clone(current);
  for (const field of Object.keys(ALLOWED) as ListField[]) {
    const given = spec[field] as Values<string | number>;
    if (given === undefined) continue;
    const allowed = ALLOWED[field] as readonly (string | number)[];
    for (const item of given) {
      if (!allowed.includes(item.Value as never)) throw bad(`Invalid value '${String(item.Value)}' for ${field}. Valid values: ${allowed.join(", ")}`);
    }
    // An empty list at creation means every allowed value.
    const values = given.length ? [...new Set(given.map((v) => v.Value))] : [...allowed];
    (next as Record<string, unknown>)[OUTPUT_LIST[field]] = values.map((Value) => ({ Value }));
  }
  if (spec.DPDTimeoutAction !== undefined) {
    if (!["clear", "none", "restart"].includes(spec.DPDTimeoutAction)) throw bad(`Invalid value '${spec.DPDTimeoutAction}' for DPDTimeoutAction`);
    next.DpdTimeoutAction = spec.DPDTimeoutAction;
  }
  if (spec.StartupAction !== undefined) {
    if (!["add", "start"].includes(spec.StartupAction)) throw bad(`Invalid value '${spec.StartupAction}' for StartupAction`);
    next.StartupAction = spec.StartupAction;
  }
  if (spec.DPDTimeoutSeconds !== undefined) {
    if (!Number.isInteger(spec.DPDTimeoutSeconds) || spec.DPDTimeoutSeconds < 30) throw bad("DPDTimeoutSeconds must be 30 or more");
    next.DpdTimeoutSeconds = spec.DPDTimeoutSeconds;
  }
  if (spec.Phase1LifetimeSeconds !== undefined) next.Phase1LifetimeSeconds = spec.Phase1LifetimeSeconds;
  if (spec.Phase2LifetimeSeconds !== undefined) next.Phase2LifetimeSeconds = spec.Phase2LifetimeSeconds;
  const p1 = next.Phase1LifetimeSeconds!;
  const p2 = next.Phase2LifetimeSeconds!;
  if (!Number.isInteger(p1) || p1 < 900 || p1 > 28_800) throw bad("Phase1LifetimeSeconds must be between 900 and 28800");
  if (!Number.isInteger(p2) || p2 < 900 || p2 > 3_600) throw bad("Phase2LifetimeSeconds must be between 900 and 3600");
  if (p2 >= p1) throw bad("Phase2LifetimeSeconds must be less than Phase1LifetimeSeconds");
  const versions = (next.IkeVersions ?? []).map((v) => v.Value);
  if (next.StartupAction === "start" && !(versions.length === 1 && versions[0] === "ikev2")) {
    throw bad("StartupAction start is supported only for IKEv2; the tunnel also allows ikev1");
  }
  return next;
}

/** What a new tunnel has before its specification is applied: AWS's defaults, in output spellings. */
function defaultTunnelOption(): TunnelOption {
  const all = <T>(list: readonly T[]) => list.map((Value) => ({ Value }));
  return {
    Phase1LifetimeSeconds: 28_800,
    Phase2LifetimeSeconds: 3_600,
    RekeyMarginTimeSeconds: 270,
    RekeyFuzzPercentage: 100,
    ReplayWindowSize: 1024,
    DpdTimeoutSeconds: 30,
    DpdTimeoutAction: "clear",
    Phase1EncryptionAlgorithms: all(ALLOWED.Phase1EncryptionAlgorithms),
    Phase2EncryptionAlgorithms: all(ALLOWED.Phase2EncryptionAlgorithms),
    Phase1IntegrityAlgorithms: all(ALLOWED.Phase1IntegrityAlgorithms),
    Phase2IntegrityAlgorithms: all(ALLOWED.Phase2IntegrityAlgorithms),
    Phase1DHGroupNumbers: all(ALLOWED.Phase1DHGroupNumbers),
    Phase2DHGroupNumbers: all(ALLOWED.Phase2DHGroupNumbers),
    IkeVersions: all(ALLOWED.IKEVersions),
    StartupAction: "add",
  };
}

/** The CustomerGatewayConfiguration XML, in the layout AWS returns (aws-facts section 3). */
export function tunnelXml(vpn: VpnConnection, cgw: CustomerGateway, vgw: VpnGateway | undefined, reversed: boolean): string {
  const bgp = vpn.Options?.StaticRoutesOnly !== true;
  const tunnels = (vpn.Options?.TunnelOptions ?? []).map((t) => {
    const cidr = t.TunnelInsideCidr!;
    return `  <ipsec_tunnel>
    <customer_gateway>
      <tunnel_outside_address>
        <ip_address>${cgw.IpAddress}</ip_address>
      </tunnel_outside_address>
      <tunnel_inside_address>
        <ip_address>${insideAddr(cidr, 2)}</ip_address>
        <network_mask>255.255.255.252</network_mask>
        <network_cidr>30</network_cidr>
      </tunnel_inside_address>${
        bgp
          ? `
      <bgp>
        <asn>${cgw.BgpAsn}</asn>
        <hold_time>30</hold_time>
      </bgp>`
          : ""
      }
    </customer_gateway>
    <vpn_gateway>
      <tunnel_outside_address>
        <ip_address>${t.OutsideIpAddress}</ip_address>
      </tunnel_outside_address>
      <tunnel_inside_address>
        <ip_address>${insideAddr(cidr, 1)}</ip_address>
        <network_mask>255.255.255.252</network_mask>
        <network_cidr>30</network_cidr>
      </tunnel_inside_address>${
        bgp
          ? `
      <bgp>
        <asn>${vgw?.AmazonSideAsn ?? 64512}</asn>
        <hold_time>30</hold_time>
      </bgp>`
          : ""
      }
    </vpn_gateway>
    <ike>
      <authentication_protocol>sha1</authentication_protocol>
      <encryption_protocol>aes-128-cbc</encryption_protocol>
      <lifetime>28800</lifetime>
      <perfect_forward_secrecy>group2</perfect_forward_secrecy>
      <mode>main</mode>
${t.PreSharedKey === undefined ? "" : `      <pre_shared_key>${t.PreSharedKey}</pre_shared_key>\n`}    </ike>
    <ipsec>
      <protocol>esp</protocol>
      <authentication_protocol>hmac-sha1-96</authentication_protocol>
      <encryption_protocol>aes-128-cbc</encryption_protocol>
      <lifetime>3600</lifetime>
      <perfect_forward_secrecy>group2</perfect_forward_secrecy>
      <mode>tunnel</mode>
      <clear_df_bit>true</clear_df_bit>
      <fragmentation_before_encryption>true</fragmentation_before_encryption>
      <tcp_mss_adjustment>1379</tcp_mss_adjustment>
      <dead_peer_detection>
        <interval>10</interval>
        <retries>3</retries>
      </dead_peer_detection>
    </ipsec>
  </ipsec_tunnel>`;
  });
  // Real AWS does not promise the XML tunnel order matches TunnelOptions; the fake reverses it to prove we match by IP.
  if (reversed) tunnels.reverse();
  return `<?xml version="1.0" encoding="UTF-8"?>
<vpn_connection id="${vpn.VpnConnectionId}">
  <customer_gateway_id>${vpn.CustomerGatewayId}</customer_gateway_id>
  <vpn_gateway_id>${
    // (unverified) what AWS writes here for a connection on a transit gateway: the fake leaves the element empty.
    vpn.VpnGatewayId ?? ""
  }</vpn_gateway_id>
  <vpn_connection_type>ipsec.1</vpn_connection_type>${
    bgp
      ? ""
      : `
  <vpn_connection_attributes>NoBGPVPNConnection</vpn_connection_attributes>`
  }
${tunnels.join("\n")}
</vpn_connection>
`;
}

export const ec2Networking: FakeService = (aws, { ec2 }) => {
  aws.ec2 = {
    sgRules: [],
    vpcs: [],
    subnets: [],
    routeTables: [],
    securityGroups: [],
    instances: [],
    vgws: [],
    cgws: [],
    vpns: [],
    tgws: [],
    tgwAttachments: [],
    tgwRouteTables: [],
  };
  const s = aws.ec2;
  const tick = () => settle(aws, [...s.vgws, ...s.cgws, ...s.vpns, ...s.tgws, ...s.tgwAttachments]);
  const h = <I extends object, O>(op: string, fn: (input: I) => O) =>
    aws.handler<I, O>("ec2", op, (input) => {
      tick();
      return fn(input);
    });

  ec2.on(DescribeVpcsCommand).callsFake(
    h("DescribeVpcs", (i: { VpcIds?: string[]; Filters?: [] }) => {
      for (const id of i.VpcIds ?? []) {
        if (!s.vpcs.some((v) => v.VpcId === id)) throw ec2Error("InvalidVpcID.NotFound", `The vpc ID '${id}' does not exist`);
      }
      return { Vpcs: clone(s.vpcs.filter((v) => (!i.VpcIds || i.VpcIds.includes(v.VpcId!)) && matchesFilters(v, i.Filters, {}))) };
    }),
  );
  ec2.on(DescribeSubnetsCommand).callsFake(
    h("DescribeSubnets", (i: { SubnetIds?: string[]; Filters?: [] }) => {
      for (const id of i.SubnetIds ?? []) {
        if (!s.subnets.some((v) => v.SubnetId === id)) throw ec2Error("InvalidSubnetID.NotFound", `The subnet ID '${id}' does not exist`);
      }
      return {
        Subnets: clone(
          s.subnets.filter((n) => (!i.SubnetIds || i.SubnetIds.includes(n.SubnetId!)) && matchesFilters(n, i.Filters, { "vpc-id": (x) => x.VpcId })),
        ),
      };
    }),
  );
  ec2.on(DescribeRouteTablesCommand).callsFake(
    h("DescribeRouteTables", (i: { RouteTableIds?: string[]; Filters?: [] }) => {
      for (const id of i.RouteTableIds ?? []) {
        if (!s.routeTables.some((v) => v.RouteTableId === id)) {
          throw ec2Error("InvalidRouteTableID.NotFound", `The routeTable ID '${id}' does not exist`);
        }
      }
      return {
        RouteTables: clone(
          s.routeTables.filter(
            (t) =>
              (!i.RouteTableIds || i.RouteTableIds.includes(t.RouteTableId!)) &&
              matchesFilters(t, i.Filters, {
                "vpc-id": (x) => x.VpcId,
                "association.subnet-id": (x) => (x.Associations ?? []).map((a) => a.SubnetId),
                "association.main": (x) => (x.Associations ?? []).map((a) => String(Boolean(a.Main))),
              }),
          ),
        ),
      };
    }),
  );
  ec2.on(DescribeSecurityGroupsCommand).callsFake(
    h("DescribeSecurityGroups", (i: { GroupIds?: string[]; Filters?: [] }) => {
      for (const id of i.GroupIds ?? []) {
        if (!s.securityGroups.some((g) => g.GroupId === id)) throw ec2Error("InvalidGroup.NotFound", `The security group '${id}' does not exist`);
      }
      return {
        SecurityGroups: clone(
          s.securityGroups.filter((g) => (!i.GroupIds || i.GroupIds.includes(g.GroupId!)) && matchesFilters(g, i.Filters, { "vpc-id": (x) => x.VpcId })),
        ),
      };
    }),
  );
  ec2.on(DescribeInstancesCommand).callsFake(
    h("DescribeInstances", (i: { InstanceIds?: string[] }) => {
      for (const id of i.InstanceIds ?? []) {
        if (!s.instances.some((x) => x.InstanceId === id)) {
          throw ec2Error("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`);
        }
      }
      const found = s.instances.filter((x) => !i.InstanceIds || i.InstanceIds.includes(x.InstanceId!));
      return { Reservations: found.length ? [{ ReservationId: "r-0fake", Instances: clone(found) }] : [] };
    }),
  );

  // Ports matter only for TCP, UDP and ICMP(v6); AWS ignores them for -1 and other protocol numbers (41 for ISATAP).
  const hasPorts = (protocol: string | undefined) => ["tcp", "udp", "icmp", "icmpv6", "6", "17", "1", "58"].includes(String(protocol).toLowerCase());
  const permKey = (p: IpPermission, cidr: string) => `${p.IpProtocol}|${hasPorts(p.IpProtocol) ? `${p.FromPort}|${p.ToPort}` : ""}|${cidr}`;
  ec2.on(AuthorizeSecurityGroupIngressCommand).callsFake(
    h("AuthorizeSecurityGroupIngress", (i: { GroupId: string; IpPermissions: IpPermission[]; TagSpecifications?: [] }) => {
      const sg = s.securityGroups.find((g) => g.GroupId === i.GroupId);
      if (!sg) throw ec2Error("InvalidGroup.NotFound", `The security group '${i.GroupId}' does not exist`);
      const existing = new Set((sg.IpPermissions ?? []).flatMap((p) => (p.IpRanges ?? []).map((r) => permKey(p, r.CidrIp!))));
      for (const p of i.IpPermissions) {
        for (const r of p.IpRanges ?? []) {
          if (existing.has(permKey(p, r.CidrIp!))) {
            throw ec2Error("InvalidPermission.Duplicate", `the specified rule "peer: ${r.CidrIp}, ${p.IpProtocol?.toUpperCase()}, ALLOW" already exists`);
          }
        }
      }
      sg.IpPermissions = [...(sg.IpPermissions ?? []), ...clone(i.IpPermissions)];
      const tags = tagsFrom(i.TagSpecifications, "security-group-rule");
      const rules = i.IpPermissions.flatMap((p) =>
        (p.IpRanges ?? []).map(
          (r): FakeSgRule => ({
            SecurityGroupRuleId: aws.ids.next("sgr"),
            GroupId: sg.GroupId!,
            IsEgress: false,
            IpProtocol: p.IpProtocol!,
            FromPort: p.IpProtocol === "-1" ? -1 : (p.FromPort ?? -1),
            ToPort: p.IpProtocol === "-1" ? -1 : (p.ToPort ?? -1),
            CidrIpv4: r.CidrIp!,
            ...(r.Description ? { Description: r.Description } : {}),
            Tags: clone(tags),
          }),
        ),
      );
      s.sgRules.push(...rules);
      return { Return: true, SecurityGroupRules: clone(rules) };
    }),
  );
  ec2.on(DescribeSecurityGroupRulesCommand).callsFake(
    h("DescribeSecurityGroupRules", (i: { SecurityGroupRuleIds?: string[]; Filters?: [] }) => ({
      SecurityGroupRules: clone(
        s.sgRules.filter(
          (r) =>
            (!i.SecurityGroupRuleIds || i.SecurityGroupRuleIds.includes(r.SecurityGroupRuleId)) &&
            matchesFilters(r, i.Filters, { "group-id": (x) => x.GroupId, "security-group-rule-id": (x) => x.SecurityGroupRuleId }),
        ),
      ),
    })),
  );
  ec2.on(RevokeSecurityGroupIngressCommand).callsFake(
    h("RevokeSecurityGroupIngress", (i: { GroupId: string; IpPermissions?: IpPermission[]; SecurityGroupRuleIds?: string[] }) => {
      const sg = s.securityGroups.find((g) => g.GroupId === i.GroupId);
      if (!sg) throw ec2Error("InvalidGroup.NotFound", `The security group '${i.GroupId}' does not exist`);
      const byId = (i.SecurityGroupRuleIds ?? []).map((id) => {
        const rule = s.sgRules.find((r) => r.SecurityGroupRuleId === id && r.GroupId === i.GroupId);
        if (!rule) throw ec2Error("InvalidSecurityGroupRuleId.NotFound", `The security group rule ID '${id}' does not exist`);
        return rule;
      });
      const permissions: IpPermission[] = [
        ...(i.IpPermissions ?? []),
        ...byId.map((r) => ({ IpProtocol: r.IpProtocol, FromPort: r.FromPort, ToPort: r.ToPort, IpRanges: [{ CidrIp: r.CidrIpv4 }] })),
      ];
      const remove = new Set(permissions.flatMap((p) => (p.IpRanges ?? []).map((r) => permKey(p, r.CidrIp!))));
      s.sgRules = s.sgRules.filter(
        (r) => r.GroupId !== i.GroupId || !remove.has(permKey({ IpProtocol: r.IpProtocol, FromPort: r.FromPort, ToPort: r.ToPort }, r.CidrIpv4)),
      );
      const before = JSON.stringify(sg.IpPermissions);
      sg.IpPermissions = (sg.IpPermissions ?? [])
        .map((p) => ({ ...p, IpRanges: (p.IpRanges ?? []).filter((r) => !remove.has(permKey(p, r.CidrIp!))) }))
        .filter((p) => (p.IpRanges ?? []).length > 0);
      if (before === JSON.stringify(sg.IpPermissions)) {
        throw ec2Error("InvalidPermission.NotFound", "The specified rule does not exist in this security group.");
      }
      return { Return: true };
    }),
  );

  // --- Virtual private gateways ---------------------------------------------------------------
  const vgwById = (id: string) => {
    const g = s.vgws.find((x) => x.VpnGatewayId === id && x.State !== "deleted");
    if (!g) throw ec2Error("InvalidVpnGatewayID.NotFound", `The virtual private gateway ID '${id}' does not exist`);
    return g;
  };
  ec2.on(CreateVpnGatewayCommand).callsFake(
    h("CreateVpnGateway", (i: { Type: string; AmazonSideAsn?: number; TagSpecifications?: [] }) => {
      if (i.Type !== "ipsec.1") throw ec2Error("InvalidParameterValue", `Invalid value '${i.Type}' for type`);
      const vgw: FakeVgw = {
        VpnGatewayId: aws.ids.next("vgw"),
        State: "pending",
        Type: "ipsec.1",
        AmazonSideAsn: i.AmazonSideAsn ?? 64512,
        VpcAttachments: [],
        Tags: tagsFrom(i.TagSpecifications, "vpn-gateway"),
        transitions: [],
      };
      later(aws, vgw, aws.timings.vgwAvailableMs, () => (vgw.State = "available"));
      s.vgws.push(vgw);
      return { VpnGateway: strip(vgw) };
    }),
  );
  ec2.on(DescribeVpnGatewaysCommand).callsFake(
    h("DescribeVpnGateways", (i: { VpnGatewayIds?: string[]; Filters?: [] }) => {
      for (const id of i.VpnGatewayIds ?? []) {
        if (!s.vgws.some((g) => g.VpnGatewayId === id)) {
          throw ec2Error("InvalidVpnGatewayID.NotFound", `The virtual private gateway ID '${id}' does not exist`);
        }
      }
      return {
        VpnGateways: s.vgws
          .filter(
            (g) =>
              (!i.VpnGatewayIds || i.VpnGatewayIds.includes(g.VpnGatewayId!)) &&
              matchesFilters(g, i.Filters, {
                state: (x) => x.State,
                "attachment.vpc-id": (x) => (x.VpcAttachments ?? []).map((a) => a.VpcId),
                "attachment.state": (x) => (x.VpcAttachments ?? []).map((a) => a.State),
                "vpn-gateway-id": (x) => x.VpnGatewayId,
              }),
          )
          .map(strip),
      };
    }),
  );
  ec2.on(AttachVpnGatewayCommand).callsFake(
    h("AttachVpnGateway", (i: { VpcId: string; VpnGatewayId: string }) => {
      const vgw = vgwById(i.VpnGatewayId);
      if (!s.vpcs.some((v) => v.VpcId === i.VpcId)) throw ec2Error("InvalidVpcID.NotFound", `The vpc ID '${i.VpcId}' does not exist`);
      if (vgw.State !== "available") throw ec2Error("IncorrectState", `The gateway ${vgw.VpnGatewayId} is not available (${vgw.State})`);
      const other = s.vgws.find((g) => g !== vgw && g.VpcAttachments?.some((a) => a.VpcId === i.VpcId && (a.State === "attached" || a.State === "attaching")));
      if (other) throw ec2Error("InvalidVpcState", `VPC ${i.VpcId} is currently attached to the Virtual Private Gateway.`);
      const live = vgw.VpcAttachments?.find((a) => a.State === "attached" || a.State === "attaching");
      if (live) {
        throw ec2Error("InvalidVpnGatewayAttachment.LimitExceeded", `${vgw.VpnGatewayId} is already attached to ${live.VpcId}`);
      }
      const attachment = { VpcId: i.VpcId, State: "attaching" as const };
      vgw.VpcAttachments = [...(vgw.VpcAttachments ?? []).filter((a) => a.VpcId !== i.VpcId), attachment];
      later(aws, vgw, aws.timings.attachMs, () => {
        attachment.State = "attached" as never;
      });
      return { VpcAttachment: { ...attachment } };
    }),
  );
  ec2.on(DetachVpnGatewayCommand).callsFake(
    h("DetachVpnGateway", (i: { VpcId: string; VpnGatewayId: string }) => {
      const vgw = vgwById(i.VpnGatewayId);
      const att = vgw.VpcAttachments?.find((a) => a.VpcId === i.VpcId && (a.State === "attached" || a.State === "attaching"));
      if (!att)
        throw ec2Error("InvalidVpnGatewayAttachment.NotFound", `The attachment with vpn gateway ID '${i.VpnGatewayId}' and vpc ID '${i.VpcId}' does not exist`);
      const liveVpn = s.vpns.find((v) => v.VpnGatewayId === vgw.VpnGatewayId && v.State !== "deleted");
      if (liveVpn && liveVpn.State === "deleting") {
        throw ec2Error("IncorrectState", `The gateway ${vgw.VpnGatewayId} has VPN connection ${liveVpn.VpnConnectionId} still deleting`);
      }
      att.State = "detaching";
      later(aws, vgw, aws.timings.detachMs, () => {
        att.State = "detached";
      });
      return {};
    }),
  );
  ec2.on(DeleteVpnGatewayCommand).callsFake(
    h("DeleteVpnGateway", (i: { VpnGatewayId: string }) => {
      const vgw = vgwById(i.VpnGatewayId);
      if (vgw.VpcAttachments?.some((a) => a.State !== "detached")) {
        throw ec2Error("IncorrectState", `The gateway ${vgw.VpnGatewayId} is still attached to a VPC`);
      }
      if (s.vpns.some((v) => v.VpnGatewayId === vgw.VpnGatewayId && v.State !== "deleted")) {
        throw ec2Error("IncorrectState", `The gateway ${vgw.VpnGatewayId} has VPN connections`);
      }
      // Direct Connect interfaces on the gateway (test/fakes/dx.ts state, when installed) keep it in use.
      const vifs = (aws.state.dx as { vifs?: Array<{ virtualGatewayId?: string; virtualInterfaceState?: string }> } | undefined)?.vifs ?? [];
      if (vifs.some((v) => v.virtualGatewayId === vgw.VpnGatewayId && !["rejected", "deleting", "deleted"].includes(v.virtualInterfaceState ?? ""))) {
        throw ec2Error("IncorrectState", "The VPN gateway is in use.");
      }
      vgw.State = "deleted";
      return {};
    }),
  );
  ec2.on(EnableVgwRoutePropagationCommand).callsFake(
    h("EnableVgwRoutePropagation", (i: { GatewayId: string; RouteTableId: string }) => {
      const vgw = vgwById(i.GatewayId);
      const t = s.routeTables.find((r) => r.RouteTableId === i.RouteTableId);
      if (!t) throw ec2Error("InvalidRouteTableID.NotFound", `The routeTable ID '${i.RouteTableId}' does not exist`);
      if (!vgw.VpcAttachments?.some((a) => a.VpcId === t.VpcId && a.State === "attached")) {
        throw ec2Error("Gateway.NotAttached", `resource ${vgw.VpnGatewayId} is not attached to network ${t.VpcId}`);
      }
      if (!t.PropagatingVgws?.some((p) => p.GatewayId === i.GatewayId)) t.PropagatingVgws = [...(t.PropagatingVgws ?? []), { GatewayId: i.GatewayId }];
      return {};
    }),
  );
  ec2.on(DisableVgwRoutePropagationCommand).callsFake(
    h("DisableVgwRoutePropagation", (i: { GatewayId: string; RouteTableId: string }) => {
      const t = s.routeTables.find((r) => r.RouteTableId === i.RouteTableId);
      if (!t) throw ec2Error("InvalidRouteTableID.NotFound", `The routeTable ID '${i.RouteTableId}' does not exist`);
      t.PropagatingVgws = (t.PropagatingVgws ?? []).filter((p) => p.GatewayId !== i.GatewayId);
      t.Routes = (t.Routes ?? []).filter((r) => !(r.Origin === "EnableVgwRoutePropagation" && r.GatewayId === i.GatewayId));
      return {};
    }),
  );

  // --- Customer gateways ------------------------------------------------------------------------
  ec2.on(CreateCustomerGatewayCommand).callsFake(
    h("CreateCustomerGateway", (i: { Type: string; IpAddress?: string; BgpAsn?: number; BgpAsnExtended?: number; TagSpecifications?: [] }) => {
      const asn = String(i.BgpAsn ?? i.BgpAsnExtended ?? 65000);
      // AWS returns the existing gateway for an identical request (same type, IP and ASN).
      const same = s.cgws.find(
        (g) => g.IpAddress === i.IpAddress && (g.BgpAsn === asn || g.BgpAsnExtended === asn) && g.State !== "deleted" && g.State !== "deleting",
      );
      if (same) return { CustomerGateway: strip(same) };
      // AWS's default quota: 50 customer gateways per Region (adjustable: aws.limits).
      if (s.cgws.filter((g) => g.State !== "deleted").length >= aws.limits.customerGateways) {
        throw ec2Error("CustomerGatewayLimitExceeded", `You have reached the limit of customer gateways (${aws.limits.customerGateways})`);
      }
      const cgw: FakeCgw = {
        CustomerGatewayId: aws.ids.next("cgw"),
        State: aws.timings.cgwAvailableMs > 0 ? "pending" : "available",
        Type: "ipsec.1",
        IpAddress: i.IpAddress,
        ...(i.BgpAsnExtended ? { BgpAsnExtended: asn, BgpAsn: undefined } : { BgpAsn: asn }),
        Tags: tagsFrom(i.TagSpecifications, "customer-gateway"),
        transitions: [],
      };
      if (aws.timings.cgwAvailableMs > 0) later(aws, cgw, aws.timings.cgwAvailableMs, () => (cgw.State = "available"));
      s.cgws.push(cgw);
      return { CustomerGateway: strip(cgw) };
    }),
  );
  ec2.on(DescribeCustomerGatewaysCommand).callsFake(
    h("DescribeCustomerGateways", (i: { CustomerGatewayIds?: string[]; Filters?: [] }) => {
      for (const id of i.CustomerGatewayIds ?? []) {
        if (!s.cgws.some((g) => g.CustomerGatewayId === id)) {
          throw ec2Error("InvalidCustomerGatewayID.NotFound", `The customerGateway ID '${id}' does not exist`);
        }
      }
      return {
        CustomerGateways: s.cgws
          .filter(
            (g) =>
              (!i.CustomerGatewayIds || i.CustomerGatewayIds.includes(g.CustomerGatewayId!)) &&
              matchesFilters(g, i.Filters, {
                "ip-address": (x) => x.IpAddress,
                "bgp-asn": (x) => x.BgpAsn,
                state: (x) => x.State,
                "customer-gateway-id": (x) => x.CustomerGatewayId,
              }),
          )
          .map(strip),
      };
    }),
  );
  ec2.on(DeleteCustomerGatewayCommand).callsFake(
    h("DeleteCustomerGateway", (i: { CustomerGatewayId: string }) => {
      const cgw = s.cgws.find((g) => g.CustomerGatewayId === i.CustomerGatewayId && g.State !== "deleted");
      if (!cgw) throw ec2Error("InvalidCustomerGatewayID.NotFound", `The customerGateway ID '${i.CustomerGatewayId}' does not exist`);
      if (s.vpns.some((v) => v.CustomerGatewayId === cgw.CustomerGatewayId && v.State !== "deleted")) {
        throw ec2Error("IncorrectState", `The customer gateway ${cgw.CustomerGatewayId} is in use by a VPN connection`);
      }
      cgw.State = "deleted";
      return {};
    }),
  );

  // --- VPN connections --------------------------------------------------------------------------
  const vpnView = (v: FakeVpn): VpnConnection => {
    const out = strip(v) as VpnConnection;
    // The tunnel XML is returned only while pending or available.
    if (v.State !== "pending" && v.State !== "available") delete out.CustomerGatewayConfiguration;
    return out;
  };
  ec2.on(CreateVpnConnectionCommand).callsFake(
    h(
      "CreateVpnConnection",
      (i: {
        Type: string;
        CustomerGatewayId: string;
        VpnGatewayId?: string;
        TransitGatewayId?: string;
        Options?: { StaticRoutesOnly?: boolean; EnableAcceleration?: boolean; TunnelOptions?: TunnelOptionsInput[] };
        PreSharedKeyStorage?: string;
        TagSpecifications?: [];
      }) => {
        if (i.PreSharedKeyStorage !== undefined && i.PreSharedKeyStorage !== "Standard" && i.PreSharedKeyStorage !== "SecretsManager") {
          throw ec2Error("InvalidParameterValue", `Invalid value '${i.PreSharedKeyStorage}' for PreSharedKeyStorage`);
        }
        if (i.VpnGatewayId && i.TransitGatewayId)
          throw ec2Error("InvalidParameterValue", "The request must contain exactly one of VpnGatewayId or TransitGatewayId");
        const cgw = s.cgws.find((g) => g.CustomerGatewayId === i.CustomerGatewayId && g.State !== "deleted");
        if (!cgw) throw ec2Error("InvalidCustomerGatewayID.NotFound", `The customerGateway ID '${i.CustomerGatewayId}' does not exist`);
        if (!i.VpnGatewayId && !i.TransitGatewayId) {
          throw ec2Error("MissingParameter", "The request must contain the parameter VpnGatewayId or TransitGatewayId");
        }
        const tgw = i.TransitGatewayId ? liveTgw(aws, i.TransitGatewayId) : undefined;
        if (tgw && tgw.State !== "available") throw ec2Error("IncorrectState", `${tgw.TransitGatewayId} is in invalid state`);
        const vgw = tgw ? undefined : vgwById(i.VpnGatewayId ?? "");
        if (vgw && s.vpns.filter((v) => v.VpnGatewayId === vgw.VpnGatewayId && v.State !== "deleted").length >= aws.limits.vpnConnectionsPerVgw) {
          throw ec2Error(
            "VpnConnectionLimitExceeded",
            `Maximum number of VPN connections per VPN gateway (${aws.limits.vpnConnectionsPerVgw}) reached for ${vgw.VpnGatewayId}`,
          );
        }
        if (i.Options?.EnableAcceleration && !tgw) {
          throw ec2Error("InvalidParameterValue", "Acceleration is supported only for VPN connections attached to a transit gateway");
        }
        // AWS's default quota: 10 VPN connections per virtual private gateway (adjustable: aws.limits).
        // Inside CIDRs must be unique per VGW; a transit gateway does not enforce it.
        const used = new Set(
          s.vpns
            .filter((v) => vgw && v.VpnGatewayId === vgw.VpnGatewayId && v.State !== "deleted")
            .flatMap((v) => (v.Options?.TunnelOptions ?? []).map((t) => t.TunnelInsideCidr!)),
        );
        const tunnels = [0, 1].map((n) => {
          const spec = i.Options?.TunnelOptions?.[n] ?? {};
          if (spec.TunnelInsideCidr && used.has(spec.TunnelInsideCidr)) {
            throw ec2Error("InvalidParameterValue", `The tunnel inside cidr ${spec.TunnelInsideCidr} is being used by another VPN connection on this gateway`);
          }
          if (spec.PreSharedKey && !/^(?!0)[A-Za-z0-9._]{8,64}$/.test(spec.PreSharedKey)) {
            throw ec2Error("InvalidParameterValue", "Invalid pre-shared key");
          }
          const options = applyTunnelOptions(defaultTunnelOption(), spec);
          const cidr = spec.TunnelInsideCidr ?? pickInsideCidr(aws, used);
          used.add(cidr);
          return {
            OutsideIpAddress: aws.vpnOutsideIp?.() ?? awsOutsideIp(),
            TunnelInsideCidr: cidr,
            PreSharedKey: spec.PreSharedKey ?? makePsk(),
            ...options,
          };
        });
        const vpn: FakeVpn = {
          VpnConnectionId: aws.ids.next("vpn"),
          State: "pending",
          Type: "ipsec.1",
          Category: "VPN",
          CustomerGatewayId: cgw.CustomerGatewayId,
          ...(tgw ? { TransitGatewayId: tgw.TransitGatewayId } : { VpnGatewayId: vgw!.VpnGatewayId }),
          Options: {
            StaticRoutesOnly: i.Options?.StaticRoutesOnly ?? false,
            EnableAcceleration: i.Options?.EnableAcceleration ?? false,
            TunnelOptions: tunnels,
          },
          Routes: [],
          VgwTelemetry: tunnels.map((t) => ({
            OutsideIpAddress: t.OutsideIpAddress,
            Status: "DOWN",
            StatusMessage: "IPSEC IS DOWN",
            AcceptedRouteCount: 0,
            LastStatusChange: new Date(aws.clock.now()),
          })),
          Tags: tagsFrom(i.TagSpecifications, "vpn-connection"),
          transitions: [],
          xmlTunnelsReversed: true,
        };
        if (i.PreSharedKeyStorage === "SecretsManager") {
          // Site-to-Site VPN keeps the keys in a secret of its own: neither the XML nor the tunnel options carry them.
          vpn.PreSharedKeyArn = createVpnKeySecret(
            aws,
            vpn.VpnConnectionId!,
            tunnels.map((t) => ({ outsideIp: t.OutsideIpAddress, key: t.PreSharedKey })),
          );
          for (const t of tunnels) delete (t as { PreSharedKey?: string }).PreSharedKey;
        }
        vpn.CustomerGatewayConfiguration = tunnelXml(vpn, cgw, vgw ?? { AmazonSideAsn: Number(tgw!.Options?.AmazonSideAsn ?? 64512) }, true);
        // On a transit gateway AWS makes a VPN attachment; it becomes available with the connection.
        const attachment = tgw ? createVpnAttachment(aws, tgw, vpn) : undefined;
        later(aws, vpn, aws.timings.vpnAvailableMs, () => {
          vpn.State = "available";
          for (const r of vpn.Routes ?? []) r.State = "available";
          if (attachment && attachment.State === "pending") attachment.State = "available";
        });
        s.vpns.push(vpn);
        return { VpnConnection: strip(vpn) };
      },
    ),
  );
  ec2.on(DescribeVpnConnectionsCommand).callsFake(
    h("DescribeVpnConnections", (i: { VpnConnectionIds?: string[]; Filters?: [] }) => {
      for (const id of i.VpnConnectionIds ?? []) {
        if (!s.vpns.some((v) => v.VpnConnectionId === id)) {
          throw ec2Error("InvalidVpnConnectionID.NotFound", `The vpnConnection ID '${id}' does not exist`);
        }
      }
      return {
        VpnConnections: s.vpns
          .filter(
            (v) =>
              (!i.VpnConnectionIds || i.VpnConnectionIds.includes(v.VpnConnectionId!)) &&
              matchesFilters(v, i.Filters, {
                state: (x) => x.State,
                "vpn-gateway-id": (x) => x.VpnGatewayId,
                "transit-gateway-id": (x) => x.TransitGatewayId,
                "customer-gateway-id": (x) => x.CustomerGatewayId,
                "vpn-connection-id": (x) => x.VpnConnectionId,
              }),
          )
          .map(vpnView),
      };
    }),
  );
  ec2.on(CreateVpnConnectionRouteCommand).callsFake(
    h("CreateVpnConnectionRoute", (i: { VpnConnectionId: string; DestinationCidrBlock: string }) => {
      const vpn = s.vpns.find((v) => v.VpnConnectionId === i.VpnConnectionId && v.State !== "deleted");
      if (!vpn) throw ec2Error("InvalidVpnConnectionID.NotFound", `The vpnConnection ID '${i.VpnConnectionId}' does not exist`);
      // On a transit gateway the static routes live in the gateway's route table (CreateTransitGatewayRoute).
      if (vpn.TransitGatewayId) {
        throw ec2Error(
          "InvalidVpnConnection.InvalidType",
          `The VPN connection ${i.VpnConnectionId} is attached to a transit gateway; add static routes to its route table`,
        );
      }
      if (!vpn.Options?.StaticRoutesOnly)
        throw ec2Error("InvalidVpnConnection.InvalidType", `The VPN connection ${i.VpnConnectionId} uses BGP; static routes are not allowed`);
      if (vpn.Routes?.some((r) => r.DestinationCidrBlock === i.DestinationCidrBlock && r.State !== "deleted")) {
        throw ec2Error("RouteAlreadyExists", `The route ${i.DestinationCidrBlock} already exists`);
      }
      vpn.Routes = [
        ...(vpn.Routes ?? []),
        { DestinationCidrBlock: i.DestinationCidrBlock, Source: "Static", State: vpn.State === "available" ? "available" : "pending" },
      ];
      return {};
    }),
  );
  ec2.on(ModifyVpnTunnelOptionsCommand).callsFake(
    h(
      "ModifyVpnTunnelOptions",
      (i: { VpnConnectionId: string; VpnTunnelOutsideIpAddress: string; TunnelOptions?: TunnelOptionsInput; SkipTunnelReplacement?: boolean }) => {
        const vpn = s.vpns.find((v) => v.VpnConnectionId === i.VpnConnectionId && v.State !== "deleted");
        if (!vpn) throw ec2Error("InvalidVpnConnectionID.NotFound", `The vpnConnection ID '${i.VpnConnectionId}' does not exist`);
        const tunnels = vpn.Options?.TunnelOptions ?? [];
        const n = tunnels.findIndex((t) => t.OutsideIpAddress === i.VpnTunnelOutsideIpAddress);
        if (n < 0) {
          throw ec2Error("InvalidParameterValue", `The VPN tunnel outside IP address ${i.VpnTunnelOutsideIpAddress} does not belong to ${vpn.VpnConnectionId}`);
        }
        // One modification at a time: AWS refuses another while the connection is not available.
        if (vpn.State !== "available") {
          throw ec2Error("IncorrectState", `The VPN connection ${vpn.VpnConnectionId} is in state ${vpn.State}; it must be available to modify tunnel options`);
        }
        const { TunnelInsideCidr, PreSharedKey, ...crypto } = i.TunnelOptions ?? {};
        if (PreSharedKey !== undefined && !/^(?!0)[A-Za-z0-9._]{8,64}$/.test(PreSharedKey)) throw ec2Error("InvalidParameterValue", "Invalid pre-shared key");
        const updated = applyTunnelOptions(tunnels[n]!, crypto);
        if (TunnelInsideCidr !== undefined) updated.TunnelInsideCidr = TunnelInsideCidr;
        if (PreSharedKey !== undefined && vpn.PreSharedKeyArn) updateVpnKey(aws, vpn.PreSharedKeyArn, i.VpnTunnelOutsideIpAddress, PreSharedKey);
        else if (PreSharedKey !== undefined) updated.PreSharedKey = PreSharedKey;
        tunnels[n] = updated;
        // AWS replaces the tunnel's endpoint: that tunnel goes down until the router negotiates again.
        (vpn.State as string) = "modifying";
        vpn.VgwTelemetry = (vpn.VgwTelemetry ?? []).map((t) =>
          t.OutsideIpAddress === i.VpnTunnelOutsideIpAddress
            ? { ...t, Status: "DOWN", StatusMessage: "IPSEC IS DOWN", LastStatusChange: new Date(aws.clock.now()) }
            : t,
        );
        later(aws, vpn, aws.timings.vpnModifyMs ?? DEFAULT_VPN_MODIFY_MS, () => {
          vpn.State = "available";
        });
        return { VpnConnection: vpnView(vpn) };
      },
    ),
  );
  ec2.on(DeleteVpnConnectionCommand).callsFake(
    h("DeleteVpnConnection", (i: { VpnConnectionId: string }) => {
      const vpn = s.vpns.find((v) => v.VpnConnectionId === i.VpnConnectionId);
      if (!vpn || vpn.State === "deleted") throw ec2Error("InvalidVpnConnectionID.NotFound", `The vpnConnection ID '${i.VpnConnectionId}' does not exist`);
      if (vpn.State === "deleting") return {};
      vpn.transitions = [];
      vpn.State = "deleting";
      deleteVpnAttachment(aws, vpn);
      later(aws, vpn, aws.timings.vpnDeleteMs, () => {
        vpn.State = "deleted";
        if (vpn.PreSharedKeyArn) deleteVpnKeySecret(aws, vpn.PreSharedKeyArn);
      });
      return {};
    }),
  );
};

/** Helpers for tests: bring tunnels up as if the router had started IKE (and BGP). */
export function setTunnelStatus(aws: FakeAws, vpnId: string, status: Array<{ status: "UP" | "DOWN"; message: string; routes?: number }>): void {
  const vpn = aws.ec2.vpns.find((v) => v.VpnConnectionId === vpnId)!;
  vpn.VgwTelemetry = (vpn.VgwTelemetry ?? []).map((t, n) => ({
    ...t,
    Status: status[n]!.status,
    StatusMessage: status[n]!.message,
    AcceptedRouteCount: status[n]!.routes ?? 0,
    LastStatusChange: new Date(aws.clock.now()),
  }));
}
