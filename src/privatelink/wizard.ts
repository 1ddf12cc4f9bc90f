import { getInstance, listInstances, listSubnets, listVpcs, nameOf, type SubnetInfo } from "../aws/vpc.js";
import type { Context } from "../core/context.js";
import { cidrContains, parseCidr4 } from "../net/ip.js";
import { checkPrivateIp, parsePorts, type RelayFlags } from "./inputs.js";

const list = (answer: string) =>
  answer
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Ask for what the flags did not give, with pickers filled from the account (VPCs, instances,
 * subnets with their zone and CIDR). Answers are checked with the same rules as the flags, and the
 * result goes through the same validation.
 */
export async function relayWizard(ctx: Context, given: RelayFlags): Promise<RelayFlags> {
  const { io } = ctx;
  const prompt = io.prompt;
  const flags: RelayFlags = { ...given };
  let inbound = Boolean(flags.targetIp || flags.targetInstance || flags.ports?.length || flags.relayIp);
  let outbound = Boolean(flags.onpremIp || flags.onpremPorts?.length);
  if (!inbound && !outbound) {
    const which = await prompt.select({
      message: "Which directions should the relay carry?",
      choices: [
        { name: "both: on-prem -> existing EC2, and existing EC2 -> on-prem", value: "both" },
        { name: "inbound only: on-prem -> existing EC2", value: "inbound" },
        { name: "outbound only: existing EC2 -> on-prem", value: "outbound" },
      ],
      default: "both",
    });
    inbound = which !== "outbound";
    outbound = which !== "inbound";
  }

  const vpcs = await listVpcs(ctx);
  if (vpcs.length < 2)
    throw new Error("the relay needs two VPCs in this Region (the target VPC and the relay VPC); create the relay VPC first or pass --region");
  const vpcChoice = (v: (typeof vpcs)[number]) => ({
    name: `${v.VpcId}  ${nameOf(v.Tags) ?? "(no name)"}  ${v.CidrBlock ?? ""}${v.IsDefault ? "  [default VPC]" : ""}`,
    value: v.VpcId!,
  });
  const targetVpcId =
    flags.targetVpcId ??
    (await prompt.select({
      message: "Which VPC holds the existing EC2 (the target VPC)?",
      choices: vpcs.filter((v) => v.VpcId !== flags.relayVpcId).map(vpcChoice),
    }));
  flags.targetVpcId = targetVpcId;

  let targetHome: string | undefined;
  if (inbound && !flags.targetIp && !flags.targetInstance) {
    const instances = (await listInstances(ctx, targetVpcId)).filter((i) => i.PrivateIpAddress);
    const picked = await prompt.select<string>({
      message: "Which host should on-prem reach?",
      choices: [
        ...instances.map((i) => ({
          name: `${i.InstanceId}  ${nameOf(i.Tags) ?? "(no name)"}  ${i.PrivateIpAddress}  ${i.Placement?.AvailabilityZone ?? ""}`.trimEnd(),
          value: i.InstanceId!,
        })),
        { name: "another address (type it)", value: "" },
      ],
    });
    if (picked) {
      flags.targetInstance = picked;
      targetHome = instances.find((i) => i.InstanceId === picked)?.SubnetId;
    } else {
      flags.targetIp = (
        await prompt.input({
          message: "Private IP of the host on-prem should reach:",
          validate: (v: string) => checkPrivateIp(v, "the target") ?? true,
        })
      ).trim();
    }
  }
  if (inbound && !flags.ports?.length) {
    flags.ports = list(await prompt.input({ message: "TCP ports on that host to relay (comma list, e.g. 80,443):", validate: portsValid }));
  }

  const targetSubnetList = await listSubnets(ctx, targetVpcId);
  if (!flags.targetSubnets?.length) {
    const subnets = targetSubnetList;
    if (!targetHome && flags.targetInstance) targetHome = (await getInstance(ctx, flags.targetInstance, "--target-instance")).SubnetId;
    const home = targetHome ?? subnets.find((s) => flags.targetIp && contains(s.cidr, flags.targetIp))?.id;
    flags.targetSubnets = await pickSubnets(
      ctx,
      "Subnets of the target VPC for the relay (one per zone; include the target's own zone):",
      subnets,
      (s) => s.id === home,
    );
  }

  const relayVpcId =
    flags.relayVpcId ??
    (await prompt.select({
      message: "Which VPC is the relay VPC (the one on-prem reaches over the VPN)?",
      choices: vpcs.filter((v) => v.VpcId !== targetVpcId).map(vpcChoice),
    }));
  flags.relayVpcId = relayVpcId;
  const relaySubnets = await listSubnets(ctx, relayVpcId);
  if (!flags.relaySubnets?.length) {
    const zones = new Set(targetSubnetList.filter((s) => flags.targetSubnets!.includes(s.id)).map((s) => s.az));
    // Pre-select the first subnet of each zone the target side also has: the zones an endpoint can use.
    const preselected = new Set([...zones].map((z) => relaySubnets.find((s) => s.az === z)?.id).filter(Boolean));
    flags.relaySubnets = await pickSubnets(
      ctx,
      "Subnets of the relay VPC (one per zone; zones shared with the target subnets are pre-selected):",
      relaySubnets,
      (s) => preselected.has(s.id),
    );
  }

  if (inbound && given.relayIp === undefined) {
    const answer = (
      await prompt.input({
        message: "Address on-prem should connect to (in a relay subnet the endpoint sits on it; empty: use the endpoint's own addresses):",
        validate: (v: string) => (v.trim() === "" ? true : (checkPrivateIp(v, "the relay address") ?? true)),
      })
    ).trim();
    if (answer) flags.relayIp = answer;
  }
  const chosenRelay = relaySubnets.filter((s) => flags.relaySubnets!.includes(s.id));
  if (inbound && flags.relayIp && given.nat === undefined && !chosenRelay.some((s) => contains(s.cidr, flags.relayIp!))) {
    io.info(`${flags.relayIp} is in none of the chosen relay subnets, so a NAT server in the relay VPC must hold it and forward to the endpoint.`);
    flags.nat = await prompt.select({
      message: "Which rules should vpcwire write for the NAT server?",
      choices: [
        { name: "nftables (current Linux distributions)", value: "nftables" },
        { name: "iptables (older distributions)", value: "iptables" },
      ],
      default: "nftables",
    });
  }

  if (outbound && !flags.onpremIp) {
    flags.onpremIp = (
      await prompt.input({
        message: "Private IP of the on-prem host the existing EC2 should reach:",
        validate: (v: string) => checkPrivateIp(v, "the on-prem host") ?? true,
      })
    ).trim();
  }
  if (outbound && !flags.onpremPorts?.length) {
    flags.onpremPorts = list(await prompt.input({ message: "TCP ports on the on-prem host to relay (comma list):", validate: portsValid }));
  }
  return flags;
}

