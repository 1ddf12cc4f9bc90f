import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeAws, installFakeAws, uninstallFakeAws } from "../fakes/aws.js";
import { seedCgw, seedRouteTable, seedSecurityGroup, seedVgw, seedVpc, setTunnelStatus } from "../fakes/ec2.js";
import { ec2Error } from "../fakes/model.js";
import { ALL_SERVICES } from "../fakes/services.js";
import { runCli } from "../helpers/cli.js";

let aws: FakeAws;
let vpcId: string;
let sgId: string;
const STACK = "office";

beforeEach(() => {
  aws = installFakeAws(new FakeAws(), ALL_SERVICES);
  vpcId = seedVpc(aws, { cidr: "172.31.0.0/16", name: "prod" }).VpcId!;
  seedRouteTable(aws, vpcId, "private");
  sgId = seedSecurityGroup(aws, vpcId, "app").GroupId!;
});
afterEach(() => uninstallFakeAws());

const create = (extra: string[] = []) =>
  runCli(
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
      "--security-group",
      sgId,
      "--yes",
      ...extra,
    ],
    { aws },
  );

describe("list", () => {
  it("shows each stack with kind, resources and state", async () => {
    await create();
    await runCli(["vpn", "create", "--stack", "branch", "--vpc-id", vpcId, "--cgw-ip", "198.51.100.7", "--onprem-cidr", "10.50.0.0/16", "--yes"], { aws });
    const r = await runCli(["list"], { aws });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^STACK\s+KIND\s+STATE\s+RESOURCES/);
    expect(lines.find((l) => l.startsWith("office"))).toMatch(/office\s+vpn\s+available\s+vgw-\w+, cgw-\w+, vpn-\w+, sgr-\w+/);
    // The second stack reused the gateway attached by the first, so it shows it as reused.
    expect(lines.find((l) => l.startsWith("branch"))).toMatch(/vgw-\w+ \(reused\)/);
    const json = JSON.parse((await runCli(["list", "--json"], { aws })).stdout);
    expect(json.stacks.map((s: { stack: string; kind: string }) => `${s.stack}:${s.kind}`)).toEqual(["branch:vpn", "office:vpn"]);
  });

  it("an emulator that ignores Filters does not make other kinds' resources look like VPN stacks", async () => {
    await create();
    // A flets stack's tagged rule in the same account.
    await runCli(["vpn", "create", "--stack", "other", "--vpc-id", vpcId, "--cgw-ip", "198.51.100.7", "--onprem-cidr", "10.60.0.0/16", "--yes"], { aws });
    for (const r of aws.ec2.sgRules)
      r.Tags = [
        { Key: "vpcwire:stack", Value: "isatap-10-0-0-5" },
        { Key: "vpcwire:kind", Value: "flets" },
      ];
    aws.beforeCall = (_op, input) => {
      delete input.Filters;
    };
    const doc = JSON.parse((await runCli(["list", "--json"], { aws })).stdout);
    const byName = Object.fromEntries(doc.stacks.map((x: { stack: string; kind: string }) => [`${x.stack}`, x.kind]));
    expect(byName).toEqual({ office: "vpn", other: "vpn", "isatap-10-0-0-5": "flets" });
    const office = doc.stacks.find((x: { stack: string }) => x.stack === "office");
    expect(office.resources.map((r: { type: string }) => r.type)).not.toContain("security group rule");
    // destroy of the VPN stack leaves the flets rule alone.
    const d = await runCli(["destroy", "--stack", "office", "--yes"], { aws });
    expect(d.code).toBe(0);
    expect(aws.ec2.sgRules).toHaveLength(1);
    // The gateway office created is still used by the other stack's connection: kept, and said so.
    expect(d.stderr).toMatch(/vgw-\w+ kept: still used by VPN connection vpn-\w+ \(stack other\)/);
    expect(aws.ec2.vgws[0]!.State).toBe("available");
  });

  it("an endpoint without DescribeSecurityGroupRules still lists the stacks, with a warning", async () => {
    await create();
    aws.failNext("DescribeSecurityGroupRules", ec2Error("InvalidAction", "The action DescribeSecurityGroupRules is not valid for this web service."), 10);
    const r = await runCli(["list"], { aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/office\s+vpn\s+available/);
    expect(r.stderr).toContain("Security-group rules could not be listed");
  });

  it("says so when there is nothing", async () => {
    const r = await runCli(["list"], { aws });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("No vpcwire stacks in ap-northeast-1.");
  });
});

