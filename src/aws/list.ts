import type { Context } from "../core/context.js";
import { InterruptedError } from "../core/errors.js";
import type { OutputOf } from "./call.js";
import type { AwsClients } from "./clients.js";
import { toAwsError } from "./errors.js";

/** As src/aws/call.ts names the services in messages. */
const SERVICE_NAMES: Record<keyof AwsClients, string> = { ec2: "EC2", dx: "Direct Connect", elbv2: "ELBv2", secretsmanager: "Secrets Manager" };

/** What the SDK v3 `paginateX` functions (and `createPaginator` from @smithy/core) take. */
export interface PagerConfig {
  client: unknown;
  stopOnSameToken?: boolean;
  withCommand?: (command: never) => unknown;
}

/**
 * An SDK v3 paginator: `paginateDescribeVpcs`, `paginateDescribeLoadBalancers`, ... (a method
 * signature, so a paginator typed for its own client's config fits).
 */
export type Paginate<In, Out> = { paginate(config: PagerConfig, input: In, ...args: never[]): AsyncIterable<Out> }["paginate"];

/**
 * Every item of a paged Describe call, through the SDK's paginator for it: pages until AWS stops
 * returning a token (or returns the same token again, which some emulators do). Like `send`, each
 * page is logged under --debug, a read in flight is aborted by Ctrl-C, and failures become an
 * AwsError that names the service and operation.
 */
export async function listAll<In extends object, Out, Item>(
  ctx: Pick<Context, "clients" | "io" | "config"> & { signal?: AbortSignal },
  service: keyof AwsClients,
  paginate: Paginate<In, Out>,
  input: In,
  items: (out: Out) => Item[] | undefined,
): Promise<Item[]> {
  const client = await ctx.clients.get(service);
  let operation = "Describe";
  const config: PagerConfig = {
    client,
    stopOnSameToken: true,
    withCommand: (command: object) => {
      operation = command.constructor.name.replace(/Command$/, "");
      ctx.io.debug(`${SERVICE_NAMES[service]} ${operation}`);
      return undefined;
    },
  };
  const { signal } = ctx;
  const extra = (signal ? [{ abortSignal: signal }] : []) as never[];
  const all: Item[] = [];
  try {
    // A copy: the paginator writes the page token into the input it is given.
    for await (const page of paginate(config, { ...input }, ...extra)) all.push(...(items(page) ?? []));
  } catch (error) {
    if (signal?.aborted) throw new InterruptedError(`Interrupted while waiting for ${SERVICE_NAMES[service]} ${operation}.`, "signal");
    throw toAwsError(error, SERVICE_NAMES[service], operation, ctx.config.endpointUrl);
  }
  return all;
}

/**
 * A paginator for an operation the SDK ships none for (Direct Connect's `nextToken` calls), with the
 * same contract as the SDK's: follow `token` until it is absent, or repeated with `stopOnSameToken`.
 */
export function tokenPaginator<C extends new (...args: never[]) => object>(
  Command: C,
  token: string,
): Paginate<NonNullable<ConstructorParameters<C>[0]>, OutputOf<InstanceType<C>>> {
  type In = NonNullable<ConstructorParameters<C>[0]>;
  type Out = OutputOf<InstanceType<C>>;
  return async function* (config: PagerConfig, input: In, ...args: never[]): AsyncIterable<Out> {
    const client = config.client as { send(command: object, ...rest: never[]): Promise<Out> };
    let next: unknown;
    for (;;) {
      const command = new Command(...([next ? { ...(input as object), [token]: next } : input] as never[]));
      config.withCommand?.(command as never);
      const page = await client.send(command, ...args);
      yield page;
      const previous = next;
      next = (page as Record<string, unknown>)[token];
      if (!next || (config.stopOnSameToken && next === previous)) return;
    }
  };
}
