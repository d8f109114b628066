/**
 * Runs once per `vitest run`: brings dist/ up to date with the same `prepare` script
 * `npm ci` runs, so every test that spawns the CLI runs the current sources. After
 * `npm ci` (as in .ci/run) dist/ is already current and nothing is built.
 */
import { execFileSync } from "node:child_process";
import { staleBuildOutputs } from "./built-cli.js";
import { repoRoot } from "./paths.js";

export function setup(): void {
  const stale = staleBuildOutputs();
  if (stale.length === 0) return;
  process.stderr.write(`dist/ is behind ${stale.length} source file(s): npm run prepare\n`);
  execFileSync("npm", ["run", "--silent", "prepare"], { cwd: repoRoot, stdio: "inherit" });
  const still = staleBuildOutputs();
  if (still.length > 0) throw new Error(`npm run prepare left dist/ behind: ${still[0]}`);
}
