/**
 * The fleet's AWS clients: every call of every site, on every client, goes through ONE adaptive rate
 * limiter (the SDK's own CUBIC limiter, `DefaultRateLimiter` from @smithy/core/retry, on vpcwire's
 * injected clock), so throttling slows the whole fleet down instead of failing sites; a throttled call
 * waits for the limiter and is sent again. Polls of the same resource type (Describe by ids) that
 * fall in the same tick share one call (`batched`), and identical reads in flight are sent once.
 */
import { DefaultRateLimiter } from "@smithy/core/retry";
import type { AwsService } from "../../aws/clients.js";
import { awsCode } from "../../aws/errors.js";
import { batched } from "../../core/batch.js";
import type { AwsClientSource, Clock } from "../../core/context.js";

/** EC2's throttling codes (aws-facts: the SDK's throttling list). */
const THROTTLING = new Set([
  "RequestLimitExceeded",
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "EC2ThrottledException",
]);

export function isThrottling(error: unknown): boolean {
  return THROTTLING.has(awsCode(error) ?? (error as { name?: string })?.name ?? "");
}

/** Polls wait for the next tick boundary so that the sites polling in the same second share a call. */
export const POLL_TICK_MS = 1000;
/** A call throttled this many times in a row fails (the limiter has slowed the fleet by then). */
export const MAX_THROTTLED_ATTEMPTS = 12;

/** Describe calls by id whose ids can be merged into one call: the list key and the id field of the items. */
const BY_ID: Record<string, { ids: string; items: string; id: string }> = {
  DescribeVpnConnections: { ids: "VpnConnectionIds", items: "VpnConnections", id: "VpnConnectionId" },
  DescribeCustomerGateways: { ids: "CustomerGatewayIds", items: "CustomerGateways", id: "CustomerGatewayId" },
  DescribeVpnGateways: { ids: "VpnGatewayIds", items: "VpnGateways", id: "VpnGatewayId" },
};

type AnyCommand = { input: Record<string, unknown>; constructor: new (input: never) => unknown };
type Sender = { send(command: unknown, options?: unknown): Promise<Record<string, unknown>> };

/** The rate limiter's view of time: the SDK's limiter reads the wall clock; vpcwire's clock is injected. */
interface LimiterInternals {
  getCurrentTimeInSeconds(): number;
  acquireTokenBucket(amount: number): Promise<void>;
  refillTokenBucket(): void;
  enabled: boolean;
  availableTokens: number;
  fillRate: number;
}

/**
 * The SDK's adaptive (CUBIC) rate limiter, reading and sleeping on `clock`: the same algorithm the
 * SDK's `retryMode: adaptive` uses per client, here one instance for the whole fleet.
 */
export function sharedRateLimiter(clock: Clock, signal?: AbortSignal): DefaultRateLimiter {
  const limiter = new DefaultRateLimiter();
  const inner = limiter as unknown as LimiterInternals;
  inner.getCurrentTimeInSeconds = () => clock.now() / 1000;
  inner.acquireTokenBucket = async (amount: number) => {
    if (!inner.enabled) return;
    inner.refillTokenBucket();
    while (amount > inner.availableTokens) {
      // Whole milliseconds, at least one: a clock in ms must move for the bucket to refill.
      await clock.sleep(Math.max(1, Math.ceil(((amount - inner.availableTokens) / inner.fillRate) * 1000)), signal);
      inner.refillTokenBucket();
    }
    inner.availableTokens -= amount;
  };
  // Constructed before the clock was swapped in: start its windows at the injected time.
  Object.assign(limiter, { lastThrottleTime: clock.now() / 1000, lastTxRateBucket: Math.floor(clock.now() / 1000) });
  return limiter;
}

export interface FleetCallStats {
  /** Calls sent to AWS (each attempt counts). */
  sent: number;
  /** Attempts AWS throttled and the fleet sent again. */
  throttled: number;
  /** Requests that joined another's call instead of sending their own. */
  shared: number;
}

