/**
 * What the built CLI loads on its fast paths (issue #9, startup). Not a timing test: each case spawns
 * the built binary with a preload that records every module the process loads, and checks that the
 * heavy ones (the AWS SDK, the Handlebars compiler, chalk, ci-info, prompts, spinners) stay out of
 * runs that do not need them. Timing is bench/startup.js.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const recorder = fileURLToPath(new URL("./record-modules.mjs", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "vpcwire-startup-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let runs = 0;
/** Run node with the recorder; returns the process result and every file it loaded, relative to the repo. */
function record(args: string[], env: NodeJS.ProcessEnv = {}) {
  const log = join(scratch, `modules-${runs++}.txt`);
  const clean: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: "/nonexistent", NO_COLOR: "1", VPCWIRE_MODULE_LOG: log, ...env };
  const r = spawnSync(process.execPath, ["--import", recorder, ...args], { cwd: root, env: clean, encoding: "utf8", input: "", timeout: 20_000 });
  const files = existsSync(log) ? [...new Set(readFileSync(log, "utf8").split("\n").filter(Boolean))] : [];
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, files: files.map((f) => (f.startsWith(root) ? f.slice(root.length) : f)) };
}

/** The packages among the loaded files: `node_modules/@aws-sdk/client-ec2/...` -> `@aws-sdk/client-ec2`. */
function packages(files: string[]): Set<string> {
  const names = files.map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]).filter((n): n is string => n !== undefined);
  return new Set(names);
}

const sdk = (p: string) => p.startsWith("@aws-sdk/") || p.startsWith("@smithy/") || p.startsWith("@aws-crypto/");
/** Anything of Handlebars but its one-file runtime is the compiler (parser, code generator, source-map). */
const handlebarsCompiler = (files: string[]) =>
  files.filter((f) => f.includes("node_modules/handlebars/") && !f.endsWith("handlebars/dist/handlebars.runtime.js"));
const never = ["chalk", "ci-info", "ora", "@inquirer/prompts", "@inquirer/core", "source-map"];

const bin = "bin/vpcwire.js";
const offlinePlan = [
  ...["vpn", "create", "--dry-run", "--offline", "--vpc-id", "vpc-0123456789abcdef0", "--vpc-cidr", "172.31.0.0/16"],
  ...["--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.0.0.0/8"],
];

describe.skipIf(!existsSync(`${root}dist/cli/index.js`))("what the built CLI loads", () => {
  it("the recorder sees ES modules and the CommonJS modules they require", () => {
    const r = record(["--input-type=module", "-e", 'await import("commander"); await import("handlebars")']);
    expect(r.code).toBe(0);
    expect(r.files).toContain("node_modules/commander/esm.mjs"); // ES module, via the resolve hook
    expect(r.files).toContain("node_modules/handlebars/dist/cjs/handlebars/compiler/compiler.js"); // required by CommonJS
  });

  it("--help loads commander and the command tree only: no SDK, template engine, XML parser, colours or prompts", () => {
    const r = record([bin, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: vpcwire/);
    const loaded = packages(r.files);
    expect(loaded.has("commander")).toBe(true);
    expect([...loaded].filter((p) => p !== "commander")).toEqual([]);
    // Of vpcwire itself: the CLI edge and each capability's flags, no implementation.
    const own = r.files.filter((f) => f.startsWith("dist/"));
    expect(own.filter((f) => !/^dist\/(cli\/(index|main|commands|options|version)|ui\/streams|\w+\/command)\.js$/.test(f))).toEqual([]);
  });

  it("an offline plan with --psk-storage secrets-manager loads no SDK either (no Secrets Manager client)", () => {
    const r = record([bin, ...offlinePlan, "--psk-storage", "secrets-manager"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("pre-shared keys in AWS Secrets Manager");
    expect([...packages(r.files)].filter(sdk)).toEqual([]);
  });

  it("an offline vpn create plan loads no SDK, renders with the Handlebars runtime alone, and no chalk or ci-info", () => {
    const r = record([bin, ...offlinePlan]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("interface Tunnel<TUNNEL1-NUMBER>");
    const loaded = [...packages(r.files)];
    expect(loaded.filter(sdk)).toEqual([]);
    expect(loaded.filter((p) => never.includes(p))).toEqual([]);
    expect(handlebarsCompiler(r.files)).toEqual([]);
    // It did render: with the runtime and the template the build precompiled, not from templates/.
    expect(r.files).toContain("node_modules/handlebars/dist/handlebars.runtime.js");
    expect(r.files).toContain("dist/render/templates/vpn/csr1000v.hbs.cjs");
    expect(r.files.filter((f) => f.startsWith("dist/render/templates/"))).toEqual(["dist/render/templates/vpn/csr1000v.hbs.cjs"]);
  });

  it("without a terminal colours stay off and chalk is not loaded, NO_COLOR or not", () => {
    const r = record([bin, ...offlinePlan], { NO_COLOR: "" });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("\x1b[");
    expect(packages(r.files).has("chalk")).toBe(false);
  });

  it("the client factory loads only the SDK package of the service asked for", () => {
    const script = `
      const { createAwsClients } = await import("./dist/aws/clients.js");
      const clients = createAwsClients({ region: "ap-northeast-1" }, {});
      const ec2 = await clients.get("ec2");
      if (ec2 !== (await clients.get("ec2"))) throw new Error("a second client was built");
      console.log(ec2.constructor.name);`;
    const r = record(["--input-type=module", "-e", script], { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("EC2Client");
    const loaded = packages(r.files);
    expect(loaded.has("@aws-sdk/client-ec2")).toBe(true);
    expect(loaded.has("@aws-sdk/client-direct-connect")).toBe(false);
    expect(loaded.has("@aws-sdk/client-elastic-load-balancing-v2")).toBe(false);
    expect(loaded.has("@aws-sdk/client-secrets-manager")).toBe(false);
  });

  it("the Secrets Manager client is built with the same settings as the others, and loads its package only", () => {
    const script = `
      const { createAwsClients } = await import("./dist/aws/clients.js");
      const clients = createAwsClients({ region: "eu-west-1", endpointUrl: "http://127.0.0.1:9" }, { AWS_RETRY_MODE: "STANDARD" });
      const sm = await clients.get("secretsmanager");
      const endpoint = await sm.config.endpoint();
      console.log(sm.constructor.name, await sm.config.region(), endpoint.hostname + ":" + endpoint.port, await sm.config.retryStrategy().then((s) => s.mode));`;
    const r = record(["--input-type=module", "-e", script], { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("SecretsManagerClient eu-west-1 127.0.0.1:9 standard");
    const loaded = packages(r.files);
    expect(loaded.has("@aws-sdk/client-secrets-manager")).toBe(true);
    expect(loaded.has("@aws-sdk/client-ec2")).toBe(false);
  });
});
