/**
 * What an AWS emulator behind --endpoint-url really returns for a VPN connection (moto's canned
 * CustomerGatewayConfiguration: one tunnel twice, BGP blocks even for static routing, no
 * Options.TunnelOptions). vpn create must still finish and hand over a usable, honest config.
 */
import { readFileSync } from "node:fs";
import type { VpnConnection } from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeAws, installFakeAws, uninstallFakeAws } from "../fakes/aws.js";
import { seedVpc } from "../fakes/ec2.js";
import { ALL_SERVICES } from "../fakes/services.js";
import { runCli } from "../helpers/cli.js";

const canned = readFileSync(new URL("../fixtures/vpn/emulator-moto.xml", import.meta.url), "utf8");

let aws: FakeAws;
let vpcId: string;
beforeEach(() => {
  aws = installFakeAws(new FakeAws(), ALL_SERVICES);
  vpcId = seedVpc(aws, { cidr: "172.31.0.0/16" }).VpcId!;
  // The emulator answers with its canned configuration, no Options and no Routes.
  aws.afterCall = (op, out) => {
    const conns =
      op === "DescribeVpnConnections" ? (out.VpnConnections as VpnConnection[]) : op === "CreateVpnConnection" ? [out.VpnConnection as VpnConnection] : [];
    for (const v of conns) {
      v.CustomerGatewayConfiguration = canned.replace("vpn-1a2b3c4d", v.VpnConnectionId!).replace("cgw-1a2b3c4d", v.CustomerGatewayId!);
      delete v.Options;
      delete v.Routes;
    }
  };
});
afterEach(() => uninstallFakeAws());

describe("vpn create against an emulator's canned tunnel configuration", () => {
  it("static routing: finishes, renders static routes (not the XML's BGP), and warns about the single endpoint", async () => {
    const r = await runCli(["vpn", "create", "--vpc-id", vpcId, "--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.0.0.0/8", "--yes"], { aws });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ip route 172\.31\.0\.0 255\.255\.0\.0 Tunnel\d+ 10 track \d+$/m);
    expect(r.stdout).not.toContain("router bgp");
    expect(r.stderr).toContain("both tunnels in the VPN connection's configuration have the AWS outside IP 52.2.144.13");
    expect(r.stderr).toContain("the tunnel configuration says bgp routing but the connection uses static");
  });

  it("a second run converges although the emulator lists neither Options nor Routes", async () => {
    const args = ["vpn", "create", "--vpc-id", vpcId, "--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.0.0.0/8", "--yes"];
    expect((await runCli(args, { aws })).code).toBe(0);
    const again = await runCli(args, { aws });
    expect(again.stderr).not.toContain("routing cannot be changed");
    expect(again.code).toBe(0);
    expect(aws.ec2.vpns).toHaveLength(1);
  });

  it("BGP: uses the XML's BGP details", async () => {
    const r = await runCli(
      [
        "vpn",
        "create",
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
        "--json",
      ],
      { aws },
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    // The canned XML is named; the config now follows the connection's tunnel options (the emulator lists none), and says so.
    expect(doc.warnings).toEqual(
      expect.arrayContaining([expect.stringContaining("52.2.144.13"), expect.stringContaining("the VPN connection lists no tunnel options")]),
    );
    expect(doc.deviceConfig.text).toContain("remote-as 7224");
  });
});
