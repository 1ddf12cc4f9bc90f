/**
 * FakeAws: the stateful in-memory AWS account that command tests run against.
 * Services (EC2 networking + VPN here, others in their own files) register handlers on the
 * aws-sdk-client-mock stubs; any command without a handler fails the test loudly.
 */

import { DirectConnectClient } from "@aws-sdk/client-direct-connect";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type AwsStub, mockClient } from "aws-sdk-client-mock";
import type { Ec2State } from "./ec2.js";
import { ec2Error, FakeClock, Ids } from "./model.js";

// biome-ignore lint/suspicious/noExplicitAny: stubs of every client type share one map
type AnyStub = AwsStub<any, any, any>;

export interface FakeStubs {
  ec2: AnyStub;
  dx: AnyStub;
  elbv2: AnyStub;
  secretsmanager: AnyStub;
}

/** A service module: installs its handlers on the stubs, reading and writing the model. */
export type FakeService = (aws: FakeAws, stubs: FakeStubs) => void;

export interface RecordedCall {
  service: "ec2" | "dx" | "elbv2" | "secretsmanager";
  operation: string;
  input: Record<string, unknown>;
}

/** How long things take, in model time. Defaults are realistic for AWS; tests shorten or lengthen them. */
export interface Timings {
  vgwAvailableMs: number;
  attachMs: number;
  detachMs: number;
  cgwAvailableMs: number;
  vpnAvailableMs: number;
  vpnDeleteMs: number;
  [other: string]: number;
}

export const DEFAULT_TIMINGS: Timings = {
  vgwAvailableMs: 20_000,
  attachMs: 30_000,
  detachMs: 30_000,
  cgwAvailableMs: 0,
  vpnAvailableMs: 5 * 60_000,
  vpnDeleteMs: 60_000,
};

/** AWS's default quotas the model enforces (adjustable, as on AWS). */
export interface Limits {
  /** VPN connections per virtual private gateway: `VpnConnectionLimitExceeded` beyond it. */
  vpnConnectionsPerVgw: number;
  /** Customer gateways per Region: `CustomerGatewayLimitExceeded` beyond it. */
  customerGateways: number;
}

/**
 * EC2's request rate limits (token buckets per category, refilled per second of model time, a bucket
 * holds one second's worth): beyond them a call fails with `RequestLimitExceeded`, as EC2 throttles.
 */
export interface RateLimits {
  /** Describe/Get/List calls per second. */
  describe: number;
  /** Every other (mutating) call per second. */
  mutating: number;
}

export class FakeAws {
  readonly clock: FakeClock;
  /** Quotas (defaults: AWS's). */
  readonly limits: Limits = { vpnConnectionsPerVgw: 10, customerGateways: 50 };
  /** Request rate limits; none unless set. */
  rateLimits: RateLimits | undefined;
  /** Calls refused with `RequestLimitExceeded` by `rateLimits`, per operation. */
  readonly throttled = new Map<string, number>();
  /** Model time each call takes before it is answered (benchmarks; needs a SimClock to overlap). */
  latencyMs: ((operation: string) => number) | undefined;
  private readonly buckets = new Map<"describe" | "mutating", { tokens: number; at: number }>();
  readonly ids = new Ids();
  readonly region: string;
  readonly account = "123456789012";
  readonly calls: RecordedCall[] = [];
  readonly timings: Timings = { ...DEFAULT_TIMINGS };
  /** Errors to throw instead of running an operation: `failures.set("CreateVpnConnection", [err])`. */
  readonly failures = new Map<string, Error[]>();
  /** Called before each operation (after recording); tests use it to act at a precise moment. */
  beforeCall: ((operation: string, input: Record<string, unknown>) => void) | undefined;
  /** Called with each reply before the CLI sees it; tests use it to imitate what an emulator returns. */
  afterCall: ((operation: string, output: Record<string, unknown>) => void) | undefined;
  /** Picks each new VPN tunnel's AWS outside IP (default: 52.196.x.y); the real-peer suite uses documentation addresses. */
  vpnOutsideIp: (() => string) | undefined;
  ec2!: Ec2State;
  /** Free-form state for service modules added by other capabilities (dx, elbv2, endpoints). */
  readonly state: Record<string, unknown> = {};

