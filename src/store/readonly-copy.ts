/**
 * Reading a run that cannot be opened where it is: a copy on read-only media or in a directory
 * without write permission, where SQLite cannot create the WAL index (-shm) it needs. The store
 * (and its -wal, when present) is copied to a private temporary directory and read there; the
 * copy is removed when the process exits. better-sqlite3 is built without URI filenames, so
 * `?immutable=1` is not available.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

const copies: string[] = [];
let hooked = false;

export function readableCopy(file: string): string {
  const dir = mkdtempSync(join(tmpdir(), "candor-readonly-"));
  copies.push(dir);
  if (!hooked) {
    hooked = true;
    process.on("exit", () => {
      for (const d of copies) rmSync(d, { recursive: true, force: true });
    });
  }
  const copy = join(dir, basename(file));
  copyFileSync(file, copy);
  if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
  return copy;
}
