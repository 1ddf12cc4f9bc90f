/** The deletes of a privatelink teardown, each waiting until its resource is gone. */
import { send } from "../../aws/call.js";
import { awsCode, isNotFound } from "../../aws/errors.js";
import type { Journal, StepRunner } from "../../core/apply.js";
import type { Context } from "../../core/context.js";
import { AwsError } from "../../core/errors.js";
import { dependencyVerdict, retryWhileBlocked, untilDone } from "../../core/wait.js";
import { DESTROY_TIMEOUT_MS, deletedOutcome, teardownRunners } from "../../lifecycle/teardown.js";
import type { StackSummary } from "../../lifecycle/types.js";
import { describeEndpoint, describeEndpointService, describeLoadBalancer, listEndpointConnections, lower } from "../aws.js";
import { LIVE_CONNECTION } from "./parts.js";

const ec2 = () => import("@aws-sdk/client-ec2");
const elb = () => import("@aws-sdk/client-elastic-load-balancing-v2");

/** An `Unsuccessful[]` item of a batch call as an error (its code decides: gone, retry, or fail). */
function unsuccessful(operation: string, id: string, error: { Code?: string; Message?: string } | undefined): AwsError {
  const code = error?.Code ?? "UnknownError";
  return new AwsError(`EC2 ${operation} failed for ${id}: ${code}: ${error?.Message ?? "(no message)"}`, { service: "EC2", operation, code });
}

