import type { VirtualInterface } from "@aws-sdk/client-direct-connect";
import type { Instance, IpPermission, RouteTable, SecurityGroup, VpnGateway } from "@aws-sdk/client-ec2";
import { isVifGone, listVifs } from "../aws/dx.js";
import { findAttachedVgw } from "../aws/vgw.js";
import { propagationStep } from "../aws/vgw-plan.js";
import { getInstance, getSecurityGroups, listRouteTables, nameOf } from "../aws/vpc.js";
import type { Context } from "../core/context.js";
import type { PlanWhere } from "../core/create-command.js";
import { AwsError, flagError } from "../core/errors.js";
import type { Plan, PlanStep } from "../core/plan.js";
import { cidrContains, parseCidr4 } from "../net/ip.js";
import { instanceOs, interfaceWith, privateIps } from "./aws.js";
import type { FletsInput } from "./inputs.js";

export type OsSource = "flag" | "instance" | "default";

/**
 * What `flets isatap` reads from the account. Nothing is read without `--instance-id` (the files need no
 * AWS account) or with `--offline`: then `instance` is absent and the plan says what was not checked.
 */
export interface FletsFacts {
  instance?: InstanceFacts;
}

/** The instance and the network around the tunnel's local end, as read. */
export interface InstanceFacts {
  instance: Instance;
  /** The tunnel's local IPv4: `--private-ip` (checked to be the instance's), else the instance's primary private IP. */
  privateIp: string;
  vpcId: string;
  /** The subnet of the interface that holds the private IP. */
  subnetId?: string;
  /** The security groups of that interface, in the order EC2 lists them. */
  groups: SecurityGroup[];
  /** The virtual private gateway attached (or attaching) to the VPC. */
  vgw?: VpnGateway;
  /** The VPC's route tables; read only when the gateway is attached. */
  routeTables?: RouteTable[];
  /** The account's Direct Connect VIFs, or the error code when they could not be read (the check is then skipped). */
  vifs: VirtualInterface[] | { error: string };
}

/** The AWS side as the result document reports it (with `--instance-id`, when the instance was read). */
export interface FletsAwsFacts {
  instanceId: string;
  vpcId: string;
  subnetId?: string;
  /** The group that allows (or will allow) IP protocol 41 from the router. */
  securityGroupId?: string;
  vgwId?: string;
  routeTableIds: string[];
  virtualInterfaces: Array<{ id: string; state: string; virtualGatewayId?: string }>;
}

/** Where the tunnel ends and for which OS the files are. */
export interface TunnelEnd {
  privateIp: string;
  os: "linux" | "windows";
  osSource: OsSource;
}

/** IANA keyword and number of IPv6-in-IPv4 encapsulation, which ISATAP uses. */
export const PROTOCOL_41 = "41";
export const PROTOCOL_41_LABEL = "IP protocol 41 (ISATAP)";

/**
 * The stack name: names the plan, the rule descriptions and the protocol 41 rule's vpcwire:stack tag
 * (the one resource flets isatap adds; `vpcwire destroy --stack` revokes it, see lifecycle.ts).
 */
export function fletsStackName(input: Pick<FletsInput, "instanceId" | "privateIp">): string {
  return input.instanceId ? `isatap-${input.instanceId}` : `isatap-${(input.privateIp ?? "unknown").replace(/\./g, "-")}`;
}

// ---------------------------------------------------------------------------------------------
// observe: every read, and the refusals that need the account.

/**
 * All reads of `flets isatap`. Reads only with `--instance-id`; offline nothing is read, so the files
 * need `--private-ip`. Refuses input the account contradicts: a `--private-ip` the instance does not
 * have, an instance outside a VPC, a `--security-group` not on the tunnel's interface.
 */
