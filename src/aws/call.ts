import type { Context } from "../core/context.js";
import type { AwsClients } from "./clients.js";
import { toAwsError } from "./errors.js";

const SERVICE_NAMES: Record<keyof AwsClients, string> = { ec2: "EC2", dx: "Direct Connect", elbv2: "ELBv2" };

/** Minimal shape shared by every SDK v3 command. */
interface AnyCommand<Out> {
  readonly input: object;
  // Phantom marker so the output type is inferred from the command instance.
  readonly __out?: Out;
}

export type OutputOf<C> = C extends { resolveMiddleware: (...args: never[]) => infer H }
  ? H extends (...args: never[]) => Promise<{ output: infer O }>
    ? O
    : never
  : never;

/**
 * The one way vpcwire talks to AWS: send a command on the named client, honour Ctrl-C, and turn any
 * failure into an AwsError that names the service and operation. Capability code never calls
 * `client.send` directly.
 */
export async function send<C extends AnyCommand<unknown>>(
  ctx: Pick<Context, "clients" | "io" | "config">,
  service: keyof AwsClients,
  command: C,
): Promise<OutputOf<C>> {
  const operation = command.constructor.name.replace(/Command$/, "");
  ctx.io.debug(`${SERVICE_NAMES[service]} ${operation}`);
  const client = (await ctx.clients.get(service)) as unknown as {
    send(c: C): Promise<OutputOf<C>>;
  };
  try {
    // Calls are not aborted on Ctrl-C: a create cut off mid-flight could leave a resource we never
    // heard about. Ctrl-C stops the waits between calls instead (see pollUntil).
    return await client.send(command);
  } catch (error) {
    throw toAwsError(error, SERVICE_NAMES[service], operation, ctx.config.endpointUrl);
  }
}
