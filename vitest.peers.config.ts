import { defineConfig } from "vitest/config";

// `npm run test:peers`: vpcwire's rendered configs against real strongSwan and FRR daemons in network
// namespaces (root and Debian packages needed; see the README, "Real-peer tests"). Not part of `npm test`.
export default defineConfig({
  test: {
    include: ["test/peers/**/*.peers.ts"],
    globalSetup: ["test/peers/global-setup.ts"],
    environment: "node",
    // Name every variant and step in the output (and in CI logs).
    reporters: ["verbose"],
    pool: "forks",
    maxWorkers: 2,
    // Each variant is its own concurrent suite (namespaces, daemons); the waits are bounded inside.
    maxConcurrency: 16,
    testTimeout: 90_000,
    hookTimeout: 90_000,
    teardownTimeout: 30_000,
    // The CLI runs in-process against the fake AWS, as in the unit tests: nothing reaches AWS.
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      AWS_REGION: "ap-northeast-1",
      AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKE",
      AWS_SECRET_ACCESS_KEY: "fake",
      AWS_CONFIG_FILE: "/nonexistent/vpcwire-test-config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/vpcwire-test-credentials",
      AWS_EC2_METADATA_DISABLED: "true",
    },
  },
});
