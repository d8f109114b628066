import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Brings dist/ up to date once, for the tests that spawn the compiled CLI.
    globalSetup: ["test/helpers/global-setup.ts"],
  },
});
