/** Read-only AWS calls for `vpn create` planning and status. Writes live in runners.ts. */
import type { CustomerGateway, VpnConnection } from "@aws-sdk/client-ec2";
import { send } from "../aws/call.js";
import { tagValue } from "../aws/tags.js";
import type { Context } from "../core/context.js";

type Ctx = Pick<Context, "clients" | "io" | "config">;

/** The EC2 SDK module, loaded on first use so offline runs and --help never pay for it. */
const ec2 = () => import("@aws-sdk/client-ec2");

/** `modifying`: a tunnel options update in progress (not in the SDK's VpnState enum, but AWS reports it). */
const LIVE = ["pending", "available", "modifying"];

/** An existing CGW with the same IP and ASN (AWS would return it anyway for an identical create). */
export async function findCustomerGateway(ctx: Ctx, ip: string, asn: number): Promise<CustomerGateway | undefined> {
  const { DescribeCustomerGatewaysCommand } = await ec2();
  const out = await send(
    ctx,
    "ec2",
    new DescribeCustomerGatewaysCommand({
      Filters: [
        { Name: "ip-address", Values: [ip] },
        { Name: "state", Values: ["available", "pending"] },
      ],
    }),
  );
  // BgpAsn is a string in output; filter on our side so an emulator's filter support does not matter.
  return out.CustomerGateways?.find(
    (g) => g.IpAddress === ip && LIVE.includes(g.State ?? "") && (g.BgpAsn === String(asn) || g.BgpAsnExtended === String(asn)),
  );
}

export interface VpnConnectionFilter {
  Name: "vpn-gateway-id" | "transit-gateway-id" | "customer-gateway-id" | `tag:${string}`;
  Values: string[];
}

/**
 * Live VPN connections matching every filter. The filters go to AWS and are applied again here: an
 * emulator may ignore Filters and return every connection, and what this returns may be reused.
 */
export async function findVpnConnections(ctx: Ctx, filters: VpnConnectionFilter[]): Promise<VpnConnection[]> {
  const { DescribeVpnConnectionsCommand } = await ec2();
  const out = await send(ctx, "ec2", new DescribeVpnConnectionsCommand({ Filters: filters }));
  return (out.VpnConnections ?? []).filter((c) => LIVE.includes(c.State ?? "") && filters.every((f) => f.Values.includes(filterField(c, f.Name) ?? "")));
}

function filterField(c: VpnConnection, name: VpnConnectionFilter["Name"]): string | undefined {
  if (name === "vpn-gateway-id") return c.VpnGatewayId;
  if (name === "transit-gateway-id") return c.TransitGatewayId;
  if (name === "customer-gateway-id") return c.CustomerGatewayId;
  return tagValue(c.Tags, name.slice("tag:".length));
}
