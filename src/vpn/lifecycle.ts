/** `list`, `status` and `destroy` for VPN stacks. */
import type { CustomerGateway, VgwTelemetry, VpnConnection, VpnGateway } from "@aws-sdk/client-ec2";
import { send } from "../aws/call.js";
import { describeSgRule, describeSgRules, findStackSgRules, type StackSgRule } from "../aws/sg-rules.js";
import { hasStackTags, KIND_TAG, STACK_TAG, tagValue } from "../aws/tags.js";
import { listRouteTables, nameOf } from "../aws/vpc.js";
import type { Journal, StepRunner } from "../core/apply.js";
import type { Context } from "../core/context.js";
import type { PlanStep } from "../core/plan.js";
import { retryWhileBlocked, untilDone } from "../core/wait.js";
import { vgwResource } from "../lifecycle/summary.js";
import { DESTROY_TIMEOUT_MS, deletedOutcome, keptStep, planVgwTeardown, sgRevokeSteps, teardownRunners } from "../lifecycle/teardown.js";
import { planTgwTeardown, readTgwParts, type TgwStackParts, tgwResources, tgwStatus, tgwTeardownRunners } from "../lifecycle/tgw.js";
import type { KindLifecycle, StackResource, StackSummary, StatusLine, StatusReport } from "../lifecycle/types.js";
import { type CryptoDevice, cryptoFromTunnelOption, DEVICE_REFUSALS, describeCrypto, describeRefusals, refusedBy } from "../net/crypto.js";
import { DEVICE_TAG } from "./inputs.js";
import { plainCrypto } from "./plan.js";
import { describeKeyStorage, pskStorageOf } from "./psk-storage.js";

const ec2 = () => import("@aws-sdk/client-ec2");
const gone = (state: string | undefined) => state === "deleted";

export interface VpnStackParts {
  connections: VpnConnection[];
  vgws: Array<VpnGateway & { owned: boolean }>;
  cgws: Array<CustomerGateway & { owned: boolean }>;
  rules: StackSgRule[];
  /** Transit Gateway pieces (connections on a gateway). */
  tgw: TgwStackParts;
}

export async function readParts(ctx: Context, stack: string): Promise<VpnStackParts> {
  const { DescribeVpnConnectionsCommand, DescribeVpnGatewaysCommand, DescribeCustomerGatewaysCommand } = await ec2();
  // Only what `vpn create` made: a dx stack's gateway or a flets stack's rule carries another kind.
  const filters = [
    { Name: `tag:${STACK_TAG}`, Values: [stack] },
    { Name: `tag:${KIND_TAG}`, Values: ["vpn"] },
  ];
  const [conns, vgws, cgws, rules] = await Promise.all([
    send(ctx, "ec2", new DescribeVpnConnectionsCommand({ Filters: filters })),
    send(ctx, "ec2", new DescribeVpnGatewaysCommand({ Filters: filters })),
    send(ctx, "ec2", new DescribeCustomerGatewaysCommand({ Filters: filters })),
    findStackSgRules(ctx, stack, "vpn"),
  ]);
  const mine = (tags: Array<{ Key?: string; Value?: string }> | undefined) => hasStackTags(tags, { stack, kind: "vpn" });
  const connections = (conns.VpnConnections ?? []).filter((c) => !gone(c.State) && mine(c.Tags));
  const ownedVgws = (vgws.VpnGateways ?? []).filter((g) => !gone(g.State) && mine(g.Tags)).map((g) => ({ ...g, owned: true }));
  const ownedCgws = (cgws.CustomerGateways ?? []).filter((g) => !gone(g.State) && mine(g.Tags)).map((g) => ({ ...g, owned: true }));
  // Gateways a connection uses but the stack did not create (reused): found through the connection.
  const otherVgwIds = [...new Set(connections.map((c) => c.VpnGatewayId).filter((id): id is string => Boolean(id)))].filter(
    (id) => !ownedVgws.some((g) => g.VpnGatewayId === id),
  );
  const otherCgwIds = [...new Set(connections.map((c) => c.CustomerGatewayId).filter((id): id is string => Boolean(id)))].filter(
    (id) => !ownedCgws.some((g) => g.CustomerGatewayId === id),
  );
  const reusedVgws = otherVgwIds.length
    ? ((await send(ctx, "ec2", new DescribeVpnGatewaysCommand({ VpnGatewayIds: otherVgwIds }))).VpnGateways ?? []).map((g) => ({ ...g, owned: false }))
    : [];
  const reusedCgws = otherCgwIds.length
    ? ((await send(ctx, "ec2", new DescribeCustomerGatewaysCommand({ CustomerGatewayIds: otherCgwIds }))).CustomerGateways ?? []).map((g) => ({
        ...g,
        owned: false,
      }))
    : [];
  const tgw = await readTgwParts(ctx, stack, "vpn", connections);
  return { connections, vgws: [...ownedVgws, ...reusedVgws], cgws: [...ownedCgws, ...reusedCgws], rules, tgw };
}