describe("status", () => {
  it("modern tunnels that are down: AWS starts IKE, so the router side is what to check", async () => {
    await create();
    const r = await runCli(["status", "--stack", STACK], { aws });
    expect(r.code).toBe(1);
    expect(r.stdout.match(/IKE does not come up: AWS starts it \(startup action start\)/g)).toHaveLength(2);
  });

  it("shows each tunnel's crypto; modern is not flagged", async () => {
    await create();
    const r = await runCli(["status", "--stack", STACK], { aws });
    const lines = r.stdout.split("\n").filter((l) => / crypto: /.test(l));
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/^\s+· tunnel \S+ crypto: IKEv2; phase 1 AES256\/AES256-GCM-16, SHA2-256\/SHA2-384, DH 19,20; .*AWS starts IKE$/);
    const j = JSON.parse((await runCli(["status", "--stack", STACK, "--json"], { aws })).stdout);
    const conn = JSON.stringify(j);
    expect(conn).toContain('"device":"csr1000v"');
    expect(conn).toContain('"refusedBy":[]');
  });

  it("flags a tunnel whose options include what the connection's device refuses (FN72510 for the CSR)", async () => {
    await create(["--crypto", "compatible"]);
    const r = await runCli(["status", "--stack", STACK], { aws });
    const lines = r.stdout.split("\n").filter((l) => / crypto: /.test(l));
    expect(lines).toHaveLength(2);
    for (const l of lines) {
      expect(l).toMatch(
        /✖ tunnel \S+ crypto: AWS defaults \(IKEv1\/IKEv2; .*\): IOS-XE 17\.11 and later \(Catalyst 8000V\) refuses phase 1 DH groups 2, 24 \(IKEv2\) and phase 2 DH groups 2, 5 by default \(Cisco Field Notice FN72510\); change it with vpn create --crypto modern/,
      );
    }
  });

  it("a strongSwan connection with AWS's defaults is not flagged; an untagged one is checked against every device", async () => {
    await create(["--crypto", "compatible", "--device", "strongswan"]);
    const r = await runCli(["status", "--stack", STACK], { aws });
    expect(r.stdout).toMatch(/· tunnel \S+ crypto: AWS defaults/);
    expect(r.stdout).not.toMatch(/FN72510/);
    const vpn = aws.ec2.vpns[0]!;
    vpn.Tags = vpn.Tags!.filter((t) => t.Key !== "vpcwire:device");
    const untagged = await runCli(["status", "--stack", STACK], { aws });
    expect(untagged.stdout.match(/✖ tunnel \S+ crypto: .*FN72510/g)).toHaveLength(2);
  });

  it("explains tunnels that are down because the router has not started IKE (exit 1)", async () => {
    // compatible: AWS's default startup action, the router starts IKE.
    await create(["--crypto", "compatible"]);
    const r = await runCli(["status", "--stack", STACK], { aws });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("something is down");
    expect(r.stdout.match(/no IKE from your router yet: AWS waits for the customer side to initiate/g)).toHaveLength(2);
    expect(r.stdout).toMatch(/propagation on/);
    expect(r.stdout).toMatch(/allows icmp from 10\.0\.0\.0\/8/);
  });

  it("an endpoint that returns no tunnel telemetry: says the tunnel state is unknown (exit 1), never silence", async () => {
    await create();
    for (const v of aws.ec2.vpns) v.VgwTelemetry = [];
    const r = await runCli(["status", "--stack", STACK], { aws });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("tunnels: state unknown: AWS returned no tunnel telemetry");
    const j = await runCli(["status", "--stack", STACK, "--json"], { aws });
    expect(JSON.stringify(JSON.parse(j.stdout))).toContain('"tunnelsKnown":false');
  });

  it("BGP: IPsec up but BGP down is told apart; all up is healthy (exit 0)", async () => {
    await runCli(
      [
        "vpn",
        "create",
        "--stack",
        STACK,
        "--routing",
        "bgp",
        "--cgw-asn",
        "65010",
        "--vpc-id",
        vpcId,
        "--cgw-ip",
        "203.0.113.10",
        "--onprem-cidr",
        "10.0.0.0/8",
        "--yes",
      ],
      {
        aws,
      },
    );
    const vpnId = aws.ec2.vpns[0]!.VpnConnectionId!;
    setTunnelStatus(aws, vpnId, [
      { status: "DOWN", message: "IPSEC IS UP" },
      { status: "UP", message: "2 BGP ROUTES", routes: 2 },
    ]);
    const mixed = await runCli(["status", "--stack", STACK], { aws });
    expect(mixed.code).toBe(1);
    expect(mixed.stdout).toContain("IPsec is up but BGP is down: check the neighbor statements on the router");
    setTunnelStatus(aws, vpnId, [
      { status: "UP", message: "2 BGP ROUTES", routes: 2 },
      { status: "UP", message: "2 BGP ROUTES", routes: 2 },
    ]);
    const text = await runCli(["status", "--stack", STACK], { aws });
    expect(text.stdout).toMatch(/✔ tunnel [\d.]+: UP \(2 BGP ROUTES\) since \S+, 2 BGP routes accepted\n/);
    const up = await runCli(["status", "--stack", STACK, "--json"], { aws });
    expect(up.code).toBe(0);
    const doc = JSON.parse(up.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, healthy: true, kind: "vpn" });
    expect(doc.connections[0].tunnels.map((t: { status: string }) => t.status)).toEqual(["UP", "UP"]);
  });

  it("--watch refreshes until interrupted", async () => {
    await create();
    const controller = new AbortController();
    let sleeps = 0;
    aws.clock.onSleep = () => {
      sleeps += 1;
      if (sleeps === 2) controller.abort();
    };
    const r = await runCli(["status", "--stack", STACK, "--watch", "--interval", "30s"], { aws, signal: controller.signal });
    expect(r.stdout.match(/^--- /gm)?.length).toBe(2);
    // Ctrl-C ends a watch like any interrupted command.
    expect(r.code).toBe(130);
  });

  it("an unknown stack is reported (exit 1); a missing --stack is usage (exit 2)", async () => {
    expect((await runCli(["status", "--stack", "nope"], { aws })).stderr).toContain("No resources tagged vpcwire:stack=nope");
    expect((await runCli(["status"], { aws })).code).toBe(2);
  });
});

