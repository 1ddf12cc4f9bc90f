import type { Context } from "../core/context.js";
import { InterruptedError } from "../core/errors.js";
import type { AwsService } from "./clients.js";
import { toAwsError } from "./errors.js";

const SERVICE_NAMES: Record<AwsService, string> = { ec2: "EC2", dx: "Direct Connect", elbv2: "ELBv2", secretsmanager: "Secrets Manager" };

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
  ctx: Pick<Context, "clients" | "io" | "config"> & { signal?: AbortSignal },
  service: AwsService,
  command: C,
): Promise<OutputOf<C>> {
  const operation = command.constructor.name.replace(/Command$/, "");
  ctx.io.debug(`${SERVICE_NAMES[service]} ${operation}`);
  const client = (await ctx.clients.get(service)) as unknown as {
    send(c: C, options?: { abortSignal?: AbortSignal }): Promise<OutputOf<C>>;
  };
  // Ctrl-C aborts a read in flight, but never a write: a create cut off mid-flight could leave a
  // resource we never heard about. Writes finish, and Ctrl-C stops the waits between calls instead.
  const readOnly = /^(Describe|Get|List)/.test(operation);
  const signal = readOnly ? ctx.signal : undefined;
  try {
    return await (signal ? client.send(command, { abortSignal: signal }) : client.send(command));
  } catch (error) {
    if (signal?.aborted) throw new InterruptedError(`Interrupted while waiting for ${SERVICE_NAMES[service]} ${operation}.`, "signal");
    throw toAwsError(error, SERVICE_NAMES[service], operation, ctx.config.endpointUrl);
  }
}