export async function observeFlets(ctx: Context, input: FletsInput, where: PlanWhere): Promise<FletsFacts> {
  const instanceId = input.instanceId;
  if (!instanceId) return {};
  if (where.offline) {
    if (!input.privateIp) throw flagError("--instance-id", "cannot be read with --offline; give --private-ip (and --os) for an offline preview");
    return {};
  }
  const instance = await getInstance(ctx, instanceId, "--instance-id");
  const privateIp = tunnelIp(input, instance);
  const vpcId = instance.VpcId;
  if (!vpcId) throw flagError("--instance-id", `${instanceId} is not in a VPC`);
  const nic = interfaceWith(instance, privateIp);
  const subnetId = nic?.SubnetId ?? instance.SubnetId;

  // Security groups: those of the interface that holds the tunnel's address see its protocol 41 packets.
  const attachedIds = (nic?.Groups ?? instance.SecurityGroups ?? []).map((g) => g.GroupId!).filter(Boolean);
  if (input.securityGroup && !attachedIds.includes(input.securityGroup)) {
    const [chosen] = await getSecurityGroups(ctx, [input.securityGroup], "--security-group");
    if (chosen!.VpcId !== vpcId) throw flagError("--security-group", `${input.securityGroup} belongs to ${chosen!.VpcId}, not ${vpcId}`);
    throw flagError(
      "--security-group",
      `${input.securityGroup} is not attached to ${instanceId}'s interface with ${privateIp} (it has ${attachedIds.join(", ") || "none"}); a rule there would not reach the instance`,
    );
  }
  const groups = await getSecurityGroups(ctx, attachedIds, "--instance-id");

  // Routing: the router is reached over NTT's Direct Connect VIFs, whose routes arrive by BGP on the VGW.
  const vgw = await findAttachedVgw(ctx, vpcId);
  const attached = vgw?.VpcAttachments?.find((a) => a.VpcId === vpcId)?.State === "attached";
  const routeTables = attached ? await listRouteTables(ctx, vpcId) : undefined;
  const vifs = await readVifs(ctx);
  return {
    instance: {
      instance,
      privateIp,
      vpcId,
      ...(subnetId ? { subnetId } : {}),
      groups,
      ...(vgw ? { vgw } : {}),
      ...(routeTables ? { routeTables } : {}),
      vifs,
    },
  };
}

/** The tunnel's local IPv4 on the instance: `--private-ip` when it is one of the instance's addresses, else its primary private IP. */
export function tunnelIp(input: Pick<FletsInput, "privateIp" | "instanceId">, instance: Instance): string {
  const id = input.instanceId ?? instance.InstanceId;
  const ips = privateIps(instance);
  if (input.privateIp === undefined) {
    const ip = instance.PrivateIpAddress ?? ips[0];
    if (!ip) throw flagError("--instance-id", `${id} has no private IPv4 address; give --private-ip`);
    return ip;
  }
  if (!ips.includes(input.privateIp)) {
    throw flagError("--private-ip", `${input.privateIp} is not an address of ${id} (it has ${ips.join(", ") || "none"})`);
  }
  return input.privateIp;
}

/**
 * The account's VIFs. Only for warnings: a principal allowed to read EC2 but not Direct Connect
 * still gets its plan, with a word about the skipped check.
 */
async function readVifs(ctx: Context): Promise<InstanceFacts["vifs"]> {
  try {
    return await listVifs(ctx);
  } catch (error) {
    if (!(error instanceof AwsError)) throw error;
    return { error: error.details.code };
  }
}

// ---------------------------------------------------------------------------------------------
// decide: pure.

/** Where the tunnel ends and which OS the files are for: from the flags, else from the instance as read. */
export function tunnelEnd(input: FletsInput, facts: FletsFacts): TunnelEnd {
  const read = facts.instance;
  const privateIp = read?.privateIp ?? input.privateIp!;
  if (input.os) return { privateIp, os: input.os, osSource: "flag" };
  if (read) return { privateIp, os: instanceOs(read.instance), osSource: "instance" };
  return { privateIp, os: "linux", osSource: "default" };
}

