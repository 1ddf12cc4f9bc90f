/**
 * Direct Connect in the fake account: hosted private virtual interfaces that a partner (NTT East's
 * Cloud Gateway, any DX partner) offers to this account, Direct Connect gateways, and VIF tagging.
 * Interfaces move on with model time after they are accepted (pending -> down -> available, BGP
 * down -> up), and the routes the partner announces show up as propagated routes in the route tables
 * that propagate from the interface's virtual private gateway. See test/fakes/README-dx.md.
 */
import {
  type BGPPeer,
  ConfirmPrivateVirtualInterfaceCommand,
  DescribeDirectConnectGatewaysCommand,
  DescribeVirtualInterfacesCommand,
  DirectConnectClientException,
  type DirectConnectGateway,
  DuplicateTagKeysException,
  type Tag,
  TagResourceCommand,
  TooManyTagsException,
  type VirtualInterface,
} from "@aws-sdk/client-direct-connect";
import type { FakeAws, FakeService } from "./aws.js";
import { requestId } from "./model.js";

interface Transition {
  at: number;
  apply: () => void;
}

export interface FakeVif extends VirtualInterface {
  /** State changes still to come, in model time. */
  transitions: Transition[];
  /** Prefixes the partner announces over BGP; they arrive in propagating route tables once BGP is up. */
  advertised: string[];
  /** How long after the interface goes `down` BGP comes up; null: only when a test calls setBgpStatus. */
  bgpUpAfterMs: number | null;
}

export interface DxState {
  vifs: FakeVif[];
  gateways: DirectConnectGateway[];
  /** Counter for deterministic ids. */
  n: number;
}

/** The Direct Connect part of the model (installed by `directConnect`). */
export function dxState(aws: FakeAws): DxState {
  const s = aws.state.dx as DxState | undefined;
  if (!s) throw new Error("FakeAws: install the directConnect fake service first");
  return s;
}

/** An error shaped like the SDK's Direct Connect errors (name = shape name, $fault, $metadata.requestId). */
export function dxError(name: "DirectConnectClientException" | "DuplicateTagKeysException" | "TooManyTagsException", message: string): Error {
  const opts = { $metadata: { httpStatusCode: 400, requestId: requestId(), attempts: 1, totalRetryDelay: 0 }, message };
  if (name === "DuplicateTagKeysException") return new DuplicateTagKeysException(opts);
  if (name === "TooManyTagsException") return new TooManyTagsException(opts);
  return new DirectConnectClientException(opts);
}

const notFound = (what: string, id: string) => dxError("DirectConnectClientException", `${what} ${id} does not exist.`);

function later(aws: FakeAws, vif: FakeVif, delayMs: number, apply: () => void): void {
  const last = vif.transitions.at(-1)?.at ?? aws.clock.now();
  vif.transitions.push({ at: Math.max(last, aws.clock.now()) + delayMs, apply });
}

function settle(aws: FakeAws): void {
  const now = aws.clock.now();
  for (const vif of dxState(aws).vifs) {
    while (vif.transitions.length && vif.transitions[0]!.at <= now) vif.transitions.shift()!.apply();
  }
  syncPropagatedRoutes(aws);
}

function bgpUp(vif: FakeVif): void {
  for (const p of vif.bgpPeers ?? []) {
    p.bgpStatus = "up";
    p.bgpPeerState = "available";
  }
  if (vif.virtualInterfaceState === "down" || vif.virtualInterfaceState === "pending") vif.virtualInterfaceState = "available";
}

function bgpDown(vif: FakeVif): void {
  for (const p of vif.bgpPeers ?? []) p.bgpStatus = "down";
  if (vif.virtualInterfaceState === "available") vif.virtualInterfaceState = "down";
}

/** After acceptance: `pending` for dxPendingMs, then `down` (BGP down) until BGP comes up, then `available`. */
function scheduleAfterAccept(aws: FakeAws, vif: FakeVif): void {
  if (vif.virtualInterfaceState === "pending") {
    later(aws, vif, aws.timings.dxPendingMs ?? 60_000, () => {
      vif.virtualInterfaceState = "down";
      for (const p of vif.bgpPeers ?? []) p.bgpPeerState = "available";
    });
  }
  if (vif.bgpUpAfterMs !== null && vif.virtualInterfaceState !== "available") later(aws, vif, vif.bgpUpAfterMs, () => bgpUp(vif));
}

