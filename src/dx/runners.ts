/** The only code of `dx accept-vif` that writes to AWS: one runner per plan step type. */
import { ConfirmPrivateVirtualInterfaceCommand, TagResourceCommand, type VirtualInterface } from "@aws-sdk/client-direct-connect";
import { send } from "../aws/call.js";
import { getVif, VIF_GONE_STATES } from "../aws/dx.js";
import { awsCode } from "../aws/errors.js";
import { KIND_TAG, ROLE_TAG, STACK_TAG } from "../aws/tags.js";
import { idOf, propagationRunner, vgwRunners } from "../aws/vgw-runners.js";
import type { Journal, StepOutcome, StepRunner } from "../core/apply.js";
import type { Context } from "../core/context.js";
import type { PlanStep } from "../core/plan.js";
import type { PollVerdict } from "../core/poll.js";
import { resolveRegion } from "../core/region.js";
import { waiter } from "../core/wait.js";
import { gatewayOf, livePeers, vifArn, vifLoader, vifStateLabel } from "./aws.js";
import type { DxAcceptInput } from "./inputs.js";

/** Default wait for accepted interfaces to settle (`available`, or `down` until BGP comes up). */
export const DX_DEFAULT_TIMEOUT_MS = 20 * 60_000;
/** Default wait for BGP with --wait-bgp (after the interfaces settled): the partner or the on-prem router has to bring it up. */
export const DX_WAIT_BGP_DEFAULT_TIMEOUT_MS = 60 * 60_000;

/**
 * When a wait on an accepted interface is over. `down` means accepted but BGP not up yet: the end of
 * the wait for the interface itself (`waitBgp` false), while the BGP wait (`waitBgp` true) waits for
 * every BGP peer to be up.
 */
export function vifVerdict(vif: VirtualInterface | undefined, waitBgp: boolean): PollVerdict {
  const label = vifStateLabel(vif);
  if (!vif) return { status: "failed", state: label, reason: "it is no longer listed in this account and Region" };
  const state = vif.virtualInterfaceState ?? "unknown";
  if (state === "rejected") return { status: "failed", state, reason: "the interface was rejected (declined, or deleted before it was accepted)" };
  if (VIF_GONE_STATES.includes(state)) return { status: "failed", state, reason: "the partner or the owner deleted it" };
  if (state === "available") {
    const allUp = livePeers(vif).every((p) => p.bgpStatus === "up");
    return !waitBgp || allUp ? { status: "done", state: label } : { status: "wait", state: label };
  }
  if (state === "down") return waitBgp ? { status: "wait", state: label } : { status: "done", state: label };
  // confirming (not seen by AWS as accepted yet), pending, verifying, testing, unknown
  return { status: "wait", state: label };
}

/** What the runners of one run share: the waits, one look-up for every interface, and what happened so far. */
interface DxRun {
  ctx: Context;
  input: DxAcceptInput;
  journal: Journal;
  /** Waits on interfaces to settle, and on BGP with --wait-bgp (a longer default). */
  wait: ReturnType<typeof waiter>;
  waitBgp: ReturnType<typeof waiter>;
  /** Concurrent waits on several interfaces share one DescribeVirtualInterfaces call per poll. */
  loadVif: (id: string) => Promise<VirtualInterface | undefined>;
  /** The verdict of a poll, failing fast once another interface is gone. */
  verdict: (id: string, vif: VirtualInterface | undefined, bgp: boolean) => PollVerdict;
  /** The interface steps this run executed, so the BGP wait updates the interface's line in the failure report. */
  vifSteps: Map<string, PlanStep>;
  /** The note on propagation after a failed BGP wait is said once. */
  bgpNoteShown: boolean;
}

export function dxRunners(ctx: Context, input: DxAcceptInput, journal: Journal): Record<string, StepRunner> {
  const timeoutMs = ctx.config.timeoutMs ?? DX_DEFAULT_TIMEOUT_MS;
  // Fail fast: once one interface is rejected or deleted, the others stop waiting at their next poll
  // (the engine lets running steps settle, and a --wait-bgp wait could otherwise run to its timeout).
  let stopped: string | undefined;
  const run: DxRun = {
    ctx,
    input,
    journal,
    wait: waiter(ctx, timeoutMs),
    waitBgp: waiter(ctx, ctx.config.timeoutMs ?? DX_WAIT_BGP_DEFAULT_TIMEOUT_MS),
    loadVif: vifLoader(ctx),
    verdict: (id, vif, bgp) => {
      const v = vifVerdict(vif, bgp);
      if (v.status === "failed") stopped ??= `${id} is ${v.state}`;
      else if (v.status === "wait" && stopped) return { status: "failed", state: v.state, reason: `stopped waiting because ${stopped}` };
      return v;
    },
    vifSteps: new Map(),
    bgpNoteShown: false,
  };
  const shared = vgwRunners(ctx, { stack: input.stack, kind: "dx", journal, timeoutMs });
  return {
    ...shared,
    // The state says in the failure report that propagation is on.
    "route-propagation": propagationRunner(ctx, (vgwId) => `propagation from ${vgwId} on`),
    "dx-vif": vifRunner(run),
    "dx-bgp": bgpRunner(run),
  };
}

