/**
 * The pre-shared key rule (shared/docs/aws-facts.md section 2.1): 8-64 characters of A-Z a-z 0-9 . _,
 * not starting with 0. One rule, applied by every place that checks a key: the flags, and the
 * device configuration generator.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkPsk, isPsk, PSK_RULE } from "../../src/net/vpn-rules.js";
import { parseCustomerGatewayConfiguration } from "../../src/render/vpn-xml.js";
import { DeviceConfigError, renderDeviceConfig } from "../../src/vpn/device-config.js";

const ALLOWED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
/** AWS's rule written out without a regular expression, to check the one in src/net against. */
const awsAccepts = (key: string) => key.length >= 8 && key.length <= 64 && [...key].every((c) => ALLOWED.includes(c)) && key[0] !== "0";

describe("the pre-shared key rule", () => {
  it("allows exactly letters, digits, '.' and '_'", () => {
    for (const c of ALLOWED) expect(isPsk(`Key_base${c}`), c).toBe(true);
    for (const c of ["-", " ", "+", "/", "=", "!", "@", "é", "\n", "\t", ";", '"', "'", "\\", "０"])
      expect(isPsk(`Key_base${c}`), JSON.stringify(c)).toBe(false);
  });

  it("is 8 to 64 characters long", () => {
    expect(isPsk("a".repeat(7))).toBe(false);
    expect(isPsk("a".repeat(8))).toBe(true);
    expect(isPsk("a".repeat(64))).toBe(true);
    expect(isPsk("a".repeat(65))).toBe(false);
    expect(isPsk("")).toBe(false);
  });

  it("refuses a leading 0, and only a leading one", () => {
    expect(isPsk("0abcdefgh")).toBe(false);
    expect(isPsk("00000000")).toBe(false);
    expect(isPsk("a0000000")).toBe(true);
    expect(isPsk("1abcdefgh")).toBe(true);
    expect(isPsk(".abcdefgh")).toBe(true);
    expect(checkPsk("0abcdefgh")).toBe("a pre-shared key must not start with 0");
  });

  it("matches AWS's rule for any string, and checkPsk gives a reason exactly when isPsk says no", () => {
    const keyish = fc.oneof(fc.string({ maxLength: 70 }), fc.stringMatching(/^[0-9A-Za-z._-]{6,66}$/));
    fc.assert(
      fc.property(keyish, (key) => {
        expect(isPsk(key)).toBe(awsAccepts(key));
        expect(checkPsk(key) === undefined).toBe(awsAccepts(key));
      }),
      { numRuns: 2000 },
    );
  });

  it("a refused key is never part of the message", () => {
    for (const key of ["0TopSecretKey", "short", "Top-Secret-Key"]) expect(checkPsk(key)).not.toContain(key);
  });
});

describe("the device configuration generator applies the same rule", () => {
  const model = parseCustomerGatewayConfiguration(readFileSync(new URL("../fixtures/vpn/static.xml", import.meta.url), "utf8"));
  const renderWith = (key: string) => {
    const config = structuredClone(model);
    config.tunnels[0]!.ike.preSharedKey = key;
    return renderDeviceConfig({ device: "strongswan", config, vpcCidrs: ["10.20.0.0/16"], onpremCidrs: ["192.168.10.0/24"] });
  };

  it("refuses a key that starts with 0, naming the rule and not the key", () => {
    let message = "";
    try {
      renderWith("0TopSecretKey");
    } catch (error) {
      expect(error).toBeInstanceOf(DeviceConfigError);
      message = (error as Error).message;
    }
    expect(message).toBe(`tunnel 1 pre-shared key is not ${PSK_RULE}`);
    expect(message).not.toContain("0TopSecretKey");
  });

  it("renders any key the rule allows, and refuses any it does not", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9A-Za-z._-]{7,65}$/), (key) => {
        if (awsAccepts(key)) expect(renderWith(key)).toContain(key);
        else expect(() => renderWith(key)).toThrow(DeviceConfigError);
      }),
      { numRuns: 300 },
    );
  });
});
