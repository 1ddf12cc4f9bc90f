/**
 * The hub stage of `vpn apply`: what every site connects to, made ready ONCE before the sites run
 * (sites never race to create it). `Hub` is the interface; `vgwHub` is the virtual private gateway of
 * a VPC (reused or created + attached, route propagation enabled once); `tgwHub` is a Transit Gateway
 * (reused or created) with the hub's VPC attached (see docs/FLEET.md).
 */
import type { VpnConnection } from "@aws-sdk/client-ec2";
import { hasStackTags, KIND_TAG, STACK_TAG, tagValue } from "../../aws/tags.js";
import { decideTgwSteps, NEW_TGW, observeTgw, type TgwFacts, type TgwPlanInput } from "../../aws/tgw-plan.js";
import { decidePropagationSteps, decideVgwSteps, NEW_VGW, observeRouteTables, observeVgw, type RouteTableFacts, type VgwFacts } from "../../aws/vgw-plan.js";
import type { Journal, StepResults, StepRunner } from "../../core/apply.js";
import type { Context } from "../../core/context.js";
import type { PlanWhere } from "../../core/create-command.js";
import { UsageError } from "../../core/errors.js";
import type { Plan, PlanStep } from "../../core/plan.js";
import { findVpnConnections } from "../aws.js";
import type { VpnInput } from "../inputs.js";
import type { TgwHubSpec, VgwHubSpec } from "./sites-file.js";

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
      return hubPlan(spec.stack, where, facts, [...vgw.steps, ...propagation], vgw.warnings);
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

/** Attachments a Transit Gateway holds by default (AWS quota): the fleet's connection limit on a TGW hub. */
export const DEFAULT_TGW_ATTACHMENTS = 5000;

/**
 * A Transit Gateway hub: the gateway (the hub stack's own, created with VPN ECMP and AWS's default route
 * table association and propagation, or reused by id) and the attachment of the hub's VPC, made ready
 * once. Each site is `vpn create --transit-gateway-id <the hub's>`: its connection, VPN attachment,
 * static routes in the gateway's route table, and the VPC routes for its own ranges (recorded on its
 * connection, so `destroy --stack <site>` removes them) are the site's.
 */