describe("destroy", () => {
  it("removes what the stack created, in dependency order, and waits for each step", async () => {
    await create();
    const before = aws.calls.length;
    const r = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const writes = aws.calls
      .slice(before)
      .map((c) => c.operation)
      .filter((op) => !/^Describe/.test(op));
    const at = (op: string) => writes.indexOf(op);
    expect(at("DisableVgwRoutePropagation")).toBeLessThan(at("DeleteVpnConnection"));
    expect(at("DeleteVpnConnection")).toBeLessThan(at("DeleteCustomerGateway"));
    expect(at("DeleteVpnConnection")).toBeLessThan(at("DetachVpnGateway"));
    expect(at("DetachVpnGateway")).toBeLessThan(at("DeleteVpnGateway"));
    expect(writes).toContain("RevokeSecurityGroupIngress");
    expect(aws.ec2.vpns[0]!.State).toBe("deleted");
    expect(aws.ec2.cgws[0]!.State).toBe("deleted");
    expect(aws.ec2.vgws[0]!.State).toBe("deleted");
    expect(aws.ec2.securityGroups.find((g) => g.GroupId === sgId)!.IpPermissions).toEqual([]);
    expect(r.stderr).toMatch(/Stack office removed: \d+ resources deleted/);
    expect((await runCli(["list", "--json"], { aws })).stdout).toContain('"stacks": []');
  });

  it("keeps what it reused: a gateway attached before, an existing customer gateway, and a hand-made rule", async () => {
    const vgw = seedVgw(aws, { attachTo: vpcId });
    const cgw = seedCgw(aws, "203.0.113.10", 65000);
    const sg = aws.ec2.securityGroups.find((g) => g.GroupId === sgId)!;
    sg.IpPermissions = [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.0.0/8" }] }];
    await create();
    const plan = await runCli(["destroy", "--stack", STACK, "--dry-run"], { aws });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`virtual private gateway ${vgw.VpnGatewayId} kept`);
    expect(plan.stdout).toContain(`customer gateway ${cgw.CustomerGatewayId} kept`);
    expect(plan.stdout).toMatch(/- delete\s+VPN connection/);
    const r = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    expect(r.code).toBe(0);
    expect(aws.ec2.vgws.find((g) => g.VpnGatewayId === vgw.VpnGatewayId)!.State).toBe("available");
    expect(aws.ec2.vgws.find((g) => g.VpnGatewayId === vgw.VpnGatewayId)!.VpcAttachments![0]!.State).toBe("attached");
    expect(aws.ec2.cgws.find((g) => g.CustomerGatewayId === cgw.CustomerGatewayId)!.State).toBe("available");
    expect(aws.ec2.vpns[0]!.State).toBe("deleted");
    // The rule added by hand stays; the stack's icmp rule is gone.
    expect(sg.IpPermissions).toEqual([{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.0.0/8" }] }]);
    expect(aws.operations()).not.toContain("DisableVgwRoutePropagation");
  });

  it("cleans up after a half-finished create", async () => {
    aws.failNext("CreateVpnConnection", ec2Error("VpnConnectionLimitExceeded", "limit"));
    expect((await create()).code).toBe(1);
    const r = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    expect(r.code).toBe(0);
    expect(aws.ec2.vgws[0]!.State).toBe("deleted");
    expect(aws.ec2.cgws[0]!.State).toBe("deleted");
  });

  it("retries dependency errors, and a second run finishes what a failed one left", async () => {
    await create();
    aws.failNext("DetachVpnGateway", ec2Error("IncorrectState", "The VPN connection is still deleting"), 2);
    aws.failNext("DeleteCustomerGateway", ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));
    const first = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    expect(first.code).toBe(1);
    expect(first.stderr).toContain("UnauthorizedOperation");
    expect(first.stderr).toMatch(/run the same command again:\n\s+vpcwire destroy --stack office --yes/);
    const second = await runCli(["destroy", "--stack", STACK, "--yes"], { aws });
    expect(second.code).toBe(0);
    expect(aws.ec2.cgws[0]!.State).toBe("deleted");
    expect(aws.ec2.vgws[0]!.State).toBe("deleted");
    expect(aws.count("DeleteVpnConnection")).toBe(1);
  });

  it("needs --yes when not interactive; --dry-run shows the teardown plan and changes nothing", async () => {
    await create();
    const writes = aws.operations({ writesOnly: true }).length;
    const noYes = await runCli(["destroy", "--stack", STACK], { aws });
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain("--yes: destroy changes AWS");
    const dry = await runCli(["destroy", "--stack", STACK, "--dry-run", "--json"], { aws });
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ schemaVersion: 1, command: "destroy", stack: STACK });
    expect(aws.operations({ writesOnly: true }).length).toBe(writes);
  });

  it("asks in a terminal, with no as the default", async () => {
    await create();
    const r = await runCli(["destroy", "--stack", STACK], { aws, tty: true, answers: [{ waitFor: "Delete these resources of stack office?", keys: "\r" }] });
    expect(r.code).toBe(3);
    expect(aws.ec2.vpns[0]!.State).toBe("available");
  });
});

