import type { Context } from "../core/context.js";
import { type OutputOf, send } from "./call.js";
import type { AwsClients } from "./clients.js";

/**
 * Follow NextToken/nextToken/Marker pages of a Describe call and concatenate the items.
 * `page` builds the command for a token (undefined for the first page).
 */
export async function listAll<C extends { input: object }, Item>(
  ctx: Pick<Context, "clients" | "io" | "config">,
  service: keyof AwsClients,
  page: (token: string | undefined) => C,
  items: (out: OutputOf<C>) => Item[] | undefined,
  nextToken: (out: OutputOf<C>) => string | undefined,
  maxPages = 50,
): Promise<Item[]> {
  const all: Item[] = [];
  let token: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const out = (await send(ctx, service, page(token))) as OutputOf<C>;
    all.push(...(items(out) ?? []));
    token = nextToken(out);
    if (!token) break;
  }
  return all;
}
