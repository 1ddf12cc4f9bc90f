/**
 * `vpcwire export`: for each kind of stack, built by running the real commands against the fake, the
 * Terraform it writes parses (HashiCorp's HCL parser, compiled to wasm: @cdktf/hcl2json) and imports
 * exactly the stack's resources, keys never reach a file, and `destroy` still removes the stack.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "@cdktf/hcl2json";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeAws, FakeAws as FakeAwsClass, installFakeAws, uninstallFakeAws } from "../fakes/aws.js";
import { dxState, seedHostedVif } from "../fakes/dx.js";
import { seedRouteTable, seedSecurityGroup, seedSubnet, seedVpc } from "../fakes/ec2.js";
import { endpointsState } from "../fakes/ec2-endpoints.js";
import { seedTgw } from "../fakes/ec2-tgw.js";
import { elbState } from "../fakes/elbv2.js";
import { ALL_SERVICES } from "../fakes/services.js";
import { fletsAccount, SEED } from "../flets/account.js";
import { runCli } from "../helpers/cli.js";
import { seedWorld, vpcFlags } from "../privatelink/world.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "vpcwire-export-"));
});
afterEach(() => {
  uninstallFakeAws();
  rmSync(dir, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: hcl2json's answer is untyped JSON, read by the test's own paths
type Parsed = Record<string, any>;

/** Every file export wrote, parsed. */
async function parsedFiles(): Promise<Record<string, Parsed>> {
  const out: Record<string, Parsed> = {};
  for (const name of readdirSync(dir)) out[name] = (await parse(name, readFileSync(join(dir, name), "utf8"))) as Parsed;
  return out;
}

/** `import { to, id }` blocks of imports.tf, as address -> id. */
function importsOf(files: Record<string, Parsed>): Map<string, string> {
  const blocks = (files["imports.tf"]!.import ?? []) as Array<{ to: string; id: string }>;
  return new Map(blocks.map((b) => [b.to.replace(/^\$\{(.*)\}$/, "$1"), b.id]));
}

/** resource blocks of main.tf as `type.name` -> arguments. */
function resourcesOf(files: Record<string, Parsed>): Map<string, Parsed> {
  const out = new Map<string, Parsed>();
  for (const [type, byName] of Object.entries((files["main.tf"]!.resource ?? {}) as Record<string, Record<string, Parsed[]>>)) {
    for (const [name, [body]] of Object.entries(byName)) out.set(`${type}.${name}`, body!);
  }
  return out;
}

function dataOf(files: Record<string, Parsed>): Map<string, Parsed> {
  const out = new Map<string, Parsed>();
  for (const [type, byName] of Object.entries((files["main.tf"]!.data ?? {}) as Record<string, Record<string, Parsed[]>>)) {
    for (const [name, [body]] of Object.entries(byName)) out.set(`${type}.${name}`, body!);
  }
  return out;
}

const tagged = (tags: Array<{ Key?: string; Value?: string }> | undefined, stack: string) => tags?.some((t) => t.Key === "vpcwire:stack" && t.Value === stack);

/** Export to the directory and check what every kind shares: exit 0, no AWS write, files parse, imports point at resource blocks. */
async function exportStack(aws: FakeAws, stack: string) {
  const before = aws.calls.length;
  const r = await runCli(["export", "--stack", stack, "--out", dir], { aws });
  expect(r.code, r.stderr).toBe(0);
  expect(
    aws.calls
      .slice(before)
      .map((c) => c.operation)
      .filter((op) => !/^(Describe|Get|List|Search)/.test(op)),
  ).toEqual([]);
  expect(readdirSync(dir).sort()).toEqual(["imports.tf", "main.tf", "terraform.tfvars.example", "variables.tf", "versions.tf"]);
  const files = await parsedFiles();
  const imports = importsOf(files);
  const resources = resourcesOf(files);
  for (const address of imports.keys()) expect(resources.has(address), address).toBe(true);
  expect(files["versions.tf"]!.terraform[0].required_version).toBe(">= 1.5.0");
  // The JSON inventory holds the same imports.
  const json = await runCli(["export", "--stack", stack, "--format", "json"], { aws });
  expect(json.code).toBe(0);
  const doc = JSON.parse(json.stdout);
  expect(
    new Map(doc.resources.filter((x: { importId: string | null }) => x.importId).map((x: { address: string; importId: string }) => [x.address, x.importId])),
  ).toEqual(imports);
  return { files, imports, resources, data: dataOf(files), doc };
}

