import { resolve } from "node:path";
import { STACK_NAME_RE } from "../aws/tags.js";
import { flagError, UsageError } from "../core/errors.js";
import { rejectEmptyValues } from "../core/flags.js";
import { globalArgv } from "../core/workflow.js";
import { checkId } from "../net/ids.js";
import { isIpv4, isRfc1918, isRfc6598, parseCidr4 } from "../net/ip.js";

export type NatMode = "iptables" | "nftables" | "none";

export const NAT_MODES: NatMode[] = ["nftables", "iptables", "none"];

/** Who may connect to the inbound endpoint when --allow-from is not given: every private range. */
export const DEFAULT_ALLOW_FROM = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

/** An NLB takes at most 50 listeners: one per port. */
export const MAX_PORTS = 50;

/** Validated input of `privatelink relay`; flags and wizard answers both end up here. */
export interface RelayInput {
  stack: string;
  /** True when the stack name was derived rather than given. */
  stackDerived: boolean;
  /** The VPC of the existing EC2 (192.168.0.0/16 in the seed). */
  targetVpcId: string;
  /** Subnets of the target VPC: the inbound NLB's, and the outbound endpoint's. */
  targetSubnets: string[];
  /** The relay VPC that on-prem reaches over the VPN (172.16.0.0/16 in the seed). */
  relayVpcId: string;
  /** Subnets of the relay VPC: the inbound endpoint's, and the outbound NLB's. */
  relaySubnets: string[];
  /** On-prem -> existing EC2. */
  inbound?: InboundInput;
  /** Existing EC2 -> on-prem. */
  outbound?: OutboundInput;
  /** --nat as given; undefined lets the plan decide (none when the relay IP is on the endpoint, else nftables). */
  nat?: NatMode;
  /** --out: where the NAT rules go instead of stdout. */
  out?: string;
}

export interface InboundInput {
  /** The existing EC2's private IP (given, or read from --target-instance while planning). */
  targetIp?: string;
  targetInstance?: string;
  ports: number[];
  /** The address on-prem connects to. */
  relayIp?: string;
  /** Who may connect to the inbound endpoint (its security group). */
  allowFrom: string[];
}

export interface OutboundInput {
  onpremIp: string;
  ports: number[];
}

/** Raw commander options of `privatelink relay`. */
export interface RelayFlags {
  stack?: string;
  targetIp?: string;
  targetInstance?: string;
  targetVpcId?: string;
  targetSubnets?: string[];
  ports?: string[];
  relayVpcId?: string;
  relaySubnets?: string[];
  relayIp?: string;
  onpremIp?: string;
  onpremPorts?: string[];
  nat?: string;
  allowFrom?: string[];
  out?: string;
}

/** Each flag of `privatelink relay` by its option name, for the empty-value check. */
const FLAG_NAMES: Record<keyof RelayFlags, string> = {
  stack: "--stack",
  targetIp: "--target-ip",
  targetInstance: "--target-instance",
  targetVpcId: "--target-vpc-id",
  targetSubnets: "--target-subnets",
  ports: "--ports",
  relayVpcId: "--relay-vpc-id",
  relaySubnets: "--relay-subnets",
  relayIp: "--relay-ip",
  onpremIp: "--onprem-ip",
  onpremPorts: "--onprem-ports",
  nat: "--nat",
  allowFrom: "--allow-from",
  out: "--out",
};

/**
 * An explicitly empty value is a usage error, never "not given" (an empty --allow-from must not fall
 * back to every private range). main.ts checks the command line; this covers every other way in.
 */
function rejectEmpty(flags: RelayFlags): void {
  const specs = Object.entries(FLAG_NAMES).map(([attr, long]) => ({ long, attributeName: () => attr }));
  const trimmed = Object.fromEntries(Object.entries(flags).map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => String(x).trim()) : v]));
  rejectEmptyValues(trimmed, specs);
  for (const [attr, long] of Object.entries(FLAG_NAMES)) {
    const value = flags[attr as keyof RelayFlags];
    if (Array.isArray(value) && value.length === 0) throw flagError(long, "is empty; give a value or leave the flag out");
  }
}

/** True for the addresses an NLB accepts as IP targets outside its VPC, and that a VPN can carry. */
export function isPrivateIpv4(ip: string): boolean {
  return isRfc1918(ip) || isRfc6598(ip);
}

/** A private IPv4 address, or the rule it breaks (without the flag). */
export function checkPrivateIp(text: string, what: string): string | undefined {
  const ip = text.trim();
  if (!isIpv4(ip)) return `"${text}" is not an IPv4 address`;
  if (!isPrivateIpv4(ip)) {
    return `${ip} is not a private address; ${what} must be in 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10`;
  }
  return undefined;
}

