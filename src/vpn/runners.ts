/** The only code of `vpn create` that writes to AWS: one runner per plan step type. */
import {
  CreateCustomerGatewayCommand,
  CreateVpnConnectionCommand,
  CreateVpnConnectionRouteCommand,
  DescribeCustomerGatewaysCommand,
  DescribeVpnConnectionsCommand,
  ModifyVpnTunnelOptionsCommand,
  type VpnConnection,
  type VpnTunnelOptionsSpecification,
} from "@aws-sdk/client-ec2";
import { send } from "../aws/call.js";
import { awsCode } from "../aws/errors.js";
import { sgRuleRunner } from "../aws/sg-rules.js";
import { tagSpec } from "../aws/tags.js";
import { routeTags } from "../aws/tgw.js";
import { tgwRunners } from "../aws/tgw-runners.js";
import { idOf, vgwRunners } from "../aws/vgw-runners.js";
import type { Journal, StepOutcome, StepRunner } from "../core/apply.js";
import type { Context } from "../core/context.js";
import type { PollVerdict } from "../core/poll.js";
import { waiter } from "../core/wait.js";
import { modifyTunnelOptionsSpec, tunnelOptionsSpecs } from "../net/crypto.js";
import { DEVICE_TAG, type VpnInput } from "./inputs.js";
import { API_PSK_STORAGE } from "./psk-storage.js";

/** Until the connection is `available` (again): `pending` after a create, `modifying` after a tunnel options update. */
function untilAvailable(c: VpnConnection | undefined): PollVerdict {
  return c?.State === "available"
    ? { status: "done", state: "available" }
    : c?.State === "deleting" || c?.State === "deleted"
      ? { status: "failed", state: c.State, reason: "the VPN connection is being deleted" }
      : { status: "wait", state: c?.State ?? "not visible yet" };
}

/** Default wait for a VPN connection: real AWS takes minutes, sometimes tens of minutes. */
export const VPN_DEFAULT_TIMEOUT_MS = 45 * 60_000;

