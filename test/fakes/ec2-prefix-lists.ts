/**
 * Managed prefix lists in the fake account, for routes that reference one (`DestinationPrefixListId`):
 * gateway endpoints' AWS-managed lists (S3, DynamoDB) and customer-managed lists. Seed them with
 * `seedPrefixList`; `GetManagedPrefixListEntries` pages through the entries (`MaxResults`/`NextToken`).
 */
import { GetManagedPrefixListEntriesCommand } from "@aws-sdk/client-ec2";
import type { FakeAws, FakeService } from "./aws.js";
import { ec2Error } from "./model.js";

export interface FakePrefixList {
  PrefixListId: string;
  PrefixListName: string;
  Entries: Array<{ Cidr: string; Description?: string }>;
}

export function prefixListState(aws: FakeAws): FakePrefixList[] {
  aws.state.prefixLists ??= [];
  return aws.state.prefixLists as FakePrefixList[];
}

/** A prefix list that exists before the test (`pl-` id from the deterministic sequence). */
export function seedPrefixList(aws: FakeAws, name: string, cidrs: string[]): FakePrefixList {
  const list: FakePrefixList = { PrefixListId: aws.ids.next("pl"), PrefixListName: name, Entries: cidrs.map((Cidr) => ({ Cidr })) };
  prefixListState(aws).push(list);
  return list;
}

export const prefixLists: FakeService = (aws, { ec2 }) => {
  ec2.on(GetManagedPrefixListEntriesCommand).callsFake(
    aws.handler("ec2", "GetManagedPrefixListEntries", (i: { PrefixListId: string; MaxResults?: number; NextToken?: string }) => {
      const list = prefixListState(aws).find((l) => l.PrefixListId === i.PrefixListId);
      if (!list) throw ec2Error("InvalidPrefixListID.NotFound", `The prefix list ID '${i.PrefixListId}' does not exist`);
      const start = i.NextToken ? Number(i.NextToken) : 0;
      const size = i.MaxResults ?? 100;
      const page = list.Entries.slice(start, start + size);
      const next = start + size < list.Entries.length ? String(start + size) : undefined;
      return { Entries: structuredClone(page), ...(next ? { NextToken: next } : {}) };
    }),
  );
};