function summarise(stack: string, parts: VpnStackParts): StackSummary {
  const resources: StackResource[] = [
    ...parts.vgws.map(vgwResource),
    ...tgwResources(parts.tgw),
    ...parts.cgws.map((g) => ({
      type: "customer gateway",
      id: g.CustomerGatewayId!,
      owned: g.owned,
      ...(g.State ? { state: g.State } : {}),
      detail: `${g.IpAddress}, ASN ${g.BgpAsn ?? g.BgpAsnExtended}`,
    })),
    ...parts.connections.map((c) => ({
      type: "VPN connection",
      id: c.VpnConnectionId!,
      owned: tagValue(c.Tags, STACK_TAG) === stack,
      ...(c.State ? { state: c.State } : {}),
      detail: `${c.Options?.StaticRoutesOnly ? "static routes" : "BGP"}${c.TransitGatewayId ? ` on ${c.TransitGatewayId}${c.Options?.EnableAcceleration ? ", accelerated" : ""}` : ""}`,
    })),
    ...parts.rules.map((r) => ({ type: "security group rule", id: r.ruleId, owned: true, detail: describeSgRule(r) })),
  ];
  const state = parts.connections[0]?.State ?? (resources.length ? "partial" : "empty");
  return { stack, kind: "vpn", state, resources };
}

/**
 * What a tunnel's telemetry means, in words a router engineer can act on. `awsStarts`: the tunnel's
 * startup action is `start`, so AWS initiates IKE rather than waiting for the router.
 */
export function explainTunnel(t: VgwTelemetry, bgp: boolean, awsStarts = false): StatusLine & { why: string | undefined } {
  const status = t.Status ?? "UNKNOWN";
  const message = (t.StatusMessage ?? "").trim();
  const routes = t.AcceptedRouteCount ?? 0;
  const since = t.LastStatusChange ? ` since ${new Date(t.LastStatusChange).toISOString().replace(".000Z", "Z")}` : "";
  // Accepted routes mean something only with BGP.
  const count = bgp ? `, ${routes} BGP route${routes === 1 ? "" : "s"} accepted` : "";
  const head = `tunnel ${t.OutsideIpAddress}: ${status}${message ? ` (${message})` : ""}${since}${count}`;
  let why: string | undefined;
  if (status === "UP") {
    why = bgp && routes === 0 ? "BGP is up but your router announces no routes: add network statements for the on-prem prefixes" : undefined;
  } else if (/IPSEC IS UP/i.test(message) || (bgp && /BGP/i.test(message))) {
    why = "IPsec is up but BGP is down: check the neighbor statements on the router (neighbor address, remote-as, timers)";
  } else if (awsStarts) {
    why =
      "IKE does not come up: AWS starts it (startup action start), so check that the router has the config, the pre-shared key, and that UDP 500/4500 and ESP from AWS reach it";
  } else {
    why = "no IKE from your router yet: AWS waits for the customer side to initiate (check the pre-shared key, and that UDP 500/4500 and ESP reach AWS)";
  }
  return { ok: status === "UP" && why === undefined, text: why ? `${head}: ${why}` : head, why };
}

