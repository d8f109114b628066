import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // maxWorkers stays at vitest's default (one on 2 cores): two workers on the loaded
    // shared machine ran no faster and pushed CLI-heavy tests past testTimeout (docs/testing.md).
    // Brings dist/ up to date once, for the tests that spawn the compiled CLI.
    globalSetup: ["test/helpers/global-setup.ts"],
  },
});
