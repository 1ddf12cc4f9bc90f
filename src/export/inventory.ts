/**
 * What `vpcwire export` hands over: every resource of a stack as a Terraform (AWS provider) resource
 * with the arguments that reproduce it, the id `terraform import` takes, and the reused resources as
 * data sources. The stack's resources come from the lifecycle's `discover` (the same inventory `list`,
 * `status` and `destroy` use); this module only reads each of them by id for the arguments.
 *
 * Import ids and argument names follow the provider's docs (website/docs/r/*.html.markdown):
 * aws_vpn_gateway, aws_customer_gateway, aws_vpn_connection, aws_vpc_security_group_ingress_rule,
 * aws_security_group, aws_vpc_endpoint, aws_vpc_endpoint_service: by id; aws_lb, aws_lb_target_group,
 * aws_lb_listener: by ARN; aws_dx_hosted_private_virtual_interface_accepter: by VIF id. The provider
 * cannot import aws_vpn_gateway_attachment (the gateway's `vpc_id` stands for it),
 * aws_vpn_gateway_route_propagation or aws_vpn_connection_route: those are written without an import.
 */
import type { VirtualInterface } from "@aws-sdk/client-direct-connect";
import { send } from "../aws/call.js";
import { getVif } from "../aws/dx.js";
import { describeSgRules } from "../aws/sg-rules.js";
import { hasStackTags, KIND_TAG, STACK_TAG } from "../aws/tags.js";
import { attachedVpcOf } from "../aws/vgw.js";
import { listRouteTables } from "../aws/vpc.js";
import type { Context } from "../core/context.js";
import { readTgwParts } from "../lifecycle/tgw.js";
import type { StackSummary } from "../lifecycle/types.js";
import { attr, block, type Item, type Ref, ref, type Value } from "./hcl.js";

const ec2 = () => import("@aws-sdk/client-ec2");
const elb = () => import("@aws-sdk/client-elastic-load-balancing-v2");

export interface ExportResource {
  /** `resource` (the stack owns it) or `data` (reused: Terraform reads it, never changes it). */
  mode: "resource" | "data";
  /** Terraform type: `aws_vpn_connection`. */
  type: string;
  /** Terraform name: `vpn_00000000000000001`. */
  name: string;
  /** `aws_vpn_connection.vpn_00000000000000001`, `data.aws_vpc.vpc_1`. */
  address: string;
  /** The AWS id (an ARN for load balancers, target groups and listeners). */
  id: string;
  /** What vpcwire calls it (`VPN connection`). */
  vpcwireType: string;
  /** The id for an `import` block; null for data sources and for types the provider cannot import. */
  importId: string | null;
  /** Why there is no import (or other things to know), shown as a comment above the block. */
  notes: string[];
  body: Item[];
}

export interface ExportVariable {
  name: string;
  description: string;
  sensitive: boolean;
}

export interface ExportInventory {
  stack: string;
  kind: string;
  region: string | null;
  resources: ExportResource[];
  variables: ExportVariable[];
  /** Things the export could not reproduce, for the user to check. */
  warnings: string[];
}

type Tags = Array<{ Key?: string; Value?: string }> | undefined;

/** Tags as a Terraform map. `aws:` keys are AWS's own and cannot be set. The vpcwire tags stay: destroy finds the stack by them. */
function tagMap(tags: Tags): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of [...(tags ?? [])].sort((a, b) => (a.Key ?? "").localeCompare(b.Key ?? ""))) {
    if (t.Key && !t.Key.startsWith("aws:")) out[t.Key] = t.Value ?? "";
  }
  return out;
}

const tagsAttr = (tags: Tags): Item[] => (Object.keys(tagMap(tags)).length ? [attr("tags", tagMap(tags))] : []);

/** A Terraform name from an AWS id or name: `vgw-0abc` -> `vgw_0abc`, `office-inbound` -> `office_inbound`. */
export function tfName(prefix: string, id: string): string {
  const tail = id
    .replace(/^[a-z]+-(svc-)?/, "")
    .replace(/[^A-Za-z0-9_]/g, "_")
    .toLowerCase();
  return `${prefix}_${tail}`;
}

class Builder {
  readonly resources: ExportResource[] = [];
  readonly variables: ExportVariable[] = [];
  readonly warnings: string[] = [];
  /** AWS id -> the Terraform expression that stands for it. */
  private readonly refs = new Map<string, Ref>();

