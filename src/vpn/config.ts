/**
 * `vpcwire vpn config`: the router config for a VPN connection that exists, at any time, from the
 * connection's current tunnel options, keys and addresses: vpcwire's own renderers or AWS's sample
 * for any of its device types.
 */
import type { CustomerGateway, VpnConnection, VpnGateway } from "@aws-sdk/client-ec2";
import { send } from "../aws/call.js";
import { isNotFound } from "../aws/errors.js";
import { describeSgRule } from "../aws/sg-rules.js";
import { STACK_NAME_RE, STACK_TAG, tagValue } from "../aws/tags.js";
import { getTransitGateway, routesFromTags, tgwOptions } from "../aws/tgw.js";
import { attachedVpcOf, getVpnGateway } from "../aws/vgw.js";
import { getVpc, listRouteTables } from "../aws/vpc.js";
import type { Handler } from "../cli/kit.js";
import type { Context } from "../core/context.js";
import { flagError, UsageError, VpcwireError } from "../core/errors.js";
import { givenFlags } from "../core/flags.js";
import { redact, writeSecretFile } from "../core/output.js";
import { resolveRegion } from "../core/region.js";
import { shellJoin } from "../core/workflow.js";
import { isIpv4, parseCidr4 } from "../net/ip.js";
import { type ConnectionConfig, renderConnectionConfig, tunnelData } from "./connection-config.js";
import { askDevice, type DeviceSpec, parseDeviceFlag, resolveDevice } from "./device.js";
import { outFlag } from "./inputs.js";
import { readParts, type VpnStackParts } from "./lifecycle.js";

/** Raw commander options of `vpn config`. */
export interface VpnConfigFlags {
  stack?: string;
  vpnId?: string;
  device?: string;
  out?: string;
  onpremCidr?: string[];
  outsideInterface?: string;
  localAddress?: string;
}

/** Checked flags; no AWS call was needed for them. */
export interface VpnConfigInput {
  stack?: string;
  vpnId?: string;
  device: DeviceSpec;
  out?: string;
  onpremCidrs?: string[];
  outsideInterface?: string;
  localAddress?: string;
}

const VPN_ID_RE = /^vpn-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;
const LIVE = ["pending", "available"];

/** Every flag checked (exit 2 naming the flag), before any AWS call. */
export function validateVpnConfigFlags(flags: VpnConfigFlags, cwd: string): VpnConfigInput {
  if (flags.stack !== undefined && flags.vpnId !== undefined) throw flagError("--vpn-id", "give either --stack or --vpn-id, not both");
  if (flags.stack !== undefined && !STACK_NAME_RE.test(flags.stack)) {
    throw flagError("--stack", `"${flags.stack}" is not a stack name (lowercase letters, digits and hyphens; see 'vpcwire list')`);
  }
  if (flags.vpnId !== undefined && !VPN_ID_RE.test(flags.vpnId))
    throw flagError("--vpn-id", `"${flags.vpnId}" is not a VPN connection id (vpn- followed by 8 or 17 hex digits)`);
  const device = parseDeviceFlag(flags.device ?? "csr1000v");
  const onpremCidrs = flags.onpremCidr?.map((c) => {
    const parsed = parseCidr4(c);
    if (typeof parsed === "string") throw flagError("--onprem-cidr", parsed);
    return parsed.text;
  });
  if (flags.outsideInterface !== undefined && !/^[A-Za-z][A-Za-z0-9/.:-]{0,39}$/.test(flags.outsideInterface)) {
    throw flagError("--outside-interface", `"${flags.outsideInterface}" is not an interface name`);
  }
  if (flags.localAddress !== undefined) {
    if (!isIpv4(flags.localAddress)) throw flagError("--local-address", `"${flags.localAddress}" is not an IPv4 address`);
    if (device.kind !== "own" || device.renderer !== "strongswan") throw flagError("--local-address", "applies only to --device strongswan");
  }
  return {
    ...(flags.stack ? { stack: flags.stack } : {}),
    ...(flags.vpnId ? { vpnId: flags.vpnId } : {}),
    device,
    ...(flags.out ? { out: outFlag(flags.out, cwd) } : {}),
    ...(onpremCidrs ? { onpremCidrs } : {}),
    ...(flags.outsideInterface ? { outsideInterface: flags.outsideInterface } : {}),
    ...(flags.localAddress ? { localAddress: flags.localAddress } : {}),
  };
}

/** The same run without questions. */
function configArgv(flags: VpnConfigFlags): string[] {
  const args = ["vpcwire", "vpn", "config"];
  if (flags.stack) args.push("--stack", flags.stack);
  if (flags.vpnId) args.push("--vpn-id", flags.vpnId);
  if (flags.device) args.push("--device", flags.device);
  for (const c of flags.onpremCidr ?? []) args.push("--onprem-cidr", c);
  if (flags.outsideInterface) args.push("--outside-interface", flags.outsideInterface);
  if (flags.localAddress) args.push("--local-address", flags.localAddress);
  if (flags.out) args.push("--out", flags.out);
  return args;
}

