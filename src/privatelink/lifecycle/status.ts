/** `vpcwire status` of a privatelink stack: per direction the load balancer, each target's health in words, the service, the endpoint and where the relay address sits. */
import type { NetworkInterface, VpcEndpoint } from "@aws-sdk/client-ec2";
import type { LoadBalancer } from "@aws-sdk/client-elastic-load-balancing-v2";
import { send } from "../../aws/call.js";
import { describeSgRule } from "../../aws/sg-rules.js";
import { tagValue } from "../../aws/tags.js";
import type { Context } from "../../core/context.js";
import type { StackSummary, StatusLine, StatusReport, StatusSection } from "../../lifecycle/types.js";
import { type EndpointAddress, endpointAddresses, findInterfacesWithIp, lower } from "../aws.js";
import { explainTargetHealth } from "../health.js";
import { nlbName, RELAY_IP_TAG, RELAY_MODE_TAG } from "../names.js";
import { readStacks } from "./discover.js";
import { type DirectionParts, forwardsTo, lbNameOf, permissionsText, quietly } from "./parts.js";

const ec2 = () => import("@aws-sdk/client-ec2");

/** CIDRs of a load balancer's subnets (ids when they cannot be read): the source its targets see. */
async function subnetCidrs(ctx: Context, lb: LoadBalancer | undefined): Promise<string[]> {
  const ids = (lb?.AvailabilityZones ?? []).map((z) => z.SubnetId!).filter(Boolean);
  if (ids.length === 0) return [];
  const { DescribeSubnetsCommand } = await ec2();
  const subnets = await quietly(async () => (await send(ctx, "ec2", new DescribeSubnetsCommand({ SubnetIds: ids }))).Subnets ?? [], []);
  return ids.map((id) => subnets.find((s) => s.SubnetId === id)?.CidrBlock ?? id);
}

const LB_STATE_WORDS: Record<string, string> = {
  provisioning: "still provisioning (a few minutes after creation)",
  active_impaired: "impaired: some of its nodes cannot route traffic",
  failed: "failed",
};

function endpointWords(e: VpcEndpoint, stack: string): string {
  const st = lower(e.State);
  if (st === "available") return "";
  if (st === "pendingacceptance") {
    return ": waiting for the endpoint service to accept it; run the same privatelink relay command again (it accepts its own endpoint)";
  }
  if (st === "pending") return ": still being created (a minute or two)";
  if (st === "deleting") return ": being deleted";
  const why = e.LastError?.Message ?? e.FailureReason ?? "AWS gave no reason";
  return `: ${why}; it will not carry traffic: remove the stack (vpcwire destroy --stack ${stack}) and create it again`;
}

interface DirectionStatus {
  section: StatusSection;
  data: Record<string, unknown>;
  complete: boolean;
}

