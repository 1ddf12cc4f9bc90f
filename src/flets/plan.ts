import type { VirtualInterface } from "@aws-sdk/client-direct-connect";
import type { Instance, IpPermission, RouteTable, SecurityGroup } from "@aws-sdk/client-ec2";
import { isVifGone, listVifs } from "../aws/dx.js";
import { findAttachedVgw } from "../aws/vgw.js";
import { propagationStep } from "../aws/vgw-plan.js";
import { getInstance, getSecurityGroups, listRouteTables, nameOf } from "../aws/vpc.js";
import type { Context } from "../core/context.js";
import { AwsError, flagError } from "../core/errors.js";
import type { Plan, PlanStep } from "../core/plan.js";
import { cidrContains, parseCidr4 } from "../net/ip.js";
import { instanceOs, interfaceWith, privateIps } from "./aws.js";
import type { FletsInput } from "./inputs.js";

/** Flags of `flets isatap` that only concern the AWS side (not part of the rendered files). */
export interface FletsAwsOptions {
  /** The group to add the protocol 41 rule to (default: the first group of the tunnel's interface). */
  securityGroup?: string;
}

export type OsSource = "flag" | "instance" | "default";

/** What planning learned, needed again to render the files and the result document. */
export interface FletsFacts {
  /** The tunnel's local IPv4: `--private-ip`, else the instance's primary private IP. */
  privateIp: string;
  os: "linux" | "windows";
  osSource: OsSource;
  /** The AWS side, when the instance was read. */
  aws?: FletsAwsFacts;
}

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

