import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { TargetHealthDescription } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Handler } from "../cli/kit.js";
import type { StepResults } from "../core/apply.js";
import type { Context } from "../core/context.js";
import { UsageError } from "../core/errors.js";
import { resolveRegion } from "../core/region.js";
import { destroyCommand, runWorkflow, shellJoin } from "../core/workflow.js";
import { type AddressMapEntry, formatAddressMap } from "./address-map.js";
import type { EndpointAddress } from "./aws.js";
import { explainTargetHealth } from "./health.js";
import { missingRelayFlags, type RelayFlags, type RelayInput, relayArgv, validateRelayFlags } from "./inputs.js";
import { DIRECTIONS, type Direction, role, targetGroupName } from "./names.js";
import { ENDPOINT_IP_PLACEHOLDER, type NatRules, renderNatRules } from "./nat.js";
import { type DirectionFacts, planRelay, type RelayFacts } from "./plan.js";
import type { TargetHealthReport } from "./runners.js";

/** `vpcwire privatelink relay`: input -> plan -> confirm -> apply -> health -> address map and NAT rules. */
export const privatelinkRelay: Handler = async (ctx, opts) => {
  let flags = opts as RelayFlags;
  const cwd = ctx.cwd;
  // Flags first (exit 2 naming the flag), then the Region: no rule here depends on it.
  const missing = missingRelayFlags(flags);
  if (missing.length > 0) {
    if (!ctx.io.interactive) {
      throw new UsageError(`missing required flags: ${missing.join(", ")} (vpcwire asks for them only in an interactive terminal)`);
    }
    if (ctx.config.offline) throw new UsageError(`missing required flags: ${missing.join(", ")} (the wizard reads AWS, so it cannot run with --offline)`);
    // Check what was given before asking for the rest, so a typo fails now rather than after the questions.
    validateRelayFlags(withStandIns(flags), { cwd });
    // The wizard reads AWS: it needs the Region.
    await resolveRegion(ctx);
    const { relayWizard } = await import("./wizard.js");
    flags = await relayWizard(ctx, flags);
  }
  const input = validateRelayFlags(flags, { cwd });
  const region = await resolveRegion(ctx);
  const argv = relayArgv(input, ctx.config);
  if (missing.length > 0) ctx.io.info(`The same run without questions:\n  ${shellJoin(argv)}`);

  const { plan, facts } = await planRelay(ctx, input, region);
  const outcome = await runWorkflow(ctx, {
    plan,
    runners: async (journal) => (await import("./runners.js")).relayRunners(ctx, input, journal),
    resumeCommand: shellJoin(argv),
    destroyCommand: destroyCommand(input.stack, ctx.config),
    dryRunExtra: async () => preview(input, facts),
    finish: async (results) => finishRelay(ctx, input, facts, results, region, plan.warnings),
  });
  if (outcome.kind === "applied") {
    if (outcome.converged && !ctx.config.json) ctx.io.success(`Everything for stack ${input.stack} already exists; nothing was changed.`);
    return outcome.result.ok ? 0 : 1;
  }
  return 0;
};

/** Stand-ins for the flags the wizard will ask for, so the given ones can be checked first. */
function withStandIns(flags: RelayFlags): RelayFlags {
  const inbound = Boolean(flags.targetIp || flags.targetInstance || flags.ports?.length || flags.relayIp);
  const outbound = Boolean(flags.onpremIp || flags.onpremPorts?.length);
  const natNeedsRelay = (flags.nat !== undefined && flags.nat !== "none") || flags.out !== undefined;
  const target = flags.targetIp || flags.targetInstance;
  return {
    ...(!target && (inbound || !outbound) ? { targetIp: "10.255.255.254" } : {}),
    ...(inbound || !outbound ? { ports: ["1"] } : {}),
    ...(outbound ? { onpremIp: "10.255.255.253", onpremPorts: ["1"] } : {}),
    ...(natNeedsRelay ? { relayIp: "10.255.255.252" } : {}),
    targetVpcId: "vpc-fffffffffffffff0e",
    relayVpcId: "vpc-fffffffffffffff0f",
    targetSubnets: ["subnet-fffffffe"],
    relaySubnets: ["subnet-ffffffff"],
    ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))),
  };
}

