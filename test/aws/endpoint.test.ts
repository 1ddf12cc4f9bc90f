/**
 * Wire level: the real SDK clients (no aws-sdk-client-mock) talk to a small EC2-shaped HTTP server on
 * 127.0.0.1, as they would to an emulator behind --endpoint-url. This checks what mocks cannot: the
 * endpoint and Region reach the clients, requests are signed, EC2 XML parses, and replies that are not
 * AWS-shaped are reported as such.
 */

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { requireFreshBuild } from "../helpers/binary.js";
import { runCli } from "../helpers/cli.js";

interface Seen {
  action: string;
  params: URLSearchParams;
  auth: string;
}
let server: Server;
let url: string;
let seen: Seen[];
/** A reply of the test's choosing; `delayMs` alone delays the usual reply. */
let override: ((action: string) => { status?: number; type?: string; body?: string; delayMs?: number } | undefined) | undefined;

const VPC = "vpc-0a1b2c3d4e5f60718";
const xml = (action: string, inner: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-1</requestId>${inner}</${action}Response>`;

const replies: Record<string, string> = {
  DescribeVpcs: `<vpcSet><item><vpcId>${VPC}</vpcId><state>available</state><cidrBlock>172.31.0.0/16</cidrBlock><cidrBlockAssociationSet><item><cidrBlock>172.31.0.0/16</cidrBlock><cidrBlockState><state>associated</state></cidrBlockState></item></cidrBlockAssociationSet><isDefault>false</isDefault></item></vpcSet>`,
  DescribeVpnGateways: `<vpnGatewaySet/>`,
  DescribeCustomerGateways: `<customerGatewaySet/>`,
  DescribeVpnConnections: `<vpnConnectionSet/>`,
  DescribeRouteTables: `<routeTableSet><item><routeTableId>rtb-0a1b2c3d4e5f60718</routeTableId><vpcId>${VPC}</vpcId><associationSet><item><main>true</main></item></associationSet><propagatingVgwSet/><routeSet/></item></routeTableSet>`,
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
    const params = new URLSearchParams(await body(req));
    const action = params.get("Action") ?? "";
    seen.push({ action, params, auth: String(req.headers.authorization ?? "") });
    const o = override?.(action);
    if (o?.delayMs) await new Promise((resolve) => setTimeout(resolve, o.delayMs));
    if (o?.status === -1) return; // never answer
    if (o?.status !== undefined) {
      res.writeHead(o.status, { "content-type": o.type ?? "text/xml" });
      res.end(o.body ?? "");
      return;
    }
    const inner = replies[action];
    if (inner === undefined) {
      res.writeHead(400, { "content-type": "text/xml" });
      res.end(
        `<?xml version="1.0"?><Response><Errors><Error><Code>InvalidAction</Code><Message>The action ${action} is not valid for this web service.</Message></Error></Errors><RequestID>req-err</RequestID></Response>`,
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/xml", "x-amzn-requestid": "req-1" });
    res.end(xml(action, inner));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const addr = server.address();
  url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen = [];
  override = undefined;
});

const args = () => [
  "vpn",
  "create",
  "--vpc-id",
  VPC,
  "--cgw-ip",
  "203.0.113.10",
  "--onprem-cidr",
  "10.0.0.0/8",
  "--dry-run",
  "--json",
  "--endpoint-url",
  url,
  "--region",
  "eu-west-1",
];

describe("--endpoint-url against an EC2-shaped HTTP server", () => {
  it("plans from real EC2 XML replies, signed for the given Region", async () => {
    const r = await runCli(args());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.region).toBe("eu-west-1");
    expect(plan.steps.find((s: { id: string }) => s.id === "propagation:rtb-0a1b2c3d4e5f60718").action).toBe("update");
    expect(seen.map((s) => s.action)).toEqual(
      expect.arrayContaining(["DescribeVpcs", "DescribeVpnGateways", "DescribeCustomerGateways", "DescribeVpnConnections", "DescribeRouteTables"]),
    );
    expect(seen.every((s) => s.params.get("Version") === "2016-11-15")).toBe(true);
    expect(seen[0]!.auth).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAFAKEFAKEFAKE\/\d{8}\/eu-west-1\/ec2\/aws4_request/);
    // Filters go out in the EC2 query form.
    const vgw = seen.find((s) => s.action === "DescribeVpnGateways")!;
    expect(vgw.params.get("Filter.1.Name")).toBe("attachment.vpc-id");
    expect(vgw.params.get("Filter.1.Value.1")).toBe(VPC);
  });

  it("list reads many things at once without Node's listener-leak warning on the shared abort signal", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on("warning", onWarning);
    // Every EC2 read answers "nothing" (other services' reads fail here: list warns and goes on).
    override = (action) =>
      replies[action] === undefined && /^(Describe|Search|Get)/.test(action) ? { status: 200, type: "text/xml", body: xml(action, "") } : undefined;
    try {
      const r = await runCli(["list", "--endpoint-url", url, "--region", "eu-west-1"]);
      expect(r.code, r.stderr).toBe(0);
      expect(new Set(seen.map((s) => s.action)).size).toBeGreaterThan(10); // enough at once to reach Node's default limit
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.filter((w) => w.startsWith("MaxListenersExceededWarning"))).toEqual([]);
  });

  it("list: when a read fails, the other reads finish first, so their warnings come before the one error", async () => {
    override = (action) => {
      if (action === "DescribeVpnConnections") {
        // Not retried: the failure is in at once.
        const denied = "<Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors>";
        return { status: 403, body: `<?xml version="1.0"?><Response>${denied}<RequestID>req-403</RequestID></Response>` };
      }
      if (action === "DescribeLoadBalancers") return { delayMs: 500 }; // answers InvalidAction, late
      return replies[action] === undefined && /^(Describe|Search|Get)/.test(action) ? { status: 200, body: xml(action, "") } : undefined;
    };
    const r = await runCli(["list", "--endpoint-url", url, "--region", "eu-west-1"]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines.some((l) => l.includes("Could not read load balancers"))).toBe(true);
    expect(lines.at(-1)).toMatch(/^vpcwire: .*DescribeVpnConnections/);
  });

  it("an HTML error page is reported as a non-AWS reply naming the operation (exit 1)", async () => {
    override = (action) =>
      action === "DescribeVpnGateways" ? { status: 500, type: "text/html", body: "<html><body><h1>Internal Server Error</h1></body></html>" } : undefined;
    const r = await runCli(args());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("EC2 DescribeVpnGateways got a reply that is not a valid AWS response (HTTP 500");
    expect(r.stderr).toContain(`The endpoint ${url} may not implement EC2 DescribeVpnGateways`);
    expect(JSON.parse(r.stdout).error.aws).toMatchObject({ code: "NonAwsResponse", operation: "DescribeVpnGateways" });
  });

  it("an emulator's 501 plain-text reply is reported the same way", async () => {
    override = (action) => (action === "DescribeCustomerGateways" ? { status: 501, type: "text/plain", body: "not implemented" } : undefined);
    const r = await runCli(args());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("EC2 DescribeCustomerGateways got a reply that is not a valid AWS response (HTTP 501: not implemented)");
  });

  it("an AWS-shaped error keeps its code and message", async () => {
    override = (action) =>
      action === "DescribeVpcs"
        ? {
            status: 400,
            type: "text/xml",
            body: `<?xml version="1.0"?><Response><Errors><Error><Code>AuthFailure</Code><Message>AWS was not able to validate the provided access credentials</Message></Error></Errors><RequestID>req-auth</RequestID></Response>`,
          }
        : undefined;
    const r = await runCli(args());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("EC2 DescribeVpcs failed: AuthFailure: AWS was not able to validate the provided access credentials");
  });

  it("nothing listening: a network error names the endpoint", async () => {
    const r = await runCli([...args().slice(0, -4), "--endpoint-url", "http://127.0.0.1:1", "--region", "eu-west-1"], {
      env: { AWS_MAX_ATTEMPTS: "1" },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Could not reach EC2 at http:\/\/127\.0\.0\.1:1 for DescribeVpcs/);
  });

  it("Ctrl-C stops a read that an endpoint never answers (exit 130), instead of hanging", async () => {
    override = (action) => (action === "DescribeVpcs" ? { status: -1, type: "", body: "" } : undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const r = await runCli(args(), { signal: controller.signal });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain("Interrupted while waiting for EC2 DescribeVpcs");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  const root = fileURLToPath(new URL("../..", import.meta.url));
  it("the binary honours AWS_ENDPOINT_URL and AWS_REGION from the environment", async () => {
    requireFreshBuild();
    const child = spawn(process.execPath, [`${root}bin/vpcwire.js`, ...args().slice(0, -4)], {
      env: {
        PATH: process.env.PATH,
        HOME: "/nonexistent",
        AWS_ENDPOINT_URL: url,
        AWS_REGION: "ap-southeast-2",
        AWS_ACCESS_KEY_ID: "AKIAENVENVENV",
        AWS_SECRET_ACCESS_KEY: "x",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.on("close", r));
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(out).region).toBe("ap-southeast-2");
    expect(seen[0]!.auth).toContain("/ap-southeast-2/ec2/aws4_request");
  });

  it("vpn create loads the EC2 client only: not Direct Connect, not ELBv2, not Secrets Manager", async () => {
    requireFreshBuild();
    const log = join(mkdtempSync(join(tmpdir(), "vpcwire-endpoint-")), "modules.txt");
    const recorder = fileURLToPath(new URL("../cli/record-modules.mjs", import.meta.url));
    const child = spawn(process.execPath, ["--import", recorder, `${root}bin/vpcwire.js`, ...args()], {
      env: { PATH: process.env.PATH, HOME: "/nonexistent", AWS_ACCESS_KEY_ID: "AKIAENV", AWS_SECRET_ACCESS_KEY: "x", VPCWIRE_MODULE_LOG: log },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.on("close", r));
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(seen.map((s) => s.action)).toContain("DescribeVpcs");
    const loaded = readFileSync(log, "utf8");
    rmSync(dirname(log), { recursive: true, force: true });
    expect(loaded).toContain("/node_modules/@aws-sdk/client-ec2/");
    expect(loaded).not.toContain("/node_modules/@aws-sdk/client-direct-connect/");
    expect(loaded).not.toContain("/node_modules/@aws-sdk/client-elastic-load-balancing-v2/");
    expect(loaded).not.toContain("/node_modules/@aws-sdk/client-secrets-manager/");
  });

  it("AWS_DEFAULT_REGION works as with the AWS CLI when AWS_REGION is not set", async () => {
    requireFreshBuild();
    const child = spawn(process.execPath, [`${root}bin/vpcwire.js`, ...args().slice(0, -2)], {
      env: { PATH: process.env.PATH, HOME: "/nonexistent", AWS_DEFAULT_REGION: "eu-central-1", AWS_ACCESS_KEY_ID: "AKIAENV", AWS_SECRET_ACCESS_KEY: "x" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.on("close", r));
    expect(code).toBe(0);
    expect(JSON.parse(out).region).toBe("eu-central-1");
  });
});
