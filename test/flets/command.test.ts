import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { uninstallFakeAws } from "../fakes/aws.js";
import { ec2Error } from "../fakes/model.js";
import { runCli } from "../helpers/cli.js";
import { type FletsAccount, fletsAccount, SEED, seedInstance, seedVif } from "./account.js";

let acct: FletsAccount;
let dir: string;

beforeEach(() => {
  acct = fletsAccount();
  dir = mkdtempSync(join(tmpdir(), "vpcwire-flets-"));
});
afterEach(() => {
  uninstallFakeAws();
  rmSync(dir, { recursive: true, force: true });
});

const seedFlags = ["--prefix", SEED.prefix, "--router", SEED.router];
const pure = () => ["flets", "isatap", ...seedFlags, "--private-ip", SEED.privateIp];
const withInstance = () => ["flets", "isatap", ...seedFlags, "--instance-id", acct.instanceId];
/** No Region and no keys in the command's environment. */
const noAccount = { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined };
const sg = () => acct.aws.ec2.securityGroups.find((g) => g.GroupId === acct.sgId)!;
const rtb = (id: string) => acct.aws.ec2.routeTables.find((t) => t.RouteTableId === id)!;
const protocol41 = (cidr = `${SEED.router}/32`) => ({ IpProtocol: "41", IpRanges: [{ CidrIp: cidr }] });
/** The rule as vpcwire adds it (with a description). */
const added = () => ({ IpProtocol: "41", IpRanges: [expect.objectContaining({ CidrIp: `${SEED.router}/32` })] });

