import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeAws, installFakeAws, uninstallFakeAws } from "../fakes/aws.js";
import { type FakeVif, seedHostedVif } from "../fakes/dx.js";
import { seedRouteTable, seedVgw, seedVpc } from "../fakes/ec2.js";
import { ALL_SERVICES } from "../fakes/services.js";
import { KEY, NO_REGION_ENV, runCli, withoutRegion } from "../helpers/cli.js";

let aws: FakeAws;
let prodId: string;
let privRtb: string;
let vifA: FakeVif;
let vifB: FakeVif;

beforeEach(() => {
  aws = installFakeAws(new FakeAws(), ALL_SERVICES);
  seedVpc(aws, { cidr: "10.99.0.0/16", name: "sandbox" });
  prodId = seedVpc(aws, { cidr: "10.216.0.0/24", name: "cloudgw" }).VpcId!;
  privRtb = seedRouteTable(aws, prodId, "private").RouteTableId!;
  vifA = seedHostedVif(aws, { name: "ntte-cgw-a", vlan: 1101, location: "EqTY2", partnerAsn: 65100, bgpUpAfterMs: 0 });
  vifB = seedHostedVif(aws, { name: "ntte-cgw-b", vlan: 1102, location: "TCCBK", partnerAsn: 65100, bgpUpAfterMs: 0 });
  // Not offered to be accepted: must not be in the picker.
  seedHostedVif(aws, { name: "refused-earlier", state: "rejected" });
});
afterEach(() => uninstallFakeAws());