  add(r: Omit<ExportResource, "address" | "notes"> & { notes?: string[] }, refAttr = "id"): ExportResource {
    let name = r.name;
    for (let n = 2; this.resources.some((x) => x.type === r.type && x.mode === r.mode && x.name === name); n++) name = `${r.name}_${n}`;
    const address = `${r.mode === "data" ? "data." : ""}${r.type}.${name}`;
    const full: ExportResource = { ...r, name, address, notes: r.notes ?? [] };
    this.resources.push(full);
    if (!this.refs.has(r.id)) this.refs.set(r.id, ref(`${address}.${refAttr}`));
    return full;
  }

  /** The expression for an AWS id: the exported resource, else a data source made for it (`aws_vpc`, `aws_security_group`...). */
  refTo(id: string, dataType: string, prefix: string, vpcwireType: string): Ref {
    const known = this.refs.get(id);
    if (known) return known;
    this.add({ mode: "data", type: dataType, name: tfName(prefix, id), id, vpcwireType, importId: null, body: [attr("id", id)] });
    return this.refs.get(id)!;
  }

  has(id: string): boolean {
    return this.refs.has(id);
  }

  setRef(id: string, r: Ref): void {
    this.refs.set(id, r);
  }
}

/** Read every resource of the stack by id and turn it into Terraform. */
export async function buildInventory(ctx: Context, summary: StackSummary, region: string | null): Promise<ExportInventory> {
  const b = new Builder();
  const of = (type: string) => summary.resources.filter((r) => r.type === type);

  // Reused VPCs (privatelink lists them) first, so later references find them.
  for (const v of of("VPC")) b.refTo(v.id, "aws_vpc", "vpc", "VPC");

  await exportGateways(ctx, b, of("virtual private gateway"));
  await exportTransitGateways(ctx, b, of("transit gateway"), of("transit gateway VPC attachment"));
  await exportCustomerGateways(ctx, b, of("customer gateway"));
  await exportVpnConnections(ctx, b, of("VPN connection"));
  if (of("transit gateway").length) await exportTgwRoutes(ctx, b, summary, of("VPN connection"));
  await exportVifs(ctx, b, of("virtual interface"));
  for (const g of of("Direct Connect gateway")) {
    b.warnings.push(`Direct Connect gateway ${g.id} is reused by the stack and referred to by its id (no data source is written for it).`);
  }
  await exportPrivatelink(ctx, b, summary);
  await exportSgRules(ctx, b, summary);
  return { stack: summary.stack, kind: summary.kind, region, resources: b.resources, variables: b.variables, warnings: b.warnings };
}

async function exportGateways(ctx: Context, b: Builder, listed: StackSummary["resources"]): Promise<void> {
  if (listed.length === 0) return;
  const { DescribeVpnGatewaysCommand } = await ec2();
  const out = await send(ctx, "ec2", new DescribeVpnGatewaysCommand({ VpnGatewayIds: listed.map((r) => r.id) }));
  for (const r of listed) {
    const g = (out.VpnGateways ?? []).find((x) => x.VpnGatewayId === r.id);
    if (!g) continue;
    if (!r.owned) {
      b.add({ mode: "data", type: "aws_vpn_gateway", name: tfName("vgw", r.id), id: r.id, vpcwireType: r.type, importId: null, body: [attr("id", r.id)] });
      continue;
    }
    const vpcId = attachedVpcOf(g);
    b.add({
      mode: "resource",
      type: "aws_vpn_gateway",
      name: tfName("vgw", r.id),
      id: r.id,
      vpcwireType: r.type,
      importId: r.id,
      notes: vpcId ? ["vpc_id stands for the attachment: the provider cannot import aws_vpn_gateway_attachment."] : [],
      body: [
        ...(g.AmazonSideAsn !== undefined ? [attr("amazon_side_asn", String(g.AmazonSideAsn))] : []),
        ...(vpcId ? [attr("vpc_id", b.refTo(vpcId, "aws_vpc", "vpc", "VPC"))] : []),
        ...tagsAttr(g.Tags),
      ],
    });
    if (!vpcId) continue;
    // Propagation the stack's gateway does: destroy turns it off, so it is the stack's.
    for (const t of await listRouteTables(ctx, vpcId)) {
      if (!t.PropagatingVgws?.some((p) => p.GatewayId === r.id)) continue;
      b.add({
        mode: "resource",
        type: "aws_vpn_gateway_route_propagation",
        name: tfName("propagation", `${t.RouteTableId}`),
        id: `${r.id}_${t.RouteTableId}`,
        vpcwireType: "route propagation",
        importId: null,
        notes: ["The provider cannot import route propagation: terraform apply enables it again on the table (already on, so nothing changes in AWS)."],
        body: [attr("vpn_gateway_id", b.refTo(r.id, "aws_vpn_gateway", "vgw", r.type)), attr("route_table_id", t.RouteTableId!)],
      });
    }
  }
}

