/**
 * Where a VPN connection's pre-shared keys live: `standard` (kept by Site-to-Site VPN, in the tunnel
 * XML and tunnel options) or `secrets-manager` (a Secrets Manager secret per connection, owned by
 * Site-to-Site VPN: CreateVpnConnection `PreSharedKeyStorage: "SecretsManager"`, reported back as
 * `PreSharedKeyArn`). Pure: no AWS call, no SDK import (see psk-secret.ts for reading the keys).
 */

/** `--psk-storage`: vpcwire's spelling and the EC2 API's. */
export type PskStorage = "standard" | "secrets-manager";
export const PSK_STORAGES: readonly PskStorage[] = ["standard", "secrets-manager"];
export const API_PSK_STORAGE: Record<PskStorage, "Standard" | "SecretsManager"> = { standard: "Standard", "secrets-manager": "SecretsManager" };

/** Where a connection's keys live, from what DescribeVpnConnections returns. */
export function pskStorageOf(connection: { PreSharedKeyArn?: string | undefined }): PskStorage {
  return connection.PreSharedKeyArn ? "secrets-manager" : "standard";
}

/** One line for plans, status and destroy: where the keys are. */
export function describeKeyStorage(connection: { VpnConnectionId?: string | undefined; PreSharedKeyArn?: string | undefined }): string {
  return connection.PreSharedKeyArn
    ? `pre-shared keys in AWS Secrets Manager: ${connection.PreSharedKeyArn}`
    : "pre-shared keys stored by Site-to-Site VPN (standard storage)";
}
