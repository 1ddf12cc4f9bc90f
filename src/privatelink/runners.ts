/** The only code of `privatelink relay` that writes to AWS: one runner per resource, and the health wait. */
import {
  AcceptVpcEndpointConnectionsCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcEndpointCommand,
  CreateVpcEndpointServiceConfigurationCommand,
  ModifyVpcEndpointServicePermissionsCommand,
  type VpcEndpoint,
} from "@aws-sdk/client-ec2";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeregisterTargetsCommand,
  ModifyListenerCommand,
  ModifyLoadBalancerAttributesCommand,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { send } from "../aws/call.js";
import { awsCode } from "../aws/errors.js";
import { stackTags, tagSpec } from "../aws/tags.js";
import type { Journal, StepOutcome, StepResults, StepRunner } from "../core/apply.js";
import type { Context } from "../core/context.js";
import type { PlanStep } from "../core/plan.js";
import { WaitFailedError } from "../core/poll.js";
import { waiter } from "../core/wait.js";
import { toIpPermission } from "../net/allow.js";
import {
  CROSS_ZONE,
  DEAD_ENDPOINT,
  DEAD_SERVICE,
  describeEndpoint,
  describeEndpointService,
  describeLoadBalancer,
  type EndpointAddress,
  endpointAddresses,
  loadBalancerView,
  lower,
  targetHealth,
} from "./aws.js";
import { accountPrincipal, HEALTH_CHECK } from "./decide.js";
import { explainTargetHealth } from "./health.js";
import type { RelayInput } from "./inputs.js";
import { type Direction, RELAY_IP_TAG, RELAY_MODE_TAG, role } from "./names.js";

/** Default wait per resource: NLBs take minutes to become active, endpoints a minute or two. */
export const RELAY_DEFAULT_TIMEOUT_MS = 20 * 60_000;

/** What every runner works with. */
interface RunnerEnv {
  ctx: Context;
  input: RelayInput;
  journal: Journal;
  wait: ReturnType<typeof waiter>;
}

/** What the endpoint runner hands to finish. */
export interface EndpointView {
  addresses: EndpointAddress[];
  dnsName?: string;
}

/** The health of one direction's targets, in words for people. */
export interface TargetHealthReport {
  port: number;
  ip: string;
  state: string;
  reason?: string;
  description?: string;
  /** What the reason means here, and what to do. */
  advice?: string;
}

const dir = (step: PlanStep) => step.params.direction as Direction;

function idOf(results: StepResults, stepId: string): string {
  const id = results.get(stepId)?.resourceId;
  if (!id) throw new Error(`step ${stepId} produced no id`);
  return id;
}

export function relayRunners(ctx: Context, input: RelayInput, journal: Journal): Record<string, StepRunner> {
  const env: RunnerEnv = { ctx, input, journal, wait: waiter(ctx, ctx.config.timeoutMs ?? RELAY_DEFAULT_TIMEOUT_MS) };
  return {
    "load-balancer": loadBalancerRunner(env),
    "target-group": targetGroupRunner(env),
    listener: listenerRunner(env),
    "endpoint-service": endpointServiceRunner(env),
    "endpoint-service-permission": permissionRunner(env),
    "security-group": securityGroupRunner(env),
    "interface-endpoint": interfaceEndpointRunner(env),
    "target-health": targetHealthRunner(env),
  };
}

const kindTags = (input: RelayInput, r: string, name?: string) => stackTags(input.stack, "privatelink", r, name);

