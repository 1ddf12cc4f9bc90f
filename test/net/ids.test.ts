import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.js";
import { checkId, checkVifId, EC2_ID_PREFIXES, type Ec2IdKind, isEc2Id } from "../../src/net/ids.js";

const kinds = Object.keys(EC2_ID_PREFIXES) as Ec2IdKind[];

describe("EC2 ids", () => {
  it.each(kinds)("%s: the prefix and 8 or 17 lowercase hex digits", (kind) => {
    const p = EC2_ID_PREFIXES[kind];
    expect(isEc2Id(`${p}-0123abcd`, kind)).toBe(true);
    expect(isEc2Id(`${p}-0123456789abcdef0`, kind)).toBe(true);
    for (const bad of [
      `${p}-0123abc`,
      `${p}-0123abcde`,
      `${p}-0123456789abcdef`,
      `${p}-0123ABCD`,
      `${p}-0123abcg`,
      `${p}0123abcd`,
      `x${p}-0123abcd`,
      "",
      `${p}-`,
    ]) {
      expect(isEc2Id(bad, kind), bad).toBe(false);
    }
  });

  it("an id of one kind is not an id of another", () => {
    expect(isEc2Id("vpc-0123abcd", "vgw")).toBe(false);
    expect(isEc2Id("subnet-0123abcd", "sg")).toBe(false);
    expect(isEc2Id("i-0123abcd", "instance")).toBe(true);
  });

  it("checkId returns the id without blanks, and names the flag and the rule otherwise (exit 2)", () => {
    expect(checkId("--vpc-id", " vpc-0123abcd ", "vpc")).toBe("vpc-0123abcd");
    let error: unknown;
    try {
      checkId("--target-instance", "i-xyz", "instance");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as Error).message).toBe('--target-instance: "i-xyz" is not a instance id (i- followed by 8 or 17 hex digits)');
    expect(() => checkId("--route-tables", "main", "rtb")).toThrow('--route-tables: "main" is not a rtb id (rtb- followed by 8 or 17 hex digits)');
  });

  it("whatever is typed, checkId either refuses it or returns a well-formed id", () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(...kinds), (text, kind) => {
        let out: string | undefined;
        try {
          out = checkId("--x", text, kind);
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError);
          return;
        }
        expect(isEc2Id(out, kind)).toBe(true);
      }),
    );
  });
});

describe("Direct Connect ids", () => {
  it("a VIF id is dxvif- and 8 to 17 lowercase letters or digits", () => {
    expect(checkVifId("--vif-id", "dxvif-ffg1abcd")).toBe("dxvif-ffg1abcd");
    expect(() => checkVifId("--vif-id", "dxvif-FFG1ABCD")).toThrow('--vif-id: "dxvif-FFG1ABCD" is not a virtual interface id');
    expect(() => checkVifId("--vif-id", "dxvif-abc")).toThrow(UsageError);
  });
});
