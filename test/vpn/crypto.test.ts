/** `vpn create` and tunnel crypto: what CreateVpnConnection gets, flag checks, and re-runs that change the tunnels. */
import { EC2Client, ModifyVpnTunnelOptionsCommand } from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeAws, installFakeAws, uninstallFakeAws } from "../fakes/aws.js";
import { DEFAULT_VPN_MODIFY_MS, seedVpc, setTunnelStatus } from "../fakes/ec2.js";
import { ALL_SERVICES } from "../fakes/services.js";
import { runCli } from "../helpers/cli.js";

let aws: FakeAws;
let vpcId: string;

beforeEach(() => {
  aws = installFakeAws(new FakeAws(), ALL_SERVICES);
  vpcId = seedVpc(aws, { cidr: "172.31.0.0/16", name: "prod" }).VpcId!;
});
afterEach(() => uninstallFakeAws());

const base = () => [
  "vpn",
  "create",
  "--stack",
  "office",
  "--vpc-id",
  vpcId,
  "--cgw-ip",
  "203.0.113.10",
  "--onprem-cidr",
  "10.0.0.0/8",
  "--route-tables",
  "none",
];
type Spec = Record<string, unknown>;
const createInput = () => aws.calls.find((c) => c.operation === "CreateVpnConnection")!.input as { Options: { TunnelOptions: Spec[] } };
const v = <T>(...list: T[]) => list.map((Value) => ({ Value }));

