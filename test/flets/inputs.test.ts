import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.js";
import { type FletsInput, missingFletsFlags, PRIVATE_IP_OR_INSTANCE_ID, validateFletsFlags } from "../../src/flets/inputs.js";

const seed = { prefix: "2001:db8::/64", privateIp: "10.216.0.101", router: "192.168.103.254" };
const ipip = { ipipRemote: "2001:db8:100::1", ipipLocalV4: "10.216.0.0/24", ipipRemoteV4: "192.168.10.0/24" };

/** Run the validator and return the UsageError it throws (failing the test if it does not). */
function usageError(raw: Record<string, unknown>): UsageError {
  try {
    validateFletsFlags(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    const usage = error as UsageError;
    expect(usage.exitCode).toBe(2);
    expect(usage.message).not.toMatch(/[\r\n]/); // one line, whatever was typed
    return usage;
  }
  throw new Error(`expected a usage error for ${JSON.stringify(raw)}`);
}

function expectRejected(raw: Record<string, unknown>, flag: string, rule?: RegExp): void {
  const error = usageError(raw);
  expect(error.message.startsWith(`${flag}: `), error.message).toBe(true);
  if (rule) expect(error.message).toMatch(rule);
}

describe("validateFletsFlags: the seed's setup", () => {
  it("accepts the seed's values and applies the defaults", () => {
    expect(validateFletsFlags(seed)).toEqual<FletsInput>({
      prefix: "2001:db8::/64",
      privateIp: "10.216.0.101",
      router: "192.168.103.254",
      boot: "systemd",
      interface: "sit1",
      firewall: "nftables",
      allow: [],
    });
  });

  it("takes every flag", () => {
    const input = validateFletsFlags({
      ...seed,
      ...ipip,
      instanceId: "i-0123456789ABCDEF0",
      os: "linux",
      boot: "rc.local",
      interface: "isatap0",
      firewall: "ip6tables",
      allow: ["tcp:22, TCP:443", "udp:1000-2000,icmpv6", "tcp:22"],
      dnsName: "App.Example.co.jp.",
      out: "./flets-out",
      region: "ap-northeast-1", // global options ride along and are ignored
    });
    expect(input).toEqual<FletsInput>({
      prefix: "2001:db8::/64",
      privateIp: "10.216.0.101",
      instanceId: "i-0123456789abcdef0",
      router: "192.168.103.254",
      os: "linux",
      boot: "rc.local",
      interface: "isatap0",
      firewall: "ip6tables",
      linuxOnly: ["--boot", "--interface", "--firewall"],
      allow: [
        { protocol: "tcp", fromPort: 22, toPort: 22, text: "tcp:22" },
        { protocol: "tcp", fromPort: 443, toPort: 443, text: "tcp:443" },
        { protocol: "udp", fromPort: 1000, toPort: 2000, text: "udp:1000-2000" },
        { protocol: "icmpv6", text: "icmpv6" },
      ],
      dnsName: "app.example.co.jp",
      ipip: { remote: "2001:db8:100::1", localV4: "10.216.0.0/24", remoteV4: "192.168.10.0/24" },
      out: "./flets-out",
    });
  });

  it("canonicalises the prefix", () => {
    expect(validateFletsFlags({ ...seed, prefix: "2001:0DB8:0000:0000::/64" }).prefix).toBe("2001:db8::/64");
  });

  it("accepts --instance-id alone (the private IP is looked up later) with 8 or 17 hex digits", () => {
    const { privateIp: _omit, ...rest } = seed;
    expect(validateFletsFlags({ ...rest, instanceId: "i-0123abcd" }).instanceId).toBe("i-0123abcd");
    expect(validateFletsFlags({ ...rest, instanceId: "i-0123456789abcdef0" }).privateIp).toBeUndefined();
  });
});

describe("missingFletsFlags", () => {
  it("names every absent required flag", () => {
    expect(missingFletsFlags({})).toEqual(["--prefix", "--router", PRIVATE_IP_OR_INSTANCE_ID]);
    expect(missingFletsFlags({ instanceId: "i-0123abcd" })).toEqual(["--prefix", "--router"]);
    expect(missingFletsFlags(seed)).toEqual([]);
  });

  it("counts a present but bad value as given (validation reports it)", () => {
    expect(missingFletsFlags({ ...seed, prefix: "" })).toEqual([]);
  });

  it("is what validateFletsFlags reports, all at once, before checking any value", () => {
    expect(usageError({ router: "junk" }).message).toBe("missing required flags: --prefix, --private-ip or --instance-id");
    expect(usageError({ prefix: seed.prefix, router: seed.router }).message).toBe("missing required flags: --private-ip or --instance-id");
    expect(usageError({ prefix: seed.prefix, privateIp: seed.privateIp }).message).toBe("missing required flags: --router");
  });
});

describe("validateFletsFlags: --prefix", () => {
  it.each([
    ["2001:db8::/48", /\/48.*exactly a \/64/],
    ["2001:db8::/128", /\/128/],
    ["10.0.0.0/24", /IPv4/],
    ["10.0.0.0", /IPv4/],
    ["2001:db8::", /no prefix length/],
    ["junk", /not an IPv6 \/64/],
    ["", /not an IPv6 \/64/],
    ["2001:db8::1/64", /host bits set \(did you mean 2001:db8::\/64\?\)/],
    ["2001:db8:0:0:8000::/64", /host bits/],
    ["fe80::/64", /linkLocal/],
    ["ff02::/64", /multicast/],
    ["::/64", /unspecified/],
    ["2001:db8::%eth0/64", /not an IPv6/],
    [" 2001:db8::/64", /not an IPv6/],
    ["2001:db8::/64; reboot", /not an IPv6/],
  ])("rejects %j", (prefix, rule) => {
    expectRejected({ ...seed, prefix }, "--prefix", rule);
  });
});

describe("validateFletsFlags: --private-ip, --instance-id, --router", () => {
  it.each(["8.8.8.8", "100.64.0.1", "192.0.2.1", "10.0.0", "010.0.0.1", "10.0.0.256", "2001:db8::1", "10.0.0.1/32"])("--private-ip rejects %j", (privateIp) =>
    expectRejected({ ...seed, privateIp }, "--private-ip"),
  );

  it("--private-ip explains RFC 1918", () => {
    expectRejected({ ...seed, privateIp: "8.8.8.8" }, "--private-ip", /RFC 1918/);
  });

  it.each(["i-123", "i-0123456789abcdef", "i-0123456g", "0123abcd", "i-0123abcd ", "I-0123abcd; reboot"])("--instance-id rejects %j", (instanceId) =>
    expectRejected({ ...seed, instanceId }, "--instance-id", /8 or 17 hex/),
  );

  it.each(["0.0.0.0", "255.255.255.255", "224.0.0.1", "127.0.0.1", "169.254.169.254", "192.168.103", "router.example"])("--router rejects %j", (router) =>
    expectRejected({ ...seed, router }, "--router"),
  );

  it("--router may not be the instance itself", () => {
    expectRejected({ ...seed, router: seed.privateIp }, "--router", /own --private-ip/);
  });
});

describe("validateFletsFlags: --os, --boot, --interface, --firewall", () => {
  it("rejects unknown choices", () => {
    expectRejected({ ...seed, os: "macos" }, "--os", /linux, windows/);
    expectRejected({ ...seed, boot: "upstart" }, "--boot", /systemd, rc\.local/);
    expectRejected({ ...seed, firewall: "firewalld" }, "--firewall", /nftables, ip6tables/);
  });

  it("rejects Linux-only flags with --os windows", () => {
    for (const [key, flag, value] of [
      ["boot", "--boot", "systemd"],
      ["interface", "--interface", "sit1"],
      ["firewall", "--firewall", "nftables"],
      ["ipipRemote", "--ipip-remote", "2001:db8:100::1"],
    ] as const) {
      expectRejected({ ...seed, ...(key === "ipipRemote" ? ipip : {}), os: "windows", [key]: value }, flag, /--os linux/);
    }
  });

  it.each(["sit1", "isatap0", "a", "flets_v6.1", "fifteen-chars-x"])("--interface accepts %j", (name) => {
    expect(validateFletsFlags({ ...seed, interface: name }).interface).toBe(name);
  });

  it.each(["", "sixteen-chars-xx", "eth/0", "sit 1", "sit:1", "-x", ".", "..", ".hidden", "sit0", "lo", "tunl0", "ip6tnl0", "ｓｉｔ1"])(
    "--interface rejects %j",
    (name) => expectRejected({ ...seed, interface: name }, "--interface"),
  );
});

describe("validateFletsFlags: --allow", () => {
  it("takes a comma list, repeats, ranges and icmpv6, and drops duplicates", () => {
    const { allow } = validateFletsFlags({ ...seed, allow: ["tcp:22,tcp:443", "tcp:22", "udp:1-65535", "icmpv6"] });
    expect(allow.map((r) => r.text)).toEqual(["tcp:22", "tcp:443", "udp:1-65535", "icmpv6"]);
  });

  it("takes a single string", () => {
    expect(validateFletsFlags({ ...seed, allow: "tcp:3389" }).allow).toEqual([{ protocol: "tcp", fromPort: 3389, toPort: 3389, text: "tcp:3389" }]);
  });

  it.each([
    ["tcp:0", /outside 1-65535/],
    ["tcp:65536", /outside 1-65535/],
    ["udp:0-10", /outside 1-65535/],
    ["tcp:2000-1000", /backwards \(did you mean tcp:1000-2000\?\)/],
    ["sctp:1", /not tcp:PORT/],
    ["tcp", /not tcp:PORT/],
    ["tcp:", /not tcp:PORT/],
    ["tcp:ssh", /not tcp:PORT/],
    ["tcp:22:23", /not tcp:PORT/],
    ["icmp", /not tcp:PORT/],
    ["tcp:22,,tcp:443", /empty entry/],
    ["", /empty entry/],
  ])("rejects %j", (allow, rule) => {
    expectRejected({ ...seed, allow }, "--allow", rule);
  });
});

describe("validateFletsFlags: --dns-name, --out", () => {
  it.each(["app.example.jp", "a.b", "xn--eckwd4c7c.xn--zckzah", "host-1.example.co.jp."])("--dns-name accepts %j", (name) => {
    expect(validateFletsFlags({ ...seed, dnsName: name }).dnsName).toBe(name.replace(/\.$/, "").toLowerCase());
  });

  it.each([
    "localhost",
    "",
    ".",
    "-a.example.jp",
    "a-.example.jp",
    "a..example.jp",
    "a_b.example.jp",
    "a.example.123",
    `${"a".repeat(64)}.jp`,
    `${"a.".repeat(127)}jp`,
    "*.example.jp",
  ])("--dns-name rejects %j", (name) => expectRejected({ ...seed, dnsName: name }, "--dns-name", /fully qualified/));

  it("--out must be a usable path", () => {
    expectRejected({ ...seed, out: "" }, "--out");
    expectRejected({ ...seed, out: "a\nb" }, "--out");
  });
});

describe("validateFletsFlags: --security-group, and which Linux-only flags were given", () => {
  const withInstance = { ...seed, instanceId: "i-0123456789abcdef0" };
  it("takes a security group id with --instance-id", () => {
    expect(validateFletsFlags({ ...withInstance, securityGroup: "sg-0123456789abcdef0" }).securityGroup).toBe("sg-0123456789abcdef0");
  });
  it.each(["", "sg-nope", "i-0123456789abcdef0"])("rejects %j", (value) => {
    expectRejected({ ...withInstance, securityGroup: value }, "--security-group", /is not a sg id/);
  });
  it("needs --instance-id (the group is checked only on an instance vpcwire reads)", () => {
    expectRejected({ ...seed, securityGroup: "sg-0123456789abcdef0" }, "--security-group", /needs --instance-id/);
  });
  it("records the Linux-only flags that were given, and nothing when none was", () => {
    expect(validateFletsFlags(seed).linuxOnly).toBeUndefined();
    expect(validateFletsFlags({ ...seed, interface: "sit9" }).linuxOnly).toEqual(["--interface"]);
    expect(validateFletsFlags({ ...seed, firewall: "nftables", boot: "systemd" }).linuxOnly).toEqual(["--boot", "--firewall"]);
  });
});

describe("validateFletsFlags: --ipip-*", () => {
  it("needs all three", () => {
    expectRejected({ ...seed, ipipRemote: ipip.ipipRemote }, "--ipip-local-v4", /required/);
    expectRejected({ ...seed, ipipLocalV4: ipip.ipipLocalV4 }, "--ipip-remote", /required/);
    expectRejected({ ...seed, ipipRemote: ipip.ipipRemote, ipipLocalV4: ipip.ipipLocalV4 }, "--ipip-remote-v4", /required/);
  });

  it.each(["fe80::1", "ff02::1", "::", "::1", "192.168.10.1", "2001:db8::1/64", "2001:db8::1%eth0"])("--ipip-remote rejects %j", (ipipRemote) =>
    expectRejected({ ...seed, ...ipip, ipipRemote }, "--ipip-remote"),
  );

  it("checks the IPv4 networks against each other, the private IP and the router", () => {
    expectRejected({ ...seed, ...ipip, ipipLocalV4: "10.216.1.0/24" }, "--ipip-local-v4", /does not contain .* 10\.216\.0\.101/);
    expectRejected({ ...seed, ...ipip, ipipLocalV4: "10.216.0.1/24" }, "--ipip-local-v4", /host bits/);
    expectRejected({ ...seed, ...ipip, ipipLocalV4: "10.216.0.0/33" }, "--ipip-local-v4");
    expectRejected({ ...seed, ...ipip, ipipRemoteV4: "10.0.0.0/8" }, "--ipip-remote-v4", /overlaps/);
    expectRejected({ ...seed, ...ipip, ipipRemoteV4: "192.168.0.0/16" }, "--ipip-remote-v4", /contains the ISATAP --router/);
    expectRejected({ ...seed, ...ipip, ipipRemoteV4: " 192.168.10.0/24" }, "--ipip-remote-v4", /canonical/);
  });

  it("keeps --interface clear of the IPIP device name", () => {
    expectRejected({ ...seed, ...ipip, interface: "ipip1" }, "--interface", /IPIP/);
  });
});

describe("validateFletsFlags: nothing typed reaches a script unvalidated", () => {
  const payloads = ["; reboot", " ; reboot", "$(id)", "`id`", "\nreboot", "\r\nreboot", " && reboot", "|sh", "'", '"', "#", "\\", "\0"];
  // Each flag whose value lands in a rendered file, with a valid value to attack.
  const flags: Array<[key: string, flag: string, valid: string, extra?: Record<string, unknown>]> = [
    ["prefix", "--prefix", "2001:db8::/64"],
    ["privateIp", "--private-ip", "10.216.0.101"],
    ["instanceId", "--instance-id", "i-0123abcd"],
    ["router", "--router", "192.168.103.254"],
    ["interface", "--interface", "sit1"],
    ["allow", "--allow", "tcp:22"],
    ["dnsName", "--dns-name", "app.example.jp"],
    ["ipipRemote", "--ipip-remote", "2001:db8:100::1", ipip],
    ["ipipLocalV4", "--ipip-local-v4", "10.216.0.0/24", ipip],
    ["ipipRemoteV4", "--ipip-remote-v4", "192.168.10.0/24", ipip],
  ];

  it("the seed's examples: --router '1.2.3.4; reboot', $(id) and a newline are errors", () => {
    expectRejected({ ...seed, router: "1.2.3.4; reboot" }, "--router", /not an IPv4 address/);
    expectRejected({ ...seed, privateIp: "$(id)" }, "--private-ip");
    expectRejected({ ...seed, interface: "sit1\nreboot" }, "--interface");
  });

  for (const [key, flag, valid, extra] of flags) {
    it(`${flag} rejects shell payloads before, after and instead of a valid value`, () => {
      for (const payload of payloads) {
        for (const value of [`${valid}${payload}`, `${payload}${valid}`, payload]) {
          // A comma splits --allow into entries, so "tcp:22,; reboot" fails on its second entry: still --allow.
          expectRejected({ ...seed, ...extra, [key]: value }, flag);
        }
      }
    });
  }

  it("whatever string is typed, a value that passes is made only of [A-Za-z0-9:./_-]", () => {
    const safe = /^[A-Za-z0-9:./_-]+$/;
    const anyString = fc.oneof(
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.tuple(fc.constantFrom(...flags.map((f) => f[2])), fc.string({ maxLength: 8 })).map(([v, s]) => v + s),
      fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...flags.map((f) => f[2]))).map(([s, v]) => s + v),
    );
    fc.assert(
      fc.property(fc.constantFrom(...flags), anyString, ([key, , , extra], value) => {
        let input: FletsInput;
        try {
          input = validateFletsFlags({ ...seed, ...extra, [key]: value });
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
          return;
        }
        const values = [
          input.prefix,
          input.privateIp,
          input.instanceId,
          input.router,
          input.interface,
          input.dnsName,
          input.ipip?.remote,
          input.ipip?.localV4,
          input.ipip?.remoteV4,
          ...input.allow.map((r) => r.text),
        ].filter((v): v is string => v !== undefined);
        for (const v of values) expect(v).toMatch(safe);
      }),
      { numRuns: 2000 },
    );
  });

  it("reports a value with control characters escaped, on one line", () => {
    const error = usageError({ ...seed, router: "1.2.3.4\nreboot" });
    expect(error.message).toBe('--router: "1.2.3.4\\nreboot" is not an IPv4 address (NTT\'s ISATAP router, e.g. 192.168.103.254)');
  });

  it("rejects a flag given twice and non-string values", () => {
    expectRejected({ ...seed, router: ["192.168.103.254", "192.168.103.253"] }, "--router", /more than once/);
    expectRejected({ ...seed, router: 3232262142 }, "--router", /expects a value/);
    expectRejected({ ...seed, allow: [22] }, "--allow");
  });
});
