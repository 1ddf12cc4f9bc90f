import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeAws, installFakeAws, uninstallFakeAws } from "../fakes/aws.js";
import { seedVgw, seedVpc } from "../fakes/ec2.js";
import { DEFAULT_DEVICE_TYPES, vpnDevicesState } from "../fakes/ec2-vpn-devices.js";
import { ALL_SERVICES } from "../fakes/services.js";
import { KEY, runCli } from "../helpers/cli.js";

let aws: FakeAws;
let vpcId: string;
let dir: string;
const STACK = "branch-osaka";

beforeEach(() => {
  aws = installFakeAws(new FakeAws(), ALL_SERVICES);
  vpcId = seedVpc(aws, { cidr: "172.31.0.0/16", name: "prod" }).VpcId!;
  dir = mkdtempSync(join(tmpdir(), "vpcwire-config-"));
});
afterEach(() => uninstallFakeAws());

async function createStack(extra: string[] = []): Promise<void> {
  const r = await runCli(
    [
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
      "--out",
      join(dir, "first.cfg"),
      "--yes",
      ...extra,
    ],
    { aws },
  );
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.code).toBe(0);
}

const vpn = () => aws.ec2.vpns[0]!;
const psks = () => vpn().Options!.TunnelOptions!.map((t) => t.PreSharedKey!);
const sampleCalls = () => aws.calls.filter((c) => c.operation === "GetVpnConnectionDeviceSampleConfiguration").map((c) => c.input);

/** Tunnel options as a `--crypto modern` connection has them (AES-256, SHA-2, DH 19/20, IKEv2 only). */
function makeModern(): void {
  for (const t of vpn().Options!.TunnelOptions!) {
    Object.assign(t, {
      IkeVersions: [{ Value: "ikev2" }],
      Phase1EncryptionAlgorithms: [{ Value: "AES256-GCM-16" }, { Value: "AES256" }],
      Phase2EncryptionAlgorithms: [{ Value: "AES256-GCM-16" }, { Value: "AES256" }],
      Phase1IntegrityAlgorithms: [{ Value: "SHA2-256" }, { Value: "SHA2-384" }],
      Phase2IntegrityAlgorithms: [{ Value: "SHA2-256" }, { Value: "SHA2-384" }],
      Phase1DHGroupNumbers: [{ Value: 19 }, { Value: 20 }],
      Phase2DHGroupNumbers: [{ Value: 19 }, { Value: 20 }],
    });
  }
}

describe("vpn devices", () => {
  it("lists AWS's catalog (vendor, platform, software, id), all pages, through the paginator", async () => {
    vpnDevicesState(aws).pageLimit = 6;
    // The paginator reuses one input object for every page: copy what each call carried.
    const sent: Array<Record<string, unknown>> = [];
    aws.beforeCall = (op, input) => {
      if (op === "GetVpnConnectionDeviceTypes") sent.push({ ...input });
    };
    const r = await runCli(["vpn", "devices"], { aws });
    expect(r.code).toBe(0);
    for (const t of DEFAULT_DEVICE_TYPES) expect(r.stdout).toContain(`aws:${t.VpnConnectionDeviceTypeId}`);
    expect(r.stdout).toMatch(/^VENDOR\s+PLATFORM\s+SOFTWARE\s+DEVICE/);
    expect(r.stdout).toMatch(/Yamaha\s+RTX Routers\s+Rev\.10\.01\.16\+\s+aws:4e5a6c01/);
    expect(sent.length).toBe(Math.ceil(DEFAULT_DEVICE_TYPES.length / 6));
    expect(sent.map((c) => c.NextToken)).toEqual([undefined, "devices-6", "devices-12", "devices-18"]);
    // The API's minimum page size (200-1000 is the rule; the fake refuses anything else).
    expect(sent.every((c) => c.MaxResults === 200)).toBe(true);
  });

  it("--search keeps the types whose vendor, platform or software contain every word; --json too", async () => {
    const r = await runCli(["vpn", "devices", "--search", "palo alto", "--json"], { aws });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, ok: true, command: "vpn devices", search: "palo alto", total: DEFAULT_DEVICE_TYPES.length });
    expect(doc.deviceTypes.map((t: { device: string }) => t.device)).toEqual(["aws:2c3e4a01", "aws:2c3e4a02"]);
    expect(doc.deviceTypes[0]).toEqual({
      id: "2c3e4a01",
      device: "aws:2c3e4a01",
      vendor: "Palo Alto Networks",
      platform: "PA Series",
      software: "PANOS 4.1.2+ (GUI)",
    });
    const none = await runCli(["vpn", "devices", "--search", "no such router"], { aws });
    expect(none.code).toBe(0);
    expect(none.stdout).toBe("");
    expect(none.stderr).toMatch(/None of AWS's \d+ device types matches "no such router"/);
  });

  it("--offline is refused: the catalog lives in AWS", async () => {
    const r = await runCli(["vpn", "devices", "--offline"], { aws });
    expect(r.code).toBe(2);
    expect(aws.calls).toEqual([]);
  });
});

