/**
 * `--psk-storage secrets-manager`: CreateVpnConnection with `PreSharedKeyStorage: "SecretsManager"`,
 * the plan says where the keys live, and the router config is rendered with the keys read back from
 * the connection's secret (GetSecretValue), for `vpn create` and `vpn config`. The standard path
 * sends what it always sent and never calls Secrets Manager.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeAws, installFakeAws, uninstallFakeAws } from "../fakes/aws.js";
import { seedVpc } from "../fakes/ec2.js";
import { secretKeys, secretsState } from "../fakes/secrets-manager.js";
import { ALL_SERVICES } from "../fakes/services.js";
import { runCli } from "../helpers/cli.js";

let aws: FakeAws;
let vpcId: string;
let dir: string;
const STACK = "branch-kobe";

beforeEach(() => {
  aws = installFakeAws(new FakeAws(), ALL_SERVICES);
  vpcId = seedVpc(aws, { cidr: "172.31.0.0/16", name: "prod" }).VpcId!;
  dir = mkdtempSync(join(tmpdir(), "vpcwire-psk-"));
});
afterEach(() => uninstallFakeAws());

const create = (extra: string[] = []) => [
  "vpn",
  "create",
  "--stack",
  STACK,
  "--vpc-id",
  vpcId,
  "--cgw-ip",
  "203.0.113.10",
  "--onprem-cidr",
  "10.0.0.0/8",
  ...extra,
];

const createCall = () => aws.calls.find((c) => c.operation === "CreateVpnConnection")!.input;

describe("vpn create --psk-storage secrets-manager", () => {
  it("dry-run: the plan says the keys go to Secrets Manager, in text and JSON; nothing is created", async () => {
    let r = await runCli([...create(["--psk-storage", "secrets-manager"]), "--dry-run"], { aws });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/VPN connection <new-vpn-id> \(static routes.*; pre-shared keys in AWS Secrets Manager/);
    r = await runCli([...create(["--psk-storage", "secrets-manager"]), "--dry-run", "--json"], { aws });
    const plan = JSON.parse(r.stdout);
    const step = plan.steps.find((s: { id: string }) => s.id === "vpn");
    expect(step.params.keyStorage).toBe("AWS Secrets Manager (a secret Site-to-Site VPN creates for the connection)");
    expect(aws.operations({ writesOnly: true })).toEqual([]);
    expect(aws.count("GetSecretValue")).toBe(0);
  });

  it("asks AWS for SecretsManager storage and renders the config with the keys read back from the secret", async () => {
    const out = join(dir, "csr.cfg");
    const r = await runCli([...create(["--psk-storage", "secrets-manager", "--out", out]), "--yes"], { aws });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(createCall().PreSharedKeyStorage).toBe("SecretsManager");
    const vpn = aws.ec2.vpns[0]!;
    expect(vpn.PreSharedKeyArn).toMatch(/^arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:s2svpn!vpn-\w+-\w{6}-\w{6}$/);
    // The connection itself carries no key: not in the XML, not in the tunnel options.
    expect(vpn.CustomerGatewayConfiguration).not.toContain("pre_shared_key");
    expect(vpn.Options?.TunnelOptions?.every((t) => t.PreSharedKey === undefined)).toBe(true);
    // The config has each tunnel's key from the secret, matched by AWS outside address.
    const keys = secretKeys(aws, vpn.PreSharedKeyArn!);
    const text = readFileSync(out, "utf8");
    for (const t of vpn.Options!.TunnelOptions!) {
      expect(keys[t.OutsideIpAddress!]).toMatch(/^K/);
      expect(text).toContain(keys[t.OutsideIpAddress!]);
    }
    expect(aws.calls.filter((c) => c.operation === "GetSecretValue").map((c) => c.input)).toEqual([{ SecretId: vpn.PreSharedKeyArn }]);
    for (const k of Object.values(keys)) expect(r.stderr).not.toContain(k);
  });

  it("--json: the document says where the keys are; the keys only with --reveal-secrets", async () => {
    let r = await runCli([...create(["--psk-storage", "secrets-manager"]), "--yes", "--json"], { aws });
    expect(r.code).toBe(0);
    const vpn = aws.ec2.vpns[0]!;
    let doc = JSON.parse(r.stdout);
    expect(doc.keyStorage).toEqual({ storage: "secrets-manager", secretArn: vpn.PreSharedKeyArn });
    const keys = Object.values(secretKeys(aws, vpn.PreSharedKeyArn!));
    for (const k of keys) expect(r.stdout).not.toContain(k);
    r = await runCli(["vpn", "config", "--stack", STACK, "--json", "--reveal-secrets"], { aws });
    doc = JSON.parse(r.stdout);
    expect(doc.tunnels.map((t: { preSharedKey: string }) => t.preSharedKey).sort()).toEqual([...keys].sort());
  });

  it("the keys given with --psk-file go into the secret", async () => {
    const file = join(dir, "keys");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(file, "FirstKey.123\nSecondKey_456\n");
    const r = await runCli([...create(["--psk-storage", "secrets-manager", "--psk-file", file]), "--yes"], { aws });
    expect(r.code).toBe(0);
    const vpn = aws.ec2.vpns[0]!;
    const byTunnel = vpn.Options!.TunnelOptions!.map((t) => secretKeys(aws, vpn.PreSharedKeyArn!)[t.OutsideIpAddress!]);
    expect(byTunnel).toEqual(["FirstKey.123", "SecondKey_456"]);
    expect(r.stdout).toContain("FirstKey.123");
    expect(r.stdout).toContain("SecondKey_456");
  });

  it("access denied on GetSecretValue: exit 1, the connection exists, and how to render the config later", async () => {
    secretsState(aws).denyAll = true;
    const r = await runCli([...create(["--psk-storage", "secrets-manager"]), "--yes"], { aws });
    expect(r.code).toBe(1);
    const vpn = aws.ec2.vpns[0]!;
    expect(vpn.State).toBe("available");
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      `VPN connection ${vpn.VpnConnectionId} is available (stack ${STACK}); its pre-shared keys are in AWS Secrets Manager (${vpn.PreSharedKeyArn})`,
    );
    expect(r.stderr).toContain(
      `No router config: cannot read the pre-shared keys from Secrets Manager secret ${vpn.PreSharedKeyArn}: access denied: allow secretsmanager:GetSecretValue on it`,
    );
    expect(r.stderr).toContain(
      `The connection exists and stays as it is. Once the keys can be read, render the config with: vpcwire vpn config --stack ${STACK}`,
    );
    // Nothing is undone, and the same command afterwards renders it.
    expect(aws.operations({ writesOnly: true })).not.toContain("DeleteVpnConnection");
    secretsState(aws).denyAll = false;
    const again = await runCli(["vpn", "config", "--stack", STACK], { aws });
    expect(again.code).toBe(0);
    for (const k of Object.values(secretKeys(aws, vpn.PreSharedKeyArn!))) expect(again.stdout).toContain(k);
  });

  it("access denied with --json: ok false, the error and the next command in the document", async () => {
    secretsState(aws).denyAll = true;
    const r = await runCli([...create(["--psk-storage", "secrets-manager"]), "--yes", "--json"], { aws });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      ok: false,
      resources: { vpnConnectionId: aws.ec2.vpns[0]!.VpnConnectionId, state: "available" },
      error: { code: "AccessDeniedException" },
      deviceConfig: null,
      next: `vpcwire vpn config --stack ${STACK}`,
    });
  });

  it("re-run with the other storage: the existing connection keeps its own, with a warning; nothing is changed", async () => {
    expect((await runCli([...create(["--psk-storage", "secrets-manager"]), "--yes"], { aws })).code).toBe(0);
    const arn = aws.ec2.vpns[0]!.PreSharedKeyArn!;
    aws.calls.length = 0;
    const r = await runCli([...create(), "--yes"], { aws });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `--psk-storage standard: VPN connection ${aws.ec2.vpns[0]!.VpnConnectionId} keeps its pre-shared keys in AWS Secrets Manager: ${arn}; vpcwire does not move keys of an existing connection`,
    );
    expect(r.stderr).toMatch(
      new RegExp(`VPN connection vpn-\\w+ \\(available\\).*; pre-shared keys in AWS Secrets Manager \\(${arn.replace(/[$!]/g, "\\$&")}\\)`),
    );
    expect(aws.operations({ writesOnly: true })).toEqual([]);
    expect(aws.count("GetSecretValue")).toBe(1);
  });
});

describe("vpn create with standard storage is unchanged", () => {
  it("no PreSharedKeyStorage in the request, keys from the XML, no Secrets Manager call", async () => {
    const r = await runCli([...create(), "--yes", "--json"], { aws });
    expect(r.code).toBe(0);
    expect(createCall()).not.toHaveProperty("PreSharedKeyStorage");
    expect(aws.ec2.vpns[0]!.PreSharedKeyArn).toBeUndefined();
    expect(aws.calls.filter((c) => c.service === "secretsmanager")).toEqual([]);
    expect(JSON.parse(r.stdout).keyStorage).toEqual({ storage: "standard", secretArn: null });
  });

  it("a bad --psk-storage is exit 2 naming the flag, before any AWS call", async () => {
    const r = await runCli([...create(["--psk-storage", "vault"]), "--yes"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--psk-storage/);
    expect(aws.calls).toEqual([]);
  });
});

describe("vpn config for a connection whose keys live in Secrets Manager", () => {
  beforeEach(async () => {
    expect((await runCli([...create(["--psk-storage", "secrets-manager"]), "--yes"], { aws })).code).toBe(0);
    aws.calls.length = 0;
  });

  it("reads the keys with GetSecretValue, by stack and by --vpn-id, for each own renderer", async () => {
    const vpn = aws.ec2.vpns[0]!;
    const keys = Object.values(secretKeys(aws, vpn.PreSharedKeyArn!));
    for (const argv of [
      ["vpn", "config", "--stack", STACK],
      ["vpn", "config", "--vpn-id", vpn.VpnConnectionId!, "--device", "strongswan"],
    ]) {
      const r = await runCli(argv, { aws });
      expect(r.code, r.stderr).toBe(0);
      for (const k of keys) {
        expect(r.stdout).toContain(k);
        expect(r.stderr).not.toContain(k);
      }
    }
    expect(aws.count("GetSecretValue")).toBe(2);
  });

  it("AWS's sample for a device type: the keys are read (and redacted in --json), with a warning when the sample lacks them", async () => {
    const r = await runCli(["vpn", "config", "--stack", STACK, "--device", "yamaha", "--json"], { aws });
    expect(r.code, r.stderr).toBe(0);
    expect(aws.count("GetSecretValue")).toBe(1);
    for (const k of Object.values(secretKeys(aws, aws.ec2.vpns[0]!.PreSharedKeyArn!))) expect(r.stdout).not.toContain(k);
    const doc = JSON.parse(r.stdout);
    expect(doc.warnings.join("\n")).toContain(
      `live in Secrets Manager (${aws.ec2.vpns[0]!.PreSharedKeyArn}) and AWS's sample does not carry them: put them in by hand (vpcwire vpn config --json --reveal-secrets shows them)`,
    );
  });

  it("access denied: exit 1, one line naming the secret and the permission", async () => {
    const arn = aws.ec2.vpns[0]!.PreSharedKeyArn!;
    secretsState(aws).denied.add(arn);
    const r = await runCli(["vpn", "config", "--stack", STACK], { aws });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim()).toContain(
      `cannot read the pre-shared keys from Secrets Manager secret ${arn}: access denied: allow secretsmanager:GetSecretValue on it (vpcwire policy vpn config)`,
    );
  });

  it("a secret that is gone, or not in the documented shape: exit 1 naming the ARN, never a key", async () => {
    const secret = secretsState(aws).secrets[0]!;
    secret.SecretString = JSON.stringify({ "198.51.100.1": "NotThisOne123" });
    let r = await runCli(["vpn", "config", "--stack", STACK], { aws });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Secrets Manager secret ${secret.ARN} has no key for tunnel`);
    expect(r.stderr).toContain("(its names: 198.51.100.1)");
    expect(r.stderr).not.toContain("NotThisOne123");
    secret.SecretString = "plain text key";
    r = await runCli(["vpn", "config", "--stack", STACK], { aws });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Secrets Manager secret ${secret.ARN} is not JSON; vpcwire expects a JSON object`);
    secret.deleted = true;
    r = await runCli(["vpn", "config", "--stack", STACK], { aws });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`secret ${secret.ARN}: the secret does not exist (any more)`);
  });
});

describe("status and destroy say where the keys are and what happens to them", () => {
  it("status names the secret; destroy says Site-to-Site VPN deletes it with the connection and never calls Secrets Manager", async () => {
    expect((await runCli([...create(["--psk-storage", "secrets-manager"]), "--yes"], { aws })).code).toBe(0);
    const arn = aws.ec2.vpns[0]!.PreSharedKeyArn!;
    let r = await runCli(["status", "--stack", STACK], { aws });
    expect(r.stdout + r.stderr).toContain(`pre-shared keys in AWS Secrets Manager: ${arn}`);
    r = await runCli(["status", "--stack", STACK, "--json"], { aws });
    expect(JSON.stringify(JSON.parse(r.stdout))).toContain(JSON.stringify({ storage: "secrets-manager", secretArn: arn }));
    aws.calls.length = 0;
    r = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`its pre-shared key secret ${arn} is Site-to-Site VPN's to delete, vpcwire does not touch it`);
    expect(r.stderr).toContain(
      `keeps its pre-shared keys in Secrets Manager secret ${arn}: a managed secret owned by Site-to-Site VPN, which deletes it with the connection`,
    );
    expect(aws.calls.filter((c) => c.service === "secretsmanager")).toEqual([]);
    expect(secretsState(aws).secrets[0]!.deleted).toBe(true);
  });

  it("a standard stack's status says so", async () => {
    expect((await runCli([...create(), "--yes"], { aws })).code).toBe(0);
    const r = await runCli(["status", "--stack", STACK], { aws });
    expect(r.stdout + r.stderr).toContain("pre-shared keys stored by Site-to-Site VPN (standard storage)");
  });
});