describe("vpn stack on a Transit Gateway", () => {
  let aws: FakeAws;
  let vpcId: string;
  beforeEach(() => {
    aws = installFakeAws(new FakeAwsClass(), ALL_SERVICES);
    vpcId = seedVpc(aws, { cidr: "172.31.0.0/16", name: "prod" }).VpcId!;
    seedRouteTable(aws, vpcId, "private");
    seedSubnet(aws, vpcId, "172.31.1.0/24", "ap-northeast-1a");
  });
  const create = (stack: string, ...extra: string[]) =>
    runCli(["vpn", "create", "--stack", stack, "--vpc-id", vpcId, "--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.0.0.0/8", "--yes", ...extra], { aws });

  it("a new gateway: imports the gateway, the VPC attachment, the TGW route and the VPC routes by the ids the provider takes", async () => {
    expect((await create("hub", "--transit-gateway", "new")).code).toBe(0);
    const { imports, resources } = await exportStack(aws, "hub");
    const tgw = aws.ec2.tgws[0]!;
    const att = aws.ec2.tgwAttachments.find((a) => a.ResourceType === "vpc")!;
    const rtb = tgw.Options!.AssociationDefaultRouteTableId!;
    const vpcTables = aws.ec2.routeTables.filter((t) => t.VpcId === vpcId).map((t) => t.RouteTableId!);
    expect(new Set(imports.values())).toEqual(
      new Set([
        tgw.TransitGatewayId,
        att.TransitGatewayAttachmentId,
        aws.ec2.cgws[0]!.CustomerGatewayId,
        aws.ec2.vpns[0]!.VpnConnectionId,
        `${rtb}_10.0.0.0/8`,
        ...vpcTables.map((t) => `${t}_10.0.0.0/8`),
      ]),
    );
    const gw = [...resources.entries()].find(([a]) => a.startsWith("aws_ec2_transit_gateway."))!;
    expect(gw[1]).toMatchObject({ amazon_side_asn: 64512, vpn_ecmp_support: "enable", default_route_table_association: "enable" });
    const conn = [...resources.entries()].find(([a]) => a.startsWith("aws_vpn_connection."))!;
    expect(conn[1].transit_gateway_id).toBe(`\${${gw[0]}.id}`);
    const attachment = [...resources.entries()].find(([a]) => a.startsWith("aws_ec2_transit_gateway_vpc_attachment."))![1];
    expect(attachment.subnet_ids).toEqual(att.SubnetIds);
    expect(attachment.transit_gateway_id).toBe(`\${${gw[0]}.id}`);
    const route = [...resources.entries()].find(([a]) => a.startsWith("aws_ec2_transit_gateway_route."))![1];
    expect(route.transit_gateway_attachment_id).toBe(`\${${conn[0]}.transit_gateway_attachment_id}`);
    const vpcRoutes = [...resources.entries()].filter(([a]) => a.startsWith("aws_route."));
    expect(vpcRoutes).toHaveLength(2);
    for (const [, r] of vpcRoutes) expect(r.transit_gateway_id).toBe(`\${${gw[0]}.id}`);
  });

  it("a reused gateway is a data source, never a resource", async () => {
    const tgw = seedTgw(aws).TransitGatewayId!;
    expect((await create("spoke", "--transit-gateway-id", tgw, "--routing", "bgp", "--cgw-asn", "65010", "--acceleration")).code).toBe(0);
    const { imports, data, resources } = await exportStack(aws, "spoke");
    expect([...imports.values()]).not.toContain(tgw);
    expect(data.get(`aws_ec2_transit_gateway.tgw_${tgw.slice(4)}`)).toEqual({ id: tgw });
    const conn = [...resources.entries()].find(([a]) => a.startsWith("aws_vpn_connection."))![1];
    expect(conn.enable_acceleration).toBe(true);
    expect([...resources.keys()].some((a) => a.startsWith("aws_ec2_transit_gateway_route."))).toBe(false);
  });
});