/** Create the internal NLB (or take the one planned), wait until active, turn cross-zone on when asked. */
function loadBalancerRunner({ ctx, input, journal, wait }: RunnerEnv): StepRunner {
  return async (step): Promise<StepOutcome> => {
    let arn = step.resourceId;
    const name = String(step.params.name);
    if (step.action === "create") {
      const out = await send(
        ctx,
        "elbv2",
        new CreateLoadBalancerCommand({
          Name: name,
          // Neither is the API's default (application, internet-facing): say both.
          Type: "network",
          Scheme: "internal",
          IpAddressType: "ipv4",
          Subnets: step.params.subnets as string[],
          Tags: kindTags(input, role.nlb(dir(step)), name),
        }),
      );
      arn = out.LoadBalancers![0]!.LoadBalancerArn!;
      journal.created(step.resource, arn, out.LoadBalancers![0]!.State?.Code);
    }
    // No built-in waiter acceptor for "failed" (it would poll until the timeout): our own.
    const lb = await wait(
      `load balancer ${name}`,
      `load balancer ${name}`,
      () => describeLoadBalancer(ctx, arn!),
      (l) => {
        const code = lower(l?.State?.Code);
        if (code === "active") return { status: "done", state: "active" };
        if (code === "failed") return { status: "failed", state: "failed", reason: l?.State?.Reason ?? "AWS gave no reason" };
        return { status: "wait", state: l?.State?.Code ?? "not visible yet" };
      },
    );
    if (step.params.crossZone) {
      await send(ctx, "elbv2", new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn!, Attributes: [{ Key: CROSS_ZONE, Value: "true" }] }));
      ctx.io.success(`${name}: cross-zone load balancing on`);
    }
    return { resourceId: arn!, state: "active", data: { ...loadBalancerView(name, lb) } };
  };
}

/** Create the IP target group (TCP health checks), register the target, deregister stale ones. */
function targetGroupRunner({ ctx, input, journal }: RunnerEnv): StepRunner {
  return async (step): Promise<StepOutcome> => {
    const p = step.params as {
      name: string;
      vpcId: string;
      port: number;
      target: { ip: string; port: number; availabilityZone?: string };
      register?: boolean;
      deregister: Array<{ id: string; port: number; availabilityZone?: string }>;
    };
    let arn = step.resourceId;
    if (step.action === "create") {
      const out = await send(
        ctx,
        "elbv2",
        new CreateTargetGroupCommand({
          Name: p.name,
          Protocol: "TCP",
          Port: p.port,
          VpcId: p.vpcId,
          // The default is "instance": on-prem hosts and addresses are registered by IP.
          TargetType: "ip",
          IpAddressType: "ipv4",
          HealthCheckEnabled: true,
          HealthCheckProtocol: "TCP",
          HealthCheckPort: "traffic-port",
          HealthCheckIntervalSeconds: HEALTH_CHECK.intervalSeconds,
          HealthyThresholdCount: HEALTH_CHECK.healthyThreshold,
          UnhealthyThresholdCount: HEALTH_CHECK.unhealthyThreshold,
          Tags: kindTags(input, role.targetGroup(dir(step), p.port), p.name),
        }),
      );
      arn = out.TargetGroups![0]!.TargetGroupArn!;
      journal.created(step.resource, arn);
    }
    if (step.action === "create" || p.register) {
      await send(
        ctx,
        "elbv2",
        new RegisterTargetsCommand({
          TargetGroupArn: arn!,
          Targets: [
            {
              Id: p.target.ip,
              Port: p.target.port,
              // Required for an address outside the target group's VPC; "all" lets every NLB node reach it.
              ...(p.target.availabilityZone ? { AvailabilityZone: p.target.availabilityZone } : {}),
            },
          ],
        }),
      );
      ctx.io.success(`${p.target.ip}:${p.target.port} registered in ${p.name}`);
    }
    if (p.deregister.length) {
      await send(
        ctx,
        "elbv2",
        new DeregisterTargetsCommand({
          TargetGroupArn: arn!,
          Targets: p.deregister.map((t) => ({ Id: t.id, Port: t.port, ...(t.availabilityZone ? { AvailabilityZone: t.availabilityZone } : {}) })),
        }),
      );
      ctx.io.success(`${p.deregister.map((t) => `${t.id}:${t.port}`).join(", ")} deregistered from ${p.name}`);
    }
    return { resourceId: arn!, data: { name: p.name, port: p.port, target: p.target } };
  };
}

