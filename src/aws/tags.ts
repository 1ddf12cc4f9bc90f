import type { Kind } from "../core/plan.js";

/** Every resource vpcwire creates carries these tags from the moment it exists. */
export const STACK_TAG = "vpcwire:stack";
export const KIND_TAG = "vpcwire:kind";
/** Why the resource exists within the stack (`vgw`, `cgw`, `vpn`, `nlb-inbound` ...), so status/destroy can tell them apart. */
export const ROLE_TAG = "vpcwire:role";

export interface Tag {
  Key: string;
  Value: string;
}

export function stackTags(stack: string, kind: Kind, role: string, name?: string): Tag[] {
  return [
    { Key: "Name", Value: name ?? `${stack}-${role}` },
    { Key: STACK_TAG, Value: stack },
    { Key: KIND_TAG, Value: kind },
    { Key: ROLE_TAG, Value: role },
  ];
}

/** EC2 TagSpecifications for a create call. */
export function tagSpec(resourceType: string, stack: string, kind: Kind, role: string, name?: string) {
  return [{ ResourceType: resourceType, Tags: stackTags(stack, kind, role, name) }] as never;
}

/** EC2 Filters that find a stack's resources of one role. */
export function stackFilters(stack: string, role?: string) {
  return [{ Name: `tag:${STACK_TAG}`, Values: [stack] }, ...(role ? [{ Name: `tag:${ROLE_TAG}`, Values: [role] }] : [])];
}

export function tagValue(tags: Array<{ Key?: string; Value?: string }> | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}

/**
 * Whether a resource carries the stack (and kind) tags. Describe calls filter by tag, but an emulator
 * may ignore Filters and return everything: what destroy acts on is always checked on our side too.
 */
export function hasStackTags(tags: Array<{ Key?: string; Value?: string }> | undefined, want: { stack?: string; kind?: Kind }): boolean {
  const stack = tagValue(tags, STACK_TAG);
  if (!stack || (want.stack !== undefined && stack !== want.stack)) return false;
  return want.kind === undefined || tagValue(tags, KIND_TAG) === want.kind;
}

/** Stack names become part of resource names (NLB names are at most 32 characters), so keep them short and plain. */
export const STACK_NAME_RE = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
