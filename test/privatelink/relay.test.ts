import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeAws, uninstallFakeAws } from "../fakes/aws.js";
import { endpointsState, enis, seedEni } from "../fakes/ec2-endpoints.js";
import { elbState, failHealthChecks } from "../fakes/elbv2.js";
import { ec2Error } from "../fakes/model.js";
import { runCli } from "../helpers/cli.js";
import { seedWorld, vpcFlags, type World } from "./world.js";

let w: World;
let aws: FakeAws;

beforeEach(() => {
  w = seedWorld();
  aws = w.aws;
});
afterEach(() => uninstallFakeAws());

const STACK = "seed-relay";
const inbound = (relayIp = "172.16.0.10") => ["--target-ip", "192.168.0.10", "--ports", "80,443", ...(relayIp ? ["--relay-ip", relayIp] : [])];
const outbound = () => ["--onprem-ip", "10.200.0.10", "--onprem-ports", "80"];
const relay = (...args: string[]) => ["privatelink", "relay", "--stack", STACK, ...args];
const stackTag = { Key: "vpcwire:stack", Value: STACK };

const lbs = () => elbState(aws).loadBalancers.filter((l) => !l.deleted);
const endpoints = () => endpointsState(aws).endpoints;
const services = () => endpointsState(aws).services;
const eniOf = (vpceId: string) => enis(aws).filter((e) => e.Description === `VPC Endpoint Interface ${vpceId}`);
const callInputs = (op: string) => aws.calls.filter((c) => c.operation === op).map((c) => c.input);

