import { describe, expect, it } from "vitest";
import { isDxNotFound } from "../../src/aws/dx.js";
import { AwsError } from "../../src/core/errors.js";
import { vifArn, vifStateLabel } from "../../src/dx/aws.js";
import { deriveDxStackName, dxAcceptArgv, validateDxAcceptFlags, validateDxStatusFlags } from "../../src/dx/inputs.js";
import { vifVerdict } from "../../src/dx/runners.js";
import { runCli } from "../helpers/cli.js";

describe("dx accept-vif input", () => {
  it("derives the stack from the first interface, dedupes ids, defaults to all route tables", () => {
    const input = validateDxAcceptFlags({ vifId: ["dxvif-ffgh1234", "dxvif-ffgh5678", "dxvif-ffgh1234"], vpcId: "vpc-0123456789abcdef0" });
    expect(input).toMatchObject({
      stack: "dx-ffgh1234",
      stackDerived: true,
      vifIds: ["dxvif-ffgh1234", "dxvif-ffgh5678"],
      target: { kind: "vpc", vpcId: "vpc-0123456789abcdef0" },
      routeTables: "all",
      waitBgp: false,
      amazonAsn: 64512,
      amazonAsnGiven: false,
    });
    expect(deriveDxStackName(["dxvif-abcdefgh"])).toBe("dx-abcdefgh");
  });

  it("--vgw-id alone targets the gateway; with --vpc-id it is the VPC's gateway", () => {
    expect(validateDxAcceptFlags({ vifId: ["dxvif-ffgh1234"], vgwId: "vgw-0123abcd" }).target).toEqual({ kind: "vgw", vgwId: "vgw-0123abcd" });
    expect(validateDxAcceptFlags({ vifId: ["dxvif-ffgh1234"], vgwId: "vgw-0123abcd", vpcId: "vpc-0123abcd" }).target).toEqual({
      kind: "vpc",
      vpcId: "vpc-0123abcd",
      vgwId: "vgw-0123abcd",
    });
  });

  it("route tables: ids, all, none", () => {
    const base = { vifId: ["dxvif-ffgh1234"], vpcId: "vpc-0123abcd" };
    expect(validateDxAcceptFlags({ ...base, routeTables: ["none"] }).routeTables).toBe("none");
    expect(validateDxAcceptFlags({ ...base, routeTables: ["rtb-0123abcd", "rtb-0123abcd"] }).routeTables).toEqual(["rtb-0123abcd"]);
    expect(() => validateDxAcceptFlags({ ...base, routeTables: ["all", "rtb-0123abcd"] })).toThrow(/--route-tables: "all" is not a rtb id/);
  });

  it("the equivalent command round-trips", () => {
    const input = validateDxAcceptFlags({
      vifId: ["dxvif-ffgh1234", "dxvif-ffgh5678"],
      vpcId: "vpc-0123abcd",
      routeTables: ["rtb-0123abcd"],
      waitBgp: true,
      amazonAsn: "64700",
      stack: "ntte",
    });
    const argv = dxAcceptArgv(input, { region: "ap-northeast-1" });
    expect(argv.join(" ")).toBe(
      "vpcwire dx accept-vif --stack ntte --vif-id dxvif-ffgh1234 --vif-id dxvif-ffgh5678 --vpc-id vpc-0123abcd --route-tables rtb-0123abcd --amazon-asn 64700 --wait-bgp --region ap-northeast-1",
    );
    const flags: Record<string, unknown> = { vifId: [] as string[] };
    for (let i = 3; i < argv.length; i += 1) {
      const key = argv[i]!.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
      if (key === "waitBgp") flags.waitBgp = true;
      else if (key === "vifId") (flags.vifId as string[]).push(argv[++i]!);
      else if (key === "routeTables") flags.routeTables = [argv[++i]!];
      else flags[key] = argv[++i];
    }
    expect(validateDxAcceptFlags(flags)).toEqual(input);
  });

  it("dx status: --vif-id or --stack", () => {
    expect(validateDxStatusFlags({})).toEqual({ vifIds: [] });
    expect(validateDxStatusFlags({ stack: "dx-ffgh1234" })).toEqual({ vifIds: [], stack: "dx-ffgh1234" });
    expect(() => validateDxStatusFlags({ stack: "x", vifId: ["dxvif-ffgh1234"] })).toThrow(/give --vif-id or --stack, not both/);
  });
});

describe("waiting on an accepted interface", () => {
  const vif = (state: string, bgp: string[]) =>
    ({
      virtualInterfaceId: "dxvif-ffgh1234",
      virtualInterfaceState: state,
      bgpPeers: bgp.map((b) => ({ bgpStatus: b, bgpPeerState: "available" })),
    }) as never;

  it("down ends the wait unless --wait-bgp", () => {
    expect(vifVerdict(vif("down", ["down"]), false)).toEqual({ status: "done", state: "down (BGP down)" });
    expect(vifVerdict(vif("down", ["down"]), true)).toEqual({ status: "wait", state: "down (BGP down)" });
  });

  it("--wait-bgp waits for every peer, not just the interface state", () => {
    expect(vifVerdict(vif("available", ["up", "down"]), true)).toEqual({ status: "wait", state: "available (BGP 1 of 2 up)" });
    expect(vifVerdict(vif("available", ["up", "up"]), true)).toEqual({ status: "done", state: "available (BGP up)" });
    expect(vifVerdict(vif("available", ["up", "down"]), false).status).toBe("done");
  });

  it("rejected, deleted and deleting fail at once; confirming, pending and unknown wait", () => {
    for (const s of ["rejected", "deleted", "deleting"]) expect(vifVerdict(vif(s, []), false).status).toBe("failed");
    for (const s of ["confirming", "pending", "unknown", "testing"]) expect(vifVerdict(vif(s, ["down"]), true).status).toBe("wait");
    expect(vifVerdict(undefined, false).status).toBe("failed");
    expect(vifStateLabel(vif("confirming", ["down"]))).toBe("confirming");
  });
});

describe("Direct Connect errors and ARNs", () => {
  it("an unknown id is a DirectConnectClientException that says does not exist", () => {
    const e = new AwsError("Direct Connect DescribeVirtualInterfaces failed: DirectConnectClientException: Virtual interface dxvif-x does not exist.", {
      service: "Direct Connect",
      operation: "DescribeVirtualInterfaces",
      code: "DirectConnectClientException",
    });
    expect(isDxNotFound(e)).toBe(true);
    expect(isDxNotFound(new AwsError("throttled", { service: "Direct Connect", operation: "X", code: "ThrottlingException" }))).toBe(false);
  });

  it("VIF ARNs follow the partition of the Region", () => {
    expect(vifArn("ap-northeast-1", "123456789012", "dxvif-ffgh1234")).toBe("arn:aws:directconnect:ap-northeast-1:123456789012:dxvif/dxvif-ffgh1234");
    expect(vifArn("cn-north-1", "123456789012", "dxvif-ffgh1234")).toMatch(/^arn:aws-cn:/);
    expect(vifArn("us-gov-west-1", "123456789012", "dxvif-ffgh1234")).toMatch(/^arn:aws-us-gov:/);
  });
});

describe("dx help", () => {
  it("defaults are written (default: X) as in the other commands' help", async () => {
    const r = await runCli(["dx", "accept-vif", "--help"]);
    expect(r.code).toBe(0);
    const text = r.stdout.replace(/\s+/g, " ");
    expect(text).toContain("--amazon-asn <asn> Amazon side ASN for a new virtual private gateway (default: 64512)");
    expect(text).not.toMatch(/\(default \d/);
  });
});
