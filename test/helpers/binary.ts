/**
 * For tests that spawn bin/vpcwire.js: fail (never skip) when dist/ is missing, stale or its build
 * failed. The global setup (test/setup/dist.ts) builds before the run; this also checks right before
 * the test, so a source edited since then is not tested through old code.
 */
import { inject } from "vitest";
import { type DistState, distStaleness } from "../setup/dist.js";

export function requireFreshBuild(): void {
  // Undefined when the run did not go through vitest.config.ts's global setup.
  const built: DistState | undefined = inject("vpcwireDist");
  if (built && !built.ok) throw new Error(built.problem);
  const stale = distStaleness();
  if (stale) throw new Error(`dist/ is not built from the current sources (${stale}); run npm run build`);
}
