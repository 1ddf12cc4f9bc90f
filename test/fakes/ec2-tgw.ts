/**
 * Transit Gateways in the fake account: gateways, VPC attachments, the VPN attachments AWS makes for
 * connections on a gateway, TGW route tables and their static routes, and VPC routes to a gateway
 * (CreateRoute / DeleteRoute). State lives in `aws.ec2` (tgws, tgwAttachments, tgwRouteTables) so the
 * EC2 clock settles it with everything else. See test/fakes/README.md.
 */
import {
  CreateRouteCommand,
  CreateTransitGatewayCommand,
  CreateTransitGatewayRouteCommand,
  CreateTransitGatewayVpcAttachmentCommand,
  DeleteRouteCommand,
  DeleteTransitGatewayCommand,
  DeleteTransitGatewayRouteCommand,
  DeleteTransitGatewayVpcAttachmentCommand,
  DescribeTransitGatewayAttachmentsCommand,
  DescribeTransitGatewaysCommand,
  DescribeTransitGatewayVpcAttachmentsCommand,
  SearchTransitGatewayRoutesCommand,
  type Tag,
  type TransitGateway,
  type TransitGatewayAttachment,
  type TransitGatewayRoute,
  type VpnConnection,
} from "@aws-sdk/client-ec2";
import type { FakeAws, FakeService } from "./aws.js";
import { clone, later, settle, type Timeline } from "./ec2.js";
import { ec2Error, matchesFilters, tagsFrom } from "./model.js";

export interface FakeTgw extends TransitGateway, Timeline {}

/** A VPC or VPN attachment (DescribeTransitGatewayAttachments' shape, plus the VPC attachment's fields). */
export interface FakeTgwAttachment extends TransitGatewayAttachment, Timeline {
  VpcId?: string;
  SubnetIds?: string[];
}

export interface FakeTgwRouteTable {
  TransitGatewayRouteTableId: string;
  TransitGatewayId: string;
  DefaultAssociationRouteTable: boolean;
  DefaultPropagationRouteTable: boolean;
  routes: TransitGatewayRoute[];
}

/** How long things take, in model time (`aws.timings.<name>` overrides). */
export const TGW_TIMINGS = { tgwAvailableMs: 3 * 60_000, tgwDeleteMs: 2 * 60_000, tgwAttachMs: 60_000, tgwDetachMs: 60_000 };

const timing = (aws: FakeAws, name: keyof typeof TGW_TIMINGS) => aws.timings[name] ?? TGW_TIMINGS[name];
const GONE = ["deleting", "deleted", "failed", "failing", "rejected", "rejecting"];
const liveAttachment = (a: FakeTgwAttachment) => !GONE.includes(a.State ?? "");

/** The gateway by id, not deleted; else InvalidTransitGatewayID.NotFound as AWS answers. */
export function liveTgw(aws: FakeAws, id: string): FakeTgw {
  const tgw = aws.ec2.tgws.find((t) => t.TransitGatewayId === id && t.State !== "deleted");
  if (!tgw) throw ec2Error("InvalidTransitGatewayID.NotFound", `The transitGateway ID '${id}' does not exist.`);
  return tgw;
}

const strip = <T extends Timeline>(v: T) => {
  const { transitions: _t, ...rest } = v;
  return clone(rest);
};

/** Attachment view for DescribeTransitGatewayAttachments. */
function attachmentView(a: FakeTgwAttachment): TransitGatewayAttachment {
  const { VpcId: _v, SubnetIds: _s, ...rest } = strip(a);
  return rest;
}

/** Attachment view for DescribeTransitGatewayVpcAttachments / the VPC attachment calls. */
function vpcAttachmentView(a: FakeTgwAttachment) {
  return {
    TransitGatewayAttachmentId: a.TransitGatewayAttachmentId,
    TransitGatewayId: a.TransitGatewayId,
    VpcId: a.VpcId,
    VpcOwnerId: a.ResourceOwnerId,
    State: a.State,
    SubnetIds: clone(a.SubnetIds ?? []),
    CreationTime: a.CreationTime,
    Options: { DnsSupport: "enable", Ipv6Support: "disable", ApplianceModeSupport: "disable" },
    Tags: clone(a.Tags ?? []),
  };
}

function defaultTable(aws: FakeAws, tgw: TransitGateway): FakeTgwRouteTable | undefined {
  return aws.ec2.tgwRouteTables.find((r) => r.TransitGatewayRouteTableId === tgw.Options?.AssociationDefaultRouteTableId);
}

