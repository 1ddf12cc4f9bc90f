/** The only code of `vpn create` that writes to AWS: one runner per plan step type. */
import {
  CreateCustomerGatewayCommand,
  CreateVpnConnectionCommand,
  CreateVpnConnectionRouteCommand,
  DescribeCustomerGatewaysCommand,
  DescribeVpnConnectionsCommand,
  type VpnConnection,
  type VpnTunnelOptionsSpecification,
} from "@aws-sdk/client-ec2";
import { send } from "../aws/call.js";
import { awsCode } from "../aws/errors.js";
import { sgRuleRunner } from "../aws/sg-rules.js";
import { tagSpec } from "../aws/tags.js";
import { idOf, vgwRunners } from "../aws/vgw-runners.js";
import type { Journal, StepOutcome, StepRunner } from "../core/apply.js";
import type { Context } from "../core/context.js";
import { waiter } from "../core/wait.js";
import type { VpnInput } from "./inputs.js";

/** Default wait for a VPN connection: real AWS takes minutes, sometimes tens of minutes. */
export const VPN_DEFAULT_TIMEOUT_MS = 45 * 60_000;

export function vpnRunners(ctx: Context, input: VpnInput, journal: Journal): Record<string, StepRunner> {
  const timeoutMs = ctx.config.timeoutMs ?? VPN_DEFAULT_TIMEOUT_MS;
  const wait = waiter(ctx, timeoutMs);

  return {
    ...vgwRunners(ctx, { stack: input.stack, kind: "vpn", journal, timeoutMs }),

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
        const tunnels: VpnTunnelOptionsSpecification[] = [0, 1].map((i) => ({
          ...(input.tunnelInsideCidrs[i] ? { TunnelInsideCidr: input.tunnelInsideCidrs[i] } : {}),
          ...(input.psks[i] ? { PreSharedKey: input.psks[i] } : {}),
          ...(input.ikeVersion ? { IKEVersions: [{ Value: input.ikeVersion }] } : {}),
        }));
        const out = await send(
          ctx,
          "ec2",
          new CreateVpnConnectionCommand({
            Type: "ipsec.1",
            CustomerGatewayId: idOf(results, "cgw"),
            VpnGatewayId: idOf(results, "vgw"),
            Options: { StaticRoutesOnly: input.routing === "static", TunnelOptions: tunnels },
            TagSpecifications: tagSpec("vpn-connection", input.stack, "vpn", "vpn"),
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
        (c) =>
          c?.State === "available"
            ? { status: "done", state: "available" }
            : c?.State === "deleting" || c?.State === "deleted"
              ? { status: "failed", state: c.State, reason: "the VPN connection is being deleted" }
              : { status: "wait", state: c?.State ?? "not visible yet" },
      );
      // The create response always carries the tunnel XML; Describe does while pending/available.
      const xml = vpn?.CustomerGatewayConfiguration ?? created?.CustomerGatewayConfiguration;
      return { resourceId: id!, state: "available", data: { connection: { ...vpn, CustomerGatewayConfiguration: xml } } };
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