export interface FletsPlan {
  plan: Plan;
  facts: FletsFacts;
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

/**
 * Decide what the AWS side needs. Reads the account only with `--instance-id` and without --offline;
 * with `--private-ip` alone nothing is read and the plan has no step (the files need no AWS account).
 */
export async function planFlets(ctx: Context, input: FletsInput, opts: FletsAwsOptions, region: string | null): Promise<FletsPlan> {
  const stack = fletsStackName(input);
  const warnings: string[] = [];
  const steps: PlanStep[] = [];
  const routerCidr = `${input.router}/32`;
  const plan = (offline: boolean): Plan => ({ schemaVersion: 1, command: "flets isatap", kind: "flets", stack, region, offline, steps, warnings });

  if (!input.instanceId) {
    warnings.push(
      `The AWS side was not checked (no --instance-id): the instance's security group must allow ${PROTOCOL_41_LABEL} from ${routerCidr}, ` +
        `and its subnet's route table must propagate routes from the virtual private gateway that NTT's Direct Connect VIFs are on. ` +
        `Pass --instance-id to have vpcwire check and fix both.`,
    );
    return { plan: plan(true), facts: { privateIp: input.privateIp!, ...osFromFlags(input) } };
  }

  if (ctx.config.offline) {
    // The instance cannot be read offline: --private-ip is required (checked with the flags), placeholders for the rest.
    const sg = opts.securityGroup ?? `<first security group of ${input.instanceId}>`;
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
    return { plan: plan(true), facts: { privateIp: input.privateIp!, ...osFromFlags(input) } };
  }

  const instance = await getInstance(ctx, input.instanceId, "--instance-id");
  const facts = instanceFacts(input, instance, warnings);
  const vpcId = instance.VpcId;
  if (!vpcId) throw flagError("--instance-id", `${input.instanceId} is not in a VPC`);
  const nic = interfaceWith(instance, facts.privateIp);
  const subnetId = nic?.SubnetId ?? instance.SubnetId;
  const aws: FletsAwsFacts = { instanceId: input.instanceId, vpcId, ...(subnetId ? { subnetId } : {}), routeTableIds: [], virtualInterfaces: [] };
  facts.aws = aws;

  // Security group: SGs see only the outer IPv4 packets, so protocol 41 from the router must be let in.
  const attachedIds = (nic?.Groups ?? instance.SecurityGroups ?? []).map((g) => g.GroupId!).filter(Boolean);
  if (opts.securityGroup && !attachedIds.includes(opts.securityGroup)) {
    const [chosen] = await getSecurityGroups(ctx, [opts.securityGroup], "--security-group");
    if (chosen!.VpcId !== vpcId) throw flagError("--security-group", `${opts.securityGroup} belongs to ${chosen!.VpcId}, not ${vpcId}`);
    throw flagError(
      "--security-group",
      `${opts.securityGroup} is not attached to ${input.instanceId}'s interface with ${facts.privateIp} (it has ${attachedIds.join(", ") || "none"}); a rule there would not reach the instance`,
    );
  }
  const attached = await getSecurityGroups(ctx, attachedIds, "--instance-id");
  const covering = attached.find((g) => allowsProtocol41(g.IpPermissions, input.router));
  const target = covering ?? attached.find((g) => g.GroupId === opts.securityGroup) ?? attached[0];
  if (target) {
    const has = Boolean(covering);
    aws.securityGroupId = target.GroupId!;
    steps.push(
      sgStep(
        target.GroupId!,
        routerCidr,
        has,
        has
          ? `security group ${groupLabel(target)}: ${PROTOCOL_41_LABEL} from ${input.router} already allowed`
          : `security group ${groupLabel(target)}: allow ${PROTOCOL_41_LABEL} from ${routerCidr}`,
      ),
    );
  } else {
    warnings.push(`${input.instanceId} has no security group on the interface with ${facts.privateIp}; nothing can reach it.`);
  }

  // Routing: the router is reached over NTT's Direct Connect VIFs, whose routes arrive by BGP on the VGW.
  const vgw = await findAttachedVgw(ctx, vpcId);
  const attachment = vgw?.VpcAttachments?.find((a) => a.VpcId === vpcId);
  const vifs = await readVifs(ctx, warnings);
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
    aws.vgwId = vgw.VpnGatewayId!;
    if (attachment?.State !== "attached") {
      warnings.push(
        `${vgw.VpnGatewayId} is still ${attachment?.State ?? "attaching"} to ${vpcId}; route propagation can be turned on once it is attached: run this command again then.`,
      );
    } else {
      const table = subnetRouteTable(await listRouteTables(ctx, vpcId), subnetId);
      if (table) {
        aws.routeTableIds.push(table.RouteTableId!);
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
  aws.virtualInterfaces = (vifs ?? [])
    .filter((v) => v.virtualInterfaceState === "confirming" || (vgw && v.virtualGatewayId === vgw.VpnGatewayId))
    .map((v) => ({
      id: v.virtualInterfaceId!,
      state: v.virtualInterfaceState ?? "unknown",
      ...(v.virtualGatewayId ? { virtualGatewayId: v.virtualGatewayId } : {}),
    }));

  if (input.ipip && facts.os === "linux" && instance.SourceDestCheck !== false) {
    warnings.push(
      `${input.instanceId} has its source/destination check on: it must be off for the instance to forward between ${input.ipip.localV4} and ${input.ipip.remoteV4}.`,
    );
  }
  return { plan: plan(false), facts };
}

function osFromFlags(input: FletsInput): { os: "linux" | "windows"; osSource: OsSource } {
  return input.os ? { os: input.os, osSource: "flag" } : { os: "linux", osSource: "default" };
}

/** The private IP and OS from the instance, checked against the flags. */
function instanceFacts(input: FletsInput, instance: Instance, warnings: string[]): FletsFacts {
  const id = input.instanceId!;
  const ips = privateIps(instance);
  let privateIp = input.privateIp;
  if (privateIp === undefined) {
    privateIp = instance.PrivateIpAddress ?? ips[0];
    if (!privateIp) throw flagError("--instance-id", `${id} has no private IPv4 address; give --private-ip`);
  } else if (!ips.includes(privateIp)) {
    throw flagError("--private-ip", `${privateIp} is not an address of ${id} (it has ${ips.join(", ") || "none"})`);
  }
  const detected = instanceOs(instance);
  const platform = instance.PlatformDetails ?? (detected === "windows" ? "Windows" : "Linux/UNIX");
  if (input.os && input.os !== detected) {
    warnings.push(`--os ${input.os}, but EC2 reports ${id} as ${platform}; the files are for ${input.os} as asked.`);
  }
  return { privateIp, os: input.os ?? detected, osSource: input.os ? "flag" : "instance" };
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

/**
 * The account's VIFs. Only for warnings: a principal allowed to read EC2 but not Direct Connect
 * still gets its plan, with a word about the skipped check.
 */
async function readVifs(ctx: Context, warnings: string[]): Promise<VirtualInterface[] | undefined> {
  try {
    return await listVifs(ctx);
  } catch (error) {
    if (!(error instanceof AwsError)) throw error;
    warnings.push(`Could not read Direct Connect virtual interfaces (${error.details.code}); the VIF check was skipped.`);
    return undefined;
  }
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