async function status(ctx: Context, summary: StackSummary): Promise<StatusReport> {
  const parts = await readParts(ctx, summary.stack);
  const sections: StatusReport["sections"] = [];
  let healthy = parts.connections.length > 0;
  const data: Record<string, unknown> = { connections: [], propagation: [], securityGroupRules: parts.rules };
  for (const c of parts.connections) {
    const bgp = c.Options?.StaticRoutesOnly !== true;
    const lines: StatusLine[] = [
      {
        ok: c.State === "available",
        text: `state ${c.State}, ${bgp ? "BGP" : "static routes"}, ${c.TransitGatewayId ? `transit gateway ${c.TransitGatewayId}${c.Options?.EnableAcceleration ? " (accelerated)" : ""}` : `gateway ${c.VpnGatewayId}`}, customer gateway ${c.CustomerGatewayId}`,
      },
    ];
    if (c.State !== "available") healthy = false;
    const awsStarts = (ip: string | undefined) => c.Options?.TunnelOptions?.find((o) => o.OutsideIpAddress === ip)?.StartupAction === "start";
    for (const t of c.VgwTelemetry ?? []) {
      const line = explainTunnel(t, bgp, awsStarts(t.OutsideIpAddress));
      if (!line.ok) healthy = false;
      lines.push(line);
    }
    if (!c.VgwTelemetry?.length && c.State === "available") {
      // Silence would read as "nothing to worry about"; an endpoint without telemetry tells us nothing.
      healthy = false;
      lines.push({ ok: false, text: "tunnels: state unknown: AWS returned no tunnel telemetry (VgwTelemetry) for this connection" });
    }
    const crypto = tunnelCryptoStatus(c);
    lines.push(...crypto.lines);
    lines.push({ ok: null, text: describeKeyStorage(c) });
    if (!bgp && !c.TransitGatewayId) {
      const routes = (c.Routes ?? []).filter((r) => r.State !== "deleted").map((r) => `${r.DestinationCidrBlock} (${r.State})`);
      lines.push({ ok: routes.length > 0 ? null : false, text: `static routes: ${routes.join(", ") || "none: add them with the same vpn create command"}` });
    }
    sections.push({ title: `VPN connection ${c.VpnConnectionId}`, lines });
    (data.connections as unknown[]).push({
      vpnConnectionId: c.VpnConnectionId,
      state: c.State,
      routing: bgp ? "bgp" : "static",
      tunnelsKnown: Boolean(c.VgwTelemetry?.length),
      tunnels: (c.VgwTelemetry ?? []).map((t) => ({
        outsideIp: t.OutsideIpAddress,
        status: t.Status,
        statusMessage: t.StatusMessage,
        acceptedRouteCount: t.AcceptedRouteCount,
        lastStatusChange: t.LastStatusChange,
        explanation: explainTunnel(t, bgp, awsStarts(t.OutsideIpAddress)).why ?? "up",
      })),
      device: crypto.device ?? null,
      tunnelCrypto: crypto.data,
      keyStorage: { storage: pskStorageOf(c), secretArn: c.PreSharedKeyArn ?? null },
    });
  }
  for (const vgw of parts.vgws) {
    const vpcId = vgw.VpcAttachments?.find((a) => a.State === "attached" || a.State === "attaching")?.VpcId;
    if (!vpcId) {
      sections.push({ title: `Gateway ${vgw.VpnGatewayId}`, lines: [{ ok: false, text: "not attached to a VPC" }] });
      healthy = false;
      continue;
    }
    const tables = await listRouteTables(ctx, vpcId);
    const lines = tables.map((t) => {
      const on = t.PropagatingVgws?.some((p) => p.GatewayId === vgw.VpnGatewayId) ?? false;
      const propagated = (t.Routes ?? []).filter((r) => r.Origin === "EnableVgwRoutePropagation" && r.GatewayId === vgw.VpnGatewayId);
      (data.propagation as unknown[]).push({
        routeTableId: t.RouteTableId,
        vgwId: vgw.VpnGatewayId,
        enabled: on,
        propagatedRoutes: propagated.map((r) => r.DestinationCidrBlock),
      });
      return {
        ok: on ? true : null,
        text: `${t.RouteTableId}${nameOf(t.Tags) ? ` (${nameOf(t.Tags)})` : ""}: propagation ${on ? "on" : "off: subnets using this table do not get on-prem routes"}${propagated.length ? `, routes ${propagated.map((r) => r.DestinationCidrBlock).join(", ")}` : ""}`,
      };
    });
    sections.push({ title: `Route propagation from ${vgw.VpnGatewayId} in ${vpcId}`, lines });
  }
  const tgw = tgwStatus(parts.tgw);
  if (!tgw.healthy) healthy = false;
  sections.push(...tgw.sections);
  data.transitGateway = tgw.data;
  if (parts.rules.length) sections.push({ title: "Security group rules added", lines: parts.rules.map((r) => ({ ok: null, text: describeSgRule(r) })) });
  return { healthy, sections, data };
}