describe("privatelink relay: both directions, relay IP on the endpoint (the seed, without a NAT server)", () => {
  it("builds NLB, target groups, listeners, services, permissions, security groups and endpoints, tagged, and prints the address map", async () => {
    const r = await runCli(relay(...inbound(), ...outbound(), ...vpcFlags(w), "--yes"), { aws });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);

    // Neither API default is what a relay needs: every create says network/internal/ip/Interface.
    for (const i of callInputs("CreateLoadBalancer")) expect(i).toMatchObject({ Type: "network", Scheme: "internal" });
    for (const i of callInputs("CreateTargetGroup")) expect(i).toMatchObject({ TargetType: "ip", Protocol: "TCP", HealthCheckProtocol: "TCP" });
    for (const i of callInputs("CreateVpcEndpoint")) expect(i).toMatchObject({ VpcEndpointType: "Interface", PrivateDnsEnabled: false });
    for (const i of callInputs("CreateVpcEndpointServiceConfiguration")) expect(i).toMatchObject({ AcceptanceRequired: false });
    expect(callInputs("ModifyVpcEndpointServicePermissions")).toEqual([
      { ServiceId: services()[0]!.ServiceId, AddAllowedPrincipals: ["arn:aws:iam::123456789012:root"] },
      { ServiceId: services()[1]!.ServiceId, AddAllowedPrincipals: ["arn:aws:iam::123456789012:root"] },
    ]);

    // Inbound: NLB in the target VPC, endpoint in the relay VPC on exactly the relay IP.
    const [nlbIn, nlbOut] = [lbs().find((l) => l.LoadBalancerName === "seed-relay-in")!, lbs().find((l) => l.LoadBalancerName === "seed-relay-out")!];
    expect(nlbIn.VpcId).toBe(w.targetVpc);
    expect(nlbOut.VpcId).toBe(w.relayVpc);
    const vpceIn = endpoints().find((e) => e.VpcId === w.relayVpc)!;
    expect(vpceIn.State).toBe("available");
    expect(callInputs("CreateVpcEndpoint")[0]).toMatchObject({
      SubnetIds: [w.relaySubnets[0]],
      SubnetConfigurations: [{ SubnetId: w.relaySubnets[0], Ipv4: "172.16.0.10" }],
    });
    expect(eniOf(vpceIn.VpcEndpointId!).map((e) => e.PrivateIpAddress)).toEqual(["172.16.0.10"]);

    // Outbound: NLB in the relay VPC with the on-prem host as an IP target for every zone; endpoint in the target VPC.
    const tgOut = elbState(aws).targetGroups.find((t) => t.TargetGroupName === "seed-relay-out-80")!;
    expect(tgOut.VpcId).toBe(w.relayVpc);
    expect(tgOut.targets.map((t) => ({ Id: t.Id, Port: t.Port, AvailabilityZone: t.AvailabilityZone }))).toEqual([
      { Id: "10.200.0.10", Port: 80, AvailabilityZone: "all" },
    ]);
    // The in-VPC target is registered without a zone (AWS detects it).
    const tgIn = elbState(aws).targetGroups.find((t) => t.TargetGroupName === "seed-relay-in-443")!;
    expect(tgIn.targets[0]).toMatchObject({ Id: "192.168.0.10", Port: 443 });
    expect(tgIn.targets[0]!.AvailabilityZone).toBeUndefined();
    const vpceOut = endpoints().find((e) => e.VpcId === w.targetVpc)!;
    const outIps = eniOf(vpceOut.VpcEndpointId!).map((e) => e.PrivateIpAddress!);
    expect(outIps).toHaveLength(2);

    // The inbound NLB's single target sits in one zone: cross-zone load balancing must be on for the
    // other zones' nodes to reach it. The outbound target is registered for every zone.
    expect(nlbIn.attributes.get("load_balancing.cross_zone.enabled")).toBe("true");
    expect(nlbOut.attributes.get("load_balancing.cross_zone.enabled")).toBe("false");

    // Listeners per port.
    const ports = (lb: string) =>
      elbState(aws)
        .listeners.filter((l) => l.LoadBalancerArn === lb)
        .map((l) => l.Port)
        .sort();
    expect(ports(nlbIn.LoadBalancerArn!)).toEqual([443, 80]);
    expect(ports(nlbOut.LoadBalancerArn!)).toEqual([80]);

    // Everything tagged at creation with the stack and a role.
    for (const lb of lbs()) expect(lb.tags).toContainEqual(stackTag);
    for (const tg of elbState(aws).targetGroups) expect(tg.tags).toContainEqual(stackTag);
    for (const l of elbState(aws).listeners) expect(l.tags).toContainEqual(stackTag);
    for (const s of services()) expect(s.Tags).toContainEqual(stackTag);
    for (const e of endpoints()) expect(e.Tags).toContainEqual(stackTag);
    expect(vpceIn.Tags).toContainEqual({ Key: "vpcwire:role", Value: "vpce-inbound" });
    expect(nlbIn.tags).toContainEqual({ Key: "vpcwire:role", Value: "nlb-inbound" });
    expect(tgIn.tags).toContainEqual({ Key: "vpcwire:role", Value: "tg-inbound-443" });
    const sgs = aws.ec2.securityGroups.filter((g) => g.Tags?.some((t) => t.Key === "vpcwire:stack" && t.Value === STACK));
    expect(sgs.map((g) => g.VpcId).sort()).toEqual([w.targetVpc, w.relayVpc].sort());

    // The endpoints' security groups let the clients in on the relayed ports.
    const sgIn = sgs.find((g) => g.VpcId === w.relayVpc)!;
    expect(vpceIn.Groups?.map((g) => g.GroupId)).toEqual([sgIn.GroupId]);
    expect(sgIn.IpPermissions?.filter((p) => p.FromPort === 443).map((p) => p.IpRanges?.[0]?.CidrIp)).toEqual([
      "10.0.0.0/8",
      "172.16.0.0/12",
      "192.168.0.0/16",
      "100.64.0.0/10",
    ]);
    const sgOut = sgs.find((g) => g.VpcId === w.targetVpc)!;
    expect(sgOut.IpPermissions).toEqual([
      expect.objectContaining({ IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [expect.objectContaining({ CidrIp: "192.168.0.0/16" })] }),
    ]);

    // Waited for the NLB, the endpoints and the health checks, with progress on stderr.
    expect(r.stderr).toMatch(/load balancer seed-relay-in: provisioning/);
    expect(r.stderr).toMatch(/interface endpoint vpce-\w+: pending/);
    expect(r.stderr).toMatch(/health checks of seed-relay-out-80: healthy/);

    // Address map and next steps on stderr; no NAT server, so nothing on stdout.
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /inbound\s+on-prem hosts\s+172\.16\.0\.10\s+tcp 80,443\s+VPN > vpce-\w+ \(on 172\.16\.0\.10\) > PrivateLink > seed-relay-in\s+192\.168\.0\.10/,
    );
    expect(r.stderr).toMatch(new RegExp(`outbound\\s+192\\.168\\.0\\.10 .*${outIps.join(", ").replace(/\./g, "\\.")}\\s+tcp 80`));
    expect(r.stderr).toContain("On-prem: connect to 172.16.0.10 on TCP 80,443; no NAT server is needed.");
    expect(r.stderr).toContain("must allow TCP 80 from 172.16.0.0/24, 172.16.1.0/24 (the relay subnets)");
  });

  it("the outbound NLB starts only once the inbound endpoint holds the relay IP (it takes addresses in the same subnets)", async () => {
    const r = await runCli(relay(...inbound(), ...outbound(), ...vpcFlags(w), "--yes"), { aws });
    expect(r.code).toBe(0);
    const ops = aws.calls.map((c) => `${c.operation}:${String(c.input.Name ?? c.input.VpcId ?? "")}`);
    const firstEndpoint = ops.findIndex((o) => o.startsWith("CreateVpcEndpoint:"));
    expect(ops.indexOf("CreateLoadBalancer:seed-relay-out")).toBeGreaterThan(firstEndpoint);
  });

  it("--json: one versioned document with both directions, the address map and no NAT rules", async () => {
    const r = await runCli(relay(...inbound(), ...outbound(), ...vpcFlags(w), "--json"), { aws });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, ok: true, command: "privatelink relay", stack: STACK, region: "ap-northeast-1" });
    expect(doc.natRules).toBeUndefined();
    expect(doc.inbound).toMatchObject({
      mode: "endpoint",
      relayIp: "172.16.0.10",
      destination: { ip: "192.168.0.10", ports: [80, 443] },
      loadBalancer: { name: "seed-relay-in", vpcId: w.targetVpc },
      endpoint: { vpcId: w.relayVpc, addresses: [{ ip: "172.16.0.10", subnetId: w.relaySubnets[0], az: "ap-northeast-1a" }] },
      healthy: true,
    });
    expect(doc.inbound.targetGroups.map((t: { port: number }) => t.port)).toEqual([80, 443]);
    expect(doc.outbound).toMatchObject({ destination: { ip: "10.200.0.10", ports: [80] }, healthy: true });
    expect(doc.outbound.endpoint.dnsName).toMatch(/^vpce-\w+-\w+\.vpce-svc-\w+\.ap-northeast-1\.vpce\.amazonaws\.com$/);
    expect(doc.addressMap).toHaveLength(2);
    expect(doc.addressMap[0]).toMatchObject({
      direction: "inbound",
      client: "on-prem hosts",
      connectTo: ["172.16.0.10"],
      ports: [80, 443],
      reaches: "192.168.0.10",
    });
    expect(doc.addressMap[0].seenFrom).toHaveLength(2);
    expect(doc.addressMap[1]).toMatchObject({ direction: "outbound", reaches: "10.200.0.10", dnsName: doc.outbound.endpoint.dnsName });
    // stdout is the document only.
    expect(r.stdout.trim().startsWith("{")).toBe(true);
  });

  it("converges: a second run writes nothing, says so, and prints the same address map", async () => {
    const first = await runCli(relay(...inbound(), ...outbound(), ...vpcFlags(w), "--yes"), { aws });
    expect(first.code).toBe(0);
    const writes = aws.operations({ writesOnly: true }).length;
    const again = await runCli(relay(...inbound(), ...outbound(), ...vpcFlags(w), "--yes"), { aws });
    expect(again.code).toBe(0);
    expect(aws.operations({ writesOnly: true }).length).toBe(writes);
    expect(again.stderr).toContain(`Everything for stack ${STACK} already exists; nothing was changed.`);
    expect(again.stderr).toMatch(/0 to create, 0 to update/);
    expect(lbs()).toHaveLength(2);
    expect(endpoints()).toHaveLength(2);
    const map = (s: string) => s.slice(s.indexOf("Address map:"), s.indexOf("Next:"));
    expect(map(again.stderr)).toBe(map(first.stderr));
  });

  it("a re-run turns cross-zone load balancing back on if someone turned it off", async () => {
    expect((await runCli(relay(...inbound(), ...vpcFlags(w), "--yes"), { aws })).code).toBe(0);
    lbs()[0]!.attributes.set("load_balancing.cross_zone.enabled", "false");
    const before = aws.operations({ writesOnly: true }).length;
    const r = await runCli(relay(...inbound(), ...vpcFlags(w), "--yes"), { aws });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("~ update  inbound: network load balancer seed-relay-in: turn cross-zone load balancing on");
    expect(aws.operations({ writesOnly: true }).slice(before)).toEqual(["ModifyLoadBalancerAttributes"]);
    expect(lbs()[0]!.attributes.get("load_balancing.cross_zone.enabled")).toBe("true");
  });

  it("a re-run re-registers a changed target and deregisters the old one", async () => {
    expect((await runCli(relay(...inbound(), ...vpcFlags(w), "--yes"), { aws })).code).toBe(0);
    aws.ec2.instances.push({ ...w.instance, InstanceId: aws.ids.next("i"), PrivateIpAddress: "192.168.0.11" });
    const r = await runCli(relay("--target-ip", "192.168.0.11", "--ports", "80,443", "--relay-ip", "172.16.0.10", ...vpcFlags(w), "--yes"), { aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    const tg = elbState(aws).targetGroups.find((t) => t.TargetGroupName === "seed-relay-in-80")!;
    expect(tg.targets.map((t) => t.Id)).toEqual(["192.168.0.11"]);
    expect(aws.count("CreateLoadBalancer")).toBe(1);
  });

  it("resumes after a failure part-way: reports what exists and finishes without duplicates", async () => {
    aws.failNext("CreateVpcEndpoint", ec2Error("VpcEndpointLimitExceeded", "The maximum number of VPC endpoints has been reached."));
    const r = await runCli(relay(...inbound(), ...vpcFlags(w), "--yes"), { aws });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("EC2 CreateVpcEndpoint failed: VpcEndpointLimitExceeded");
    expect(r.stderr).toMatch(/created\s+network load balancer arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer\/net\/seed-relay-in\//);
    expect(r.stderr).toMatch(/created\s+endpoint service vpce-svc-/);
    expect(r.stderr).toMatch(
      /To continue where it stopped, run the same command again:\n\s+vpcwire privatelink relay --stack seed-relay --target-ip 192\.168\.0\.10/,
    );
    expect(r.stderr).toContain("vpcwire destroy --stack seed-relay");
    const again = await runCli(relay(...inbound(), ...vpcFlags(w), "--yes"), { aws });
    expect(again.code).toBe(0);
    expect(lbs()).toHaveLength(1);
    expect(services()).toHaveLength(1);
    expect(endpoints()).toHaveLength(1);
    expect(aws.count("CreateTargetGroup")).toBe(2);
  });
});

describe("privatelink relay: NAT server", () => {
  it("a relay IP outside the relay subnets goes on a NAT server: nftables rules on stdout to the endpoint in the server's zone", async () => {
    seedEni(aws, w.natSubnet, "172.16.9.10", { description: "NAT server", instanceId: "i-0000000000000abcd" });
    const r = await runCli(relay(...inbound("172.16.9.10"), ...vpcFlags(w), "--yes"), { aws });
    expect(r.code).toBe(0);
    // The endpoint spans both relay subnets; no address is pinned.
    const create = callInputs("CreateVpcEndpoint")[0]!;
    expect(create.SubnetIds).toEqual(w.relaySubnets);
    expect(create.SubnetConfigurations).toBeUndefined();
    const vpce = endpoints()[0]!;
    const ips = eniOf(vpce.VpcEndpointId!);
    const sameZone = ips.find((e) => e.AvailabilityZone === "ap-northeast-1a")!.PrivateIpAddress!;
    const other = ips.find((e) => e.AvailabilityZone === "ap-northeast-1c")!.PrivateIpAddress!;
    expect(r.stdout).toContain("#!/usr/sbin/nft -f");
    expect(r.stdout).toContain(`ip daddr 172.16.9.10 tcp dport 443 dnat to ${sameZone}:443`);
    expect(r.stdout).toContain(`ip daddr ${sameZone} tcp dport { 80, 443 } ct status dnat snat to 172.16.9.10`);
    expect(r.stdout).toContain(`The endpoint also has ${other} in other zones`);
    expect(r.stderr).toMatch(/VPN > NAT 172\.16\.9\.10 -> 172\.16\.0\.\d+ > vpce-\w+ > PrivateLink > seed-relay-in/);
    expect(r.stderr).toContain("Install the nftables rules on the NAT server (i-0000000000000abcd, which holds 172.16.9.10)");
    // The NAT server's own address is let into the endpoint (after SNAT the traffic comes from it).
    const sg = aws.ec2.securityGroups.find((g) => g.GroupId === vpce.Groups![0]!.GroupId)!;
    expect(sg.IpPermissions?.some((p) => p.IpRanges?.some((x) => x.CidrIp === "172.16.0.0/12"))).toBe(true);
  });

  it("--nat iptables --out writes an executable script; --allow-from without the NAT server gets the relay IP added", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vpcwire-nat-"));
    const out = join(dir, "nat", "relay.sh");
    const r = await runCli(relay(...inbound("172.16.9.10"), "--nat", "iptables", "--out", out, "--allow-from", "10.200.0.0/16", ...vpcFlags(w), "--json"), {
      aws,
    });
    expect(r.code).toBe(0);
    const script = readFileSync(out, "utf8");
    expect(script.startsWith("#!/bin/sh\n")).toBe(true);
    expect(script).toMatch(/-d 172\.16\.9\.10\/32 -p tcp --dport 80 -j DNAT --to-destination 172\.16\.\d+\.\d+:80/);
    expect(statSync(out).mode & 0o777).toBe(0o755);
    const doc = JSON.parse(r.stdout);
    expect(doc.natRules).toEqual({
      format: "iptables",
      preview: false,
      installPath: "/usr/local/sbin/vpcwire-relay-nat.sh",
      load: "sh /usr/local/sbin/vpcwire-relay-nat.sh",
      path: out,
    });
    expect(doc.inbound.mode).toBe("nat");
    expect(doc.warnings).toContain(
      "No network interface holds 172.16.9.10 yet: give it to the NAT server (for example as a secondary private IP) before on-prem connects.",
    );
    const sg = aws.ec2.securityGroups.find((g) => g.GroupName === "vpcwire-seed-relay-vpce-in")!;
    expect(sg.IpPermissions?.flatMap((p) => p.IpRanges?.map((x) => x.CidrIp))).toEqual(["10.200.0.0/16", "172.16.9.10/32", "10.200.0.0/16", "172.16.9.10/32"]);
  });

  it("--nat nftables keeps a relay IP that lies in a relay subnet on the NAT server instead of the endpoint", async () => {
    seedEni(aws, w.relaySubnets[0], "172.16.0.10", { description: "NAT server" });
    const r = await runCli(relay(...inbound("172.16.0.10"), "--nat", "nftables", ...vpcFlags(w), "--yes"), { aws });
    expect(r.code).toBe(0);
    expect(callInputs("CreateVpcEndpoint")[0]!.SubnetConfigurations).toBeUndefined();
    expect(r.stdout).toContain("dnat to 172.16.");
  });

  it("without --relay-ip on-prem uses the endpoint's own addresses: no NAT, endpoint in every usable relay subnet", async () => {
    const r = await runCli(relay("--target-ip", "192.168.0.10", "--ports", "443", ...vpcFlags(w), "--json"), { aws });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.inbound.mode).toBe("direct");
    expect(doc.inbound.endpoint.addresses).toHaveLength(2);
    expect(doc.addressMap[0].connectTo).toEqual(doc.inbound.endpoint.addresses.map((a: { ip: string }) => a.ip));
    expect(doc.addressMap[0].dnsName).toBe(doc.inbound.endpoint.dnsName);
    expect(doc.natRules).toBeUndefined();
  });
});

