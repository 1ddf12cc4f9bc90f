import { STACK_NAME_RE } from "../aws/tags.js";
import type { Handler } from "../cli/kit.js";
import { flagError, UsageError } from "../core/errors.js";
import { iamAction, POLICY_COMMANDS, type PolicyCommand } from "./operations.js";
import { buildPolicy, operationsOf, policyActions } from "./policy.js";

/** The command named by the words after `vpcwire policy` ("vpn create"), or every command for "all". */
export function parsePolicyTarget(words: string[]): PolicyCommand[] {
  const text = words
    .join(" ")
    .trim()
    .replace(/\s+/g, " ")
    .replace(/^vpcwire /, "");
  if (text === "all") return [...POLICY_COMMANDS];
  const found = POLICY_COMMANDS.find((c) => c === text);
  if (!found) {
    throw new UsageError(`policy: "${text}" is not a vpcwire command that calls AWS; one of: ${POLICY_COMMANDS.join(", ")}, all`);
  }
  return [found];
}

/** `vpcwire policy <command...> [--stack NAME] [--json]`: offline, no AWS call. */
export const printPolicy: Handler = async (ctx, opts, cmd) => {
  const commands = parsePolicyTarget(cmd.args);
  const stack = opts.stack as string | undefined;
  if (stack !== undefined && !STACK_NAME_RE.test(stack)) throw flagError("--stack", `"${stack}" is not a stack name (lowercase letters, digits and hyphens)`);
  const policy = buildPolicy(commands, stack ? { stack } : {});
  const ops = operationsOf(commands);
  if (ctx.config.json) {
    const doc = {
      schemaVersion: 1,
      ok: true,
      command: "policy",
      for: commands,
      ...(stack ? { stack } : {}),
      policy,
      operations: ops.map((o) => ({ action: iamAction(o), access: o.access.kind, usedBy: o.usedBy })),
    };
    ctx.io.result(JSON.stringify(doc, null, 2));
    return 0;
  }
  ctx.io.result(JSON.stringify(policy, null, 2));
  const what = commands.length === 1 ? `vpcwire ${commands[0]}` : "every vpcwire command";
  ctx.io.info(
    `IAM policy for ${what}: ${policyActions(policy).length} actions; writes limited to resources tagged vpcwire:stack=${stack ?? "*"} where AWS allows it (docs/PERMISSIONS.md says where it does not).`,
  );
  return 0;
};
