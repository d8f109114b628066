// Whether dist/ is current with src/: every source file's compiled output exists and is newer
// than the source and the build configuration. Plain JavaScript, because bin/candor.js reads it
// before anything can be transpiled.
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

/** Source files whose compiled file is missing or older than it or the build's configuration. */
export function staleBuildOutputs(root) {
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

/**
 * What bin/candor.js runs: the compiled CLI when there are no sources (an installed package)
 * or when dist/ is current with them (a checkout after `npm ci`, whose `prepare` builds it);
 * the TypeScript sources through tsx when dist/ is missing or behind an edit.
 */
export function cliEntry(root) {
  if (mtime(join(root, "src", "cli", "main.ts")) === undefined) return "dist";
  if (mtime(join(root, "dist", "cli", "main.js")) === undefined) return "src";
  return staleBuildOutputs(root).length === 0 ? "dist" : "src";
}