/**
 * Transit Gateways: the stack's own as `aws_ec2_transit_gateway`, a reused one as a data source; the
 * VPC attachments the stack created as `aws_ec2_transit_gateway_vpc_attachment`.
 */
async function exportTransitGateways(ctx: Context, b: Builder, gateways: StackSummary["resources"], attachments: StackSummary["resources"]): Promise<void> {
  if (gateways.length === 0 && attachments.length === 0) return;
  const { DescribeTransitGatewaysCommand, DescribeTransitGatewayVpcAttachmentsCommand } = await ec2();
  if (gateways.length) {
    const out = await send(ctx, "ec2", new DescribeTransitGatewaysCommand({ TransitGatewayIds: gateways.map((r) => r.id) }));
    for (const r of gateways) {
      const t = (out.TransitGateways ?? []).find((x) => x.TransitGatewayId === r.id);
      if (!t) continue;
      if (!r.owned) {
        b.refTo(r.id, "aws_ec2_transit_gateway", "tgw", r.type);
        continue;
      }
      const o = t.Options ?? {};
      b.add({
        mode: "resource",
        type: "aws_ec2_transit_gateway",
        name: tfName("tgw", r.id),
        id: r.id,
        vpcwireType: r.type,
        importId: r.id,
        body: [
          ...(t.Description ? [attr("description", t.Description)] : []),
          ...(o.AmazonSideAsn !== undefined ? [attr("amazon_side_asn", Number(o.AmazonSideAsn))] : []),
          ...(o.AutoAcceptSharedAttachments ? [attr("auto_accept_shared_attachments", o.AutoAcceptSharedAttachments)] : []),
          ...(o.DefaultRouteTableAssociation ? [attr("default_route_table_association", o.DefaultRouteTableAssociation)] : []),
          ...(o.DefaultRouteTablePropagation ? [attr("default_route_table_propagation", o.DefaultRouteTablePropagation)] : []),
          ...(o.DnsSupport ? [attr("dns_support", o.DnsSupport)] : []),
          ...(o.VpnEcmpSupport ? [attr("vpn_ecmp_support", o.VpnEcmpSupport)] : []),
          ...tagsAttr(t.Tags),
        ],
      });
    }
  }
  if (attachments.length) {
    const out = await send(ctx, "ec2", new DescribeTransitGatewayVpcAttachmentsCommand({ TransitGatewayAttachmentIds: attachments.map((r) => r.id) }));
    for (const r of attachments) {
      const a = (out.TransitGatewayVpcAttachments ?? []).find((x) => x.TransitGatewayAttachmentId === r.id);
      if (!a) continue;
      b.add({
        mode: "resource",
        type: "aws_ec2_transit_gateway_vpc_attachment",
        name: tfName("tgw_attach", r.id),
        id: r.id,
        vpcwireType: r.type,
        importId: r.id,
        body: [
          attr("transit_gateway_id", b.refTo(a.TransitGatewayId!, "aws_ec2_transit_gateway", "tgw", "transit gateway")),
          attr("vpc_id", b.refTo(a.VpcId!, "aws_vpc", "vpc", "VPC")),
          attr("subnet_ids", [...(a.SubnetIds ?? [])]),
          ...tagsAttr(a.Tags),
        ],
      });
    }
  }
}

/**
 * Routes a VPN stack on a Transit Gateway added: static routes in the gateway's route table
 * (`aws_ec2_transit_gateway_route`, to the connection's attachment) and the VPC routes to the gateway
 * (`aws_route`). Both import as `<table>_<cidr>`.
 */
