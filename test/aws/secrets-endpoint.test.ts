/**
 * Wire level for keys in Secrets Manager: `vpn config` with the real SDK clients against one HTTP
 * server on 127.0.0.1 that answers EC2 (query protocol, XML) and Secrets Manager (JSON 1.1,
 * `X-Amz-Target: secretsmanager.GetSecretValue`), as an emulator behind --endpoint-url does. Checks
 * that the lazily built Secrets Manager client gets the same endpoint, Region and signing as EC2,
 * that the secret's keys reach the config, and that an AWS error reply is reported by its code.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CustomerGateway, VpnConnection, VpnGateway } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tunnelXml } from "../fakes/ec2.js";
import { requireFreshBuild } from "../helpers/binary.js";
import { runCli } from "../helpers/cli.js";

interface Seen {
  target: string;
  action: string;
  body: string;
  auth: string;
}
let server: Server;
let url: string;
let seen: Seen[];
let secretReply: { status: number; body: unknown } | undefined;

const VPC = "vpc-0a1b2c3d4e5f60718";
const VGW = "vgw-0a1b2c3d4e5f60718";
const CGW = "cgw-0a1b2c3d4e5f60718";
const VPN = "vpn-0a1b2c3d4e5f60718";
const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:s2svpn!vpn-0a1b2c3d4e5f60718-AbCdEf-GhIjKl";
const TUNNELS = [
  { ip: "192.0.2.10", cidr: "169.254.10.0/30", key: "WireKeyOne.111" },
  { ip: "192.0.2.20", cidr: "169.254.20.0/30", key: "WireKeyTwo_222" },
];

const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const connection: VpnConnection = {
  VpnConnectionId: VPN,
  CustomerGatewayId: CGW,
  VpnGatewayId: VGW,
  Options: { StaticRoutesOnly: true, TunnelOptions: TUNNELS.map((t) => ({ OutsideIpAddress: t.ip, TunnelInsideCidr: t.cidr })) },
};
const cgw: CustomerGateway = { CustomerGatewayId: CGW, IpAddress: "203.0.113.10", BgpAsn: "65000" };
const vgw: VpnGateway = { VpnGatewayId: VGW, AmazonSideAsn: 64512 };
// The tunnel XML of a connection whose keys live in Secrets Manager: no <pre_shared_key>.
const tunnelConfig = tunnelXml(connection, cgw, vgw, false);

const replies: Record<string, string> = {
  DescribeVpnConnections: `<vpnConnectionSet><item><vpnConnectionId>${VPN}</vpnConnectionId><state>available</state><type>ipsec.1</type><customerGatewayId>${CGW}</customerGatewayId><vpnGatewayId>${VGW}</vpnGatewayId><preSharedKeyArn>${ARN}</preSharedKeyArn><customerGatewayConfiguration>${xmlEscape(tunnelConfig)}</customerGatewayConfiguration><options><staticRoutesOnly>true</staticRoutesOnly><tunnelOptionSet>${TUNNELS.map((t) => `<item><outsideIpAddress>${t.ip}</outsideIpAddress><tunnelInsideCidr>${t.cidr}</tunnelInsideCidr></item>`).join("")}</tunnelOptionSet></options><routes><item><destinationCidrBlock>10.0.0.0/8</destinationCidrBlock><source>Static</source><state>available</state></item></routes></item></vpnConnectionSet>`,
  DescribeVpnGateways: `<vpnGatewaySet><item><vpnGatewayId>${VGW}</vpnGatewayId><state>available</state><type>ipsec.1</type><amazonSideAsn>64512</amazonSideAsn><attachments><item><vpcId>${VPC}</vpcId><state>attached</state></item></attachments></item></vpnGatewaySet>`,
  DescribeCustomerGateways: `<customerGatewaySet><item><customerGatewayId>${CGW}</customerGatewayId><state>available</state><type>ipsec.1</type><ipAddress>203.0.113.10</ipAddress><bgpAsn>65000</bgpAsn></item></customerGatewaySet>`,
  DescribeVpcs: `<vpcSet><item><vpcId>${VPC}</vpcId><state>available</state><cidrBlock>172.31.0.0/16</cidrBlock><cidrBlockAssociationSet><item><cidrBlock>172.31.0.0/16</cidrBlock><cidrBlockState><state>associated</state></cidrBlockState></item></cidrBlockAssociationSet></item></vpcSet>`,
  DescribeRouteTables: `<routeTableSet><item><routeTableId>rtb-0a1b2c3d4e5f60718</routeTableId><vpcId>${VPC}</vpcId><associationSet><item><main>true</main></item></associationSet><propagatingVgwSet><item><gatewayId>${VGW}</gatewayId></item></propagatingVgwSet><routeSet/></item></routeTableSet>`,
};

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let b = "";
    req.on("data", (d: Buffer) => (b += d.toString()));
    req.on("end", () => resolve(b));
  });
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const text = await body(req);
    const target = String(req.headers["x-amz-target"] ?? "");
    const action = target ? "" : (new URLSearchParams(text).get("Action") ?? "");
    seen.push({ target, action, body: text, auth: String(req.headers.authorization ?? "") });
    if (target === "secretsmanager.GetSecretValue") {
      const reply = secretReply ?? {
        status: 200,
        body: {
          ARN,
          Name: "s2svpn!vpn-0a1b2c3d4e5f60718-AbCdEf",
          VersionId: "v1",
          VersionStages: ["AWSCURRENT"],
          SecretString: JSON.stringify(Object.fromEntries(TUNNELS.map((t) => [t.ip, t.key]))),
        },
      };
      res.writeHead(reply.status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "sm-req-1" });
      res.end(JSON.stringify(reply.body));
      return;
    }
    const inner = replies[action];
    if (inner === undefined) {
      res.writeHead(400, { "content-type": "text/xml" });
      res.end(
        `<?xml version="1.0"?><Response><Errors><Error><Code>InvalidAction</Code><Message>The action ${action || target} is not valid for this web service.</Message></Error></Errors><RequestID>req-err</RequestID></Response>`,
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/xml", "x-amzn-requestid": "req-1" });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-1</requestId>${inner}</${action}Response>`,
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const addr = server.address();
  url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen = [];
  secretReply = undefined;
});

const args = () => ["vpn", "config", "--vpn-id", VPN, "--endpoint-url", url, "--region", "eu-west-1"];

describe("vpn config for keys in Secrets Manager, against an HTTP endpoint", () => {
  it("GetSecretValue goes to --endpoint-url as JSON 1.1, signed for the Region and secretsmanager; the keys reach the config", async () => {
    const r = await runCli(args());
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code, r.stderr).toBe(0);
    const calls = seen.filter((s) => s.target === "secretsmanager.GetSecretValue");
    expect(calls).toHaveLength(1);
    expect(JSON.parse(calls[0]!.body)).toEqual({ SecretId: ARN });
    expect(calls[0]!.auth).toContain("/eu-west-1/secretsmanager/aws4_request");
    // EC2 went to the same endpoint first, signed for ec2.
    expect(seen.find((s) => s.action === "DescribeVpnConnections")!.auth).toContain("/eu-west-1/ec2/aws4_request");
    for (const t of TUNNELS) expect(r.stdout).toContain(t.key);
  });

  it("the built CLI loads the Secrets Manager client for such a connection (it is imported only when a secret is read)", async () => {
    requireFreshBuild();
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const log = join(mkdtempSync(join(tmpdir(), "vpcwire-secrets-")), "modules.txt");
    const recorder = fileURLToPath(new URL("../cli/record-modules.mjs", import.meta.url));
    const child = spawn(process.execPath, ["--import", recorder, `${root}bin/vpcwire.js`, ...args()], {
      env: { PATH: process.env.PATH, HOME: "/nonexistent", AWS_ACCESS_KEY_ID: "AKIAENV", AWS_SECRET_ACCESS_KEY: "x", VPCWIRE_MODULE_LOG: log },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.on("close", r));
    expect(code, err).toBe(0);
    const loaded = readFileSync(log, "utf8");
    rmSync(dirname(log), { recursive: true, force: true });
    expect(loaded).toContain("/node_modules/@aws-sdk/client-secrets-manager/");
    expect(seen.filter((s) => s.target === "secretsmanager.GetSecretValue")).toHaveLength(1);
  });

  it("an AccessDeniedException reply is reported by its code, naming the secret (exit 1)", async () => {
    secretReply = {
      status: 400,
      body: { __type: "AccessDeniedException", Message: `User is not authorized to perform: secretsmanager:GetSecretValue on resource: ${ARN}` },
    };
    const r = await runCli(args());
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`cannot read the pre-shared keys from Secrets Manager secret ${ARN}: access denied: allow secretsmanager:GetSecretValue on it`);
  });
});
