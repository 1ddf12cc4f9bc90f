import type { Vpc } from "@aws-sdk/client-ec2";
import { listTransitGateways, tgwOptions } from "../aws/tgw.js";
import { askRouteTables } from "../aws/vgw-wizard.js";
import { getVpc, listSecurityGroups, listVpcs, nameOf } from "../aws/vpc.js";
import type { Context } from "../core/context.js";
import { UsageError } from "../core/errors.js";
import { parseAllowToken } from "../net/allow.js";
import { isDocumentationIpv4, isIpv4, isPublicIpv4, parseCidr4 } from "../net/ip.js";
import { checkCustomerAsn, parseAsn } from "../net/vpn-rules.js";
import { DEFAULT_CGW_ASN, deriveStackName, overlapProblem, type VpnFlags } from "./inputs.js";

/**
 * Ask for what the flags did not give, with pickers filled from the account. Answers are checked
 * with the same rules as the flags, and the result goes through the same validation.
 */
export async function vpnWizard(ctx: Context, given: VpnFlags): Promise<VpnFlags> {
  const { prompt } = ctx.io;
  const flags: VpnFlags = { ...given };
  // The chosen VPC's CIDRs, so the on-prem question can refuse an overlapping range at once.
  let vpcCidrs: string[] | undefined;

  if (!flags.vpcId) {
    const vpcs = await listVpcs(ctx);
    if (vpcs.length === 0) throw new UsageError("--vpc-id: this account has no VPC in this Region; create one first or pass --region");
    const vpcId = await prompt.select({
      message: "Which VPC should the VPN connect to?",
      choices: vpcs.map((v) => ({
        name: `${v.VpcId}  ${nameOf(v.Tags) ?? "(no name)"}  ${v.CidrBlock ?? ""}${v.IsDefault ? "  [default VPC]" : ""}`,
        value: v.VpcId!,
      })),
    });
    flags.vpcId = vpcId;
    vpcCidrs = cidrsOf(vpcs.find((v) => v.VpcId === vpcId));
  }
  if (!flags.cgwIp) {
    flags.cgwIp = (
      await prompt.input({
        message: "Public IPv4 address of your on-prem router (behind NAT: the NAT's public IP):",
        validate: (v) =>
          !isIpv4(v.trim())
            ? "enter an IPv4 address like 203.0.113.10"
            : isPublicIpv4(v.trim()) || isDocumentationIpv4(v.trim())
              ? true
              : "this must be a public address",
      })
    ).trim();
  }
  // The gateway: a virtual private gateway (the VPC's, or a new one) or a Transit Gateway.
  if (given.vgwId === undefined && given.transitGateway === undefined && given.transitGatewayId === undefined && !given.acceleration) {
    const tgws = await listTransitGateways(ctx);
    const target = await prompt.select<string>({
      message: "Which gateway should the VPN connection use?",
      choices: [
        { name: "virtual private gateway: the VPC's own (up to 10 VPN connections)", value: "vgw" },
        { name: "Transit Gateway: a new one for this stack (many connections, Accelerated VPN, ECMP with BGP)", value: "new" },
        ...tgws.map((t) => {
          const o = tgwOptions(t);
          return {
            name: `Transit Gateway ${t.TransitGatewayId}  ${nameOf(t.Tags) ?? "(no name)"}  ASN ${o.asn ?? "?"}, VPN ECMP ${o.ecmp ? "on" : "off"}`,
            value: t.TransitGatewayId!,
          };
        }),
      ],
      default: "vgw",
    });
    if (target === "new") flags.transitGateway = "new";
    else if (target !== "vgw") flags.transitGatewayId = target;
  }
  const onTgw = flags.transitGateway !== undefined || flags.transitGatewayId !== undefined;
  // Ask only what no flag answered (flags have no commander defaults, so an explicit value is seen).
  if (given.routing === undefined) {
    if (!given.onpremCidr?.length) {
      flags.routing = await prompt.select({
        message: "How should routes be exchanged?",
        choices: [
          { name: "static: you list the on-prem ranges (routers without BGP)", value: "static" },
          { name: "BGP: the router and AWS exchange routes dynamically", value: "bgp" },
        ],
        default: "static",
      });
    }
  }
  if (flags.routing === "bgp" && given.cgwAsn === undefined) {
    flags.cgwAsn = await prompt.input({
      message: "BGP ASN of your router:",
      default: String(DEFAULT_CGW_ASN),
      validate: (v) => {
        const asn = parseAsn(v);
        if (asn === undefined) return "enter a number like 65000";
        return checkCustomerAsn(asn, ctx.config.region) ?? true;
      },
    });
  }
  if (!flags.onpremCidr?.length) {
    // A VPC given by flag: read its CIDRs now (the wizard never runs offline: the pipeline refuses that).
    vpcCidrs ??= (await getVpc(ctx, flags.vpcId!)).cidrs;
    const known = vpcCidrs;
    // On a Transit Gateway the VPC's routes to on-prem are vpcwire's to add (no propagation), so BGP needs them too.
    const required = flags.routing !== "bgp" || onTgw;
    const answer = await prompt.input({
      message: required
        ? "On-prem ranges to route over the VPN (comma list, e.g. 10.0.0.0/8):"
        : "On-prem ranges your router will announce (comma list, optional, used in the router config):",
      validate: (v) => {
        const items = v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
        if (required && items.length === 0)
          return onTgw ? "at least one range is needed: the VPC's route tables get a route to each" : "at least one range is needed for static routing";
        for (const item of items) {
          const p = parseCidr4(item);
          if (typeof p === "string") return p;
        }
        return overlapProblem(items, known) ?? true;
      },
    });
    flags.onpremCidr = answer
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  }
  if (!given.routeTables?.length) {
    const routeTables = await askRouteTables(
      ctx,
      flags.vpcId,
      onTgw ? "Add routes to the on-prem ranges via the Transit Gateway in which route tables?" : "Enable route propagation on which route tables?",
    );
    if (routeTables) flags.routeTables = routeTables;
  }
  if (!given.securityGroup && flags.onpremCidr.length > 0) {
    const groups = await listSecurityGroups(ctx, flags.vpcId);
    const sg = await prompt.select<string>({
      message: "Allow the on-prem ranges in a security group?",
      choices: [
        { name: "no, leave security groups alone", value: "" },
        ...groups.map((g) => ({ name: `${g.GroupId}  ${g.GroupName ?? ""}  ${g.Description ?? ""}`.trimEnd(), value: g.GroupId! })),
      ],
      default: "",
    });
    if (sg) {
      flags.securityGroup = sg;
      if (!given.allow?.length) {
        const allow = await prompt.input({
          message: "What to allow from on-prem (icmp, ssh, rdp, https, all, tcp:PORT, ...):",
          default: "icmp",
          validate: (v) => {
            for (const token of v
              .split(",")
              .map((s) => s.trim())
              .filter(Boolean)) {
              const r = parseAllowToken(token);
              if (typeof r === "string") return r;
            }
            return true;
          },
        });
        flags.allow = allow
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
      }
    }
  }
  if (given.device === undefined && given.localAddress === undefined) {
    flags.device = await (await import("./device.js")).askDevice(ctx);
  }
  if (given.crypto === undefined) {
    flags.crypto = await prompt.select({
      message: "Which tunnel crypto? (docs/CRYPTO.md)",
      choices: [
        { name: "modern: IKEv2 only, AES-256, SHA-2, DH groups 19/20; AWS starts the tunnels (current routers)", value: "modern" },
        {
          name: "compatible: AWS's defaults (IKEv1, AES-128, SHA-1, DH group 2 allowed) for old devices; IOS-XE 17.11 and later refuse it (Cisco FN72510)",
          value: "compatible",
        },
      ],
      default: "modern",
    });
  }
  if (given.out === undefined) {
    // The config holds the pre-shared keys: offer a file (mode 0600) rather than the terminal.
    const stack = given.stack ?? deriveStackName(flags.vpcId!, flags.cgwIp!);
    const suggested = `${stack}${flags.device === "strongswan" ? ".swanctl.conf" : ".cfg"}`;
    const out = (
      await prompt.input({
        message: "Write the router config (it holds the pre-shared keys) to which file? (mode 0600; '-' prints it here instead)",
        default: suggested,
        validate: (v) => (v.trim() ? true : "enter a file name, or - to print the config on the terminal"),
      })
    ).trim();
    if (out !== "-") flags.out = out;
  }
  return flags;
}

/** A VPC's associated IPv4 CIDRs, as `getVpc` reads them. */
function cidrsOf(vpc: Vpc | undefined): string[] {
  const cidrs = (vpc?.CidrBlockAssociationSet ?? [])
    .filter((a) => !a.CidrBlockState?.State || a.CidrBlockState.State === "associated")
    .map((a) => a.CidrBlock)
    .filter((c): c is string => Boolean(c));
  if (cidrs.length === 0 && vpc?.CidrBlock) cidrs.push(vpc.CidrBlock);
  return cidrs;
}
