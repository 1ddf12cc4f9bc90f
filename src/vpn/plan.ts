import type { CustomerGateway, RouteTable, SecurityGroup, VpnConnection } from "@aws-sdk/client-ec2";
import { sgRuleParams } from "../aws/sg-rules.js";
import { hasStackTags, STACK_TAG, tagValue } from "../aws/tags.js";
import {
  decideTgwSteps,
  decideTgwVpcRouteSteps,
  decideTgwVpnSteps,
  observeTgw,
  observeTgwVpn,
  type TgwFacts,
  type TgwPlanInput,
  type TgwVpnFacts,
} from "../aws/tgw-plan.js";
import { decidePropagationSteps, decideVgwSteps, observeRouteTables, observeVgw, type VgwFacts } from "../aws/vgw-plan.js";
import { getSecurityGroup, getVpc } from "../aws/vpc.js";
import type { StepResults } from "../core/apply.js";
import type { Context } from "../core/context.js";
import type { PlanWhere } from "../core/create-command.js";
import { flagError } from "../core/errors.js";
import type { Plan, PlanStep } from "../core/plan.js";
import { permissionCovers } from "../net/allow.js";
import {
  type CryptoDevice,
  cryptoDifferences,
  cryptoFromTunnelOption,
  describeCrypto,
  describeRefusals,
  plainCrypto,
  refusedBy,
  type TunnelCrypto,
} from "../net/crypto.js";
import { findCustomerGateway, findVpnConnections } from "./aws.js";
import { assertNoOverlap, containedVpcNotes, type VpnInput } from "./inputs.js";
import { describeKeyStorage, pskStorageOf } from "./psk-storage.js";

/** What `vpn create` reads from the account. Offline: nothing is read and every field says so. */
export interface VpnFacts {
  /** The VPC's CIDRs as read; offline, `--vpc-cidr` (possibly empty). */
  vpcCidrs: string[];
  /** False offline: nothing below was read, ids are placeholders. */
  read: boolean;
  gateway: VgwFacts;
  /** With `--transit-gateway*`: the gateway, the VPC's attachment and subnets (instead of `gateway`). */
  tgw?: TgwFacts;
  /** With a Transit Gateway and an existing connection: its VPN attachment and static routes. */
  tgwVpn?: TgwVpnFacts;
  /** A customer gateway with the router's IP and ASN. */
  cgw?: CustomerGateway;
  /** The stack's VPN connection, or one already joining the same gateways. */
  vpn?: VpnConnection;
  /** Other connections on the gateway that already use an inside CIDR this run asks for. */
  insideCidrClash?: { cidr: string; tunnel: 1 | 2; vpnConnectionId: string; vgwId: string };
  routeTables: RouteTable[] | undefined;
  securityGroup?: SecurityGroup;
}

const PLACEHOLDER = { cgw: "<new-cgw-id>", vpn: "<new-vpn-id>" };

/** All reads of `vpn create`. Refuses input the account contradicts (an on-prem range inside the VPC). */
export async function observeVpn(ctx: Context, input: VpnInput, where: PlanWhere): Promise<VpnFacts> {
  const gatewayInput = { stack: input.stack, vpcId: input.vpcId, ...(input.vgwId ? { vgwId: input.vgwId } : {}), amazonAsn: input.amazonAsn };
  const tgwInput = tgwPlanInput(input);
  if (where.offline) {
    return {
      vpcCidrs: input.vpcCidrs,
      read: false,
      gateway: tgwInput ? { read: false } : await observeVgw(ctx, gatewayInput),
      ...(tgwInput ? { tgw: await observeTgw(ctx, tgwInput) } : {}),
      routeTables: undefined,
    };
  }
  const { cidrs: vpcCidrs } = await getVpc(ctx, input.vpcId);
  assertNoOverlap(input.onpremCidrs, vpcCidrs, input.vpcId);
  const [gateway, tgw, cgw, routeTables, securityGroup] = await Promise.all([
    tgwInput ? ({ read: true } as VgwFacts) : observeVgw(ctx, gatewayInput),
    tgwInput ? observeTgw(ctx, tgwInput) : undefined,
    findCustomerGateway(ctx, input.cgwIp, input.cgwAsn),
    observeRouteTables(ctx, input.vpcId, input.routeTables),
    input.securityGroup ? getSecurityGroup(ctx, input.securityGroup, input.vpcId) : undefined,
  ]);
  const vgwId = gateway.vgw?.VpnGatewayId;
  const tgwId = tgw?.tgw?.TransitGatewayId;
  // The tag filter goes to AWS, but an emulator may ignore Filters: reuse only what carries our tags.
  const byStack = await findVpnConnections(ctx, [{ Name: `tag:${STACK_TAG}`, Values: [input.stack] }]);
  let vpn = byStack.find((c) => hasStackTags(c.Tags, { stack: input.stack, kind: "vpn" }));
  if (!vpn && (vgwId || tgwId) && cgw) {
    const same = await findVpnConnections(ctx, [
      vgwId ? { Name: "vpn-gateway-id", Values: [vgwId] } : { Name: "transit-gateway-id", Values: [tgwId!] },
      { Name: "customer-gateway-id", Values: [cgw.CustomerGatewayId!] },
    ]);
    vpn = same[0];
  }
  // Inside CIDRs must be unique per VGW; a Transit Gateway does not enforce it.
  const insideCidrClash = !vpn && vgwId ? await findInsideCidrClash(ctx, vgwId, input) : undefined;
  const tgwVpn = tgwInput ? await observeTgwVpn(ctx, vpn?.TransitGatewayId ? vpn.VpnConnectionId : undefined) : undefined;
  return {
    vpcCidrs,
    read: true,
    gateway,
    ...(tgw ? { tgw } : {}),
    ...(tgwVpn ? { tgwVpn } : {}),
    ...(cgw ? { cgw } : {}),
    ...(vpn ? { vpn } : {}),
    ...(insideCidrClash ? { insideCidrClash } : {}),
    routeTables,
    ...(securityGroup ? { securityGroup } : {}),
  };
}

