import type { DirectConnectClient } from "@aws-sdk/client-direct-connect";
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { AwsClientSource, GlobalConfig } from "../core/context.js";

export interface AwsClients {
  readonly ec2: EC2Client;
  readonly dx: DirectConnectClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  /** Only for VPN connections whose pre-shared keys live in Secrets Manager (`--psk-storage secrets-manager`). */
  readonly secretsmanager: SecretsManagerClient;
}

export type AwsService = keyof AwsClients;

type ClientConfig = Record<string, unknown>;

/**
 * One loader per service. Each SDK package is imported only when its first call is made: they are
 * the heaviest imports vpcwire has, and `vpn create` needs EC2 only, never Direct Connect or ELBv2.
 */
const LOADERS: { [S in AwsService]: (config: ClientConfig) => Promise<AwsClients[S]> } = {
  ec2: async (config) => new (await import("@aws-sdk/client-ec2")).EC2Client(config),
  dx: async (config) => new (await import("@aws-sdk/client-direct-connect")).DirectConnectClient(config),
  elbv2: async (config) => new (await import("@aws-sdk/client-elastic-load-balancing-v2")).ElasticLoadBalancingV2Client(config),
  secretsmanager: async (config) => new (await import("@aws-sdk/client-secrets-manager")).SecretsManagerClient(config),
};

/**
 * The one client factory. Only what the user gave on the command line is passed; everything else
 * (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_EC2, credentials, AWS_MAX_ATTEMPTS)
 * stays with the SDK's own resolution, so vpcwire behaves like the AWS CLI the user already has.
 * Each client is loaded and built on first use: offline runs and --help never construct one, and a
 * command never loads the SDK package of a service it does not call.
 */
export function createAwsClients(config: Pick<GlobalConfig, "region" | "profile" | "endpointUrl">, env: NodeJS.ProcessEnv): AwsClientSource {
  // The SDK compares retryMode with "adaptive" case-sensitively; normalise the user's setting.
  const retryMode = (env.AWS_RETRY_MODE ?? "adaptive").toLowerCase();
  // The AWS CLI also reads AWS_DEFAULT_REGION; the JavaScript SDK does not, so pass it on ourselves.
  const region = config.region ?? (env.AWS_REGION ? undefined : env.AWS_DEFAULT_REGION);
  const common: ClientConfig = {
    ...(region ? { region } : {}),
    ...(config.profile ? { profile: config.profile } : {}),
    ...(config.endpointUrl ? { endpoint: config.endpointUrl } : {}),
    retryMode,
    ...(env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: 5 }),
    // An endpoint that accepts the connection but never answers must not hang the run: fail the
    // attempt (the retry strategy tries again) instead of waiting forever.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
  };
  // Promises, not clients, are kept: concurrent first calls on one service share one import and one client.
  const built = new Map<AwsService, Promise<AwsClients[AwsService]>>();
  return {
    get<S extends AwsService>(service: S): Promise<AwsClients[S]> {
      let client = built.get(service);
      if (!client) {
        client = LOADERS[service](common);
        built.set(service, client);
      }
      return client as Promise<AwsClients[S]>;
    },
  };
}
