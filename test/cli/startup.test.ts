/**
 * What the built CLI loads on its fast paths (issue #9, startup). Not a timing test: each case spawns
 * the built binary with a preload that records every file the process loads, maps the bundle's files
 * to the sources in them (dist/bundle/modules.json, written by scripts/bundle.js), and checks that the
 * heavy ones (the AWS SDK, the Handlebars compiler, chalk, ci-info, prompts, spinners) and other
 * commands' modules stay out of runs that do not need them. Timing is bench/startup.js.
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { requireFreshBuild } from "../helpers/binary.js";

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

/** The built CLI is a bundle (scripts/bundle.js): which sources each of its files holds. */
const BUNDLE = "dist/bundle/";
const bundleModules = (): Record<string, string[]> => JSON.parse(readFileSync(`${root}${BUNDLE}modules.json`, "utf8"));

/** What a run loaded, as sources: each bundle file stands for the sources in it; other files as they are. */
function sources(files: string[]): string[] {
  const modules = bundleModules();
  // A pack and the packed chunks that ran from it (each in require.cache under its own file) name the same sources.
  return [...new Set(files.flatMap((f) => (f.startsWith(BUNDLE) && modules[f.slice(BUNDLE.length)] ? modules[f.slice(BUNDLE.length)]! : [f])))];
}

const sdk = (p: string) => p.startsWith("@aws-sdk/") || p.startsWith("@smithy/") || p.startsWith("@aws-crypto/");
/** The Handlebars compiler (parser, code generator) and what only it needs (source-map). */
const handlebarsCompiler = (files: string[]) =>
  files.filter((f) => (f.includes("node_modules/handlebars/") && /\/compiler\/|\/handlebars\.js$/.test(f)) || f.includes("node_modules/source-map/"));
const never = ["chalk", "ci-info", "ora", "@inquirer/prompts", "@inquirer/core", "source-map"];
/** The modules that register a top-level command's flags (src/<cap>/command.ts). */
const commandModules = (srcs: string[]) => srcs.filter((f) => /^src\/\w+\/command\.ts$/.test(f) && f !== "src/cli/commands.ts");

const bin = "bin/vpcwire.js";
const offlinePlan = [
  ...["vpn", "create", "--dry-run", "--offline", "--vpc-id", "vpc-0123456789abcdef0", "--vpc-cidr", "172.31.0.0/16"],
  ...["--cgw-ip", "203.0.113.10", "--onprem-cidr", "10.0.0.0/8"],
];

