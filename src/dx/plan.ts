import type { DirectConnectGateway, VirtualInterface } from "@aws-sdk/client-direct-connect";
import { getVif, VIF_GONE_STATES } from "../aws/dx.js";
import { STACK_TAG } from "../aws/tags.js";
import { attachedVpcOf, getVpnGateway } from "../aws/vgw.js";
import { decidePropagationSteps, decideVgwSteps, observeRouteTables, observeVgw, type RouteTableFacts, type VgwFacts } from "../aws/vgw-plan.js";
import { getVpc } from "../aws/vpc.js";
import type { Context } from "../core/context.js";
import type { PlanWhere } from "../core/create-command.js";
import { flagError } from "../core/errors.js";
import type { Plan, PlanStep } from "../core/plan.js";
import { customerAsnOf, dxTagValue, gatewayOf, getDxGateway, isVifHealthy } from "./aws.js";
import type { DxAcceptInput } from "./inputs.js";

/** What `dx accept-vif` reads from the account. Offline: nothing is read and `read` says so. */
export interface DxFacts {
  /** False offline: nothing below was read. */
  read: boolean;
  /** The Direct Connect gateway of `--dx-gateway-id`, as read. */
  dxGateway?: DirectConnectGateway;
  /**
   * The VPC behind a virtual private gateway target: `--vpc-id`, or the VPC `--vgw-id` is attached to.
   * Unknown offline with `--vgw-id` alone.
   */
  vpcId?: string;
  /** The gateway question, when the VPC is known (virtual private gateway targets). */
  gateway?: VgwFacts;
  /** Each interface as read, by id; an id missing here does not exist in this account and Region. */
  vifs: Record<string, VirtualInterface>;
  /** The route tables to propagate into, as read; undefined when not read or not asked for. */
  routeTables: RouteTableFacts;
}

/** All reads of `dx accept-vif`. Refuses a gateway the account does not have (exit 2 naming the flag). */
export async function observeDx(ctx: Context, input: DxAcceptInput, where: PlanWhere): Promise<DxFacts> {
  const { target } = input;
  if (where.offline) {
    if (target.kind !== "vpc") return { read: false, vifs: {}, routeTables: undefined };
    return { read: false, vpcId: target.vpcId, gateway: await observeVgw(ctx, vgwInput(input, target.vpcId)), vifs: {}, routeTables: undefined };
  }

  let dxGateway: DirectConnectGateway | undefined;
  let vpcId: string | undefined;
  if (target.kind === "dxgw") {
    dxGateway = await getDxGateway(ctx, target.dxGatewayId);
    if (!dxGateway || dxGateway.directConnectGatewayState === "deleting" || dxGateway.directConnectGatewayState === "deleted") {
      throw flagError("--dx-gateway-id", `${target.dxGatewayId} does not exist (Direct Connect gateways are global: check the id)`);
    }
  } else if (target.kind === "vgw") {
    const vgw = await getVpnGateway(ctx, target.vgwId);
    if (!vgw || vgw.State === "deleted" || vgw.State === "deleting") throw flagError("--vgw-id", `${target.vgwId} does not exist`);
    vpcId = attachedVpcOf(vgw);
    if (!vpcId) {
      throw flagError("--vgw-id", `${target.vgwId} is not attached to a VPC; add --vpc-id <the VPC> to attach it (a VPC can have only one gateway)`);
    }
  } else {
    vpcId = target.vpcId;
    await getVpc(ctx, vpcId);
  }
  const gateway = vpcId ? await observeVgw(ctx, vgwInput(input, vpcId)) : undefined;
  const [vifs, routeTables] = await Promise.all([
    Promise.all(input.vifIds.map((id) => getVif(ctx, id))),
    vpcId ? observeRouteTables(ctx, vpcId, input.routeTables) : undefined,
  ]);
  return {
    read: true,
    ...(dxGateway ? { dxGateway } : {}),
    ...(vpcId ? { vpcId } : {}),
    ...(gateway ? { gateway } : {}),
    vifs: Object.fromEntries(vifs.filter((v): v is VirtualInterface => Boolean(v)).map((v) => [v.virtualInterfaceId!, v])),
    routeTables,
  };
}

