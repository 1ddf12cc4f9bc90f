/** The only code of `vpn create` that writes to AWS: one runner per plan step type. */
import {
  AttachVpnGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateCustomerGatewayCommand,
  CreateVpnConnectionCommand,
  CreateVpnConnectionRouteCommand,
  CreateVpnGatewayCommand,
  DescribeCustomerGatewaysCommand,
  DescribeVpnConnectionsCommand,
  DescribeVpnGatewaysCommand,
  EnableVgwRoutePropagationCommand,
  type VpnConnection,
  type VpnTunnelOptionsSpecification,
} from "@aws-sdk/client-ec2";
import { send } from "../aws/call.js";
import { awsCode, isNotFound } from "../aws/errors.js";
import { tagSpec } from "../aws/tags.js";
import type { Journal, StepOutcome, StepResults, StepRunner } from "../core/apply.js";
import type { Context } from "../core/context.js";
import type { PlanStep } from "../core/plan.js";
import { pollUntil } from "../core/poll.js";
import { toIpPermission } from "../net/allow.js";
import type { VpnInput } from "./inputs.js";

/** Default wait for a VPN connection: real AWS takes minutes, sometimes tens of minutes. */
export const VPN_DEFAULT_TIMEOUT_MS = 45 * 60_000;

function idOf(results: StepResults, stepId: string): string {
  const id = results.get(stepId)?.resourceId;
  if (!id) throw new Error(`step ${stepId} produced no id`);
  return id;
}

export function vpnRunners(ctx: Context, input: VpnInput, journal: Journal): Record<string, StepRunner> {
  const timeoutMs = ctx.config.timeoutMs ?? VPN_DEFAULT_TIMEOUT_MS;
  const wait = <T>(what: string, label: string, describe: () => Promise<T>, check: Parameters<typeof pollUntil<T>>[0]["check"]) => {
    const task = ctx.io.task(label);
    return pollUntil({
      what,
      describe,
      check,
      retryOn: isNotFound,
      timeoutMs,
      clock: ctx,
      signal: ctx.signal,
      onState: (state) => task.update(state),
    }).then(
      (v) => {
        task.succeed();
        return v;
      },
      (e: unknown) => {
        task.fail(`${label}: ${(e as Error).message}`);
        throw e;
      },
    );
  };

  const describeVgw = async (id: string) =>
    (await send(ctx, "ec2", new DescribeVpnGatewaysCommand({ VpnGatewayIds: [id] }))).VpnGateways?.[0];

  return {
    async "vpn-gateway"(step: PlanStep): Promise<StepOutcome> {
      let id = step.resourceId;
      if (step.action === "create") {
        const out = await send(
          ctx,
          "ec2",
          new CreateVpnGatewayCommand({
            Type: "ipsec.1",
            AmazonSideAsn: Number(step.params.amazonAsn),
            TagSpecifications: tagSpec("vpn-gateway", input.stack, "vpn", "vgw"),
          }),
        );
        id = out.VpnGateway!.VpnGatewayId!;
        journal.created(step.resource, id, out.VpnGateway?.State);
      }
      // A gateway must be available before it can be attached.
      await wait(`virtual private gateway ${id}`, `virtual private gateway ${id}`, () => describeVgw(id!), (g) =>
        g?.State === "available"
          ? { status: "done", state: "available" }
          : g?.State === "deleting" || g?.State === "deleted"
            ? { status: "failed", state: g.State, reason: "the gateway is being deleted" }
            : { status: "wait", state: g?.State ?? "not visible yet" },
      );
      return { resourceId: id!, state: "available" };
    },

    async "vgw-attachment"(step, results): Promise<StepOutcome> {
      const vgwId = idOf(results, "vgw");
      const vpcId = String(step.params.vpcId);
      if (step.action === "create") {
        try {
          await send(ctx, "ec2", new AttachVpnGatewayCommand({ VpcId: vpcId, VpnGatewayId: vgwId }));
        } catch (error) {
          // A concurrent or earlier attach of the same pair is fine; anything else is not.
          const g = await describeVgw(vgwId);
          if (!g?.VpcAttachments?.some((a) => a.VpcId === vpcId && (a.State === "attached" || a.State === "attaching"))) throw error;
        }
      }
      if (step.action !== "no-op") {
        await wait(`attachment of ${vgwId} to ${vpcId}`, `attach ${vgwId} to ${vpcId}`, () => describeVgw(vgwId), (g) => {
          const state = g?.VpcAttachments?.find((a) => a.VpcId === vpcId)?.State ?? "not visible yet";
          if (state === "attached") return { status: "done", state };
          if (state === "detaching" || state === "detached") return { status: "failed", state, reason: "the gateway was detached" };
          return { status: "wait", state };
        });
      }
      return { resourceId: `${vgwId}/${vpcId}`, state: "attached" };
    },

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
        await send(ctx, "ec2", new CreateVpnConnectionRouteCommand({ VpnConnectionId: vpnId, DestinationCidrBlock: cidr }));
        ctx.io.success(`static route ${cidr} added to ${vpnId}`);
      }
      return { resourceId: `${vpnId}/${cidr}` };
    },

    async "route-propagation"(step, results): Promise<StepOutcome> {
      const vgwId = idOf(results, "vgw");
      const rtb = String(step.params.routeTableId);
      if (step.action === "update") {
        await send(ctx, "ec2", new EnableVgwRoutePropagationCommand({ GatewayId: vgwId, RouteTableId: rtb }));
        ctx.io.success(`route propagation from ${vgwId} enabled on ${rtb}`);
      }
      return { resourceId: rtb };
    },

    async "sg-rule"(step): Promise<StepOutcome> {
      const p = step.params;
      const groupId = String(p.groupId);
      if (step.action === "update") {
        const rule = { protocol: String(p.protocol), fromPort: Number(p.fromPort), toPort: Number(p.toPort), label: String(p.label) };
        try {
          await send(
            ctx,
            "ec2",
            new AuthorizeSecurityGroupIngressCommand({
              GroupId: groupId,
              IpPermissions: [toIpPermission(rule, String(p.cidr), `vpcwire ${input.stack} on-prem ${rule.label}`)],
            }),
          );
          ctx.io.success(`${groupId} now allows ${rule.label} from ${String(p.cidr)}`);
        } catch (error) {
          // The same rule already there (added by hand meanwhile) is what we wanted.
          if (awsCode(error) !== "InvalidPermission.Duplicate") throw error;
        }
      }
      return { resourceId: step.resourceId ?? groupId };
    },
  };
}
