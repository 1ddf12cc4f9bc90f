import type { AwsClients } from "../aws/clients.js";

export interface AwsClientSource {
  get<S extends keyof AwsClients>(service: S): Promise<AwsClients[S]>;
}

import type { Io } from "./io.js";

/** Global options, resolved once at the process edge and passed down unchanged. */
export interface GlobalConfig {
  /** --region; when absent the SDK's own chain (AWS_REGION, profile) decides. */
  region?: string;
  /** --profile; when absent the SDK's own chain (AWS_PROFILE, default) decides. */
  profile?: string;
  /** --endpoint-url; only then is an endpoint passed to clients (AWS_ENDPOINT_URL* stay the SDK's business). */
  endpointUrl?: string;
  json: boolean;
  yes: boolean;
  dryRun: boolean;
  offline: boolean;
  color: boolean;
  verbose: boolean;
  revealSecrets: boolean;
  /** --timeout in milliseconds, when given; each command has its own default. */
  timeoutMs?: number;
}

/** Time, injected so polling tests run in milliseconds. */
export interface Clock {
  /** Resolves after `ms`, or rejects with the signal's reason when it is aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  now(): number;
}

/** Everything a command needs; no module-level singletons. */
export interface Context extends Clock {
  io: Io;
  config: GlobalConfig;
  /**
   * SDK clients, loaded and built on first use: the SDK is by far the heaviest import, so runs that
   * make no AWS call (--help, offline plans, FLET'S files from a typed IP) never load it.
   */
  clients: AwsClientSource;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** The process environment (injected for tests). */
  env: NodeJS.ProcessEnv;
  /** The working directory relative paths (--out, --psk-file) are resolved against. */
  cwd: string;
}

export const realClock: Clock = {
  sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
  now: () => Date.now(),
};