/**
 * Each tunnel's crypto from `Options.TunnelOptions`, flagged when it allows what the device refuses
 * by default. The device is the `vpcwire:device` tag `vpn create` put on the connection; without it
 * (made by hand, or by an older vpcwire) every device vpcwire renders for is checked. A flagged tunnel
 * does not make the stack unhealthy by itself: an older router may accept it (the telemetry says).
 */
export function tunnelCryptoStatus(c: VpnConnection): {
  device: CryptoDevice | undefined;
  lines: StatusLine[];
  data: Array<{ outsideIp: string | undefined; crypto: string; refusedBy: Array<{ device: CryptoDevice; text: string }>; unknownValues: string[] }>;
} {
  const tag = tagValue(c.Tags, DEVICE_TAG);
  const device = tag && tag in DEVICE_REFUSALS ? (tag as CryptoDevice) : undefined;
  const devices = device ? [device] : (Object.keys(DEVICE_REFUSALS) as CryptoDevice[]);
  const lines: StatusLine[] = [];
  const data: ReturnType<typeof tunnelCryptoStatus>["data"] = [];
  for (const option of c.Options?.TunnelOptions ?? []) {
    const { unknown, ...crypto } = cryptoFromTunnelOption(option);
    const refusals = devices
      .map((d) => ({ device: d, text: describeRefusals(d, refusedBy(d, crypto)) }))
      .filter((r): r is { device: CryptoDevice; text: string } => r.text !== undefined);
    const text = describeCrypto(plainCrypto(crypto));
    const extra = unknown.length ? `; values vpcwire does not know: ${unknown.join(", ")}` : "";
    lines.push(
      refusals.length
        ? {
            ok: false,
            text: `tunnel ${option.OutsideIpAddress} crypto: ${text}${extra}: ${refusals.map((r) => r.text).join("; ")}; change it with vpn create --crypto modern (one tunnel at a time)`,
          }
        : { ok: null, text: `tunnel ${option.OutsideIpAddress} crypto: ${text}${extra}` },
    );
    data.push({ outsideIp: option.OutsideIpAddress, crypto: text, refusedBy: refusals, unknownValues: unknown });
  }
  return { device, lines, data };
}

/**
 * VPN connections of other stacks (or made by hand) on this stack's gateways: another `vpn create`
 * for the same VPC reuses the one gateway a VPC can have. Such a gateway must outlive this stack.
 */