/** The API view: a deep copy without the model's bookkeeping. */
function view(vif: FakeVif): VirtualInterface {
  const { transitions: _t, advertised: _a, bgpUpAfterMs: _b, ...rest } = vif;
  return structuredClone(rest);
}

function pad(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

export interface HostedVifSeed {
  name?: string;
  /** @default 1001, 1002, ... */
  vlan?: number;
  connectionId?: string;
  /** @default "EqTY2" */
  location?: string;
  /** The partner's (customer side) BGP ASN. @default 65000 */
  partnerAsn?: number;
  /** @default 169.254.(100+n).2/30 */
  customerAddress?: string;
  /** @default 169.254.(100+n).1/30 */
  amazonAddress?: string;
  /** @default "confirming" */
  state?: "confirming" | "rejected" | "deleted" | "deleting" | "pending" | "down" | "available";
  /** Already accepted onto this gateway (state defaults to available, BGP up). */
  acceptedOnto?: { virtualGatewayId?: string; directConnectGatewayId?: string; amazonSideAsn?: number };
  /** After acceptance, how long in state `down` before BGP comes up. null: never by itself. @default aws.timings.dxBgpUpMs */
  bgpUpAfterMs?: number | null;
  /** Prefixes the partner announces (become propagated routes). @default ["10.0.0.0/8"] */
  advertise?: string[];
  /** @default "private" */
  type?: "private" | "public" | "transit";
  /** Tags already on the interface. */
  tags?: Tag[];
}

/**
 * A hosted private VIF that a partner provisioned on its connection for this account: it sits in
 * `confirming` until accepted (or in the given state).
 */
export function seedHostedVif(aws: FakeAws, opts: HostedVifSeed = {}): FakeVif {
  const s = dxState(aws);
  s.n += 1;
  const n = s.n;
  const state = opts.state ?? (opts.acceptedOnto ? "available" : "confirming");
  const accepted = !["confirming", "rejected"].includes(state);
  const customerAddress = opts.customerAddress ?? `169.254.${100 + n}.2/30`;
  const amazonAddress = opts.amazonAddress ?? `169.254.${100 + n}.1/30`;
  const asn = opts.partnerAsn ?? 65000;
  const up = state === "available";
  const peer: BGPPeer = {
    bgpPeerId: `dxpeer-ffc${pad(n, 5)}`,
    asn,
    authKey: `0x${pad(n * 7919, 8)}partnerkey`,
    addressFamily: "ipv4",
    amazonAddress,
    customerAddress,
    bgpPeerState: accepted && state !== "pending" ? "available" : "pending",
    bgpStatus: up ? "up" : "down",
    awsDeviceV2: `EqTY2-${n % 2 ? "a" : "b"}1b2c3d4e5f6`,
  };
  const vif: FakeVif = {
    ownerAccount: aws.account,
    virtualInterfaceId: `dxvif-ffa${pad(n, 5)}`,
    location: opts.location ?? "EqTY2",
    connectionId: opts.connectionId ?? `dxcon-ffb${pad(n, 5)}`,
    virtualInterfaceType: opts.type ?? "private",
    virtualInterfaceName: opts.name ?? `partner-vif-${n}`,
    vlan: opts.vlan ?? 1000 + n,
    asn,
    amazonSideAsn: accepted ? (opts.acceptedOnto?.amazonSideAsn ?? 64512) : undefined,
    authKey: peer.authKey,
    amazonAddress,
    customerAddress,
    addressFamily: "ipv4",
    virtualInterfaceState: state,
    mtu: 1500,
    jumboFrameCapable: false,
    virtualGatewayId: opts.acceptedOnto?.virtualGatewayId ?? "",
    directConnectGatewayId: opts.acceptedOnto?.directConnectGatewayId ?? "",
    bgpPeers: [peer],
    region: aws.region,
    tags: opts.tags ?? [],
    transitions: [],
    advertised: opts.advertise ?? ["10.0.0.0/8"],
    bgpUpAfterMs: opts.bgpUpAfterMs === undefined ? (aws.timings.dxBgpUpMs ?? 90_000) : opts.bgpUpAfterMs,
  };
  s.vifs.push(vif);
  // A seeded interface that is already accepted but not up moves on by itself, like an accepted one.
  if (state === "pending" || state === "down") scheduleAfterAccept(aws, vif);
  return vif;
}

/** A Direct Connect gateway of this account. */
export function seedDxGateway(aws: FakeAws, opts: { name?: string; asn?: number; state?: "available" | "pending" | "deleted" } = {}): DirectConnectGateway {
  const s = dxState(aws);
  s.n += 1;
  const gw: DirectConnectGateway = {
    directConnectGatewayId: `5f294f92-bafb-4011-916d-${pad(s.n, 12)}`,
    directConnectGatewayName: opts.name ?? `dxgw-${s.n}`,
    amazonSideAsn: opts.asn ?? 64600,
    ownerAccount: aws.account,
    directConnectGatewayState: opts.state ?? "available",
    tags: [],
  };
  s.gateways.push(gw);
  return gw;
}

/** The partner (or on-prem) router brings BGP up or down on an interface, as of now. */
export function setBgpStatus(aws: FakeAws, vifId: string, status: "up" | "down"): void {
  const vif = dxState(aws).vifs.find((v) => v.virtualInterfaceId === vifId);
  if (!vif) throw new Error(`no fake VIF ${vifId}`);
  vif.transitions = [];
  if (status === "up") bgpUp(vif);
  else bgpDown(vif);
  syncPropagatedRoutes(aws);
}

/**
 * Routes learned over BGP: every route table that propagates from a gateway gets, as
 * `Origin: "EnableVgwRoutePropagation"` routes, the prefixes announced by the interfaces on that
 * gateway that are available with BGP up. Runs on every Direct Connect call; tests may call it.
 * Only gateways that have interfaces are touched, so VPN behaviour is unchanged.
 */
export function syncPropagatedRoutes(aws: FakeAws): void {
  const s = aws.state.dx as DxState | undefined;
  if (!s || !aws.ec2) return;
  const vgwIds = new Set(s.vifs.map((v) => v.virtualGatewayId).filter((id): id is string => Boolean(id)));
  for (const vgwId of vgwIds) {
    const vgw = aws.ec2.vgws.find((g) => g.VpnGatewayId === vgwId);
    const vpcId = vgw?.VpcAttachments?.find((a) => a.State === "attached")?.VpcId;
    const announced = [
      ...new Set(
        s.vifs
          .filter((v) => v.virtualGatewayId === vgwId && v.virtualInterfaceState === "available" && v.bgpPeers?.some((p) => p.bgpStatus === "up"))
          .flatMap((v) => v.advertised),
      ),
    ];
    for (const table of aws.ec2.routeTables) {
      const others = (table.Routes ?? []).filter((r) => !(r.Origin === "EnableVgwRoutePropagation" && r.GatewayId === vgwId));
      const propagates = table.VpcId === vpcId && table.PropagatingVgws?.some((p) => p.GatewayId === vgwId);
      const learned = propagates
        ? announced
            // A static route for the same prefix wins; the local route always does.
            .filter((cidr) => !others.some((r) => r.DestinationCidrBlock === cidr))
            .map((cidr) => ({ DestinationCidrBlock: cidr, GatewayId: vgwId, Origin: "EnableVgwRoutePropagation" as const, State: "active" as const }))
        : [];
      table.Routes = [...others, ...learned];
    }
  }
}

const TAGGABLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):directconnect:([a-z0-9-]+):(\d{12}):(dxvif|dxcon|dxlag|dx-gateway)\/(.+)$/;