/** The wizard: the stack (from the VPN stacks in the Region), then the device, then where to write. */
async function vpnConfigWizard(ctx: Context, given: VpnConfigFlags): Promise<VpnConfigFlags> {
  const flags = { ...given };
  const { vpnLifecycle } = await import("./lifecycle.js");
  const stacks = (await vpnLifecycle.discover(ctx)).filter((s) => s.resources.some((r) => r.type === "VPN connection"));
  if (stacks.length === 0)
    throw new VpcwireError("No vpcwire VPN stacks with a VPN connection in this Region (create one with 'vpcwire vpn create', or give --vpn-id).", 1);
  flags.stack = await ctx.io.prompt.select({
    message: "Which VPN stack?",
    choices: stacks.map((s) => ({
      name: `${s.stack} (${s.state}: ${s.resources.map((r) => `${r.id}${r.owned ? "" : " reused"}`).join(", ")})`,
      value: s.stack,
    })),
  });
  if (given.device === undefined) flags.device = await askDevice(ctx);
  if (given.out === undefined) {
    const out = (
      await ctx.io.prompt.input({
        message: "Write the router config (it holds the pre-shared keys) to which file? (mode 0600; '-' prints it here instead)",
        default: `${flags.stack}${flags.device === "strongswan" ? ".swanctl.conf" : ".cfg"}`,
        validate: (v) => (v.trim() ? true : "enter a file name, or - to print the config on the terminal"),
      })
    ).trim();
    if (out !== "-") flags.out = out;
  }
  return flags;
}

interface Found {
  connection: VpnConnection;
  stack?: string;
  parts?: VpnStackParts;
}

/** The connection a stack or id names; one-line errors for a stack without one or a deleted one. */
async function findConnection(ctx: Context, input: VpnConfigInput, region: string | null): Promise<Found> {
  const where = region ?? "this Region";
  if (input.vpnId) {
    const { DescribeVpnConnectionsCommand } = await import("@aws-sdk/client-ec2");
    let connection: VpnConnection | undefined;
    try {
      connection = (await send(ctx, "ec2", new DescribeVpnConnectionsCommand({ VpnConnectionIds: [input.vpnId] }))).VpnConnections?.[0];
    } catch (error) {
      if (isNotFound(error)) throw flagError("--vpn-id", `${input.vpnId} does not exist in ${where}`);
      throw error;
    }
    if (!connection) throw flagError("--vpn-id", `${input.vpnId} does not exist in ${where}`);
    assertLive(connection);
    const stack = tagValue(connection.Tags, STACK_TAG);
    return { connection, ...(stack ? { stack } : {}) };
  }
  const stack = input.stack!;
  const parts = await readParts(ctx, stack);
  const connection =
    parts.connections.find((c) => c.State === "available") ?? parts.connections.find((c) => LIVE.includes(c.State ?? "")) ?? parts.connections[0];
  if (connection) {
    assertLive(connection);
    return { connection, stack, parts };
  }
  if (parts.vgws.length || parts.cgws.length || parts.rules.length) {
    throw new VpcwireError(
      `Stack ${stack} has no VPN connection any more (it was deleted); run its 'vpcwire vpn create' again, or 'vpcwire destroy --stack ${stack}'.`,
      1,
    );
  }
  const { allLifecycles } = await import("../lifecycle/kinds.js");
  for (const lifecycle of await allLifecycles()) {
    if (lifecycle.kind === "vpn") continue;
    const [other] = await lifecycle.discover(ctx, stack);
    if (other) throw flagError("--stack", `${stack} is a ${other.kind} stack; it has no VPN connection (see 'vpcwire list')`);
  }
  throw new VpcwireError(`No resources tagged vpcwire:stack=${stack} in ${where} (see 'vpcwire list').`, 1);
}

function assertLive(c: VpnConnection): void {
  if (!LIVE.includes(c.State ?? "")) {
    throw new VpcwireError(
      `VPN connection ${c.VpnConnectionId} is ${c.State}; AWS keeps the tunnel configuration only while a connection is pending or available.`,
      1,
    );
  }
}