export function tgwHub(spec: TgwHubSpec, quota = DEFAULT_TGW_ATTACHMENTS): Hub {
  const vpcId = spec.vpcs[0]!;
  const planInput: TgwPlanInput = {
    stack: spec.stack,
    vpcId,
    tgwId: spec.transitGateway,
    asn: spec.tgwAsn,
    ...(spec.tgwSubnets.length ? { subnets: spec.tgwSubnets } : {}),
  };
  return {
    kind: "tgw",
    stack: spec.stack,
    label: spec.transitGateway === "new" ? `transit gateway of stack ${spec.stack}` : `transit gateway ${spec.transitGateway}`,
    connectionLimit: quota,
    async observe(ctx, where) {
      if (where.offline) return { read: false, connections: [], detail: { read: false } satisfies TgwFacts };
      const { DescribeCustomerGatewaysCommand } = await import("@aws-sdk/client-ec2");
      const { send } = await import("../../aws/call.js");
      const [facts, cgws] = await Promise.all([
        hubKeys(() => observeTgw(ctx, planInput)),
        send(ctx, "ec2", new DescribeCustomerGatewaysCommand({ Filters: [{ Name: "state", Values: ["pending", "available"] }] })),
      ]);
      const gatewayId = facts.tgw?.TransitGatewayId;
      // Every connection on the gateway: other vpcwire stacks on it are "not in file", all count for the quota.
      const connections = gatewayId
        ? (await findVpnConnections(ctx, [{ Name: "transit-gateway-id", Values: [gatewayId] }])).filter((c) => c.TransitGatewayId === gatewayId)
        : [];
      return {
        read: true,
        ...(gatewayId ? { gatewayId } : {}),
        connections,
        customerGateways: (cgws.CustomerGateways ?? []).filter((g) => g.State === "pending" || g.State === "available").length,
        detail: facts,
      };
    },
    decide(facts, where) {
      const plan = hubKeys(() => decideTgwSteps(planInput, facts.detail as TgwFacts));
      return hubPlan(spec.stack, where, facts, plan.steps, [
        ...plan.warnings,
        `A Transit Gateway does not propagate routes into VPC route tables: each site adds a route per on-prem range to ${plan.tgwLabel} in ` +
          `${spec.routeTables === "all" ? `every route table of ${vpcId}` : spec.routeTables === "none" ? "no route table (route-tables: none)" : spec.routeTables.join(", ")}` +
          " (recorded on its connection; vpcwire destroy --stack <site> removes them).",
      ]);
    },
    async runners(ctx, journal) {
      const { tgwRunners } = await import("../../aws/tgw-runners.js");
      const { VPN_DEFAULT_TIMEOUT_MS } = await import("../runners.js");
      return tgwRunners(ctx, { stack: spec.stack, kind: "vpn", journal, timeoutMs: ctx.config.timeoutMs ?? VPN_DEFAULT_TIMEOUT_MS });
    },
    targetId(facts, results) {
      return results?.get("tgw")?.resourceId ?? facts.gatewayId ?? (spec.transitGateway === "new" ? NEW_TGW : spec.transitGateway);
    },
    siteInput(input, targetId) {
      // Until the hub's gateway exists a site plans against `new` (its TGW steps become references to the hub).
      const id = targetId && targetId !== NEW_TGW ? targetId : spec.transitGateway;
      return { ...input, vpcId, routeTables: spec.routeTables, tgw: { ...input.tgw!, id } };
    },
    siteHubSteps(plan, targetId) {
      const ref = (s: PlanStep, resourceId: string, summary: string): PlanStep => ({
        ...s,
        action: "no-op",
        resourceId,
        owned: false,
        summary,
        params: {},
      });
      const steps = plan.steps.map((s) =>
        s.id === "tgw"
          ? ref(s, targetId, `transit gateway ${targetId} (the hub, stack ${spec.stack})`)
          : s.id === "tgw-attach"
            ? ref(s, `${targetId}/${vpcId}`, `attachment of ${vpcId} to ${targetId} (the hub)`)
            : s,
      );
      return { ...plan, steps };
    },
  };
}

/** vpn create's flag errors about the gateway, named by the sites file's hub keys (`hub.transit-gateway: ...`). */
/** The hub stage's plan: the hub's steps under its own stack. */
function hubPlan(stack: string, where: PlanWhere, facts: HubFacts, steps: PlanStep[], warnings: string[]): Plan {
  return { schemaVersion: 1, command: "vpn apply", kind: "vpn", stack, region: where.region, offline: !facts.read, steps, warnings };
}

function hubKeys<T>(fn: () => T): T {
  const rename = (error: unknown): never => {
    if (!(error instanceof UsageError)) throw error;
    const key: Record<string, string> = { "--transit-gateway-id": "transit-gateway", "--tgw-subnets": "tgw-subnets", "--vpc-id": "vpcs" };
    const m = /^(--[a-z-]+): /.exec(error.message);
    throw m && key[m[1]!] ? new UsageError(`hub.${key[m[1]!]}: ${error.message.slice(m[0].length)}`) : error;
  };
  try {
    const out = fn();
    return out instanceof Promise ? (out.catch(rename) as T) : out;
  } catch (error) {
    return rename(error);
  }
}

/** vpcwire vpn stacks with a connection on the hub whose site the file no longer lists. */
export function stacksNotInFile(connections: VpnConnection[], names: Set<string>, hubStack: string): NotInFile[] {
  return connections
    .filter((c) => hasStackTags(c.Tags, { kind: "vpn" }) && tagValue(c.Tags, KIND_TAG) === "vpn")
    .map((c) => ({ stack: tagValue(c.Tags, STACK_TAG)!, vpnConnectionId: c.VpnConnectionId!, ...(c.State ? { state: c.State } : {}) }))
    .filter((s) => !names.has(s.stack) && s.stack !== hubStack)
    .sort((a, b) => a.stack.localeCompare(b.stack));
}
