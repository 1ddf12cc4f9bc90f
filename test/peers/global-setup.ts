/**
 * Runs once before the real-peer suite. Missing prerequisites are one visible line and a failed run,
 * unless VPCWIRE_PEERS_SKIP=1 asks for a (loud) skip. Never a silent pass.
 */
import { missingPrerequisites, PACKAGES, skipRequested } from "./prereqs.js";

export default function setup(): (() => void) | undefined {
  const missing = missingPrerequisites();
  if (!missing) return undefined;
  if (skipRequested()) {
    const banner = `\n${"!".repeat(100)}\n!! vpcwire real-peer tests SKIPPED (VPCWIRE_PEERS_SKIP=1): ${missing}\n${"!".repeat(100)}\n\n`;
    process.stderr.write(banner);
    // Again after the list of skipped tests, where the eye lands.
    return () => process.stderr.write(banner);
  }
  process.stderr.write(
    `vpcwire real-peer tests cannot run: ${missing}. Run as root after: apt-get install ${PACKAGES} (or set VPCWIRE_PEERS_SKIP=1 to skip them).\n`,
  );
  // One line, not a stack trace: nothing has started yet.
  process.exit(1);
}
