import { STACK_NAME_RE } from "../aws/tags.js";
import { flagError, UsageError } from "../core/errors.js";
import { globalArgv } from "../core/workflow.js";
import { checkId, checkVifId, DXGW_RE } from "../net/ids.js";
import { checkAmazonAsn, parseAsn } from "../net/vpn-rules.js";

/** Where the accepted interfaces go. */
export type DxTarget =
  /** A VPC: its attached gateway (--vgw-id, when given, must be that one or a free one), else a new one. */
  | { kind: "vpc"; vpcId: string; vgwId?: string }
  /** An existing gateway, already attached to its VPC. */
  | { kind: "vgw"; vgwId: string }
  | { kind: "dxgw"; dxGatewayId: string };

/** Validated input of `dx accept-vif`; flags and wizard answers both end up here. */
export interface DxAcceptInput {
  stack: string;
  /** True when the stack name was derived rather than given. */
  stackDerived: boolean;
  vifIds: string[];
  target: DxTarget;
  /** Route tables to propagate into (gateway targets only): ids, every table of the VPC, or none. @default "all" */
  routeTables: string[] | "all" | "none";
  /** Keep waiting until every BGP peer is up (otherwise `down` ends the wait). @default false */
  waitBgp: boolean;
  /** Amazon side ASN for a new virtual private gateway. @default 64512 */
  amazonAsn: number;
  /** True when --amazon-asn was given (a reused gateway keeps its own). */
  amazonAsnGiven: boolean;
}

/** Raw commander options of `dx accept-vif`. */
export interface DxAcceptFlags {
  stack?: string;
  vifId?: string[];
  vgwId?: string;
  vpcId?: string;
  dxGatewayId?: string;
  routeTables?: string[];
  waitBgp?: boolean;
  amazonAsn?: string;
}

/** Raw commander options of `dx status`. */
export interface DxStatusFlags {
  vifId?: string[];
  stack?: string;
}

export interface DxStatusInput {
  vifIds: string[];
  stack?: string;
}

export const DEFAULT_AMAZON_ASN = 64512;

/** The flags required off a TTY; the wizard asks for exactly these. */
export function missingDxAcceptFlags(flags: DxAcceptFlags): string[] {
  const missing: string[] = [];
  if (!flags.vifId?.length) missing.push("--vif-id");
  if (!flags.vpcId && !flags.vgwId && !flags.dxGatewayId) missing.push("--vpc-id (or --vgw-id, --dx-gateway-id)");
  return missing;
}

/** The default stack name: short, stable for the same interfaces, and valid in resource names. */
export function deriveDxStackName(vifIds: string[]): string {
  return `dx-${vifIds[0]!.slice("dxvif-".length)}`;
}

function stackFlag(stack: string | undefined): string | undefined {
  if (stack !== undefined && !STACK_NAME_RE.test(stack)) {
    throw flagError("--stack", `"${stack}" must be 1-32 lowercase letters, digits and hyphens, not starting or ending with a hyphen`);
  }
  return stack;
}

/** Validate every flag (exit 2 naming the flag and the rule). Needs the required flags present. */
export function validateDxAcceptFlags(flags: DxAcceptFlags): DxAcceptInput {
  const missing = missingDxAcceptFlags(flags);
  if (missing.length) throw new UsageError(`missing required flags: ${missing.join(", ")}`);
  const vifIds = [...new Set(flags.vifId!.map((v) => checkVifId("--vif-id", v.trim())))];

  let target: DxTarget;
  if (flags.dxGatewayId !== undefined) {
    if (flags.vpcId || flags.vgwId) {
      throw flagError("--dx-gateway-id", "give one target: --dx-gateway-id, or --vpc-id/--vgw-id (a virtual private gateway), not both");
    }
    const id = flags.dxGatewayId.trim();
    if (!DXGW_RE.test(id)) throw flagError("--dx-gateway-id", `"${id}" is not a Direct Connect gateway id (a UUID like 5f294f92-bafb-4011-916d-9b0b1f1e0f2a)`);
    if (flags.routeTables?.length) {
      throw flagError(
        "--route-tables",
        "applies to a virtual private gateway target (--vpc-id or --vgw-id); with --dx-gateway-id, routes propagate from the gateway associated with the Direct Connect gateway",
      );
    }
    if (flags.amazonAsn !== undefined) throw flagError("--amazon-asn", "applies only to a new virtual private gateway, not to --dx-gateway-id");
    target = { kind: "dxgw", dxGatewayId: id };
  } else if (flags.vpcId) {
    const vpcId = checkId("--vpc-id", flags.vpcId.trim(), "vpc");
    target = { kind: "vpc", vpcId, ...(flags.vgwId !== undefined ? { vgwId: checkId("--vgw-id", flags.vgwId.trim(), "vgw") } : {}) };
  } else {
    target = { kind: "vgw", vgwId: checkId("--vgw-id", flags.vgwId!.trim(), "vgw") };
  }

  let amazonAsn = DEFAULT_AMAZON_ASN;
  if (flags.amazonAsn !== undefined) {
    const asn = parseAsn(flags.amazonAsn);
    if (asn === undefined) throw flagError("--amazon-asn", `"${flags.amazonAsn}" is not an ASN`);
    const problem = checkAmazonAsn(asn);
    if (problem) throw flagError("--amazon-asn", problem);
    amazonAsn = asn;
  }

  const given = stackFlag(flags.stack);
  return {
    stack: given ?? deriveDxStackName(vifIds),
    stackDerived: given === undefined,
    vifIds,
    target,
    routeTables: routeTablesFlag(flags.routeTables),
    waitBgp: Boolean(flags.waitBgp),
    amazonAsn,
    amazonAsnGiven: flags.amazonAsn !== undefined,
  };
}

function routeTablesFlag(values: string[] | undefined): string[] | "all" | "none" {
  if (!values || values.length === 0) return "all";
  if (values.length === 1 && (values[0] === "all" || values[0] === "none")) return values[0];
  return [...new Set(values.map((v) => checkId("--route-tables", v, "rtb")))];
}

export function validateDxStatusFlags(flags: DxStatusFlags): DxStatusInput {
  const vifIds = [...new Set((flags.vifId ?? []).map((v) => checkVifId("--vif-id", v.trim())))];
  const stack = stackFlag(flags.stack);
  if (stack !== undefined && vifIds.length) throw flagError("--stack", "give --vif-id or --stack, not both");
  return { vifIds, ...(stack !== undefined ? { stack } : {}) };
}

type GlobalArgs = { region?: string; profile?: string; endpointUrl?: string };

/** The equivalent non-interactive command (for resume hints and after the wizard). */
export function dxAcceptArgv(input: DxAcceptInput, global: GlobalArgs): string[] {
  const args = ["vpcwire", "dx", "accept-vif", "--stack", input.stack];
  for (const id of input.vifIds) args.push("--vif-id", id);
  const t = input.target;
  if (t.kind === "dxgw") args.push("--dx-gateway-id", t.dxGatewayId);
  if (t.kind === "vpc") args.push("--vpc-id", t.vpcId);
  if ((t.kind === "vpc" || t.kind === "vgw") && t.vgwId) args.push("--vgw-id", t.vgwId);
  if (t.kind !== "dxgw" && input.routeTables !== "all") {
    args.push("--route-tables", Array.isArray(input.routeTables) ? input.routeTables.join(",") : input.routeTables);
  }
  if (input.amazonAsnGiven) args.push("--amazon-asn", String(input.amazonAsn));
  if (input.waitBgp) args.push("--wait-bgp");
  args.push(...globalArgv(global));
  return args;
}