/** Associate a new attachment with the gateway's default route table, as AWS does when that option is on. */
function associate(aws: FakeAws, tgw: TransitGateway, att: FakeTgwAttachment): void {
  const table = tgw.Options?.DefaultRouteTableAssociation === "enable" ? defaultTable(aws, tgw) : undefined;
  if (table) att.Association = { TransitGatewayRouteTableId: table.TransitGatewayRouteTableId, State: "associated" };
}

/** Called by CreateVpnConnection with a TransitGatewayId: AWS makes the VPN attachment itself. */
export function createVpnAttachment(aws: FakeAws, tgw: FakeTgw, vpn: VpnConnection): FakeTgwAttachment {
  const att: FakeTgwAttachment = {
    TransitGatewayAttachmentId: aws.ids.next("tgw-attach"),
    TransitGatewayId: tgw.TransitGatewayId,
    TransitGatewayOwnerId: aws.account,
    ResourceOwnerId: aws.account,
    ResourceType: "vpn",
    ResourceId: vpn.VpnConnectionId,
    State: "pending",
    CreationTime: new Date(aws.clock.now()),
    Tags: [],
    transitions: [],
  };
  associate(aws, tgw, att);
  aws.ec2.tgwAttachments.push(att);
  return att;
}

/** Called by DeleteVpnConnection: the VPN attachment goes with the connection, and routes to it with it. */
export function deleteVpnAttachment(aws: FakeAws, vpn: VpnConnection): void {
  const att = aws.ec2.tgwAttachments.find((a) => a.ResourceType === "vpn" && a.ResourceId === vpn.VpnConnectionId && liveAttachment(a));
  if (!att) return;
  att.transitions = [];
  att.State = "deleting";
  later(aws, att, aws.timings.vpnDeleteMs, () => detach(aws, att));
}

/** An attachment is gone: its routes in TGW route tables go too. */
function detach(aws: FakeAws, att: FakeTgwAttachment): void {
  att.State = "deleted";
  for (const table of aws.ec2.tgwRouteTables) {
    table.routes = table.routes.filter((r) => !r.TransitGatewayAttachments?.some((a) => a.TransitGatewayAttachmentId === att.TransitGatewayAttachmentId));
  }
  if (att.ResourceType === "vpc") {
    // Routes in the VPC's tables to the gateway lead nowhere now.
    for (const t of aws.ec2.routeTables.filter((r) => r.VpcId === att.VpcId)) {
      for (const r of t.Routes ?? []) if (r.TransitGatewayId === att.TransitGatewayId) r.State = "blackhole";
    }
  }
}

/** A Transit Gateway that exists before the test (made by hand): available, AWS's default options unless given. */
export function seedTgw(aws: FakeAws, opts: { asn?: number; ecmp?: boolean; defaultAssociation?: boolean; tags?: Tag[] } = {}): FakeTgw {
  const tgw = newTgw(aws, {
    AmazonSideAsn: opts.asn ?? 64512,
    VpnEcmpSupport: opts.ecmp === false ? "disable" : "enable",
    DefaultRouteTableAssociation: opts.defaultAssociation === false ? "disable" : "enable",
    DefaultRouteTablePropagation: opts.defaultAssociation === false ? "disable" : "enable",
  });
  tgw.State = "available";
  tgw.Tags = opts.tags ?? [];
  return tgw;
}

interface TgwOptionsInput {
  AmazonSideAsn?: number;
  AutoAcceptSharedAttachments?: string;
  DefaultRouteTableAssociation?: string;
  DefaultRouteTablePropagation?: string;
  VpnEcmpSupport?: string;
  DnsSupport?: string;
}

