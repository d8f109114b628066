import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** The study's and public datasets, beside the repository (never copied into it). */
export const sharedData = resolve(repoRoot, "../shared/data");

export function tempDir(prefix = "candor-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