/** `dx-vif`: accept the interface onto the gateway (or find it accepted), wait until it settles, tag it. */
function vifRunner(run: DxRun): StepRunner {
  const { ctx, journal } = run;
  return async (step, results): Promise<StepOutcome> => {
    const id = String(step.params.virtualInterfaceId);
    const onDxgw = step.params.gatewayKind === "dxgw";
    const gatewayId = onDxgw ? String(step.params.directConnectGatewayId) : idOf(results, "vgw");
    const gateway = onDxgw ? { directConnectGatewayId: gatewayId } : { virtualGatewayId: gatewayId };

    if (step.params.confirm === true) {
      try {
        await send(ctx, "dx", new ConfirmPrivateVirtualInterfaceCommand({ virtualInterfaceId: id, ...gateway }));
      } catch (error) {
        // Accepted meanwhile onto the same gateway (the console, a second run) is what we wanted.
        const now = await getVif(ctx, id).catch(() => undefined);
        if (!now || gatewayOf(now)?.id !== gatewayId) throw error;
      }
      journal.record(step, id, "pending");
      ctx.io.success(`accepted ${id} onto ${gatewayId}`);
    }

    run.vifSteps.set(id, step);
    const label = vifLabel(step);
    const vif = await run.wait(
      `virtual interface ${id}`,
      label,
      () => run.loadVif(id),
      (v) => run.verdict(id, v, false),
      {
        retryOn: () => false,
        onState: (state) => {
          if (step.action === "update" && step.params.confirm === true) journal.record(step, id, state);
        },
        doneText: (v) => (v?.virtualInterfaceState === "down" ? `${label}: accepted, but BGP is not up yet (down)` : `${label}: ${vifStateLabel(v)}`),
      },
    );
    if (step.params.tag === true && vif) await tagVif(run, vif);
    return { resourceId: id, ...(vif?.virtualInterfaceState ? { state: vif.virtualInterfaceState } : {}), data: { vif } };
  };
}

/** Tag an accepted interface with the stack, so `dx status --stack` finds it. Not worth failing the run over. */
async function tagVif({ ctx, input }: DxRun, vif: VirtualInterface): Promise<void> {
  const id = vif.virtualInterfaceId!;
  // DescribeVirtualInterfaces names the Region; should an endpoint leave it out, it is the one the run uses.
  const where = vif.region ?? (await resolveRegion(ctx));
  if (!where || !vif.ownerAccount) {
    ctx.io.warn(`${id} was not tagged (its Region or owner account is unknown); find it with --vif-id ${id}`);
    return;
  }
  try {
    await send(
      ctx,
      "dx",
      new TagResourceCommand({
        resourceArn: vifArn(where, vif.ownerAccount, id),
        tags: [
          { key: STACK_TAG, value: input.stack },
          { key: KIND_TAG, value: "dx" },
          { key: ROLE_TAG, value: "vif" },
        ],
      }),
    );
  } catch (error) {
    ctx.io.warn(
      `${id} is accepted but could not be tagged (${awsCode(error) ?? "error"}: ${(error as Error).message}); ` +
        `dx status --stack ${input.stack} finds it only through a gateway the stack created; --vif-id ${id} always works`,
    );
  }
}

/**
 * `dx-bgp` (--wait-bgp): wait until every BGP peer of an accepted interface is up. Runs after propagation
 * is on, so when it times out the routes still arrive once the partner brings BGP up.
 */
function bgpRunner(run: DxRun): StepRunner {
  const { ctx, input, journal } = run;
  return async (step, results): Promise<StepOutcome> => {
    const id = String(step.params.virtualInterfaceId);
    // The interface's line in the failure report: changed by this run, or reused as it was.
    const vifStep = run.vifSteps.get(id) ?? { ...step, resource: "virtual interface", action: "reuse" as const };
    const label = `BGP of ${vifLabel(step)}`;
    try {
      const vif = await run.waitBgp(
        `BGP of virtual interface ${id}`,
        label,
        () => run.loadVif(id),
        (v) => run.verdict(id, v, true),
        {
          retryOn: () => false,
          onState: (state) => journal.record(vifStep, id, state),
          doneText: (v) => `${label}: ${vifStateLabel(v)}`,
        },
      );
      journal.record(vifStep, id, vifStateLabel(vif));
      return { ...(vif?.virtualInterfaceState ? { state: vif.virtualInterfaceState } : {}), data: { vif } };
    } catch (error) {
      const tables = step.dependsOn.filter((d) => d.startsWith("propagation:")).map((d) => results.get(d)?.resourceId ?? d.slice("propagation:".length));
      if (tables.length && !run.bgpNoteShown) {
        run.bgpNoteShown = true;
        ctx.io.info(
          `Route propagation from ${idOf(results, "vgw")} is on in ${tables.join(", ")}: the partner's routes arrive as soon as BGP comes up. ` +
            `Check with: vpcwire dx status --stack ${input.stack}`,
        );
      }
      throw error;
    }
  };
}

/** `virtual interface dxvif-0abc (name), VLAN 101`: the progress line of a wait on an interface. */
function vifLabel(step: PlanStep): string {
  const name = typeof step.params.name === "string" && step.params.name ? ` (${step.params.name})` : "";
  const vlan = step.params.vlan !== undefined && step.params.vlan !== null ? `, VLAN ${String(step.params.vlan)}` : "";
  return `virtual interface ${String(step.params.virtualInterfaceId)}${name}${vlan}`;
}
