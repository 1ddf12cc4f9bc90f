import { processStreams } from "../ui/streams.js";
import { main } from "./main.js";

/**
 * Entry for bin/vpcwire.js. Wires Ctrl-C: the first one stops waits cleanly (the command reports what
 * exists and exits 130), a second one exits at once.
 */
export function run(): void {
  // vpcwire declares Node >= 20; the SDK's notice about its own future Node support is not the user's concern.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const controller = new AbortController();
  let interrupts = 0;
  process.on("SIGINT", () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    process.stderr.write("\nInterrupted: stopping (press Ctrl-C again to quit at once)...\n");
    controller.abort(new Error("interrupted"));
  });
  main(process.argv.slice(2), processStreams(), { signal: controller.signal }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`vpcwire: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
