import type { VpnConnection } from "@aws-sdk/client-ec2";
import type { Handler } from "../cli/kit.js";
import type { Context } from "../core/context.js";
import { type CreateCommand, createHandler, type Finished, type Message } from "../core/create-command.js";
import { redact, writeSecretFile } from "../core/output.js";
import { tunnelOptionsSpecs } from "../net/crypto.js";
import { parseCustomerGatewayConfiguration, placeholderVpnConfig, type VpnConfigModel, withTunnelOptions } from "../render/vpn-xml.js";
import { renderDeviceConfig, VPC_CIDR_PLACEHOLDER } from "./device-config.js";
import { missingVpnFlags, type VpnFlags, type VpnInput, validateVpnFlags, vpnArgv } from "./inputs.js";
import { amazonAsnOf, connectionAfterApply, decideVpn, observeVpn, tunnelCryptoText, type VpnFacts } from "./plan.js";

/** `vpcwire vpn create`: input -> plan -> confirm -> apply -> router config. */
export const vpnCreateCommand: CreateCommand<VpnFlags, VpnInput, VpnFacts> = {
  command: "vpn create",
  missing: missingVpnFlags,
  standIns: () => ({ vpcId: "vpc-00000000", cgwIp: "8.8.8.8", onpremCidr: ["10.255.255.252/30"] }),
  validate: (flags, env) => validateVpnFlags(flags, { ...(env.region ? { region: env.region } : {}), cwd: env.cwd }),
  wizard: async (ctx, flags) => (await import("./wizard.js")).vpnWizard(ctx, flags),
  argv: vpnArgv,
  stack: (input) => input.stack,
  observe: observeVpn,
  decide: decideVpn,
  runners: async (ctx, input, _facts, journal) => (await import("./runners.js")).vpnRunners(ctx, input, journal),
  preview: (_ctx, input, facts) => {
    const text = renderDeviceConfig({ ...deviceInput(input, facts, previewModel(input, facts)), offline: !facts.read });
    return { text, json: { deviceConfigPreview: { device: input.device, placeholder: true, text } } };
  },
  // After tunnel option updates the connection holds the new options: render from the last read of it.
  finish: async (ctx, input, facts, results) => finishVpn(ctx, input, facts, connectionAfterApply(results)),
  converged: (input) => `Everything for stack ${input.stack} already exists; nothing was changed.`,
};

export const vpnCreate: Handler = createHandler(vpnCreateCommand);

/** The preview renders the crypto this run asks for (the tunnel options CreateVpnConnection will send). */
function previewModel(input: VpnInput, facts: VpnFacts): VpnConfigModel {
  const model = placeholderVpnConfig({
    routing: input.routing,
    customerOutsideIp: input.cgwIp,
    customerAsn: input.cgwAsn,
    amazonAsn: amazonAsnOf(input, facts),
    ...(input.tunnelInsideCidrs[0] ? { tunnel1InsideCidr: input.tunnelInsideCidrs[0] } : {}),
    ...(input.tunnelInsideCidrs[1] ? { tunnel2InsideCidr: input.tunnelInsideCidrs[1] } : {}),
  });
  return withTunnelOptions(model, tunnelOptionsSpecs(input.crypto.crypto, [{}, {}]));
}

/**
 * The routing the connection was created with decides the router config. AWS's XML agrees with it;
 * an emulator's canned XML may not (moto sends BGP blocks for a static connection), so follow the
 * connection and fill in BGP details from what we asked for when the XML lacks them.
 */
function alignRouting(model: VpnConfigModel, input: VpnInput, facts: VpnFacts): VpnConfigModel {
  if (model.routing === input.routing) return model;
  const warnings = [
    ...(model.warnings ?? []),
    `the tunnel configuration says ${model.routing} routing but the connection uses ${input.routing}; the router config follows the connection`,
  ];
  if (input.routing === "static") return { ...model, routing: "static", warnings };
  const tunnels = model.tunnels.map((t) => ({
    ...t,
    customer: { ...t.customer, bgp: t.customer.bgp ?? { asn: input.cgwAsn, holdTime: 30 } },
    aws: { ...t.aws, bgp: t.aws.bgp ?? { asn: amazonAsnOf(input, facts), holdTime: 30 } },
  })) as VpnConfigModel["tunnels"];
  return { ...model, routing: "bgp", tunnels, warnings };
}

