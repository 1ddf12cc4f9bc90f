import type { Handler } from "../cli/kit.js";
import { flagError } from "../core/errors.js";
import { resolveRegion } from "../core/region.js";
import { readCarriers, readPrefixLists, readSource } from "./aws.js";
import { type CarrierDecision, chooseCarrier, decideRoute, type RankedCandidate, type RouteDecision } from "./decide.js";
import { type RouteExplainFlags, validateRouteExplainFlags } from "./inputs.js";

/**
 * `vpcwire route explain`: which table applies, every route that matches the address, the winner
 * and why; for a route to a virtual private gateway (or a transit gateway), which VPN connection or
 * Direct Connect interface carries it and the state of its tunnels. Read-only; exit 0 whatever the
 * answer (a dropped packet is an answer, not a failure).
 */
export const routeExplain: Handler = async (ctx, opts) => {
  const input = validateRouteExplainFlags(opts as RouteExplainFlags);
  if (ctx.config.offline) throw flagError("--offline", "route explain reads the route tables that exist in AWS; run it without --offline");
  const region = await resolveRegion(ctx);
  const source = await readSource(ctx, input);
  const prefixLists = await readPrefixLists(ctx, source.table);
  const decision = decideRoute({ ip: input.to, routes: source.table.Routes ?? [], vpcCidrs: source.vpcCidrs, prefixLists });

  const gatewayTarget = decision.winner?.target;
  let gateway: ({ id: string } & CarrierDecision) | undefined;
  if (gatewayTarget && (gatewayTarget.kind === "virtual-private-gateway" || gatewayTarget.kind === "transit-gateway")) {
    const carriers = await readCarriers(ctx, gatewayTarget.id);
    gateway = { id: gatewayTarget.id, ...chooseCarrier(decision.destination, carriers) };
    if (gatewayTarget.kind === "transit-gateway") {
      gateway.reason += " The transit gateway's own route table decides between its attachments; vpcwire does not read it.";
    }
  }
  const notes = notesFor(decision, source.publicIp, source.instanceId);
  const table = {
    id: source.table.RouteTableId!,
    association: source.association,
    ...(source.subnetId ? { subnetId: source.subnetId } : {}),
    ...(source.instanceId ? { instanceId: source.instanceId } : {}),
  };

  if (ctx.config.json) {
    const doc = {
      schemaVersion: 1,
      ok: true,
      command: "route explain",
      region,
      vpcId: input.vpcId,
      to: decision.destination,
      routeTable: table,
      ...(source.otherTables.length ? { otherTables: source.otherTables } : {}),
      outcome: decision.outcome,
      reason: decision.reason,
      winner: decision.winner ?? null,
      candidates: decision.candidates,
      ...(gateway ? { gateway } : {}),
      notes,
    };
    ctx.io.result(JSON.stringify(doc, null, 2));
    return 0;
  }

  const { style } = ctx.io;
  const out: string[] = [];
  const how =
    source.association === "explicit"
      ? `associated with ${source.subnetId}`
      : source.subnetId
        ? `the main table: ${source.subnetId} has no table of its own`
        : "the main table (give --subnet or --instance-id for a subnet with its own table)";
  out.push(`Route table ${style.bold(table.id)} (${how}${source.instanceId ? `; ${source.instanceId} is in ${source.subnetId}` : ""})`);
  out.push(`Routes that match ${decision.destination}:`);
  if (decision.candidates.length === 0) out.push("  (none)");
  for (const c of decision.candidates) out.push(`  ${mark(c, style)} ${candidateLine(c)}`);
  out.push(`${style.bold("Answer:")} ${decision.reason}`);
  if (gateway) {
    out.push(`On the gateway ${gateway.id}:`);
    for (const c of gateway.carriers) {
      const tunnels = c.tunnels.map((t) => `${t.outsideIp ?? "?"} ${t.status}${t.message ? ` (${t.message})` : ""}`).join(", ") || "no tunnel telemetry";
      const who = `${c.kind === "dx" ? "Direct Connect interface" : "VPN connection"} ${c.id}${c.stack ? ` (stack ${c.stack})` : " (not a vpcwire stack)"}`;
      const flag = c.verdict === "carries" ? style.green("✔") : c.verdict === "standby" ? style.dim("·") : style.red("✖");
      out.push(`  ${flag} ${who}, ${c.routing}, ${c.state}: ${c.why}`);
      out.push(`      ${c.kind === "dx" ? "BGP peers" : "tunnels"}: ${tunnels}`);
    }
    out.push(`  ${gateway.reason}`);
  }
  if (source.otherTables.length) {
    out.push(`Subnets with their own table: ${source.otherTables.map((t) => `${t.subnets.join(", ")} → ${t.routeTableId}`).join("; ")}.`);
  }
  for (const n of notes) out.push(`Note: ${n}`);
  ctx.io.result(out.join("\n"));
  return 0;
};

function mark(c: RankedCandidate, style: { green(s: string): string; red(s: string): string; dim(s: string): string }): string {
  if (c.verdict === "wins") return c.state === "blackhole" ? style.red("✖") : style.green("✔");
  return style.dim("·");
}

function candidateLine(c: RankedCandidate): string {
  const dest = c.destination === c.matchedCidr ? c.destination : `${c.destination} (${c.matchedCidr})`;
  return `${dest.padEnd(20)} ${c.target.id.padEnd(22)} ${c.origin.padEnd(11)} ${c.state.padEnd(9)} ${c.verdict === "wins" ? "wins" : "loses"}: ${c.why}`;
}

/** What people trip over with the winning target (seed 001: the internet gateway only does one-to-one NAT). */
function notesFor(d: RouteDecision, publicIp: string | undefined, instanceId: string | undefined): string[] {
  const notes: string[] = [];
  const t = d.winner?.target;
  if (t?.kind === "internet-gateway" && d.family === 4) {
    notes.push(
      instanceId
        ? publicIp
          ? `${instanceId} has public IP ${publicIp}: the internet gateway translates its private address to it and back.`
          : `${instanceId} has no public or Elastic IP: the internet gateway does no many-to-one NAT, so its packets get no replies; give it an Elastic IP or route through a NAT gateway.`
        : "The internet gateway translates one-to-one between a private address and its public or Elastic IP: only instances that have one get replies (others need a NAT gateway).",
    );
  }
  if ((t?.kind === "network-interface" || t?.kind === "instance") && d.outcome === "forwarded") {
    notes.push(`Traffic is forwarded by ${t.id}: its source/destination check must be off, and it must route the packet on.`);
  }
  return notes;
}
