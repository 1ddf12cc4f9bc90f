/** `decideFlets` is pure: these cases drive it with hand-made facts, no fake AWS. */
import type { Instance, RouteTable, SecurityGroup } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { validateFletsFlags } from "../../src/flets/inputs.js";
import { awsSummary, decideFlets, type FletsFacts, type InstanceFacts, tunnelEnd, tunnelIp } from "../../src/flets/plan.js";

const where = { region: "ap-northeast-1", offline: false };
const ids = {
  instance: "i-0123456789abcdef0",
  vpc: "vpc-0aaaaaaaaaaaaaaaa",
  subnet: "subnet-0aaaaaaaaaaaaaaaa",
  sg: "sg-0aaaaaaaaaaaaaaaa",
  sg2: "sg-0bbbbbbbbbbbbbbbb",
  vgw: "vgw-0aaaaaaaaaaaaaaaa",
  rtb: "rtb-0aaaaaaaaaaaaaaaa",
  main: "rtb-0mmmmmmmmmmmmmmmm",
};
const input = (extra: Record<string, unknown> = {}) =>
  validateFletsFlags({ prefix: "2001:db8::/64", router: "192.168.103.254", instanceId: ids.instance, ...extra });

const instance = (extra: Partial<Instance> = {}): Instance => ({
  InstanceId: ids.instance,
  VpcId: ids.vpc,
  SubnetId: ids.subnet,
  PrivateIpAddress: "10.216.0.101",
  PlatformDetails: "Linux/UNIX",
  State: { Name: "running" },
  ...extra,
});
const group = (id: string, extra: Partial<SecurityGroup> = {}): SecurityGroup => ({
  GroupId: id,
  GroupName: id === ids.sg ? "isatap-host" : "other",
  VpcId: ids.vpc,
  IpPermissions: [],
  ...extra,
});
const tables = (propagating = false): RouteTable[] => [
  { RouteTableId: ids.main, VpcId: ids.vpc, Associations: [{ Main: true }], PropagatingVgws: [] },
  { RouteTableId: ids.rtb, VpcId: ids.vpc, Associations: [{ SubnetId: ids.subnet }], PropagatingVgws: propagating ? [{ GatewayId: ids.vgw }] : [] },
];
const read = (extra: Partial<InstanceFacts> = {}): FletsFacts => ({
  instance: {
    instance: instance(),
    privateIp: "10.216.0.101",
    vpcId: ids.vpc,
    subnetId: ids.subnet,
    groups: [group(ids.sg)],
    vgw: { VpnGatewayId: ids.vgw, State: "available", VpcAttachments: [{ VpcId: ids.vpc, State: "attached" }] },
    routeTables: tables(),
    vifs: [{ virtualInterfaceId: "dxvif-ffntt001", virtualInterfaceState: "available", virtualGatewayId: ids.vgw }],
    ...extra,
  },
});
const actions = (facts: FletsFacts, extra?: Record<string, unknown>) => decideFlets(input(extra), facts, where).steps.map((s) => `${s.action} ${s.id}`);
const protocol41 = { IpProtocol: "41", IpRanges: [{ CidrIp: "192.168.103.254/32" }] };

