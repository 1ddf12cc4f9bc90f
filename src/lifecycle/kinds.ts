import type { KindLifecycle } from "./types.js";

/**
 * Every capability's lifecycle, loaded when `list`, `status` or `destroy` runs. A capability adds
 * itself here once it can report and tear down its stacks. Each one finds only its own kind's
 * resources (by the vpcwire:kind tag), so the order matters only for the order of `list`.
 */
export async function allLifecycles(): Promise<KindLifecycle[]> {
  const [vpn, dx, flets, privatelink] = await Promise.all([
    import("../vpn/lifecycle.js"),
    import("../dx/lifecycle.js"),
    import("../flets/lifecycle.js"),
    import("../privatelink/lifecycle/index.js"),
  ]);
  return [vpn.vpnLifecycle, dx.dxLifecycle, flets.fletsLifecycle, privatelink.privatelinkLifecycle];
}
