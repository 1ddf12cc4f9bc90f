import type { SecurityGroup, VpnConnection } from "@aws-sdk/client-ec2";
import { sgRuleParams } from "../aws/sg-rules.js";
import { hasStackTags, STACK_TAG, tagValue } from "../aws/tags.js";
import { planVgwSteps, propagationSteps } from "../aws/vgw-plan.js";
import { getSecurityGroup, getVpc } from "../aws/vpc.js";
import type { Context } from "../core/context.js";
import { flagError } from "../core/errors.js";
import type { Plan, PlanStep } from "../core/plan.js";
import { permissionCovers } from "../net/allow.js";
import { findCustomerGateway, findVpnConnections } from "./aws.js";
import { assertNoOverlap, type VpnInput } from "./inputs.js";

/** What planning learned about the account, needed again to render the config. */
export interface VpnFacts {
  vpcCidrs: string[];
  /** The Amazon-side ASN in effect (a reused VGW keeps its own). */
  amazonAsn: number;
}

export interface VpnPlan {
  plan: Plan;
  facts: VpnFacts;
}

const PLACEHOLDER = { cgw: "<new-cgw-id>", vpn: "<new-vpn-id>" };

/**
 * Read the account and decide, step by step, what to create, reuse or update. Never writes.
 * With `ctx.config.offline` nothing is read: every resource is planned as new, with placeholders.
 */