/** What apply learned about one direction (ids and addresses), for the address map and the JSON. */
interface LiveDirection {
  loadBalancer: { arn: string; name: string; dnsName?: string; addresses: Array<{ az?: string; subnetId?: string; ip?: string }> };
  targetGroups: Array<{ port: number; arn: string; name: string }>;
  endpointService: { id: string; name: string };
  endpoint: { id: string; addresses: EndpointAddress[]; dnsName?: string };
  securityGroupId: string;
}

/**
 * The live ids and addresses of one direction: from the runners' results, or, for steps left
 * unchanged (which run no runner), from what planning read.
 */
function liveDirection(results: StepResults, d: Direction, f: DirectionFacts, stack: string): LiveDirection {
  const get = (id: string) => {
    const r = results.get(id);
    if (!r?.resourceId) throw new Error(`step ${id} produced no result`);
    return r;
  };
  const nlb = get(role.nlb(d));
  const svc = get(role.service(d));
  const ep = get(role.endpoint(d));
  const lbData = (nlb.data as Omit<LiveDirection["loadBalancer"], "arn"> | undefined) ?? f.knownLoadBalancer;
  const epAddresses = (ep.data?.addresses as EndpointAddress[] | undefined) ?? f.knownAddresses ?? [];
  const epDns = (ep.data?.dnsName as string | undefined) ?? f.knownDnsName;
  return {
    loadBalancer: {
      arn: nlb.resourceId!,
      name: lbData?.name ?? "",
      ...(lbData?.dnsName ? { dnsName: lbData.dnsName } : {}),
      addresses: lbData?.addresses ?? [],
    },
    targetGroups: f.ports.map((port) => {
      const tg = get(role.targetGroup(d, port));
      return { port, arn: tg.resourceId!, name: targetGroupName(stack, d, port) };
    }),
    endpointService: { id: svc.resourceId!, name: (svc.data?.serviceName as string | undefined) ?? f.knownServiceName ?? "" },
    endpoint: { id: ep.resourceId!, addresses: epAddresses, ...(epDns ? { dnsName: epDns } : {}) },
    securityGroupId: get(role.securityGroup(d)).resourceId!,
  };
}

/** Who talks to which address, from the plan's facts and (after apply) the live ids and addresses. */
function buildAddressMap(input: RelayInput, facts: RelayFacts, live: Partial<Record<Direction, LiveDirection>>): AddressMapEntry[] {
  const entries: AddressMapEntry[] = [];
  const endpointIps = (f: DirectionFacts, l: LiveDirection | undefined) => (l?.endpoint.addresses ?? f.knownAddresses ?? []).map((a) => a.ip).filter(Boolean);
  const seenFrom = (f: DirectionFacts, l: LiveDirection | undefined) => {
    const ips = (l?.loadBalancer.addresses ?? []).map((a) => a.ip).filter((ip): ip is string => Boolean(ip));
    return ips.length ? ips : f.nlbSubnets.map((s) => s.cidr || s.id);
  };
  const ib = facts.inbound;
  if (ib) {
    const l = live.inbound;
    const epIps = endpointIps(ib, l);
    const epLabel = l?.endpoint.id ?? "endpoint (new)";
    const nlbLabel = l?.loadBalancer.name ?? "NLB (new)";
    const connectTo = ib.mode === "direct" ? (epIps.length ? epIps : ["<inbound endpoint IPs>"]) : [ib.relayIp!];
    const through =
      ib.mode === "nat"
        ? ["VPN", `NAT ${ib.relayIp} -> ${epIps[0] ?? ENDPOINT_IP_PLACEHOLDER}`, epLabel, "PrivateLink", nlbLabel]
        : ["VPN", `${epLabel}${ib.mode === "endpoint" ? ` (on ${ib.relayIp})` : ""}`, "PrivateLink", nlbLabel];
    entries.push({
      direction: "inbound",
      client: "on-prem hosts",
      connectTo,
      ...(ib.mode === "direct" && (l?.endpoint.dnsName ?? ib.knownDnsName) ? { dnsName: (l?.endpoint.dnsName ?? ib.knownDnsName)! } : {}),
      ports: ib.ports,
      through,
      reaches: `${ib.destinationIp}${ib.targetInstance ? ` (${ib.targetInstance})` : ""}`,
      seenFrom: seenFrom(ib, l),
    });
  }
  const ob = facts.outbound;
  if (ob) {
    const l = live.outbound;
    const epIps = endpointIps(ob, l);
    const dnsName = l?.endpoint.dnsName ?? ob.knownDnsName;
    entries.push({
      direction: "outbound",
      client: ib ? `${ib.destinationIp} (any host in ${input.targetVpcId})` : `hosts in ${input.targetVpcId}`,
      connectTo: epIps.length ? epIps : ["<outbound endpoint IPs>"],
      ...(dnsName ? { dnsName } : {}),
      ports: ob.ports,
      through: [l?.endpoint.id ?? "endpoint (new)", "PrivateLink", l?.loadBalancer.name ?? "NLB (new)", "VPN"],
      reaches: ob.destinationIp,
      seenFrom: seenFrom(ob, l),
    });
  }
  return entries;
}

