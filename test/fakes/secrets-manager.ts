/**
 * Secrets Manager, as far as vpcwire uses it: the secrets Site-to-Site VPN keeps a connection's
 * pre-shared keys in (CreateVpnConnection `PreSharedKeyStorage: "SecretsManager"`), read back with
 * GetSecretValue. The EC2 fake creates the secret (`createVpnKeySecret`) and removes it when the
 * connection is deleted; nothing else creates secrets. See test/fakes/README.md.
 */
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerServiceException } from "@aws-sdk/client-secrets-manager";
import type { FakeAws, FakeService } from "./aws.js";
import { requestId } from "./model.js";

export interface FakeSecret {
  ARN: string;
  Name: string;
  /** The JSON text GetSecretValue returns as SecretString. */
  SecretString: string;
  /** Managed secrets carry the owning service (`aws:secretsmanager:owningService`). */
  OwningService: string;
  CreatedDate: Date;
  VersionId: string;
  deleted: boolean;
}

export interface SecretsState {
  secrets: FakeSecret[];
  /** ARNs whose GetSecretValue the caller may not call: AccessDeniedException, as IAM answers. */
  denied: Set<string>;
  /** Deny every GetSecretValue (a caller without secretsmanager:GetSecretValue at all). */
  denyAll: boolean;
}

export function secretsState(aws: FakeAws): SecretsState {
  let s = aws.state.secretsmanager as SecretsState | undefined;
  if (!s) {
    s = { secrets: [], denied: new Set(), denyAll: false };
    aws.state.secretsmanager = s;
  }
  return s;
}

function smError(name: string, message: string, status = 400): Error {
  const metadata = { httpStatusCode: status, requestId: requestId(), attempts: 1, totalRetryDelay: 0 };
  if (name === "ResourceNotFoundException") return new ResourceNotFoundException({ $metadata: metadata, message, Message: message });
  return new SecretsManagerServiceException({ name, $fault: "client", $metadata: metadata, message });
}

/** Six characters like the suffix Secrets Manager appends to every secret ARN; deterministic per account. */
function suffix(n: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  let s = "";
  let x = n * 7919 + 104729;
  for (let i = 0; i < 6; i++) {
    s += alphabet[x % alphabet.length];
    x = Math.floor(x / alphabet.length) + 31 * (i + 1);
  }
  return s;
}

/**
 * What Site-to-Site VPN does for `PreSharedKeyStorage: "SecretsManager"`: one managed secret named
 * `s2svpn!<vpn-id>-...`, holding each tunnel's key under the tunnel's AWS outside address. Returns its ARN.
 */
export function createVpnKeySecret(aws: FakeAws, vpnConnectionId: string, keys: Array<{ outsideIp: string; key: string }>): string {
  const s = secretsState(aws);
  const name = `s2svpn!${vpnConnectionId}-${suffix(s.secrets.length + 1)}`;
  const secret: FakeSecret = {
    ARN: `arn:aws:secretsmanager:${aws.region}:${aws.account}:secret:${name}-${suffix(s.secrets.length + 101)}`,
    Name: name,
    SecretString: JSON.stringify(Object.fromEntries(keys.map((k) => [k.outsideIp, k.key]))),
    OwningService: "s2svpn",
    CreatedDate: new Date(aws.clock.now()),
    VersionId: `v-${s.secrets.length + 1}`,
    deleted: false,
  };
  s.secrets.push(secret);
  return secret.ARN;
}

/** One tunnel's key changed (ModifyVpnTunnelOptions PreSharedKey on such a connection): a new version of the secret. */
export function updateVpnKey(aws: FakeAws, arn: string, outsideIp: string, key: string): void {
  const secret = secretsState(aws).secrets.find((x) => x.ARN === arn && !x.deleted);
  if (!secret) return;
  secret.SecretString = JSON.stringify({ ...JSON.parse(secret.SecretString), [outsideIp]: key });
  secret.VersionId = `${secret.VersionId}+`;
}

/** The connection is deleted: the owning service deletes its managed secret. */
export function deleteVpnKeySecret(aws: FakeAws, arn: string): void {
  const secret = secretsState(aws).secrets.find((x) => x.ARN === arn);
  if (secret) secret.deleted = true;
}

/** The keys a secret holds, by outside address (tests). */
export function secretKeys(aws: FakeAws, arn: string): Record<string, string> {
  const secret = secretsState(aws).secrets.find((x) => x.ARN === arn);
  if (!secret) throw new Error(`no secret ${arn}`);
  return JSON.parse(secret.SecretString) as Record<string, string>;
}

export const secretsManager: FakeService = (aws, { secretsmanager }) => {
  const s = secretsState(aws);
  secretsmanager.on(GetSecretValueCommand).callsFake(
    aws.handler("secretsmanager", "GetSecretValue", (i: { SecretId: string; VersionId?: string; VersionStage?: string }) => {
      // IAM answers before the service looks for the secret.
      if (s.denyAll || s.denied.has(i.SecretId)) {
        throw smError(
          "AccessDeniedException",
          `User: arn:aws:iam::${aws.account}:user/vpcwire is not authorized to perform: secretsmanager:GetSecretValue on resource: ${i.SecretId} because no identity-based policy allows the secretsmanager:GetSecretValue action`,
        );
      }
      // SecretId takes the ARN or the name.
      const secret = s.secrets.find((x) => !x.deleted && (x.ARN === i.SecretId || x.Name === i.SecretId));
      if (!secret) throw smError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
      return {
        ARN: secret.ARN,
        Name: secret.Name,
        VersionId: secret.VersionId,
        SecretString: secret.SecretString,
        VersionStages: ["AWSCURRENT"],
        CreatedDate: secret.CreatedDate,
      };
    }),
  );
};