describe("resume after an interruption at each step of vpn create", () => {
  const points = [
    "CreateVpnGateway",
    "AttachVpnGateway",
    "CreateCustomerGateway",
    "CreateVpnConnection",
    "EnableVgwRoutePropagation",
    "AuthorizeSecurityGroupIngress",
  ];
  it.each(points)("Ctrl-C right after %s, then the same command again", async (op) => {
    const controller = new AbortController();
    aws.beforeCall = (operation) => {
      if (operation === op) controller.abort();
    };
    const first = await runCli(
      ["vpn", "create", "--stack", STACK, "--vpc-id", vpcId, "--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.0.0.0/8", "--security-group", sgId, "--yes"],
      { aws, signal: controller.signal },
    );
    aws.beforeCall = undefined;
    // Every point is followed by a wait (the route comes last, but a wait on another step is still running).
    expect(first.code).toBe(130);
    expect(first.stderr).toMatch(/Interrupted after/);
    expect(first.stderr).toMatch(/To continue where it stopped, run the same command again/);
    const again = await create();
    expect(again.code).toBe(0);
    expect(aws.ec2.vgws.filter((g) => g.State !== "deleted")).toHaveLength(1);
    expect(aws.ec2.cgws).toHaveLength(1);
    expect(aws.ec2.vpns).toHaveLength(1);
    expect(aws.ec2.vpns[0]!.State).toBe("available");
    expect(aws.ec2.vpns[0]!.Routes).toHaveLength(1);
    expect(aws.ec2.routeTables.every((t) => t.PropagatingVgws?.length === 1)).toBe(true);
  });
});