async function directionStatus(ctx: Context, stack: string, dir: DirectionParts): Promise<DirectionStatus> {
  const d = dir.direction;
  const lines: StatusLine[] = [];
  const again = `run the same privatelink relay command again to finish it, or remove the stack (vpcwire destroy --stack ${stack})`;
  const lb = dir.nlbs[0];
  const data: Record<string, unknown> = {};

  // The load balancer.
  if (!lb) {
    lines.push({ ok: false, text: `no load balancer ${nlbName(stack, d)}: ${again}` });
  } else {
    const code = lower(lb.State?.Code);
    const nodes = (lb.AvailabilityZones ?? []).flatMap((z) =>
      (z.LoadBalancerAddresses ?? []).map((a) => `${a.PrivateIPv4Address ?? a.IpAddress} (${z.ZoneName})`),
    );
    const words = code === "active" ? "" : ` (${LB_STATE_WORDS[code] ?? "not active"}${lb.State?.Reason ? `: ${lb.State.Reason}` : ""})`;
    lines.push({
      ok: code === "active",
      text: `load balancer ${lb.LoadBalancerName}: ${lb.State?.Code ?? "unknown"}${words}, internal in ${lb.VpcId}${nodes.length ? `, nodes ${nodes.join(", ")}` : ""}`,
    });
    data.loadBalancer = {
      name: lb.LoadBalancerName,
      arn: lb.LoadBalancerArn,
      state: lb.State?.Code,
      vpcId: lb.VpcId,
      dnsName: lb.DNSName,
      addresses: (lb.AvailabilityZones ?? []).flatMap((z) =>
        (z.LoadBalancerAddresses ?? []).map((a) => ({ az: z.ZoneName, subnetId: z.SubnetId, ip: a.PrivateIPv4Address ?? a.IpAddress })),
      ),
    };
  }

  // Listeners, target groups and each target's health, in words.
  const cidrs = await subnetCidrs(ctx, lb);
  if (dir.targetGroups.length === 0) lines.push({ ok: false, text: `no target group: ${again}` });
  const groups: unknown[] = [];
  for (const { tg, health } of dir.targetGroups) {
    const listener = dir.listeners.find((l) => forwardsTo(l, tg.TargetGroupArn));
    if (!listener) lines.push({ ok: false, text: `target group ${tg.TargetGroupName} (TCP ${tg.Port}): no listener forwards to it: ${again}` });
    const targets = (health ?? []).map((t) => {
      const explanation = explainTargetHealth(d, { destinationIp: t.Target?.Id ?? "", sourceCidrs: cidrs }, t);
      const state = t.TargetHealth?.State ?? "unknown";
      const reason = t.TargetHealth?.Reason;
      lines.push({
        ok: lower(state) === "healthy",
        text: `target ${t.Target?.Id}:${t.Target?.Port} (${tg.TargetGroupName}${listener ? `, listener ${listener.Protocol} ${listener.Port}` : ""}): ${state}${reason ? ` (${reason})` : ""}${explanation ? `: ${explanation}` : ""}`,
      });
      return {
        ip: t.Target?.Id,
        port: t.Target?.Port,
        ...(t.Target?.AvailabilityZone ? { availabilityZone: t.Target.AvailabilityZone } : {}),
        state,
        ...(reason ? { reason } : {}),
        ...(t.TargetHealth?.Description ? { description: t.TargetHealth.Description } : {}),
        ...(explanation ? { explanation } : {}),
      };
    });
    if (health && health.length === 0) {
      lines.push({ ok: false, text: `target group ${tg.TargetGroupName} (TCP ${tg.Port}): no registered target: ${again}` });
    }
    groups.push({ name: tg.TargetGroupName, arn: tg.TargetGroupArn, port: tg.Port, listenerArn: listener?.ListenerArn ?? null, targets });
  }
  for (const l of dir.listeners.filter((l) => !dir.targetGroups.some((t) => forwardsTo(l, t.tg.TargetGroupArn)))) {
    lines.push({ ok: null, text: `listener ${l.Protocol} ${l.Port} on ${lbNameOf(dir, l.LoadBalancerArn)} forwards to a target group of no stack` });
  }
  data.targetGroups = groups;

  // The endpoint service.
  const svc = dir.services[0];
  if (!svc) {
    lines.push({ ok: false, text: `no endpoint service${lb ? ` on ${lb.LoadBalancerName}` : ""}: ${again}` });
  } else {
    const st = lower(svc.ServiceState);
    const words = st === "available" ? "" : st === "pending" ? " (being created)" : st === "deleting" ? " (being deleted)" : " (it cannot be used)";
    lines.push({
      ok: st === "available",
      text: `endpoint service ${svc.ServiceId}: ${svc.ServiceState}${words}, ${svc.ServiceName}, zones ${(svc.AvailabilityZones ?? []).join(", ") || "none"}${svc.AcceptanceRequired ? ", acceptance required" : ""}`,
    });
    data.endpointService = {
      id: svc.ServiceId,
      name: svc.ServiceName,
      state: svc.ServiceState,
      availabilityZones: svc.AvailabilityZones ?? [],
      acceptanceRequired: svc.AcceptanceRequired ?? false,
    };
  }

  // The interface endpoint and its addresses.
  const ep = dir.endpoints[0];
  let addresses: EndpointAddress[] = [];
  if (!ep) {
    lines.push({ ok: false, text: `no interface endpoint: ${again}` });
  } else {
    addresses = await endpointAddresses(ctx, ep).catch(() => []);
    const dns = ep.DnsEntries?.[0]?.DnsName;
    const ips = addresses.map((a) => `${a.ip} (${a.eniId}, ${a.az})`);
    lines.push({
      ok: lower(ep.State) === "available",
      text: `interface endpoint ${ep.VpcEndpointId}: ${ep.State}${endpointWords(ep, stack)}; in ${ep.VpcId}, ${ips.length ? `addresses ${ips.join(", ")}` : "addresses could not be read"}${dns ? `, DNS ${dns}` : ""}`,
    });
    data.endpoint = {
      id: ep.VpcEndpointId,
      state: ep.State,
      vpcId: ep.VpcId,
      serviceName: ep.ServiceName,
      addresses,
      ...(dns ? { dnsName: dns } : {}),
      securityGroupIds: (ep.Groups ?? []).map((g) => g.GroupId),
    };
  }

  // Where on-prem connects (inbound): the relay IP on the endpoint, on a NAT server, or the endpoint's own addresses.
  if (d === "inbound" && ep) {
    const placement = await relayPlacement(ctx, ep, addresses);
    lines.push(placement.line);
    data.relay = placement.data;
  }

  for (const g of dir.securityGroups) lines.push({ ok: null, text: `security group ${g.GroupId} (${g.GroupName}) ${permissionsText(g)}` });
  data.securityGroups = dir.securityGroups.map((g) => ({ id: g.GroupId, name: g.GroupName, vpcId: g.VpcId }));

  const destinations = [...new Set(dir.targetGroups.flatMap((t) => (t.health ?? []).map((h) => h.Target?.Id)).filter(Boolean))];
  const ports = dir.targetGroups.map((t) => t.tg.Port);
  const who = d === "inbound" ? "on-prem -> existing EC2" : "existing EC2 -> on-prem";
  const title = `${d === "inbound" ? "Inbound" : "Outbound"} (${who}${destinations.length ? ` ${destinations.join(", ")}` : ""}${ports.length ? `, TCP ${ports.join(",")}` : ""})`;
  const complete = Boolean(lb && dir.targetGroups.length && dir.listeners.length && svc && ep);
  return { section: { title, lines }, data: { healthy: complete && lines.every((l) => l.ok !== false), ...data }, complete };
}