describe("vpn stack", () => {
  let aws: FakeAws;
  let vpcId: string;
  let sgId: string;
  beforeEach(() => {
    aws = installFakeAws(new FakeAwsClass(), ALL_SERVICES);
    vpcId = seedVpc(aws, { cidr: "172.31.0.0/16", name: "prod" }).VpcId!;
    seedRouteTable(aws, vpcId, "private");
    sgId = seedSecurityGroup(aws, vpcId, "app").GroupId!;
  });
  const create = (stack: string, ...extra: string[]) =>
    runCli(["vpn", "create", "--stack", stack, "--vpc-id", vpcId, "--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.0.0.0/8", "--yes", ...extra], { aws });

  it("imports exactly the gateway, customer gateway, connection and rule; keys are sensitive variables, never values", async () => {
    expect((await create("office", "--routing", "static", "--security-group", sgId, "--ike-version", "ikev2")).code).toBe(0);
    const { files, imports, resources, data } = await exportStack(aws, "office");
    const vpn = aws.ec2.vpns[0]!;
    expect(new Set(imports.values())).toEqual(
      new Set([aws.ec2.vgws[0]!.VpnGatewayId, aws.ec2.cgws[0]!.CustomerGatewayId, vpn.VpnConnectionId, ...aws.ec2.sgRules.map((r) => r.SecurityGroupRuleId)]),
    );
    const conn = [...resources.entries()].find(([a]) => a.startsWith("aws_vpn_connection."))![1];
    const tunnels = vpn.Options!.TunnelOptions!;
    expect(conn.tunnel1_inside_cidr).toBe(tunnels[0]!.TunnelInsideCidr);
    expect(conn.tunnel2_inside_cidr).toBe(tunnels[1]!.TunnelInsideCidr);
    expect(conn.tunnel1_ike_versions).toEqual(["ikev2"]);
    expect(conn.static_routes_only).toBe(true);
    expect(conn.tunnel1_preshared_key).toMatch(/^\$\{var\.vpn_\w+_tunnel1_preshared_key\}$/);
    expect(conn.tags["vpcwire:stack"]).toBe("office");
    // The static route and the propagation are written, without import (the provider has none).
    expect([...resources.keys()].filter((a) => a.startsWith("aws_vpn_connection_route."))).toHaveLength(1);
    expect([...resources.keys()].some((a) => a.startsWith("aws_vpn_gateway_route_propagation."))).toBe(true);
    // The VPC and the group the rule is in are reused: data sources.
    expect([...data.keys()].sort()).toEqual([`aws_security_group.sg_${sgId.slice(3)}`, `aws_vpc.vpc_${vpcId.slice(4)}`]);
    const vars = files["variables.tf"]!.variable as Record<string, Parsed[]>;
    expect(Object.keys(vars)).toHaveLength(2);
    for (const [v] of Object.values(vars)) expect(v!.sensitive).toBe(true);
    const all = readdirSync(dir).map((n) => readFileSync(join(dir, n), "utf8"));
    for (const t of tunnels) for (const text of all) expect(text).not.toContain(t.PreSharedKey!);
    expect(Object.keys(files["terraform.tfvars.example"]!).sort()).toEqual(Object.keys(vars).sort());
  });

  it("keys in Secrets Manager: preshared_key_storage, and no key variables or tfvars to fill in", async () => {
    expect((await create("vault", "--psk-storage", "secrets-manager")).code).toBe(0);
    aws.calls.length = 0;
    const { files, resources, doc } = await exportStack(aws, "vault");
    const conn = [...resources.entries()].find(([a]) => a.startsWith("aws_vpn_connection."))![1];
    expect(conn.preshared_key_storage).toBe("SecretsManager");
    expect(conn).not.toHaveProperty("tunnel1_preshared_key");
    expect(conn).not.toHaveProperty("tunnel2_preshared_key");
    expect(conn.tunnel1_inside_cidr).toBe(aws.ec2.vpns[0]!.Options!.TunnelOptions![0]!.TunnelInsideCidr);
    expect(files["variables.tf"]!.variable).toBeUndefined();
    expect(Object.keys(files["terraform.tfvars.example"]!)).toEqual([]);
    expect(doc.variables).toEqual([]);
    expect(doc.warnings.join("\n")).toContain(`keeps its pre-shared keys in Secrets Manager (${aws.ec2.vpns[0]!.PreSharedKeyArn})`);
    // Export reads no secret.
    expect(aws.calls.filter((c) => c.service === "secretsmanager")).toEqual([]);
  });

  it("a gateway reused from another stack is a data source, and destroy still removes the exported stack", async () => {
    expect((await create("office")).code).toBe(0);
    expect(
      (await runCli(["vpn", "create", "--stack", "branch", "--vpc-id", vpcId, "--cgw-ip", "198.51.100.7", "--onprem-cidr", "10.50.0.0/16", "--yes"], { aws }))
        .code,
    ).toBe(0);
    const { imports, data } = await exportStack(aws, "branch");
    const vgw = aws.ec2.vgws[0]!.VpnGatewayId!;
    expect([...imports.values()]).not.toContain(vgw);
    expect(data.get(`aws_vpn_gateway.vgw_${vgw.slice(4)}`)).toEqual({ id: vgw });
    const branch = aws.ec2.vpns.find((v) => tagged(v.Tags, "branch"))!;
    expect(new Set(imports.values())).toEqual(new Set([branch.VpnConnectionId, aws.ec2.cgws.find((g) => tagged(g.Tags, "branch"))!.CustomerGatewayId]));
    const d = await runCli(["destroy", "--stack", "branch", "--yes"], { aws });
    expect(d.code).toBe(0);
    expect(aws.ec2.vpns.find((v) => v.VpnConnectionId === branch.VpnConnectionId)!.State).toBe("deleted");
  });
});

