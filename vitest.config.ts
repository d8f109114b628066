import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest's default on 2 cores is one worker; most files spend much of their time waiting
    // on child processes, servers and chromium, so a second worker uses the idle core.
    maxWorkers: 2,
    // Brings dist/ up to date once, for the tests that spawn the compiled CLI.
    globalSetup: ["test/helpers/global-setup.ts"],
  },
});