describe("vpn create: crypto at creation", () => {
  it("no crypto flags: both tunnels IKEv2-only with modern algorithms, DPD restart, AWS starts IKE", async () => {
    const r = await runCli([...base(), "--yes"], { aws });
    expect(r.code).toBe(0);
    const modern = {
      IKEVersions: v("ikev2"),
      Phase1EncryptionAlgorithms: v("AES256-GCM-16", "AES256"),
      Phase1IntegrityAlgorithms: v("SHA2-256", "SHA2-384"),
      Phase1DHGroupNumbers: v(19, 20),
      Phase2EncryptionAlgorithms: v("AES256-GCM-16", "AES256"),
      Phase2IntegrityAlgorithms: v("SHA2-256", "SHA2-384"),
      Phase2DHGroupNumbers: v(19, 20),
      DPDTimeoutAction: "restart",
      StartupAction: "start",
    };
    expect(createInput().Options.TunnelOptions).toEqual([modern, modern]);
    // AWS holds them, in output spellings.
    const stored = aws.ec2.vpns[0]!.Options!.TunnelOptions!;
    expect(stored.map((t) => t.IkeVersions)).toEqual([v("ikev2"), v("ikev2")]);
    expect(stored.map((t) => t.StartupAction)).toEqual(["start", "start"]);
    expect(stored.map((t) => t.DpdTimeoutAction)).toEqual(["restart", "restart"]);
    // The plan and the result say each tunnel's crypto; the next step says AWS starts IKE.
    expect(r.stderr).toMatch(/both tunnels: modern crypto \(IKEv2; phase 1 AES256\/AES256-GCM-16/);
    expect(r.stderr).toMatch(/tunnel 1: AWS \S+ <-> router 203\.0\.113\.10, .*; crypto IKEv2; phase 1 /);
    expect(r.stderr).toContain("AWS starts IKE itself");
    expect(r.stderr).not.toMatch(/FN72510/);
    // The device is recorded on the connection for status.
    expect(aws.ec2.vpns[0]!.Tags).toContainEqual({ Key: "vpcwire:device", Value: "csr1000v" });
  });

  it("--crypto compatible sends no algorithm list (AWS's defaults) and warns what refuses them", async () => {
    const r = await runCli([...base(), "--crypto", "compatible", "--tunnel1-inside-cidr", "169.254.44.0/30", "--yes"], { aws });
    expect(r.code).toBe(0);
    expect(createInput().Options.TunnelOptions).toEqual([{ TunnelInsideCidr: "169.254.44.0/30" }, {}]);
    expect(r.stderr).toMatch(
      /--crypto compatible keeps AWS's defaults .*IOS-XE 17\.11 and later \(Catalyst 8000V\) refuses phase 1 DH groups 2, 24 \(IKEv2\).*FN72510/,
    );
    expect(r.stderr).toMatch(/crypto AWS defaults \(IKEv1\/IKEv2; /);
    expect(r.stderr).toContain("AWS waits for your router to start IKE");
  });

  it("overrides replace the profile's lists, and --json shows each tunnel's crypto", async () => {
    const r = await runCli([...base(), "--phase1-dh-groups", "20", "--phase2-encryption", "aes256-gcm-16", "--tunnel-number-base", "40", "--json", "--yes"], {
      aws,
    });
    expect(r.code).toBe(0);
    const t = createInput().Options.TunnelOptions[0]!;
    expect(t.Phase1DHGroupNumbers).toEqual(v(20));
    expect(t.Phase2EncryptionAlgorithms).toEqual(v("AES256-GCM-16"));
    expect(t.Phase2DHGroupNumbers).toEqual(v(19, 20));
    const doc = JSON.parse(r.stdout);
    expect(doc.tunnels.map((x: { crypto: string }) => x.crypto)).toEqual([
      expect.stringMatching(/^IKEv2; phase 1 AES256\/AES256-GCM-16, SHA2-256\/SHA2-384, DH 20; phase 2 AES256-GCM-16, /),
      expect.stringMatching(/^IKEv2; phase 1 .* DH 20; /),
    ]);
    // --tunnel-number-base numbers the router's objects.
    expect(doc.deviceConfig.text).toContain("interface Tunnel40");
    expect(doc.deviceConfig.text).toContain("interface Tunnel41");
  });

  it("--dry-run --json: the plan's VPN step lists each tunnel's crypto; the offline preview renders it", async () => {
    const r = await runCli([...base(), "--dry-run", "--offline", "--json"], { aws });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const vpn = doc.steps.find((s: { id: string }) => s.id === "vpn");
    expect(vpn.params.cryptoProfile).toBe("modern");
    expect(vpn.params.tunnels).toHaveLength(2);
    expect(vpn.params.tunnels[1].crypto).toMatch(/^IKEv2; /);
    expect(doc.deviceConfigPreview.text).toContain("crypto ikev2 proposal");
    expect(aws.calls).toEqual([]);
  });

  it.each([
    [["--crypto", "fancy"], /^vpcwire: --crypto: must be modern or compatible, not "fancy"/m],
    [["--phase1-dh-groups", "1"], /--phase1-dh-groups: "1" is not one of AWS's allowed values: 2, 14, /],
    [["--phase2-integrity", "MD5"], /--phase2-integrity: "MD5" is not one of AWS's allowed values/],
    [["--ike-version", "ikev1", "--startup-action", "start"], /--startup-action: start works only on IKEv2-only tunnels/],
    [["--dpd-timeout-action", "reboot"], /--dpd-timeout-action: must be one of clear, none, restart/],
    [["--tunnel-number-base", "1000"], /--tunnel-number-base: must be a whole number from 1 to 999.*not "1000"/],
    [["--tunnel-number-base", "ten"], /--tunnel-number-base: must be a whole number/],
  ])("%j is refused (exit 2, naming the flag) before any AWS call", async (flags, message) => {
    const r = await runCli([...base(), ...flags, "--yes"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(aws.calls).toEqual([]);
  });

  it("--ike-version ikev1 on modern drops the startup action (AWS allows start only on IKEv2) and renders IKEv1", async () => {
    const r = await runCli([...base(), "--ike-version", "ikev1", "--yes"], { aws });
    expect(r.code).toBe(0);
    const t = createInput().Options.TunnelOptions[0]!;
    expect(t.IKEVersions).toEqual(v("ikev1"));
    expect(t.StartupAction).toBeUndefined();
    expect(aws.ec2.vpns[0]!.Options!.TunnelOptions!.map((x) => x.StartupAction)).toEqual(["add", "add"]);
  });
});

describe("vpn create: re-running with other crypto", () => {
  it("updates the tunnels one at a time through ModifyVpnTunnelOptions, waiting for available in between; then converges", async () => {
    expect((await runCli([...base(), "--crypto", "compatible", "--yes"], { aws })).code).toBe(0);
    const vpn = aws.ec2.vpns[0]!;
    const [ip1, ip2] = vpn.Options!.TunnelOptions!.map((t) => t.OutsideIpAddress!);
    setTunnelStatus(aws, vpn.VpnConnectionId!, [
      { status: "UP", message: "IPSEC IS UP" },
      { status: "UP", message: "IPSEC IS UP" },
    ]);

    // The dry run says what will change, per tunnel, and that each restarts.
    const dry = await runCli([...base(), "--dry-run"], { aws });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      new RegExp(
        `~ update\\s+tunnel 1 \\(${ip1!.replace(/\./g, "\\.")}\\) of vpn-\\w+: update tunnel options \\(IKEVersions, .*StartupAction\\) to modern crypto .*the tunnel restarts, the other stays up`,
      ),
    );
    expect(dry.stdout).toMatch(/~ update\s+tunnel 2 /);

    const seen: Array<{ op: string; t: number; ip?: unknown; state?: string; telemetry?: string[] }> = [];
    aws.beforeCall = (op, input) => {
      if (op === "ModifyVpnTunnelOptions" || op === "DescribeVpnConnections") {
        seen.push({ op, t: aws.clock.now(), ip: input.VpnTunnelOutsideIpAddress, state: vpn.State, telemetry: vpn.VgwTelemetry!.map((x) => x.Status!) });
      }
    };
    const r = await runCli([...base(), "--yes", "--json"], { aws });
    expect(r.code).toBe(0);
    aws.beforeCall = undefined;
    const modifies = seen.filter((s) => s.op === "ModifyVpnTunnelOptions");
    expect(modifies.map((m) => m.ip)).toEqual([ip1, ip2]);
    // The second starts only after the connection is available again, which takes the fake's modify time.
    expect(modifies[1]!.state).toBe("available");
    expect(modifies[1]!.t - modifies[0]!.t).toBeGreaterThanOrEqual(DEFAULT_VPN_MODIFY_MS);
    const between = seen.slice(seen.indexOf(modifies[0]!) + 1, seen.indexOf(modifies[1]!));
    expect(between.some((s) => s.op === "DescribeVpnConnections" && s.state === "modifying")).toBe(true);
    // While tunnel 1 was being replaced, tunnel 2 stayed up.
    expect(modifies[1]!.telemetry).toEqual(["DOWN", "UP"]);
    expect(aws.operations({ writesOnly: true }).filter((op) => op === "ModifyVpnTunnelOptions")).toHaveLength(2);

    // Each call named everything (going back to defaults must too), and AWS now holds modern on both tunnels.
    const modifyInput = aws.calls.find((c) => c.operation === "ModifyVpnTunnelOptions")!.input as { TunnelOptions: Spec };
    expect(modifyInput.TunnelOptions).toMatchObject({
      IKEVersions: v("ikev2"),
      DPDTimeoutAction: "restart",
      StartupAction: "start",
      Phase1DHGroupNumbers: v(19, 20),
    });
    expect(vpn.Options!.TunnelOptions!.map((t) => t.IkeVersions)).toEqual([v("ikev2"), v("ikev2")]);
    // The result is made from the connection as the last update left it.
    expect(JSON.parse(r.stdout).tunnels.map((x: { crypto: string }) => x.crypto)).toEqual([
      expect.stringMatching(/^IKEv2; /),
      expect.stringMatching(/^IKEv2; /),
    ]);

    const again = await runCli([...base(), "--yes"], { aws });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/already exists; nothing was changed/);
    expect(aws.operations({ writesOnly: true }).filter((op) => op === "ModifyVpnTunnelOptions")).toHaveLength(2);
  });

  it("back to compatible names every allowed value (ModifyVpnTunnelOptions keeps what is left out)", async () => {
    expect((await runCli([...base(), "--yes"], { aws })).code).toBe(0);
    const r = await runCli([...base(), "--crypto", "compatible", "--yes"], { aws });
    expect(r.code).toBe(0);
    const modify = aws.calls.filter((c) => c.operation === "ModifyVpnTunnelOptions").map((c) => c.input as { TunnelOptions: Spec });
    expect(modify).toHaveLength(2);
    expect(modify[0]!.TunnelOptions).toMatchObject({
      IKEVersions: v("ikev1", "ikev2"),
      Phase1DHGroupNumbers: v(2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24),
      DPDTimeoutAction: "clear",
      StartupAction: "add",
    });
    const stored = aws.ec2.vpns[0]!.Options!.TunnelOptions!;
    expect(stored.map((t) => t.StartupAction)).toEqual(["add", "add"]);
    expect(r.stderr).toMatch(/FN72510/);
  });

  it("a connection found modifying is waited for before its tunnels are updated", async () => {
    expect((await runCli([...base(), "--crypto", "compatible", "--yes"], { aws })).code).toBe(0);
    const vpn = aws.ec2.vpns[0]!;
    // Someone changed a tunnel a moment ago.
    const client = new EC2Client({ region: "ap-northeast-1" });
    await client.send(
      new ModifyVpnTunnelOptionsCommand({
        VpnConnectionId: vpn.VpnConnectionId!,
        VpnTunnelOutsideIpAddress: vpn.Options!.TunnelOptions![1]!.OutsideIpAddress!,
        TunnelOptions: { DPDTimeoutAction: "none" },
      }),
    );
    expect(String(vpn.State)).toBe("modifying");
    const start = aws.clock.now();
    let firstModifyAt: number | undefined;
    aws.beforeCall = (op) => {
      if (op === "ModifyVpnTunnelOptions") firstModifyAt ??= aws.clock.now();
    };
    const r = await runCli([...base(), "--yes"], { aws });
    aws.beforeCall = undefined;
    expect(r.code).toBe(0);
    expect(firstModifyAt! - start).toBeGreaterThanOrEqual(DEFAULT_VPN_MODIFY_MS);
    expect(aws.ec2.vpns).toHaveLength(1);
  });
});

describe("fake AWS: tunnel options", () => {
  const client = () => new EC2Client({ region: "ap-northeast-1" });

  it("ModifyVpnTunnelOptions is refused while another modification is in progress (IncorrectState), and for an unknown tunnel", async () => {
    expect((await runCli([...base(), "--yes"], { aws })).code).toBe(0);
    const vpn = aws.ec2.vpns[0]!;
    const [ip1, ip2] = vpn.Options!.TunnelOptions!.map((t) => t.OutsideIpAddress!);
    const modify = (ip: string, TunnelOptions: Spec) =>
      client().send(new ModifyVpnTunnelOptionsCommand({ VpnConnectionId: vpn.VpnConnectionId!, VpnTunnelOutsideIpAddress: ip, TunnelOptions }));
    await expect(modify("192.0.2.1", {})).rejects.toMatchObject({ name: "InvalidParameterValue" });
    const out = await modify(ip1!, { Phase1DHGroupNumbers: v(20) });
    expect(String(out.VpnConnection?.State)).toBe("modifying");
    await expect(modify(ip2!, { Phase1DHGroupNumbers: v(20) })).rejects.toMatchObject({ name: "IncorrectState" });
    await aws.clock.sleep(DEFAULT_VPN_MODIFY_MS);
    await modify(ip2!, { Phase1DHGroupNumbers: v(20) });
    // Only the named field changed.
    expect(vpn.Options!.TunnelOptions![1]!.Phase1DHGroupNumbers).toEqual(v(20));
    expect(vpn.Options!.TunnelOptions![1]!.Phase2DHGroupNumbers).toEqual(v(19, 20));
  });

  it("CreateVpnConnection refuses values AWS does not allow, and StartupAction start with IKEv1 allowed", async () => {
    for (const [spec, message] of [
      [{ Phase1DHGroupNumbers: v(1) }, /Invalid value '1' for Phase1DHGroupNumbers/],
      [{ StartupAction: "start" }, /StartupAction start is supported only for IKEv2/],
      [{ DPDTimeoutSeconds: 10 }, /DPDTimeoutSeconds must be 30 or more/],
      [{ Phase1LifetimeSeconds: 3600, Phase2LifetimeSeconds: 3600 }, /Phase2LifetimeSeconds must be less than Phase1LifetimeSeconds/],
    ] as const) {
      aws.failures.clear();
      uninstallFakeAws();
      aws = installFakeAws(new FakeAws(), ALL_SERVICES);
      vpcId = seedVpc(aws, { cidr: "172.31.0.0/16" }).VpcId!;
      aws.beforeCall = (op, input) => {
        if (op === "CreateVpnConnection") (input as { Options: { TunnelOptions: Spec[] } }).Options.TunnelOptions = [spec as Spec, {}];
      };
      const r = await runCli([...base(), "--crypto", "compatible", "--yes"], { aws });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/InvalidParameterValue/);
      expect(r.stderr).toMatch(message);
    }
  });
});
