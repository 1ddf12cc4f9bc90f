import type { VpnConnection } from "@aws-sdk/client-ec2";
import type { Handler } from "../cli/kit.js";
import type { Context } from "../core/context.js";
import { UsageError } from "../core/errors.js";
import { redact, writeSecretFile } from "../core/output.js";
import { resolveRegion } from "../core/region.js";
import { destroyCommand, runWorkflow, shellJoin } from "../core/workflow.js";
import { parseCustomerGatewayConfiguration, placeholderVpnConfig, type VpnConfigModel } from "../render/vpn-xml.js";
import { renderDeviceConfig, VPC_CIDR_PLACEHOLDER } from "./device-config.js";
import { missingVpnFlags, type VpnFlags, type VpnInput, validateVpnFlags, vpnArgv } from "./inputs.js";
import { planVpn, type VpnFacts } from "./plan.js";

/** `vpcwire vpn create`: input -> plan -> confirm -> apply -> router config. */
export const vpnCreate: Handler = async (ctx, opts) => {
  let flags = opts as VpnFlags;
  const cwd = ctx.cwd;
  // The Region as far as it is known without loading the SDK; enough to check flags before any call.
  const knownRegion = ctx.config.region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION;
  const missing = missingVpnFlags(flags);
  if (missing.length > 0) {
    if (!ctx.io.interactive) {
      throw new UsageError(`missing required flags: ${missing.join(", ")} (vpcwire asks for them only in an interactive terminal)`);
    }
    if (ctx.config.offline) throw new UsageError(`missing required flags: ${missing.join(", ")} (the wizard reads AWS, so it cannot run with --offline)`);
    // Check what was given before asking for the rest, so a typo fails now rather than after the questions.
    validateVpnFlags({ vpcId: "vpc-00000000", cgwIp: "8.8.8.8", onpremCidr: ["10.255.255.252/30"], ...flags }, { cwd });
    await resolveRegion(ctx);
    const { vpnWizard } = await import("./wizard.js");
    flags = await vpnWizard(ctx, flags);
  }
  let input = validateVpnFlags(flags, { ...(knownRegion ? { region: knownRegion } : {}), cwd });
  const region = await resolveRegion(ctx);
  // The profile may name a Region the environment did not: check the Region's reserved ASNs again.
  if (region && region !== knownRegion) input = validateVpnFlags(flags, { region, cwd });
  const argv = vpnArgv(input, ctx.config);
  if (missing.length > 0) ctx.io.info(`The same run without questions:\n  ${shellJoin(argv)}`);

  const { plan, facts } = await planVpn(ctx, input, region);
  const outcome = await runWorkflow(ctx, {
    plan,
    runners: async (journal) => (await import("./runners.js")).vpnRunners(ctx, input, journal),
    resumeCommand: shellJoin(argv),
    destroyCommand: destroyCommand(input.stack, ctx.config),
    dryRunExtra: async () => {
      const text = renderDeviceConfig({ ...deviceInput(input, facts, previewModel(input, facts)), offline: ctx.config.offline });
      return { text, json: { deviceConfigPreview: { device: input.device, placeholder: true, text } } };
    },
    finish: async (results) => {
      const connection = results.get("vpn")?.data?.connection as VpnConnection;
      return finishVpn(ctx, input, facts, connection, region);
    },
  });
  if (outcome.kind === "applied") {
    if (outcome.converged) ctx.io.success(`Everything for stack ${input.stack} already exists; nothing was changed.`);
  }
  return 0;
};

function previewModel(input: VpnInput, facts: VpnFacts): VpnConfigModel {
  return placeholderVpnConfig({
    routing: input.routing,
    customerOutsideIp: input.cgwIp,
    customerAsn: input.cgwAsn,
    amazonAsn: facts.amazonAsn,
    ...(input.tunnelInsideCidrs[0] ? { tunnel1InsideCidr: input.tunnelInsideCidrs[0] } : {}),
    ...(input.tunnelInsideCidrs[1] ? { tunnel2InsideCidr: input.tunnelInsideCidrs[1] } : {}),
  });
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
    aws: { ...t.aws, bgp: t.aws.bgp ?? { asn: facts.amazonAsn, holdTime: 30 } },
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
    ...(input.outsideInterface ? { outsideInterface: input.outsideInterface } : {}),
    ...(input.localAddress ? { localAddress: input.localAddress } : {}),
  };
}

async function finishVpn(ctx: Context, input: VpnInput, facts: VpnFacts, connection: VpnConnection, region: string | null) {
  const xml = connection.CustomerGatewayConfiguration;
  if (!xml) throw new Error(`VPN connection ${connection.VpnConnectionId} returned no tunnel configuration`);
  const order = (connection.Options?.TunnelOptions ?? []).map((t) => t.OutsideIpAddress).filter((ip): ip is string => Boolean(ip));
  const model = alignRouting(parseCustomerGatewayConfiguration(xml, order.length === 2 ? { tunnelOrder: order } : {}), input, facts);
  for (const w of model.warnings ?? []) ctx.io.warn(w);
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
    ...(reveal ? { preSharedKey: t.ike.preSharedKey } : {}),
  }));
  const doc = {
    schemaVersion: 1,
    ok: true,
    command: "vpn create",
    stack: input.stack,
    region,
    resources: {
      vpcId: input.vpcId,
      vpnGatewayId: connection.VpnGatewayId,
      customerGatewayId: connection.CustomerGatewayId,
      vpnConnectionId: connection.VpnConnectionId,
      state: connection.State,
    },
    routing: input.routing,
    tunnels,
    warnings: model.warnings ?? [],
    deviceConfig: {
      device: input.device,
      path: input.out ?? null,
      ...(input.out ? {} : { text: reveal ? text : redact(text, psks) }),
    },
  };

  const { io } = ctx;
  if (ctx.config.json) {
    io.result(JSON.stringify(doc, null, 2));
  } else {
    io.success(`VPN connection ${connection.VpnConnectionId} is available (stack ${input.stack}).`);
    for (const t of tunnels) {
      io.info(
        `  tunnel ${t.tunnel}: AWS ${t.awsOutsideIp} <-> router ${t.customerOutsideIp}, inside ${t.customerInsideIp} (router) / ${t.awsInsideIp} (AWS) in ${t.insideCidr}`,
      );
    }
    io.info(
      `Next: load the ${input.device === "csr1000v" ? "CSR1000V" : "strongSwan"} config on the router${input.out ? ` (written to ${input.out}, mode 0600)` : " (printed on stdout)"}. ` +
        `AWS waits for your router to start IKE; the tunnels come UP after that. Check them with: vpcwire status --stack ${input.stack}`,
    );
    if (!input.out) io.result(text);
  }
  return doc;
}