function deviceInput(input: VpnInput, facts: VpnFacts, config: VpnConfigModel) {
  return {
    device: input.device,
    config,
    vpcCidrs: facts.vpcCidrs.length === 0 && config.placeholder ? [VPC_CIDR_PLACEHOLDER] : facts.vpcCidrs,
    onpremCidrs: input.onpremCidrs,
    ...(input.ikeVersion ? { ikeVersion: input.ikeVersion } : {}),
    ...(input.tunnelBase !== undefined ? { tunnelBase: input.tunnelBase } : {}),
    ...(input.outsideInterface ? { outsideInterface: input.outsideInterface } : {}),
    ...(input.localAddress ? { localAddress: input.localAddress } : {}),
  };
}

async function finishVpn(ctx: Context, input: VpnInput, facts: VpnFacts, connection: VpnConnection): Promise<Finished> {
  const xml = connection.CustomerGatewayConfiguration;
  if (!xml) throw new Error(`VPN connection ${connection.VpnConnectionId} returned no tunnel configuration`);
  const order = (connection.Options?.TunnelOptions ?? []).map((t) => t.OutsideIpAddress).filter((ip): ip is string => Boolean(ip));
  const model = alignRouting(parseCustomerGatewayConfiguration(xml, order.length === 2 ? { tunnelOrder: order } : {}), input, facts);
  const text = renderDeviceConfig(deviceInput(input, facts, model));
  const psks = model.tunnels.map((t) => t.ike.preSharedKey);
  const reveal = ctx.config.revealSecrets;

  if (input.out) writeSecretFile(input.out, text);
  const tunnels = model.tunnels.map((t) => ({
    tunnel: t.number,
    awsOutsideIp: t.aws.outsideIp,
    customerOutsideIp: t.customer.outsideIp,
    insideCidr: t.customer.insideCidr,
    awsInsideIp: t.aws.insideIp,
    customerInsideIp: t.customer.insideIp,
    crypto: tunnelCryptoText(connection, t.aws.outsideIp) ?? "not listed by AWS",
    ...(reveal ? { preSharedKey: t.ike.preSharedKey } : {}),
  }));
  const warnings = model.warnings ?? [];
  const document = {
    resources: {
      vpcId: input.vpcId,
      vpnGatewayId: connection.VpnGatewayId,
      customerGatewayId: connection.CustomerGatewayId,
      vpnConnectionId: connection.VpnConnectionId,
      state: connection.State,
    },
    routing: input.routing,
    tunnels,
    warnings,
    deviceConfig: {
      device: input.device,
      path: input.out ?? null,
      ...(input.out ? {} : { text: reveal ? text : redact(text, psks) }),
    },
  };
  // Warnings go to stderr in every mode (the JSON carries them too).
  for (const w of warnings) ctx.io.warn(w);
  const messages: Message[] = [
    { level: "success", text: `VPN connection ${connection.VpnConnectionId} is available (stack ${input.stack}).` },
    ...tunnels.map(
      (t): Message => ({
        level: "info",
        text: `  tunnel ${t.tunnel}: AWS ${t.awsOutsideIp} <-> router ${t.customerOutsideIp}, inside ${t.customerInsideIp} (router) / ${t.awsInsideIp} (AWS) in ${t.insideCidr}; crypto ${t.crypto}`,
      }),
    ),
    {
      level: "info",
      text:
        `Next: load the ${input.device === "csr1000v" ? "CSR1000V" : "strongSwan"} config on the router${input.out ? ` (written to ${input.out}, mode 0600)` : " (printed on stdout)"}. ` +
        `${input.crypto.crypto.startupAction === "start" ? "AWS starts IKE itself (startup action start); the tunnels come UP once the router has the config." : "AWS waits for your router to start IKE; the tunnels come UP after that."} Check them with: vpcwire status --stack ${input.stack}`,
    },
  ];
  return { document, ...(input.out ? {} : { stdout: text }), messages };
}