/** Where the inbound relay address is, checked against AWS (from the endpoint's relay tags). */
async function relayPlacement(ctx: Context, ep: VpcEndpoint, addresses: EndpointAddress[]): Promise<{ line: StatusLine; data: Record<string, unknown> }> {
  const relayIp = tagValue(ep.Tags, RELAY_IP_TAG);
  const mode = tagValue(ep.Tags, RELAY_MODE_TAG);
  const ips = addresses.map((a) => a.ip);
  if (!relayIp) {
    return {
      line: {
        ok: null,
        text: `no relay IP recorded on the endpoint: on-prem connects to its addresses${ips.length ? ` (${ips.join(", ")})` : ""}${ep.DnsEntries?.[0]?.DnsName ? ` or ${ep.DnsEntries[0].DnsName}` : ""}, or through a NAT server that forwards to them`,
      },
      data: { mode: "direct", relayIp: null, connectTo: ips },
    };
  }
  if (mode === "endpoint") {
    const on = addresses.find((a) => a.ip === relayIp);
    if (on) {
      return {
        line: { ok: true, text: `relay IP ${relayIp} is on the endpoint's interface ${on.eniId} (${on.az}): on-prem connects to it, no NAT server` },
        data: { mode, relayIp, heldBy: on.eniId },
      };
    }
    return {
      line: {
        ok: addresses.length ? false : null,
        text: addresses.length
          ? `relay IP ${relayIp} is not on the endpoint (its addresses are ${ips.join(", ")}): on-prem cannot reach the relay there`
          : `relay IP ${relayIp} should be on the endpoint, whose interfaces could not be read`,
      },
      data: { mode, relayIp, heldBy: null },
    };
  }
  const endpointEnis = new Set(ep.NetworkInterfaceIds ?? []);
  const holders = (await findInterfacesWithIp(ctx, ep.VpcId!, relayIp).catch(() => [] as NetworkInterface[])).filter(
    (e) => !endpointEnis.has(e.NetworkInterfaceId!),
  );
  const server = holders[0];
  if (!server) {
    return {
      line: {
        ok: false,
        text: `relay IP ${relayIp}: no interface in ${ep.VpcId} holds it: give it to the NAT server (for example as a secondary private IP) and load the NAT rules that forward it to ${ips.join(" or ") || "the endpoint"}`,
      },
      data: { mode: "nat", relayIp, heldBy: null },
    };
  }
  const who = server.Attachment?.InstanceId ? `${server.NetworkInterfaceId} (${server.Attachment.InstanceId})` : server.NetworkInterfaceId;
  return {
    line: {
      ok: true,
      text: `relay IP ${relayIp} is held by ${who}, the NAT server: its rules must forward to ${ips.join(" or ") || "the endpoint's addresses"}`,
    },
    data: { mode: "nat", relayIp, heldBy: server.NetworkInterfaceId, instanceId: server.Attachment?.InstanceId ?? null },
  };
}

export async function status(ctx: Context, summary: StackSummary): Promise<StatusReport> {
  const parts = (await readStacks(ctx, summary.stack, true)).get(summary.stack);
  const sections: StatusSection[] = [];
  const data: Record<string, unknown> = {};
  let complete = false;
  let healthy = true;
  for (const dir of parts?.directions ?? []) {
    const s = await directionStatus(ctx, summary.stack, dir);
    sections.push(s.section);
    data[dir.direction] = s.data;
    complete ||= s.complete;
    if (!s.complete || s.section.lines.some((l) => l.ok === false)) healthy = false;
  }
  const ownGroups = new Set((parts?.directions ?? []).flatMap((d) => d.securityGroups.map((g) => g.GroupId!)));
  const foreignRules = (parts?.rules ?? []).filter((r) => !ownGroups.has(r.groupId));
  if (foreignRules.length) sections.push({ title: "Security group rules added", lines: foreignRules.map((r) => ({ ok: null, text: describeSgRule(r) })) });
  data.securityGroupRules = parts?.rules ?? [];
  if (sections.length === 0) sections.push({ title: "Nothing left", lines: [{ ok: false, text: `stack ${summary.stack} has no relay resources left` }] });
  return { healthy: healthy && complete, sections, data };
}
