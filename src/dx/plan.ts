import type { DirectConnectGateway, VirtualInterface } from "@aws-sdk/client-direct-connect";
import { getVif, VIF_GONE_STATES } from "../aws/dx.js";
import { STACK_TAG } from "../aws/tags.js";
import { attachedVpcOf, getVpnGateway } from "../aws/vgw.js";
import { planVgwSteps, propagationSteps } from "../aws/vgw-plan.js";
import { getVpc } from "../aws/vpc.js";
import type { Context } from "../core/context.js";
import { flagError } from "../core/errors.js";
import type { Plan, PlanStep } from "../core/plan.js";
import { customerAsnOf, gatewayOf, getDxGateway, isVifHealthy } from "./aws.js";
import type { DxAcceptInput } from "./inputs.js";

/** What planning learned, needed again for the report. */
export interface DxFacts {
  /** The VPC behind the gateway (gateway targets), when known. */
  vpcId?: string;
  /** The gateway's id, or a placeholder when it is still to be created. */
  gatewayLabel: string;
}

export interface DxPlan {
  plan: Plan;
  facts: DxFacts;
}

/** Why a VIF in a final state cannot be accepted, in words. */
const GONE_REASON: Record<string, string> = {
  rejected: "it was declined (or deleted while it waited for acceptance) and cannot be accepted any more",
  deleting: "its owner or the partner is deleting it",
  deleted: "its owner or the partner deleted it",
};

/** The tag value of a Direct Connect tag list (camelCase keys). */
export function dxTagValue(tags: Array<{ key?: string; value?: string }> | undefined, key: string): string | undefined {
  return tags?.find((t) => t.key === key)?.value;
}

/**
 * Read the account and decide what to do with each interface and the gateway. Never writes.
 * With `ctx.config.offline` nothing is read: every interface is planned as waiting for acceptance.
 */