/** The gateway question for a VPC target (`--vgw-id` with `--vpc-id` must be that VPC's gateway, or a free one). */
function vgwInput(input: DxAcceptInput, vpcId: string) {
  const { target } = input;
  const vgwId = target.kind === "dxgw" ? undefined : target.vgwId;
  return { stack: input.stack, vpcId, ...(vgwId ? { vgwId } : {}), amazonAsn: input.amazonAsn };
}

/** Where the interfaces go, as decided: the steps before them and what their own steps need. */
export interface DxGatewayDecision {
  steps: PlanStep[];
  warnings: string[];
  /** The existing gateway (virtual private or Direct Connect); undefined when it is still to be created. */
  gatewayId: string | undefined;
  /** The gateway's id, or a placeholder when it is still to be created. */
  label: string;
  /** For summaries: `vgw-0abc` / `Direct Connect gateway 5f29... (name)`. */
  name: string;
  /** The Amazon side ASN in effect, when known. */
  amazonAsn: number | undefined;
  /** The VPC whose route tables receive the routes (virtual private gateway targets). */
  vpcId: string | undefined;
  /** What the interface steps wait for. */
  vifDependsOn: string[];
  /** The interface steps' params that say where they go. */
  gatewayParams: Record<string, unknown>;
}

/** The gateway steps (none for a Direct Connect gateway). Pure. */
export function decideDxGateway(input: DxAcceptInput, facts: DxFacts): DxGatewayDecision {
  const { target } = input;
  if (target.kind === "dxgw") {
    const name = facts.dxGateway?.directConnectGatewayName;
    return {
      steps: [],
      warnings: [],
      gatewayId: target.dxGatewayId,
      label: target.dxGatewayId,
      name: `Direct Connect gateway ${target.dxGatewayId}${name ? ` (${name})` : ""}`,
      amazonAsn: facts.dxGateway?.amazonSideAsn,
      vpcId: undefined,
      vifDependsOn: [],
      gatewayParams: { gatewayKind: "dxgw", directConnectGatewayId: target.dxGatewayId },
    };
  }
  if (!facts.gateway || !facts.vpcId) {
    // --vgw-id alone, not read: its VPC is unknown; accept onto the gateway and propagate into its VPC's tables.
    const vgwId = target.vgwId!;
    return {
      steps: [
        {
          id: "vgw",
          type: "vpn-gateway",
          action: "reuse",
          resource: "virtual private gateway",
          resourceId: vgwId,
          owned: false,
          summary: `virtual private gateway ${vgwId} (not checked offline; must be attached to its VPC)`,
          params: { amazonAsn: input.amazonAsn },
          dependsOn: [],
        },
      ],
      warnings: [],
      gatewayId: vgwId,
      label: vgwId,
      name: vgwId,
      amazonAsn: undefined,
      vpcId: `<VPC of ${vgwId}>`,
      vifDependsOn: ["vgw"],
      gatewayParams: { gatewayKind: "vgw" },
    };
  }
  const gateway = decideVgwSteps(vgwInput(input, facts.vpcId), facts.gateway);
  return {
    steps: gateway.steps,
    // A reused gateway keeps its ASN: say so only when --amazon-asn asked for another.
    warnings: gateway.warnings.filter((w) => input.amazonAsnGiven || !w.includes("--amazon-asn")),
    // Named but not read (offline): reused as given.
    gatewayId: gateway.vgw?.VpnGatewayId ?? target.vgwId,
    label: gateway.vgwLabel,
    name: gateway.vgwLabel,
    amazonAsn: gateway.amazonAsn,
    vpcId: facts.vpcId,
    vifDependsOn: ["attach"],
    gatewayParams: { gatewayKind: "vgw" },
  };
}

/** Why a VIF in a final state cannot be accepted, in words. */
const GONE_REASON: Record<string, string> = {
  rejected: "it was declined (or deleted while it waited for acceptance) and cannot be accepted any more",
  deleting: "its owner or the partner is deleting it",
  deleted: "its owner or the partner deleted it",
};