async function otherConnections(ctx: Context, stack: string, parts: VpnStackParts): Promise<Map<string, string[]>> {
  const owned = parts.vgws.filter((g) => g.owned).map((g) => g.VpnGatewayId!);
  const users = new Map<string, string[]>();
  if (owned.length === 0) return users;
  const { DescribeVpnConnectionsCommand } = await ec2();
  const out = await send(ctx, "ec2", new DescribeVpnConnectionsCommand({ Filters: [{ Name: "vpn-gateway-id", Values: owned }] }));
  for (const c of out.VpnConnections ?? []) {
    if (!owned.includes(c.VpnGatewayId ?? "") || c.State === "deleted" || c.State === "deleting") continue;
    if (tagValue(c.Tags, STACK_TAG) === stack) continue;
    const other = tagValue(c.Tags, STACK_TAG);
    users.set(c.VpnGatewayId!, [...(users.get(c.VpnGatewayId!) ?? []), `VPN connection ${c.VpnConnectionId}${other ? ` (stack ${other})` : ""}`]);
  }
  return users;
}

async function destroySteps(ctx: Context, summary: StackSummary): Promise<{ steps: PlanStep[]; warnings: string[] }> {
  const parts = await readParts(ctx, summary.stack);
  const steps: PlanStep[] = [];
  // 1. Propagation off on every table that propagates from a gateway the stack will delete.
  const gateways = await planVgwTeardown(ctx, parts.vgws, { usedBy: await otherConnections(ctx, summary.stack, parts) });
  steps.push(...gateways.propagation);
  // 2. Security-group rules the stack added.
  steps.push(...sgRevokeSteps(parts.rules));
  // 3. VPN connections, then what they used.
  const connIds: string[] = [];
  for (const c of parts.connections) {
    if (tagValue(c.Tags, STACK_TAG) !== summary.stack) {
      steps.push(keptStep("VPN connection", c.VpnConnectionId!, "not created by this stack"));
      continue;
    }
    const id = `vpn-delete:${c.VpnConnectionId}`;
    connIds.push(id);
    steps.push({
      id,
      type: "vpn-connection-delete",
      action: "delete",
      resource: "VPN connection",
      resourceId: c.VpnConnectionId!,
      owned: true,
      summary:
        `VPN connection ${c.VpnConnectionId}${c.State === "deleting" ? " (already deleting)" : ""}; wait until deleted` +
        (c.PreSharedKeyArn ? `; its pre-shared key secret ${c.PreSharedKeyArn} is Site-to-Site VPN's to delete, vpcwire does not touch it` : ""),
      params: { vpnConnectionId: c.VpnConnectionId, ...(c.PreSharedKeyArn ? { preSharedKeyArn: c.PreSharedKeyArn } : {}) },
      dependsOn: gateways.propagationIds,
    });
  }
  for (const g of parts.cgws) {
    if (!g.owned) {
      steps.push(keptStep("customer gateway", g.CustomerGatewayId!, "it existed before this stack"));
      continue;
    }
    steps.push({
      id: `cgw-delete:${g.CustomerGatewayId}`,
      type: "customer-gateway-delete",
      action: "delete",
      resource: "customer gateway",
      resourceId: g.CustomerGatewayId!,
      owned: true,
      summary: `customer gateway ${g.CustomerGatewayId} (${g.IpAddress})`,
      params: { customerGatewayId: g.CustomerGatewayId },
      dependsOn: connIds,
    });
  }
  steps.push(...gateways.gatewaySteps(connIds));
  // Transit Gateway pieces after the connections: VPC routes, TGW routes, the VPC attachment, the gateway.
  const tgw = await planTgwTeardown(ctx, summary.stack, parts.tgw, connIds);
  steps.push(...tgw.steps);
  const warnings = [...gateways.warnings, ...tgw.warnings];
  for (const c of parts.connections) {
    if (!c.PreSharedKeyArn || tagValue(c.Tags, STACK_TAG) !== summary.stack) continue;
    warnings.push(
      `VPN connection ${c.VpnConnectionId} keeps its pre-shared keys in Secrets Manager secret ${c.PreSharedKeyArn}: a managed secret owned by Site-to-Site VPN, ` +
        "which deletes it with the connection (vpcwire makes no Secrets Manager call and never deletes a secret itself).",
    );
  }
  return { steps, warnings };
}