/** Create the port's TCP listener, or point an existing one at the port's target group. */
function listenerRunner({ ctx, input, journal }: RunnerEnv): StepRunner {
  return async (step, results): Promise<StepOutcome> => {
    const d = dir(step);
    const port = Number(step.params.port);
    const tgArn = idOf(results, role.targetGroup(d, port));
    const actions = [{ Type: "forward" as const, TargetGroupArn: tgArn }];
    let arn = step.resourceId;
    if (step.action === "create") {
      const out = await send(
        ctx,
        "elbv2",
        new CreateListenerCommand({
          LoadBalancerArn: idOf(results, role.nlb(d)),
          Protocol: "TCP",
          Port: port,
          DefaultActions: actions,
          Tags: kindTags(input, role.listener(d, port)),
        }),
      );
      arn = out.Listeners![0]!.ListenerArn!;
      journal.created(step.resource, arn);
    } else if (step.action === "update") {
      await send(ctx, "elbv2", new ModifyListenerCommand({ ListenerArn: arn!, Protocol: "TCP", DefaultActions: actions }));
      ctx.io.success(`listener TCP ${port} now forwards to ${tgArn}`);
    }
    return { resourceId: arn! };
  };
}

/** Create the endpoint service on the NLB (no manual acceptance), wait until it is available. */
function endpointServiceRunner({ ctx, input, journal, wait }: RunnerEnv): StepRunner {
  return async (step, results): Promise<StepOutcome> => {
    const d = dir(step);
    let id = step.resourceId;
    if (step.action === "create") {
      const out = await send(
        ctx,
        "ec2",
        new CreateVpcEndpointServiceConfigurationCommand({
          NetworkLoadBalancerArns: [idOf(results, role.nlb(d))],
          // Connections from this stack's own endpoint need no manual approval. If a service
          // still wants acceptance (reused, or an emulator ignoring the flag), the endpoint runner
          // accepts its own pending connection; both paths end in "available".
          AcceptanceRequired: false,
          TagSpecifications: tagSpec("vpc-endpoint-service", input.stack, "privatelink", role.service(d)),
        }),
      );
      id = out.ServiceConfiguration!.ServiceId!;
      journal.created(step.resource, id, out.ServiceConfiguration?.ServiceState);
    }
    // ServiceState really is PascalCase on the wire (Available); compare lowercased all the same.
    const svc = await wait(
      `endpoint service ${id}`,
      `endpoint service ${id}`,
      () => describeEndpointService(ctx, id!),
      (s) => {
        const state = lower(s?.ServiceState);
        if (state === "available") return { status: "done", state: s!.ServiceState! };
        if (DEAD_SERVICE.includes(state)) return { status: "failed", state: s!.ServiceState!, reason: "the endpoint service is failed or being deleted" };
        return { status: "wait", state: s?.ServiceState ?? "not visible yet" };
      },
    );
    return {
      resourceId: id!,
      state: svc?.ServiceState ?? "Available",
      data: { serviceName: svc?.ServiceName, availabilityZones: svc?.AvailabilityZones ?? [], acceptanceRequired: svc?.AcceptanceRequired ?? false },
    };
  };
}

/** Allow this account on the service. */
function permissionRunner({ ctx }: RunnerEnv): StepRunner {
  return async (step, results): Promise<StepOutcome> => {
    const d = dir(step);
    const serviceId = idOf(results, role.service(d));
    // Acceptance settings do not replace permissions: a consumer must be an allowed principal.
    // Whether the provider's own account needs the entry is not documented, so it is always added.
    const principal = (step.params.principal as string | undefined) ?? accountPrincipal(idOf(results, role.nlb(d)));
    if (step.action === "create") {
      await send(ctx, "ec2", new ModifyVpcEndpointServicePermissionsCommand({ ServiceId: serviceId, AddAllowedPrincipals: [principal] }));
      ctx.io.success(`${serviceId} allows ${principal}`);
    }
    return { resourceId: `${serviceId}/${principal}` };
  };
}