describe("dx stack", () => {
  it("imports the gateway dx accept-vif created and one accepter per interface", async () => {
    const aws = installFakeAws(new FakeAwsClass(), ALL_SERVICES);
    const vpcId = seedVpc(aws, { cidr: "10.216.0.0/24", name: "cloudgw" }).VpcId!;
    const a = seedHostedVif(aws, { name: "a", vlan: 1101, bgpUpAfterMs: null });
    const b = seedHostedVif(aws, { name: "b", vlan: 1102, bgpUpAfterMs: null });
    const r = await runCli(["dx", "accept-vif", "--vif-id", `${a.virtualInterfaceId},${b.virtualInterfaceId}`, "--vpc-id", vpcId, "--yes"], { aws });
    expect(r.code, r.stderr).toBe(0);
    const stack = JSON.parse((await runCli(["list", "--json"], { aws })).stdout).stacks[0].stack;
    const { imports, resources } = await exportStack(aws, stack);
    const vgw = aws.ec2.vgws[0]!.VpnGatewayId!;
    expect(new Set(imports.values())).toEqual(new Set([vgw, a.virtualInterfaceId, b.virtualInterfaceId]));
    for (const v of dxState(aws).vifs) {
      const body = resources.get(`aws_dx_hosted_private_virtual_interface_accepter.vif_${v.virtualInterfaceId!.slice(6)}`)!;
      expect(body.virtual_interface_id).toBe(v.virtualInterfaceId);
      expect(body.vpn_gateway_id).toBe(`\${aws_vpn_gateway.vgw_${vgw.slice(4)}.id}`);
    }
  });
});