async function exportTgwRoutes(ctx: Context, b: Builder, summary: StackSummary, connections: StackSummary["resources"]): Promise<void> {
  if (connections.length === 0) return;
  const { DescribeVpnConnectionsCommand } = await ec2();
  const out = await send(ctx, "ec2", new DescribeVpnConnectionsCommand({ VpnConnectionIds: connections.map((r) => r.id) }));
  const parts = await readTgwParts(
    ctx,
    summary.stack,
    summary.kind,
    (out.VpnConnections ?? []).filter((c) => c.State !== "deleted"),
  );
  for (const v of parts.vpn) {
    const rtb = v.attachment?.Association?.TransitGatewayRouteTableId;
    const vpn = b.resources.find((r) => r.mode === "resource" && r.id === v.connection.VpnConnectionId);
    if (!rtb || !vpn) continue;
    for (const route of v.staticRoutes) {
      const cidr = route.DestinationCidrBlock!;
      b.add({
        mode: "resource",
        type: "aws_ec2_transit_gateway_route",
        name: tfName("tgw_route", `${rtb}_${cidr}`),
        id: `${rtb}_${cidr}`,
        vpcwireType: "transit gateway route",
        importId: `${rtb}_${cidr}`,
        body: [
          attr("destination_cidr_block", cidr),
          attr("transit_gateway_attachment_id", ref(`${vpn.address}.transit_gateway_attachment_id`)),
          attr("transit_gateway_route_table_id", rtb),
        ],
      });
    }
  }
  for (const r of parts.vpcRoutes) {
    b.add({
      mode: "resource",
      type: "aws_route",
      name: tfName("route", `${r.routeTableId}_${r.cidr}`),
      id: `${r.routeTableId}_${r.cidr}`,
      vpcwireType: "route",
      importId: `${r.routeTableId}_${r.cidr}`,
      body: [
        attr("route_table_id", r.routeTableId),
        attr("destination_cidr_block", r.cidr),
        attr("transit_gateway_id", b.refTo(r.tgwId, "aws_ec2_transit_gateway", "tgw", "transit gateway")),
      ],
    });
  }
}

async function exportCustomerGateways(ctx: Context, b: Builder, listed: StackSummary["resources"]): Promise<void> {
  if (listed.length === 0) return;
  const { DescribeCustomerGatewaysCommand } = await ec2();
  const out = await send(ctx, "ec2", new DescribeCustomerGatewaysCommand({ CustomerGatewayIds: listed.map((r) => r.id) }));
  for (const r of listed) {
    const g = (out.CustomerGateways ?? []).find((x) => x.CustomerGatewayId === r.id);
    if (!g) continue;
    if (!r.owned) {
      b.add({ mode: "data", type: "aws_customer_gateway", name: tfName("cgw", r.id), id: r.id, vpcwireType: r.type, importId: null, body: [attr("id", r.id)] });
      continue;
    }
    const asn = g.BgpAsn ?? g.BgpAsnExtended;
    b.add({
      mode: "resource",
      type: "aws_customer_gateway",
      name: tfName("cgw", r.id),
      id: r.id,
      vpcwireType: r.type,
      importId: r.id,
      body: [
        ...(asn !== undefined ? [attr("bgp_asn", /^\d+$/.test(String(asn)) ? Number(asn) : String(asn))] : []),
        attr("ip_address", g.IpAddress ?? ""),
        attr("type", g.Type ?? "ipsec.1"),
        ...(g.DeviceName ? [attr("device_name", g.DeviceName)] : []),
        ...tagsAttr(g.Tags),
      ],
    });
  }
}

const values = (list: Array<{ Value?: string | number }> | undefined) =>
  (list ?? []).map((x) => x.Value).filter((v) => v !== undefined) as Array<string | number>;