describe("vpn config: vpcwire's own renderers", () => {
  it("renders the CSR1000V config again from the connection, keys on stdout only", async () => {
    await createStack();
    const first = readFileSync(join(dir, "first.cfg"), "utf8");
    const r = await runCli(["vpn", "config", "--stack", STACK], { aws });
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd()).toBe(first.trimEnd());
    for (const k of psks()) {
      expect(r.stdout).toContain(k);
      expect(r.stderr).not.toContain(k);
    }
    expect(r.stderr).toMatch(/CSR1000V config for VPN connection vpn-\w+ \(stack branch-osaka\) on stdout/);
  });

  it("ios-xe and catalyst8000v are the same IOS-XE config; --out is written 0600", async () => {
    await createStack();
    const out = join(dir, "c8k.cfg");
    const a = await runCli(["vpn", "config", "--stack", STACK, "--device", "catalyst8000v", "--out", out], { aws });
    expect(a.code).toBe(0);
    expect(a.stdout).toBe("");
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const b = await runCli(["vpn", "config", "--stack", STACK, "--device", "ios-xe"], { aws });
    expect(b.stdout.trimEnd()).toBe(readFileSync(out, "utf8").trimEnd());
    expect(a.stderr).not.toContain(psks()[0]);
  });

  it("follows the connection's current tunnel options, not what vpn create asked for", async () => {
    await createStack();
    makeModern();
    const r = await runCli(["vpn", "config", "--stack", STACK], { aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("crypto ikev2 proposal");
    expect(r.stdout).not.toContain("crypto isakmp policy");
  });

  it("--json gives the tunnels without keys; --reveal-secrets adds them", async () => {
    await createStack();
    const r = await runCli(["vpn", "config", "--stack", STACK, "--json", "--verbose"], { aws });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      schemaVersion: 1,
      ok: true,
      command: "vpn config",
      stack: STACK,
      routing: "static",
      deviceConfig: { device: "csr1000v", path: null },
    });
    expect(doc.tunnels).toHaveLength(2);
    expect(doc.tunnels[0].awsOutsideIp).toBe(vpn().Options!.TunnelOptions![0]!.OutsideIpAddress);
    expect(doc.tunnels[0].preSharedKey).toBeUndefined();
    for (const k of psks()) {
      expect(r.stdout).not.toContain(k);
      // --verbose logs the calls: never a key.
      expect(r.stderr).not.toContain(k);
    }
    const revealed = JSON.parse((await runCli(["vpn", "config", "--stack", STACK, "--json", "--reveal-secrets"], { aws })).stdout);
    expect(revealed.tunnels.map((t: { preSharedKey: string }) => t.preSharedKey)).toEqual(psks());
  });

  it("--vpn-id works without a stack", async () => {
    await createStack();
    const r = await runCli(["vpn", "config", "--vpn-id", vpn().VpnConnectionId!, "--device", "strongswan"], { aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("connections {");
  });
});

describe("vpn config: AWS's device types", () => {
  it("a search that names one type gets AWS's sample, filled in, behind vpcwire's header", async () => {
    await createStack();
    const out = join(dir, "rtx.txt");
    const r = await runCli(["vpn", "config", "--stack", STACK, "--device", "yamaha", "--out", out], { aws });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const text = readFileSync(out, "utf8");
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(text).toMatch(
      /^# =+\n# vpcwire: AWS's sample configuration for Yamaha RTX Routers Rev\.10\.01\.16\+\n# {3}device type aws:4e5a6c01, recommended sample, IKEv2/,
    );
    const [t1, t2] = vpn().Options!.TunnelOptions!;
    expect(text).toContain(`ipsec ike remote address 1 ${t1!.OutsideIpAddress}`);
    expect(text).toContain(`ipsec ike pre-shared-key 2 text ${t2!.PreSharedKey}`);
    expect(text).toContain(`#   - static routes to on-prem: 10.0.0.0/8`);
    expect(text).toMatch(/# {3}- route propagation from the gateway into rtb-/);
    expect(sampleCalls()).toEqual([
      { VpnConnectionId: vpn().VpnConnectionId, VpnConnectionDeviceTypeId: "4e5a6c01", InternetKeyExchangeVersion: "ikev2", SampleType: "recommended" },
    ]);
    expect(r.stderr).toMatch(/Yamaha RTX Routers Rev\.10\.01\.16\+ config .* written to/);
    for (const k of psks()) expect(r.stderr).not.toContain(k);
  });

  it("an IKEv1-only connection asks for the compatibility sample (AWS has no recommended IKEv1 sample)", async () => {
    await createStack(["--ike-version", "ikev1"]);
    const r = await runCli(["vpn", "config", "--stack", STACK, "--device", "juniper srx"], { aws });
    expect(r.code).toBe(0);
    expect(sampleCalls()).toEqual([
      expect.objectContaining({ VpnConnectionDeviceTypeId: "1b2d3f02", InternetKeyExchangeVersion: "ikev1", SampleType: "compatibility" }),
    ]);
    expect(r.stdout).toContain("compatibility sample, IKEv1");
    expect(r.stdout).toContain("set security ike proposal");
  });

  it("falls back to the compatibility sample with a warning where AWS refuses the recommended one", async () => {
    await createStack();
    const r = await runCli(["vpn", "config", "--stack", STACK, "--device", "aws:2c3e4a01"], { aws });
    expect(r.code).toBe(0);
    expect(sampleCalls().map((c) => c.SampleType)).toEqual(["recommended", "compatibility"]);
    expect(r.stderr).toMatch(/warning: AWS has no recommended IKEv2 sample for Palo Alto Networks PA Series PANOS 4\.1\.2\+ \(GUI\)/);
    expect(r.stdout).toContain("compatibility sample, IKEv2");
  });

  it("warns when the sample's algorithms are weaker than the connection's", async () => {
    await createStack();
    makeModern();
    const r = await runCli(["vpn", "config", "--stack", STACK, "--device", "fortigate 6.4", "--json"], { aws });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const warning = doc.warnings.find((w: string) => w.startsWith("the sample proposes"));
    expect(warning).toContain("DH group 14");
    expect(warning).toContain("DH groups 19,20");
    expect(r.stderr).toContain("warning: the sample proposes");
    expect(doc.deviceConfig.text).toContain("# WARNING: the sample proposes");
    expect(doc.deviceConfig).toMatchObject({ device: "aws:3d4f5b01", sampleType: "recommended", ikeVersion: "ikev2", awsDeviceType: { vendor: "Fortinet" } });
    // Keys: redacted in the JSON text too.
    for (const k of psks()) expect(r.stdout).not.toContain(k);
    expect(doc.deviceConfig.text).toContain("<redacted");
  });

  it("no warning when the connection allows what the sample proposes (AWS's defaults, --crypto compatible)", async () => {
    await createStack(["--crypto", "compatible"]);
    const r = await runCli(["vpn", "config", "--stack", STACK, "--device", "fortigate 6.4"], { aws });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain("warning:");
  });
});

describe("vpn config: errors, one line each", () => {
  it("a search matching several types is exit 2 listing the candidates, before the sample is asked for", async () => {
    await createStack();
    const r = await runCli(["vpn", "config", "--stack", STACK, "--device", "cisco"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--device: "cisco" matches 5 of AWS's device types: Cisco Systems, Inc\. ASA 5500 Series ASA 8\.2\+ \(aws:0a1c2e01\);/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(sampleCalls()).toEqual([]);
  });

  it("an unknown device: a search with no match or an id AWS does not have is exit 2", async () => {
    await createStack();
    const a = await runCli(["vpn", "config", "--stack", STACK, "--device", "acme router"], { aws });
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--device: "acme router" is not one of vpcwire's renderers .* matches none of AWS's/);
    const b = await runCli(["vpn", "config", "--stack", STACK, "--device", "aws:deadbeef"], { aws });
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("--device: aws:deadbeef is not one of AWS's");
  });

  it("a device that is not even a search is refused before any AWS call", async () => {
    const r = await runCli(["vpn", "config", "--stack", STACK, "--device", "x;reload"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vpcwire: --device: "x;reload" is not a device/m);
    expect(aws.calls).toEqual([]);
  });

  it("flags: --stack and --vpn-id together, neither off a TTY, --offline, a bad id: exit 2 without AWS", async () => {
    for (const argv of [["--stack", STACK, "--vpn-id", "vpn-0123456789abcdef0"], [], ["--stack", STACK, "--offline"], ["--vpn-id", "vpn-xyz"]]) {
      const r = await runCli(["vpn", "config", ...argv], { aws });
      expect(r.code, argv.join(" ")).toBe(2);
    }
    expect(aws.calls).toEqual([]);
  });

  it("a stack that does not exist is exit 1; a dx stack has no VPN (exit 2); an unknown --vpn-id is exit 2", async () => {
    const missing = await runCli(["vpn", "config", "--stack", "nothing-here"], { aws });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("No resources tagged vpcwire:stack=nothing-here");
    seedVgw(aws, {
      tags: [
        { Key: "vpcwire:stack", Value: "dx-site" },
        { Key: "vpcwire:kind", Value: "dx" },
      ],
    });
    const dx = await runCli(["vpn", "config", "--stack", "dx-site"], { aws });
    expect(dx.code).toBe(2);
    expect(dx.stderr).toContain("--stack: dx-site is a dx stack; it has no VPN connection");
    const id = await runCli(["vpn", "config", "--vpn-id", "vpn-0123456789abcdef0"], { aws });
    expect(id.code).toBe(2);
    expect(id.stderr).toContain("--vpn-id: vpn-0123456789abcdef0 does not exist");
  });

  it("a deleted connection is exit 1, by stack and by id", async () => {
    await createStack();
    vpn().State = "deleted";
    const byStack = await runCli(["vpn", "config", "--stack", STACK], { aws });
    expect(byStack.code).toBe(1);
    expect(byStack.stderr).toContain(`Stack ${STACK} has no VPN connection any more`);
    const byId = await runCli(["vpn", "config", "--vpn-id", vpn().VpnConnectionId!], { aws });
    expect(byId.code).toBe(1);
    expect(byId.stderr).toContain("is deleted; AWS keeps the tunnel configuration only while");
  });
});

describe("vpn config: wizard", () => {
  it("picks the stack, then an AWS device type by typing to filter, then prints it", async () => {
    await createStack();
    const r = await runCli(["vpn", "config"], {
      aws,
      tty: true,
      answers: [
        { waitFor: "Which VPN stack?", keys: KEY.enter },
        { waitFor: "Which router config should vpcwire write?", keys: KEY.down + KEY.down + KEY.enter },
        { waitFor: "AWS device type", keys: "yamaha" },
        { waitFor: "aws:4e5a6c01", keys: KEY.enter },
        { waitFor: "to which file?", keys: `-${KEY.enter}` },
      ],
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`vpcwire vpn config --stack ${STACK} --device aws:4e5a6c01`);
    expect(r.stdout).toContain("vpcwire: AWS's sample configuration for Yamaha RTX Routers");
  });
});

describe("vpn create with an AWS device type", () => {
  const args = () => ["vpn", "create", "--stack", STACK, "--vpc-id", vpcId, "--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.0.0.0/8"];

  it("ends with AWS's sample for the new connection", async () => {
    const r = await runCli([...args(), "--device", "yamaha", "--yes"], { aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("# vpcwire: AWS's sample configuration for Yamaha RTX Routers");
    expect(r.stdout).toContain("#   - customer gateway cgw-");
    expect(r.stdout).toContain(psks()[0]);
    expect(r.stderr).toContain("Next: load the Yamaha RTX Routers Rev.10.01.16+ config on the router");
    expect(r.stderr).not.toContain(psks()[0]);
  });

  it("an ambiguous search stops before anything is created (exit 2)", async () => {
    const r = await runCli([...args(), "--device", "fortinet", "--yes"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--device: "fortinet" matches 2 of AWS's device types/);
    expect(aws.operations({ writesOnly: true })).toEqual([]);
  });

  it("--dry-run --offline says AWS's samples need a created connection and previews the nearest own config", async () => {
    const r = await runCli([...args(), "--device", "strongswan ubuntu", "--vpc-cidr", "172.31.0.0/16", "--dry-run", "--offline"], { aws });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`AWS's sample configurations need a created connection: vpcwire asks AWS for AWS's sample for "strongswan ubuntu"`);
    expect(r.stderr).toContain("The preview is vpcwire's nearest own config (strongswan)");
    expect(r.stdout).toContain("connections {");
    expect(aws.calls).toEqual([]);
  });

  it("a plain --dry-run names the type it found in the catalog", async () => {
    const r = await runCli([...args(), "--device", "aws:0a1c2e03", "--dry-run"], { aws });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("the Cisco Systems, Inc. CSRv AMI IOS 12.4+ sample (aws:0a1c2e03)");
    expect(r.stdout).toContain("crypto");
  });
});
