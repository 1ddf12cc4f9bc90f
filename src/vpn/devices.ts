/** `vpcwire vpn devices`: AWS's catalog of customer gateway device types it has samples for. */
import type { Handler } from "../cli/kit.js";
import { flagError } from "../core/errors.js";
import { resolveRegion } from "../core/region.js";
import { deviceLabel, listDeviceTypes, matchDeviceTypes, OWN_DEVICES } from "./device.js";

/** `vpcwire vpn devices [--search TEXT] [--json]` */
export const vpnDevices: Handler = async (ctx, opts) => {
  const { io, config } = ctx;
  const search = typeof opts.search === "string" ? opts.search.trim() : undefined;
  if (search !== undefined && (search.length < 1 || search.length > 100)) throw flagError("--search", "must be 1-100 characters");
  if (config.offline) throw flagError("--offline", "vpn devices reads AWS's device catalog; run it without --offline");
  const region = await resolveRegion(ctx);
  const all = await listDeviceTypes(ctx);
  const types = (search ? matchDeviceTypes(all, search) : all).sort((a, b) => deviceLabel(a).localeCompare(deviceLabel(b)));
  if (config.json) {
    const doc = {
      schemaVersion: 1,
      ok: true,
      command: "vpn devices",
      region,
      search: search ?? null,
      total: all.length,
      deviceTypes: types.map((t) => ({ id: t.id, device: `aws:${t.id}`, vendor: t.vendor, platform: t.platform, software: t.software })),
      ownRenderers: OWN_DEVICES.map((d) => ({ device: d.name, renderer: d.renderer, label: d.label })),
    };
    io.result(JSON.stringify(doc, null, 2));
    return 0;
  }
  if (types.length === 0) {
    io.info(`None of AWS's ${all.length} device types matches "${search}" (vendor, platform and software are searched).`);
    return 0;
  }
  const head = ["VENDOR", "PLATFORM", "SOFTWARE", "DEVICE"];
  const rows = types.map((t) => [t.vendor, t.platform, t.software, `aws:${t.id}`]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  io.result([line(head), ...rows.map(line)].join("\n"));
  io.info(
    `${types.length} of AWS's ${all.length} device types. Use one with: vpcwire vpn config --stack <name> --device aws:<id> (or a search that matches one). ` +
      `vpcwire's own configs: ${OWN_DEVICES.map((d) => d.name).join(", ")}.`,
  );
  return 0;
};

export const handler = vpnDevices;