export async function destroyRunners(ctx: Context, _summary: StackSummary, journal: Journal): Promise<Record<string, StepRunner>> {
  const [m, lbApi] = await Promise.all([ec2(), elb()]);
  const timeoutMs = ctx.config.timeoutMs ?? DESTROY_TIMEOUT_MS;
  const waitFor = untilDone(ctx, timeoutMs);
  const gone =
    <T>(read: () => Promise<T | undefined>, state: (v: T) => string | undefined) =>
    async () => {
      try {
        const v = await read();
        return v === undefined ? "deleted" : (state(v) ?? "unknown");
      } catch (error) {
        if (isNotFound(error)) return "deleted";
        throw error;
      }
    };
  return {
    ...(await teardownRunners(ctx, journal, timeoutMs)),

    "privatelink-endpoint-delete": async (step) => {
      const p = step.params as { endpointId: string; state?: string };
      if (lower(p.state) !== "deleting") {
        await retryWhileBlocked(ctx, {
          what: `interface endpoint ${p.endpointId}`,
          call: async () => {
            const out = await send(ctx, "ec2", new m.DeleteVpcEndpointsCommand({ VpcEndpointIds: [p.endpointId] }));
            const failed = out.Unsuccessful?.find((u) => !u.ResourceId || u.ResourceId === p.endpointId);
            if (failed) throw unsuccessful("DeleteVpcEndpoints", p.endpointId, failed.Error);
          },
          timeoutMs,
        });
      }
      await waitFor(
        `interface endpoint ${p.endpointId} deleting`,
        gone(
          () => describeEndpoint(ctx, p.endpointId),
          (e) => e.State,
        ),
        (state) => (lower(state) === "deleted" ? true : state),
      );
      ctx.io.success(`interface endpoint ${p.endpointId} deleted`);
      return deletedOutcome(journal, step);
    },

    "privatelink-service-delete": async (step) => {
      const p = step.params as { serviceId: string; state?: string; listConnections?: boolean };
      const id = p.serviceId;
      if (lower(p.state) !== "deleting") {
        // The stack's own endpoints are gone by now; any connection left is someone else's: reject it,
        // then delete. A connection that is still closing makes AWS refuse the delete: try again.
        // (An endpoint that cannot list connections, as the plan found, gets the delete only.)
        await retryWhileBlocked(ctx, {
          what: `endpoint service ${id}`,
          call: async () => {
            const listed = p.listConnections === false ? [] : await listEndpointConnections(ctx, id);
            const open = listed.filter((c) => LIVE_CONNECTION.includes(lower(c.VpcEndpointState)));
            if (open.length) {
              const ids = open.map((c) => c.VpcEndpointId!);
              const out = await send(ctx, "ec2", new m.RejectVpcEndpointConnectionsCommand({ ServiceId: id, VpcEndpointIds: ids }));
              const refused = (out.Unsuccessful ?? []).map((u) => u.ResourceId);
              const rejected = ids.filter((x) => !refused.includes(x));
              if (rejected.length) ctx.io.info(`${id}: rejected the connection${rejected.length > 1 ? "s" : ""} of ${rejected.join(", ")}`);
            }
            const out = await send(ctx, "ec2", new m.DeleteVpcEndpointServiceConfigurationsCommand({ ServiceIds: [id] }));
            const failed = out.Unsuccessful?.find((u) => !u.ResourceId || u.ResourceId === id);
            if (failed) throw unsuccessful("DeleteVpcEndpointServiceConfigurations", id, failed.Error);
          },
          // A connection still closing makes AWS refuse the delete.
          verdict: (error) => {
            const code = awsCode(error);
            if (code === "ExistingVpcEndpointConnections") return { waiting: `waiting for endpoint connections to close (${code})` };
            const v = dependencyVerdict(error);
            return v === undefined || v === "gone" ? v : { waiting: `waiting for endpoint connections to close (${code})` };
          },
          timeoutMs,
        });
      }
      await waitFor(
        `endpoint service ${id} deleting`,
        gone(
          () => describeEndpointService(ctx, id),
          (s) => s.ServiceState,
        ),
        (state) => (lower(state) === "deleted" ? true : state),
      );
      ctx.io.success(`endpoint service ${id} deleted`);
      return deletedOutcome(journal, step);
    },

    "privatelink-listener-delete": async (step) => {
      const arn = String(step.params.listenerArn);
      await retryWhileBlocked(ctx, {
        what: `listener ${step.resourceId}`,
        call: () => send(ctx, "elbv2", new lbApi.DeleteListenerCommand({ ListenerArn: arn })),
        timeoutMs,
      });
      ctx.io.success(`listener ${step.resourceId} deleted`);
      return deletedOutcome(journal, step);
    },

    "privatelink-nlb-delete": async (step) => {
      const p = step.params as { name: string; arn: string };
      // Refused (ResourceInUse) while an endpoint service still uses it: retried until the service is gone.
      await retryWhileBlocked(ctx, {
        what: `load balancer ${p.name}`,
        call: () => send(ctx, "elbv2", new lbApi.DeleteLoadBalancerCommand({ LoadBalancerArn: p.arn })),
        timeoutMs,
      });
      // Gone when DescribeLoadBalancers no longer knows it (LoadBalancerNotFound), as waitUntilLoadBalancersDeleted.
      await waitFor(
        `load balancer ${p.name} deleting`,
        gone(
          () => describeLoadBalancer(ctx, p.arn),
          (lb) => lb.State?.Code,
        ),
        (state) => (state === "deleted" ? true : `still listed (${state})`),
      );
      ctx.io.success(`load balancer ${p.name} deleted`);
      return deletedOutcome(journal, step);
    },

    "privatelink-tg-delete": async (step) => {
      const p = step.params as { name: string; arn: string };
      // ResourceInUse until no listener forwards to it (and the load balancer is gone): retried.
      await retryWhileBlocked(ctx, {
        what: `target group ${p.name}`,
        call: () => send(ctx, "elbv2", new lbApi.DeleteTargetGroupCommand({ TargetGroupArn: p.arn })),
        timeoutMs,
      });
      ctx.io.success(`target group ${p.name} deleted`);
      return deletedOutcome(journal, step);
    },

    "privatelink-sg-delete": async (step) => {
      const id = String(step.params.groupId);
      // DependencyViolation while an endpoint's interfaces are still going away: retried.
      await retryWhileBlocked(ctx, {
        what: `security group ${id}`,
        call: () => send(ctx, "ec2", new m.DeleteSecurityGroupCommand({ GroupId: id })),
        timeoutMs,
      });
      ctx.io.success(`security group ${id} deleted`);
      return deletedOutcome(journal, step);
    },
  };
}