/** The Transit Gateway question of a run, or undefined for a virtual private gateway. */
export function tgwPlanInput(input: VpnInput): TgwPlanInput | undefined {
  if (!input.tgw) return undefined;
  return {
    stack: input.stack,
    vpcId: input.vpcId,
    tgwId: input.tgw.id,
    asn: input.tgw.asn,
    ...(input.tgw.subnets ? { subnets: input.tgw.subnets } : {}),
  };
}

/** The Amazon-side ASN in effect: a reused gateway (VGW or TGW) keeps its own. */
export function amazonAsnOf(input: VpnInput, facts: VpnFacts): number {
  if (input.tgw) {
    const asn = facts.tgw?.tgw?.Options?.AmazonSideAsn;
    return asn !== undefined ? Number(asn) : input.tgw.asn;
  }
  return facts.gateway.vgw?.AmazonSideAsn ?? input.amazonAsn;
}

/** What to create, reuse or update, from the input and what was read. Pure. */
export function decideVpn(input: VpnInput, facts: VpnFacts, where: PlanWhere): Plan {
  const steps: PlanStep[] = [];
  const warnings: string[] = [];
  const owned = (tags: Array<{ Key?: string; Value?: string }> | undefined) => tagValue(tags, STACK_TAG) === input.stack;

  // VPC
  if (facts.read && input.vpcCidrs.length && input.vpcCidrs.join() !== facts.vpcCidrs.join()) {
    warnings.push(`--vpc-cidr ${input.vpcCidrs.join(",")} differs from the VPC's CIDRs ${facts.vpcCidrs.join(",")}; using the VPC's.`);
  }
  if (!facts.read && facts.vpcCidrs.length === 0) {
    warnings.push("Offline: the VPC's CIDR is unknown; the config preview uses <VPC-CIDR> (pass --vpc-cidr to fill it in).");
  }
  warnings.push(...containedVpcNotes(input.onpremCidrs, facts.vpcCidrs));

  // The gateway: a virtual private gateway (a VPC can have only one, so one already attached is reused),
  // or a Transit Gateway with the VPC attached to it.
  const tgwInput = tgwPlanInput(input);
  const tgwPlan = tgwInput ? decideTgwSteps(tgwInput, facts.tgw ?? { read: false }) : undefined;
  const gatewayInput = { stack: input.stack, vpcId: input.vpcId, ...(input.vgwId ? { vgwId: input.vgwId } : {}), amazonAsn: input.amazonAsn };
  const gateway = tgwPlan ? undefined : decideVgwSteps(gatewayInput, facts.gateway);
  const vgw = gateway?.vgw;
  const vgwLabel = gateway?.vgwLabel ?? "";
  const amazonAsn = tgwPlan ? tgwPlan.asn : gateway!.amazonAsn;
  const gatewayStep = tgwPlan ? "tgw" : "vgw";
  warnings.push(...(tgwPlan ?? gateway!).warnings);
  if (input.routing === "bgp" && amazonAsn === input.cgwAsn) {
    throw flagError("--cgw-asn", `BGP needs different ASNs on each side; the gateway's Amazon side ASN is also ${amazonAsn}`);
  }
  steps.push(...(tgwPlan ?? gateway!).steps);
  if (tgwPlan) {
    warnings.push(
      input.routeTables === "none"
        ? `A Transit Gateway does not propagate routes into VPC route tables, and --route-tables none adds none: the VPC has no route to on-prem until you add one to ${tgwPlan.tgwLabel}.`
        : `A Transit Gateway does not propagate routes into VPC route tables: vpcwire adds a static route per on-prem range (${input.onpremCidrs.join(", ")}) to ${tgwPlan.tgwLabel} in each route table.`,
    );
    if (input.routing === "bgp" && tgwPlan.ecmp !== false) {
      warnings.push(
        "BGP on a Transit Gateway with VPN ECMP: both tunnels carry traffic at once when the router announces the same routes with equal attributes over both.",
      );
    }
  }

  // Customer gateway: same IP and ASN means the same router; reuse it.
  const { cgw } = facts;
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
  const { vpn } = facts;
  if (vpn && tgwPlan && !vpn.TransitGatewayId) {
    throw flagError(
      input.tgw!.id === "new" ? "--transit-gateway" : "--transit-gateway-id",
      `stack ${input.stack} already has VPN connection ${vpn.VpnConnectionId} on ${vpn.VpnGatewayId}; a connection cannot move to a Transit Gateway (destroy the stack or use another --stack)`,
    );
  }
  if (vpn && !tgwPlan && vpn.TransitGatewayId) {
    throw flagError(
      "--transit-gateway-id",
      `stack ${input.stack} has VPN connection ${vpn.VpnConnectionId} on ${vpn.TransitGatewayId}; run it with --transit-gateway-id ${vpn.TransitGatewayId}`,
    );
  }
  if (vpn && vpn.Options?.EnableAcceleration !== undefined && vpn.Options.EnableAcceleration !== input.acceleration) {
    throw flagError(
      "--acceleration",
      `the existing VPN connection ${vpn.VpnConnectionId} is ${vpn.Options.EnableAcceleration ? "" : "not "}accelerated; acceleration cannot be changed on an existing connection`,
    );
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
  }
  const clash = facts.insideCidrClash;
  if (clash) {
    throw flagError(
      `--tunnel${clash.tunnel}-inside-cidr`,
      `${clash.cidr} is already used by ${clash.vpnConnectionId} on ${clash.vgwId}; inside CIDRs must be unique per gateway`,
    );
  }
  if (vpn && facts.read && pskStorageOf(vpn) !== input.pskStorage) {
    warnings.push(
      `--psk-storage ${input.pskStorage}: VPN connection ${vpn.VpnConnectionId} keeps its ${describeKeyStorage(vpn)}; vpcwire does not move keys of an existing connection ` +
        `(AWS does it per tunnel with ModifyVpnTunnelOptions PreSharedKeyStorage, restarting that tunnel).`,
    );
  }
  const wanted = input.crypto.crypto;
  const wantedText = cryptoLabel(input.crypto);
  warnings.push(...cryptoWarnings(input));
  const tunnelParams = {
    routing: input.routing,
    tunnel1InsideCidr: input.tunnelInsideCidrs[0] ?? "(chosen by AWS)",
    tunnel2InsideCidr: input.tunnelInsideCidrs[1] ?? "(chosen by AWS)",
    presharedKeys: input.psks.some(Boolean) ? "given (hidden)" : "generated by AWS",
    // Where the keys live: a new connection takes --psk-storage; an existing one keeps its own.
    keyStorage: vpn
      ? keyStorageParam(vpn)
      : input.pskStorage === "secrets-manager"
        ? "AWS Secrets Manager (a secret Site-to-Site VPN creates for the connection)"
        : "standard (Site-to-Site VPN)",
    ...(input.ikeVersion ? { ikeVersion: input.ikeVersion } : {}),
    cryptoProfile: input.crypto.profile,
    ...(tgwPlan ? { transitGateway: tgwPlan.tgwLabel, acceleration: input.acceleration } : {}),
  };
  const onTarget = tgwPlan ? ` on ${tgwPlan.tgwLabel}${input.acceleration ? ", accelerated" : ""}` : "";
  const current = vpn ? tunnelsOf(vpn) : [];
  if (vpn && current.length === 0 && facts.read) {
    warnings.push(
      `VPN connection ${vpn.VpnConnectionId} lists no tunnel options: its crypto cannot be compared with what this run asks for, so it is left as it is.`,
    );
  }
  const changes = current.map((t) => ({ ...t, differences: cryptoDifferences(wanted, t.crypto) }));
  steps.push(
    vpn
      ? {
          id: "vpn",
          type: "vpn-connection",
          action: "reuse",
          resource: "VPN connection",
          resourceId: vpn.VpnConnectionId!,
          owned: owned(vpn.Tags),
          summary:
            `VPN connection ${vpn.VpnConnectionId} (${vpn.State}${["pending", "modifying"].includes(String(vpn.State)) ? ": wait until available" : ""})` +
            (changes.length && changes.every((c) => c.differences.length === 0) ? `; both tunnels already have the ${wantedText}` : "") +
            onTarget +
            (vpn.PreSharedKeyArn ? `; pre-shared keys in AWS Secrets Manager (${vpn.PreSharedKeyArn})` : ""),
          params: {
            ...tunnelParams,
            state: vpn.State,
            tunnels: current.map((t) => ({ tunnel: t.tunnel, outsideIp: t.outsideIp, crypto: describeCrypto(t.crypto) })),
          },
          dependsOn: [gatewayStep, "cgw"],
        }
      : {
          id: "vpn",
          type: "vpn-connection",
          action: "create",
          resource: "VPN connection",
          owned: true,
          summary:
            `VPN connection ${PLACEHOLDER.vpn}${onTarget} (${input.routing === "static" ? "static routes" : "BGP"}, two tunnels; wait until available); both tunnels: ${wantedText}` +
            (input.pskStorage === "secrets-manager" ? "; pre-shared keys in AWS Secrets Manager" : ""),
          params: {
            ...tunnelParams,
            tunnels: [1, 2].map((tunnel) => ({ tunnel, crypto: describeCrypto(wanted) })),
          },
          dependsOn: [gatewayStep, "cgw"],
        },
  );

  // Tunnel crypto of an existing connection: one tunnel at a time, each waiting for the connection to be
  // available again, so the other tunnel carries the traffic while one restarts.
  let previous = "vpn";
  for (const change of changes) {
    if (change.differences.length === 0) continue;
    const id = `tunnel-options:${change.tunnel}`;
    steps.push({
      id,
      type: "vpn-tunnel-options",
      action: "update",
      resource: "VPN tunnel options",
      resourceId: `${vpn!.VpnConnectionId}/${change.outsideIp}`,
      owned: owned(vpn!.Tags),
      summary:
        `tunnel ${change.tunnel} (${change.outsideIp}) of ${vpn!.VpnConnectionId}: update tunnel options (${change.differences.join(", ")}) to ${wantedText}; ` +
        `the tunnel restarts, the other stays up (wait until the connection is available again)`,
      params: {
        vpnConnectionId: vpn!.VpnConnectionId,
        tunnel: change.tunnel,
        outsideIp: change.outsideIp,
        differences: change.differences,
        from: describeCrypto(change.crypto),
        to: describeCrypto(wanted),
      },
      dependsOn: [previous],
    });
    previous = id;
  }

  // On a Transit Gateway: wait for the connection's attachment; static routes go in the gateway's route
  // table, and the VPC's route tables get routes to the gateway (it does not propagate into them).
  if (tgwPlan) {
    steps.push(
      ...decideTgwVpnSteps(
        { tgwLabel: tgwPlan.tgwLabel, vpnLabel: vpn?.VpnConnectionId ?? PLACEHOLDER.vpn, staticCidrs: input.routing === "static" ? input.onpremCidrs : [] },
        facts.tgwVpn ?? { staticRoutes: [] },
      ),
      ...decideTgwVpcRouteSteps(
        {
          vpcId: input.vpcId,
          routeTables: input.routeTables,
          cidrs: input.onpremCidrs,
          tgwId: tgwPlan.tgw?.TransitGatewayId ?? (input.tgw!.id === "new" ? undefined : input.tgw!.id),
          tgwLabel: tgwPlan.tgwLabel,
          // After the connection too: it records these routes in its tags (route-table routes carry none), so
          // destroy finds them even when a run stops part-way.
          dependsOn: ["tgw-attach", "vpn"],
        },
        facts.routeTables,
      ),
    );
  }

  // Static routes, one per on-prem prefix.
  if (input.routing === "static" && !tgwPlan) {
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
  if (!tgwPlan)
    steps.push(...decidePropagationSteps({ vpcId: input.vpcId, routeTables: input.routeTables, vgwId: vgw?.VpnGatewayId, vgwLabel }, facts.routeTables));

  // Security group rules for the on-prem ranges.
  if (input.securityGroup) {
    for (const rule of input.allow) {
      for (const cidr of input.onpremCidrs) {
        const has = facts.securityGroup?.IpPermissions?.some((p) => permissionCovers(p, rule, cidr)) ?? false;
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

  return { schemaVersion: 1, command: "vpn create", kind: "vpn", stack: input.stack, region: where.region, offline: !facts.read, steps, warnings };
}

/** Where an existing connection's keys live, for the plan (`PreSharedKeyArn` when in Secrets Manager). */
function keyStorageParam(vpn: VpnConnection): string {
  return vpn.PreSharedKeyArn ? `AWS Secrets Manager (${vpn.PreSharedKeyArn})` : "standard (Site-to-Site VPN)";
}

/** Inside CIDRs must be unique across the VPN connections of one VGW: find a clash before AWS refuses. */
async function findInsideCidrClash(ctx: Context, vgwId: string, input: VpnInput): Promise<VpnFacts["insideCidrClash"]> {
  const wanted = input.tunnelInsideCidrs.filter((c): c is string => Boolean(c));
  if (wanted.length === 0) return undefined;
  const others = await findVpnConnections(ctx, [{ Name: "vpn-gateway-id", Values: [vgwId] }]);
  for (const other of others) {
    for (const t of other.Options?.TunnelOptions ?? []) {
      const cidr = wanted.find((w) => w === t.TunnelInsideCidr);
      if (cidr) return { cidr, tunnel: input.tunnelInsideCidrs.indexOf(cidr) === 0 ? 1 : 2, vpnConnectionId: other.VpnConnectionId!, vgwId };
    }
  }
  return undefined;
}

/** Each tunnel's crypto as the connection holds it (`Options.TunnelOptions`, in AWS's order = tunnel 1, 2). */
export function tunnelsOf(vpn: VpnConnection): Array<{ tunnel: number; outsideIp: string; crypto: TunnelCrypto }> {
  return (vpn.Options?.TunnelOptions ?? [])
    .filter((t) => t.OutsideIpAddress)
    .map((t, i) => {
      const { unknown: _unknown, ...crypto } = cryptoFromTunnelOption(t);
      return { tunnel: i + 1, outsideIp: t.OutsideIpAddress!, crypto: plainCrypto(crypto) };
    });
}

/** One tunnel's crypto (`describeCrypto`) from the connection's tunnel options, by AWS outside IP. */
export function tunnelCryptoText(vpn: VpnConnection | undefined, outsideIp: string): string | undefined {
  const option = vpn?.Options?.TunnelOptions?.find((t) => t.OutsideIpAddress === outsideIp);
  if (!option) return undefined;
  const { unknown: _unknown, ...crypto } = cryptoFromTunnelOption(option);
  return describeCrypto(plainCrypto(crypto));
}

/**
 * What to tell about the crypto asked for: `compatible` names what refuses AWS's defaults (the CSR
 * config follows the XML's baseline suite, DH group 2, for them); other choices are checked against
 * the chosen device.
 */
export function cryptoWarnings(input: Pick<VpnInput, "crypto" | "device">): string[] {
  const { crypto, profile } = input.crypto;
  if (profile === "compatible") {
    const csr = describeRefusals("csr1000v", refusedBy("csr1000v", crypto));
    return [
      `--crypto compatible keeps AWS's defaults (IKEv1 allowed, DH group 2 and SHA-1 allowed, the router starts IKE), for old devices` +
        `${csr ? `: ${csr}` : ""}. Use --crypto modern for current routers (docs/CRYPTO.md).`,
    ];
  }
  const refused = describeRefusals(input.device as CryptoDevice, refusedBy(input.device as CryptoDevice, crypto));
  return refused ? [`the tunnels allow what the ${input.device} refuses: ${refused}.`] : [];
}

/** `modern crypto (IKEv2; phase 1 ...)`, `compatible crypto (AWS defaults ...)`, or `crypto modern with overrides (...)`. */
export function cryptoLabel(choice: VpnInput["crypto"]): string {
  const name = Object.keys(choice.overrides).length ? `crypto ${choice.profile} with overrides` : `${choice.profile} crypto`;
  return `${name} (${describeCrypto(choice.crypto)})`;
}

/**
 * The connection as the last step that touched it left it: after tunnel option updates, their
 * Describe (new options), with the creation's tunnel XML when the later read has none.
 */
export function connectionAfterApply(results: StepResults): VpnConnection {
  const first = results.get("vpn")?.data?.connection as VpnConnection;
  let latest = first;
  for (const n of [1, 2]) {
    const c = results.get(`tunnel-options:${n}`)?.data?.connection as VpnConnection | undefined;
    if (c) latest = c;
  }
  return { ...latest, CustomerGatewayConfiguration: latest?.CustomerGatewayConfiguration ?? first?.CustomerGatewayConfiguration };
}

export { plainCrypto };
