import { DirectConnectClient } from "@aws-sdk/client-direct-connect";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { GlobalConfig } from "../core/context.js";

export interface AwsClients {
  readonly ec2: EC2Client;
  readonly dx: DirectConnectClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
}

/**
 * The one client factory. Only what the user gave on the command line is passed; everything else
 * (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_EC2, credentials, AWS_MAX_ATTEMPTS)
 * stays with the SDK's own resolution, so vpcwire behaves like the AWS CLI the user already has.
 * Clients are built on first use: offline runs and --help never construct one.
 */
export function createAwsClients(config: Pick<GlobalConfig, "region" | "profile" | "endpointUrl">, env: NodeJS.ProcessEnv): AwsClients {
  // The SDK compares retryMode with "adaptive" case-sensitively; normalise the user's setting.
  const retryMode = (env.AWS_RETRY_MODE ?? "adaptive").toLowerCase();
  // The AWS CLI also reads AWS_DEFAULT_REGION; the JavaScript SDK does not, so pass it on ourselves.
  const region = config.region ?? (env.AWS_REGION ? undefined : env.AWS_DEFAULT_REGION);
  const common = {
    ...(region ? { region } : {}),
    ...(config.profile ? { profile: config.profile } : {}),
    ...(config.endpointUrl ? { endpoint: config.endpointUrl } : {}),
    retryMode,
    ...(env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: 5 }),
    // An endpoint that accepts the connection but never answers must not hang the run: fail the
    // attempt (the retry strategy tries again) instead of waiting forever.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
  };
  let ec2: EC2Client | undefined;
  let dx: DirectConnectClient | undefined;
  let elbv2: ElasticLoadBalancingV2Client | undefined;
  return {
    get ec2() {
      ec2 ??= new EC2Client(common);
      return ec2;
    },
    get dx() {
      dx ??= new DirectConnectClient(common);
      return dx;
    },
    get elbv2() {
      elbv2 ??= new ElasticLoadBalancingV2Client(common);
      return elbv2;
    },
  };
}
