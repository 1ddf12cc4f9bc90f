/**
 * Pre-shared keys kept in AWS Secrets Manager (`--psk-storage secrets-manager`, CreateVpnConnection
 * `PreSharedKeyStorage: "SecretsManager"`). Site-to-Site VPN then creates one secret per connection
 * (a managed secret named `s2svpn!...`, owned by the service and reported as the connection's
 * `PreSharedKeyArn`), and the tunnel XML and tunnel options no longer carry the keys: rendering a
 * router config reads them back with GetSecretValue.
 *
 * The secret's value: one JSON object holding each tunnel's key under the tunnel's AWS outside IP
 * address (`{"52.196.10.1": "key1...", "52.196.10.2": "key2..."}`). Anything else fails with a
 * message that names the ARN and, at most, the object's key names (addresses), never a value.
 *
 * The Secrets Manager SDK package is imported here, on the first read: `--help`, offline plans and
 * connections with standard storage never load it.
 */
import { send } from "../aws/call.js";
import { awsCode } from "../aws/errors.js";
import type { Context } from "../core/context.js";
import { VpcwireError } from "../core/errors.js";

/** Reading the keys failed: `code` is AWS's (AccessDeniedException, ResourceNotFoundException, ...) or `BadSecret`. */
export class PskSecretError extends VpcwireError {
  constructor(
    message: string,
    readonly arn: string,
    readonly code: string,
  ) {
    super(message, 1);
  }
}

const PSK_RE = /^[A-Za-z0-9._]{8,64}$/;

/**
 * The keys of a connection whose storage is Secrets Manager, by AWS outside IP address of each
 * tunnel. Throws PskSecretError (exit 1) naming the ARN when the secret cannot be read or parsed.
 */
export async function readPresharedKeys(
  ctx: Pick<Context, "clients" | "io" | "config" | "signal">,
  arn: string,
  outsideIps: string[],
): Promise<Map<string, string>> {
  const { GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
  let value: string | undefined;
  try {
    value = (await send(ctx, "secretsmanager", new GetSecretValueCommand({ SecretId: arn }))).SecretString;
  } catch (error) {
    const code = awsCode(error) ?? "Error";
    const why =
      code === "AccessDeniedException"
        ? "access denied: allow secretsmanager:GetSecretValue on it (vpcwire policy vpn config)"
        : code === "ResourceNotFoundException"
          ? "the secret does not exist (any more)"
          : (error as Error).message;
    throw new PskSecretError(`cannot read the pre-shared keys from Secrets Manager secret ${arn}: ${why}`, arn, code);
  }
  const bad = (what: string): never => {
    throw new PskSecretError(
      `Secrets Manager secret ${arn} ${what}; vpcwire expects a JSON object with each tunnel's key under its AWS outside address (${outsideIps.join(", ")})`,
      arn,
      "BadSecret",
    );
  };
  if (value === undefined) bad("holds no SecretString");
  let parsed: unknown;
  try {
    parsed = JSON.parse(value!);
  } catch {
    bad("is not JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) bad("is not a JSON object");
  const obj = parsed as Record<string, unknown>;
  const keys = new Map<string, string>();
  for (const ip of outsideIps) {
    const key = obj[ip];
    // Key names are addresses and safe to show; values never are.
    if (typeof key !== "string") bad(`has no key for tunnel ${ip} (its names: ${Object.keys(obj).join(", ") || "none"})`);
    if (!PSK_RE.test(key as string)) bad(`holds a key for tunnel ${ip} that is not 8-64 characters from [A-Za-z0-9._]`);
    keys.set(ip, key as string);
  }
  return keys;
}
