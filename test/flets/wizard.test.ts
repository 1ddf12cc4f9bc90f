import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { uninstallFakeAws } from "../fakes/aws.js";
import { ec2Error } from "../fakes/model.js";
import { KEY, NO_REGION_ENV, runCli, withoutRegion } from "../helpers/cli.js";
import { type FletsAccount, fletsAccount, SEED, seedVif } from "./account.js";

let acct: FletsAccount;

beforeEach(() => {
  acct = fletsAccount();
  seedVif(acct.aws, { state: "available", vgwId: acct.vgwId });
});
afterEach(() => uninstallFakeAws());

const PREFIX = "IPv6 /64 prefix NTT assigned";
const ROUTER = "IPv4 address of NTT's ISATAP router";
const PICK = "Which EC2 instance ends the ISATAP tunnel?";
const TYPE_IP = "Private IPv4 address of the instance";
const OS = "Operating system of the instance";
const BOOT = "How should the tunnel come up at boot?";
const ALLOW = "What may the site open on the instance over FLET'S?";

describe("flets isatap wizard", () => {
  it("asks for what is missing, picks the instance from the account, confirms, fixes the AWS side and prints the files", async () => {
    const r = await runCli(["flets", "isatap"], {
      aws: acct.aws,
      tty: true,
      answers: [
        { waitFor: PREFIX, keys: SEED.prefix + KEY.enter },
        // The seed's router is shown as an example, not offered as a default.
        { waitFor: ROUTER, keys: SEED.router + KEY.enter },
        // The picker lists the instance with its name, private IP and platform.
        { waitFor: PICK, keys: KEY.enter },
        // The OS defaults to what EC2 reports.
        { waitFor: `${OS} (EC2 reports Linux/UNIX)`, keys: KEY.enter },
        { waitFor: BOOT, keys: KEY.down + KEY.enter },
        { waitFor: ALLOW, keys: `tcp:22,icmpv6${KEY.enter}` },
        { waitFor: "Apply this plan?", keys: `y${KEY.enter}` },
      ],
    });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("in NTT East's example 192.168.103.254");
    expect(r.stderr).toMatch(new RegExp(`${acct.instanceId}\\s+isatap-host\\s+10\\.216\\.0\\.101\\s+Linux/UNIX`));
    expect(acct.aws.operations({ writesOnly: true }).sort()).toEqual(["AuthorizeSecurityGroupIngress", "EnableVgwRoutePropagation"]);
    expect(r.stderr).toContain(
      `The same run without questions:\n  vpcwire flets isatap --prefix 2001:db8::/64 --router 192.168.103.254 --instance-id ${acct.instanceId} --os linux --boot rc.local --allow tcp:22,icmpv6`,
    );
    expect(r.stdout).toContain("==> rc.local.snippet <==");
    expect(r.stdout).toContain("/sbin/ip tunnel add sit1 mode isatap local 10.216.0.101");
    expect(r.stdout).toMatch(/tcp dport 22 accept/);
  });

  it("re-asks when an answer breaks the flag's rule, and types the private IP when no instance is picked", async () => {
    const r = await runCli(["flets", "isatap", "--os", "windows"], {
      aws: acct.aws,
      tty: true,
      answers: [
        { waitFor: PREFIX, keys: `10.0.0.0/8${KEY.enter}` },
        { waitFor: "is IPv4; expected the IPv6 /64 NTT assigned", keys: KEY.backspace.repeat(10) + SEED.prefix + KEY.enter },
        { waitFor: ROUTER, keys: SEED.router + KEY.enter },
        // Last entry: type the IP (files only).
        { waitFor: "none of these: type the private IP", keys: KEY.down + KEY.enter },
        { waitFor: TYPE_IP, keys: `10.216.0.102${KEY.enter}` },
        { waitFor: ALLOW, keys: KEY.enter },
      ],
    });
    expect(r.code).toBe(0);
    // Windows: no boot question; no AWS write, and only the listing was read.
    expect(r.stderr).not.toContain(BOOT);
    expect(acct.aws.operations()).toEqual(["DescribeInstances"]);
    expect(r.stdout).toContain("==> isatap.ps1 <==");
    expect(r.stderr).toContain("2001:db8::5efe:10.216.0.102");
    expect(r.stderr).toContain("vpcwire flets isatap --prefix 2001:db8::/64 --router 192.168.103.254 --private-ip 10.216.0.102 --os windows");
  });

  it("without a readable account, asks for the private IP instead of an instance", async () => {
    acct.aws.failNext("DescribeInstances", ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));
    const r = await runCli(["flets", "isatap", "--prefix", SEED.prefix, "--router", SEED.router, "--boot", "systemd", "--allow", "tcp:22"], {
      aws: acct.aws,
      tty: true,
      answers: [
        { waitFor: TYPE_IP, keys: SEED.privateIp + KEY.enter },
        { waitFor: OS, keys: KEY.enter },
      ],
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Could not list EC2 instances \(EC2 DescribeInstances failed: UnauthorizedOperation/);
    expect(r.stderr).not.toContain(PICK);
    expect(r.stderr).not.toContain(ALLOW);
    expect(r.stdout).toContain("==> isatap.service <==");
  });

  it("--offline: the pipeline refuses the wizard before any question, as for every create command", async () => {
    const r = await runCli(["flets", "isatap", "--dry-run", "--offline", "--os", "linux"], { aws: acct.aws, tty: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "missing required flags: --prefix, --router, --private-ip or --instance-id (the wizard reads AWS, so it cannot run with --offline)",
    );
    expect(r.stderr).not.toContain(PREFIX);
    expect(acct.aws.calls).toEqual([]);
  });

  describe("without a Region", () => {
    withoutRegion();
    it("no instance picker: the private IP is asked for and nothing is read from AWS", async () => {
      const r = await runCli(["flets", "isatap", "--dry-run", "--os", "linux", "--boot", "systemd", "--allow", "tcp:22"], {
        aws: acct.aws,
        tty: true,
        env: NO_REGION_ENV,
        answers: [
          { waitFor: PREFIX, keys: SEED.prefix + KEY.enter },
          { waitFor: ROUTER, keys: SEED.router + KEY.enter },
          { waitFor: TYPE_IP, keys: SEED.privateIp + KEY.enter },
        ],
      });
      expect(r.stderr).not.toMatch(/internal error/);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain("No AWS Region is configured, so no instance can be listed; type the private IP instead.");
      expect(r.stderr).not.toContain(PICK);
      expect(acct.aws.calls).toEqual([]);
      expect(r.stdout).toContain("(--dry-run: not written)");
      expect(r.stdout).toContain("==> isatap-up.sh <==");
    });
  });

  it("a bad flag fails before any question (exit 2)", async () => {
    const r = await runCli(["flets", "isatap", "--router", "300.1.1.1"], { aws: acct.aws, tty: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--router: "300.1.1.1" is not an IPv4 address');
    expect(r.stderr).not.toContain(PREFIX);
    expect(acct.aws.calls).toEqual([]);
  });

  it("--yes in a terminal never prompts", async () => {
    const r = await runCli(["flets", "isatap", "--yes"], { aws: acct.aws, tty: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required flags: --prefix, --router, --private-ip or --instance-id");
  });
});