/** Create the endpoint's security group (tagged), add the rules it lacks (each tagged too). */
function securityGroupRunner({ ctx, input, journal }: RunnerEnv): StepRunner {
  return async (step): Promise<StepOutcome> => {
    const p = step.params as { vpcId: string; groupName: string; description: string; rules: Array<{ port: number; cidr: string }> };
    const d = dir(step);
    let id = step.resourceId;
    if (step.action === "create") {
      const out = await send(
        ctx,
        "ec2",
        new CreateSecurityGroupCommand({
          GroupName: p.groupName,
          Description: p.description,
          VpcId: p.vpcId,
          TagSpecifications: tagSpec("security-group", input.stack, "privatelink", role.securityGroup(d), p.groupName),
        }),
      );
      id = out.GroupId!;
      journal.created(step.resource, id);
    }
    for (const r of p.rules) {
      try {
        await send(
          ctx,
          "ec2",
          new AuthorizeSecurityGroupIngressCommand({
            GroupId: id!,
            IpPermissions: [toIpPermission({ protocol: "tcp", fromPort: r.port, toPort: r.port }, r.cidr, `vpcwire ${input.stack} ${d} relay`)],
            TagSpecifications: tagSpec("security-group-rule", input.stack, "privatelink", role.securityGroup(d)),
          }),
        );
      } catch (error) {
        // The same rule added meanwhile is what we wanted.
        if (awsCode(error) !== "InvalidPermission.Duplicate") throw error;
      }
    }
    return { resourceId: id! };
  };
}

/** Create the interface endpoint, accept its own connection if the service wants that, wait until available. */
function interfaceEndpointRunner({ ctx, input, journal, wait }: RunnerEnv): StepRunner {
  // Where on-prem connects, for `vpcwire status`: on the endpoint itself (pinned there), or on a NAT server.
  const relayTags = (d: Direction, p: { subnetConfigurations?: unknown[] }) =>
    d === "inbound" && input.inbound?.relayIp
      ? [
          { Key: RELAY_IP_TAG, Value: input.inbound.relayIp },
          { Key: RELAY_MODE_TAG, Value: p.subnetConfigurations?.length ? "endpoint" : "nat" },
        ]
      : [];
  return async (step, results): Promise<StepOutcome> => {
    const d = dir(step);
    const p = step.params as {
      vpcId: string;
      subnetIds: string[];
      subnetConfigurations?: Array<{ SubnetId: string; Ipv4: string }>;
      serviceName?: string;
    };
    const serviceId = idOf(results, role.service(d));
    let id = step.resourceId;
    if (step.action === "create") {
      // A service created (or waited for) in this run says its name; an unchanged one's is in the params.
      const serviceName = (results.get(role.service(d))?.data?.serviceName as string | undefined) ?? p.serviceName;
      if (!serviceName) throw new Error(`endpoint service ${serviceId} has no service name`);
      const out = await send(
        ctx,
        "ec2",
        new CreateVpcEndpointCommand({
          // The API's default is Gateway, which cannot reach an endpoint service.
          VpcEndpointType: "Interface",
          VpcId: p.vpcId,
          ServiceName: serviceName,
          SubnetIds: p.subnetIds,
          // Fixes the interface on the relay address, so on-prem connects to it with no NAT server.
          ...(p.subnetConfigurations ? { SubnetConfigurations: p.subnetConfigurations } : {}),
          SecurityGroupIds: [idOf(results, role.securityGroup(d))],
          // A service without a verified private DNS name has nothing to resolve privately.
          PrivateDnsEnabled: false,
          TagSpecifications: [{ ResourceType: "vpc-endpoint", Tags: [...kindTags(input, role.endpoint(d)), ...relayTags(d, p)] }],
        }),
      );
      id = out.VpcEndpoint!.VpcEndpointId!;
      journal.created(step.resource, id, out.VpcEndpoint?.State);
    }
    let accepted = false;
    const describe = async (): Promise<VpcEndpoint | undefined> => {
      const ep = await describeEndpoint(ctx, id!);
      // Our own connection waiting for approval (the service wants acceptance): approve it once.
      if (!accepted && lower(ep?.State) === "pendingacceptance") {
        accepted = true;
        const out = await send(ctx, "ec2", new AcceptVpcEndpointConnectionsCommand({ ServiceId: serviceId, VpcEndpointIds: [id!] }));
        const failed = out.Unsuccessful?.find((u) => u.ResourceId === id);
        if (failed) throw new WaitFailedError(`accepting ${id} on ${serviceId} failed: ${failed.Error?.Code}: ${failed.Error?.Message}`);
        ctx.io.success(`${serviceId} accepted the connection from ${id}`);
        return describeEndpoint(ctx, id!);
      }
      return ep;
    };
    const ep = await wait(`interface endpoint ${id}`, `interface endpoint ${id}`, describe, (e) => {
      const state = lower(e?.State);
      if (state === "available") return { status: "done", state: e!.State! };
      if (DEAD_ENDPOINT.includes(state)) {
        const why = e?.LastError?.Message ?? e?.FailureReason ?? "AWS gave no reason";
        return { status: "failed", state: e!.State!, reason: why };
      }
      return { status: "wait", state: e?.State ?? "not visible yet" };
    });
    let addresses = await endpointAddresses(ctx, ep!);
    if (addresses.length === 0 && p.subnetConfigurations) {
      // Some emulators do not list endpoint interfaces; the pinned address is known anyway.
      addresses = p.subnetConfigurations.map((c) => ({ eniId: "", ip: c.Ipv4, subnetId: c.SubnetId, az: "" }));
    }
    const view: EndpointView = { addresses, ...(ep?.DnsEntries?.[0]?.DnsName ? { dnsName: ep.DnsEntries[0].DnsName } : {}) };
    return { resourceId: id!, state: ep?.State ?? "available", data: { ...view } };
  };
}