/** What the AWS side needs, from the input and what was read. Pure; warnings say what vpcwire cannot fix. */
export function decideFlets(input: FletsInput, facts: FletsFacts, where: PlanWhere): Plan {
  const stack = fletsStackName(input);
  const routerCidr = `${input.router}/32`;
  const steps: PlanStep[] = [];
  const warnings: string[] = [];
  const read = facts.instance;

  if (!input.instanceId) {
    warnings.push(
      `The AWS side was not checked (no --instance-id): the instance's security group must allow ${PROTOCOL_41_LABEL} from ${routerCidr}, ` +
        `and its subnet's route table must propagate routes from the virtual private gateway that NTT's Direct Connect VIFs are on. ` +
        `Pass --instance-id to have vpcwire check and fix both.`,
    );
  } else if (!read) {
    // Not read (offline): placeholders for what the instance would have told.
    const sg = input.securityGroup ?? `<first security group of ${input.instanceId}>`;
    steps.push(sgStep(sg, routerCidr, false, `security group ${sg}: allow ${PROTOCOL_41_LABEL} from ${routerCidr} (not checked offline)`), {
      id: "propagation:subnet",
      type: "route-propagation",
      action: "update",
      resource: "route table",
      owned: true,
      summary: `route table of ${input.instanceId}'s subnet: enable propagation from the VPC's virtual private gateway (not checked offline)`,
      params: { routeTableId: "<route table of the instance's subnet>", gatewayId: "<the VPC's virtual private gateway>" },
      dependsOn: [],
    });
    warnings.push(
      `Offline: ${input.instanceId} was not read; the files use --private-ip ${input.privateIp}${input.os ? "" : " and Linux (pass --os windows for Windows)"}.`,
    );
  } else {
    decideAwsSide(input, read, steps, warnings);
  }
  return { schemaVersion: 1, command: "flets isatap", kind: "flets", stack, region: where.region, offline: !read, steps, warnings };
}

function decideAwsSide(input: FletsInput, read: InstanceFacts, steps: PlanStep[], warnings: string[]): void {
  const id = input.instanceId!;
  const routerCidr = `${input.router}/32`;
  const detected = instanceOs(read.instance);
  if (input.os && input.os !== detected) {
    const platform = read.instance.PlatformDetails ?? (detected === "windows" ? "Windows" : "Linux/UNIX");
    warnings.push(`--os ${input.os}, but EC2 reports ${id} as ${platform}; the files are for ${input.os} as asked.`);
  }

  // Security group: SGs see only the outer IPv4 packets, so protocol 41 from the router must be let in.
  const { target, covered } = protocol41Group(input, read);
  if (target) {
    steps.push(
      sgStep(
        target.GroupId!,
        routerCidr,
        covered,
        covered
          ? `security group ${groupLabel(target)}: ${PROTOCOL_41_LABEL} from ${input.router} already allowed`
          : `security group ${groupLabel(target)}: allow ${PROTOCOL_41_LABEL} from ${routerCidr}`,
      ),
    );
  } else {
    warnings.push(`${id} has no security group on the interface with ${read.privateIp}; nothing can reach it.`);
  }

  // Routing: the router is reached over NTT's Direct Connect VIFs, whose routes arrive by BGP on the VGW.
  const { vgw, vpcId, subnetId } = read;
  const vifs = Array.isArray(read.vifs) ? read.vifs : undefined;
  if (!Array.isArray(read.vifs)) warnings.push(`Could not read Direct Connect virtual interfaces (${read.vifs.error}); the VIF check was skipped.`);
  // With the ids the command runs as is; without, `dx accept-vif` asks for them in a terminal.
  const confirmingIds = (vifs ?? []).filter((v) => v.virtualInterfaceState === "confirming").map((v) => v.virtualInterfaceId!);
  const acceptCommand = `vpcwire dx accept-vif ${confirmingIds.length ? `--vif-id ${confirmingIds.join(",")} ` : ""}--vpc-id ${vpcId}`;
  if (!vgw) {
    warnings.push(
      `${vpcId} has no virtual private gateway attached, so the routes to the ISATAP router ${input.router} that NTT announces over ` +
        `Direct Connect cannot reach the VPC. Accept NTT's virtual interfaces onto one (dx accept-vif creates and attaches it): ${acceptCommand}` +
        (confirmingIds.length ? ` (waiting to be accepted: ${confirmingIds.join(", ")})` : ""),
    );
  } else {
    const attachment = vgw.VpcAttachments?.find((a) => a.VpcId === vpcId);
    if (attachment?.State !== "attached") {
      warnings.push(
        `${vgw.VpnGatewayId} is still ${attachment?.State ?? "attaching"} to ${vpcId}; route propagation can be turned on once it is attached: run this command again then.`,
      );
    } else {
      const table = subnetRouteTable(read.routeTables ?? [], subnetId);
      if (table) {
        steps.push(subnetPropagationStep(table, vgw.VpnGatewayId!, subnetId));
        if (!routesTo(table, input.router, vgw.VpnGatewayId!)) {
          warnings.push(
            `${table.RouteTableId} has no route to ${input.router} via ${vgw.VpnGatewayId} yet; it appears once the BGP session on NTT's Direct Connect VIF is up.`,
          );
        }
      } else {
        warnings.push(`No route table of ${vpcId} applies to ${subnetId ?? "the instance's subnet"}; route propagation was not checked.`);
      }
    }
    if (vifs) warnings.push(...vifWarnings(vifs, vgw.VpnGatewayId!, acceptCommand));
  }

  const os = input.os ?? detected;
  if (input.ipip && os === "linux" && read.instance.SourceDestCheck !== false) {
    warnings.push(
      `${id} has its source/destination check on: it must be off for the instance to forward between ${input.ipip.localV4} and ${input.ipip.remoteV4}.`,
    );
  }
  if (!input.os && detected === "windows" && input.linuxOnly?.length) {
    warnings.push(`${input.linuxOnly.join(", ")} ignored: EC2 reports ${id} as Windows (pass --os linux if it is not).`);
  }
}

