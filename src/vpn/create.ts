import type { VpnConnection } from "@aws-sdk/client-ec2";
import type { Handler } from "../cli/kit.js";
import type { Context } from "../core/context.js";
import { type CreateCommand, createHandler, type Finished, type Message, type PlanWhere } from "../core/create-command.js";
import { redact, writeSecretFile } from "../core/output.js";
import { tunnelOptionsSpecs } from "../net/crypto.js";
import { placeholderVpnConfig, type VpnConfigModel, withTunnelOptions } from "../render/vpn-xml.js";
import { renderConnectionConfig, tunnelData } from "./connection-config.js";
import { deviceLabel, nearOwnDevice, type ResolvedDevice, resolveDevice } from "./device.js";
import { renderDeviceConfig, VPC_CIDR_PLACEHOLDER } from "./device-config.js";
import { missingVpnFlags, type VpnFlags, type VpnInput, validateVpnFlags, vpnArgv } from "./inputs.js";
import { amazonAsnOf, connectionAfterApply, decideVpn, observeVpn, tunnelCryptoText, type VpnFacts } from "./plan.js";
import { PskSecretError } from "./psk-secret.js";
import { pskStorageOf } from "./psk-storage.js";

/** The facts of `vpn create`, with AWS's device type when `--device` names one (read from its catalog). */
export type VpnCreateFacts = VpnFacts & { awsDevice?: Extract<ResolvedDevice, { kind: "aws" }> };

/**
 * `observeVpn`, plus the catalog look-up of an AWS device type, so a search that matches no type or
 * several fails (exit 2) before anything is created. AWS's sample exists only for a created
 * connection: a dry run previews vpcwire's nearest own renderer, and says so.
 */
async function observeVpnCreate(ctx: Context, input: VpnInput, where: PlanWhere): Promise<VpnCreateFacts> {
  const spec = input.deviceSpec;
  const aws = spec && spec.kind !== "own" && !where.offline ? resolveDevice(ctx, spec) : undefined;
  const [facts, device] = await Promise.all([observeVpn(ctx, input, where), aws]);
  if (spec && spec.kind !== "own" && ctx.config.dryRun) {
    const named = device?.kind === "aws" ? `the ${deviceLabel(device.type)} sample (aws:${device.type.id})` : `AWS's sample for "${spec.text}"`;
    ctx.io.info(
      `AWS's sample configurations need a created connection: vpcwire asks AWS for ${named} at the end of the run. The preview is vpcwire's nearest own config (${input.device}).`,
    );
    const near = spec.kind === "aws-search" && !device ? nearOwnDevice(spec.search) : undefined;
    if (near)
      ctx.io.warn(
        `--device "${spec.text}" is not one of vpcwire's own devices${where.offline ? " (offline, AWS's catalog was not searched)" : ""}: did you mean --device ${near}?`,
      );
  }
  return device?.kind === "aws" ? { ...facts, awsDevice: device } : facts;
}

/** `vpcwire vpn create`: input -> plan -> confirm -> apply -> router config. */
export const vpnCreateCommand: CreateCommand<VpnFlags, VpnInput, VpnCreateFacts> = {
  command: "vpn create",
  missing: missingVpnFlags,
  standIns: () => ({ vpcId: "vpc-00000000", cgwIp: "8.8.8.8", onpremCidr: ["10.255.255.252/30"] }),
  validate: (flags, env) => validateVpnFlags(flags, { ...(env.region ? { region: env.region } : {}), cwd: env.cwd }),
  wizard: async (ctx, flags) => (await import("./wizard.js")).vpnWizard(ctx, flags),
  argv: vpnArgv,
  stack: (input) => input.stack,
  observe: observeVpnCreate,
  decide: decideVpn,
  runners: async (ctx, input, _facts, journal) => (await import("./runners.js")).vpnRunners(ctx, input, journal),
  preview: (ctx, input, facts) => {
    // Keys the user chose are theirs to see, as in the router config of a real run; in JSON only with --reveal-secrets, as there.
    const showKeys = !ctx.config.json || ctx.config.revealSecrets;
    const text = renderDeviceConfig({ ...deviceInput(input, facts, previewModel(input, facts, showKeys)), offline: !facts.read });
    return { text, json: { deviceConfigPreview: { device: input.device, placeholder: true, text } } };
  },
  // After tunnel option updates the connection holds the new options: render from the last read of it.
  finish: async (ctx, input, facts, results) => finishVpn(ctx, input, facts, connectionAfterApply(results)),
  converged: (input) => `Everything for stack ${input.stack} already exists; nothing was changed.`,
};

