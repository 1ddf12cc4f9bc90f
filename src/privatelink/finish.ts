/**
 * What `privatelink relay` reports: the address map (who connects to which address, through what), the
 * NAT server's rules when one is needed, each target's health, and the next steps. Built from the
 * plan, the facts and the step results only: no AWS call here (the health wait is a plan step).
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { StepResults } from "../core/apply.js";
import type { Finished, Message, Preview } from "../core/create-command.js";
import type { Plan } from "../core/plan.js";
import { type AddressMapEntry, formatAddressMap } from "./address-map.js";
import { type EndpointAddress, type LoadBalancerView, loadBalancerView } from "./aws.js";
import { type DirectionLayout, type InboundLayout, type RelayLayout, relayLayout } from "./decide.js";
import type { RelayInput } from "./inputs.js";
import { DIRECTIONS, type Direction, nlbName, role, targetGroupName } from "./names.js";
import { ENDPOINT_IP_PLACEHOLDER, type NatRules, renderNatRules } from "./nat.js";
import type { DirectionRead, RelayFacts } from "./observe.js";
import type { EndpointView, TargetHealthReport } from "./runners.js";

/** What apply left of one direction (ids and addresses), for the address map and the JSON. */
interface LiveDirection {
  loadBalancer: LoadBalancerView & { arn: string };
  targetGroups: Array<{ port: number; arn: string; name: string }>;
  endpointService: { id: string; name: string };
  endpoint: { id: string; addresses: EndpointAddress[]; dnsName?: string };
  securityGroupId: string;
  targets: TargetHealthReport[];
}

/** The ids and addresses of one direction: what its runners returned, else (unchanged steps) what planning read. */
function liveDirection(results: StepResults, l: DirectionLayout, read: DirectionRead | undefined, stack: string): LiveDirection {
  const d = l.direction;
  const get = (id: string) => {
    const r = results.get(id);
    if (!r?.resourceId) throw new Error(`step ${id} produced no result`);
    return r;
  };
  const nlb = get(role.nlb(d));
  const svc = get(role.service(d));
  const ep = get(role.endpoint(d));
  const name = nlbName(stack, d);
  const lb = (nlb.data as LoadBalancerView | undefined) ??
    (read?.loadBalancer ? loadBalancerView(name, read.loadBalancer.lb) : undefined) ?? { name, addresses: [] };
  const endpoint = (ep.data as EndpointView | undefined) ?? {
    addresses: read?.endpoint?.addresses ?? [],
    ...(read?.endpoint?.endpoint.DnsEntries?.[0]?.DnsName ? { dnsName: read.endpoint.endpoint.DnsEntries[0].DnsName } : {}),
  };
  return {
    loadBalancer: { arn: nlb.resourceId!, ...lb },
    targetGroups: l.ports.map((port) => ({ port, arn: get(role.targetGroup(d, port)).resourceId!, name: targetGroupName(stack, d, port) })),
    endpointService: { id: svc.resourceId!, name: (svc.data?.serviceName as string | undefined) ?? read?.service?.ServiceName ?? "" },
    endpoint: { id: ep.resourceId!, addresses: endpoint.addresses, ...(endpoint.dnsName ? { dnsName: endpoint.dnsName } : {}) },
    securityGroupId: get(role.securityGroup(d)).resourceId!,
    targets: (results.get(role.health(d))?.data?.targets as TargetHealthReport[] | undefined) ?? [],
  };
}

/** The addresses planning knows for a direction's endpoint (a re-run), for the preview. */
const knownAddresses = (facts: RelayFacts, d: Direction) => facts[d]?.endpoint?.addresses;
const knownDnsName = (facts: RelayFacts, d: Direction) => facts[d]?.endpoint?.endpoint.DnsEntries?.[0]?.DnsName;