/** One interface's step, a warning about it, and whether its BGP sessions are already up. */
export interface DxVifDecision {
  step: PlanStep;
  warnings: string[];
  bgpUp: boolean;
}

/**
 * Accept the interface and wait until AWS has set it up (available, or down while BGP is not up), or
 * leave one already accepted onto the same gateway. Refuses one that cannot be (exit 2 naming the flag). Pure.
 */
export function decideDxVif(input: DxAcceptInput, facts: DxFacts, gw: DxGatewayDecision, id: string, where: PlanWhere): DxVifDecision {
  const step = (action: PlanStep["action"], summary: string, params: Record<string, unknown>): PlanStep => ({
    id: `vif:${id}`,
    type: "dx-vif",
    action,
    resource: "virtual interface",
    resourceId: id,
    // A hosted interface belongs to the partner's connection: never the stack's to delete.
    owned: false,
    summary,
    params,
    dependsOn: gw.vifDependsOn,
  });
  const tagged = `tag ${STACK_TAG}=${input.stack}`;
  if (!facts.read) {
    return {
      step: step("update", `accept ${id} onto ${gw.name} (not checked offline), wait until available or down, ${tagged}`, {
        virtualInterfaceId: id,
        confirm: true,
        tag: true,
        ...gw.gatewayParams,
      }),
      warnings: [],
      bgpUp: false,
    };
  }
  const vif = facts.vifs[id];
  if (!vif) {
    throw flagError(
      "--vif-id",
      `${id} does not exist in this account and Region${where.region ? ` (${where.region})` : ""}; a hosted interface appears in the Region of the partner's connection`,
    );
  }
  if (vif.virtualInterfaceType && vif.virtualInterfaceType !== "private") {
    throw flagError("--vif-id", `${id} is a ${vif.virtualInterfaceType} virtual interface; dx accept-vif accepts private ones`);
  }
  const state = vif.virtualInterfaceState ?? "unknown";
  const warnings: string[] = [];
  const asn = customerAsnOf(vif);
  if (asn !== undefined && gw.amazonAsn !== undefined && asn === gw.amazonAsn) {
    if (!gw.gatewayId) {
      throw flagError(
        "--amazon-asn",
        `the partner's BGP ASN on ${id} is ${asn}, the same as the new gateway's Amazon side ASN; BGP needs different ASNs on each side: pick another with --amazon-asn`,
      );
    }
    warnings.push(`${id}: the partner's BGP ASN ${asn} equals ${gw.label}'s Amazon side ASN; BGP will not come up.`);
  }
  const params = {
    virtualInterfaceId: id,
    name: vif.virtualInterfaceName ?? null,
    vlan: vif.vlan ?? null,
    ownerAccount: vif.ownerAccount ?? null,
    state,
    ...gw.gatewayParams,
  };
  const what = describeVif(vif);
  if (state === "confirming") {
    return {
      step: step("update", `accept ${what} onto ${gw.name}, wait until available (or down: BGP not up yet), ${tagged}`, {
        ...params,
        confirm: true,
        tag: true,
      }),
      warnings,
      bgpUp: false,
    };
  }
  if (VIF_GONE_STATES.includes(state)) {
    throw flagError("--vif-id", `${id} is ${state}: ${GONE_REASON[state]}; ask the partner to provision a new one`);
  }
  // Already accepted: fine when it is on the gateway we want, an error otherwise.
  const current = gatewayOf(vif);
  if (!current || current.id !== gw.gatewayId) {
    const on = current ? `${current.kind === "vgw" ? "virtual private gateway" : "Direct Connect gateway"} ${current.id}` : "a gateway";
    const hint = current
      ? `; use ${current.kind === "vgw" ? `--vgw-id ${current.id}` : `--dx-gateway-id ${current.id}`} to check it, or ask the partner for a new interface`
      : "";
    throw flagError("--vif-id", `${id} is already accepted onto ${on} (state ${state}) and cannot be moved to ${gw.label}${hint}`);
  }
  const taggedFor = dxTagValue(vif.tags, STACK_TAG);
  if (taggedFor && taggedFor !== input.stack) warnings.push(`${id} is tagged for stack ${taggedFor}; its tags are left alone.`);
  const tag = !taggedFor;
  const settled = state === "available" || state === "down";
  return {
    step: step(
      tag ? "update" : settled ? "no-op" : "reuse",
      `${what} already accepted onto ${gw.name} (${state}${settled ? "" : ": wait until available or down"})${tag ? `; ${tagged}` : ""}`,
      { ...params, confirm: false, tag },
    ),
    warnings,
    bgpUp: isVifHealthy(vif),
  };
}

