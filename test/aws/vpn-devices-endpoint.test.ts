/**
 * Wire level for AWS's device catalog: the real EC2 client pages GetVpnConnectionDeviceTypes through
 * an EC2-shaped HTTP server on 127.0.0.1 (MaxResults and NextToken in the query form, the XML item
 * names), and an endpoint without the call is named as such.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

let server: Server;
let url: string;
let seen: URLSearchParams[];
let implemented: boolean;

const item = (id: string, vendor: string, platform: string, software: string) =>
  `<item><vpnConnectionDeviceTypeId>${id}</vpnConnectionDeviceTypeId><vendor>${vendor}</vendor><platform>${platform}</platform><software>${software}</software></item>`;
const pages: Record<string, string> = {
  "": `<vpnConnectionDeviceTypeSet>${item("4e5a6c01", "Yamaha", "RTX Routers", "Rev.10.01.16+")}</vpnConnectionDeviceTypeSet><nextToken>page-2</nextToken>`,
  "page-2": `<vpnConnectionDeviceTypeSet>${item("1b2d3f02", "Juniper Networks, Inc.", "SRX Routers", "JunOS 11.0+")}</vpnConnectionDeviceTypeSet>`,
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
    seen.push(params);
    const inner = pages[params.get("NextToken") ?? ""];
    if (!implemented || params.get("Action") !== "GetVpnConnectionDeviceTypes" || inner === undefined) {
      res.writeHead(400, { "content-type": "text/xml" });
      res.end(
        `<?xml version="1.0"?><Response><Errors><Error><Code>InvalidAction</Code><Message>The action ${params.get("Action")} is not valid for this web service.</Message></Error></Errors><RequestID>req-err</RequestID></Response>`,
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/xml", "x-amzn-requestid": "req-1" });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<GetVpnConnectionDeviceTypesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-1</requestId>${inner}</GetVpnConnectionDeviceTypesResponse>`,
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const addr = server.address();
  url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen = [];
  implemented = true;
});

describe("vpn devices against an EC2-shaped HTTP server", () => {
  it("follows NextToken page by page with MaxResults 200 and reads the XML items", async () => {
    const r = await runCli(["vpn", "devices", "--json", "--endpoint-url", url, "--region", "eu-west-1"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.deviceTypes.map((t: { device: string }) => t.device)).toEqual(["aws:1b2d3f02", "aws:4e5a6c01"]);
    expect(doc.deviceTypes[1]).toMatchObject({ vendor: "Yamaha", platform: "RTX Routers", software: "Rev.10.01.16+" });
    expect(seen.map((p) => [p.get("Action"), p.get("MaxResults"), p.get("NextToken")])).toEqual([
      ["GetVpnConnectionDeviceTypes", "200", null],
      ["GetVpnConnectionDeviceTypes", "200", "page-2"],
    ]);
  });

  it("an endpoint without the call is named, with the operation (exit 1)", async () => {
    implemented = false;
    const r = await runCli(["vpn", "devices", "--endpoint-url", url, "--region", "eu-west-1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "EC2 GetVpnConnectionDeviceTypes failed: InvalidAction: The action GetVpnConnectionDeviceTypes is not valid for this web service.",
    );
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});