/** Who talks to which address, from the layout and (after apply) the live ids and addresses. */
function buildAddressMap(input: RelayInput, facts: RelayFacts, layout: RelayLayout, live: Partial<Record<Direction, LiveDirection>>): AddressMapEntry[] {
  const entries: AddressMapEntry[] = [];
  const endpointIps = (d: Direction, l: LiveDirection | undefined) =>
    (l?.endpoint.addresses ?? knownAddresses(facts, d) ?? []).map((a) => a.ip).filter(Boolean);
  const seenFrom = (f: DirectionLayout, l: LiveDirection | undefined) => {
    const ips = (l?.loadBalancer.addresses ?? []).map((a) => a.ip).filter((ip): ip is string => Boolean(ip));
    return ips.length ? ips : f.nlbSubnets.map((s) => s.cidr || s.id);
  };
  const ib = layout.inbound;
  if (ib) {
    const l = live.inbound;
    const epIps = endpointIps("inbound", l);
    const epLabel = l?.endpoint.id ?? "endpoint (new)";
    const nlbLabel = l?.loadBalancer.name ?? "NLB (new)";
    const connectTo = ib.mode === "direct" ? (epIps.length ? epIps : ["<inbound endpoint IPs>"]) : [ib.relayIp!];
    const through =
      ib.mode === "nat"
        ? ["VPN", `NAT ${ib.relayIp} -> ${epIps[0] ?? ENDPOINT_IP_PLACEHOLDER}`, epLabel, "PrivateLink", nlbLabel]
        : ["VPN", `${epLabel}${ib.mode === "endpoint" ? ` (on ${ib.relayIp})` : ""}`, "PrivateLink", nlbLabel];
    const dnsName = l?.endpoint.dnsName ?? knownDnsName(facts, "inbound");
    entries.push({
      direction: "inbound",
      client: "on-prem hosts",
      connectTo,
      ...(ib.mode === "direct" && dnsName ? { dnsName } : {}),
      ports: ib.ports,
      through,
      reaches: `${ib.destinationIp}${ib.targetInstance ? ` (${ib.targetInstance})` : ""}`,
      seenFrom: seenFrom(ib, l),
    });
  }
  const ob = layout.outbound;
  if (ob) {
    const l = live.outbound;
    const epIps = endpointIps("outbound", l);
    const dnsName = l?.endpoint.dnsName ?? knownDnsName(facts, "outbound");
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
function natRulesFor(input: RelayInput, layout: RelayLayout, addresses: EndpointAddress[] | undefined): NatRules | undefined {
  const ib = layout.inbound;
  if (layout.nat === "none" || !ib || ib.mode !== "nat" || !ib.relayIp) return undefined;
  const known = (addresses ?? []).filter((a) => a.ip);
  // Prefer the endpoint interface in the NAT server's own zone (no cross-zone hop, no cross-zone charge).
  const chosen = known.find((a) => ib.natServer?.az && a.az === ib.natServer.az) ?? known[0];
  return renderNatRules({
    format: layout.nat,
    stack: input.stack,
    relayIp: ib.relayIp,
    endpointIp: chosen?.ip ?? ENDPOINT_IP_PLACEHOLDER,
    otherEndpointIps: known.filter((a) => a !== chosen).map((a) => a.ip),
    ports: ib.ports,
  });
}

function natJson(nat: NatRules, out: string | undefined) {
  return { format: nat.format, preview: nat.preview, installPath: nat.path, load: nat.load, path: out ?? null, ...(out ? {} : { text: nat.text }) };
}

const indent = (text: string) =>
  text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");

/** `--dry-run`: the address map as it will be, and the NAT rules (a preview until the endpoint exists). */
export function previewRelay(input: RelayInput, facts: RelayFacts): Preview {
  const layout = relayLayout(input, facts);
  const addressMap = buildAddressMap(input, facts, layout, {});
  const nat = natRulesFor(input, layout, knownAddresses(facts, "inbound"));
  const text = [
    "Address map (after apply):",
    indent(formatAddressMap(addressMap)),
    ...(nat
      ? ["", `NAT server rules (${nat.format}${nat.preview ? `, preview: ${ENDPOINT_IP_PLACEHOLDER} is filled in by the real run` : ""}):`, nat.text]
      : []),
  ].join("\n");
  return { text, json: { addressMap, ...(nat ? { natRules: natJson(nat, undefined) } : {}) } };
}

/** After apply: write the NAT rules (when --out), and report. Targets that fail their checks make `ok` false (exit 1). */
export async function finishRelay(input: RelayInput, facts: RelayFacts, results: StepResults, plan: Plan): Promise<Finished> {
  const layout = relayLayout(input, facts);
  const present = DIRECTIONS.filter((d) => layout[d]);
  const live: Partial<Record<Direction, LiveDirection>> = {};
  for (const d of present) live[d] = liveDirection(results, layout[d]!, facts[d], input.stack);
  const unhealthy = present.flatMap((d) => live[d]!.targets.filter((h) => h.state.toLowerCase() !== "healthy").map((h) => ({ d, h })));
  const addressMap = buildAddressMap(input, facts, layout, live);
  const nat = natRulesFor(input, layout, live.inbound?.endpoint.addresses);

  if (nat && input.out) {
    mkdirSync(dirname(input.out), { recursive: true });
    writeFileSync(input.out, nat.text);
    // A script to run, or rules to load: neither holds a secret.
    chmodSync(input.out, nat.format === "iptables" ? 0o755 : 0o644);
  }

  const found: string[] = [];
  for (const d of present) {
    const l = live[d]!;
    if (l.endpoint.addresses.length === 0) {
      found.push(`${d}: the addresses of ${l.endpoint.id} could not be read; use its DNS name${l.endpoint.dnsName ? ` ${l.endpoint.dnsName}` : ""}.`);
    }
  }
  const direction = (d: Direction) => {
    const f = layout[d]!;
    const l = live[d]!;
    const ib = d === "inbound" ? layout.inbound : undefined;
    return {
      ...(ib ? { mode: ib.mode, relayIp: ib.relayIp ?? null } : {}),
      destination: { ip: f.destinationIp, ports: f.ports, ...(ib?.targetInstance ? { instanceId: ib.targetInstance } : {}) },
      loadBalancer: { ...l.loadBalancer, vpcId: f.nlbVpcId },
      targetGroups: l.targetGroups,
      endpointService: l.endpointService,
      endpoint: { ...l.endpoint, vpcId: f.endpointVpcId, securityGroupId: l.securityGroupId },
      ...(ib?.natServer ? { natServer: ib.natServer } : {}),
      healthy: l.targets.every((h) => h.state.toLowerCase() === "healthy"),
      targets: l.targets,
    };
  };
  const document = {
    ...(layout.inbound ? { inbound: direction("inbound") } : {}),
    ...(layout.outbound ? { outbound: direction("outbound") } : {}),
    addressMap,
    ...(nat ? { natRules: natJson(nat, input.out) } : {}),
    // People read the plan's warnings above the plan; --json prints no plan, so they go here.
    warnings: [...plan.warnings, ...found],
  };
  const messages: Message[] = [
    { level: "success", text: `PrivateLink relay ${input.stack} is in place.` },
    { level: "info", text: `Address map:\n${indent(formatAddressMap(addressMap))}` },
    ...found.map((text): Message => ({ level: "warn", text })),
    ...unhealthy.map(
      ({ d, h }): Message => ({
        level: "warn",
        text: `${d}: target ${h.ip}:${h.port} is ${h.state}${h.reason ? ` (${h.reason})` : ""}: ${h.advice ?? h.description ?? "see the target group's health in the console"}.`,
      }),
    ),
    {
      level: "info",
      text: `Next:\n${nextSteps(input, layout, live, nat)
        .map((n) => `  - ${n}`)
        .join("\n")}`,
    },
  ];
  return { document, ...(nat && !input.out ? { stdout: nat.text } : {}), messages, ok: unhealthy.length === 0 };
}

/** What people do next: where on-prem connects, the NAT rules to install, the firewalls to open. */
function nextSteps(input: RelayInput, layout: RelayLayout, live: Partial<Record<Direction, LiveDirection>>, nat: NatRules | undefined): string[] {
  const next: string[] = [];
  const ib: InboundLayout | undefined = layout.inbound;
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
  const ob = layout.outbound;
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
  return next;
}
