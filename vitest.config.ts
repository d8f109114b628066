import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Test files share their worker's module cache instead of re-importing src/ and its
    // dependencies per file: the suite's import phase fell from 77 s to 10 s of CPU, and the
    // in-process files (analysis, stats, design, judge, config) ran 3× faster. The price is
    // that a file must not leave global state behind (env, listeners, module-level caches):
    // tests that need a clean process spawn the CLI, as users run it (docs/testing.md).
    isolate: false,
    // Vitest's default is one worker on 2 cores, which leaves a core idle whenever a test waits
    // on a CLI child or a server. Two workers on the quiet 2-core CI machine: 241 s → 159 s for
    // `npm test` (docs/testing.md). More cores, more workers, as vitest's default would.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Brings dist/ up to date once, for the tests that spawn the compiled CLI.
    globalSetup: ["test/helpers/global-setup.ts"],
  },
});