function portsValid(v: string): true | string {
  const ports = parsePorts(list(v));
  if (typeof ports === "string") return ports;
  return ports.length ? true : "enter at least one port";
}

function contains(cidr: string, ip: string): boolean {
  const c = parseCidr4(cidr);
  return typeof c !== "string" && cidrContains(c, ip);
}

/** A subnet checklist that insists on one subnet per zone (what a load balancer and an endpoint take). */
async function pickSubnets(ctx: Context, message: string, subnets: SubnetInfo[], checked: (s: SubnetInfo) => boolean): Promise<string[]> {
  if (subnets.length === 0) throw new Error("that VPC has no subnets; create one per Availability Zone the relay should use");
  for (;;) {
    const chosen = await ctx.io.prompt.checkbox({
      message,
      choices: subnets.map((s) => ({ name: `${s.id}  ${s.az}  ${s.cidr}${s.name ? `  ${s.name}` : ""}`, value: s.id, checked: checked(s) })),
      required: true,
    });
    const zones = chosen.map((id) => subnets.find((s) => s.id === id)!.az);
    const twice = zones.find((z, i) => zones.indexOf(z) !== i);
    if (!twice) return chosen;
    ctx.io.warn(`two of those subnets are in ${twice}; pick one subnet per zone`);
  }
}
