/**
 * `list`, `status` and `destroy` for Direct Connect stacks (`dx accept-vif`).
 *
 * What a dx stack holds: the virtual private gateway it created and attached (tagged with the stack,
 * kind `dx`), or the one it reused, and the hosted virtual interfaces it accepted (tagged with the
 * stack through Direct Connect's TagResource, or found on the stack's gateway when tagging failed).
 *
 * Destroy never deletes an interface: a hosted VIF belongs to the partner's connection. It removes the
 * gateway the stack created (propagation off, detach, delete) only when no interface uses it any more;
 * while one does, the gateway stays attached, with a warning that says how to get rid of it (see
 * src/lifecycle/teardown.ts). Running destroy again after the partner deleted the interfaces finishes.
 */
import type { VirtualInterface } from "@aws-sdk/client-direct-connect";
import { send } from "../aws/call.js";
import { isVifGone, listVifs } from "../aws/dx.js";
import { hasStackTags, KIND_TAG, STACK_TAG } from "../aws/tags.js";
import { attachedVpcOf, getVpnGateway } from "../aws/vgw.js";
import type { Journal, StepRunner } from "../core/apply.js";
import type { Context } from "../core/context.js";
import { AwsError } from "../core/errors.js";
import type { PlanStep } from "../core/plan.js";
import { vgwResource } from "../lifecycle/summary.js";
import { DESTROY_TIMEOUT_MS, keptStep, planVgwTeardown, type TeardownVgw, teardownRunners } from "../lifecycle/teardown.js";
import type { KindLifecycle, StackResource, StackSummary, StatusReport } from "../lifecycle/types.js";
import { bgpSummary, dxTagValue, isVifHealthy } from "./aws.js";
import { dxReportSections, readDxReport } from "./report.js";

const ec2 = () => import("@aws-sdk/client-ec2");

interface DxStackParts {
  /** The stack's own gateways first, then those it reused (found through its interfaces). */
  vgws: TeardownVgw[];
  /** The stack's interfaces that still exist. */
  vifs: VirtualInterface[];
  /** Direct Connect gateways the interfaces are on (never the stack's: dx accept-vif does not create them). */
  dxGateways: string[];
  /** Every interface of the Region, when they could be read (to see what else uses the stack's gateway). */
  allVifs?: VirtualInterface[];
  warning?: string;
}

/** Every interface of the Region; a principal that may not read Direct Connect gets a warning and none. */
async function readAllVifs(ctx: Context): Promise<{ vifs?: VirtualInterface[]; warning?: string }> {
  try {
    return { vifs: await listVifs(ctx) };
  } catch (error) {
    if (!(error instanceof AwsError) || error.details.code === "CredentialsError" || error.details.code === "RegionMissing") throw error;
    return {
      warning: `Could not read Direct Connect virtual interfaces (${error.details.code}: ${error.message}); dx stacks are shown through the gateways they created only.`,
    };
  }
}

const isLive = (v: VirtualInterface) => !isVifGone(v);

/** Tagged for this stack by `dx accept-vif` (a kind tag, when present, must say dx). */
function taggedFor(v: VirtualInterface): string | undefined {
  const kind = dxTagValue(v.tags, KIND_TAG);
  return kind === undefined || kind === "dx" ? dxTagValue(v.tags, STACK_TAG) : undefined;
}

async function readParts(ctx: Context, stack: string, listed?: { vifs?: VirtualInterface[]; warning?: string }): Promise<DxStackParts> {
  const { DescribeVpnGatewaysCommand } = await ec2();
  const filters = [
    { Name: `tag:${STACK_TAG}`, Values: [stack] },
    { Name: `tag:${KIND_TAG}`, Values: ["dx"] },
  ];
  const [out, all] = await Promise.all([send(ctx, "ec2", new DescribeVpnGatewaysCommand({ Filters: filters })), listed ?? readAllVifs(ctx)]);
  const owned = (out.VpnGateways ?? []).filter((g) => g.State !== "deleted" && hasStackTags(g.Tags, { stack, kind: "dx" })).map((g) => ({ ...g, owned: true }));
  const ownedIds = new Set(owned.map((g) => g.VpnGatewayId!));
  // The stack's interfaces: tagged with it, or on its gateway (accepted, then the tagging failed).
  const vifs = (all.vifs ?? []).filter((v) => isLive(v) && (taggedFor(v) === stack || ownedIds.has(v.virtualGatewayId ?? "")));
  const otherIds = [...new Set(vifs.map((v) => v.virtualGatewayId).filter((id): id is string => Boolean(id) && !ownedIds.has(id!)))];
  const reused: TeardownVgw[] = [];
  for (const id of otherIds) {
    const g = await getVpnGateway(ctx, id);
    if (g && g.State !== "deleted") reused.push({ ...g, owned: false });
  }
  const dxGateways = [...new Set(vifs.map((v) => v.directConnectGatewayId).filter((id): id is string => Boolean(id)))];
  return {
    vgws: [...owned, ...reused],
    vifs,
    dxGateways,
    ...(all.vifs ? { allVifs: all.vifs } : {}),
    ...(all.warning ? { warning: all.warning } : {}),
  };
}

function vifDetail(v: VirtualInterface): string {
  const on = v.virtualGatewayId
    ? `on ${v.virtualGatewayId}`
    : v.directConnectGatewayId
      ? `on Direct Connect gateway ${v.directConnectGatewayId}`
      : "not accepted";
  return [v.vlan !== undefined ? `VLAN ${v.vlan}` : undefined, `BGP ${bgpSummary(v)}`, on].filter(Boolean).join(", ");
}

