/**
 * The policy of each command is sufficient and minimal: every AWS operation a scenario of the command
 * calls is allowed by the command's policy, and every action of the policy was called by some
 * scenario of that command (the tag-on-create actions, which IAM checks but nobody calls, only when a
 * create of their service was called).
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { registerAll } from "../../src/cli/commands.js";
import type { ActionFactory } from "../../src/cli/kit.js";
import { renderPermissionsDoc } from "../../src/policy/doc.js";
import { IAM_PREFIX, iamAction, ON_BEHALF, OPERATIONS, POLICY_COMMANDS, type PolicyCommand, TAG_ON_CREATE } from "../../src/policy/operations.js";
import { buildPolicy, operationsOf, policyActions } from "../../src/policy/policy.js";
import { FakeAws, installFakeAws, uninstallFakeAws } from "../fakes/aws.js";
import { ALL_SERVICES } from "../fakes/services.js";
import { runCli } from "../helpers/cli.js";
import { SCENARIOS } from "./scenarios.js";

afterEach(() => uninstallFakeAws());

/** `ec2:DescribeVpcs` for a recorded `ec2:DescribeVpcs` call (the fake names services as the SDK clients). */
function actionOfCall(call: string): string {
  const [service, name] = call.split(":") as [keyof typeof IAM_PREFIX, string];
  return `${IAM_PREFIX[service]}:${name}`;
}

describe("every command that calls AWS has scenarios, and every CLI command is covered", () => {
  it("SCENARIOS and the table name the same commands", () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual([...POLICY_COMMANDS].sort());
  });

  it("every leaf command of the CLI is in the table (a new command needs its rows and scenarios), except `policy`", async () => {
    const program = new Command("vpcwire");
    const noop: ActionFactory = () => async () => undefined;
    await registerAll(program, noop);
    const leaves = (c: Command, prefix: string[]): string[] =>
      c.commands.length ? c.commands.flatMap((s) => leaves(s, [...prefix, s.name()])) : [prefix.join(" ")];
    const all = program.commands.flatMap((c) => leaves(c, [c.name()]));
    expect(all.filter((c) => c !== "policy").sort()).toEqual([...POLICY_COMMANDS].sort());
  });
});

describe.each(POLICY_COMMANDS.map((c) => [c]))("vpcwire %s", (command: PolicyCommand) => {
  it("its policy allows every operation its scenarios call, and nothing they do not", async () => {
    const called = new Set<string>();
    for (const scenario of SCENARIOS[command]!) for (const call of await scenario.run()) called.add(`${call.service}:${call.operation}`);
    const policy = buildPolicy([command]);
    const allowed = new Set(policyActions(policy));
    // Sufficient: each call's action is allowed (and the table lists the operation for this command).
    const missing = [...called].filter((c) => !allowed.has(actionOfCall(c)));
    expect(missing, `operations ${command} calls that its policy does not allow: add rows to src/policy/operations.ts`).toEqual([]);
    // Minimal: each allowed action was called, or is the tag-on-create check of a create that was called.
    const calledActions = new Set([...called].map(actionOfCall));
    const implied = new Set<string>();
    for (const o of operationsOf([command])) {
      if (o.access.kind === "create" && calledActions.has(iamAction(o))) implied.add(TAG_ON_CREATE[o.service]?.action ?? "");
    }
    // IAM checks these on behalf of the service when the call that needs them is made.
    for (const b of ON_BEHALF) if (calledActions.has(iamAction(b.when))) implied.add(b.action);
    const unused = [...allowed].filter((a) => !calledActions.has(a) && !implied.has(a));
    expect(unused, `actions in the ${command} policy that no scenario called`).toEqual([]);
  }, 60_000);
});

describe("creates carry the stack tag, so the aws:RequestTag conditions hold", () => {
  it("every create and tag call the scenarios make names vpcwire:stack", async () => {
    const creates = new Set(OPERATIONS.filter((o) => o.access.kind === "create" || o.access.kind === "tagging").map((o) => `${o.service}:${o.name}`));
    const seen = new Set<string>();
    for (const command of ["vpn create", "dx accept-vif", "flets isatap", "privatelink relay"] as const) {
      for (const scenario of SCENARIOS[command]!) {
        for (const call of (await scenario.run()).filter((c) => creates.has(`${c.service}:${c.operation}`))) {
          seen.add(`${call.service}:${call.operation}`);
          const input = call.input;
          const tags = [
            ...((input.TagSpecifications as Array<{ Tags?: Array<{ Key?: string }> }> | undefined) ?? []).flatMap((t) => t.Tags ?? []),
            ...((input.Tags as Array<{ Key?: string }> | undefined) ?? []),
            ...((input.tags as Array<{ key?: string }> | undefined) ?? []).map((t) => ({ Key: t.key })),
          ];
          expect(
            tags.some((t) => t.Key === "vpcwire:stack"),
            `${call.operation} ${JSON.stringify(input)}`,
          ).toBe(true);
        }
      }
    }
    expect([...seen].sort()).toEqual([...creates].sort());
  }, 120_000);
});