export async function planDxAccept(ctx: Context, input: DxAcceptInput, region: string | null): Promise<DxPlan> {
  const steps: PlanStep[] = [];
  const warnings: string[] = [];
  const offline = ctx.config.offline;
  const { target } = input;

  // The gateway the interfaces go to.
  let gatewayId: string | undefined; // existing gateway (VGW or DX gateway)
  let gatewayLabel: string;
  let gatewayName: string; // for summaries: "vgw-0abc" / "Direct Connect gateway 5f29... (name)"
  let amazonAsn: number | undefined;
  let vpcId: string | undefined;
  let vifDependsOn: string[] = [];
  let newVgw = false;

  if (target.kind === "dxgw") {
    let dxgw: DirectConnectGateway | undefined;
    if (!offline) {
      dxgw = await getDxGateway(ctx, target.dxGatewayId);
      if (!dxgw || dxgw.directConnectGatewayState === "deleting" || dxgw.directConnectGatewayState === "deleted") {
        throw flagError("--dx-gateway-id", `${target.dxGatewayId} does not exist (Direct Connect gateways are global: check the id)`);
      }
      amazonAsn = dxgw.amazonSideAsn;
    }
    gatewayId = target.dxGatewayId;
    gatewayLabel = target.dxGatewayId;
    gatewayName = `Direct Connect gateway ${target.dxGatewayId}${dxgw?.directConnectGatewayName ? ` (${dxgw.directConnectGatewayName})` : ""}`;
  } else if (target.kind === "vgw" && offline) {
    // Offline the gateway's VPC is unknown: accept onto the gateway and propagate into its VPC's tables.
    steps.push({
      id: "vgw",
      type: "vpn-gateway",
      action: "reuse",
      resource: "virtual private gateway",
      resourceId: target.vgwId,
      owned: false,
      summary: `virtual private gateway ${target.vgwId} (not checked offline; must be attached to its VPC)`,
      params: { amazonAsn: input.amazonAsn },
      dependsOn: [],
    });
    gatewayId = target.vgwId;
    gatewayLabel = target.vgwId;
    gatewayName = target.vgwId;
    vpcId = `<VPC of ${target.vgwId}>`;
    vifDependsOn = ["vgw"];
  } else {
    const vgwId = target.vgwId;
    if (target.kind === "vgw") {
      const vgw = await getVpnGateway(ctx, target.vgwId);
      if (!vgw || vgw.State === "deleted" || vgw.State === "deleting") throw flagError("--vgw-id", `${target.vgwId} does not exist`);
      vpcId = attachedVpcOf(vgw);
      if (!vpcId) {
        throw flagError("--vgw-id", `${target.vgwId} is not attached to a VPC; add --vpc-id <the VPC> to attach it (a VPC can have only one gateway)`);
      }
    } else {
      vpcId = target.vpcId;
      if (!offline) await getVpc(ctx, vpcId);
    }
    const gateway = await planVgwSteps(ctx, {
      stack: input.stack,
      vpcId,
      ...(vgwId ? { vgwId } : {}),
      amazonAsn: input.amazonAsn,
    });
    steps.push(...gateway.steps);
    warnings.push(...gateway.warnings.filter((w) => input.amazonAsnGiven || !w.includes("--amazon-asn")));
    gatewayId = gateway.vgw?.VpnGatewayId ?? (offline ? vgwId : undefined);
    newVgw = !gatewayId;
    gatewayLabel = gateway.vgwLabel;
    gatewayName = gateway.vgwLabel;
    amazonAsn = gateway.amazonAsn;
    vifDependsOn = ["attach"];
  }

  // The interfaces: accept each and wait until AWS has set it up (available, or down while BGP is not up).
  // Waiting for BGP is a separate step (--wait-bgp), so propagation never waits for the partner's router.
  const vifSteps: PlanStep[] = [];
  /** Interfaces whose BGP sessions are already up (no BGP wait needed). */
  const bgpUp = new Set<string>();
  for (const id of input.vifIds) {
    const vifStep = (action: PlanStep["action"], summary: string, params: Record<string, unknown>): PlanStep => ({
      id: `vif:${id}`,
      type: "dx-vif",
      action,
      resource: "virtual interface",
      resourceId: id,
      // A hosted interface belongs to the partner's connection: never the stack's to delete.
      owned: false,
      summary,
      params,
      dependsOn: vifDependsOn,
    });
    const gatewayParams = target.kind === "dxgw" ? { gatewayKind: "dxgw", directConnectGatewayId: target.dxGatewayId } : { gatewayKind: "vgw" };
    if (offline) {
      vifSteps.push(
        vifStep("update", `accept ${id} onto ${gatewayName} (not checked offline), wait until available or down, tag ${STACK_TAG}=${input.stack}`, {
          virtualInterfaceId: id,
          confirm: true,
          tag: true,
          ...gatewayParams,
        }),
      );
      continue;
    }
    const vif = await getVif(ctx, id);
    if (!vif) {
      throw flagError(
        "--vif-id",
        `${id} does not exist in this account and Region${region ? ` (${region})` : ""}; a hosted interface appears in the Region of the partner's connection`,
      );
    }
    if (vif.virtualInterfaceType && vif.virtualInterfaceType !== "private") {
      throw flagError("--vif-id", `${id} is a ${vif.virtualInterfaceType} virtual interface; dx accept-vif accepts private ones`);
    }
    const state = vif.virtualInterfaceState ?? "unknown";
    const what = describeVif(vif);
    const asn = customerAsnOf(vif);
    if (asn !== undefined && amazonAsn !== undefined && asn === amazonAsn) {
      if (newVgw) {
        throw flagError(
          "--amazon-asn",
          `the partner's BGP ASN on ${id} is ${asn}, the same as the new gateway's Amazon side ASN; BGP needs different ASNs on each side: pick another with --amazon-asn`,
        );
      }
      warnings.push(`${id}: the partner's BGP ASN ${asn} equals ${gatewayLabel}'s Amazon side ASN; BGP will not come up.`);
    }
    const params = {
      virtualInterfaceId: id,
      name: vif.virtualInterfaceName ?? null,
      vlan: vif.vlan ?? null,
      ownerAccount: vif.ownerAccount ?? null,
      state,
      ...gatewayParams,
    };
    if (state === "confirming") {
      vifSteps.push(
        vifStep("update", `accept ${what} onto ${gatewayName}, wait until available (or down: BGP not up yet), tag ${STACK_TAG}=${input.stack}`, {
          ...params,
          confirm: true,
          tag: true,
        }),
      );
      continue;
    }
    if (VIF_GONE_STATES.includes(state)) {
      throw flagError("--vif-id", `${id} is ${state}: ${GONE_REASON[state]}; ask the partner to provision a new one`);
    }
    // Already accepted: fine when it is on the gateway we want, an error otherwise.
    const current = gatewayOf(vif);
    if (!current || current.id !== gatewayId) {
      const where = current ? `${current.kind === "vgw" ? "virtual private gateway" : "Direct Connect gateway"} ${current.id}` : "a gateway";
      const hint = current
        ? `; use ${current.kind === "vgw" ? `--vgw-id ${current.id}` : `--dx-gateway-id ${current.id}`} to check it, or ask the partner for a new interface`
        : "";
      throw flagError("--vif-id", `${id} is already accepted onto ${where} (state ${state}) and cannot be moved to ${gatewayLabel}${hint}`);
    }
    const taggedFor = dxTagValue(vif.tags, STACK_TAG);
    if (taggedFor && taggedFor !== input.stack) {
      warnings.push(`${id} is tagged for stack ${taggedFor}; its tags are left alone.`);
    }
    const tag = !taggedFor;
    const settled = state === "available" || state === "down";
    if (isVifHealthy(vif)) bgpUp.add(id);
    vifSteps.push(
      vifStep(
        tag ? "update" : settled ? "no-op" : "reuse",
        `${what} already accepted onto ${gatewayName} (${state}${settled ? "" : ": wait until available or down"})` +
          (tag ? `; tag ${STACK_TAG}=${input.stack}` : ""),
        { ...params, confirm: false, tag },
      ),
    );
  }
  steps.push(...vifSteps);

  // Route propagation, once the interfaces are accepted and the gateway attached; not after BGP: routes
  // arrive whenever BGP comes up, so a BGP wait that times out still leaves propagation on.
  const propagation =
    target.kind !== "dxgw" && vpcId
      ? await propagationSteps(ctx, {
          vpcId,
          routeTables: input.routeTables,
          vgwId: newVgw ? undefined : gatewayId,
          vgwLabel: gatewayLabel,
          dependsOn: [...vifDependsOn, ...vifSteps.map((s) => s.id)],
        })
      : [];
  steps.push(...propagation);

  // --wait-bgp: wait for every BGP peer to be up, after propagation is on.
  if (input.waitBgp) {
    for (const id of input.vifIds) {
      const up = bgpUp.has(id);
      const known = vifSteps.find((s) => s.id === `vif:${id}`)?.params ?? {};
      steps.push({
        id: `bgp:${id}`,
        type: "dx-bgp",
        action: up ? "no-op" : "reuse",
        resource: "BGP session",
        // No resourceId: the failure report lists the interface itself (see the dx-bgp runner).
        owned: false,
        summary: up ? `BGP of ${id}: every peer already up` : `BGP of ${id}: wait until every peer is up (the partner's or your router brings it up)`,
        params: { virtualInterfaceId: id, ...(known.name !== undefined ? { name: known.name, vlan: known.vlan } : {}) },
        dependsOn: [`vif:${id}`, ...propagation.map((s) => s.id)],
      });
    }
  }
  if (offline) warnings.push("Offline: the interfaces were not read; each is planned as waiting for acceptance (confirming).");
  if (newVgw) warnings.push(`A new virtual private gateway gets Amazon side ASN ${input.amazonAsn}; tell the partner if they need it for BGP.`);

  return {
    plan: { schemaVersion: 1, command: "dx accept-vif", kind: "dx", stack: input.stack, region, offline, steps, warnings },
    facts: { ...(vpcId ? { vpcId } : {}), gatewayLabel },
  };
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