/** One word for `list`: available (every interface up), pending, down, or partial (a gateway and no interface). */
function stackState(parts: DxStackParts): string {
  if (parts.vifs.length === 0) return parts.vgws.some((g) => g.owned) ? "partial" : "empty";
  if (parts.vifs.every(isVifHealthy)) return "available";
  if (parts.vifs.some((v) => ["confirming", "pending", "verifying"].includes(v.virtualInterfaceState ?? ""))) return "pending";
  return "down";
}

function summarise(stack: string, parts: DxStackParts): StackSummary {
  const resources: StackResource[] = [
    ...parts.vgws.map(vgwResource),
    ...parts.dxGateways.map((id) => ({ type: "Direct Connect gateway", id, owned: false })),
    ...parts.vifs.map((v) => ({
      type: "virtual interface",
      id: v.virtualInterfaceId!,
      // A hosted interface belongs to the partner's connection: never the stack's.
      owned: false,
      ...(v.virtualInterfaceState ? { state: v.virtualInterfaceState } : {}),
      detail: vifDetail(v),
    })),
  ];
  return { stack, kind: "dx", state: stackState(parts), resources };
}

async function discover(ctx: Context, stack?: string): Promise<StackSummary[]> {
  if (stack) {
    const parts = await readParts(ctx, stack);
    const summary = summarise(stack, parts);
    if (summary.resources.length && parts.warning) ctx.io.warn(parts.warning);
    return summary.resources.length ? [summary] : [];
  }
  const { DescribeVpnGatewaysCommand } = await ec2();
  const [out, listed] = await Promise.all([
    send(ctx, "ec2", new DescribeVpnGatewaysCommand({ Filters: [{ Name: `tag:${KIND_TAG}`, Values: ["dx"] }] })),
    readAllVifs(ctx),
  ]);
  if (listed.warning) ctx.io.warn(listed.warning);
  const names = new Set<string>();
  for (const g of out.VpnGateways ?? []) {
    const name = g.Tags?.find((t) => t.Key === STACK_TAG)?.Value;
    if (name && g.State !== "deleted" && hasStackTags(g.Tags, { kind: "dx" })) names.add(name);
  }
  for (const v of listed.vifs ?? []) {
    const name = taggedFor(v);
    if (name && isLive(v)) names.add(name);
  }
  const summaries: StackSummary[] = [];
  for (const name of [...names].sort()) summaries.push(summarise(name, await readParts(ctx, name, listed)));
  return summaries.filter((s) => s.resources.length > 0);
}

async function status(ctx: Context, summary: StackSummary): Promise<StatusReport> {
  const parts = await readParts(ctx, summary.stack);
  // The same report as `dx status`: per interface its state and BGP peers, per route table propagation and routes.
  const report = await readDxReport(ctx, parts.vifs);
  const sections: StatusReport["sections"] = dxReportSections(report);
  // A gateway with no interface on it: `dx accept-vif` stopped before accepting any, or the partner deleted them.
  for (const g of parts.vgws.filter((g) => !parts.vifs.some((v) => v.virtualGatewayId === g.VpnGatewayId))) {
    const vpc = attachedVpcOf(g);
    sections.push({
      title: `Gateway ${g.VpnGatewayId} (${g.owned ? "created by this stack" : "not created by this stack"})`,
      lines: [
        {
          ok: false,
          text:
            `${g.State}, ${vpc ? `attached to ${vpc}` : "not attached to a VPC"}, no Direct Connect virtual interface on it: ` +
            `accept the partner's interfaces with the same dx accept-vif command, or remove the gateway with vpcwire destroy --stack ${summary.stack}`,
        },
      ],
    });
  }
  if (parts.warning) sections.push({ title: "Direct Connect", lines: [{ ok: false, text: parts.warning }] });
  return {
    healthy: report.healthy,
    sections,
    data: {
      virtualInterfaces: report.virtualInterfaces,
      virtualPrivateGateways: report.virtualPrivateGateways,
      gateways: parts.vgws.map((g) => ({ virtualGatewayId: g.VpnGatewayId, owned: g.owned, state: g.State, vpcId: attachedVpcOf(g) ?? null })),
    },
  };
}

async function destroySteps(ctx: Context, summary: StackSummary): Promise<{ steps: PlanStep[]; warnings: string[] }> {
  const parts = await readParts(ctx, summary.stack);
  const steps: PlanStep[] = [];
  for (const v of parts.vifs) {
    const on = v.virtualGatewayId || (v.directConnectGatewayId ? `Direct Connect gateway ${v.directConnectGatewayId}` : "");
    steps.push(
      keptStep("virtual interface", v.virtualInterfaceId!, `belongs to the partner; ask them to delete it, or it stays attached${on ? ` to ${on}` : ""}`),
    );
  }
  for (const id of parts.dxGateways) steps.push(keptStep("Direct Connect gateway", id, "not created by this stack"));
  // Any interface on the stack's gateway keeps it, the stack's own or not: pass them all.
  const gateways = await planVgwTeardown(ctx, parts.vgws, { ...(parts.allVifs ? { vifs: parts.allVifs } : {}), keepWhenUnchecked: true });
  steps.push(...gateways.propagation, ...gateways.gatewaySteps([]));
  return { steps, warnings: gateways.warnings };
}

async function destroyRunners(ctx: Context, _summary: StackSummary, journal: Journal): Promise<Record<string, StepRunner>> {
  return teardownRunners(ctx, journal, ctx.config.timeoutMs ?? DESTROY_TIMEOUT_MS);
}

export const dxLifecycle: KindLifecycle = { kind: "dx", discover, status, destroySteps, destroyRunners };