export function vpnRunners(ctx: Context, input: VpnInput, journal: Journal): Record<string, StepRunner> {
  const timeoutMs = ctx.config.timeoutMs ?? VPN_DEFAULT_TIMEOUT_MS;
  const wait = waiter(ctx, timeoutMs);

  return {
    ...vgwRunners(ctx, { stack: input.stack, kind: "vpn", journal, timeoutMs }),
    ...tgwRunners(ctx, { stack: input.stack, kind: "vpn", journal, timeoutMs }),

    async "customer-gateway"(step): Promise<StepOutcome> {
      let id = step.resourceId;
      if (step.action === "create") {
        const asn = Number(step.params.asn);
        const out = await send(
          ctx,
          "ec2",
          new CreateCustomerGatewayCommand({
            Type: "ipsec.1",
            IpAddress: String(step.params.ip),
            // BgpAsn is a 32-bit signed int on the wire; larger ASNs go in BgpAsnExtended.
            ...(asn > 2_147_483_647 ? { BgpAsnExtended: asn } : { BgpAsn: asn }),
            TagSpecifications: tagSpec("customer-gateway", input.stack, "vpn", "cgw"),
          }),
        );
        id = out.CustomerGateway!.CustomerGatewayId!;
        journal.created(step.resource, id, out.CustomerGateway?.State);
        if (out.CustomerGateway?.State === "available") return { resourceId: id, state: "available" };
      }
      await wait(
        `customer gateway ${id}`,
        `customer gateway ${id}`,
        async () => (await send(ctx, "ec2", new DescribeCustomerGatewaysCommand({ CustomerGatewayIds: [id!] }))).CustomerGateways?.[0],
        (g) =>
          g?.State === "available"
            ? { status: "done", state: "available" }
            : g?.State === "deleting" || g?.State === "deleted"
              ? { status: "failed", state: g.State, reason: "the customer gateway is being deleted" }
              : { status: "wait", state: g?.State ?? "not visible yet" },
      );
      return { resourceId: id!, state: "available" };
    },

    async "vpn-connection"(step, results): Promise<StepOutcome> {
      let id = step.resourceId;
      let created: VpnConnection | undefined;
      if (step.action === "create") {
        // The profile's algorithms, DPD action and startup action on both tunnels, with each tunnel's own range and key.
        const perTunnel = [0, 1].map((i) => ({
          ...(input.tunnelInsideCidrs[i] ? { TunnelInsideCidr: input.tunnelInsideCidrs[i] } : {}),
          ...(input.psks[i] ? { PreSharedKey: input.psks[i] } : {}),
        })) as [VpnTunnelOptionsSpecification, VpnTunnelOptionsSpecification];
        const tunnels: VpnTunnelOptionsSpecification[] = tunnelOptionsSpecs(input.crypto.crypto, perTunnel);
        const tags = tagSpec("vpn-connection", input.stack, "vpn", "vpn") as Array<{ ResourceType: string; Tags: Array<{ Key: string; Value: string }> }>;
        tags[0]!.Tags.push({ Key: DEVICE_TAG, Value: input.device });
        // On a Transit Gateway, which VPC routes this stack adds (route-table routes carry no tags): destroy reads these.
        if (input.tgw && input.routeTables !== "none") tags[0]!.Tags.push(...routeTags(input.vpcId, input.onpremCidrs));
        const out = await send(
          ctx,
          "ec2",
          new CreateVpnConnectionCommand({
            Type: "ipsec.1",
            CustomerGatewayId: idOf(results, "cgw"),
            // One target: a virtual private gateway or a Transit Gateway (never both).
            ...(input.tgw ? { TransitGatewayId: idOf(results, "tgw") } : { VpnGatewayId: idOf(results, "vgw") }),
            Options: {
              StaticRoutesOnly: input.routing === "static",
              TunnelOptions: tunnels,
              ...(input.acceleration ? { EnableAcceleration: true } : {}),
            },
            // Only when asked: the standard request stays what it always was.
            ...(input.pskStorage === "secrets-manager" ? { PreSharedKeyStorage: API_PSK_STORAGE[input.pskStorage] } : {}),
            TagSpecifications: tags as never,
          }),
        );
        created = out.VpnConnection;
        id = created!.VpnConnectionId!;
        journal.created(step.resource, id, created?.State);
      }
      const vpn = await wait(
        `VPN connection ${id}`,
        `VPN connection ${id} (AWS takes several minutes)`,
        async () => (await send(ctx, "ec2", new DescribeVpnConnectionsCommand({ VpnConnectionIds: [id!] }))).VpnConnections?.[0],
        untilAvailable,
      );
      // The create response always carries the tunnel XML; Describe does while pending/available.
      const xml = vpn?.CustomerGatewayConfiguration ?? created?.CustomerGatewayConfiguration;
      return { resourceId: id!, state: "available", data: { connection: { ...vpn, CustomerGatewayConfiguration: xml } } };
    },

    // One tunnel's crypto to what the run asks for. AWS replaces that tunnel's endpoint (it restarts) and
    // reports the connection `modifying` until it is done; the plan makes the second tunnel wait for this.
    async "vpn-tunnel-options"(step, results): Promise<StepOutcome> {
      const vpnId = idOf(results, "vpn");
      const ip = String(step.params.outsideIp);
      const tunnel = String(step.params.tunnel);
      await send(
        ctx,
        "ec2",
        new ModifyVpnTunnelOptionsCommand({
          VpnConnectionId: vpnId,
          VpnTunnelOutsideIpAddress: ip,
          TunnelOptions: modifyTunnelOptionsSpec(input.crypto.crypto) as never,
        }),
      );
      const vpn = await wait(
        `VPN connection ${vpnId}`,
        `tunnel ${tunnel} (${ip}) of ${vpnId}: new tunnel options (the tunnel restarts)`,
        async () => (await send(ctx, "ec2", new DescribeVpnConnectionsCommand({ VpnConnectionIds: [vpnId] }))).VpnConnections?.[0],
        untilAvailable,
      );
      return { resourceId: `${vpnId}/${ip}`, state: "available", data: { connection: vpn } };
    },

    async "vpn-route"(step, results): Promise<StepOutcome> {
      const vpnId = idOf(results, "vpn");
      const cidr = String(step.params.cidr);
      if (step.action === "create") {
        try {
          await send(ctx, "ec2", new CreateVpnConnectionRouteCommand({ VpnConnectionId: vpnId, DestinationCidrBlock: cidr }));
          ctx.io.success(`static route ${cidr} added to ${vpnId}`);
        } catch (error) {
          // The route is there already (an earlier run, or an endpoint that does not list Routes): done.
          if (!/AlreadyExists|Duplicate/.test(awsCode(error) ?? "")) throw error;
        }
      }
      return { resourceId: `${vpnId}/${cidr}` };
    },

    "sg-rule": sgRuleRunner(ctx, input.stack, "vpn"),
  };
}