async function exportVpnConnections(ctx: Context, b: Builder, listed: StackSummary["resources"]): Promise<void> {
  if (listed.length === 0) return;
  const { DescribeVpnConnectionsCommand } = await ec2();
  const out = await send(ctx, "ec2", new DescribeVpnConnectionsCommand({ VpnConnectionIds: listed.map((r) => r.id) }));
  for (const r of listed) {
    const c = (out.VpnConnections ?? []).find((x) => x.VpnConnectionId === r.id);
    if (!c) continue;
    if (!r.owned) {
      b.warnings.push(`VPN connection ${r.id} is not the stack's: not exported.`);
      continue;
    }
    const name = tfName("vpn", r.id);
    const o = c.Options ?? {};
    const body: Item[] = [attr("type", c.Type ?? "ipsec.1")];
    if (c.VpnGatewayId) body.push(attr("vpn_gateway_id", b.refTo(c.VpnGatewayId, "aws_vpn_gateway", "vgw", "virtual private gateway")));
    if (c.TransitGatewayId) body.push(attr("transit_gateway_id", b.refTo(c.TransitGatewayId, "aws_ec2_transit_gateway", "tgw", "transit gateway")));
    if (c.CustomerGatewayId) body.push(attr("customer_gateway_id", b.refTo(c.CustomerGatewayId, "aws_customer_gateway", "cgw", "customer gateway")));
    body.push(attr("static_routes_only", o.StaticRoutesOnly === true));
    if (o.EnableAcceleration) body.push(attr("enable_acceleration", true));
    if (o.LocalIpv4NetworkCidr) body.push(attr("local_ipv4_network_cidr", o.LocalIpv4NetworkCidr));
    if (o.RemoteIpv4NetworkCidr) body.push(attr("remote_ipv4_network_cidr", o.RemoteIpv4NetworkCidr));
    // Keys in Secrets Manager: the provider's preshared_key_storage, and no key variables to fill in.
    const keysInSecret = Boolean(c.PreSharedKeyArn);
    if (keysInSecret) {
      body.push(attr("preshared_key_storage", "SecretsManager"));
      b.warnings.push(
        `VPN connection ${r.id} keeps its pre-shared keys in Secrets Manager (${c.PreSharedKeyArn}): exported with preshared_key_storage = "SecretsManager" and no key variables; ` +
          "it needs a hashicorp/aws provider that knows preshared_key_storage (5.100.0 does).",
      );
    }
    const notes: string[] = keysInSecret ? [`pre-shared keys: Secrets Manager secret ${c.PreSharedKeyArn}`] : [];
    // Tunnels in the order AWS lists them; the comments name each tunnel's outside address to check against `terraform plan`.
    (o.TunnelOptions ?? []).slice(0, 2).forEach((t, i) => {
      const n = `tunnel${i + 1}`;
      const variable = `${name}_${n}_preshared_key`;
      if (!keysInSecret) {
        b.variables.push({
          name: variable,
          description: `Pre-shared key of ${r.id} ${n} (AWS outside address ${t.OutsideIpAddress ?? "unknown"}); read it with: aws ec2 describe-vpn-connections --vpn-connection-ids ${r.id}`,
          sensitive: true,
        });
      }
      notes.push(`${n}: AWS outside address ${t.OutsideIpAddress ?? "unknown"}`);
      body.push(attr(`${n}_inside_cidr`, t.TunnelInsideCidr ?? ""));
      if (!keysInSecret) body.push(attr(`${n}_preshared_key`, ref(`var.${variable}`)));
      const ike = values(t.IkeVersions);
      if (ike.length) body.push(attr(`${n}_ike_versions`, ike));
      const p1e = values(t.Phase1EncryptionAlgorithms);
      if (p1e.length) body.push(attr(`${n}_phase1_encryption_algorithms`, p1e));
      const p1i = values(t.Phase1IntegrityAlgorithms);
      if (p1i.length) body.push(attr(`${n}_phase1_integrity_algorithms`, p1i));
      const p1d = values(t.Phase1DHGroupNumbers);
      if (p1d.length) body.push(attr(`${n}_phase1_dh_group_numbers`, p1d));
      const p2e = values(t.Phase2EncryptionAlgorithms);
      if (p2e.length) body.push(attr(`${n}_phase2_encryption_algorithms`, p2e));
      const p2i = values(t.Phase2IntegrityAlgorithms);
      if (p2i.length) body.push(attr(`${n}_phase2_integrity_algorithms`, p2i));
      const p2d = values(t.Phase2DHGroupNumbers);
      if (p2d.length) body.push(attr(`${n}_phase2_dh_group_numbers`, p2d));
      if (t.Phase1LifetimeSeconds !== undefined) body.push(attr(`${n}_phase1_lifetime_seconds`, t.Phase1LifetimeSeconds));
      if (t.Phase2LifetimeSeconds !== undefined) body.push(attr(`${n}_phase2_lifetime_seconds`, t.Phase2LifetimeSeconds));
      if (t.DpdTimeoutAction) body.push(attr(`${n}_dpd_timeout_action`, t.DpdTimeoutAction));
      if (t.DpdTimeoutSeconds !== undefined) body.push(attr(`${n}_dpd_timeout_seconds`, t.DpdTimeoutSeconds));
      if (t.StartupAction) body.push(attr(`${n}_startup_action`, t.StartupAction));
    });
    body.push(...tagsAttr(c.Tags));
    b.add({ mode: "resource", type: "aws_vpn_connection", name, id: r.id, vpcwireType: r.type, importId: r.id, notes, body });
    if (o.StaticRoutesOnly) {
      for (const route of (c.Routes ?? []).filter((x) => x.State !== "deleted" && x.State !== "deleting")) {
        b.add({
          mode: "resource",
          type: "aws_vpn_connection_route",
          name: tfName(`${name}_route`, route.DestinationCidrBlock ?? ""),
          id: `${r.id}:${route.DestinationCidrBlock}`,
          vpcwireType: "VPN static route",
          importId: null,
          notes: ["The provider documents no import for VPN connection routes: remove this block, or expect apply to report that the route exists."],
          body: [attr("destination_cidr_block", route.DestinationCidrBlock ?? ""), attr("vpn_connection_id", ref(`aws_vpn_connection.${name}.id`))],
        });
      }
    }
  }
}