/** The AWS side for the result document, from what was read; undefined when nothing was. Pure. */
export function awsSummary(input: FletsInput, facts: FletsFacts): FletsAwsFacts | undefined {
  const read = facts.instance;
  if (!read || !input.instanceId) return undefined;
  const { vgw, vpcId, subnetId } = read;
  const attached = vgw?.VpcAttachments?.find((a) => a.VpcId === vpcId)?.State === "attached";
  const table = vgw && attached ? subnetRouteTable(read.routeTables ?? [], subnetId) : undefined;
  const target = protocol41Group(input, read).target;
  const vifs = Array.isArray(read.vifs) ? read.vifs : [];
  return {
    instanceId: input.instanceId,
    vpcId,
    ...(subnetId ? { subnetId } : {}),
    ...(target ? { securityGroupId: target.GroupId! } : {}),
    ...(vgw ? { vgwId: vgw.VpnGatewayId! } : {}),
    routeTableIds: table ? [table.RouteTableId!] : [],
    virtualInterfaces: vifs
      .filter((v) => v.virtualInterfaceState === "confirming" || (vgw && v.virtualGatewayId === vgw.VpnGatewayId))
      .map((v) => ({
        id: v.virtualInterfaceId!,
        state: v.virtualInterfaceState ?? "unknown",
        ...(v.virtualGatewayId ? { virtualGatewayId: v.virtualGatewayId } : {}),
      })),
  };
}

/** The group that gets (or already has) the protocol 41 rule: one that covers it, else `--security-group`, else the first. */
function protocol41Group(input: FletsInput, read: InstanceFacts): { target?: SecurityGroup; covered: boolean } {
  const covering = read.groups.find((g) => allowsProtocol41(g.IpPermissions, input.router));
  const target = covering ?? read.groups.find((g) => g.GroupId === input.securityGroup) ?? read.groups[0];
  return { ...(target ? { target } : {}), covered: Boolean(covering) };
}

function sgStep(groupId: string, cidr: string, has: boolean, summary: string): PlanStep {
  return {
    id: `sg:${groupId}:${PROTOCOL_41}:${cidr}`,
    type: "sg-rule",
    action: has ? "no-op" : "update",
    resource: "security group",
    resourceId: `${groupId}/${PROTOCOL_41}/${cidr}`,
    owned: !has,
    summary,
    // Rule descriptions allow only a-zA-Z0-9, spaces and ._-:/()#,@[]+=;{}!$* (no apostrophe).
    params: { groupId, protocol: PROTOCOL_41, fromPort: -1, toPort: -1, cidr, label: PROTOCOL_41_LABEL },
    dependsOn: [],
  };
}