describe("the policy document", () => {
  it("reads on *, creates with aws:RequestTag, deletes with aws:ResourceTag, tags only at creation", () => {
    const vpn = buildPolicy(["vpn create"]);
    const read = vpn.Statement.find((s) => s.Sid === "Read")!;
    expect(read.Resource).toBe("*");
    expect(read.Action).toContain("ec2:DescribeVpnConnections");
    expect(read.Condition).toBeUndefined();
    const creates = vpn.Statement.filter((s) => s.Action.includes("ec2:CreateVpnGateway"));
    expect(creates).toEqual([
      {
        Sid: expect.stringMatching(/^CreateTagged/),
        Effect: "Allow",
        Action: ["ec2:CreateVpnGateway"],
        Resource: "arn:aws:ec2:*:*:vpn-gateway/*",
        Condition: { StringLike: { "aws:RequestTag/vpcwire:stack": "*" } },
      },
    ]);
    const createTags = vpn.Statement.find((s) => s.Action.includes("ec2:CreateTags"))!;
    expect(createTags.Condition).toEqual({
      StringEquals: {
        "ec2:CreateAction": [
          "AuthorizeSecurityGroupIngress",
          "CreateCustomerGateway",
          "CreateTransitGateway",
          "CreateTransitGatewayVpcAttachment",
          "CreateVpnConnection",
          "CreateVpnGateway",
        ],
      },
      StringLike: { "aws:RequestTag/vpcwire:stack": "*" },
    });
    // The connection's customer gateway and its virtual private or transit gateway may exist already: allowed without a tag condition.
    const refs = vpn.Statement.find((s) => s.Action.includes("ec2:CreateVpnConnection") && !s.Condition)!;
    expect(refs.Resource).toEqual(["arn:aws:ec2:*:*:customer-gateway/*", "arn:aws:ec2:*:*:transit-gateway/*", "arn:aws:ec2:*:*:vpn-gateway/*"]);
    // vpn create deletes nothing.
    expect(policyActions(vpn).filter((a) => /:Delete/.test(a))).toEqual([]);

    const destroy = buildPolicy(["destroy"], { stack: "office" });
    const deletes = destroy.Statement.find((s) => s.Action.includes("ec2:DeleteVpnConnection"))!;
    expect(deletes.Condition).toEqual({ StringEquals: { "aws:ResourceTag/vpcwire:stack": "office" } });
    expect(deletes.Resource).toBe("arn:aws:ec2:*:*:vpn-connection/*");
    // Detach: the stack's gateway by tag, the VPC (never the stack's) without.
    const detach = destroy.Statement.filter((s) => s.Action.includes("ec2:DetachVpnGateway"));
    expect(detach.map((s) => [s.Resource, s.Condition ? "tag" : "none"])).toEqual([
      ["arn:aws:ec2:*:*:vpn-gateway/*", "tag"],
      ["arn:aws:ec2:*:*:vpc/*", "none"],
    ]);
    expect(policyActions(destroy).filter((a) => /:Create/.test(a))).toEqual([]);
  });

  it("ELBv2 creates need elasticloadbalancing:AddTags limited to those creates; Direct Connect tags only with the stack tag", () => {
    const relay = buildPolicy(["privatelink relay"]);
    const addTags = relay.Statement.find((s) => s.Action.includes("elasticloadbalancing:AddTags"))!;
    expect(addTags.Condition).toMatchObject({
      StringEquals: { "elasticloadbalancing:CreateAction": ["CreateListener", "CreateLoadBalancer", "CreateTargetGroup"] },
    });
    expect(addTags.Resource).toEqual([
      "arn:aws:elasticloadbalancing:*:*:listener/net/*/*/*",
      "arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*",
      "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
    ]);
    const dx = buildPolicy(["dx accept-vif"]);
    expect(dx.Statement.find((s) => s.Action.includes("directconnect:TagResource"))).toMatchObject({
      Resource: "arn:aws:directconnect:*:*:dxvif/*",
      Condition: { StringLike: { "aws:RequestTag/vpcwire:stack": "*" } },
    });
    expect(dx.Statement.find((s) => s.Action.includes("directconnect:ConfirmPrivateVirtualInterface"))!.Condition).toBeUndefined();
  });

  it("keys in Secrets Manager: GetSecretValue only on Site-to-Site VPN's s2svpn! secrets; the service-linked role only with CreateVpnConnection", () => {
    for (const command of ["vpn create", "vpn apply", "vpn config"] as const) {
      const p = buildPolicy([command]);
      expect(p.Statement.find((s) => s.Action.includes("secretsmanager:GetSecretValue"))).toEqual({
        Sid: "ReadServiceSecrets",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue"],
        Resource: "arn:aws:secretsmanager:*:*:secret:s2svpn!*",
      });
    }
    for (const command of ["vpn create", "vpn apply"] as const) {
      expect(buildPolicy([command]).Statement.find((s) => s.Action.includes("iam:CreateServiceLinkedRole"))).toEqual({
        Sid: "OnBehalf",
        Effect: "Allow",
        Action: ["iam:CreateServiceLinkedRole"],
        Resource: "arn:aws:iam::*:role/aws-service-role/s2svpn.amazonaws.com/AWSServiceRoleForVPCS2SVPN*",
        Condition: { StringLike: { "iam:AWSServiceName": "s2svpn.amazonaws.com" } },
      });
    }
    expect(policyActions(buildPolicy(["vpn config"]))).not.toContain("iam:CreateServiceLinkedRole");
    expect(policyActions(buildPolicy(["destroy"])).filter((a) => a.startsWith("secretsmanager:") || a.startsWith("iam:"))).toEqual([]);
  });

  it("route explain, dx status, list and status only read", () => {
    for (const c of ["route explain", "dx status", "list", "status"] as const) {
      const p = buildPolicy([c]);
      expect(p.Statement.map((s) => s.Sid)).toEqual(["Read"]);
    }
  });
});