async function exportVifs(ctx: Context, b: Builder, listed: StackSummary["resources"]): Promise<void> {
  for (const r of listed) {
    const v: VirtualInterface | undefined = await getVif(ctx, r.id);
    if (!v) continue;
    const body: Item[] = [attr("virtual_interface_id", r.id)];
    if (v.virtualGatewayId) body.push(attr("vpn_gateway_id", b.refTo(v.virtualGatewayId, "aws_vpn_gateway", "vgw", "virtual private gateway")));
    else if (v.directConnectGatewayId) body.push(attr("dx_gateway_id", v.directConnectGatewayId));
    const tags = tagMap((v.tags ?? []).map((t) => ({ Key: t.key, Value: t.value })));
    if (Object.keys(tags).length) body.push(attr("tags", tags));
    b.add({
      mode: "resource",
      type: "aws_dx_hosted_private_virtual_interface_accepter",
      name: tfName("vif", r.id),
      id: r.id,
      vpcwireType: r.type,
      importId: r.id,
      notes: ["The interface belongs to the partner: removing this block, or destroying it, does not delete the interface."],
      body,
    });
  }
}

/** The stack's own security-group rules, with their tags (findStackSgRules drops them). */
async function exportSgRules(ctx: Context, b: Builder, summary: StackSummary): Promise<void> {
  const ids = new Set(summary.resources.filter((r) => r.type === "security group rule").map((r) => r.id));
  const owned = new Set(b.resources.filter((r) => r.type === "aws_security_group" && r.mode === "resource").map((r) => r.id));
  const rules = (
    await describeSgRules(ctx, [
      { Name: `tag:${STACK_TAG}`, Values: [summary.stack] },
      { Name: `tag:${KIND_TAG}`, Values: [summary.kind] },
    ])
  ).filter((r) => !r.IsEgress && r.SecurityGroupRuleId && hasStackTags(r.Tags, { stack: summary.stack, kind: summary.kind }));
  for (const r of rules) {
    // Rules listed by discover, and those in the stack's own groups (privatelink lists the group, not its rules).
    if (!ids.has(r.SecurityGroupRuleId!) && !owned.has(r.GroupId ?? "")) continue;
    const protocol = r.IpProtocol ?? "-1";
    const ports = protocol !== "-1" && (r.FromPort ?? -1) !== -1;
    b.add({
      mode: "resource",
      type: "aws_vpc_security_group_ingress_rule",
      name: tfName("rule", r.SecurityGroupRuleId!),
      id: r.SecurityGroupRuleId!,
      vpcwireType: "security group rule",
      importId: r.SecurityGroupRuleId!,
      body: [
        attr("security_group_id", b.refTo(r.GroupId!, "aws_security_group", "sg", "security group")),
        attr("ip_protocol", protocol),
        ...(ports ? [attr("from_port", r.FromPort!), attr("to_port", r.ToPort!)] : []),
        ...(r.CidrIpv4 ? [attr("cidr_ipv4", r.CidrIpv4)] : []),
        ...(r.CidrIpv6 ? [attr("cidr_ipv6", r.CidrIpv6)] : []),
        ...(r.ReferencedGroupInfo?.GroupId ? [attr("referenced_security_group_id", r.ReferencedGroupInfo.GroupId)] : []),
        ...(r.Description ? [attr("description", r.Description)] : []),
        ...tagsAttr(r.Tags),
      ],
    });
  }
}

async function elbTags(ctx: Context, arns: string[]): Promise<Map<string, Tags>> {
  const out = new Map<string, Tags>();
  if (arns.length === 0) return out;
  const { DescribeTagsCommand } = await elb();
  for (let i = 0; i < arns.length; i += 20) {
    const r = await send(ctx, "elbv2", new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) }));
    for (const d of r.TagDescriptions ?? []) out.set(d.ResourceArn!, d.Tags);
  }
  return out;
}

