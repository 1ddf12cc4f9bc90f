import type { KindLifecycle } from "./types.js";

/**
 * Every capability's lifecycle, loaded when `list`, `status` or `destroy` runs. A capability adds
 * itself here once it can report and tear down its stacks.
 */
export async function allLifecycles(): Promise<KindLifecycle[]> {
  const [vpn] = await Promise.all([import("../vpn/lifecycle.js")]);
  return [vpn.vpnLifecycle];
}