/** `--wait-bgp`: wait for every BGP peer of each interface to be up, after propagation is on. Pure. */
export function decideBgpSteps(vifs: DxVifDecision[], propagation: PlanStep[]): PlanStep[] {
  return vifs.map(({ step: vifStep, bgpUp }) => {
    const id = String(vifStep.params.virtualInterfaceId);
    const known = vifStep.params;
    return {
      id: `bgp:${id}`,
      type: "dx-bgp",
      action: bgpUp ? "no-op" : "reuse",
      resource: "BGP session",
      // No resourceId: the failure report lists the interface itself (see the dx-bgp runner).
      owned: false,
      summary: bgpUp ? `BGP of ${id}: every peer already up` : `BGP of ${id}: wait until every peer is up (the partner's or your router brings it up)`,
      params: { virtualInterfaceId: id, ...(known.name !== undefined ? { name: known.name, vlan: known.vlan } : {}) },
      dependsOn: [vifStep.id, ...propagation.map((s) => s.id)],
    };
  });
}

/** What to accept, create, propagate and wait for, from the input and what was read. Pure. */
export function decideDx(input: DxAcceptInput, facts: DxFacts, where: PlanWhere): Plan {
  const gw = decideDxGateway(input, facts);
  const vifs = input.vifIds.map((id) => decideDxVif(input, facts, gw, id, where));
  // Route propagation, once the interfaces are accepted and the gateway attached; not after BGP: routes
  // arrive whenever BGP comes up, so a BGP wait that times out still leaves propagation on.
  const propagation = gw.vpcId
    ? decidePropagationSteps(
        {
          vpcId: gw.vpcId,
          routeTables: input.routeTables,
          vgwId: gw.gatewayId,
          vgwLabel: gw.label,
          dependsOn: [...gw.vifDependsOn, ...vifs.map((v) => v.step.id)],
        },
        facts.routeTables,
      )
    : [];
  const steps = [...gw.steps, ...vifs.map((v) => v.step), ...propagation, ...(input.waitBgp ? decideBgpSteps(vifs, propagation) : [])];
  const warnings = [...gw.warnings, ...vifs.flatMap((v) => v.warnings)];
  if (!facts.read) warnings.push("Offline: the interfaces were not read; each is planned as waiting for acceptance (confirming).");
  if (gw.vpcId && !gw.gatewayId)
    warnings.push(`A new virtual private gateway gets Amazon side ASN ${input.amazonAsn}; tell the partner if they need it for BGP.`);
  return { schemaVersion: 1, command: "dx accept-vif", kind: "dx", stack: input.stack, region: where.region, offline: !facts.read, steps, warnings };
}

/** `dxvif-0abc "ntte-a" (VLAN 101, dxcon-x at EqTY2, partner ASN 65000)` for plan lines. */
export function describeVif(vif: VirtualInterface): string {
  const bits = [
    vif.vlan !== undefined ? `VLAN ${vif.vlan}` : undefined,
    vif.connectionId ? `${vif.connectionId}${vif.location ? ` at ${vif.location}` : ""}` : vif.location,
    customerAsnOf(vif) !== undefined ? `partner ASN ${customerAsnOf(vif)}` : undefined,
  ].filter(Boolean);
  return `${vif.virtualInterfaceId}${vif.virtualInterfaceName ? ` "${vif.virtualInterfaceName}"` : ""}${bits.length ? ` (${bits.join(", ")})` : ""}`;
}
