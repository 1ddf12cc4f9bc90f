import type { Instance } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { instanceOs, interfaceWith, privateIps } from "../../src/flets/aws.js";
import { allowsProtocol41 } from "../../src/flets/plan.js";

describe("instanceOs", () => {
  it("reads Platform in either case, and PlatformDetails for AMIs that set only that", () => {
    expect(instanceOs({ Platform: "windows" as Instance["Platform"] })).toBe("windows");
    expect(instanceOs({ Platform: "Windows" })).toBe("windows");
    expect(instanceOs({ PlatformDetails: "Windows with SQL Server Standard" })).toBe("windows");
    expect(instanceOs({ PlatformDetails: "Linux/UNIX" })).toBe("linux");
    expect(instanceOs({ PlatformDetails: "Red Hat Enterprise Linux" })).toBe("linux");
    expect(instanceOs({})).toBe("linux");
  });
});

describe("private IPs and the interface that holds one", () => {
  const instance: Instance = {
    PrivateIpAddress: "10.216.0.101",
    NetworkInterfaces: [
      {
        NetworkInterfaceId: "eni-b",
        Attachment: { DeviceIndex: 1 },
        PrivateIpAddress: "10.216.0.201",
        PrivateIpAddresses: [{ PrivateIpAddress: "10.216.0.201" }],
      },
      {
        NetworkInterfaceId: "eni-a",
        Attachment: { DeviceIndex: 0 },
        PrivateIpAddress: "10.216.0.101",
        PrivateIpAddresses: [{ PrivateIpAddress: "10.216.0.101" }, { PrivateIpAddress: "10.216.0.150" }],
      },
    ],
  };
  it("lists every address once, primary first", () => {
    expect(privateIps(instance)).toEqual(["10.216.0.101", "10.216.0.150", "10.216.0.201"]);
  });
  it("finds the interface by primary or secondary address", () => {
    expect(interfaceWith(instance, "10.216.0.150")?.NetworkInterfaceId).toBe("eni-a");
    expect(interfaceWith(instance, "10.216.0.201")?.NetworkInterfaceId).toBe("eni-b");
    expect(interfaceWith(instance, "10.216.0.9")).toBeUndefined();
  });
});

describe("allowsProtocol41", () => {
  const from = (IpProtocol: string, CidrIp: string) => [{ IpProtocol, IpRanges: [{ CidrIp }] }];
  it.each([
    ["41 from the router", from("41", "192.168.103.254/32"), true],
    ["41 from a range holding the router", from("41", "192.168.96.0/19"), true],
    ["all protocols from the router", from("-1", "192.168.103.254/32"), true],
    ["the IANA keyword", from("ipv6", "0.0.0.0/0"), true],
    ["41 from another host", from("41", "192.168.103.253/32"), false],
    ["tcp from the router", from("tcp", "192.168.103.254/32"), false],
    ["icmp from everywhere", from("icmp", "0.0.0.0/0"), false],
    ["no rules", [], false],
  ])("%s: %s", (_what, permissions, expected) => {
    expect(allowsProtocol41(permissions, "192.168.103.254")).toBe(expected);
  });
});
