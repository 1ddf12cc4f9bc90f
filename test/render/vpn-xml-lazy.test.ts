import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

// Its own file, so its own process: nothing else here has parsed XML yet.
const requireCjs = createRequire(import.meta.url);
const fxpLoaded = () => Object.keys(requireCjs.cache).some((path) => path.includes(`${"/"}fast-xml-parser${"/"}`));

describe("fast-xml-parser loads only when XML is parsed (startup, issue 9)", () => {
  it("importing the module and building a placeholder model does not load it; parsing does", async () => {
    const source = readFileSync(new URL("../../src/render/vpn-xml.ts", import.meta.url), "utf8");
    // Only a type import at the top: a value import would load the library with the module.
    expect(source).not.toMatch(/^import \{[^}]*\} from "fast-xml-parser";$/m);
    expect(source).toMatch(/^import type \{ XMLParser \} from "fast-xml-parser";$/m);

    const xmlModule = await import("../../src/render/vpn-xml.js");
    xmlModule.placeholderVpnConfig({ routing: "static", customerOutsideIp: "198.51.100.10" });
    expect(fxpLoaded()).toBe(false);

    const model = xmlModule.parseCustomerGatewayConfiguration(readFileSync(new URL("../fixtures/vpn/static.xml", import.meta.url), "utf8"));
    expect(model.tunnels).toHaveLength(2);
    expect(fxpLoaded()).toBe(true);
  });
});