/** A TCP port list (`80,443`), or the rule it breaks. */
export function parsePorts(items: string[]): number[] | string {
  const ports: number[] = [];
  for (const item of items) {
    if (!/^\d{1,5}$/.test(item.trim())) return `"${item}" is not a port number`;
    const port = Number(item.trim());
    if (port < 1 || port > 65535) return `${port} is outside 1-65535`;
    if (!ports.includes(port)) ports.push(port);
  }
  if (ports.length > MAX_PORTS) return `at most ${MAX_PORTS} ports (a Network Load Balancer takes 50 listeners)`;
  return ports;
}

function portsFlag(flag: string, items: string[]): number[] {
  const ports = parsePorts(items);
  if (typeof ports === "string") throw flagError(flag, ports);
  if (ports.length === 0) throw flagError(flag, "give at least one port");
  return ports;
}

function subnetList(flag: string, items: string[]): string[] {
  return [...new Set(items.map((s) => checkId(flag, s, "subnet")))];
}

const hasInbound = (f: RelayFlags) => Boolean(f.targetIp || f.targetInstance);
const hasOutbound = (f: RelayFlags) => Boolean(f.onpremIp);

/** Flags required off a TTY; the wizard asks for exactly these. */
export function missingRelayFlags(flags: RelayFlags): string[] {
  const missing: string[] = [];
  if (!hasInbound(flags) && !hasOutbound(flags)) {
    if (flags.ports?.length) missing.push("--target-ip (or --target-instance)");
    else if (flags.onpremPorts?.length) missing.push("--onprem-ip");
    else missing.push("--target-ip or --target-instance (inbound) and/or --onprem-ip (outbound)");
  }
  if (hasInbound(flags) && !flags.ports?.length) missing.push("--ports");
  if (hasOutbound(flags) && !flags.onpremPorts?.length) missing.push("--onprem-ports");
  if (!flags.targetVpcId) missing.push("--target-vpc-id");
  if (!flags.targetSubnets?.length) missing.push("--target-subnets");
  if (!flags.relayVpcId) missing.push("--relay-vpc-id");
  if (!flags.relaySubnets?.length) missing.push("--relay-subnets");
  return missing;
}

/** The default stack name: short, stable for the same VPC and host, and valid inside resource names. */
export function deriveStackName(input: Pick<RelayInput, "targetVpcId" | "relayVpcId" | "inbound" | "outbound">): string {
  if (input.inbound) {
    const who = input.inbound.targetIp ? input.inbound.targetIp.replace(/\./g, "-") : input.inbound.targetInstance!.slice(-8);
    return `relay-${input.targetVpcId.slice(-8)}-${who}`;
  }
  return `relay-${input.relayVpcId.slice(-8)}-${input.outbound!.onpremIp.replace(/\./g, "-")}`;
}