describe("privatelink relay: plan checks before any write", () => {
  const noWrites = () => expect(aws.operations({ writesOnly: true })).toEqual([]);

  it("subnets without a common zone are refused (the endpoint could not be placed)", async () => {
    const r = await runCli(relay(...inbound(), ...vpcFlags(w, { targetSubnets: [w.targetSubnets[1]], relaySubnets: [w.relaySubnets[0]] }), "--yes"), { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "--relay-subnets: no relay subnet shares an Availability Zone with the target subnets (relay: ap-northeast-1a; target: ap-northeast-1c)",
    );
    noWrites();
  });

  it("a relay IP in a zone the inbound NLB does not serve is refused, naming the zone", async () => {
    const r = await runCli(relay(...inbound("172.16.1.10"), ...vpcFlags(w, { targetSubnets: [w.targetSubnets[0]] }), "--yes"), { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `--relay-ip: 172.16.1.10 is in ${w.relaySubnets[1]} (ap-northeast-1c), but the inbound load balancer has no subnet in ap-northeast-1c`,
    );
    noWrites();
  });

  it("endpoint subnets outside the NLB's zones are left out with a warning", async () => {
    const r = await runCli(
      relay("--onprem-ip", "10.200.0.10", "--onprem-ports", "22", ...vpcFlags(w, { relaySubnets: [w.relaySubnets[0]] }), "--dry-run", "--json"),
      { aws },
    );
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.steps.find((s: { id: string }) => s.id === "vpce-outbound").params.subnetIds).toEqual([w.targetSubnets[0]]);
    expect(plan.warnings.join("\n")).toContain(`outbound: ${w.targetSubnets[1]} (ap-northeast-1c, 192.168.1.0/24) left out of the endpoint`);
  });

  it("a target whose zone has no target subnet is refused (the NLB would never send to it)", async () => {
    const r = await runCli(relay(...inbound(), ...vpcFlags(w, { targetSubnets: [w.targetSubnets[1]] }), "--yes"), { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--target-subnets: the target 192.168.0.10 is in ap-northeast-1a");
    noWrites();
  });

  it("a relay IP already in use is refused, naming who holds it", async () => {
    const eni = seedEni(aws, w.relaySubnets[0], "172.16.0.10", { instanceId: "i-00000000000000042" });
    const r = await runCli(relay(...inbound(), ...vpcFlags(w), "--yes"), { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `--relay-ip: 172.16.0.10 is already used by ${eni.NetworkInterfaceId} (i-00000000000000042); pick a free address in 172.16.0.0/24, or keep it on that server and relay through it with --nat nftables`,
    );
    noWrites();
  });

  it.each([
    ["172.16.0.3", "is one of the five addresses AWS reserves"],
    ["172.16.0.255", "is one of the five addresses AWS reserves"],
    ["10.9.9.9", "is outside vpc-"],
  ])("--relay-ip %s is refused", async (ip, why) => {
    const r = await runCli(relay(...inbound(ip), ...vpcFlags(w), "--yes"), { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--relay-ip: ${ip} ${why}`);
    noWrites();
  });

  it("--nat none with a relay IP outside the relay subnets is refused", async () => {
    const r = await runCli(relay(...inbound("172.16.9.10"), "--nat", "none", ...vpcFlags(w), "--yes"), { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--relay-ip: 172.16.9.10 is in none of the relay subnets");
  });

  it("unknown VPCs and subnets of the wrong VPC name their flag", async () => {
    let r = await runCli(
      relay(
        ...inbound(),
        "--target-vpc-id",
        "vpc-0123456789abcdef0",
        "--target-subnets",
        w.targetSubnets[0],
        "--relay-vpc-id",
        w.relayVpc,
        "--relay-subnets",
        w.relaySubnets[0],
        "--yes",
      ),
      { aws },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--target-vpc-id: vpc-0123456789abcdef0 does not exist");
    r = await runCli(relay(...inbound(), ...vpcFlags(w, { relaySubnets: [w.targetSubnets[0]] }), "--yes"), { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--relay-subnets: ${w.targetSubnets[0]} belongs to ${w.targetVpc}, not ${w.relayVpc}`);
    noWrites();
  });

  it("an on-prem IP inside the relay VPC is refused", async () => {
    const r = await runCli(relay("--onprem-ip", "172.16.5.5", "--onprem-ports", "22", ...vpcFlags(w), "--yes"), { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--onprem-ip: 172.16.5.5 is inside the relay VPC");
  });

  it("a load balancer with the stack's name that belongs to someone else stops the run", async () => {
    const { CreateLoadBalancerCommand, ElasticLoadBalancingV2Client } = await import("@aws-sdk/client-elastic-load-balancing-v2");
    await new ElasticLoadBalancingV2Client({ region: "ap-northeast-1" }).send(
      new CreateLoadBalancerCommand({ Name: "seed-relay-in", Type: "network", Scheme: "internal", Subnets: [w.targetSubnets[0]] }),
    );
    const r = await runCli(relay(...inbound(), ...vpcFlags(w), "--yes"), { aws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--stack: a load balancer named seed-relay-in already exists and is not part of any vpcwire stack");
  });

  it("--target-instance resolves the instance's private IP", async () => {
    const r = await runCli(relay("--target-instance", w.instance.InstanceId!, "--ports", "22", ...vpcFlags(w), "--dry-run", "--json"), { aws });
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.steps.find((s: { id: string }) => s.id === "tg-inbound-22").params.target).toEqual({ ip: "192.168.0.10", port: 22 });
  });
});

describe("privatelink relay: health checks", () => {
  it("an unhealthy on-prem target is reported in words (firewall must allow the relay subnets), exit 1", async () => {
    failHealthChecks(aws, "10.200.0.10");
    const r = await runCli(relay(...outbound(), ...vpcFlags(w), "--yes"), { aws });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "outbound: target 10.200.0.10:80 is unhealthy (Target.Timeout): the on-prem host 10.200.0.10 does not answer TCP 80 from the load balancer: the on-prem firewall must allow TCP 80 from the relay subnets (172.16.0.0/24, 172.16.1.0/24)",
    );
    // The relay itself is complete: the address map is still printed.
    expect(r.stderr).toContain("Address map:");
  });

  it("--json reports each target's state and reason, ok false", async () => {
    failHealthChecks(aws, "192.168.0.10:443", { State: "unhealthy", Reason: "Target.FailedHealthChecks", Description: "Health checks failed" });
    const r = await runCli(relay(...inbound(), ...vpcFlags(w), "--json"), { aws });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.inbound.healthy).toBe(false);
    expect(doc.inbound.targets).toEqual([
      { port: 80, ip: "192.168.0.10", state: "healthy" },
      expect.objectContaining({ port: 443, ip: "192.168.0.10", state: "unhealthy", reason: "Target.FailedHealthChecks" }),
    ]);
    expect(doc.inbound.targets[1].advice).toContain(
      "its security group and host firewall must allow TCP 443 from the target subnets (192.168.0.0/24, 192.168.1.0/24)",
    );
  });

  it("Ctrl-C during the health checks is reported like any other step: what exists, and how to go on", async () => {
    aws.timings.targetHealthMs = 30 * 60_000;
    const controller = new AbortController();
    // Once everything else is in place, only the health wait is left running.
    aws.beforeCall = (op) => {
      if (op === "DescribeTargetHealth" && endpoints().length === 1 && endpoints()[0]!.State === "available") setImmediate(() => controller.abort());
    };
    const r = await runCli(relay(...outbound(), ...vpcFlags(w), "--yes"), { aws, signal: controller.signal });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain("while: outbound: health checks of seed-relay-out-80; wait until each target passes or fails them");
    expect(r.stderr).toMatch(/created\s+interface endpoint vpce-\w+ \(available\)/);
    expect(r.stderr).toContain("To continue where it stopped, run the same command again:");
    expect(r.stderr).not.toContain("Address map:");
    // The next run finds everything and only waits for the checks.
    aws.beforeCall = undefined;
    aws.timings.targetHealthMs = 60_000;
    const writes = aws.operations({ writesOnly: true }).length;
    const again = await runCli(relay(...outbound(), ...vpcFlags(w), "--yes"), { aws });
    expect(again.code).toBe(0);
    expect(aws.operations({ writesOnly: true }).length).toBe(writes);
    expect(again.stderr).toMatch(/health checks of seed-relay-out-80: healthy/);
  });

  it("waits through the initial health checks (initial -> healthy) before reporting", async () => {
    aws.timings.targetHealthMs = 5 * 60_000;
    const r = await runCli(relay(...outbound(), ...vpcFlags(w), "--yes"), { aws });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/health checks of seed-relay-out-80: initial/);
    expect(r.stderr).toMatch(/health checks of seed-relay-out-80: healthy/);
  });
});

describe("privatelink relay: endpoint acceptance and state spellings", () => {
  it("accepts its own connection when the service wants acceptance", async () => {
    aws.beforeCall = (op) => {
      if (op === "CreateVpcEndpoint") for (const s of services()) s.AcceptanceRequired = true;
    };
    const r = await runCli(relay(...inbound(), ...vpcFlags(w), "--yes"), { aws });
    expect(r.code).toBe(0);
    expect(callInputs("AcceptVpcEndpointConnections")).toEqual([{ ServiceId: services()[0]!.ServiceId, VpcEndpointIds: [endpoints()[0]!.VpcEndpointId] }]);
    expect(r.stderr).toMatch(/vpce-svc-\w+ accepted the connection from vpce-\w+/);
    expect(endpoints()[0]!.State).toBe("available");
  });

  it("compares states case-insensitively (an emulator answering PascalCase is fine)", async () => {
    aws.beforeCall = (op) => {
      if (op === "DescribeVpcEndpoints") for (const e of endpoints()) if (e.State === "available") e.State = "Available";
    };
    const r = await runCli(relay(...inbound(), ...vpcFlags(w), "--yes"), { aws });
    expect(r.code).toBe(0);
  });

  it("a rejected endpoint fails the wait with AWS's reason", async () => {
    aws.beforeCall = (op) => {
      if (op === "CreateVpcEndpoint") for (const s of services()) s.AcceptanceRequired = true;
    };
    aws.failNext("AcceptVpcEndpointConnections", ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));
    const r = await runCli(relay(...inbound(), ...vpcFlags(w), "--yes"), { aws });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("EC2 AcceptVpcEndpointConnections failed: UnauthorizedOperation");
    expect(r.stderr).toMatch(/created\s+interface endpoint vpce-\w+ \(pendingAcceptance\)/);
  });
});

describe("privatelink relay against an emulator's gaps (--endpoint-url)", () => {
  it("an emulator that ignores Filters still gets each direction its own service, endpoint and group", async () => {
    aws.beforeCall = (op, input) => {
      if (["DescribeVpcEndpointServiceConfigurations", "DescribeVpcEndpoints", "DescribeSecurityGroups"].includes(op)) delete input.Filters;
    };
    expect((await runCli(relay(...inbound(), ...outbound(), ...vpcFlags(w), "--yes"), { aws })).code).toBe(0);
    const writes = aws.operations({ writesOnly: true }).length;
    const again = await runCli(relay(...inbound(), ...outbound(), ...vpcFlags(w), "--dry-run", "--json"), { aws });
    const plan = JSON.parse(again.stdout);
    // Nothing to change; only the health checks are waited for again (a reuse step).
    expect(plan.steps.every((st: { action: string; type: string }) => st.action === (st.type === "target-health" ? "reuse" : "no-op"))).toBe(true);
    const id = (stepId: string) => plan.steps.find((st: { id: string }) => st.id === stepId).resourceId;
    expect(id("vpce-inbound")).toBe(endpoints().find((e) => e.VpcId === w.relayVpc)!.VpcEndpointId);
    expect(id("vpce-outbound")).toBe(endpoints().find((e) => e.VpcId === w.targetVpc)!.VpcEndpointId);
    expect(id("svc-inbound")).not.toBe(id("svc-outbound"));
    expect(aws.operations({ writesOnly: true }).length).toBe(writes);
  });

  it("an emulator that cannot describe endpoint interfaces: the pinned relay IP is known anyway; otherwise the DNS name is offered", async () => {
    aws.beforeCall = (op, input) => {
      if (op === "DescribeNetworkInterfaces" && input.NetworkInterfaceIds) {
        throw ec2Error("InvalidNetworkInterfaceID.NotFound", "The networkInterface ID does not exist");
      }
    };
    const r = await runCli(relay(...inbound(), ...outbound(), ...vpcFlags(w), "--json"), { aws });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.inbound.endpoint.addresses.map((a: { ip: string }) => a.ip)).toEqual(["172.16.0.10"]);
    expect(doc.outbound.endpoint.addresses).toEqual([]);
    expect(doc.warnings.join("\n")).toMatch(/outbound: the addresses of vpce-\w+ could not be read; use its DNS name vpce-/);
  });
});

describe("privatelink relay --dry-run", () => {
  it("--json prints the versioned plan with the address map and writes nothing", async () => {
    const r = await runCli(relay(...inbound(), ...outbound(), ...vpcFlags(w), "--dry-run", "--json"), { aws });
    expect(r.code).toBe(0);
    noWritesAtAll(aws);
    const plan = JSON.parse(r.stdout);
    expect(plan).toMatchObject({ schemaVersion: 1, command: "privatelink relay", kind: "privatelink", stack: STACK, offline: false });
    const ids = plan.steps.map((s: { id: string }) => s.id);
    expect(ids).toEqual([
      "nlb-inbound",
      "tg-inbound-80",
      "listener-inbound-80",
      "tg-inbound-443",
      "listener-inbound-443",
      "svc-inbound",
      "perm-inbound",
      "sg-inbound",
      "vpce-inbound",
      "health-inbound",
      "nlb-outbound",
      "tg-outbound-80",
      "listener-outbound-80",
      "svc-outbound",
      "perm-outbound",
      "sg-outbound",
      "vpce-outbound",
      "health-outbound",
    ]);
    // The health checks are a step of their own: waited for once the listeners forward to the targets.
    const health = plan.steps.find((s: { id: string }) => s.id === "health-inbound");
    expect(health).toMatchObject({ type: "target-health", action: "reuse", dependsOn: ["listener-inbound-80", "listener-inbound-443"] });
    expect(plan.steps.every((s: { action: string; type: string }) => s.action === (s.type === "target-health" ? "reuse" : "create"))).toBe(true);
    expect(plan.steps.find((s: { id: string }) => s.id === "nlb-outbound").dependsOn).toEqual(["vpce-inbound"]);
    expect(plan.steps.find((s: { id: string }) => s.id === "vpce-inbound").params.subnetConfigurations).toEqual([
      { SubnetId: w.relaySubnets[0], Ipv4: "172.16.0.10" },
    ]);
    expect(plan.addressMap.map((e: { direction: string }) => e.direction)).toEqual(["inbound", "outbound"]);
    expect(plan.addressMap[1].connectTo).toEqual(["<outbound endpoint IPs>"]);
    expect(plan.natRules).toBeUndefined();
  });

  it("after a run, the plan is all reuse/no-op and the preview shows the real addresses", async () => {
    expect((await runCli(relay(...inbound("172.16.9.10"), ...vpcFlags(w), "--yes"), { aws })).code).toBe(0);
    const r = await runCli(relay(...inbound("172.16.9.10"), ...vpcFlags(w), "--dry-run", "--json"), { aws });
    const plan = JSON.parse(r.stdout);
    expect(plan.steps.every((s: { action: string; type: string }) => s.action === (s.type === "target-health" ? "reuse" : "no-op"))).toBe(true);
    expect(plan.natRules.preview).toBe(false);
    expect(plan.natRules.text).toMatch(/dnat to 172\.16\.0\.\d+:80/);
  });

  it("--offline makes no AWS call: placeholders, and NAT rules with the endpoint address clearly marked", async () => {
    const r = await runCli(["privatelink", "relay", "--dry-run", "--offline", ...inbound("172.16.9.10"), "--nat", "nftables", ...outbound(), ...vpcFlags(w)], {
      aws,
      env: { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" },
    });
    expect(r.code).toBe(0);
    expect(aws.calls).toEqual([]);
    expect(r.stdout).toContain("offline: ids in <...> are placeholders");
    expect(r.stdout).toContain("PREVIEW: <INBOUND-ENDPOINT-IP> stands for the inbound endpoint's address");
    expect(r.stdout).toContain("ip daddr 172.16.9.10 tcp dport 80 dnat to <INBOUND-ENDPOINT-IP>:80");
    expect(r.stdout).toContain("allow tcp 80 from <target-vpc-cidr>");
  });

  it("--offline --json with the relay IP assumed on the endpoint", async () => {
    const r = await runCli(["privatelink", "relay", "--dry-run", "--offline", "--json", ...inbound(), ...vpcFlags(w)], { aws });
    expect(r.code).toBe(0);
    expect(aws.calls).toEqual([]);
    const plan = JSON.parse(r.stdout);
    expect(plan.offline).toBe(true);
    // Without --stack the name comes from the target VPC and host: stable across runs.
    expect(plan.stack).toBe(`relay-${w.targetVpc.slice(-8)}-192-168-0-10`);
    expect(plan.steps.find((s: { id: string }) => s.id === "vpce-inbound").params.subnetConfigurations).toEqual([
      { SubnetId: "<relay subnet holding 172.16.0.10>", Ipv4: "172.16.0.10" },
    ]);
    expect(plan.warnings.join("\n")).toContain("Offline: assuming 172.16.0.10 lies in one of the relay subnets");
    expect(plan.natRules).toBeUndefined();
  });
});

function noWritesAtAll(a: FakeAws): void {
  expect(a.operations({ writesOnly: true })).toEqual([]);
}
