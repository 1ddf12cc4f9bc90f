import type { Context } from "./context.js";
import { UsageError } from "./errors.js";

/**
 * The Region as far as it is known without loading the SDK: `--region`, then `AWS_REGION`, then
 * `AWS_DEFAULT_REGION` (as the AWS CLI reads them). A profile's region is known only to the SDK.
 */
export function knownRegion(ctx: Pick<Context, "config" | "env">): string | null {
  return ctx.config.region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION ?? null;
}

/**
 * The Region commands will use. Offline runs read it from flags/env only (no SDK is loaded); online
 * runs ask the SDK's own chain (--region, AWS_REGION, the profile) so the answer matches the calls.
 */
export async function resolveRegion(ctx: Context): Promise<string | null> {
  if (ctx.config.offline) return knownRegion(ctx);
  try {
    const region = await (await ctx.clients.get("ec2")).config.region();
    if (region) return region;
  } catch {
    // fall through to the usage error below
  }
  throw new UsageError("--region: no AWS Region is configured; pass --region, set AWS_REGION, or give the profile a region");
}
