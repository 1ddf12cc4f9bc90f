/**
 * The hub stage of `vpn apply`: what every site connects to, made ready ONCE before the sites run
 * (sites never race to create it). `Hub` is the interface; `vgwHub` is the virtual private gateway of
 * a VPC (reused or created + attached, route propagation enabled once). A Transit Gateway hub plugs
 * in as another `Hub` once vpn create has the TGW target (see docs/FLEET.md).
 */
import type { VpnConnection } from "@aws-sdk/client-ec2";
import { hasStackTags, KIND_TAG, STACK_TAG, tagValue } from "../../aws/tags.js";
import { decidePropagationSteps, decideVgwSteps, NEW_VGW, observeRouteTables, observeVgw, type RouteTableFacts, type VgwFacts } from "../../aws/vgw-plan.js";
import type { Journal, StepResults, StepRunner } from "../../core/apply.js";
import type { Context } from "../../core/context.js";
import type { PlanWhere } from "../../core/create-command.js";
import type { Plan, PlanStep } from "../../core/plan.js";
import { findVpnConnections } from "../aws.js";
import type { VpnInput } from "../inputs.js";
import type { VgwHubSpec } from "./sites-file.js";

/** What the hub stage read. */
export interface HubFacts {
  read: boolean;
  /** The gateway the sites will use, when it exists. */
  gatewayId?: string;
  /** Live VPN connections already on the hub (vpcwire's and others'), for the quota and "not in file". */
  connections: VpnConnection[];
  /** How many customer gateways the Region holds (undefined offline). */
  customerGateways?: number;
  detail: unknown;
}

/** A vpcwire vpn stack on the hub whose site is not in the file: left alone, listed. */
export interface NotInFile {
  stack: string;
  vpnConnectionId: string;
  state?: string;
}

export interface Hub {
  kind: "vgw" | "tgw";
  stack: string;
  /** `virtual private gateway of vpc-…`, for the plan. */
  label: string;
  /** VPN connections the hub holds (quota). */
  connectionLimit: number;
  observe(ctx: Context, where: PlanWhere): Promise<HubFacts>;
  decide(facts: HubFacts, where: PlanWhere): Plan;
  runners(ctx: Context, journal: Journal): Promise<Record<string, StepRunner>>;
  /** The id (or placeholder) the sites connect to, after the hub plan ran (`results`) or as planned. */
  targetId(facts: HubFacts, results?: StepResults): string;
  /** A site's `vpn create` input pointed at the hub. */
  siteInput(input: VpnInput, targetId: string | undefined): VpnInput;
  /**
   * A site plan's hub steps (`vgw`, `attach`) become no-op references to the hub stage: the site does
   * not own the hub, and its steps still find the hub's id in their results.
   */
  siteHubSteps(plan: Plan, targetId: string): Plan;
}

/** A virtual private gateway hub on one VPC. */
export function vgwHub(spec: VgwHubSpec, quota: number): Hub {
  const gatewayInput = { stack: spec.stack, vpcId: spec.vpcId, ...(spec.vgwId ? { vgwId: spec.vgwId } : {}), amazonAsn: spec.amazonAsn };
  type Detail = { gateway: VgwFacts; routeTables: RouteTableFacts };
  return {
    kind: "vgw",
    stack: spec.stack,
    label: `virtual private gateway of ${spec.vpcId}`,
    connectionLimit: quota,
    async observe(ctx, where) {
      if (where.offline) return { read: false, connections: [], detail: { gateway: { read: false }, routeTables: undefined } satisfies Detail };
      const { DescribeCustomerGatewaysCommand } = await import("@aws-sdk/client-ec2");
      const { send } = await import("../../aws/call.js");
      const [gateway, routeTables, cgws] = await Promise.all([
        observeVgw(ctx, gatewayInput),
        observeRouteTables(ctx, spec.vpcId, spec.routeTables),
        send(ctx, "ec2", new DescribeCustomerGatewaysCommand({ Filters: [{ Name: "state", Values: ["pending", "available"] }] })),
      ]);
      const gatewayId = gateway.vgw?.VpnGatewayId;
      const connections = gatewayId ? await findVpnConnections(ctx, [{ Name: "vpn-gateway-id", Values: [gatewayId] }]) : [];
      return {
        read: true,
        ...(gatewayId ? { gatewayId } : {}),
        connections,
        customerGateways: (cgws.CustomerGateways ?? []).filter((g) => g.State === "pending" || g.State === "available").length,
        detail: { gateway, routeTables } satisfies Detail,
      };
    },
    decide(facts, where) {
      const { gateway, routeTables } = facts.detail as Detail;
      const vgw = decideVgwSteps(gatewayInput, gateway);
      const propagation = decidePropagationSteps(
        { vpcId: spec.vpcId, routeTables: spec.routeTables, vgwId: vgw.vgw?.VpnGatewayId, vgwLabel: vgw.vgwLabel },
        routeTables,
      );
      return {
        schemaVersion: 1,
        command: "vpn apply",
        kind: "vpn",
        stack: spec.stack,
        region: where.region,
        offline: !facts.read,
        steps: [...vgw.steps, ...propagation],
        warnings: vgw.warnings,
      };
    },
    async runners(ctx, journal) {
      const { vgwRunners } = await import("../../aws/vgw-runners.js");
      const { VPN_DEFAULT_TIMEOUT_MS } = await import("../runners.js");
      return vgwRunners(ctx, { stack: spec.stack, kind: "vpn", journal, timeoutMs: ctx.config.timeoutMs ?? VPN_DEFAULT_TIMEOUT_MS });
    },
    targetId(facts, results) {
      return results?.get("vgw")?.resourceId ?? facts.gatewayId ?? spec.vgwId ?? NEW_VGW;
    },
    siteInput(input, targetId) {
      return { ...input, ...(targetId && targetId !== NEW_VGW ? { vgwId: targetId } : {}), routeTables: "none" };
    },
    siteHubSteps(plan, targetId) {
      const hubStep = (id: "vgw" | "attach", type: string, resource: string, summary: string): PlanStep => ({
        id,
        type,
        action: "no-op",
        resource,
        resourceId: id === "vgw" ? targetId : `${targetId}/${spec.vpcId}`,
        owned: false,
        summary,
        params: {},
        dependsOn: id === "attach" ? ["vgw"] : [],
      });
      const steps = plan.steps.map((s) =>
        s.id === "vgw"
          ? hubStep("vgw", s.type, s.resource, `virtual private gateway ${targetId} (the hub, stack ${spec.stack})`)
          : s.id === "attach"
            ? hubStep("attach", s.type, s.resource, `attachment of ${targetId} to ${spec.vpcId} (the hub)`)
            : s,
      );
      return { ...plan, steps };
    },
  };
}

/** vpcwire vpn stacks with a connection on the hub whose site the file no longer lists. */
export function stacksNotInFile(connections: VpnConnection[], names: Set<string>, hubStack: string): NotInFile[] {
  return connections
    .filter((c) => hasStackTags(c.Tags, { kind: "vpn" }) && tagValue(c.Tags, KIND_TAG) === "vpn")
    .map((c) => ({ stack: tagValue(c.Tags, STACK_TAG)!, vpnConnectionId: c.VpnConnectionId!, ...(c.State ? { state: c.State } : {}) }))
    .filter((s) => !names.has(s.stack) && s.stack !== hubStack)
    .sort((a, b) => a.stack.localeCompare(b.stack));
}