export const directConnect: FakeService = (aws, { dx }) => {
  aws.state.dx = { vifs: [], gateways: [], n: 0 } satisfies DxState;
  aws.timings.dxPendingMs ??= 60_000;
  aws.timings.dxBgpUpMs ??= 90_000;
  const s = dxState(aws);
  const h = <I extends object, O>(op: string, fn: (input: I) => O) =>
    aws.handler<I, O>("dx", op, (input) => {
      settle(aws);
      const out = fn(input);
      settle(aws);
      return out;
    });
  // Only interfaces owned by (offered to) this account are visible. Deleted ones stay listed (AWS: about 15 minutes).
  const mine = (v: FakeVif) => v.ownerAccount === aws.account;
  const vifById = (id: string) => {
    const vif = s.vifs.find((v) => v.virtualInterfaceId === id && mine(v));
    if (!vif) throw notFound("Virtual interface", id);
    return vif;
  };

  dx.on(DescribeVirtualInterfacesCommand).callsFake(
    h("DescribeVirtualInterfaces", (i: { connectionId?: string; virtualInterfaceId?: string; maxResults?: number; nextToken?: string }) => {
      if (i.virtualInterfaceId) return { virtualInterfaces: [view(vifById(i.virtualInterfaceId))] };
      const all = s.vifs.filter((v) => mine(v) && (!i.connectionId || v.connectionId === i.connectionId));
      if (!i.maxResults) return { virtualInterfaces: all.map(view) };
      const start = i.nextToken ? Number(i.nextToken) : 0;
      const size = Math.min(i.maxResults, 100);
      const page = all.slice(start, start + size);
      return { virtualInterfaces: page.map(view), ...(start + size < all.length ? { nextToken: String(start + size) } : {}) };
    }),
  );

  dx.on(ConfirmPrivateVirtualInterfaceCommand).callsFake(
    h("ConfirmPrivateVirtualInterface", (i: { virtualInterfaceId: string; virtualGatewayId?: string; directConnectGatewayId?: string }) => {
      const vif = vifById(i.virtualInterfaceId);
      if (vif.virtualInterfaceType !== "private") {
        throw dxError("DirectConnectClientException", `${vif.virtualInterfaceId} is a ${vif.virtualInterfaceType} virtual interface, not a private one.`);
      }
      if (Boolean(i.virtualGatewayId) === Boolean(i.directConnectGatewayId)) {
        throw dxError("DirectConnectClientException", "Exactly one of virtualGatewayId and directConnectGatewayId must be specified.");
      }
      if (vif.virtualInterfaceState !== "confirming") {
        throw dxError(
          "DirectConnectClientException",
          `ConfirmPrivateVirtualInterface failed. ${vif.virtualInterfaceId} is in state ${vif.virtualInterfaceState}`,
        );
      }
      let amazonSideAsn: number | undefined;
      if (i.virtualGatewayId) {
        const vgw = aws.ec2?.vgws.find((g) => g.VpnGatewayId === i.virtualGatewayId && g.State !== "deleted");
        if (!vgw) throw notFound("Virtual private gateway", i.virtualGatewayId);
        if (vgw.State !== "available") {
          throw dxError("DirectConnectClientException", `Virtual private gateway ${i.virtualGatewayId} is not available (state ${vgw.State}).`);
        }
        amazonSideAsn = vgw.AmazonSideAsn;
      } else {
        const gw = s.gateways.find((g) => g.directConnectGatewayId === i.directConnectGatewayId && g.directConnectGatewayState !== "deleted");
        if (!gw) throw notFound("Direct Connect gateway", i.directConnectGatewayId!);
        amazonSideAsn = gw.amazonSideAsn;
      }
      vif.virtualGatewayId = i.virtualGatewayId ?? "";
      vif.directConnectGatewayId = i.directConnectGatewayId ?? "";
      vif.amazonSideAsn = amazonSideAsn;
      vif.virtualInterfaceState = "pending";
      for (const p of vif.bgpPeers ?? []) {
        p.bgpPeerState = "pending";
        p.bgpStatus = "down";
      }
      scheduleAfterAccept(aws, vif);
      return { virtualInterfaceState: "pending" };
    }),
  );

  dx.on(DescribeDirectConnectGatewaysCommand).callsFake(
    h("DescribeDirectConnectGateways", (i: { directConnectGatewayId?: string }) => {
      const live = s.gateways.filter((g) => g.directConnectGatewayState !== "deleted");
      if (i.directConnectGatewayId) {
        const gw = live.find((g) => g.directConnectGatewayId === i.directConnectGatewayId);
        if (!gw) throw notFound("Direct Connect gateway", i.directConnectGatewayId);
        return { directConnectGateways: [structuredClone(gw)] };
      }
      return { directConnectGateways: structuredClone(live) };
    }),
  );

  dx.on(TagResourceCommand).callsFake(
    h("TagResource", (i: { resourceArn: string; tags: Tag[] }) => {
      const m = TAGGABLE_ARN.exec(i.resourceArn);
      if (!m) throw dxError("DirectConnectClientException", `Invalid resource ARN: ${i.resourceArn}`);
      const [, , region, account, type, id] = m;
      if (region !== aws.region || account !== aws.account || type !== "dxvif") {
        throw dxError("DirectConnectClientException", `Resource ${i.resourceArn} does not exist.`);
      }
      const vif = vifById(id!);
      const keys = i.tags.map((t) => t.key);
      if (new Set(keys).size !== keys.length) throw dxError("DuplicateTagKeysException", "A tag key was specified more than once.");
      const merged = [...(vif.tags ?? []).filter((t) => !keys.includes(t.key)), ...structuredClone(i.tags)];
      if (merged.length > 50) throw dxError("TooManyTagsException", "You have reached the limit on the number of tags that can be assigned.");
      vif.tags = merged;
      return {};
    }),
  );
};
