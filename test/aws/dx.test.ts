import { DescribeVirtualInterfacesCommand, DirectConnectClient, DirectConnectClientException } from "@aws-sdk/client-direct-connect";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { getVif, isVifGone, listVifs, VIF_GONE_STATES } from "../../src/aws/dx.js";
import { testContext } from "../helpers/context.js";

const dx = mockClient(DirectConnectClient);
afterEach(() => dx.reset());

describe("the one meaning of a gone VIF", () => {
  it.each(["rejected", "deleting", "deleted"])("%s is gone", (state) => {
    expect(isVifGone({ virtualInterfaceState: state as never })).toBe(true);
  });

  it.each(["confirming", "verifying", "pending", "available", "down", "unknown"])("%s is not", (state) => {
    expect(isVifGone({ virtualInterfaceState: state as never })).toBe(false);
  });

  it("is exactly rejected, deleting and deleted", () => {
    expect([...VIF_GONE_STATES].sort()).toEqual(["deleted", "deleting", "rejected"]);
    expect(isVifGone({})).toBe(false);
  });
});

describe("VIF reads", () => {
  it("listVifs reads every page", async () => {
    dx.on(DescribeVirtualInterfacesCommand).callsFake((input) =>
      input.nextToken
        ? { virtualInterfaces: [{ virtualInterfaceId: "dxvif-bbbbbbbb" }] }
        : { virtualInterfaces: [{ virtualInterfaceId: "dxvif-aaaaaaaa" }], nextToken: "p2" },
    );
    expect((await listVifs(testContext())).map((v) => v.virtualInterfaceId)).toEqual(["dxvif-aaaaaaaa", "dxvif-bbbbbbbb"]);
  });

  it("getVif is undefined for an unknown id, and ignores other interfaces an emulator returns", async () => {
    dx.on(DescribeVirtualInterfacesCommand).rejectsOnce(
      new DirectConnectClientException({ $metadata: {}, message: "The virtual interface dxvif-aaaaaaaa does not exist" }),
    );
    expect(await getVif(testContext(), "dxvif-aaaaaaaa")).toBeUndefined();
    dx.on(DescribeVirtualInterfacesCommand).resolves({ virtualInterfaces: [{ virtualInterfaceId: "dxvif-bbbbbbbb" }] });
    expect(await getVif(testContext(), "dxvif-aaaaaaaa")).toBeUndefined();
    dx.on(DescribeVirtualInterfacesCommand).resolves({ virtualInterfaces: [{ virtualInterfaceId: "dxvif-aaaaaaaa", virtualInterfaceState: "down" }] });
    expect((await getVif(testContext(), "dxvif-aaaaaaaa"))?.virtualInterfaceState).toBe("down");
  });
});
