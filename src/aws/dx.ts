/**
 * Direct Connect virtual interface reads shared by every capability that looks at VIFs (`dx`, the
 * FLET'S checks, the VGW teardown), and the one meaning of "this VIF is gone".
 */
import type { VirtualInterface } from "@aws-sdk/client-direct-connect";
import type { Context } from "../core/context.js";
import { send } from "./call.js";
import { awsCode } from "./errors.js";
import { listAll, tokenPaginator } from "./list.js";

type Ctx = Pick<Context, "clients" | "io" | "config">;

/** The SDK modules, loaded on first use so offline runs and --help never pay for them. */
const dx = () => import("@aws-sdk/client-direct-connect");

/** A VIF in one of these states will never carry traffic again, nor use its gateway. */
export const VIF_GONE_STATES: readonly string[] = ["rejected", "deleting", "deleted"];

export function isVifGone(vif: Pick<VirtualInterface, "virtualInterfaceState">): boolean {
  return VIF_GONE_STATES.includes(vif.virtualInterfaceState ?? "");
}

/**
 * Direct Connect reports an unknown id as `DirectConnectClientException` whose message says
 * "does not exist" (there is no NotFound code), so match on the message as Terraform does.
 */
export function isDxNotFound(error: unknown): boolean {
  return awsCode(error) === "DirectConnectClientException" && /does not exist|not found/i.test((error as Error)?.message ?? "");
}

/** Every virtual interface of the account in this Region (hosted ones waiting to be accepted included). */
export async function listVifs(ctx: Ctx): Promise<VirtualInterface[]> {
  const { DescribeVirtualInterfacesCommand } = await dx();
  // Direct Connect ships no paginators.
  return listAll(ctx, "dx", tokenPaginator(DescribeVirtualInterfacesCommand, "nextToken"), {}, (o) => o.virtualInterfaces);
}

/** One virtual interface, or undefined when this account and Region have no such id. */
export async function getVif(ctx: Ctx, id: string): Promise<VirtualInterface | undefined> {
  const { DescribeVirtualInterfacesCommand } = await dx();
  try {
    const out = await send(ctx, "dx", new DescribeVirtualInterfacesCommand({ virtualInterfaceId: id }));
    // Match on the id: an emulator that ignores the filter returns every interface.
    return out.virtualInterfaces?.find((v) => v.virtualInterfaceId === id);
  } catch (error) {
    if (isDxNotFound(error)) return undefined;
    throw error;
  }
}