export async function planVpn(ctx: Context, input: VpnInput, region: string | null): Promise<VpnPlan> {
  const steps: PlanStep[] = [];
  const warnings: string[] = [];
  const offline = ctx.config.offline;
  const owned = (tags: Array<{ Key?: string; Value?: string }> | undefined) => tagValue(tags, STACK_TAG) === input.stack;

  // VPC
  let vpcCidrs = input.vpcCidrs;
  if (!offline) {
    const { cidrs } = await getVpc(ctx, input.vpcId);
    vpcCidrs = cidrs;
    assertNoOverlap(input.onpremCidrs, cidrs, input.vpcId);
    if (input.vpcCidrs.length && input.vpcCidrs.join() !== cidrs.join()) {
      warnings.push(`--vpc-cidr ${input.vpcCidrs.join(",")} differs from the VPC's CIDRs ${cidrs.join(",")}; using the VPC's.`);
    }
  } else if (vpcCidrs.length === 0) {
    warnings.push("Offline: the VPC's CIDR is unknown; the config preview uses <VPC-CIDR> (pass --vpc-cidr to fill it in).");
  }

  // Virtual private gateway and its attachment: a VPC can have only one, so one already attached is reused.
  const gateway = await planVgwSteps(ctx, {
    stack: input.stack,
    vpcId: input.vpcId,
    ...(input.vgwId ? { vgwId: input.vgwId } : {}),
    amazonAsn: input.amazonAsn,
  });
  const { vgw, amazonAsn, vgwLabel } = gateway;
  warnings.push(...gateway.warnings);
  steps.push(...gateway.steps.filter((s) => s.id === "vgw"));
  if (input.routing === "bgp" && amazonAsn === input.cgwAsn) {
    throw flagError("--cgw-asn", `BGP needs different ASNs on each side; the gateway's Amazon side ASN is also ${amazonAsn}`);
  }
  steps.push(...gateway.steps.filter((s) => s.id === "attach"));

  // Customer gateway: same IP and ASN means the same router; reuse it.
  const cgw = offline ? undefined : await findCustomerGateway(ctx, input.cgwIp, input.cgwAsn);
  steps.push(
    cgw
      ? {
          id: "cgw",
          type: "customer-gateway",
          action: "reuse",
          resource: "customer gateway",
          resourceId: cgw.CustomerGatewayId!,
          owned: owned(cgw.Tags),
          summary: `customer gateway ${cgw.CustomerGatewayId} (${input.cgwIp}, ASN ${input.cgwAsn})`,
          params: { ip: input.cgwIp, asn: input.cgwAsn, state: cgw.State },
          dependsOn: [],
        }
      : {
          id: "cgw",
          type: "customer-gateway",
          action: "create",
          resource: "customer gateway",
          owned: true,
          summary: `customer gateway ${PLACEHOLDER.cgw} for ${input.cgwIp}, ASN ${input.cgwAsn}`,
          params: { ip: input.cgwIp, asn: input.cgwAsn },
          dependsOn: [],
        },
  );

  // VPN connection: one from an earlier run of this stack, or one already joining the same gateways.
  let vpn: VpnConnection | undefined;
  if (!offline) {
    // The tag filter goes to AWS, but an emulator may ignore Filters: reuse only what carries our tags.
    const byStack = await findVpnConnections(ctx, [{ Name: `tag:${STACK_TAG}`, Values: [input.stack] }]);
    vpn = byStack.find((c) => hasStackTags(c.Tags, { stack: input.stack, kind: "vpn" }));
    if (!vpn && vgw && cgw) {
      const same = await findVpnConnections(ctx, [
        { Name: "vpn-gateway-id", Values: [vgw.VpnGatewayId!] },
        { Name: "customer-gateway-id", Values: [cgw.CustomerGatewayId!] },
      ]);
      vpn = same[0];
    }
    // Some emulators return no Options at all: then there is nothing to compare.
    if (vpn && vpn.Options?.StaticRoutesOnly !== undefined) {
      const staticOnly = vpn.Options.StaticRoutesOnly === true;
      if (staticOnly !== (input.routing === "static")) {
        throw flagError(
          "--routing",
          `the existing VPN connection ${vpn.VpnConnectionId} uses ${staticOnly ? "static" : "BGP"} routing; routing cannot be changed on an existing connection`,
        );
      }
    } else if (!vpn && vgw) {
      await assertInsideCidrsFree(ctx, vgw.VpnGatewayId!, input);
    }
  }
  const tunnelParams = {
    routing: input.routing,
    tunnel1InsideCidr: input.tunnelInsideCidrs[0] ?? "(chosen by AWS)",
    tunnel2InsideCidr: input.tunnelInsideCidrs[1] ?? "(chosen by AWS)",
    presharedKeys: input.psks.some(Boolean) ? "given (hidden)" : "generated by AWS",
    ...(input.ikeVersion ? { ikeVersion: input.ikeVersion } : {}),
  };
  steps.push(
    vpn
      ? {
          id: "vpn",
          type: "vpn-connection",
          action: "reuse",
          resource: "VPN connection",
          resourceId: vpn.VpnConnectionId!,
          owned: owned(vpn.Tags),
          summary: `VPN connection ${vpn.VpnConnectionId} (${vpn.State}${vpn.State === "pending" ? ": wait until available" : ""})`,
          params: { ...tunnelParams, state: vpn.State },
          dependsOn: ["vgw", "cgw"],
        }
      : {
          id: "vpn",
          type: "vpn-connection",
          action: "create",
          resource: "VPN connection",
          owned: true,
          summary: `VPN connection ${PLACEHOLDER.vpn} (${input.routing === "static" ? "static routes" : "BGP"}, two tunnels; wait until available)`,
          params: tunnelParams,
          dependsOn: ["vgw", "cgw"],
        },
  );

  // Static routes, one per on-prem prefix.
  if (input.routing === "static") {
    const existing = new Set((vpn?.Routes ?? []).filter((r) => r.State !== "deleted" && r.State !== "deleting").map((r) => r.DestinationCidrBlock));
    for (const cidr of input.onpremCidrs) {
      const has = existing.has(cidr);
      steps.push({
        id: `route:${cidr}`,
        type: "vpn-route",
        action: has ? "no-op" : "create",
        resource: "VPN static route",
        ...(has ? { resourceId: `${vpn!.VpnConnectionId}/${cidr}` } : {}),
        owned: true,
        summary: has ? `static route ${cidr} on the VPN connection (already there)` : `static route ${cidr} on the VPN connection`,
        params: { cidr },
        dependsOn: ["vpn"],
      });
    }
  }

  // Route propagation.
  steps.push(...(await propagationSteps(ctx, { vpcId: input.vpcId, routeTables: input.routeTables, vgwId: vgw?.VpnGatewayId, vgwLabel })));

  // Security group rules for the on-prem ranges.
  if (input.securityGroup) {
    const sg: SecurityGroup | undefined = offline ? undefined : await getSecurityGroup(ctx, input.securityGroup, input.vpcId);
    for (const rule of input.allow) {
      for (const cidr of input.onpremCidrs) {
        const has = sg?.IpPermissions?.some((p) => permissionCovers(p, rule, cidr)) ?? false;
        steps.push({
          id: `sg:${input.securityGroup}:${rule.label}:${cidr}`,
          type: "sg-rule",
          action: has ? "no-op" : "update",
          resource: "security group",
          resourceId: `${input.securityGroup}/${rule.label}/${cidr}`,
          owned: !has,
          summary: `security group ${input.securityGroup}: allow ${rule.label} from ${cidr}${has ? " (already allowed)" : ""}`,
          params: sgRuleParams(input.securityGroup, rule, cidr),
          dependsOn: [],
        });
      }
    }
  }

  return {
    plan: { schemaVersion: 1, command: "vpn create", kind: "vpn", stack: input.stack, region, offline, steps, warnings },
    facts: { vpcCidrs, amazonAsn },
  };
}

/** Inside CIDRs must be unique across the VPN connections of one VGW: check before AWS refuses. */
async function assertInsideCidrsFree(ctx: Context, vgwId: string, input: VpnInput): Promise<void> {
  const wanted = input.tunnelInsideCidrs.filter((c): c is string => Boolean(c));
  if (wanted.length === 0) return;
  const others = await findVpnConnections(ctx, [{ Name: "vpn-gateway-id", Values: [vgwId] }]);
  for (const other of others) {
    for (const t of other.Options?.TunnelOptions ?? []) {
      const i = wanted.indexOf(t.TunnelInsideCidr ?? "");
      if (i >= 0) {
        throw flagError(
          `--tunnel${input.tunnelInsideCidrs.indexOf(wanted[i]) + 1}-inside-cidr`,
          `${wanted[i]} is already used by ${other.VpnConnectionId} on ${vgwId}; inside CIDRs must be unique per gateway`,
        );
      }
    }
  }
}
