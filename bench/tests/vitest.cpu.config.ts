import { fileURLToPath } from "node:url";
import { mergeConfig } from "vitest/config";
import base from "../../vitest.config.js";

/** The suite's own config plus a setup file that records each test file's CPU seconds. */
export default mergeConfig(base, {
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: { setupFiles: [fileURLToPath(new URL("./cpu-setup.ts", import.meta.url))] },
});
