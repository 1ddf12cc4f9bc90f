import { describe, expect, it } from "vitest";
import { natNames, nlbName, shortName, targetGroupName } from "../../src/privatelink/names.js";
import { ENDPOINT_IP_PLACEHOLDER, NatRulesError, type NatRulesInput, renderNatRules } from "../../src/privatelink/nat.js";
import { expectGolden as expectGoldenIn } from "../helpers/golden.js";

const expectGolden = (name: string, actual: string) => expectGoldenIn("privatelink", name, actual);

const SEED: NatRulesInput = {
  format: "nftables",
  stack: "onprem-to-ec2",
  relayIp: "172.16.0.10",
  endpointIp: "172.16.1.203",
  otherEndpointIps: ["172.16.2.57"],
  ports: [80, 443],
};

describe("NAT server rules (golden files)", () => {
  it("nftables: DNAT per port to the endpoint, SNAT of those connections to the relay IP", () => {
    const r = renderNatRules(SEED);
    expect(r.preview).toBe(false);
    expect(r.text).toContain("ip daddr 172.16.0.10 tcp dport 443 dnat to 172.16.1.203:443");
    expect(r.text).toContain("ip daddr 172.16.1.203 tcp dport { 80, 443 } ct status dnat snat to 172.16.0.10");
    expectGolden("nftables-seed.txt", r.text);
  });

  it("iptables: an idempotent script with its own chains", () => {
    const r = renderNatRules({ ...SEED, format: "iptables" });
    expect(r.text.startsWith("#!/bin/sh\n")).toBe(true);
    expect(r.text).toContain("-j DNAT --to-destination 172.16.1.203:80");
    expect(r.text).toContain("-m conntrack --ctstate DNAT -j SNAT --to-source 172.16.0.10");
    expectGolden("iptables-seed.txt", r.text);
  });

  it("one port, one endpoint address", () => {
    const input = { ...SEED, ports: [8080], otherEndpointIps: [] };
    expectGolden("nftables-one-port.txt", renderNatRules(input).text);
    expectGolden("iptables-one-port.txt", renderNatRules({ ...input, format: "iptables" }).text);
  });

  it("previews mark the unknown endpoint address and cannot be loaded as they are", () => {
    const input = { ...SEED, endpointIp: ENDPOINT_IP_PLACEHOLDER, otherEndpointIps: [] };
    const nft = renderNatRules(input);
    expect(nft.preview).toBe(true);
    expect(nft.text).toContain("PREVIEW");
    expectGolden("nftables-preview.txt", nft.text);
    const sh = renderNatRules({ ...input, format: "iptables" });
    expect(sh.text).toMatch(/this is a preview[^\n]*\nexit 1\n/);
    expectGolden("iptables-preview.txt", sh.text);
  });
});

describe("NAT rule values are checked before they reach the text", () => {
  const cases: Array<[string, Partial<NatRulesInput>]> = [
    ["relay IP with a shell command", { relayIp: "172.16.0.10; reboot" }],
    ["endpoint IP with a newline", { endpointIp: "172.16.1.203\nflush ruleset" }],
    ["endpoint IP that is a hostname", { endpointIp: "evil.example.com" }],
    ["another endpoint IP that is not an IP", { otherEndpointIps: ["$(id)"] }],
    ["port zero", { ports: [0] }],
    ["port over 65535", { ports: [70000] }],
    ["fractional port", { ports: [80.5] }],
    ["no ports", { ports: [] }],
    ["stack with a quote", { stack: 'x"; rm -rf /' }],
    ["endpoint IP equal to the relay IP", { endpointIp: "172.16.0.10" }],
  ];
  it.each(cases)("%s", (_, change) => {
    expect(() => renderNatRules({ ...SEED, ...change })).toThrow(NatRulesError);
  });
});

describe("resource names", () => {
  it("fit ELBv2's 32 characters, share a prefix per kind, and are the same on every run", () => {
    const stack = "relay-0123abcd-192-168-100-200";
    const names = [nlbName(stack, "inbound"), nlbName(stack, "outbound"), targetGroupName(stack, "outbound", 65535), targetGroupName(stack, "inbound", 80)];
    for (const n of names) {
      expect(n.length).toBeLessThanOrEqual(32);
      expect(n).toMatch(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/);
    }
    const tgPrefix = (n: string) => n.replace(/-(in|out)-\d+$/, "");
    expect(tgPrefix(names[2]!)).toBe(tgPrefix(names[3]!));
    expect(targetGroupName(stack, "inbound", 80)).toBe(names[3]);
    // Two long stacks that differ only at the end still get different names.
    expect(targetGroupName(`${stack}1`, "inbound", 80)).not.toBe(targetGroupName(`${stack}2`, "inbound", 80));
  });

  it("short stacks keep their name as is", () => {
    expect(nlbName("seed", "inbound")).toBe("seed-in");
    expect(targetGroupName("seed", "outbound", 22)).toBe("seed-out-22");
  });

  it("never begin with internal- (ELBv2 refuses such names)", () => {
    expect(nlbName("internal-app", "inbound")).toBe("vw-internal-app-in");
    expect(shortName("internal-a-very-long-stack-name-x", "in")).toMatch(/^vw-/);
  });

  it("iptables chains stay within 28 characters", () => {
    const n = natNames("a-stack-name-of-thirty-two-chars");
    for (const c of [n.dnatChain, n.snatChain, n.forwardChain]) expect(c.length).toBeLessThanOrEqual(28);
    expect(n.table).toBe("vpcwire_a_stack_name_of_thirty_two_chars");
  });
});
