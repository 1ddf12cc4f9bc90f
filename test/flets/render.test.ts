import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.js";
import { type FletsInput, validateFletsFlags } from "../../src/flets/inputs.js";
import { FLETS_INSTALL_PATHS, type FletsFile, type FletsRendered, renderFletsFiles } from "../../src/flets/render.js";
import { TEMPLATES_DIR } from "../../src/render/render.js";
import { expectGolden as expectGoldenIn } from "../helpers/golden.js";

const expectGolden = (name: string, actual: string) => expectGoldenIn("flets", name, actual);

/** The seed's setup: prefix 2001:db8::/64, private IP 10.216.0.101, router 192.168.103.254. */
const seedFlags = {
  prefix: "2001:db8::/64",
  privateIp: "10.216.0.101",
  router: "192.168.103.254",
  allow: "tcp:22,tcp:443,udp:1000-2000,icmpv6",
  dnsName: "app.example.jp",
};
const ipipFlags = { ipipRemote: "2001:db8:100::1", ipipLocalV4: "10.216.0.0/24", ipipRemoteV4: "192.168.10.0/24" };

function renderWith(flags: Record<string, unknown>, os: "linux" | "windows" = "linux"): FletsRendered {
  const input = validateFletsFlags(flags);
  return renderFletsFiles({ ...input, privateIp: input.privateIp ?? "10.216.0.101", os: input.os ?? os });
}

function file(rendered: FletsRendered, name: string): FletsFile {
  const found = rendered.files.find((f) => f.name === name);
  if (!found) throw new Error(`no ${name} in ${rendered.files.map((f) => f.name).join(", ")}`);
  return found;
}