function newTgw(aws: FakeAws, o: TgwOptionsInput, description?: string): FakeTgw {
  const id = aws.ids.next("tgw");
  const assoc = o.DefaultRouteTableAssociation ?? "enable";
  const prop = o.DefaultRouteTablePropagation ?? "enable";
  const table =
    assoc === "enable" || prop === "enable"
      ? {
          TransitGatewayRouteTableId: aws.ids.next("tgw-rtb"),
          TransitGatewayId: id,
          DefaultAssociationRouteTable: assoc === "enable",
          DefaultPropagationRouteTable: prop === "enable",
          routes: [],
        }
      : undefined;
  if (table) aws.ec2.tgwRouteTables.push(table);
  const tgw: FakeTgw = {
    TransitGatewayId: id,
    TransitGatewayArn: `arn:aws:ec2:${aws.region}:${aws.account}:transit-gateway/${id}`,
    OwnerId: aws.account,
    State: "pending",
    CreationTime: new Date(aws.clock.now()),
    ...(description ? { Description: description } : {}),
    Options: {
      AmazonSideAsn: o.AmazonSideAsn ?? 64512,
      AutoAcceptSharedAttachments: (o.AutoAcceptSharedAttachments ?? "disable") as "disable",
      DefaultRouteTableAssociation: assoc as "enable",
      DefaultRouteTablePropagation: prop as "enable",
      VpnEcmpSupport: (o.VpnEcmpSupport ?? "enable") as "enable",
      DnsSupport: (o.DnsSupport ?? "enable") as "enable",
      MulticastSupport: "disable",
      ...(table && assoc === "enable" ? { AssociationDefaultRouteTableId: table.TransitGatewayRouteTableId } : {}),
      ...(table && prop === "enable" ? { PropagationDefaultRouteTableId: table.TransitGatewayRouteTableId } : {}),
    },
    Tags: [],
    transitions: [],
  };
  aws.ec2.tgws.push(tgw);
  return tgw;
}

