/** list / status / destroy of VPN stacks on a Transit Gateway. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeAws, installFakeAws, uninstallFakeAws } from "../fakes/aws.js";
import { seedRouteTable, seedSubnet, seedVpc } from "../fakes/ec2.js";
import { seedTgw } from "../fakes/ec2-tgw.js";
import { ALL_SERVICES } from "../fakes/services.js";
import { runCli } from "../helpers/cli.js";

let aws: FakeAws;
let vpcId: string;

beforeEach(() => {
  aws = installFakeAws(new FakeAws(), ALL_SERVICES);
  vpcId = seedVpc(aws, { cidr: "172.31.0.0/16", name: "prod" }).VpcId!;
  seedRouteTable(aws, vpcId, "private");
  seedSubnet(aws, vpcId, "172.31.1.0/24", "ap-northeast-1a");
  seedSubnet(aws, vpcId, "172.31.2.0/24", "ap-northeast-1c");
});
afterEach(() => uninstallFakeAws());

const create = (stack: string, ip: string, cidr: string, target: string[]) =>
  runCli(["vpn", "create", "--stack", stack, "--vpc-id", vpcId, "--cgw-ip", ip, "--onprem-cidr", cidr, ...target, "--yes"], { aws });

const vpcRoutes = () =>
  aws.ec2.routeTables.flatMap((t) => (t.Routes ?? []).filter((r) => r.TransitGatewayId).map((r) => `${t.RouteTableId}:${r.DestinationCidrBlock}`));

describe("a VPN stack on a new Transit Gateway", () => {
  it("list and status show the gateway, the attachments, the TGW and VPC routes", async () => {
    expect((await create("tgw-a", "203.0.113.10", "10.0.0.0/8", ["--transit-gateway", "new"])).code).toBe(0);
    const list = await runCli(["list"], { aws });
    expect(list.stdout).toMatch(/tgw-a\s+vpn\s+available\s+.*tgw-\w+.*tgw-attach-\w+/);
    const status = await runCli(["status", "--stack", "tgw-a", "--json"], { aws });
    const doc = JSON.parse(status.stdout);
    const t = doc.transitGateway;
    expect(t.transitGateways).toEqual([expect.objectContaining({ state: "available", owned: true, asn: 64512, ecmp: true })]);
    expect(t.vpcAttachments).toEqual([expect.objectContaining({ vpcId, state: "available" })]);
    expect(t.vpnAttachments).toEqual([expect.objectContaining({ state: "available", staticRoutes: ["10.0.0.0/8"] })]);
    expect(t.vpcRoutes.map((r: { cidr: string; state: string }) => `${r.cidr}:${r.state}`)).toEqual(["10.0.0.0/8:active", "10.0.0.0/8:active"]);
    const text = await runCli(["status", "--stack", "tgw-a"], { aws });
    expect(text.stdout).toMatch(/Transit gateway tgw-\w+/);
    expect(text.stdout).toMatch(/VPN ECMP enabled/);
    expect(text.stdout).toMatch(/does not propagate into VPC route tables/);
  });

  it("destroy removes everything the stack created, in dependency order, and waits for the attachment and the gateway", async () => {
    expect((await create("tgw-a", "203.0.113.10", "10.0.0.0/8", ["--transit-gateway", "new"])).code).toBe(0);
    aws.calls.length = 0;
    const r = await runCli(["destroy", "--stack", "tgw-a", "--yes"], { aws });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const writes = aws.operations({ writesOnly: true });
    const first = (op: string) => writes.indexOf(op);
    expect(first("DeleteVpnConnection")).toBeLessThan(first("DeleteRoute"));
    expect(first("DeleteRoute")).toBeLessThan(first("DeleteTransitGatewayVpcAttachment"));
    expect(first("DeleteTransitGatewayVpcAttachment")).toBeLessThan(first("DeleteTransitGateway"));
    expect(vpcRoutes()).toEqual([]);
    expect(aws.ec2.tgwAttachments.every((a) => a.State === "deleted")).toBe(true);
    expect(aws.ec2.tgws[0]!.State).toBe("deleted");
    expect(aws.ec2.vpns[0]!.State).toBe("deleted");
    // Nothing left: a second destroy finds no stack.
    expect((await runCli(["list", "--json"], { aws })).stdout).not.toContain("tgw-a");
  });
});

describe("stacks on a reused Transit Gateway", () => {
  it("destroy never deletes a reused gateway, and keeps the VPC attachment while another stack's connection uses the gateway", async () => {
    const tgw = seedTgw(aws);
    const id = tgw.TransitGatewayId!;
    expect((await create("site-a", "203.0.113.10", "10.1.0.0/16", ["--transit-gateway-id", id])).code).toBe(0);
    expect((await create("site-b", "198.51.100.7", "10.2.0.0/16", ["--transit-gateway-id", id])).code).toBe(0);
    // site-b reused site-a's VPC attachment (one per VPC and gateway).
    expect(aws.count("CreateTransitGatewayVpcAttachment")).toBe(1);
    const plan = await runCli(["destroy", "--stack", "site-a", "--dry-run"], { aws });
    expect(plan.stdout).toMatch(/transit gateway VPC attachment tgw-attach-\w+ kept: still used by vpn attachment/);
    expect(plan.stdout).toMatch(/transit gateway tgw-\w+ kept: not created by this stack/);
    expect((await runCli(["destroy", "--stack", "site-a", "--yes"], { aws })).code).toBe(0);
    expect(aws.count("DeleteTransitGateway")).toBe(0);
    expect(aws.count("DeleteTransitGatewayVpcAttachment")).toBe(0);
    // Only site-a's routes went.
    expect(vpcRoutes().every((r) => r.endsWith("10.2.0.0/16"))).toBe(true);
    expect(vpcRoutes()).toHaveLength(2);
    const b = await runCli(["destroy", "--stack", "site-b", "--yes"], { aws });
    expect(b.code).toBe(0);
    expect(aws.count("DeleteTransitGateway")).toBe(0);
    expect(aws.ec2.tgws[0]!.State).toBe("available");
    expect(vpcRoutes()).toEqual([]);
    // site-a's attachment, kept while site-b used it, still carries site-a's tags: destroying site-a again removes it.
    expect((await runCli(["list"], { aws })).stdout).toMatch(/site-a\s+vpn/);
    expect((await runCli(["destroy", "--stack", "site-a", "--yes"], { aws })).code).toBe(0);
    expect(aws.ec2.tgwAttachments.filter((a) => a.ResourceType === "vpc").map((a) => a.State)).toEqual(["deleted"]);
    expect(aws.ec2.tgws[0]!.State).toBe("available");
  });
});