describe("what the built CLI loads", () => {
  beforeEach(requireFreshBuild);

  it("the recorder sees ES modules and the CommonJS modules they require", () => {
    const r = record(["--input-type=module", "-e", 'await import("commander"); await import("handlebars")']);
    expect(r.code).toBe(0);
    expect(r.files).toContain("node_modules/commander/esm.mjs"); // ES module, via the resolve hook
    expect(r.files).toContain("node_modules/handlebars/dist/cjs/handlebars/compiler/compiler.js"); // required by CommonJS
  });

  it("--help loads the CLI edge, commander and the names of the commands: no command's module, no package from node_modules", () => {
    const r = record([bin, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: vpcwire/);
    expect(r.files).toContain(`${BUNDLE}vpcwire.cjs`);
    expect([...packages(r.files)]).toEqual([]); // commander is in the bundle
    const loaded = sources(r.files);
    expect(loaded).toContain("node_modules/commander/lib/command.js");
    expect(loaded.filter((f) => f.startsWith("src/") && !/^src\/(cli\/(index|main|commands|options|version)|ui\/streams)\.ts$/.test(f))).toEqual([]);
  });

  it("an offline plan with --psk-storage secrets-manager loads no SDK either (no Secrets Manager client)", () => {
    const r = record([bin, ...offlinePlan, "--psk-storage", "secrets-manager"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("pre-shared keys in AWS Secrets Manager");
    expect([...packages(r.files)].filter(sdk)).toEqual([]);
  });

  it("a command's --help loads that command's module only", () => {
    const r = record([bin, "vpn", "create", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--cgw-ip <ipv4>");
    expect(commandModules(sources(r.files))).toEqual(["src/vpn/command.ts"]);
    const help = record([bin, "help", "flets"]);
    expect(help.stdout).toContain("isatap");
    expect(commandModules(sources(help.files))).toEqual(["src/flets/command.ts"]);
  });

  it("an offline vpn create plan loads no SDK, no other capability, renders with the Handlebars runtime alone, and no chalk or ci-info", () => {
    const r = record([bin, ...offlinePlan]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("interface Tunnel<TUNNEL1-NUMBER>");
    const loaded = sources(r.files);
    const pkgs = [...packages(loaded)];
    expect(pkgs.filter(sdk)).toEqual([]);
    expect(pkgs.filter((p) => never.includes(p))).toEqual([]);
    expect(handlebarsCompiler(loaded)).toEqual([]);
    expect(loaded.filter((f) => /^src\/(dx|flets|privatelink|lifecycle|export|route|policy)\//.test(f) || f === "src/aws/clients.ts")).toEqual([]);
    expect(commandModules(loaded)).toEqual(["src/vpn/command.ts"]);
    // It did render: with the runtime (bundled) and the template the build precompiled, not from templates/.
    expect(loaded).toContain("node_modules/handlebars/dist/cjs/handlebars/runtime.js");
    expect(loaded.filter((f) => f.includes("/templates/"))).toEqual([`${BUNDLE}templates/vpn/csr1000v.hbs.cjs`]);
  });

  it("without a terminal colours stay off and chalk is not loaded, NO_COLOR or not", () => {
    const r = record([bin, ...offlinePlan], { NO_COLOR: "" });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("\x1b[");
    expect(packages(sources(r.files)).has("chalk")).toBe(false);
  });

  it("every file of the bundle is listed with its sources, and every source of the CLI is in the bundle", () => {
    const modules = bundleModules();
    const inBundle = new Set(Object.values(modules).flat());
    const listed = Object.keys(modules);
    expect(listed).toContain("vpcwire.cjs");
    for (const file of listed) expect(existsSync(`${root}${BUNDLE}${file}`), file).toBe(true);
    expect(inBundle.has("src/vpn/create.ts")).toBe(true);
    expect(inBundle.has("src/policy/print.ts")).toBe(true);
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

  it("the offline plan writes to a pipe, a file or /dev/null without Node's stream modules (their loading costs a fifth of a node start)", () => {
    const builtins = join(scratch, "builtins.cjs");
    writeFileSync(builtins, 'process.on("exit", () => require("node:fs").writeFileSync(process.env.BUILTINS_LOG, process.moduleLoadList.join("\\n")));');
    const env = { PATH: process.env.PATH, HOME: "/nonexistent", NO_COLOR: "1" };
    const targets: Array<[string, () => number | "pipe"]> = [
      ["a pipe", () => "pipe"],
      ["a file", () => openSync(join(scratch, "out.txt"), "w")],
      ["/dev/null", () => openSync("/dev/null", "w")],
    ];
    // What a bare node loads (its own start-up uses a few stream helpers) is not the CLI's doing.
    const baseLog = join(scratch, `builtins-${runs++}.txt`);
    spawnSync(process.execPath, ["-r", builtins, "-e", "0"], { env: { ...env, BUILTINS_LOG: baseLog } });
    const bare = new Set(readFileSync(baseLog, "utf8").split("\n"));
    for (const [name, target] of targets) {
      const log = join(scratch, `builtins-${runs++}.txt`);
      const out = target();
      const r = spawnSync(process.execPath, ["-r", builtins, bin, ...offlinePlan], {
        cwd: root,
        env: { ...env, BUILTINS_LOG: log },
        stdio: ["pipe", out, "pipe"],
        encoding: "utf8",
      });
      if (typeof out === "number") closeSync(out);
      expect(r.status, name).toBe(0);
      const loaded = readFileSync(log, "utf8")
        .split("\n")
        .filter((m) => !bare.has(m));
      expect(
        loaded.filter((m) => /^NativeModule (stream|internal\/streams\/|net$|tty$)/.test(m)),
        name,
      ).toEqual([]);
    }
    expect(readFileSync(join(scratch, "out.txt"), "utf8")).toContain("Plan for stack");
  });
});
