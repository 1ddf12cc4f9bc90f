import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareGolden, expectGolden, UPDATING } from "./golden.js";

describe("golden-file helper", () => {
  it("reports a difference or a missing file and leaves the file alone unless asked to update", () => {
    const dir = mkdtempSync(join(tmpdir(), "vpcwire-golden-"));
    try {
      const file = join(dir, "x.txt");
      expect(compareGolden(file, "a\n", false)).toEqual({ status: "missing" });
      writeFileSync(file, "a\n");
      expect(compareGolden(file, "a\n", false)).toEqual({ status: "same" });
      expect(compareGolden(file, "b\n", false)).toEqual({ status: "different", expected: "a\n" });
      expect(readFileSync(file, "utf8")).toBe("a\n");
      expect(compareGolden(file, "b\n", true)).toEqual({ status: "written" });
      expect(readFileSync(file, "utf8")).toBe("b\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(UPDATING)("fails the test on a difference and on a missing golden file", () => {
    expect(() => expectGolden("vpn", "csr1000v-static.txt", "something else\n")).toThrow(/differs from test\/golden\/vpn\/csr1000v-static.txt/);
    expect(() => expectGolden("vpn", "no-such-file.txt", "x")).toThrow(/missing; run UPDATE_GOLDEN=1/);
  });
});