  constructor(region = "ap-northeast-1", opts: { clock?: FakeClock } = {}) {
    this.region = region;
    this.clock = opts.clock ?? new FakeClock();
  }

  /** Take a token from the call's rate bucket; false when EC2 would throttle it. */
  private admit(operation: string): boolean {
    if (!this.rateLimits) return true;
    const category = /^(Describe|Get|List)/.test(operation) ? "describe" : "mutating";
    const rate = this.rateLimits[category];
    const now = this.clock.now();
    const bucket = this.buckets.get(category) ?? { tokens: rate, at: now };
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    this.buckets.set(category, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Wrap a handler: record the call, apply injected failures, then run it. */
  handler<I extends object, O>(service: RecordedCall["service"], operation: string, fn: (input: I) => O | Promise<O>) {
    return async (input: I): Promise<O> => {
      this.calls.push({ service, operation, input: input as Record<string, unknown> });
      const latency = this.latencyMs?.(operation) ?? 0;
      if (latency > 0) await this.clock.sleep(latency);
      if (!this.admit(operation)) {
        this.throttled.set(operation, (this.throttled.get(operation) ?? 0) + 1);
        throw ec2Error("RequestLimitExceeded", "Request limit exceeded.", 503);
      }
      this.beforeCall?.(operation, input as Record<string, unknown>);
      const queued = this.failures.get(operation);
      if (queued?.length) throw queued.shift()!;
      const output = await fn(input);
      this.afterCall?.(operation, output as Record<string, unknown>);
      return output;
    };
  }

  failNext(operation: string, error: Error, times = 1): void {
    const list = this.failures.get(operation) ?? [];
    for (let i = 0; i < times; i++) list.push(error);
    this.failures.set(operation, list);
  }

  /** Names of the operations called, in order (optionally only the mutating ones). */
  operations(opts: { writesOnly?: boolean } = {}): string[] {
    return this.calls.map((c) => c.operation).filter((op) => !opts.writesOnly || !/^(Describe|Get|List|Search)/.test(op));
  }

  count(operation: string): number {
    return this.calls.filter((c) => c.operation === operation).length;
  }

  /** Model time elapsed since `t0`. */
  elapsedSince(t0: number): number {
    return this.clock.now() - t0;
  }
}

let active: { stubs: FakeStubs; aws: FakeAws } | undefined;

/**
 * Patch the SDK clients so every `send` goes to the model. Returns the model; call
 * `uninstallFakeAws()` (or let the next install reset) between tests.
 */
export function installFakeAws(aws: FakeAws, services: FakeService[]): FakeAws {
  uninstallFakeAws();
  const stubs: FakeStubs = {
    ec2: mockClient(EC2Client) as AnyStub,
    dx: mockClient(DirectConnectClient) as AnyStub,
    elbv2: mockClient(ElasticLoadBalancingV2Client) as AnyStub,
    secretsmanager: mockClient(SecretsManagerClient) as AnyStub,
  };
  for (const [service, stub] of Object.entries(stubs) as Array<[RecordedCall["service"], AnyStub]>) {
    // Any call without a fake is a test failure, never a silent undefined.
    stub.onAnyCommand().callsFake((input: unknown) => {
      throw new Error(`FakeAws: no fake for this ${service} command (input ${JSON.stringify(input)})`);
    });
  }
  for (const install of services) install(aws, stubs);
  active = { stubs, aws };
  return aws;
}

export function uninstallFakeAws(): void {
  if (!active) return;
  active.stubs.ec2.restore();
  active.stubs.dx.restore();
  active.stubs.elbv2.restore();
  active.stubs.secretsmanager.restore();
  active = undefined;
}