/** Validate every flag (exit 2 naming the flag and the rule) before any AWS call. */
export function validateRelayFlags(flags: RelayFlags, opts: { cwd: string }): RelayInput {
  rejectEmpty(flags);
  const missing = missingRelayFlags(flags);
  if (missing.length) throw new UsageError(`missing required flags: ${missing.join(", ")}`);

  const targetVpcId = checkId("--target-vpc-id", flags.targetVpcId!, "vpc");
  const relayVpcId = checkId("--relay-vpc-id", flags.relayVpcId!, "vpc");
  if (targetVpcId === relayVpcId) {
    throw flagError("--relay-vpc-id", `is the same VPC as --target-vpc-id; the relay needs its own VPC (the one on-prem reaches over the VPN)`);
  }
  const targetSubnets = subnetList("--target-subnets", flags.targetSubnets!);
  const relaySubnets = subnetList("--relay-subnets", flags.relaySubnets!);

  let inbound: InboundInput | undefined;
  if (hasInbound(flags)) {
    if (flags.targetIp && flags.targetInstance) throw flagError("--target-instance", "give either --target-ip or --target-instance, not both");
    let targetIp: string | undefined;
    if (flags.targetIp) {
      const problem = checkPrivateIp(flags.targetIp, "the target (an EC2 in the target VPC)");
      if (problem) throw flagError("--target-ip", problem);
      targetIp = flags.targetIp.trim();
    }
    const targetInstance = flags.targetInstance ? checkId("--target-instance", flags.targetInstance, "instance") : undefined;
    const ports = portsFlag("--ports", flags.ports!);
    let relayIp: string | undefined;
    if (flags.relayIp !== undefined) {
      const problem = checkPrivateIp(flags.relayIp, "the relay address (on-prem reaches it over the VPN)");
      if (problem) throw flagError("--relay-ip", problem);
      relayIp = flags.relayIp.trim();
    }
    const allowFrom = (flags.allowFrom ?? DEFAULT_ALLOW_FROM).map((c) => {
      const parsed = parseCidr4(c);
      if (typeof parsed === "string") throw flagError("--allow-from", parsed);
      return parsed.text;
    });
    inbound = {
      ...(targetIp ? { targetIp } : {}),
      ...(targetInstance ? { targetInstance } : {}),
      ports,
      ...(relayIp ? { relayIp } : {}),
      allowFrom: [...new Set(allowFrom)],
    };
  } else {
    if (flags.ports?.length) throw flagError("--ports", "needs --target-ip or --target-instance (the host the ports lead to)");
    if (flags.relayIp !== undefined) throw flagError("--relay-ip", "needs --target-ip or --target-instance (the relay address leads to the target)");
    if (flags.allowFrom?.length) throw flagError("--allow-from", "needs --target-ip or --target-instance (it limits who may use the inbound relay)");
  }

  let outbound: OutboundInput | undefined;
  if (hasOutbound(flags)) {
    const problem = checkPrivateIp(
      flags.onpremIp!,
      "the on-prem host (an NLB accepts IP targets outside its VPC only from the private ranges reached over a VPN or Direct Connect)",
    );
    if (problem) throw flagError("--onprem-ip", problem);
    outbound = { onpremIp: flags.onpremIp!.trim(), ports: portsFlag("--onprem-ports", flags.onpremPorts!) };
    if (inbound?.relayIp === outbound.onpremIp)
      throw flagError("--relay-ip", `${outbound.onpremIp} is also --onprem-ip; the relay address must be an address in the relay VPC`);
  } else if (flags.onpremPorts?.length) {
    throw flagError("--onprem-ports", "needs --onprem-ip (the host the ports lead to)");
  }

  let nat: NatMode | undefined;
  if (flags.nat !== undefined) {
    if (!NAT_MODES.includes(flags.nat as NatMode)) throw flagError("--nat", `must be iptables, nftables or none, not "${flags.nat}"`);
    nat = flags.nat as NatMode;
    if (nat !== "none" && !inbound?.relayIp) {
      throw flagError("--nat", "NAT rules need --relay-ip (the NAT server's address that on-prem connects to)");
    }
  }
  if (flags.out !== undefined && (!inbound?.relayIp || nat === "none")) {
    throw flagError("--out", "there are no NAT rules to write: they exist only for --relay-ip with a NAT server (--nat iptables|nftables)");
  }

  let stack = flags.stack;
  const stackDerived = stack === undefined;
  if (stack !== undefined && !STACK_NAME_RE.test(stack)) {
    throw flagError("--stack", `"${stack}" must be 1-32 lowercase letters, digits and hyphens, not starting or ending with a hyphen`);
  }
  stack ??= deriveStackName({ targetVpcId, relayVpcId, inbound, outbound });

  return {
    stack,
    stackDerived,
    targetVpcId,
    targetSubnets,
    relayVpcId,
    relaySubnets,
    ...(inbound ? { inbound } : {}),
    ...(outbound ? { outbound } : {}),
    ...(nat ? { nat } : {}),
    ...(flags.out ? { out: resolve(opts.cwd, flags.out) } : {}),
  };
}

/** The equivalent non-interactive command (for resume hints and after the wizard). */
export function relayArgv(input: RelayInput, global: { region?: string; profile?: string; endpointUrl?: string }): string[] {
  const args = ["vpcwire", "privatelink", "relay", "--stack", input.stack];
  const { inbound, outbound } = input;
  if (inbound?.targetIp) args.push("--target-ip", inbound.targetIp);
  else if (inbound?.targetInstance) args.push("--target-instance", inbound.targetInstance);
  if (inbound) args.push("--ports", inbound.ports.join(","));
  args.push("--target-vpc-id", input.targetVpcId, "--target-subnets", input.targetSubnets.join(","));
  args.push("--relay-vpc-id", input.relayVpcId, "--relay-subnets", input.relaySubnets.join(","));
  if (inbound?.relayIp) args.push("--relay-ip", inbound.relayIp);
  if (inbound && inbound.allowFrom.join() !== DEFAULT_ALLOW_FROM.join()) args.push("--allow-from", inbound.allowFrom.join(","));
  if (outbound) args.push("--onprem-ip", outbound.onpremIp, "--onprem-ports", outbound.ports.join(","));
  if (input.nat) args.push("--nat", input.nat);
  if (input.out) args.push("--out", input.out);
  args.push(...globalArgv(global));
  return args;
}