/** The VPC, gateway and customer gateway around the connection, and what vpcwire set up there. */
async function surroundings(ctx: Context, found: Found) {
  const { connection, parts } = found;
  const vgwId = connection.VpnGatewayId;
  const vgw: VpnGateway | undefined = parts?.vgws.find((g) => g.VpnGatewayId === vgwId) ?? (vgwId ? await getVpnGateway(ctx, vgwId) : undefined);
  let cgw: CustomerGateway | undefined = parts?.cgws.find((g) => g.CustomerGatewayId === connection.CustomerGatewayId);
  if (!cgw && connection.CustomerGatewayId) {
    const { DescribeCustomerGatewaysCommand } = await import("@aws-sdk/client-ec2");
    cgw = (await send(ctx, "ec2", new DescribeCustomerGatewaysCommand({ CustomerGatewayIds: [connection.CustomerGatewayId] }))).CustomerGateways?.[0];
  }
  // A connection on a Transit Gateway: the VPC is the one vpcwire attached (recorded on the connection, or
  // the stack's attachment), the ASN the gateway's, the static routes those in the gateway's route table.
  if (connection.TransitGatewayId) return tgwSurroundings(ctx, found, cgw);
  const vpcId = attachedVpcOf(vgw);
  if (!vpcId) {
    throw new VpcwireError(
      `VPN connection ${connection.VpnConnectionId} ends on ${vgwId ? `gateway ${vgwId}, which is not attached to a VPC` : "a transit gateway"}; vpcwire renders configs for connections on a VPC's virtual private gateway.`,
      1,
    );
  }
  const [{ cidrs }, tables] = await Promise.all([getVpc(ctx, vpcId), listRouteTables(ctx, vpcId)]);
  const propagating = tables.filter((t) => t.PropagatingVgws?.some((p) => p.GatewayId === vgwId)).map((t) => t.RouteTableId!);
  const routes = (connection.Routes ?? []).filter((r) => r.State !== "deleted" && r.DestinationCidrBlock).map((r) => r.DestinationCidrBlock!);
  const bgp = connection.Options?.StaticRoutesOnly !== true;
  const cgwAsn = Number(cgw?.BgpAsn ?? cgw?.BgpAsnExtended);
  const awsSide = [
    `virtual private gateway ${vgwId} attached to ${vpcId} (Amazon side ASN ${vgw?.AmazonSideAsn ?? "unknown"})`,
    `customer gateway ${connection.CustomerGatewayId} for ${cgw?.IpAddress ?? "the router"}${bgp && cgwAsn ? ` (ASN ${cgwAsn})` : ""}`,
    `VPN connection ${connection.VpnConnectionId} with both tunnels`,
    bgp ? "BGP routing: the gateway learns the on-prem routes from the router" : `static routes to on-prem: ${routes.join(", ") || "none"}`,
    propagating.length ? `route propagation from the gateway into ${propagating.join(", ")}` : "no route table propagates from the gateway",
    ...(parts?.rules ?? []).map((r) => `security group rule ${describeSgRule(r)}`),
  ];
  return {
    vpcCidrs: cidrs,
    onpremCidrs: routes,
    ...(Number.isFinite(cgwAsn) && cgwAsn > 0 ? { customerAsn: cgwAsn } : {}),
    ...(vgw?.AmazonSideAsn ? { amazonAsn: vgw.AmazonSideAsn } : {}),
    awsSide,
  };
}

/** `surroundings` for a connection on a Transit Gateway. */
async function tgwSurroundings(ctx: Context, found: Found, cgw: CustomerGateway | undefined) {
  const { connection, parts } = found;
  const tgwId = connection.TransitGatewayId!;
  const tgw = parts?.tgw.tgws.find((t) => t.TransitGatewayId === tgwId) ?? (await getTransitGateway(ctx, tgwId));
  const recorded = routesFromTags(connection.Tags);
  const vpcId = recorded.vpcId ?? parts?.tgw.vpcAttachments.find((a) => a.TransitGatewayId === tgwId)?.VpcId;
  if (!vpcId) {
    throw new VpcwireError(
      `VPN connection ${connection.VpnConnectionId} ends on transit gateway ${tgwId}, and vpcwire cannot tell which VPC it serves; use --stack with the stack that attached the VPC.`,
      1,
    );
  }
  const { cidrs } = await getVpc(ctx, vpcId);
  const staticRoutes = parts?.tgw.vpn.find((v) => v.connection.VpnConnectionId === connection.VpnConnectionId)?.staticRoutes ?? [];
  const bgp = connection.Options?.StaticRoutesOnly !== true;
  const routes = bgp ? recorded.cidrs : staticRoutes.map((r) => r.DestinationCidrBlock!).filter(Boolean);
  const cgwAsn = Number(cgw?.BgpAsn ?? cgw?.BgpAsnExtended);
  const asn = tgwOptions(tgw).asn;
  const awsSide = [
    `transit gateway ${tgwId} with ${vpcId} attached (Amazon side ASN ${asn ?? "unknown"})`,
    `customer gateway ${connection.CustomerGatewayId} for ${cgw?.IpAddress ?? "the router"}${bgp && cgwAsn ? ` (ASN ${cgwAsn})` : ""}`,
    `VPN connection ${connection.VpnConnectionId} with both tunnels${connection.Options?.EnableAcceleration ? " (accelerated)" : ""}`,
    bgp
      ? "BGP routing: the gateway learns the on-prem routes from the router"
      : `static routes to on-prem in the transit gateway route table: ${routes.join(", ") || "none"}`,
    recorded.cidrs.length
      ? `routes to ${recorded.cidrs.join(", ")} via the transit gateway in the VPC's route tables`
      : "no VPC route to the transit gateway recorded",
    ...(parts?.rules ?? []).map((r) => `security group rule ${describeSgRule(r)}`),
  ];
  return {
    vpcCidrs: cidrs,
    onpremCidrs: routes.length ? routes : recorded.cidrs,
    ...(Number.isFinite(cgwAsn) && cgwAsn > 0 ? { customerAsn: cgwAsn } : {}),
    ...(asn ? { amazonAsn: asn } : {}),
    awsSide,
  };
}

