import type { VirtualInterface } from "@aws-sdk/client-direct-connect";
import { listVifs } from "../aws/dx.js";
import { attachedVpcOf, getVpnGateway } from "../aws/vgw.js";
import { askRouteTables } from "../aws/vgw-wizard.js";
import { listVpcs, nameOf } from "../aws/vpc.js";
import type { Context } from "../core/context.js";
import { AwsError, VpcwireError } from "../core/errors.js";
import { customerAsnOf, listDxGateways, listVpnGateways } from "./aws.js";
import type { DxAcceptFlags } from "./inputs.js";

/** One line per interface in the picker: everything the partner's hand-over sheet lists. */
export function vifChoiceName(v: VirtualInterface): string {
  const peer = v.bgpPeers?.[0];
  const customer = v.customerAddress || peer?.customerAddress;
  const amazon = v.amazonAddress || peer?.amazonAddress;
  return [
    v.virtualInterfaceId,
    v.virtualInterfaceName || "(no name)",
    `VLAN ${v.vlan ?? "?"}`,
    `owner ${v.ownerAccount ?? "?"}`,
    v.location ?? "?",
    v.connectionId ?? "?",
    `ASN partner ${customerAsnOf(v) ?? "?"} / Amazon ${v.amazonSideAsn || "(the gateway's)"}`,
    `${customer ?? "?"} <-> ${amazon ?? "?"}`,
  ].join("  ");
}

/**
 * Ask for what the flags did not give, with pickers filled from the account: the interfaces waiting
 * for acceptance, then where they go, then the route tables. The answers go through the same validation.
 */
export async function dxAcceptWizard(ctx: Context, given: DxAcceptFlags, region: string | null): Promise<DxAcceptFlags> {
  const { prompt } = ctx.io;
  const flags: DxAcceptFlags = { ...given };

  if (!flags.vifId?.length) {
    const all = await listVifs(ctx);
    const waiting = all.filter((v) => v.virtualInterfaceState === "confirming" && (!v.virtualInterfaceType || v.virtualInterfaceType === "private"));
    if (waiting.length === 0) {
      const others = all.filter((v) => v.virtualInterfaceState !== "deleted");
      throw new VpcwireError(
        `no virtual interface is waiting for acceptance (state confirming) in ${region ?? "this Region"}` +
          (others.length
            ? `; the account has ${others.map((v) => `${v.virtualInterfaceId} (${v.virtualInterfaceState})`).join(", ")}: see vpcwire dx status`
            : "; the partner offers hosted interfaces in the Region of its connection (NTT East: ap-northeast-1), pass --region if it differs"),
        1,
      );
    }
    flags.vifId = await prompt.checkbox({
      message: "Accept which virtual interfaces? (space to toggle; partners such as NTT East offer two for redundancy)",
      choices: waiting.map((v) => ({ name: vifChoiceName(v), value: v.virtualInterfaceId!, checked: true })),
      required: true,
    });
  }

  if (!flags.vpcId && !flags.vgwId && !flags.dxGatewayId) {
    // Direct Connect gateways are an option, not a must: a principal that may not list them still gets the VPCs.
    const [vpcs, vgws, dxgws] = await Promise.all([
      listVpcs(ctx),
      listVpnGateways(ctx),
      listDxGateways(ctx).catch((error: unknown) => {
        if (error instanceof AwsError) return [];
        throw error;
      }),
    ]);
    const vgwOf = (vpcId: string) => vgws.find((g) => attachedVpcOf(g) === vpcId)?.VpnGatewayId;
    const choices = [
      ...vpcs.map((v) => {
        const vgw = vgwOf(v.VpcId!);
        return {
          name: `${v.VpcId}  ${nameOf(v.Tags) ?? "(no name)"}  ${v.CidrBlock ?? ""}  ${vgw ? `[gateway ${vgw}]` : "[no gateway: a new one is created and attached]"}`,
          value: `vpc:${v.VpcId}`,
        };
      }),
      ...dxgws
        .filter((g) => g.directConnectGatewayState === "available" || g.directConnectGatewayState === "pending")
        .map((g) => ({
          name: `Direct Connect gateway ${g.directConnectGatewayId}  ${g.directConnectGatewayName ?? ""}  Amazon ASN ${g.amazonSideAsn ?? "?"}`,
          value: `dxgw:${g.directConnectGatewayId}`,
        })),
    ];
    if (choices.length === 0) throw new VpcwireError(`this account has no VPC in ${region ?? "this Region"}; create one first or pass --region`, 1);
    const picked = await prompt.select({ message: "Where should the interfaces go?", choices });
    if (picked.startsWith("dxgw:")) flags.dxGatewayId = picked.slice(5);
    else flags.vpcId = picked.slice(4);
  }

  if (!given.routeTables?.length && !flags.dxGatewayId) {
    const vpcId = flags.vpcId ?? attachedVpcOf(await getVpnGateway(ctx, flags.vgwId!));
    const routeTables = vpcId ? await askRouteTables(ctx, vpcId, "Propagate the routes learned over BGP into which route tables?") : undefined;
    if (routeTables) flags.routeTables = routeTables;
  }
  return flags;
}
