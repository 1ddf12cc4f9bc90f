import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 20_000,
    // Command tests share the mocked SDK clients (aws-sdk-client-mock patches the client prototypes),
    // so files run in separate workers but tests inside a file run one after another.
    pool: "forks",
  },
});