async function exportPrivatelink(ctx: Context, b: Builder, summary: StackSummary): Promise<void> {
  const of = (type: string) => summary.resources.filter((r) => r.type === type && r.owned);
  const lbs = of("network load balancer");
  const tgs = of("target group");
  const groups = of("security group");
  const services = of("endpoint service");
  const endpoints = of("interface endpoint");
  if (lbs.length + tgs.length + groups.length + services.length + endpoints.length === 0) return;
  const m = await elb();
  const e = await ec2();

  // Security groups first: endpoints and rules refer to them.
  if (groups.length) {
    const out = await send(ctx, "ec2", new e.DescribeSecurityGroupsCommand({ GroupIds: groups.map((g) => g.id) }));
    for (const g of out.SecurityGroups ?? []) {
      b.add({
        mode: "resource",
        type: "aws_security_group",
        name: tfName("sg", g.GroupId!),
        id: g.GroupId!,
        vpcwireType: "security group",
        importId: g.GroupId!,
        notes: ["Its ingress rules are the aws_vpc_security_group_ingress_rule resources below (no inline rules, so the two never fight)."],
        body: [
          attr("name", g.GroupName ?? ""),
          attr("description", g.Description ?? ""),
          attr("vpc_id", b.refTo(g.VpcId!, "aws_vpc", "vpc", "VPC")),
          ...tagsAttr(g.Tags),
        ],
      });
    }
  }

  const lbList = lbs.length ? ((await send(ctx, "elbv2", new m.DescribeLoadBalancersCommand({ Names: lbs.map((l) => l.id) }))).LoadBalancers ?? []) : [];
  const tgList = tgs.length ? ((await send(ctx, "elbv2", new m.DescribeTargetGroupsCommand({ Names: tgs.map((t) => t.id) }))).TargetGroups ?? []) : [];
  const listeners = (
    await Promise.all(
      lbList.map(async (lb) => (await send(ctx, "elbv2", new m.DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ?? []),
    )
  ).flat();
  const tags = await elbTags(ctx, [...lbList.map((l) => l.LoadBalancerArn!), ...tgList.map((t) => t.TargetGroupArn!), ...listeners.map((l) => l.ListenerArn!)]);

  for (const lb of lbList) {
    const attrs = (await send(ctx, "elbv2", new m.DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Attributes ?? [];
    const crossZone = attrs.find((a) => a.Key === "load_balancing.cross_zone.enabled")?.Value;
    b.add(
      {
        mode: "resource",
        type: "aws_lb",
        name: tfName("nlb", lb.LoadBalancerName!),
        id: lb.LoadBalancerArn!,
        vpcwireType: "network load balancer",
        importId: lb.LoadBalancerArn!,
        body: [
          attr("name", lb.LoadBalancerName!),
          attr("internal", lb.Scheme === "internal"),
          attr("load_balancer_type", lb.Type ?? "network"),
          ...(lb.IpAddressType ? [attr("ip_address_type", lb.IpAddressType)] : []),
          attr("subnets", (lb.AvailabilityZones ?? []).map((z) => z.SubnetId!).sort()),
          ...(crossZone !== undefined ? [attr("enable_cross_zone_load_balancing", crossZone === "true")] : []),
          ...tagsAttr(tags.get(lb.LoadBalancerArn!)),
        ],
      },
      "arn",
    );
    b.setRef(lb.LoadBalancerName!, ref(`aws_lb.${tfName("nlb", lb.LoadBalancerName!)}.arn`));
  }

  for (const tg of tgList) {
    const hc: Item[] = [
      ...(tg.HealthCheckEnabled !== undefined ? [attr("enabled", tg.HealthCheckEnabled)] : []),
      ...(tg.HealthCheckProtocol ? [attr("protocol", tg.HealthCheckProtocol)] : []),
      ...(tg.HealthCheckPort ? [attr("port", tg.HealthCheckPort)] : []),
      ...(tg.HealthCheckIntervalSeconds !== undefined ? [attr("interval", tg.HealthCheckIntervalSeconds)] : []),
      ...(tg.HealthCheckTimeoutSeconds !== undefined ? [attr("timeout", tg.HealthCheckTimeoutSeconds)] : []),
      ...(tg.HealthyThresholdCount !== undefined ? [attr("healthy_threshold", tg.HealthyThresholdCount)] : []),
      ...(tg.UnhealthyThresholdCount !== undefined ? [attr("unhealthy_threshold", tg.UnhealthyThresholdCount)] : []),
    ];
    b.add(
      {
        mode: "resource",
        type: "aws_lb_target_group",
        name: tfName("tg", tg.TargetGroupName!),
        id: tg.TargetGroupArn!,
        vpcwireType: "target group",
        importId: tg.TargetGroupArn!,
        notes: ["Registered targets are not exported (aws_lb_target_group_attachment): Terraform leaves them as they are."],
        body: [
          attr("name", tg.TargetGroupName!),
          attr("port", tg.Port ?? 0),
          attr("protocol", tg.Protocol ?? "TCP"),
          attr("target_type", tg.TargetType ?? "ip"),
          ...(tg.IpAddressType ? [attr("ip_address_type", tg.IpAddressType)] : []),
          attr("vpc_id", b.refTo(tg.VpcId!, "aws_vpc", "vpc", "VPC")),
          ...(hc.length ? [block("health_check", [], hc)] : []),
          ...tagsAttr(tags.get(tg.TargetGroupArn!)),
        ],
      },
      "arn",
    );
  }

  for (const l of listeners) {
    const lb = lbList.find((x) => x.LoadBalancerArn === l.LoadBalancerArn)!;
    const actions = (l.DefaultActions ?? []).map((a) => {
      const tgArn = a.TargetGroupArn ?? a.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn;
      const known = b.resources.find((r) => r.type === "aws_lb_target_group" && r.id === tgArn);
      return block(
        "default_action",
        [],
        [attr("type", a.Type ?? "forward"), ...(tgArn ? [attr("target_group_arn", known ? ref(`${known.address}.arn`) : tgArn)] : [])],
      );
    });
    b.add(
      {
        mode: "resource",
        type: "aws_lb_listener",
        name: tfName(`listener_${tfName("nlb", lb.LoadBalancerName!).slice(4)}`, String(l.Port)),
        id: l.ListenerArn!,
        vpcwireType: "listener",
        importId: l.ListenerArn!,
        body: [
          attr("load_balancer_arn", ref(`aws_lb.${tfName("nlb", lb.LoadBalancerName!)}.arn`)),
          attr("port", l.Port ?? 0),
          attr("protocol", l.Protocol ?? "TCP"),
          ...actions,
          ...tagsAttr(tags.get(l.ListenerArn!)),
        ],
      },
      "arn",
    );
  }

  if (services.length) {
    const out = await send(ctx, "ec2", new e.DescribeVpcEndpointServiceConfigurationsCommand({ ServiceIds: services.map((s) => s.id) }));
    for (const s of out.ServiceConfigurations ?? []) {
      const perms = await send(ctx, "ec2", new e.DescribeVpcEndpointServicePermissionsCommand({ ServiceId: s.ServiceId }));
      const principals = (perms.AllowedPrincipals ?? [])
        .map((p) => p.Principal!)
        .filter(Boolean)
        .sort();
      b.add(
        {
          mode: "resource",
          type: "aws_vpc_endpoint_service",
          name: tfName("service", s.ServiceId!),
          id: s.ServiceId!,
          vpcwireType: "endpoint service",
          importId: s.ServiceId!,
          body: [
            attr("acceptance_required", s.AcceptanceRequired === true),
            attr(
              "network_load_balancer_arns",
              (s.NetworkLoadBalancerArns ?? []).map((arn) => {
                const known = b.resources.find((r) => r.type === "aws_lb" && r.id === arn);
                return known ? ref(`${known.address}.arn`) : arn;
              }),
            ),
            ...(principals.length ? [attr("allowed_principals", principals)] : []),
            ...tagsAttr(s.Tags),
          ],
        },
        "id",
      );
      if (s.ServiceName) b.setRef(s.ServiceName, ref(`aws_vpc_endpoint_service.${tfName("service", s.ServiceId!)}.service_name`));
    }
  }

  if (endpoints.length) {
    const out = await send(ctx, "ec2", new e.DescribeVpcEndpointsCommand({ VpcEndpointIds: endpoints.map((x) => x.id) }));
    for (const ep of out.VpcEndpoints ?? []) {
      const service = b.has(ep.ServiceName ?? "") ? b.refTo(ep.ServiceName!, "", "", "") : ep.ServiceName!;
      b.add({
        mode: "resource",
        type: "aws_vpc_endpoint",
        name: tfName("endpoint", ep.VpcEndpointId!),
        id: ep.VpcEndpointId!,
        vpcwireType: "interface endpoint",
        importId: ep.VpcEndpointId!,
        notes: ["Its interface addresses (a fixed relay address included) are AWS's: check them in terraform plan before changing subnets."],
        body: [
          attr("vpc_id", b.refTo(ep.VpcId!, "aws_vpc", "vpc", "VPC")),
          attr("service_name", service as Value),
          attr("vpc_endpoint_type", ep.VpcEndpointType ?? "Interface"),
          attr("subnet_ids", [...(ep.SubnetIds ?? [])].sort()),
          attr(
            "security_group_ids",
            (ep.Groups ?? []).map((g) => b.refTo(g.GroupId!, "aws_security_group", "sg", "security group")),
          ),
          attr("private_dns_enabled", ep.PrivateDnsEnabled === true),
          ...tagsAttr(ep.Tags),
        ],
      });
    }
  }
}
