import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    benchmark: { include: ["bench/**/*.bench.ts"] },
    environment: "node",
    testTimeout: 20_000,
    // Builds dist/ when it is missing or older than src/ or templates/ (npm test has built it already),
    // for the tests that spawn bin/vpcwire.js; those fail, never skip, when the build is not fresh.
    globalSetup: ["test/setup/dist.ts"],
    // Command tests share the mocked SDK clients (aws-sdk-client-mock patches the client prototypes),
    // so files run in separate workers but tests inside a file run one after another.
    pool: "forks",
    // The SDK reads process.env itself: give it a Region and fake keys, and keep it away from the
    // developer's own ~/.aws files and from instance metadata. Tests never reach AWS.
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