/**
 * Wait until every target of the direction's groups is past its initial checks. A target that ends
 * `unhealthy` is reported, not thrown: the relay is built and a firewall change fixes it.
 */
function targetHealthRunner({ ctx, wait }: RunnerEnv): StepRunner {
  return async (step, results): Promise<StepOutcome> => {
    const d = dir(step);
    const p = step.params as { destinationIp: string; sourceCidrs: string[]; targetGroups: Array<{ port: number; name: string; step: string }> };
    const reports = await Promise.all(
      p.targetGroups.map(async (g) => {
        const found = await wait(
          `targets of ${g.name}`,
          `${d}: health checks of ${g.name}`,
          () => targetHealth(ctx, idOf(results, g.step)),
          (list) => {
            const states = list.map((t) => lower(t.TargetHealth?.State));
            const state = states.length ? [...new Set(states)].join(", ") : "no targets";
            if (states.length && states.every((s) => s === "healthy" || s.startsWith("unhealthy") || s === "unused" || s === "unavailable")) {
              return { status: "done", state };
            }
            if (!states.length) return { status: "failed", state, reason: "the target group has no registered target" };
            return { status: "wait", state };
          },
        );
        return found.map((t): TargetHealthReport => {
          const advice = explainTargetHealth(d, { destinationIp: p.destinationIp, sourceCidrs: p.sourceCidrs }, t);
          return {
            port: g.port,
            ip: t.Target?.Id ?? "",
            state: t.TargetHealth?.State ?? "unknown",
            ...(t.TargetHealth?.Reason ? { reason: t.TargetHealth.Reason } : {}),
            ...(t.TargetHealth?.Description ? { description: t.TargetHealth.Description } : {}),
            ...(advice ? { advice } : {}),
          };
        });
      }),
    );
    const targets = reports.flat();
    const healthy = targets.every((t) => lower(t.state) === "healthy");
    return { state: healthy ? "healthy" : "unhealthy", data: { targets } };
  };
}
