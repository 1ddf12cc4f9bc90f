/**
 * `list`, `status` and `destroy` for PrivateLink relay stacks (`privatelink relay`).
 *
 * What a privatelink stack holds, per direction: an internal Network Load Balancer with a listener
 * and a target group per port, an endpoint service on it, an interface endpoint in the other VPC and
 * that endpoint's security group. Everything is tagged at creation (`vpcwire:stack`, `vpcwire:kind`
 * privatelink, `vpcwire:role`). EC2 resources are found with tag filters; ELBv2 has no tag filter, so
 * load balancers and target groups are listed (by their deterministic names when the stack is known,
 * see names.ts) and their tags read with DescribeTags. Tags are checked on our side too, because some
 * emulators ignore Filters.
 *
 * The VPCs, subnets and the existing EC2 are reused, never created: destroy keeps them. It removes,
 * in order: interface endpoints (wait until gone) -> endpoint services (other endpoints' connections
 * rejected first; wait until gone) -> listeners -> load balancers (wait until gone) -> target groups
 * -> security groups (once the endpoints' interfaces are gone). Dependency errors are retried, and
 * what is already gone counts as done, so running destroy again after a failure finishes the job.
 */
import type { KindLifecycle } from "../../lifecycle/types.js";
import { destroySteps } from "./destroy-plan.js";
import { destroyRunners } from "./destroy-runners.js";
import { discover } from "./discover.js";
import { KIND } from "./parts.js";
import { status } from "./status.js";

export const privatelinkLifecycle: KindLifecycle = { kind: KIND, discover, status, destroySteps, destroyRunners };