function subnetPropagationStep(table: RouteTable, vgwId: string, subnetId: string | undefined): PlanStep {
  const id = table.RouteTableId!;
  const on = Boolean(table.PropagatingVgws?.some((p) => p.GatewayId === vgwId));
  const main = table.Associations?.some((a) => a.Main) ?? false;
  const explicit = table.Associations?.some((a) => a.SubnetId === subnetId) ?? false;
  const what = `${id}${nameOf(table.Tags) ? ` (${nameOf(table.Tags)})` : ""}${main ? " [main]" : ""}${subnetId ? `, used by ${subnetId}${explicit ? "" : " (main table)"}` : ""}`;
  return propagationStep(id, on, { vgwLabel: vgwId, dependsOn: [], what, gatewayId: vgwId });
}

/** The table a subnet uses: its explicit association, else the VPC's main table. */
export function subnetRouteTable(tables: RouteTable[], subnetId: string | undefined): RouteTable | undefined {
  return (
    (subnetId ? tables.find((t) => t.Associations?.some((a) => a.SubnetId === subnetId)) : undefined) ?? tables.find((t) => t.Associations?.some((a) => a.Main))
  );
}

/** Whether the table has a usable route to `ip` through the gateway (propagated over BGP, or static). */
export function routesTo(table: RouteTable, ip: string, vgwId: string): boolean {
  return (table.Routes ?? []).some((r) => {
    if (r.GatewayId !== vgwId || !r.DestinationCidrBlock || r.State === "blackhole") return false;
    const cidr = parseCidr4(r.DestinationCidrBlock);
    return typeof cidr !== "string" && cidrContains(cidr, ip);
  });
}

/** Whether a group's rules already let protocol 41 (or everything) in from the router. */
export function allowsProtocol41(permissions: IpPermission[] | undefined, router: string): boolean {
  return (permissions ?? []).some((p) => {
    const protocol = String(p.IpProtocol ?? "").toLowerCase();
    if (protocol !== PROTOCOL_41 && protocol !== "ipv6" && protocol !== "-1") return false;
    return (p.IpRanges ?? []).some((r) => {
      const cidr = r.CidrIp ? parseCidr4(r.CidrIp) : "none";
      return typeof cidr !== "string" && cidrContains(cidr, router);
    });
  });
}

function groupLabel(g: SecurityGroup): string {
  return g.GroupName ? `${g.GroupId} (${g.GroupName})` : g.GroupId!;
}

function vifWarnings(vifs: VirtualInterface[], vgwId: string, acceptCommand: string): string[] {
  const list: string[] = [];
  const onVgw = vifs.filter((v) => v.virtualGatewayId === vgwId && !isVifGone(v));
  const confirming = vifs.filter((v) => v.virtualInterfaceState === "confirming");
  const ids = (vs: VirtualInterface[]) => vs.map((v) => v.virtualInterfaceId).join(", ");
  if (confirming.length) {
    list.push(
      `Direct Connect virtual interface${confirming.length > 1 ? "s" : ""} ${ids(confirming)} ${confirming.length > 1 ? "are" : "is"} waiting to be accepted; ` +
        `accept ${confirming.length > 1 ? "them" : "it"} onto ${vgwId}: ${acceptCommand}`,
    );
  } else if (onVgw.length === 0) {
    list.push(
      `No Direct Connect virtual interface is on ${vgwId}: NTT East hands its VIFs over as hosted VIFs; once they appear, accept them: ${acceptCommand}`,
    );
  }
  const notUp = onVgw.filter((v) => v.virtualInterfaceState !== "available");
  if (onVgw.length > 0 && notUp.length === onVgw.length) {
    list.push(
      `No virtual interface on ${vgwId} is available yet (${notUp.map((v) => `${v.virtualInterfaceId} ${v.virtualInterfaceState ?? "unknown"}`).join(", ")}); ` +
        `routes to the ISATAP router arrive once BGP is up.`,
    );
  }
  return list;
}