export const vpnCreate: Handler = createHandler(vpnCreateCommand);

/** The preview renders the crypto this run asks for (the tunnel options CreateVpnConnection will send). */
function previewModel(input: VpnInput, facts: VpnFacts, showKeys: boolean): VpnConfigModel {
  const model = placeholderVpnConfig({
    ...(showKeys ? { preSharedKeys: input.psks } : {}),
    routing: input.routing,
    customerOutsideIp: input.cgwIp,
    customerAsn: input.cgwAsn,
    amazonAsn: amazonAsnOf(input, facts),
    ...(input.tunnelInsideCidrs[0] ? { tunnel1InsideCidr: input.tunnelInsideCidrs[0] } : {}),
    ...(input.tunnelInsideCidrs[1] ? { tunnel2InsideCidr: input.tunnelInsideCidrs[1] } : {}),
  });
  return withTunnelOptions(model, tunnelOptionsSpecs(input.crypto.crypto, [{}, {}]));
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

async function finishVpn(ctx: Context, input: VpnInput, facts: VpnCreateFacts, connection: VpnConnection): Promise<Finished> {
  const reveal = ctx.config.revealSecrets;
  const device: ResolvedDevice = facts.awsDevice ?? {
    kind: "own",
    name: input.deviceSpec?.kind === "own" ? input.deviceSpec.name : input.device,
    renderer: input.device,
  };
  let config: Awaited<ReturnType<typeof renderConnectionConfig>>;
  try {
    config = await renderConnectionConfig(ctx, {
      connection,
      device,
      routing: input.routing,
      customerAsn: input.cgwAsn,
      amazonAsn: amazonAsnOf(input, facts),
      vpcCidrs: facts.vpcCidrs,
      onpremCidrs: input.onpremCidrs,
      ...(input.ikeVersion ? { ikeVersion: input.ikeVersion } : {}),
      ...(input.outsideInterface ? { outsideInterface: input.outsideInterface } : {}),
      ...(input.localAddress ? { localAddress: input.localAddress } : {}),
      ...(input.tunnelBase !== undefined ? { tunnelBase: input.tunnelBase } : {}),
      awsSide: createdAwsSide(input, facts, connection),
      stack: input.stack,
    });
  } catch (error) {
    if (error instanceof PskSecretError) return keysUnreadable(input, connection, error);
    throw error;
  }
  const { text, psks, warnings } = config;

  if (input.out) writeSecretFile(input.out, text);
  // The connection's own words for its crypto ("AWS defaults ..." rather than every allowed value).
  const tunnels = tunnelData(config.model, reveal).map((t) => ({
    ...t,
    crypto: tunnelCryptoText(connection, t.awsOutsideIp) ?? t.crypto ?? "not listed by AWS",
  }));
  const document = {
    resources: {
      vpcId: input.vpcId,
      ...(input.tgw ? { transitGatewayId: connection.TransitGatewayId } : { vpnGatewayId: connection.VpnGatewayId }),
      customerGatewayId: connection.CustomerGatewayId,
      vpnConnectionId: connection.VpnConnectionId,
      state: connection.State,
    },
    routing: config.model.routing,
    keyStorage: keyStorageDoc(connection),
    tunnels,
    warnings,
    deviceConfig: {
      ...config.device,
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
        `Next: load the ${config.label} config on the router${input.out ? ` (written to ${input.out}, mode 0600)` : " (printed on stdout)"}. ` +
        `${input.crypto.crypto.startupAction === "start" ? "AWS starts IKE itself (startup action start); the tunnels come UP once the router has the config." : "AWS waits for your router to start IKE; the tunnels come UP after that."} Check them with: vpcwire status --stack ${input.stack}. ` +
        `The config again, for this or another router: vpcwire vpn config --stack ${input.stack} --device <type>`,
    },
  ];
  return { document, ...(input.out ? {} : { stdout: text }), messages };
}

/** Where the keys live, for the JSON document: `{ storage, secretArn }`. */
function keyStorageDoc(connection: VpnConnection) {
  return { storage: pskStorageOf(connection), secretArn: connection.PreSharedKeyArn ?? null };
}

/**
 * Everything exists but the keys could not be read from Secrets Manager (no secretsmanager:GetSecretValue,
 * say): no config, exit 1, and how to render it later, once the keys can be read.
 */
function keysUnreadable(input: VpnInput, connection: VpnConnection, error: PskSecretError): Finished {
  const id = connection.VpnConnectionId;
  const later = `vpcwire vpn config --stack ${input.stack}${input.out ? ` --out ${input.out}` : ""}`;
  return {
    ok: false,
    document: {
      resources: {
        vpcId: input.vpcId,
        vpnGatewayId: connection.VpnGatewayId,
        customerGatewayId: connection.CustomerGatewayId,
        vpnConnectionId: id,
        state: connection.State,
      },
      keyStorage: keyStorageDoc(connection),
      error: { code: error.code, message: error.message },
      deviceConfig: null,
      next: later,
    },
    messages: [
      { level: "success", text: `VPN connection ${id} is available (stack ${input.stack}); its pre-shared keys are in AWS Secrets Manager (${error.arn}).` },
      { level: "warn", text: `No router config: ${error.message}.` },
      { level: "info", text: `The connection exists and stays as it is. Once the keys can be read, render the config with: ${later}` },
    ],
  };
}

/** What this run left in place on the AWS side, for the header of an AWS sample. */
function createdAwsSide(input: VpnInput, facts: VpnFacts, connection: VpnConnection): string[] {
  const lines = [
    input.tgw
      ? `transit gateway ${connection.TransitGatewayId} with ${input.vpcId} attached (Amazon side ASN ${amazonAsnOf(input, facts)})`
      : `virtual private gateway ${connection.VpnGatewayId} attached to ${input.vpcId} (Amazon side ASN ${amazonAsnOf(input, facts)})`,
    `customer gateway ${connection.CustomerGatewayId} for ${input.cgwIp}${input.routing === "bgp" ? ` (ASN ${input.cgwAsn})` : ""}`,
    `VPN connection ${connection.VpnConnectionId} with both tunnels${input.acceleration ? " (accelerated)" : ""}`,
  ];
  if (input.routing === "static") {
    lines.push(`static routes to on-prem${input.tgw ? " in the transit gateway route table" : ""}: ${input.onpremCidrs.join(", ")}`);
  }
  if (input.tgw && input.routeTables !== "none") {
    lines.push(
      `routes to ${input.onpremCidrs.join(", ")} via the transit gateway in ${input.routeTables === "all" ? "every route table of the VPC" : input.routeTables.join(", ")}`,
    );
  } else if (input.routeTables !== "none") {
    lines.push(`route propagation from the gateway into ${input.routeTables === "all" ? "every route table of the VPC" : input.routeTables.join(", ")}`);
  }
  if (input.securityGroup) lines.push(`security group ${input.securityGroup} allows ${input.allow.map((a) => a.label).join(", ")} from on-prem`);
  return lines;
}