describe("decideFlets", () => {
  it("no --instance-id: no step, nothing read, and a word on what was not checked", () => {
    const plan = decideFlets(input({ instanceId: undefined, privateIp: "10.216.0.101" }), {}, { region: null, offline: false });
    expect(plan).toMatchObject({ command: "flets isatap", kind: "flets", stack: "isatap-10-216-0-101", region: null, offline: true, steps: [] });
    expect(plan.warnings).toHaveLength(1);
    expect(plan.warnings[0]).toMatch(/^The AWS side was not checked \(no --instance-id\)/);
  });

  it("--instance-id not read (offline): placeholder steps, --security-group named when given", () => {
    const plan = decideFlets(input({ privateIp: "10.216.0.101", securityGroup: ids.sg2 }), {}, { region: null, offline: true });
    expect(plan.offline).toBe(true);
    expect(plan.steps.map((s) => `${s.action} ${s.id}`)).toEqual([`update sg:${ids.sg2}:41:192.168.103.254/32`, "update propagation:subnet"]);
    expect(plan.steps.every((s) => s.summary.endsWith("(not checked offline)"))).toBe(true);
    expect(plan.warnings).toEqual([
      `Offline: ${ids.instance} was not read; the files use --private-ip 10.216.0.101 and Linux (pass --os windows for Windows).`,
    ]);
  });

  it("rule missing, propagation off: both are updates, the runners get the group, the table and the gateway", () => {
    const plan = decideFlets(input(), read(), where);
    expect(plan.offline).toBe(false);
    expect(plan.steps.map((s) => `${s.action} ${s.id}`)).toEqual([`update sg:${ids.sg}:41:192.168.103.254/32`, `update propagation:${ids.rtb}`]);
    expect(plan.steps[0]!.params).toMatchObject({ groupId: ids.sg, protocol: "41", cidr: "192.168.103.254/32" });
    expect(plan.steps[1]!.params).toEqual({ routeTableId: ids.rtb, gatewayId: ids.vgw });
    expect(plan.warnings).toEqual([
      `${ids.rtb} has no route to 192.168.103.254 via ${ids.vgw} yet; it appears once the BGP session on NTT's Direct Connect VIF is up.`,
    ]);
  });

  it("everything in place: two no-ops and no warning", () => {
    const routes = tables(true);
    routes[1]!.Routes = [{ DestinationCidrBlock: "192.168.103.0/24", GatewayId: ids.vgw, State: "active" }];
    const facts = read({ groups: [group(ids.sg, { IpPermissions: [protocol41] })], routeTables: routes });
    expect(actions(facts)).toEqual([`no-op sg:${ids.sg}:41:192.168.103.254/32`, `no-op propagation:${ids.rtb}`]);
    expect(decideFlets(input(), facts, where).warnings).toEqual([]);
  });

  it("a second group that already allows protocol 41 is enough; otherwise --security-group, else the first group, gets the rule", () => {
    const covering = read({ groups: [group(ids.sg), group(ids.sg2, { IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "192.168.0.0/16" }] }] })] });
    expect(actions(covering)[0]).toBe(`no-op sg:${ids.sg2}:41:192.168.103.254/32`);
    const two = read({ groups: [group(ids.sg), group(ids.sg2)] });
    expect(actions(two)[0]).toBe(`update sg:${ids.sg}:41:192.168.103.254/32`);
    expect(actions(two, { securityGroup: ids.sg2 })[0]).toBe(`update sg:${ids.sg2}:41:192.168.103.254/32`);
    expect(awsSummary(input({ securityGroup: ids.sg2 }), two)?.securityGroupId).toBe(ids.sg2);
  });

  it("no group on the interface: no rule step, a warning", () => {
    const plan = decideFlets(input(), read({ groups: [] }), where);
    expect(plan.steps.map((s) => s.type)).toEqual(["route-propagation"]);
    expect(plan.warnings).toContain(`${ids.instance} has no security group on the interface with 10.216.0.101; nothing can reach it.`);
  });

  it("a subnet without its own table uses the main one", () => {
    const plan = decideFlets(input(), read({ routeTables: [tables()[0]!] }), where);
    expect(plan.steps[1]!.summary).toBe(`route table ${ids.main} [main], used by ${ids.subnet} (main table): enable propagation from ${ids.vgw}`);
  });

  it("a gateway still attaching: no propagation step, run again later", () => {
    const facts = read({ vgw: { VpnGatewayId: ids.vgw, VpcAttachments: [{ VpcId: ids.vpc, State: "attaching" }] }, routeTables: undefined });
    expect(actions(facts)).toEqual([`update sg:${ids.sg}:41:192.168.103.254/32`]);
    expect(decideFlets(input(), facts, where).warnings[0]).toMatch(new RegExp(`^${ids.vgw} is still attaching to ${ids.vpc}; .*run this command again then`));
    expect(awsSummary(input(), facts)).toMatchObject({ vgwId: ids.vgw, routeTableIds: [] });
  });

  it("no gateway and VIFs waiting: the dx accept-vif command with their ids", () => {
    const facts = read({
      vgw: undefined,
      routeTables: undefined,
      vifs: [
        { virtualInterfaceId: "dxvif-ffntt001", virtualInterfaceState: "confirming" },
        { virtualInterfaceId: "dxvif-ffntt002", virtualInterfaceState: "confirming" },
      ],
    });
    const plan = decideFlets(input(), facts, where);
    expect(plan.steps.map((s) => s.type)).toEqual(["sg-rule"]);
    expect(plan.warnings.join("\n")).toContain(
      `vpcwire dx accept-vif --vif-id dxvif-ffntt001,dxvif-ffntt002 --vpc-id ${ids.vpc} (waiting to be accepted: dxvif-ffntt001, dxvif-ffntt002)`,
    );
    expect(awsSummary(input(), facts)?.virtualInterfaces.map((v) => v.id)).toEqual(["dxvif-ffntt001", "dxvif-ffntt002"]);
  });

  it("VIFs that could not be read: the check is skipped with a word, the steps stay", () => {
    const plan = decideFlets(input(), read({ vifs: { error: "AccessDeniedException" } }), where);
    expect(plan.steps).toHaveLength(2);
    expect(plan.warnings).toContain("Could not read Direct Connect virtual interfaces (AccessDeniedException); the VIF check was skipped.");
  });

  it("no VIF on the gateway, or none available: says so", () => {
    expect(decideFlets(input(), read({ vifs: [] }), where).warnings.join("\n")).toContain(`No Direct Connect virtual interface is on ${ids.vgw}`);
    const down = decideFlets(
      input(),
      read({ vifs: [{ virtualInterfaceId: "dxvif-ffntt009", virtualInterfaceState: "down", virtualGatewayId: ids.vgw }] }),
      where,
    );
    expect(down.warnings.join("\n")).toContain(`No virtual interface on ${ids.vgw} is available yet (dxvif-ffntt009 down)`);
  });

  it("a Windows instance: the files are for Windows and Linux-only flags that were given are said to be ignored", () => {
    const facts = read({ instance: instance({ Platform: "Windows", PlatformDetails: "Windows" }) });
    expect(tunnelEnd(input(), facts)).toEqual({ privateIp: "10.216.0.101", os: "windows", osSource: "instance" });
    expect(decideFlets(input({ interface: "sit9", firewall: "nftables" }), facts, where).warnings).toContain(
      `--interface, --firewall ignored: EC2 reports ${ids.instance} as Windows (pass --os linux if it is not).`,
    );
    expect(decideFlets(input(), facts, where).warnings.join("\n")).not.toContain("ignored");
    // --os given: it wins, with a word when EC2 disagrees.
    const asked = decideFlets(input({ os: "linux", interface: "sit9" }), facts, where);
    expect(asked.warnings[0]).toBe(`--os linux, but EC2 reports ${ids.instance} as Windows; the files are for linux as asked.`);
    expect(asked.warnings.join("\n")).not.toContain("ignored");
    expect(tunnelEnd(input({ os: "linux" }), facts).osSource).toBe("flag");
  });

  it("--ipip-* with the source/destination check on: a warning, none when it is off", () => {
    const ipip = { ipipRemote: "2001:db8:100::1", ipipLocalV4: "10.216.0.0/24", ipipRemoteV4: "192.168.10.0/24" };
    expect(decideFlets(input(ipip), read(), where).warnings.join("\n")).toContain(`${ids.instance} has its source/destination check on`);
    const off = read({ instance: instance({ SourceDestCheck: false }) });
    expect(decideFlets(input(ipip), off, where).warnings.join("\n")).not.toContain("source/destination");
  });

  it("awsSummary reports what the plan uses; nothing when nothing was read", () => {
    expect(awsSummary(input(), read())).toEqual({
      instanceId: ids.instance,
      vpcId: ids.vpc,
      subnetId: ids.subnet,
      securityGroupId: ids.sg,
      vgwId: ids.vgw,
      routeTableIds: [ids.rtb],
      virtualInterfaces: [{ id: "dxvif-ffntt001", state: "available", virtualGatewayId: ids.vgw }],
    });
    expect(awsSummary(input({ privateIp: "10.216.0.101" }), {})).toBeUndefined();
  });
});

describe("tunnelIp", () => {
  const inst = instance({ NetworkInterfaces: [{ PrivateIpAddress: "10.216.0.101", PrivateIpAddresses: [{ PrivateIpAddress: "10.216.0.150" }] }] });
  it("is the instance's primary private IP, or --private-ip when the instance has it", () => {
    expect(tunnelIp({ instanceId: ids.instance }, inst)).toBe("10.216.0.101");
    expect(tunnelIp({ instanceId: ids.instance, privateIp: "10.216.0.150" }, inst)).toBe("10.216.0.150");
  });
  it("refuses a --private-ip the instance does not have, and an instance without a private IP", () => {
    expect(() => tunnelIp({ instanceId: ids.instance, privateIp: "10.216.0.200" }, inst)).toThrow(
      `--private-ip: 10.216.0.200 is not an address of ${ids.instance} (it has 10.216.0.101, 10.216.0.150)`,
    );
    expect(() => tunnelIp({ instanceId: ids.instance }, instance({ PrivateIpAddress: undefined }))).toThrow(/--instance-id: .* has no private IPv4 address/);
  });
});
