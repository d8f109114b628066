/**
 * The compiled CLI (dist/, what `npm ci`'s `prepare` builds and the package ships). Tests
 * spawn it rather than bin/candor.js because the checkout branch of the bin transpiles every
 * source file through tsx in each child process, which cost about 2 s of CPU per run; one
 * test (test/library/checkout-bin.test.ts) still runs the bin from the checkout.
 */
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { repoRoot } from "./paths.js";

export const BUILT_CLI = join(repoRoot, "dist/cli/main.js");

function mtime(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

/**
 * Sources whose compiled file is missing or older than the source or the build's
 * configuration (an interrupted or outdated build): empty when dist/ is current.
 */
export function staleBuildOutputs(root = repoRoot): string[] {
  // package.json is left out: its scripts change often and do not change what tsc emits.
  const config = Math.max(
    ...["tsconfig.json", "tsconfig.build.json"].map((f) => mtime(join(root, f)) ?? 0),
  );
  const src = join(root, "src");
  return sources(src).filter((file) => {
    const out = mtime(join(root, "dist", relative(src, file)).replace(/\.ts$/, ".js"));
    return out === undefined || out < (mtime(file) ?? 0) || out < config;
  });
}