describe("flets stack", () => {
  it("imports the protocol 41 rule; its group is a data source", async () => {
    const acct = fletsAccount();
    const r = await runCli(["flets", "isatap", "--prefix", SEED.prefix, "--router", SEED.router, "--instance-id", acct.instanceId, "--yes"], { aws: acct.aws });
    expect(r.code, r.stderr).toBe(0);
    const stack = `isatap-${acct.instanceId}`;
    const { imports, resources, data, files } = await exportStack(acct.aws, stack);
    const rule = acct.aws.ec2.sgRules[0]!;
    expect([...imports.values()]).toEqual([rule.SecurityGroupRuleId]);
    const body = resources.get(`aws_vpc_security_group_ingress_rule.rule_${rule.SecurityGroupRuleId.slice(4)}`)!;
    expect(body.ip_protocol).toBe("41");
    expect(body.cidr_ipv4).toBe(`${SEED.router}/32`);
    expect(body).not.toHaveProperty("from_port");
    expect(data.get(`aws_security_group.sg_${acct.sgId.slice(3)}`)).toEqual({ id: acct.sgId });
    expect(files["variables.tf"]).toEqual({});
    // The exported stack is still vpcwire's to destroy.
    expect((await runCli(["destroy", "--stack", stack, "--yes"], { aws: acct.aws })).code).toBe(0);
    expect(acct.aws.ec2.sgRules).toEqual([]);
  });
});

describe("privatelink stack", () => {
  it("imports every load balancer, target group, listener, endpoint service, endpoint, group and rule by the id the provider takes", async () => {
    const w = seedWorld();
    const aws = w.aws;
    const r = await runCli(
      [
        "privatelink",
        "relay",
        "--stack",
        "seed-relay",
        "--target-ip",
        "192.168.0.10",
        "--ports",
        "80,443",
        "--relay-ip",
        "172.16.0.10",
        "--onprem-ip",
        "10.200.0.10",
        "--onprem-ports",
        "80",
        ...vpcFlags(w),
        "--yes",
      ],
      { aws },
    );
    expect(r.code, r.stderr).toBe(0);
    const { imports, resources } = await exportStack(aws, "seed-relay");
    const elb = elbState(aws);
    const ep = endpointsState(aws);
    const expected = [
      ...elb.loadBalancers.filter((l) => !l.deleted).map((l) => l.LoadBalancerArn),
      ...elb.targetGroups.filter((t) => !t.deleted).map((t) => t.TargetGroupArn),
      ...elb.listeners.filter((l) => !l.deleted).map((l) => l.ListenerArn),
      ...ep.services.map((s) => s.ServiceId),
      ...ep.endpoints.map((e) => e.VpcEndpointId),
      ...aws.ec2.securityGroups.filter((g) => tagged(g.Tags, "seed-relay")).map((g) => g.GroupId),
      ...aws.ec2.sgRules.filter((x) => tagged(x.Tags, "seed-relay")).map((x) => x.SecurityGroupRuleId),
    ];
    expect(new Set(imports.values())).toEqual(new Set(expected));
    expect(imports.size).toBe(expected.length);
    // References tie the pieces together instead of copying ids.
    const listener = [...resources.entries()].find(([a]) => a.startsWith("aws_lb_listener."))![1];
    expect(listener.load_balancer_arn).toMatch(/^\$\{aws_lb\.nlb_\w+\.arn\}$/);
    expect(listener.default_action[0].target_group_arn).toMatch(/^\$\{aws_lb_target_group\.tg_\w+\.arn\}$/);
    const endpoint = [...resources.entries()].find(([a]) => a.startsWith("aws_vpc_endpoint."))![1];
    expect(endpoint.service_name).toMatch(/^\$\{aws_vpc_endpoint_service\.service_\w+\.service_name\}$/);
  });
});

describe("flags", () => {
  it("refuses a bad --format or a missing --stack before any AWS call (exit 2)", async () => {
    const aws = installFakeAws(new FakeAwsClass(), ALL_SERVICES);
    const bad = await runCli(["export", "--stack", "office", "--format", "yaml"], { aws });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format.*"yaml" is not one of terraform, json/);
    expect((await runCli(["export"], { aws })).code).toBe(2);
    expect(aws.calls).toEqual([]);
  });

  it("an unknown stack is an error (exit 1) that says where to look", async () => {
    const aws = installFakeAws(new FakeAwsClass(), ALL_SERVICES);
    const r = await runCli(["export", "--stack", "nothing-here"], { aws });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("No resources tagged vpcwire:stack=nothing-here");
  });
});