/** The NAT server's rules, with the live endpoint address when known, else a marked placeholder. */
function natRulesFor(input: RelayInput, facts: RelayFacts, addresses: EndpointAddress[] | undefined): NatRules | undefined {
  const ib = facts.inbound;
  if (facts.nat === "none" || !ib || ib.mode !== "nat" || !ib.relayIp) return undefined;
  const known = (addresses ?? []).filter((a) => a.ip);
  // Prefer the endpoint interface in the NAT server's own zone (no cross-zone hop, no cross-zone charge).
  const chosen = known.find((a) => ib.natServer?.az && a.az === ib.natServer.az) ?? known[0];
  return renderNatRules({
    format: facts.nat,
    stack: input.stack,
    relayIp: ib.relayIp,
    endpointIp: chosen?.ip ?? ENDPOINT_IP_PLACEHOLDER,
    otherEndpointIps: known.filter((a) => a !== chosen).map((a) => a.ip),
    ports: ib.ports,
  });
}

async function preview(input: RelayInput, facts: RelayFacts): Promise<{ text?: string; json?: Record<string, unknown> }> {
  const addressMap = buildAddressMap(input, facts, {});
  const nat = natRulesFor(input, facts, facts.inbound?.knownAddresses);
  const text = [
    "Address map (after apply):",
    indent(formatAddressMap(addressMap)),
    ...(nat
      ? ["", `NAT server rules (${nat.format}${nat.preview ? `, preview: ${ENDPOINT_IP_PLACEHOLDER} is filled in by the real run` : ""}):`, nat.text]
      : []),
  ].join("\n");
  return { text, json: { addressMap, ...(nat ? { natRules: natJson(nat, undefined) } : {}) } };
}

function natJson(nat: NatRules, out: string | undefined) {
  return { format: nat.format, preview: nat.preview, installPath: nat.path, load: nat.load, path: out ?? null, ...(out ? {} : { text: nat.text }) };
}

const indent = (text: string) =>
  text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");

/** Reasons of unhealthy targets in words, with what to change (shared with `vpcwire status`). */
function healthAdvice(d: Direction, f: DirectionFacts, t: TargetHealthDescription): string | undefined {
  return explainTargetHealth(d, { destinationIp: f.destinationIp, sourceCidrs: f.nlbSubnets.map((s) => s.cidr || s.id) }, t);
}

