#!/usr/bin/env node
// An installed package, and a checkout whose dist/ is current (`npm ci` builds it), run the
// compiled CLI: it starts in a fraction of the time and memory. A checkout with an edit not yet
// built runs the TypeScript sources through tsx, so the CLI is never stale.
import { fileURLToPath } from "node:url";
import { cliEntry } from "./build-state.js";

const root = fileURLToPath(new URL("..", import.meta.url));
if (cliEntry(root) === "dist") {
  await import("../dist/cli/main.js");
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/cli/main.ts");
}
