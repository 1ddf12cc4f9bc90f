/**
 * The shape of the AWS ids a user types on a flag, checked before any AWS call. Each check throws a
 * UsageError naming the flag and the rule (exit 2).
 */
import { flagError } from "../core/errors.js";

/** EC2 ids: a prefix, then 8 (older resources) or 17 lowercase hex digits. */
export const EC2_ID_PREFIXES = {
  vpc: "vpc",
  vgw: "vgw",
  tgw: "tgw",
  rtb: "rtb",
  sg: "sg",
  subnet: "subnet",
  instance: "i",
} as const;

export type Ec2IdKind = keyof typeof EC2_ID_PREFIXES;

export function isEc2Id(value: string, kind: Ec2IdKind): boolean {
  return new RegExp(`^${EC2_ID_PREFIXES[kind]}-[0-9a-f]{8}(?:[0-9a-f]{9})?$`).test(value);
}

/** The id given on `flag`, without surrounding blanks; anything else is a usage error. */
export function checkId(flag: string, value: string, kind: Ec2IdKind): string {
  const v = value.trim();
  if (!isEc2Id(v, kind)) throw flagError(flag, `"${value}" is not a ${kind} id (${EC2_ID_PREFIXES[kind]}- followed by 8 or 17 hex digits)`);
  return v;
}

/** Hosted and own VIF ids: `dxvif-` and 8 characters (longer forms accepted, should AWS grow them). */
export const DXVIF_RE = /^dxvif-[a-z0-9]{8,17}$/;
/** Direct Connect gateway ids are UUIDs. */
export const DXGW_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function checkVifId(flag: string, value: string): string {
  if (!DXVIF_RE.test(value)) throw flagError(flag, `"${value}" is not a virtual interface id (dxvif- followed by 8 lowercase letters or digits)`);
  return value;
}