async function finishRelay(ctx: Context, input: RelayInput, facts: RelayFacts, results: StepResults, region: string | null, planWarnings: string[]) {
  const warnings = [...planWarnings];
  const { waitForHealthyTargets } = await import("./runners.js");
  const live: Partial<Record<Direction, LiveDirection>> = {};
  const health: Partial<Record<Direction, TargetHealthReport[]>> = {};
  const present = DIRECTIONS.filter((d) => facts[d]);
  for (const d of present) live[d] = liveDirection(results, d, facts[d]!, input.stack);
  await Promise.all(
    present.map(async (d) => {
      health[d] = await waitForHealthyTargets(ctx, d, live[d]!.targetGroups, (t) => healthAdvice(d, facts[d]!, t));
    }),
  );
  const unhealthy = present.flatMap((d) => health[d]!.filter((h) => h.state.toLowerCase() !== "healthy").map((h) => ({ d, h })));
  const addressMap = buildAddressMap(input, facts, live);
  const nat = natRulesFor(input, facts, live.inbound?.endpoint.addresses);

  if (nat && input.out) {
    mkdirSync(dirname(input.out), { recursive: true });
    writeFileSync(input.out, nat.text);
    // A script to run, or rules to load: neither holds a secret.
    chmodSync(input.out, nat.format === "iptables" ? 0o755 : 0o644);
  }

  const direction = (d: Direction) => {
    const f = facts[d]!;
    const l = live[d]!;
    const ib = d === "inbound" ? facts.inbound : undefined;
    return {
      ...(ib ? { mode: ib.mode, relayIp: ib.relayIp ?? null } : {}),
      destination: { ip: f.destinationIp, ports: f.ports, ...(ib?.targetInstance ? { instanceId: ib.targetInstance } : {}) },
      loadBalancer: { ...l.loadBalancer, vpcId: f.nlbVpcId },
      targetGroups: l.targetGroups,
      endpointService: l.endpointService,
      endpoint: { ...l.endpoint, vpcId: f.endpointVpcId, securityGroupId: l.securityGroupId },
      ...(ib?.natServer ? { natServer: ib.natServer } : {}),
      healthy: health[d]!.every((h) => h.state.toLowerCase() === "healthy"),
      targets: health[d],
    };
  };
  const doc = {
    schemaVersion: 1,
    ok: unhealthy.length === 0,
    command: "privatelink relay",
    stack: input.stack,
    region,
    ...(facts.inbound ? { inbound: direction("inbound") } : {}),
    ...(facts.outbound ? { outbound: direction("outbound") } : {}),
    addressMap,
    ...(nat ? { natRules: natJson(nat, input.out) } : {}),
    // People read the plan's warnings above the plan; --json prints no plan, so they go here.
    warnings,
  };

  for (const d of present) {
    if (live[d]!.endpoint.addresses.length === 0) {
      warnings.push(
        `${d}: the addresses of ${live[d]!.endpoint.id} could not be read; use its DNS name${live[d]!.endpoint.dnsName ? ` ${live[d]!.endpoint.dnsName}` : ""}.`,
      );
    }
  }
  const { io } = ctx;
  if (ctx.config.json) {
    io.result(JSON.stringify(doc, null, 2));
    return doc;
  }
  io.success(`PrivateLink relay ${input.stack} is in place.`);
  io.info(`Address map:\n${indent(formatAddressMap(addressMap))}`);
  for (const warning of warnings.slice(planWarnings.length)) io.warn(warning);
  for (const { d, h } of unhealthy) {
    io.warn(
      `${d}: target ${h.ip}:${h.port} is ${h.state}${h.reason ? ` (${h.reason})` : ""}: ${h.advice ?? h.description ?? "see the target group's health in the console"}.`,
    );
  }
  const next: string[] = [];
  const ib = facts.inbound;
  if (ib) {
    const l = live.inbound!;
    const epIps = l.endpoint.addresses.map((a) => a.ip);
    if (ib.mode === "endpoint") next.push(`On-prem: connect to ${ib.relayIp} on TCP ${ib.ports.join(",")}; no NAT server is needed.`);
    if (ib.mode === "direct")
      next.push(`On-prem: connect to ${epIps.join(" or ")}${l.endpoint.dnsName ? ` (or ${l.endpoint.dnsName})` : ""} on TCP ${ib.ports.join(",")}.`);
    if (ib.mode === "nat" && nat) {
      const where = ib.natServer
        ? `the NAT server (${ib.natServer.instanceId ?? ib.natServer.eniId}, which holds ${ib.relayIp})`
        : `the NAT server once it holds ${ib.relayIp}`;
      next.push(
        `Install the ${nat.format} rules on ${where}: ${input.out ? `written to ${input.out}` : "printed on stdout"}; load them with: ${nat.load}. On-prem then connects to ${ib.relayIp} on TCP ${ib.ports.join(",")}.`,
      );
    }
    next.push(
      `Let the load balancer in: ${ib.destinationIp}'s security group must allow TCP ${ib.ports.join(",")} from ${ib.nlbSubnets.map((s) => s.cidr).join(", ")} (the target subnets; client addresses are not preserved).`,
    );
  }
  const ob = facts.outbound;
  if (ob) {
    const l = live.outbound!;
    next.push(
      `In ${input.targetVpcId}: connect to ${l.endpoint.addresses.map((a) => a.ip).join(" or ")}${l.endpoint.dnsName ? ` (or ${l.endpoint.dnsName})` : ""} on TCP ${ob.ports.join(",")} to reach ${ob.destinationIp}. ` +
        `A route to ${ob.destinationIp} pointing at the endpoint does not work: clients must use these addresses.`,
    );
    next.push(
      `On-prem: the firewall in front of ${ob.destinationIp} must allow TCP ${ob.ports.join(",")} from ${ob.nlbSubnets.map((s) => s.cidr).join(", ")} (the relay subnets).`,
    );
  }
  io.info(`Next:\n${next.map((n) => `  - ${n}`).join("\n")}`);
  if (nat && !input.out) io.result(nat.text);
  return doc;
}