describe("flets isatap without an AWS account (--private-ip)", () => {
  it("renders the seed's setup with no AWS call, no Region and no credentials", async () => {
    const r = await runCli(pure(), { aws: acct.aws, env: noAccount });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(acct.aws.calls).toEqual([]);
    // Both forms of the address, and the router's as next hop.
    expect(r.stderr).toContain("2001:db8::5efe:10.216.0.101");
    expect(r.stderr).toContain("2001:db8::5efe:ad8:65");
    expect(r.stderr).toContain("default route via 2001:db8::5efe:192.168.103.254");
    // The files on stdout, each under a header.
    expect(r.stdout.match(/^==> .+ <==$/gm)).toEqual(["==> isatap.service <==", "==> isatap-up.sh <==", "==> firewall.nft <=="]);
    expect(r.stdout).toContain("ip tunnel add sit1 mode isatap local 10.216.0.101");
    expect(r.stdout).toContain("ip -6 route add default via 2001:db8::5efe:192.168.103.254 dev sit1");
    // Warnings in words, the checklist, and the word that the AWS side was not checked.
    expect(r.stderr).toMatch(/warning: Security groups and network ACLs do not apply inside the tunnel/);
    expect(r.stderr).toMatch(/The AWS side was not checked \(no --instance-id\).*IP protocol 41 \(ISATAP\) from 192\.168\.103\.254\/32/);
    expect(r.stderr).toMatch(/Once the files are in place, check:\n\s+- systemctl status isatap.service/);
    expect(r.stderr).toMatch(/no --os given, so Linux/);
    // Talk never reaches stdout.
    expect(r.stdout).not.toContain("warning:");
  });

  it("--json: one document with the address, the files and their modes, warnings, checklist and the AAAA record", async () => {
    const r = await runCli([...pure(), "--json", "--dns-name", "app.example.jp", "--allow", "tcp:22", "--allow", "icmpv6"], { aws: acct.aws, env: noAccount });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      schemaVersion: 1,
      ok: true,
      command: "flets isatap",
      region: null,
      privateIp: SEED.privateIp,
      os: "linux",
      osSource: "default",
      address: { dotted: "2001:db8::5efe:10.216.0.101", compressed: "2001:db8::5efe:ad8:65", prefix: SEED.prefix },
      dnsRecord: "app.example.jp. IN AAAA 2001:db8::5efe:ad8:65",
    });
    expect(doc.files.map((f: { name: string; mode: string }) => [f.name, f.mode])).toEqual([
      ["isatap.service", "0644"],
      ["isatap-up.sh", "0755"],
      ["firewall.nft", "0644"],
    ]);
    expect(doc.files[1].content).toContain("ip tunnel add sit1 mode isatap local 10.216.0.101");
    expect(doc.files[2].content).toMatch(/tcp dport 22 accept/);
    expect(doc.warnings.length).toBeGreaterThan(3);
    expect(doc.checklist[0]).toMatch(/systemctl status isatap.service/);
    expect(doc.aws).toBeUndefined();
    expect(acct.aws.calls).toEqual([]);
  });

  it("--out writes scripts 0755 and the rest 0644, creating the directory", async () => {
    const out = join(dir, "isatap");
    const r = await runCli([...pure(), "--out", out], { aws: acct.aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(readdirSync(out).sort()).toEqual(["firewall.nft", "isatap-up.sh", "isatap.service"]);
    expect(statSync(join(out, "isatap-up.sh")).mode & 0o777).toBe(0o755);
    expect(statSync(join(out, "isatap.service")).mode & 0o777).toBe(0o644);
    expect(statSync(join(out, "firewall.nft")).mode & 0o777).toBe(0o644);
    expect(r.stderr).toContain(`${join(out, "isatap-up.sh")} (0755, written) -> /usr/local/sbin/isatap-up.sh`);
  });

  it("--out replaces files vpcwire generated, leaves identical ones, and refuses anyone else's (exit 2)", async () => {
    expect((await runCli([...pure(), "--out", dir], { aws: acct.aws })).code).toBe(0);
    // Same inputs: unchanged. A wrong mode is put right.
    const again = await runCli([...pure(), "--out", dir], { aws: acct.aws });
    expect(again.stderr).toContain("(0755, unchanged)");
    // Other inputs: the generated files are replaced, and the user is told.
    const other = await runCli([...pure(), "--out", dir, "--allow", "tcp:443"], { aws: acct.aws });
    expect(other.code).toBe(0);
    expect(other.stderr).toContain(`${join(dir, "firewall.nft")} (0644, replaced)`);
    expect(readFileSync(join(dir, "firewall.nft"), "utf8")).toMatch(/tcp dport 443 accept/);
    // A file vpcwire did not write is never overwritten.
    writeFileSync(join(dir, "isatap.service"), "[Unit]\nDescription=mine\n");
    const refused = await runCli([...pure(), "--out", dir], { aws: acct.aws });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`--out: ${join(dir, "isatap.service")} exists and was not written by vpcwire`);
    expect(readFileSync(join(dir, "isatap.service"), "utf8")).toBe("[Unit]\nDescription=mine\n");
  });

  it("--out naming a file is a usage error", async () => {
    const file = join(dir, "x");
    writeFileSync(file, "");
    const r = await runCli([...pure(), "--out", file], { aws: acct.aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--out: ${file} exists and is not a directory`);
  });

  it("--dry-run --offline previews the files and writes nothing", async () => {
    const out = join(dir, "preview");
    const r = await runCli([...pure(), "--dry-run", "--offline", "--out", out, "--os", "windows"], { aws: acct.aws });
    expect(r.code).toBe(0);
    expect(acct.aws.calls).toEqual([]);
    expect(() => statSync(out)).toThrow();
    expect(r.stdout).toMatch(/Plan for stack isatap-10-216-0-101 \(flets isatap/);
    expect(r.stdout).toContain(`Files for ${out} (--dry-run: not written):`);
    expect(r.stdout).toContain("==> isatap.ps1 <==");
    expect(r.stdout).toContain("2001:db8::5efe:10.216.0.101");
  });

  it("--dry-run --json is the plan document with the result's fields at the top level, as in the applied run's", async () => {
    const r = await runCli([...pure(), "--dry-run", "--json"], { aws: acct.aws, env: noAccount });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, ok: true, command: "flets isatap", kind: "flets", offline: true, steps: [] });
    expect(doc.isatap).toBeUndefined();
    expect(doc.warnings[0]).toMatch(/The AWS side was not checked/);
    expect(doc.address.dotted).toBe("2001:db8::5efe:10.216.0.101");
    expect(doc.files.map((f: { name: string }) => f.name)).toEqual(["isatap.service", "isatap-up.sh", "firewall.nft"]);
    expect(acct.aws.calls).toEqual([]);

    // The applied run's document has the same fields in the same places (and the plan's only in a dry run).
    const applied = JSON.parse((await runCli([...pure(), "--json"], { aws: acct.aws, env: noAccount })).stdout);
    const { kind, offline, steps, ...common } = doc;
    expect([kind, offline, steps]).toEqual(["flets", true, []]);
    expect(applied).toEqual(common);
  });
});

describe("flets isatap: validation (exit 2 before any AWS call)", () => {
  const cases: Array<[string, string[], RegExp]> = [
    [
      "an IPv4 prefix",
      ["flets", "isatap", "--prefix", "10.0.0.0/8", "--router", SEED.router, "--instance-id", "i-0123456789abcdef0"],
      /^vpcwire: --prefix: "10\.0\.0\.0\/8" is IPv4/m,
    ],
    [
      "a /48",
      ["flets", "isatap", "--prefix", "2001:db8::/48", "--router", SEED.router, "--instance-id", "i-0123456789abcdef0"],
      /--prefix: .*ISATAP needs exactly a \/64/,
    ],
    ["a bad instance id", ["flets", "isatap", ...seedFlags, "--instance-id", "i-xyz"], /--instance-id: "i-xyz" is not an EC2 instance id/],
    ["a public private IP", ["flets", "isatap", ...seedFlags, "--private-ip", "8.8.8.8"], /--private-ip: "8\.8\.8\.8" is not an RFC 1918/],
    [
      "--boot with --os windows",
      [...["flets", "isatap", ...seedFlags, "--private-ip", SEED.privateIp], "--os", "windows", "--boot", "systemd"],
      /--boot: applies only to --os linux/,
    ],
    [
      "a bad security group",
      ["flets", "isatap", ...seedFlags, "--instance-id", "i-0123456789abcdef0", "--security-group", "sg-nope"],
      /--security-group: "sg-nope" is not a sg id/,
    ],
    [
      "--security-group without --instance-id",
      ["flets", "isatap", ...seedFlags, "--private-ip", SEED.privateIp, "--security-group", "sg-0123456789abcdef0"],
      /--security-group: needs --instance-id/,
    ],
    [
      "an explicitly empty --security-group",
      ["flets", "isatap", ...seedFlags, "--instance-id", "i-0123456789abcdef0", "--security-group", ""],
      /^vpcwire: --security-group: is empty; give a value or leave the flag out$/m,
    ],
    ["an explicitly empty --prefix", ["flets", "isatap", "--prefix", "", "--router", SEED.router, "--private-ip", SEED.privateIp], /--prefix: is empty/],
    ["an empty item in --allow", ["flets", "isatap", ...seedFlags, "--private-ip", SEED.privateIp, "--allow", "tcp:22,,icmpv6"], /--allow: has an empty entry/],
    ["a trailing comma in --allow", ["flets", "isatap", ...seedFlags, "--private-ip", SEED.privateIp, "--allow", "tcp:22,"], /--allow: has an empty entry/],
    [
      "an empty repeated --allow",
      ["flets", "isatap", ...seedFlags, "--private-ip", SEED.privateIp, "--allow", "tcp:22", "--allow", ""],
      /--allow: has an empty item/,
    ],
    [
      "--offline without a private IP to render",
      ["flets", "isatap", ...seedFlags, "--instance-id", "i-0123456789abcdef0", "--dry-run", "--offline"],
      /--instance-id: cannot be read with --offline; give --private-ip/,
    ],
  ];
  for (const [what, argv, message] of cases) {
    it(what, async () => {
      const r = await runCli(argv, { aws: acct.aws });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(acct.aws.calls).toEqual([]);
    });
  }

  it("off a TTY, missing flags are listed in one usage error", async () => {
    const r = await runCli(["flets", "isatap"], { aws: acct.aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required flags: --prefix, --router, --private-ip or --instance-id");
    expect(acct.aws.calls).toEqual([]);
  });
});

describe("flets isatap --instance-id: the AWS side against the fake account", () => {
  it("protocol 41 rule missing and propagation off: both planned as updates, nothing written on --dry-run", async () => {
    seedVif(acct.aws, { state: "available", vgwId: acct.vgwId });
    const r = await runCli([...withInstance(), "--dry-run"], { aws: acct.aws });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`~ update\\s+security group ${acct.sgId} \\(isatap-host\\): allow IP protocol 41 \\(ISATAP\\) from 192\\.168\\.103\\.254/32`),
    );
    expect(r.stdout).toMatch(new RegExp(`~ update\\s+route table ${acct.rtbId} \\(isatap\\), used by ${acct.subnetId}: enable propagation from ${acct.vgwId}`));
    expect(r.stdout).toContain("2 to update");
    expect(acct.aws.operations({ writesOnly: true })).toEqual([]);
    expect(acct.aws.operations()).toContain("DescribeVirtualInterfaces");
    // The files are previewed from the instance's private IP.
    expect(r.stdout).toContain("ip tunnel add sit1 mode isatap local 10.216.0.101");
  });

  it("applies the protocol 41 rule and the propagation, then prints the files; a second run changes nothing", async () => {
    seedVif(acct.aws, { state: "available", vgwId: acct.vgwId });
    const r = await runCli([...withInstance(), "--yes"], { aws: acct.aws });
    expect(r.code).toBe(0);
    expect(acct.aws.operations({ writesOnly: true }).sort()).toEqual(["AuthorizeSecurityGroupIngress", "EnableVgwRoutePropagation"]);
    const call = acct.aws.calls.find((c) => c.operation === "AuthorizeSecurityGroupIngress")!;
    expect(call.input).toMatchObject({
      GroupId: acct.sgId,
      IpPermissions: [
        { IpProtocol: "41", IpRanges: [{ CidrIp: "192.168.103.254/32", Description: `vpcwire isatap-${acct.instanceId} IP protocol 41 (ISATAP)` }] },
      ],
    });
    // No ports for a protocol number, and the rule is tagged with the stack so destroy can find it.
    expect((call.input.IpPermissions as Array<Record<string, unknown>>)[0]).not.toHaveProperty("FromPort");
    expect(call.input.TagSpecifications).toEqual([
      expect.objectContaining({
        ResourceType: "security-group-rule",
        Tags: expect.arrayContaining([{ Key: "vpcwire:stack", Value: `isatap-${acct.instanceId}` }]),
      }),
    ]);
    // Only the characters AWS accepts in a rule description.
    expect((call.input.IpPermissions as Array<{ IpRanges: Array<{ Description: string }> }>)[0]!.IpRanges[0]!.Description).toMatch(
      /^[a-zA-Z0-9 ._\-:/()#,@[\]+=;{}!$*]{1,255}$/,
    );
    expect(sg().IpPermissions).toEqual([added()]);
    expect(rtb(acct.rtbId).PropagatingVgws).toEqual([{ GatewayId: acct.vgwId }]);
    // Only the instance's subnet's table is touched.
    expect(rtb(acct.mainRtbId).PropagatingVgws).toEqual([]);
    expect(r.stderr).toContain(`${acct.sgId} now allows IP protocol 41 (ISATAP) from 192.168.103.254/32`);
    expect(r.stdout).toContain("==> isatap-up.sh <==");
    expect(r.stderr).toContain(`as EC2 reports for ${acct.instanceId}`);

    const writes = acct.aws.operations({ writesOnly: true }).length;
    const again = await runCli([...withInstance(), "--yes"], { aws: acct.aws });
    expect(again.code).toBe(0);
    expect(acct.aws.operations({ writesOnly: true })).toHaveLength(writes);
    expect(again.stderr).toMatch(/· no-op\s+security group .*already allowed/);
    expect(again.stderr).toMatch(/· no-op\s+route table .*already on/);
    expect(again.stderr).toContain("was already in place; nothing was changed");
  });

  it("protocol 41 rule present (or covered by a wider range or another attached group): no-op", async () => {
    seedVif(acct.aws, { state: "available", vgwId: acct.vgwId });
    rtb(acct.rtbId).PropagatingVgws = [{ GatewayId: acct.vgwId }];
    for (const permissions of [[protocol41()], [protocol41("192.168.103.0/24")], [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "192.168.0.0/16" }] }]]) {
      sg().IpPermissions = permissions;
      const r = await runCli([...withInstance(), "--dry-run"], { aws: acct.aws });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        new RegExp(`· no-op\\s+security group ${acct.sgId} \\(isatap-host\\): IP protocol 41 \\(ISATAP\\) from 192\\.168\\.103\\.254 already allowed`),
      );
      expect(r.stdout).toContain("0 to create, 0 to update, 0 to reuse, 2 unchanged.");
    }
    // Protocol 41 from somewhere else, or TCP from the router, does not count.
    for (const permissions of [
      [protocol41("192.168.104.254/32")],
      [{ IpProtocol: "tcp", FromPort: 0, ToPort: 65535, IpRanges: [{ CidrIp: "192.168.103.254/32" }] }],
    ]) {
      sg().IpPermissions = permissions;
      const r = await runCli([...withInstance(), "--dry-run"], { aws: acct.aws });
      expect(r.stdout).toMatch(/~ update\s+security group/);
    }
    // A second group on the instance that already allows it is enough.
    sg().IpPermissions = [];
    const other = acct.aws.ec2.securityGroups.find((g) => g.GroupName === "default")!;
    other.IpPermissions = [protocol41()];
    const inst = acct.aws.ec2.instances[0]!;
    const groups = [
      { GroupId: acct.sgId, GroupName: "isatap-host" },
      { GroupId: other.GroupId!, GroupName: "default" },
    ];
    inst.SecurityGroups = groups;
    inst.NetworkInterfaces![0]!.Groups = groups;
    const r = await runCli([...withInstance(), "--yes"], { aws: acct.aws });
    expect(r.stderr).toMatch(new RegExp(`no-op\\s+security group ${other.GroupId} \\(default\\): .* already allowed`));
    expect(acct.aws.operations({ writesOnly: true })).toEqual([]);
  });

  it("--security-group picks the group; one not on the instance is a usage error before any write", async () => {
    const inst = acct.aws.ec2.instances[0]!;
    const second = acct.aws.ec2.securityGroups.find((g) => g.GroupName === "default")!;
    const groups = [
      { GroupId: acct.sgId, GroupName: "isatap-host" },
      { GroupId: second.GroupId!, GroupName: "default" },
    ];
    inst.SecurityGroups = groups;
    inst.NetworkInterfaces![0]!.Groups = groups;
    const r = await runCli([...withInstance(), "--security-group", second.GroupId!, "--yes"], { aws: acct.aws });
    expect(r.code).toBe(0);
    expect(second.IpPermissions).toEqual([added()]);
    expect(sg().IpPermissions).toEqual([]);

    inst.SecurityGroups = [groups[0]!];
    inst.NetworkInterfaces![0]!.Groups = [groups[0]!];
    const calls = acct.aws.operations({ writesOnly: true }).length;
    const refused = await runCli([...withInstance(), "--security-group", second.GroupId!, "--yes"], { aws: acct.aws });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`--security-group: ${second.GroupId} is not attached to ${acct.instanceId}'s interface with 10.216.0.101`);
    expect(acct.aws.operations({ writesOnly: true })).toHaveLength(calls);
  });

  it("the rule added by hand between plan and apply is fine (InvalidPermission.Duplicate)", async () => {
    acct.aws.beforeCall = (op) => {
      if (op === "AuthorizeSecurityGroupIngress" && !sg().IpPermissions?.length) sg().IpPermissions = [protocol41()];
    };
    const r = await runCli([...withInstance(), "--yes"], { aws: acct.aws });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${acct.sgId} already allows IP protocol 41 (ISATAP) from 192.168.103.254/32`);
  });

  it("a subnet without its own route table uses the main one", async () => {
    const t = rtb(acct.rtbId);
    t.Associations = [];
    const r = await runCli([...withInstance(), "--dry-run"], { aws: acct.aws });
    expect(r.stdout).toMatch(
      new RegExp(`route table ${acct.mainRtbId} \\(cloudgw-main\\) \\[main\\], used by ${acct.subnetId} \\(main table\\): enable propagation`),
    );
  });

  describe("Direct Connect", () => {
    it("VIFs still confirming: a plan warning pointing to dx accept-vif", async () => {
      seedVif(acct.aws, { state: "confirming", id: "dxvif-ffntt001" });
      seedVif(acct.aws, { state: "confirming", id: "dxvif-ffntt002" });
      const r = await runCli([...withInstance(), "--dry-run"], { aws: acct.aws });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(
        `Direct Connect virtual interfaces dxvif-ffntt001, dxvif-ffntt002 are waiting to be accepted; accept them onto ${acct.vgwId}: ` +
          `vpcwire dx accept-vif --vif-id dxvif-ffntt001,dxvif-ffntt002 --vpc-id ${acct.vpcId}`,
      );
    });

    it("no VIF at all on the VGW: a warning with the same pointer", async () => {
      seedVif(acct.aws, { state: "available", vgwId: "vgw-0000000000000other" });
      const r = await runCli([...withInstance(), "--dry-run", "--json"], { aws: acct.aws });
      const doc = JSON.parse(r.stdout);
      expect(doc.warnings).toContainEqual(expect.stringContaining(`No Direct Connect virtual interface is on ${acct.vgwId}`));
      expect(doc.warnings).toContainEqual(expect.stringContaining(`vpcwire dx accept-vif --vpc-id ${acct.vpcId}`));
    });

    it("an available VIF on the VGW: no Direct Connect warning", async () => {
      seedVif(acct.aws, { state: "available", vgwId: acct.vgwId });
      const r = await runCli([...withInstance(), "--dry-run", "--json"], { aws: acct.aws });
      const doc = JSON.parse(r.stdout);
      expect(doc.warnings.filter((w: string) => /virtual interface|accept-vif/.test(w))).toEqual([]);
    });

    it("a VIF that is down: routes come once BGP is up", async () => {
      seedVif(acct.aws, { state: "down", vgwId: acct.vgwId, id: "dxvif-ffntt009" });
      const r = await runCli([...withInstance(), "--dry-run"], { aws: acct.aws });
      expect(r.stdout).toMatch(/No virtual interface on vgw-\w+ is available yet \(dxvif-ffntt009 down\)/);
    });

    it("no VGW on the VPC: no propagation step, a warning to attach one and accept the VIFs", async () => {
      acct.aws.ec2.vgws = [];
      seedVif(acct.aws, { state: "confirming", id: "dxvif-ffntt001" });
      const r = await runCli([...withInstance(), "--dry-run"], { aws: acct.aws });
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(/route table/);
      expect(r.stdout).toContain(`${acct.vpcId} has no virtual private gateway attached`);
      expect(r.stdout).toContain(`vpcwire dx accept-vif --vif-id dxvif-ffntt001 --vpc-id ${acct.vpcId} (waiting to be accepted: dxvif-ffntt001)`);
    });

    it("Direct Connect not readable (AccessDenied): the plan goes on with a warning", async () => {
      const denied = Object.assign(new Error("User is not authorized to perform: directconnect:DescribeVirtualInterfaces"), {
        name: "AccessDeniedException",
        $metadata: { httpStatusCode: 400, requestId: "fake-dx" },
      });
      acct.aws.failNext("DescribeVirtualInterfaces", denied);
      const r = await runCli([...withInstance(), "--dry-run"], { aws: acct.aws });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("Could not read Direct Connect virtual interfaces (AccessDeniedException); the VIF check was skipped.");
      expect(r.stdout).toMatch(/~ update\s+security group/);
    });
  });

  it("a Windows instance gets the Windows files", async () => {
    seedInstance(acct.aws, {
      InstanceId: "i-0fedcba9876543210",
      VpcId: acct.vpcId,
      SubnetId: acct.subnetId,
      groups: [acct.sgId],
      ip: "10.216.0.102",
      windows: true,
    });
    const r = await runCli(["flets", "isatap", ...seedFlags, "--instance-id", "i-0fedcba9876543210", "--json", "--interface", "sit9"], { aws: acct.aws });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ os: "windows", osSource: "instance", privateIp: "10.216.0.102" });
    expect(doc.files.map((f: { name: string }) => f.name)).toEqual(["isatap.ps1", "isatap-firewall.cmd"]);
    expect(doc.address.dotted).toBe("2001:db8::5efe:10.216.0.102");
    expect(doc.warnings).toContainEqual(expect.stringContaining("--interface ignored: EC2 reports i-0fedcba9876543210 as Windows"));
    expect(doc.aws).toMatchObject({
      instanceId: "i-0fedcba9876543210",
      vpcId: acct.vpcId,
      subnetId: acct.subnetId,
      securityGroupId: acct.sgId,
      vgwId: acct.vgwId,
    });
  });

  it("--os that contradicts EC2 wins, with a warning", async () => {
    const r = await runCli([...withInstance(), "--os", "windows", "--dry-run"], { aws: acct.aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`--os windows, but EC2 reports ${acct.instanceId} as Linux/UNIX`);
    expect(r.stdout).toContain("==> isatap.ps1 <==");
  });

  it("--private-ip with --instance-id must be one of the instance's addresses", async () => {
    acct.aws.ec2.instances[0]!.NetworkInterfaces![0]!.PrivateIpAddresses!.push({ PrivateIpAddress: "10.216.0.150", Primary: false });
    const ok = await runCli([...withInstance(), "--private-ip", "10.216.0.150", "--dry-run", "--json"], { aws: acct.aws });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).address.dotted).toBe("2001:db8::5efe:10.216.0.150");
    const r = await runCli([...withInstance(), "--private-ip", "10.216.0.200", "--yes"], { aws: acct.aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--private-ip: 10.216.0.200 is not an address of ${acct.instanceId} (it has 10.216.0.101, 10.216.0.150)`);
    expect(acct.aws.operations({ writesOnly: true })).toEqual([]);
  });

  it("an unknown instance is a usage error naming the flag", async () => {
    const r = await runCli(["flets", "isatap", ...seedFlags, "--instance-id", "i-0aaaaaaaaaaaaaaaa"], { aws: acct.aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--instance-id: i-0aaaaaaaaaaaaaaaa does not exist in this account and Region");
  });

  it("--ipip-* on an instance with the source/destination check on: a warning", async () => {
    const r = await runCli(
      [...withInstance(), "--ipip-remote", "2001:db8:100::1", "--ipip-local-v4", "10.216.0.0/24", "--ipip-remote-v4", "192.168.10.0/24", "--dry-run"],
      { aws: acct.aws },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${acct.instanceId} has its source/destination check on`);
    expect(r.stdout).toContain("==> ipip-up.sh <==");
  });

  it("--json after apply: the AWS side and what was done", async () => {
    const out = join(dir, "files");
    const r = await runCli([...withInstance(), "--json", "--out", out], { aws: acct.aws });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.aws).toMatchObject({ instanceId: acct.instanceId, securityGroupId: acct.sgId, vgwId: acct.vgwId, routeTableIds: [acct.rtbId] });
    expect(doc.aws.steps.map((s: { action: string }) => s.action)).toEqual(["update", "update"]);
    expect(doc.files[0]).toMatchObject({ name: "isatap.service", path: join(out, "isatap.service"), status: "written", mode: "0644" });
    expect(doc.files[0].content).toBeUndefined();
    expect(doc.region).toBe("ap-northeast-1");
  });

  it("an AWS error while applying reports what changed and how to resume or undo", async () => {
    acct.aws.failNext("EnableVgwRoutePropagation", ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));
    const r = await runCli([...withInstance(), "--yes", "--out", dir], { aws: acct.aws });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("EC2 EnableVgwRoutePropagation failed: UnauthorizedOperation");
    expect(r.stderr).toMatch(
      /To continue where it stopped, run the same command again:\n\s+vpcwire flets isatap --prefix 2001:db8::\/64 --router 192\.168\.103\.254 --instance-id i-0123456789abcdef0 --out /,
    );
    // No file is written when the AWS side failed.
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a failure after propagation was turned on: the undo is vpcwire destroy, and the report says destroy leaves propagation on", async () => {
    acct.aws.failNext("AuthorizeSecurityGroupIngress", ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));
    const r = await runCli([...withInstance(), "--yes", "--json"], { aws: acct.aws });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.destroyCommand).toBe(`vpcwire destroy --stack isatap-${acct.instanceId}`);
    // People get the same undo line on stderr.
    expect(r.stderr).toContain(`To undo what this stack created or changed:\n    vpcwire destroy --stack isatap-${acct.instanceId}`);
    expect(doc.existing).toContainEqual({
      kind: "route table",
      id: acct.rtbId,
      origin: "changed",
      state: `propagation from ${acct.vgwId} on; vpcwire destroy leaves it on`,
    });
    expect(r.stderr).toContain(`changed route table ${acct.rtbId} (propagation from ${acct.vgwId} on; vpcwire destroy leaves it on)`);
    expect(r.stderr).not.toContain("aws ec2");
  });

  it("--dry-run --offline with --instance-id and --private-ip: placeholders, no AWS call", async () => {
    const r = await runCli([...withInstance(), "--private-ip", SEED.privateIp, "--dry-run", "--offline"], { aws: acct.aws });
    expect(r.code).toBe(0);
    expect(acct.aws.calls).toEqual([]);
    expect(r.stdout).toMatch(/security group <first security group of i-0123456789abcdef0>: allow IP protocol 41 .*\(not checked offline\)/);
    expect(r.stdout).toMatch(/route table of i-0123456789abcdef0's subnet: enable propagation .*\(not checked offline\)/);
  });
});