export const transitGateways: FakeService = (aws, { ec2 }) => {
  const s = aws.ec2;
  const tick = () => settle(aws, [...s.vgws, ...s.cgws, ...s.vpns, ...s.tgws, ...s.tgwAttachments]);
  const h = <I extends object, O>(op: string, fn: (input: I) => O) =>
    aws.handler<I, O>("ec2", op, (input) => {
      tick();
      return fn(input);
    });
  const attachmentById = (id: string) => {
    const att = s.tgwAttachments.find((a) => a.TransitGatewayAttachmentId === id);
    if (!att) throw ec2Error("InvalidTransitGatewayAttachmentID.NotFound", `Transit Gateway Attachment ${id} was deleted or does not exist.`);
    return att;
  };

  // --- Gateways ---------------------------------------------------------------------------------
  ec2.on(CreateTransitGatewayCommand).callsFake(
    h("CreateTransitGateway", (i: { Description?: string; Options?: TgwOptionsInput; TagSpecifications?: [] }) => {
      const asn = i.Options?.AmazonSideAsn ?? 64512;
      if (!((asn >= 64512 && asn <= 65534) || (asn >= 4_200_000_000 && asn <= 4_294_967_294))) {
        throw ec2Error("InvalidParameterValue", `The Amazon side ASN ${asn} is not in the private ASN ranges`);
      }
      const tgw = newTgw(aws, i.Options ?? {}, i.Description);
      tgw.Tags = tagsFrom(i.TagSpecifications, "transit-gateway");
      later(aws, tgw, timing(aws, "tgwAvailableMs"), () => (tgw.State = "available"));
      return { TransitGateway: strip(tgw) };
    }),
  );
  ec2.on(DescribeTransitGatewaysCommand).callsFake(
    h("DescribeTransitGateways", (i: { TransitGatewayIds?: string[]; Filters?: [] }) => {
      for (const id of i.TransitGatewayIds ?? []) {
        if (!s.tgws.some((t) => t.TransitGatewayId === id)) throw ec2Error("InvalidTransitGatewayID.NotFound", `The transitGateway ID '${id}' does not exist.`);
      }
      return {
        TransitGateways: s.tgws
          .filter(
            (t) =>
              (!i.TransitGatewayIds || i.TransitGatewayIds.includes(t.TransitGatewayId!)) &&
              matchesFilters(t, i.Filters, {
                state: (x) => x.State,
                "transit-gateway-id": (x) => x.TransitGatewayId,
                "options.amazon-side-asn": (x) => String(x.Options?.AmazonSideAsn),
              }),
          )
          .map(strip),
      };
    }),
  );
  ec2.on(DeleteTransitGatewayCommand).callsFake(
    h("DeleteTransitGateway", (i: { TransitGatewayId: string }) => {
      const tgw = liveTgw(aws, i.TransitGatewayId);
      if (tgw.State === "deleting") return { TransitGateway: strip(tgw) };
      const attached = s.tgwAttachments.filter((a) => a.TransitGatewayId === tgw.TransitGatewayId && a.State !== "deleted");
      if (attached.length) {
        throw ec2Error(
          "IncorrectState",
          `${tgw.TransitGatewayId} has non-deleted Transit Gateway Attachments: ${attached.map((a) => a.TransitGatewayAttachmentId).join(", ")}.`,
        );
      }
      if (tgw.State !== "available") throw ec2Error("IncorrectState", `${tgw.TransitGatewayId} is in invalid state`);
      tgw.State = "deleting";
      later(aws, tgw, timing(aws, "tgwDeleteMs"), () => {
        tgw.State = "deleted";
        s.tgwRouteTables = s.tgwRouteTables.filter((r) => r.TransitGatewayId !== tgw.TransitGatewayId);
      });
      return { TransitGateway: strip(tgw) };
    }),
  );

  // --- VPC attachments --------------------------------------------------------------------------
  ec2.on(CreateTransitGatewayVpcAttachmentCommand).callsFake(
    h("CreateTransitGatewayVpcAttachment", (i: { TransitGatewayId: string; VpcId: string; SubnetIds: string[]; TagSpecifications?: [] }) => {
      const tgw = liveTgw(aws, i.TransitGatewayId);
      if (tgw.State !== "available") throw ec2Error("IncorrectState", `${tgw.TransitGatewayId} is in invalid state`);
      if (!s.vpcs.some((v) => v.VpcId === i.VpcId)) throw ec2Error("InvalidVpcID.NotFound", `The vpc ID '${i.VpcId}' does not exist`);
      if (!i.SubnetIds?.length) throw ec2Error("MissingParameter", "The request must contain the parameter SubnetIds");
      const zones = new Set<string>();
      for (const id of i.SubnetIds) {
        const subnet = s.subnets.find((n) => n.SubnetId === id);
        if (!subnet) throw ec2Error("InvalidSubnetID.NotFound", `The subnet ID '${id}' does not exist`);
        if (subnet.VpcId !== i.VpcId) throw ec2Error("InvalidParameterValue", `Subnet ${id} does not belong to VPC ${i.VpcId}`);
        if (zones.has(subnet.AvailabilityZone!)) throw ec2Error("DuplicateSubnetsInSameZone", "Duplicate Subnets for same AZ");
        zones.add(subnet.AvailabilityZone!);
      }
      if (s.tgwAttachments.some((a) => a.TransitGatewayId === tgw.TransitGatewayId && a.VpcId === i.VpcId && liveAttachment(a))) {
        throw ec2Error("DuplicateTransitGatewayAttachment", `${tgw.TransitGatewayId} has non-deleted Transit Gateway Attachments with same VPC ID.`);
      }
      const att: FakeTgwAttachment = {
        TransitGatewayAttachmentId: aws.ids.next("tgw-attach"),
        TransitGatewayId: tgw.TransitGatewayId,
        TransitGatewayOwnerId: aws.account,
        ResourceOwnerId: aws.account,
        ResourceType: "vpc",
        ResourceId: i.VpcId,
        VpcId: i.VpcId,
        SubnetIds: [...i.SubnetIds],
        State: "pending",
        CreationTime: new Date(aws.clock.now()),
        Tags: tagsFrom(i.TagSpecifications, "transit-gateway-attachment"),
        transitions: [],
      };
      associate(aws, tgw, att);
      later(aws, att, timing(aws, "tgwAttachMs"), () => {
        att.State = "available";
        // Routes in the VPC's tables to this gateway work again.
        for (const t of s.routeTables.filter((r) => r.VpcId === i.VpcId)) {
          for (const r of t.Routes ?? []) if (r.TransitGatewayId === tgw.TransitGatewayId) r.State = "active";
        }
      });
      s.tgwAttachments.push(att);
      return { TransitGatewayVpcAttachment: vpcAttachmentView(att) };
    }),
  );
  ec2.on(DescribeTransitGatewayVpcAttachmentsCommand).callsFake(
    h("DescribeTransitGatewayVpcAttachments", (i: { TransitGatewayAttachmentIds?: string[]; Filters?: [] }) => {
      for (const id of i.TransitGatewayAttachmentIds ?? []) attachmentById(id);
      return {
        TransitGatewayVpcAttachments: s.tgwAttachments
          .filter(
            (a) =>
              a.ResourceType === "vpc" &&
              (!i.TransitGatewayAttachmentIds || i.TransitGatewayAttachmentIds.includes(a.TransitGatewayAttachmentId!)) &&
              matchesFilters(a, i.Filters, {
                state: (x) => x.State,
                "transit-gateway-id": (x) => x.TransitGatewayId,
                "transit-gateway-attachment-id": (x) => x.TransitGatewayAttachmentId,
                "vpc-id": (x) => x.VpcId,
              }),
          )
          .map(vpcAttachmentView),
      };
    }),
  );
  ec2.on(DeleteTransitGatewayVpcAttachmentCommand).callsFake(
    h("DeleteTransitGatewayVpcAttachment", (i: { TransitGatewayAttachmentId: string }) => {
      const att = attachmentById(i.TransitGatewayAttachmentId);
      if (att.ResourceType !== "vpc" || att.State === "deleted") {
        throw ec2Error(
          "InvalidTransitGatewayAttachmentID.NotFound",
          `Transit Gateway Attachment ${i.TransitGatewayAttachmentId} was deleted or does not exist.`,
        );
      }
      if (att.State !== "deleting") {
        if (att.State !== "available") throw ec2Error("IncorrectState", `${att.TransitGatewayAttachmentId} is in invalid state`);
        att.transitions = [];
        att.State = "deleting";
        later(aws, att, timing(aws, "tgwDetachMs"), () => detach(aws, att));
      }
      return { TransitGatewayVpcAttachment: vpcAttachmentView(att) };
    }),
  );
  ec2.on(DescribeTransitGatewayAttachmentsCommand).callsFake(
    h("DescribeTransitGatewayAttachments", (i: { TransitGatewayAttachmentIds?: string[]; Filters?: [] }) => {
      for (const id of i.TransitGatewayAttachmentIds ?? []) attachmentById(id);
      return {
        TransitGatewayAttachments: s.tgwAttachments
          .filter(
            (a) =>
              (!i.TransitGatewayAttachmentIds || i.TransitGatewayAttachmentIds.includes(a.TransitGatewayAttachmentId!)) &&
              matchesFilters(a, i.Filters, {
                state: (x) => x.State,
                "resource-type": (x) => x.ResourceType,
                "resource-id": (x) => x.ResourceId,
                "transit-gateway-id": (x) => x.TransitGatewayId,
                "transit-gateway-attachment-id": (x) => x.TransitGatewayAttachmentId,
              }),
          )
          .map(attachmentView),
      };
    }),
  );

  // --- TGW route tables -------------------------------------------------------------------------
  const tableById = (id: string) => {
    const t = s.tgwRouteTables.find((r) => r.TransitGatewayRouteTableId === id);
    // (unverified) code for an unknown TGW route table.
    if (!t) throw ec2Error("InvalidRouteTableID.NotFound", `The transitGatewayRouteTable ID '${id}' does not exist.`);
    return t;
  };
  ec2.on(CreateTransitGatewayRouteCommand).callsFake(
    h(
      "CreateTransitGatewayRoute",
      (i: { TransitGatewayRouteTableId: string; DestinationCidrBlock: string; TransitGatewayAttachmentId?: string; Blackhole?: boolean }) => {
        const table = tableById(i.TransitGatewayRouteTableId);
        const att = i.TransitGatewayAttachmentId ? attachmentById(i.TransitGatewayAttachmentId) : undefined;
        if (att && (!liveAttachment(att) || att.TransitGatewayId !== table.TransitGatewayId)) {
          throw ec2Error(
            "InvalidTransitGatewayAttachmentID.NotFound",
            `Transit Gateway Attachment ${att.TransitGatewayAttachmentId} was deleted or does not exist.`,
          );
        }
        if (table.routes.some((r) => r.DestinationCidrBlock === i.DestinationCidrBlock && r.Type === "static")) {
          // (unverified) code for a duplicate static route.
          throw ec2Error(
            "RouteAlreadyExists",
            `Route ${i.DestinationCidrBlock} already exists in Transit Gateway Route Table ${table.TransitGatewayRouteTableId}.`,
          );
        }
        const route: TransitGatewayRoute = {
          DestinationCidrBlock: i.DestinationCidrBlock,
          Type: "static",
          State: i.Blackhole ? "blackhole" : "active",
          ...(att
            ? {
                TransitGatewayAttachments: [
                  { TransitGatewayAttachmentId: att.TransitGatewayAttachmentId, ResourceId: att.ResourceId, ResourceType: att.ResourceType },
                ],
              }
            : {}),
        };
        table.routes.push(route);
        return { Route: clone(route) };
      },
    ),
  );
  ec2.on(DeleteTransitGatewayRouteCommand).callsFake(
    h("DeleteTransitGatewayRoute", (i: { TransitGatewayRouteTableId: string; DestinationCidrBlock: string }) => {
      const table = tableById(i.TransitGatewayRouteTableId);
      const route = table.routes.find((r) => r.DestinationCidrBlock === i.DestinationCidrBlock && r.Type === "static");
      // (unverified) code for a route that is not there.
      if (!route)
        throw ec2Error("InvalidRoute.NotFound", `No route with destination-cidr-block ${i.DestinationCidrBlock} in ${table.TransitGatewayRouteTableId}`);
      table.routes = table.routes.filter((r) => r !== route);
      return { Route: { ...clone(route), State: "deleted" } };
    }),
  );
  ec2.on(SearchTransitGatewayRoutesCommand).callsFake(
    h("SearchTransitGatewayRoutes", (i: { TransitGatewayRouteTableId: string; Filters?: Array<{ Name?: string; Values?: string[] }> }) => {
      const table = tableById(i.TransitGatewayRouteTableId);
      if (!i.Filters?.length) throw ec2Error("MissingParameter", "The request must contain the parameter Filters");
      const routes = table.routes.filter((r) =>
        matchesFilters(r as { Tags?: [] }, i.Filters, {
          type: () => r.Type,
          state: () => r.State,
          "attachment.transit-gateway-attachment-id": () => (r.TransitGatewayAttachments ?? []).map((a) => a.TransitGatewayAttachmentId),
          "attachment.resource-id": () => (r.TransitGatewayAttachments ?? []).map((a) => a.ResourceId),
          "attachment.resource-type": () => (r.TransitGatewayAttachments ?? []).map((a) => a.ResourceType),
          "route-search.exact-match": () => r.DestinationCidrBlock,
        }),
      );
      return { Routes: clone(routes), AdditionalRoutesAvailable: false };
    }),
  );

  // --- VPC routes to a gateway ------------------------------------------------------------------
  ec2.on(CreateRouteCommand).callsFake(
    h("CreateRoute", (i: { RouteTableId: string; DestinationCidrBlock: string; TransitGatewayId?: string; GatewayId?: string }) => {
      const table = s.routeTables.find((r) => r.RouteTableId === i.RouteTableId);
      if (!table) throw ec2Error("InvalidRouteTableID.NotFound", `The routeTable ID '${i.RouteTableId}' does not exist`);
      if (i.TransitGatewayId) {
        liveTgw(aws, i.TransitGatewayId);
        // While the VPC is not (yet) attached, AWS answers as if the gateway did not exist.
        const attached = s.tgwAttachments.some((a) => a.TransitGatewayId === i.TransitGatewayId && a.VpcId === table.VpcId && a.State === "available");
        if (!attached) throw ec2Error("InvalidTransitGatewayID.NotFound", `The transitGateway ID '${i.TransitGatewayId}' does not exist.`);
      }
      if ((table.Routes ?? []).some((r) => r.DestinationCidrBlock === i.DestinationCidrBlock && r.Origin !== "EnableVgwRoutePropagation")) {
        throw ec2Error("RouteAlreadyExists", `The route identified by ${i.DestinationCidrBlock} already exists.`);
      }
      table.Routes = [
        ...(table.Routes ?? []),
        {
          DestinationCidrBlock: i.DestinationCidrBlock,
          ...(i.TransitGatewayId ? { TransitGatewayId: i.TransitGatewayId } : { GatewayId: i.GatewayId }),
          Origin: "CreateRoute",
          State: "active",
        },
      ];
      return { Return: true };
    }),
  );
  ec2.on(DeleteRouteCommand).callsFake(
    h("DeleteRoute", (i: { RouteTableId: string; DestinationCidrBlock: string }) => {
      const table = s.routeTables.find((r) => r.RouteTableId === i.RouteTableId);
      if (!table) throw ec2Error("InvalidRouteTableID.NotFound", `The routeTable ID '${i.RouteTableId}' does not exist`);
      const route = (table.Routes ?? []).find((r) => r.DestinationCidrBlock === i.DestinationCidrBlock && r.Origin === "CreateRoute");
      if (!route) {
        throw ec2Error("InvalidRoute.NotFound", `no route with destination-cidr-block ${i.DestinationCidrBlock} in route table ${i.RouteTableId}`);
      }
      table.Routes = (table.Routes ?? []).filter((r) => r !== route);
      return {};
    }),
  );
};
