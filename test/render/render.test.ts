/**
 * Templates are precompiled at build time (scripts/precompile-templates.js) and the built CLI renders
 * them with the Handlebars runtime alone; runs from the sources (these tests) compile templates/ as it
 * is. Both must render exactly alike: no escaping, strict about missing values, the same helpers.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compilingLoader, precompiledLoader, render, TEMPLATES_DIR } from "../../src/render/render.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const script = join(root, "scripts", "precompile-templates.js");
const built = join(root, "dist", "render");
const scratch = mkdtempSync(join(tmpdir(), "vpcwire-render-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function precompile(args: string[]): void {
  execFileSync(process.execPath, [script, ...args], { cwd: root, stdio: "pipe" });
}

/** Every file under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".cjs"))
    .map((f) => f.split("\\").join("/"))
    .sort();
}

describe("render from the sources", () => {
  it("compiles templates/ as it is now", () => {
    const dir = join(scratch, "sources");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "probe.hbs"), "v={{v}}\n");
    expect(compilingLoader(dir)("probe.hbs")({ v: 1 })).toBe("v=1\n");
    writeFileSync(join(dir, "probe.hbs"), "changed {{v}}\n");
    expect(compilingLoader(dir)("probe.hbs")({ v: 2 })).toBe("changed 2\n");
  });

  it("renders a real template and refuses a model that lacks a value", () => {
    expect(existsSync(join(TEMPLATES_DIR, "vpn", "csr1000v.hbs"))).toBe(true);
    expect(() => render("vpn/csr1000v.hbs", {})).toThrow(/not defined/);
  });
});

describe.skipIf(!existsSync(join(built, "render.js")))("templates precompiled by the build", () => {
  it("dist/render/templates holds exactly today's templates/, as the build would write them now", () => {
    const fresh = join(scratch, "fresh");
    precompile(["--out", fresh]);
    const expected = tree(fresh);
    expect(expected).toEqual(
      readdirSync(TEMPLATES_DIR, { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".hbs"))
        .map((f) => `${f.split("\\").join("/")}.cjs`)
        .sort(),
    );
    // A failure here after editing templates/ means the build is stale: run `npm run build`.
    expect(tree(join(built, "templates"))).toEqual(expected);
    for (const f of expected) expect(readFileSync(join(built, "templates", f), "utf8"), f).toBe(readFileSync(join(fresh, f), "utf8"));
  });

  describe("render exactly like the compiler", () => {
    const sources = join(scratch, "probes");
    const out = join(scratch, "probes-built");
    const probes: Record<string, string> = {
      "raw.hbs": "{{text}} {{{text}}}\n",
      "nested/helpers.hbs": [
        "{{#if (eq kind 'bgp')}}bgp{{else}}static{{/if}}",
        "{{join cidrs ' / '}}|{{join cidrs}}|{{join missing}}",
        "{{#each tunnels}}Tunnel{{inc @index}}={{this.ip}}{{#unless @last}}, {{/unless}}{{/each}}",
        "  {{~#if flag~}}  trimmed  {{~/if~}}  ",
      ].join("\n"),
      "strict.hbs": "{{present}} {{absent}}\n",
      "strict-nested.hbs": "{{outer.inner}}\n",
    };
    const models: Array<[string, object]> = [
      ["raw.hbs", { text: `<a href="x">&'"\`=` }],
      ["nested/helpers.hbs", { kind: "bgp", cidrs: ["10.0.0.0/8", "172.16.0.0/12"], tunnels: [{ ip: "1.1.1.1" }, { ip: "2.2.2.2" }], flag: true }],
      ["nested/helpers.hbs", { kind: "static", cidrs: [], tunnels: [], flag: false }],
      ["strict.hbs", { present: "here" }],
      ["strict.hbs", { present: "here", absent: "" }],
      ["strict-nested.hbs", { outer: {} }],
      ["strict-nested.hbs", { outer: { inner: 0 } }],
    ];

    beforeAll(() => {
      for (const [name, text] of Object.entries(probes)) {
        mkdirSync(join(sources, name, ".."), { recursive: true });
        writeFileSync(join(sources, name), text);
      }
      precompile(["--templates", sources, "--out", out]);
    });

    const outcome = (fn: () => string) => {
      try {
        return { text: fn() };
      } catch (error) {
        return { error: (error as Error).message };
      }
    };

    it.each(models.map(([name, model], i) => [i, name, model] as const))("probe %i: %s", (_i, name, model) => {
      const compiled = outcome(() => compilingLoader(sources)(name)(model));
      const precompiled = outcome(() => precompiledLoader(out)(name)(model));
      expect(precompiled).toEqual(compiled);
    });

    it("keep the semantics render promises: no escaping, strict, the helpers", () => {
      const load = precompiledLoader(out);
      expect(load("raw.hbs")({ text: "<a>&'\"" })).toBe("<a>&'\" <a>&'\"\n");
      expect(load("nested/helpers.hbs")(models[1]![1])).toBe(
        "bgp\n10.0.0.0/8 / 172.16.0.0/12|10.0.0.0/8, 172.16.0.0/12|\nTunnel1=1.1.1.1, Tunnel2=2.2.2.2trimmed",
      );
      expect(() => load("strict.hbs")({ present: "here" })).toThrow(/"absent" not defined/);
      expect(() => load("strict-nested.hbs")({ outer: {} })).toThrow(/"inner" not defined/);
    });

    it("a template missing from the build says to build", () => {
      expect(() => precompiledLoader(out)("nope.hbs")).toThrow("template nope.hbs is not in the build: run `npm run build`");
    });
  });
});