async function destroyRunners(ctx: Context, _summary: StackSummary, journal: Journal): Promise<Record<string, StepRunner>> {
  const m = await ec2();
  const timeoutMs = ctx.config.timeoutMs ?? DESTROY_TIMEOUT_MS;
  const waitFor = untilDone(ctx, timeoutMs);
  return {
    ...(await teardownRunners(ctx, journal, timeoutMs)),
    ...(await tgwTeardownRunners(ctx, journal, timeoutMs)),
    "vpn-connection-delete": async (step) => {
      const id = String(step.params.vpnConnectionId);
      await retryWhileBlocked(ctx, {
        what: `VPN connection ${id}`,
        call: () => send(ctx, "ec2", new m.DeleteVpnConnectionCommand({ VpnConnectionId: id })),
        timeoutMs,
      });
      await waitFor(
        `VPN connection ${id} deleting`,
        async () => {
          try {
            return (await send(ctx, "ec2", new m.DescribeVpnConnectionsCommand({ VpnConnectionIds: [id] }))).VpnConnections?.[0]?.State ?? "deleted";
          } catch {
            return "deleted";
          }
        },
        (state) => (state === "deleted" ? true : state),
      );
      return deletedOutcome(journal, step);
    },
    "customer-gateway-delete": async (step) => {
      const id = String(step.params.customerGatewayId);
      await retryWhileBlocked(ctx, {
        what: `customer gateway ${id}`,
        call: () => send(ctx, "ec2", new m.DeleteCustomerGatewayCommand({ CustomerGatewayId: id })),
        timeoutMs,
      });
      ctx.io.success(`customer gateway ${id} deleted`);
      return deletedOutcome(journal, step);
    },
  };
}

async function discover(ctx: Context, stack?: string): Promise<StackSummary[]> {
  if (stack) {
    const summary = summarise(stack, await readParts(ctx, stack));
    return summary.resources.length ? [summary] : [];
  }
  const {
    DescribeVpnConnectionsCommand,
    DescribeVpnGatewaysCommand,
    DescribeCustomerGatewaysCommand,
    DescribeTransitGatewaysCommand,
    DescribeTransitGatewayVpcAttachmentsCommand,
  } = await ec2();
  const filters = [{ Name: `tag:${KIND_TAG}`, Values: ["vpn"] }];
  const [a, b, c, d, e, f] = await Promise.all([
    send(ctx, "ec2", new DescribeVpnConnectionsCommand({ Filters: filters })),
    send(ctx, "ec2", new DescribeVpnGatewaysCommand({ Filters: filters })),
    send(ctx, "ec2", new DescribeCustomerGatewaysCommand({ Filters: filters })),
    describeSgRules(ctx, filters),
    send(ctx, "ec2", new DescribeTransitGatewaysCommand({ Filters: filters })),
    send(ctx, "ec2", new DescribeTransitGatewayVpcAttachmentsCommand({ Filters: filters })),
  ]);
  const names = new Set<string>();
  for (const r of [
    ...(a.VpnConnections ?? []),
    ...(b.VpnGateways ?? []),
    ...(c.CustomerGateways ?? []),
    ...d,
    ...(e.TransitGateways ?? []),
    ...(f.TransitGatewayVpcAttachments ?? []),
  ]) {
    const state = (r as { State?: string }).State;
    const name = tagValue(r.Tags, STACK_TAG);
    if (name && !gone(state) && hasStackTags(r.Tags, { kind: "vpn" })) names.add(name);
  }
  const out: StackSummary[] = [];
  for (const name of [...names].sort()) out.push(summarise(name, await readParts(ctx, name)));
  return out;
}

export const vpnLifecycle: KindLifecycle = { kind: "vpn", discover, status, destroySteps, destroyRunners };
