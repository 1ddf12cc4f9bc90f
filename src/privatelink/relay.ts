import type { Handler } from "../cli/kit.js";
import { type CreateCommand, createHandler } from "../core/create-command.js";
import { decideRelay } from "./decide.js";
import { finishRelay, previewRelay } from "./finish.js";
import { missingRelayFlags, type RelayFlags, type RelayInput, relayArgv, validateRelayFlags } from "./inputs.js";
import { observeRelay, type RelayFacts } from "./observe.js";

/** `vpcwire privatelink relay`: input -> plan -> confirm -> apply (health checks included) -> address map and NAT rules. */
export const relayCommand: CreateCommand<RelayFlags, RelayInput, RelayFacts> = {
  command: "privatelink relay",
  missing: missingRelayFlags,
  standIns: relayStandIns,
  // No rule here depends on the Region.
  validate: (flags, env) => validateRelayFlags(flags, { cwd: env.cwd }),
  wizard: async (ctx, flags) => (await import("./wizard.js")).relayWizard(ctx, flags),
  argv: relayArgv,
  stack: (input) => input.stack,
  observe: observeRelay,
  decide: decideRelay,
  runners: async (ctx, input, _facts, journal) => (await import("./runners.js")).relayRunners(ctx, input, journal),
  preview: (_ctx, input, facts) => previewRelay(input, facts),
  finish: async (_ctx, input, facts, results, plan) => finishRelay(input, facts, results, plan),
  converged: (input) => `Everything for stack ${input.stack} already exists; nothing was changed.`,
};

export const privatelinkRelay: Handler = createHandler(relayCommand);

/** Stand-ins for the flags the wizard will ask for, so the given ones can be checked first. */
export function relayStandIns(flags: RelayFlags): Partial<RelayFlags> {
  const inbound = Boolean(flags.targetIp || flags.targetInstance || flags.ports || flags.relayIp);
  const outbound = Boolean(flags.onpremIp || flags.onpremPorts);
  const natNeedsRelay = (flags.nat !== undefined && flags.nat !== "none") || flags.out !== undefined;
  const target = flags.targetIp || flags.targetInstance;
  return {
    ...(!target && (inbound || !outbound) ? { targetIp: "10.255.255.254" } : {}),
    ...(inbound || !outbound ? { ports: ["1"] } : {}),
    ...(outbound ? { onpremIp: "10.255.255.253", onpremPorts: ["1"] } : {}),
    ...(natNeedsRelay ? { relayIp: "10.255.255.252" } : {}),
    targetVpcId: "vpc-fffffffffffffff0e",
    relayVpcId: "vpc-fffffffffffffff0f",
    targetSubnets: ["subnet-fffffffe"],
    relaySubnets: ["subnet-ffffffff"],
  };
}