/** `vpcwire vpn config --stack NAME | --vpn-id ID [--device D] [--out FILE]` */
export const vpnConfig: Handler = async (ctx, opts) => {
  const { io, config } = ctx;
  if (config.offline) {
    throw flagError(
      "--offline",
      "vpn config reads the VPN connection from AWS; run it without --offline (a preview before anything exists: vpn create --dry-run --offline)",
    );
  }
  let flags = givenFlags<VpnConfigFlags>(opts);
  let input = validateVpnConfigFlags(flags, ctx.cwd);
  const wizard = !input.stack && !input.vpnId;
  if (wizard && !io.interactive) {
    throw new UsageError("missing required flags: --stack or --vpn-id (vpcwire asks for them only in an interactive terminal)");
  }
  const region = await resolveRegion(ctx);
  if (wizard) {
    flags = await vpnConfigWizard(ctx, flags);
    input = validateVpnConfigFlags(flags, ctx.cwd);
    io.info(`The same run without questions:\n  ${shellJoin(configArgv(flags))}`);
  }

  const [found, device] = await Promise.all([findConnection(ctx, input, region), resolveDevice(ctx, input.device)]);
  const around = await surroundings(ctx, found);
  const rendered: ConnectionConfig = await renderConnectionConfig(ctx, {
    connection: found.connection,
    device,
    ...(around.customerAsn ? { customerAsn: around.customerAsn } : {}),
    ...(around.amazonAsn ? { amazonAsn: around.amazonAsn } : {}),
    vpcCidrs: around.vpcCidrs,
    onpremCidrs: input.onpremCidrs ?? around.onpremCidrs,
    ...(input.outsideInterface ? { outsideInterface: input.outsideInterface } : {}),
    ...(input.localAddress ? { localAddress: input.localAddress } : {}),
    awsSide: around.awsSide,
    ...(found.stack ? { stack: found.stack } : {}),
  });

  const reveal = config.revealSecrets;
  const write = input.out !== undefined && !config.dryRun;
  if (write) writeSecretFile(input.out!, rendered.text);
  const connection = found.connection;
  const tunnels = tunnelData(rendered.model, reveal);
  for (const w of rendered.warnings) io.warn(w);

  if (config.json) {
    const doc = {
      schemaVersion: 1,
      ok: true,
      command: "vpn config",
      stack: found.stack ?? null,
      region,
      vpnConnectionId: connection.VpnConnectionId,
      state: connection.State,
      vpnGatewayId: connection.VpnGatewayId,
      customerGatewayId: connection.CustomerGatewayId,
      routing: rendered.model.routing,
      tunnels,
      warnings: rendered.warnings,
      deviceConfig: {
        ...rendered.device,
        path: write ? input.out : null,
        ...(write ? {} : { text: reveal ? rendered.text : redact(rendered.text, rendered.psks) }),
      },
    };
    io.result(JSON.stringify(doc, null, 2));
    return 0;
  }
  // The config itself is what was asked for: stdout gets it, keys included, unless a file does.
  if (!input.out) io.result(rendered.text);
  else if (!write) io.info(`--dry-run: ${input.out} was not written.`);
  io.success(
    `${rendered.label} config for VPN connection ${connection.VpnConnectionId}${found.stack ? ` (stack ${found.stack})` : ""}${write ? ` written to ${input.out} (mode 0600)` : input.out ? "" : " on stdout"}.`,
  );
  for (const t of tunnels) {
    io.info(
      `  tunnel ${t.tunnel}: AWS ${t.awsOutsideIp} <-> router ${t.customerOutsideIp}, inside ${t.customerInsideIp} (router) / ${t.awsInsideIp} (AWS) in ${t.insideCidr}`,
    );
  }
  return 0;
};

export const handler = vpnConfig;