const lines = (text: string) => text.split(/\r?\n/);
/** Lines that are commands, not comments or blank. */
const commands = (text: string) => lines(text).filter((l) => l.trim() !== "" && !/^\s*(#|@?rem\b)/i.test(l));

const systemd = renderWith({ ...seedFlags, ...ipipFlags, os: "linux" });
const rcLocal = renderWith({ ...seedFlags, ...ipipFlags, os: "linux", boot: "rc.local" });
const ip6tables = renderWith({ ...seedFlags, ...ipipFlags, os: "linux", firewall: "ip6tables" });
const windows = renderWith({ ...seedFlags, os: "windows" });

describe("golden files: one per template", () => {
  // Windows files are CRLF; goldens are kept LF so git's line-ending handling cannot break them.
  const lf = (s: string) => s.replace(/\r\n/g, "\n");
  const goldens: Array<[template: string, golden: string, content: () => string]> = [
    ["rc-local.hbs", "linux-rc-local.txt", () => file(rcLocal, "rc.local.snippet").content],
    ["systemd-unit.hbs", "linux-systemd-unit.txt", () => file(systemd, "isatap.service").content],
    ["isatap-up-sh.hbs", "linux-isatap-up-sh.txt", () => file(systemd, "isatap-up.sh").content],
    ["nftables.hbs", "linux-nftables.txt", () => file(systemd, "firewall.nft").content],
    ["ip6tables.hbs", "linux-ip6tables.txt", () => file(ip6tables, "firewall-ip6tables.sh").content],
    ["ipip-linux.hbs", "linux-ipip.txt", () => file(systemd, "ipip-up.sh").content],
    ["netsh.hbs", "windows-netsh.txt", () => lf(file(windows, "isatap.ps1").content)],
    ["netsh-firewall.hbs", "windows-netsh-firewall.txt", () => lf(file(windows, "isatap-firewall.cmd").content)],
    ["checklist.hbs", "linux-checklist.txt", () => `${systemd.checklist.join("\n")}\n`],
    ["checklist.hbs", "windows-checklist.txt", () => `${windows.checklist.join("\n")}\n`],
  ];

  for (const [template, golden, content] of goldens) {
    it(`${template} -> ${golden}`, () => expectGolden(golden, content()));
  }

  it("covers every template under templates/flets/", () => {
    const templates = readdirSync(join(TEMPLATES_DIR, "flets")).filter((f) => f.endsWith(".hbs"));
    expect(new Set(goldens.map((g) => g[0]))).toEqual(new Set(templates));
  });
});

describe("the seed's example", () => {
  it("derives the address in both forms and the router's next hop", () => {
    expect(systemd.address).toMatchObject({
      dotted: "2001:db8::5efe:10.216.0.101",
      hex: "2001:0db8:0000:0000:0000:5efe:0ad8:0065",
      compressed: "2001:db8::5efe:ad8:65",
      prefix: "2001:db8::/64",
    });
    expect(systemd.address.gateway.dotted).toBe("2001:db8::5efe:192.168.103.254");
    expect(systemd.address.linkLocal.dotted).toBe("fe80::5efe:10.216.0.101");
  });

  it("the rc.local block runs the seed's commands, with ip -6 route instead of route", () => {
    const content = file(rcLocal, "rc.local.snippet").content;
    const body = commands(content).map((l) => l.trim());
    expect(body).toEqual(
      expect.arrayContaining([
        "/sbin/ip tunnel add sit1 mode isatap local 10.216.0.101",
        "/sbin/ip tunnel prl dev sit1 prl-default 192.168.103.254",
        "/sbin/ip addr add 2001:db8::5efe:10.216.0.101/64 dev sit1",
        "/sbin/ip link set sit1 up",
        "/sbin/ip -6 route add default via 2001:db8::5efe:192.168.103.254 dev sit1",
      ]),
    );
    // In the seed's order.
    const order = ["tunnel add", "tunnel prl", "addr add", "link set", "route add"].map((k) => body.findIndex((l) => l.includes(k)));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(content).not.toMatch(/\broute add -A inet6\b|\/sbin\/route\b/);
    // The firewall guards the tunnel: the commands run only when it loaded.
    expect(body[0]).toBe(`if /usr/sbin/nft -f ${FLETS_INSTALL_PATHS.nftables}; then`);
    expect(lines(content)[0]).toMatch(/^# BEGIN vpcwire flets isatap \(generated by vpcwire/);
    expect(
      lines(content)
        .filter((l) => l !== "")
        .at(-1),
    ).toBe("# END vpcwire flets isatap");
  });

  it("the systemd script runs the same commands after the firewall", () => {
    const body = commands(file(systemd, "isatap-up.sh").content);
    const firewallAt = body.indexOf(`/usr/sbin/nft -f ${FLETS_INSTALL_PATHS.nftables}`);
    expect(firewallAt).toBeGreaterThan(-1);
    expect(body.slice(firewallAt + 1)).toEqual([
      "ip tunnel add sit1 mode isatap local 10.216.0.101",
      "ip tunnel prl dev sit1 prl-default 192.168.103.254",
      "ip -6 addr add 2001:db8::5efe:10.216.0.101/64 dev sit1",
      "ip link set dev sit1 up",
      "ip -6 route add default via 2001:db8::5efe:192.168.103.254 dev sit1",
    ]);
    expect(body).toContain("set -eu");
  });

  it("prints the AAAA record to create", () => {
    expect(systemd.dnsRecord).toBe("app.example.jp. IN AAAA 2001:db8::5efe:ad8:65");
    expect(renderWith({ ...seedFlags, dnsName: undefined }).dnsRecord).toBeUndefined();
  });
});

describe("the files", () => {
  const all: Array<[string, FletsRendered]> = [
    ["systemd", systemd],
    ["rc.local", rcLocal],
    ["ip6tables", ip6tables],
    ["windows", windows],
  ];

  it("lists the expected files per setup", () => {
    expect(systemd.files.map((f) => f.name)).toEqual(["isatap.service", "isatap-up.sh", "firewall.nft", "ipip-up.sh"]);
    expect(rcLocal.files.map((f) => f.name)).toEqual(["rc.local.snippet", "firewall.nft", "ipip-up.sh"]);
    expect(ip6tables.files.map((f) => f.name)).toEqual(["isatap.service", "isatap-up.sh", "firewall-ip6tables.sh", "ipip-up.sh"]);
    expect(windows.files.map((f) => f.name)).toEqual(["isatap.ps1", "isatap-firewall.cmd"]);
  });

  for (const [label, rendered] of all) {
    it(`${label}: every file says it was generated by vpcwire, near the top, and scripts are 0755`, () => {
      for (const f of rendered.files) {
        const head = lines(f.content).slice(0, 2).join("\n");
        expect(head, f.name).toMatch(/(#|@rem) .*[Gg]enerated by vpcwire/);
        expect(f.mode, f.name).toBe(/\.(sh|ps1|cmd)$/.test(f.name) ? 0o755 : 0o644);
        expect(f.description.length, f.name).toBeGreaterThan(10);
        if (f.content.startsWith("#!")) expect(lines(f.content)[1]).toMatch(/^# Generated by vpcwire/);
      }
    });
  }

  it("Linux files point at each other through their install paths", () => {
    const unit = file(systemd, "isatap.service");
    const up = file(systemd, "isatap-up.sh");
    const nft = file(systemd, "firewall.nft");
    const ipipScript = file(systemd, "ipip-up.sh");
    expect(unit.installPath).toBe("/etc/systemd/system/isatap.service");
    expect(unit.content).toContain(`ExecStart=${up.installPath}\n`);
    expect(unit.content).toContain(`ExecStartPost=${ipipScript.installPath}\n`);
    expect(up.content).toContain(`nft -f ${nft.installPath}\n`);
    expect(file(ip6tables, "isatap-up.sh").content).toContain(`\n${file(ip6tables, "firewall-ip6tables.sh").installPath}\n`);
    expect(file(rcLocal, "rc.local.snippet").content).toContain(`  ${ipipScript.installPath}\n`);
  });

  it("Windows files use CRLF throughout, Linux files LF", () => {
    for (const f of windows.files) expect(f.content.replace(/\r\n/g, "")).not.toContain("\n");
    for (const f of systemd.files) expect(f.content).not.toContain("\r");
  });

  it("everything is ASCII (Windows PowerShell reads BOM-less scripts in the ANSI code page)", () => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: printable ASCII plus tab and newlines
    for (const [, rendered] of all) for (const f of rendered.files) expect(f.content, f.name).toMatch(/^[\x09\x0a\x0d\x20-\x7e]*$/);
  });

  it("a custom --interface replaces sit1 everywhere", () => {
    const r = renderWith({ ...seedFlags, ...ipipFlags, interface: "isatap0" });
    for (const f of r.files) expect(f.content, f.name).not.toMatch(/\bsit1\b/);
    expect(file(r, "isatap-up.sh").content).toContain("ip tunnel add isatap0 mode isatap local 10.216.0.101");
    expect(file(r, "firewall.nft").content).toContain('iifname "isatap0" jump from_flets');
    expect(file(r, "isatap.service").content).toContain("ExecStop=/usr/sbin/ip tunnel del isatap0");
  });
});

describe("systemd unit", () => {
  const unit = file(systemd, "isatap.service").content;
  it("is a oneshot that stays active, after network-online, removing the tunnel on stop", () => {
    for (const line of [
      "Type=oneshot",
      "RemainAfterExit=yes",
      "Wants=network-online.target",
      "After=network-online.target",
      "ExecStop=-/usr/sbin/ip -6 tunnel del ipip1",
      "ExecStop=/usr/sbin/ip tunnel del sit1",
      "WantedBy=multi-user.target",
    ]) {
      expect(lines(unit)).toContain(line);
    }
    expect(unit.indexOf("[Unit]")).toBeLessThan(unit.indexOf("[Service]"));
    expect(unit.indexOf("[Service]")).toBeLessThan(unit.indexOf("[Install]"));
  });

  it("without IPIP has no IPIP lines", () => {
    const plain = file(renderWith(seedFlags), "isatap.service").content;
    expect(plain).not.toMatch(/ipip|ExecStartPost/);
    expect(renderWith(seedFlags).files.map((f) => f.name)).not.toContain("ipip-up.sh");
  });
});

describe("host firewall", () => {
  it("nftables: its own inet table, only traffic from the tunnel, ND-safe ICMPv6, the allowed ports, then drop", () => {
    const nft = commands(file(systemd, "firewall.nft").content).map((l) => l.trim());
    expect(nft.slice(0, 3)).toEqual(["table inet vpcwire_isatap", "delete table inet vpcwire_isatap", "table inet vpcwire_isatap {"]);
    expect(nft).toContain("type filter hook input priority 0; policy accept;");
    expect(nft).toContain('iifname "sit1" jump from_flets');
    const chain = nft.slice(nft.indexOf("chain from_flets {") + 1, nft.lastIndexOf("}") - 1);
    expect(chain[0]).toBe("ct state established,related accept");
    expect(chain[1]).toBe("ct state invalid drop");
    for (const t of ["nd-neighbor-solicit", "nd-neighbor-advert", "nd-router-advert", "packet-too-big"]) expect(chain[2]).toContain(t);
    expect(chain).toEqual(
      expect.arrayContaining([
        'tcp dport 22 accept comment "--allow tcp:22"',
        'tcp dport 443 accept comment "--allow tcp:443"',
        'udp dport 1000-2000 accept comment "--allow udp:1000-2000"',
        'icmpv6 type echo-request accept comment "--allow icmpv6"',
        'ip6 saddr 2001:db8:100::1 meta l4proto 4 accept comment "IPv4-over-IPv6 from the site router"',
      ]),
    );
    expect(chain.at(-1)).toBe('counter drop comment "everything else from the tunnel"');
  });

  it("nftables without --allow: replies and ICMPv6 control only, no ping, no ports", () => {
    const nft = file(renderWith({ ...seedFlags, allow: undefined }), "firewall.nft").content;
    expect(nft).not.toMatch(/dport|echo-request|l4proto 4/);
    expect(nft).toContain("counter drop");
  });

  it("ip6tables: a chain hooked into INPUT for the tunnel only, ending in DROP", () => {
    const body = commands(file(ip6tables, "firewall-ip6tables.sh").content);
    expect(body).toEqual(
      expect.arrayContaining([
        "ip6tables -N VPCWIRE-ISATAP 2>/dev/null || ip6tables -F VPCWIRE-ISATAP",
        "ip6tables -C INPUT -i sit1 -j VPCWIRE-ISATAP 2>/dev/null || ip6tables -I INPUT 1 -i sit1 -j VPCWIRE-ISATAP",
        "ip6tables -A VPCWIRE-ISATAP -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
        "ip6tables -A VPCWIRE-ISATAP -p ipv6-icmp -m icmp6 --icmpv6-type 135 -j ACCEPT",
        "ip6tables -A VPCWIRE-ISATAP -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT",
        "ip6tables -A VPCWIRE-ISATAP -p tcp -m tcp --dport 22 -j ACCEPT",
        "ip6tables -A VPCWIRE-ISATAP -p udp -m udp --dport 1000:2000 -j ACCEPT",
        "ip6tables -A VPCWIRE-ISATAP -s 2001:db8:100::1/128 -p 4 -j ACCEPT",
      ]),
    );
    expect(body.at(-1)).toBe("ip6tables -A VPCWIRE-ISATAP -j DROP");
    expect(body.filter((l) => / -j (ACCEPT|DROP)$/.test(l)).every((l) => l.startsWith("ip6tables -A VPCWIRE-ISATAP "))).toBe(true);
  });

  it("Windows: one allow rule per entry, to the ISATAP address only", () => {
    const rules = commands(file(windows, "isatap-firewall.cmd").content).filter((l) => l.includes(" add rule "));
    expect(rules).toHaveLength(4);
    for (const rule of rules) {
      expect(rule).toMatch(
        /^netsh advfirewall firewall add rule name="vpcwire-isatap" .*dir=in action=allow profile=any localip=2001:db8::5efe:ad8:65 protocol=/,
      );
    }
    expect(rules.some((r) => r.endsWith("protocol=icmpv6:128,any"))).toBe(true);
    expect(rules.some((r) => r.endsWith("protocol=udp localport=1000-2000"))).toBe(true);
    expect(commands(file(windows, "isatap-firewall.cmd").content)).toContain('netsh advfirewall firewall delete rule name="vpcwire-isatap" dir=in >nul 2>&1');
  });

  it("Windows without --allow adds no rule", () => {
    const cmd = file(renderWith({ ...seedFlags, allow: undefined, os: "windows" }), "isatap-firewall.cmd").content;
    expect(cmd).not.toContain(" add rule ");
  });
});

describe("Windows netsh", () => {
  const ps1 = file(windows, "isatap.ps1").content;
  it("sets the router, the address and the default route, persistently", () => {
    const body = commands(ps1);
    expect(body).toContain("Invoke-Netsh interface ipv6 isatap set router 192.168.103.254 enabled");
    expect(body).toContain("Invoke-Netsh interface ipv6 add address interface=$index address=2001:db8::5efe:10.216.0.101/64 store=persistent");
    expect(body).toContain("Invoke-Netsh interface ipv6 add route prefix=::/0 interface=$index nexthop=2001:db8::5efe:192.168.103.254 store=persistent");
    expect(ps1).toContain("[System.Net.IPAddress]::Parse('fe80::5efe:10.216.0.101')");
  });
});

describe("IPIP (IPv4 over IPv6)", () => {
  it("Linux: ipip6 tunnel from the ISATAP address to the site router, site network routed into it", () => {
    const body = commands(file(systemd, "ipip-up.sh").content);
    expect(body).toEqual(
      expect.arrayContaining([
        "ip -6 tunnel add ipip1 mode ipip6 local 2001:db8::5efe:ad8:65 remote 2001:db8:100::1",
        "ip link set dev ipip1 up",
        "ip route add 192.168.10.0/24 dev ipip1",
        "sysctl -q -w net.ipv4.ip_forward=1",
      ]),
    );
  });

  it("Windows (OS found from the instance): not rendered, explained in a warning", () => {
    const input = validateFletsFlags({ ...seedFlags, ...ipipFlags, privateIp: undefined, instanceId: "i-0123abcd" });
    const r = renderFletsFiles({ ...input, privateIp: "10.216.0.101", os: "windows" });
    expect(r.files.map((f) => f.name)).toEqual(["isatap.ps1", "isatap-firewall.cmd"]);
    expect(r.warnings.some((w) => /no built-in IPv4-over-IPv6 tunnel/.test(w))).toBe(true);
  });

  it("re-checks the looked-up private IP against --ipip-local-v4", () => {
    const input = validateFletsFlags({ ...seedFlags, ...ipipFlags, privateIp: undefined, instanceId: "i-0123abcd" });
    expect(() => renderFletsFiles({ ...input, privateIp: "10.99.0.5", os: "linux" })).toThrow(UsageError);
    expect(() => renderFletsFiles({ ...input, privateIp: "10.216.0.101; reboot", os: "linux" })).toThrow(/--private-ip/);
    expect(() => renderFletsFiles({ ...input, privateIp: "192.168.103.254", os: "linux" })).toThrow(/--router/);
  });
});

describe("warnings and checklist", () => {
  it("say that security groups do not apply in the tunnel, that it comes up late, and that RDS/ELB are out of reach", () => {
    for (const r of [systemd, rcLocal, windows]) {
      expect(
        r.warnings.some((w) => /Security groups .* do not apply inside the tunnel/.test(w) && /IP protocol 41 in from 192\.168\.103\.254\/32/.test(w)),
      ).toBe(true);
      expect(r.warnings.some((w) => /comes up late in boot/.test(w))).toBe(true);
      expect(r.warnings.some((w) => /RDS, ELB/.test(w))).toBe(true);
    }
    expect(systemd.warnings.join("\n")).toContain("After=isatap.service");
  });

  it("warn when nothing is allowed, and about nft on older Amazon Linux", () => {
    expect(renderWith({ ...seedFlags, allow: undefined }).warnings.some((w) => w.startsWith("No --allow given"))).toBe(true);
    expect(systemd.warnings.some((w) => w.startsWith("No --allow given"))).toBe(false);
    expect(rcLocal.warnings.some((w) => /may not have nft/.test(w))).toBe(true);
    expect(systemd.warnings.some((w) => /may not have nft/.test(w))).toBe(false);
  });

  it("the Linux checklist shows what ip -6 addr / ip -6 route print and what to ping", () => {
    const text = systemd.checklist.join("\n");
    expect(text).toContain("inet6 2001:db8::5efe:ad8:65/64 scope global");
    expect(text).toContain("default via 2001:db8::5efe:c0a8:67fe");
    expect(text).toContain("ping -6 -c 3 2001:db8::5efe:c0a8:67fe");
    expect(systemd.checklist.every((l) => l === l.trim() && l !== "")).toBe(true);
  });

  it("the Windows checklist uses netsh", () => {
    expect(windows.checklist.join("\n")).toContain("netsh interface ipv6 show addresses lists 2001:db8::5efe:10.216.0.101");
  });
});

describe("render input", () => {
  it("takes a FletsInput built by hand (the wizard path)", () => {
    const input: FletsInput = { prefix: "2001:db8:1:2::/64", router: "192.168.103.254", boot: "systemd", interface: "sit1", firewall: "nftables", allow: [] };
    const r = renderFletsFiles({ ...input, privateIp: "172.16.5.9", os: "linux" });
    expect(r.address.dotted).toBe("2001:db8:1:2:0:5efe:172.16.5.9");
    expect(file(r, "isatap-up.sh").content).toContain("ip -6 route add default via 2001:db8:1:2:0:5efe:192.168.103.254 dev sit1");
  });
});