describe("dx accept-vif wizard", () => {
  it("picks from the interfaces waiting for acceptance, then the VPC and route tables, confirms, and applies", async () => {
    const r = await runCli(["dx", "accept-vif"], {
      aws,
      tty: true,
      answers: [
        // Both waiting interfaces are listed, checked by default (NTT East offers two): accept both.
        { waitFor: "Accept which virtual interfaces?", keys: KEY.enter },
        // Targets: sandbox VPC, then cloudgw VPC; pick the second.
        { waitFor: "Where should the interfaces go?", keys: KEY.down + KEY.enter },
        // Route tables of cloudgw: main and private, both checked; uncheck the second (private).
        { waitFor: "Propagate the routes learned over BGP into which route tables?", keys: KEY.down + KEY.space + KEY.enter },
        { waitFor: "Apply this plan?", keys: `y${KEY.enter}` },
      ],
    });
    expect(r.code).toBe(0);
    // The picker shows everything on the partner's hand-over sheet (the terminal wraps long lines).
    const screen = r.stderr.replace(/\n/g, "");
    expect(screen).toContain(
      `${vifA.virtualInterfaceId}  ntte-cgw-a  VLAN 1101  owner 123456789012  EqTY2  ${vifA.connectionId}  ASN partner 65100 / Amazon (the gateway's)  169.254.101.2/30 <-> 169.254.101.1/30`,
    );
    expect(r.stderr).toContain(`${vifB.virtualInterfaceId}  ntte-cgw-b  VLAN 1102`);
    expect(r.stderr).not.toContain("refused-earlier");
    expect(r.stderr).toMatch(/cloudgw {2}10\.216\.0\.0\/24 {2}\[no gateway: a new one is created and attached\]/);

    const vgw = aws.ec2.vgws[0]!;
    expect(vgw.VpcAttachments?.[0]?.VpcId).toBe(prodId);
    expect(vifA.virtualGatewayId).toBe(vgw.VpnGatewayId);
    expect(vifB.virtualGatewayId).toBe(vgw.VpnGatewayId);
    const main = aws.ec2.routeTables.find((t) => t.VpcId === prodId && t.Associations?.some((a) => a.Main))!;
    expect(main.PropagatingVgws).toEqual([{ GatewayId: vgw.VpnGatewayId }]);
    expect(aws.ec2.routeTables.find((t) => t.RouteTableId === privRtb)!.PropagatingVgws).toEqual([]);
    expect(r.stderr).toMatch(
      new RegExp(
        `The same run without questions:\\n\\s+vpcwire dx accept-vif --stack dx-\\w+ --vif-id ${vifA.virtualInterfaceId} --vif-id ${vifB.virtualInterfaceId} --vpc-id ${prodId} --route-tables ${main.RouteTableId}`,
      ),
    );
    expect(r.stdout).toContain("All 2 virtual interfaces are available with BGP up.");
  });

  it("asks only for what is missing: with --vif-id given, only the target", async () => {
    const vgw = seedVgw(aws, { attachTo: prodId, asn: 64700 });
    const r = await runCli(["dx", "accept-vif", "--vif-id", vifA.virtualInterfaceId!, "--route-tables", "none"], {
      aws,
      tty: true,
      answers: [
        { waitFor: `[gateway ${vgw.VpnGatewayId}]`, keys: KEY.down + KEY.enter },
        { waitFor: "Apply this plan?", keys: `n${KEY.enter}` },
      ],
    });
    expect(r.code).toBe(3);
    expect(r.stderr).not.toContain("Accept which virtual interfaces?");
    expect(r.stderr).toContain("Cancelled: nothing was changed.");
    expect(aws.operations({ writesOnly: true })).toEqual([]);
  });

  it("nothing waiting for acceptance: says so instead of showing an empty picker (exit 1)", async () => {
    vifA.virtualInterfaceState = "available";
    vifB.virtualInterfaceState = "deleted";
    const r = await runCli(["dx", "accept-vif", "--vpc-id", prodId], { aws, tty: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no virtual interface is waiting for acceptance (state confirming) in ap-northeast-1");
    expect(r.stderr).toContain(`${vifA.virtualInterfaceId} (available)`);
  });

  it("off a TTY never prompts: missing flags are a usage error listing them (exit 2)", async () => {
    const r = await runCli(["dx", "accept-vif"], { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required flags: --vif-id, --vpc-id (or --vgw-id, --dx-gateway-id)");
    expect(aws.calls).toEqual([]);
    const onlyTarget = await runCli(["dx", "accept-vif", "--vif-id", vifA.virtualInterfaceId!], { aws });
    expect(onlyTarget.code).toBe(2);
    expect(onlyTarget.stderr).toContain("missing required flags: --vpc-id (or --vgw-id, --dx-gateway-id)");
  });

  describe("with no AWS Region configured, flags are checked first", () => {
    // Nothing the SDK could take a Region from, in the command's environment or the process's.
    const noRegion = NO_REGION_ENV;
    withoutRegion();

    it("a bad flag names the flag (exit 2), not the missing Region", async () => {
      const r = await runCli(["dx", "accept-vif", "--vif-id", "bad", "--vpc-id", "vpc-1"], { aws, env: noRegion });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--vif-id: "bad" is not a virtual interface id');
      expect(r.stderr).not.toContain("Region");
    });

    it("a bare run off a TTY lists the missing flags", async () => {
      const r = await runCli(["dx", "accept-vif"], { aws, env: noRegion });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("missing required flags: --vif-id, --vpc-id (or --vgw-id, --dx-gateway-id)");
    });

    it("valid flags then need the Region", async () => {
      const r = await runCli(["dx", "accept-vif", "--vif-id", vifA.virtualInterfaceId!, "--vpc-id", prodId], { aws, env: noRegion });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("--region: no AWS Region is configured");
      expect(aws.calls).toEqual([]);
    });
  });

  it("with --offline in a terminal, missing flags are refused first: the wizard reads AWS (the create pipeline's order)", async () => {
    const r = await runCli(["dx", "accept-vif", "--vpc-id", "vpc-bad", "--dry-run", "--offline"], { aws, tty: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("vpcwire: missing required flags: --vif-id (the wizard reads AWS, so it cannot run with --offline)\n");
    expect(aws.calls).toEqual([]);
  });

  it("an explicitly empty target is not a missing one: no question is asked", async () => {
    const r = await runCli(["dx", "accept-vif", "--vif-id", vifA.virtualInterfaceId!, "--vgw-id", ""], { aws, tty: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vpcwire: --vgw-id: is empty/);
    expect(aws.calls).toEqual([]);
  });

  it("--yes in a terminal also never prompts; a bad given flag fails before the questions", async () => {
    const yes = await runCli(["dx", "accept-vif", "--yes"], { aws, tty: true });
    expect(yes.code).toBe(2);
    expect(yes.stderr).toContain("missing required flags");
    const bad = await runCli(["dx", "accept-vif", "--vpc-id", "vpc-bad"], { aws, tty: true });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--vpc-id: "vpc-bad" is not a vpc id');
    expect(aws.calls).toEqual([]);
  });
});
