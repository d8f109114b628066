import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, found from this file's location (CI clones elsewhere). */
export const repoRoot = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");

/** The shared real datasets, kept beside the repository (never copied into it). */
export const sharedData = resolve(repoRoot, "../shared/data");

/** A fresh temporary directory, removed by the returned cleanup. */
export async function tempDir(
  prefix = "candor-data-",
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