/** `ctx.clients` for the fleet: one limiter, batched polls, shared reads. */
export function fleetClients(base: AwsClientSource, clock: Clock, signal: AbortSignal, limiter = sharedRateLimiter(clock, signal)) {
  const stats: FleetCallStats = { sent: 0, throttled: 0, shared: 0 };
  const wrapped = new Map<AwsService, Promise<Sender>>();

  const limited = async (client: Sender, command: unknown, options?: unknown): Promise<Record<string, unknown>> => {
    for (let attempt = 1; ; attempt++) {
      await limiter.getSendToken();
      stats.sent += 1;
      try {
        const out = await client.send(command, options);
        limiter.updateClientSendingRate(out);
        return out;
      } catch (error) {
        limiter.updateClientSendingRate(isThrottling(error) ? { errorType: "THROTTLING", error } : error);
        if (!isThrottling(error) || attempt >= MAX_THROTTLED_ATTEMPTS || signal.aborted) throw error;
        stats.throttled += 1;
      }
    }
  };

  const wrap = (client: Sender): Sender => {
    const inFlight = new Map<string, Promise<Record<string, unknown>>>();
    const byId = new Map<string, (key: string) => Promise<unknown>>();
    const batchFor = (op: string, command: AnyCommand) => {
      let load = byId.get(op);
      if (!load) {
        const shape = BY_ID[op]!;
        const Ctor = command.constructor;
        load = batched<string, unknown>(async (ids) => {
          const results = new Map<string, unknown>();
          try {
            const out = await limited(client, new Ctor({ [shape.ids]: ids } as never));
            for (const item of (out[shape.items] as Array<Record<string, unknown>>) ?? []) results.set(String(item[shape.id]), { item });
          } catch (error) {
            if (ids.length === 1) throw error;
            // One id AWS no longer knows fails the whole call: ask for each on its own, so only its poll sees the error.
            await Promise.all(
              ids.map(async (id) => {
                try {
                  const out = await limited(client, new Ctor({ [shape.ids]: [id] } as never));
                  results.set(id, { item: (out[shape.items] as unknown[] | undefined)?.[0] });
                } catch (e) {
                  results.set(id, { error: e });
                }
              }),
            );
          }
          stats.shared += Math.max(0, ids.length - 1);
          return results;
        });
        byId.set(op, load);
      }
      return load;
    };
    // The real client as prototype: SDK paginators check `instanceof EC2Client`, and its config stays readable.
    return Object.create(client, {
      send: { value: send },
    }) as Sender;
    async function send(command: unknown, options?: unknown) {
      const c = command as AnyCommand;
      const op = c.constructor.name.replace(/Command$/, "");
      const shape = BY_ID[op];
      const ids = shape ? (c.input[shape.ids] as string[] | undefined) : undefined;
      if (shape && ids?.length === 1 && Object.keys(c.input).length === 1) {
        // A poll: wait for the tick so every site polling this second shares the call.
        await clock.sleep(POLL_TICK_MS - (clock.now() % POLL_TICK_MS), signal);
        const got = (await batchFor(op, c)(ids[0]!)) as { item?: unknown; error?: unknown } | undefined;
        if (got?.error) throw got.error;
        return { [shape.items]: got?.item ? [got.item] : [] };
      }
      if (/^Describe/.test(op)) {
        const key = `${op}:${JSON.stringify(c.input)}`;
        const running = inFlight.get(key);
        if (running) {
          stats.shared += 1;
          return running;
        }
        const p = limited(client, command, options).finally(() => inFlight.delete(key));
        inFlight.set(key, p);
        return p;
      }
      return limited(client, command, options);
    }
  };

  const source: AwsClientSource = {
    get<S extends AwsService>(service: S) {
      let client = wrapped.get(service);
      if (!client) {
        client = base.get(service).then((c) => wrap(c as unknown as Sender));
        wrapped.set(service, client);
      }
      return client as never;
    },
  };
  return { clients: source, stats, limiter };
}
