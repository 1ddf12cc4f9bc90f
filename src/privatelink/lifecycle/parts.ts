/** What a privatelink stack is made of, as read from AWS, and the small helpers list, status and destroy share. */
import type { SecurityGroup, ServiceConfiguration, VpcEndpoint } from "@aws-sdk/client-ec2";
import type { Listener, LoadBalancer, TargetGroup, TargetHealthDescription } from "@aws-sdk/client-elastic-load-balancing-v2";
import { isNotFound } from "../../aws/errors.js";
import type { StackSgRule } from "../../aws/sg-rules.js";
import { KIND_TAG, ROLE_TAG, STACK_TAG, tagValue } from "../../aws/tags.js";
import { AwsError } from "../../core/errors.js";
import { DIRECTIONS, type Direction, role, targetGroupName } from "../names.js";

export type Tags = Array<{ Key?: string; Value?: string }> | undefined;

export const KIND = "privatelink";

/** Endpoint (connection) states in which an endpoint still uses its service, lowercased. */
export const LIVE_CONNECTION = ["pendingacceptance", "pending", "available"];

/** The stack a privatelink resource belongs to, from its tags (undefined for another kind's or an untagged one). */
export const stackOf = (tags: Tags): string | undefined => (tagValue(tags, KIND_TAG) === KIND ? tagValue(tags, STACK_TAG) : undefined);

/** The direction a resource serves, from its role tag (`nlb-inbound`, `tg-outbound-80`, `vpce-inbound`...). */
export function directionOf(tags: Tags): Direction | undefined {
  const r = tagValue(tags, ROLE_TAG) ?? "";
  return DIRECTIONS.find(
    (d) =>
      r === role.nlb(d) ||
      r === role.service(d) ||
      r === role.endpoint(d) ||
      r === role.securityGroup(d) ||
      r.startsWith(`tg-${d}-`) ||
      r.startsWith(`listener-${d}-`),
  );
}

/** One direction of a stack as it is in AWS now. */
export interface DirectionParts {
  direction: Direction;
  nlbs: LoadBalancer[];
  listeners: Listener[];
  targetGroups: Array<{ tg: TargetGroup; health?: TargetHealthDescription[] }>;
  services: ServiceConfiguration[];
  endpoints: VpcEndpoint[];
  securityGroups: SecurityGroup[];
}

export interface StackParts {
  stack: string;
  /** The directions with at least one resource, inbound first. */
  directions: DirectionParts[];
  /** Rules the stack added (normally all in its own groups, which go with the group). */
  rules: StackSgRule[];
}

export const emptyDirection = (direction: Direction): DirectionParts => ({
  direction,
  nlbs: [],
  listeners: [],
  targetGroups: [],
  services: [],
  endpoints: [],
  securityGroups: [],
});

export const isEmpty = (d: DirectionParts) =>
  d.nlbs.length + d.listeners.length + d.targetGroups.length + d.services.length + d.endpoints.length + d.securityGroups.length === 0;

/** `<base>-in-`: every target group name of the direction starts with it, followed by the port. */
export function tgPrefix(stack: string, d: Direction): string {
  return targetGroupName(stack, d, 1).slice(0, -1);
}

/** An AWS refusal `list` can live with (a principal without ELBv2 or PrivateLink reads, an emulator without them). */
export function degradable(error: unknown): boolean {
  return error instanceof AwsError && error.details.code !== "CredentialsError" && error.details.code !== "RegionMissing";
}

/** A read of something that may have gone meanwhile (another destroy running): gone reads as `fallback`. */
export async function quietly<T>(read: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (isNotFound(error)) return fallback;
    throw error;
  }
}

export const listenerId = (lbName: string | undefined, l: Listener) => `${lbName ?? "?"}:${l.Protocol ?? "TCP"}:${l.Port}`;

export const lbNameOf = (dir: DirectionParts, arn: string | undefined) => dir.nlbs.find((lb) => lb.LoadBalancerArn === arn)?.LoadBalancerName;

export const forwardsTo = (l: Listener, tgArn: string | undefined) =>
  Boolean(tgArn) && (l.DefaultActions ?? []).some((a) => a.TargetGroupArn === tgArn || a.ForwardConfig?.TargetGroups?.some((t) => t.TargetGroupArn === tgArn));

/** What a group lets in, as `tcp 80,443 from 10.0.0.0/8, 172.16.0.0/12`. */
export function permissionsText(g: SecurityGroup): string {
  const perms = g.IpPermissions ?? [];
  if (perms.length === 0) return "allows nothing in";
  const ports = [...new Set(perms.map((p) => (p.IpProtocol === "-1" ? "all" : p.FromPort === p.ToPort ? String(p.FromPort) : `${p.FromPort}-${p.ToPort}`)))];
  const protocols = [...new Set(perms.map((p) => (p.IpProtocol === "-1" ? "all traffic" : p.IpProtocol)))];
  const sources = [...new Set(perms.flatMap((p) => [...(p.IpRanges ?? []).map((r) => r.CidrIp), ...(p.UserIdGroupPairs ?? []).map((u) => u.GroupId)]))];
  return `allows ${protocols.join("/")} ${ports.join(",")} from ${sources.join(", ")}`;
}
