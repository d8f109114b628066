/**
 * The compiled CLI (dist/, what `npm ci`'s `prepare` builds and the package ships), which
 * bin/candor.js runs whenever dist/ is current. Tests spawn it directly; the global setup
 * builds it when it is behind, and test/library/checkout-bin.test.ts runs the bin itself.
 */
import { join } from "node:path";
import { staleBuildOutputs as stale } from "../../bin/build-state.js";
import { repoRoot } from "./paths.js";

export const BUILT_CLI = join(repoRoot, "dist/cli/main.js");

/** Sources whose compiled output is missing or older (bin/build-state.js): empty when current. */
export function staleBuildOutputs(root = repoRoot): string[] {
  return stale(root);
}
