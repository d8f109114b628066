import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./paths.js";

/** A JSON file under test/fixtures/, unchecked: the caller casts it or parses it with zod. */
export function readFixture(path: string): unknown {
  return JSON.parse(readFileSync(join(repoRoot, "test/fixtures", path), "utf8"));
}