describe("vpcwire policy", () => {
  it("prints the policy document on stdout (no AWS call, no Region needed)", async () => {
    const aws = installFakeAws(new FakeAws(), ALL_SERVICES);
    const r = await runCli(["policy", "vpn", "create"], { aws, env: { AWS_REGION: undefined } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(buildPolicy(["vpn create"]));
    expect(r.stderr).toMatch(/IAM policy for vpcwire vpn create: \d+ actions; writes limited to resources tagged vpcwire:stack=\*/);
    expect(aws.calls).toEqual([]);
  });

  it("--json, --stack and all", async () => {
    const r = await runCli(["policy", "destroy", "--stack", "office", "--json"]);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, ok: true, command: "policy", for: ["destroy"], stack: "office" });
    expect(doc.policy).toEqual(buildPolicy(["destroy"], { stack: "office" }));
    expect(doc.operations).toContainEqual({ action: "ec2:DeleteVpnConnection", access: "owned", usedBy: "step vpn-connection-delete" });
    const all = JSON.parse((await runCli(["policy", "all"])).stdout);
    expect(policyActions(all)).toEqual(
      [...new Set([...OPERATIONS.map(iamAction), "ec2:CreateTags", "elasticloadbalancing:AddTags", ...ON_BEHALF.map((b) => b.action)])].sort(),
    );
  });

  it("an unknown command or a bad --stack is a usage error (exit 2)", async () => {
    let r = await runCli(["policy", "vpn", "delete"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/policy: "vpn delete" is not a vpcwire command that calls AWS; one of: vpn create, vpn config, vpn devices, dx accept-vif/);
    r = await runCli(["policy", "destroy", "--stack", "Office!"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--stack: "Office!" is not a stack name/);
    r = await runCli(["policy"]);
    expect(r.code).toBe(2);
  });
});

describe("docs/PERMISSIONS.md", () => {
  it("is generated from the table (UPDATE_GOLDEN=1 rewrites it)", () => {
    const path = new URL("../../docs/PERMISSIONS.md", import.meta.url);
    // As Biome formats Markdown (aligned tables, compact JSON), so `biome check .` stays clean.
    const biome = fileURLToPath(new URL("../../node_modules/.bin/biome", import.meta.url));
    const text = execFileSync(biome, ["format", "--stdin-file-path=docs/PERMISSIONS.md"], { input: renderPermissionsDoc() }).toString();
    if (process.env.UPDATE_GOLDEN) writeFileSync(path, text);
    expect(readFileSync(path, "utf8")).toBe(text);
  });
});
