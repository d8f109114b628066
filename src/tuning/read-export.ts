/** Reading a style's fine-tuning export back, checked against its manifest. */

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DataError } from "../errors.js";
import { MANIFEST_FILE, type Manifest, TRAIN_FILE, VALIDATION_FILE } from "./export.js";
import type { Style } from "./types.js";

export function sha256(buf: Buffer): string {
  return createHash("sha256").update(buf).digest("hex");
}

/** Reads the export of a style and checks its files against the manifest. */
export function readExport(
  out: string,
  style: Style,
): {
  dir: string;
  manifest: Manifest;
  train: Buffer;
  validation: Buffer;
} {
  const dir = join(resolve(out), style);
  const manifestPath = join(dir, MANIFEST_FILE);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
  } catch {
    throw new DataError(
      manifestPath,
      undefined,
      `not found or not JSON; expected the manifest written by \`candor tune data --out ${out} --style ${style}\``,
    );
  }
  const read = (name: string, expected: string | undefined): Buffer => {
    const path = join(dir, name);
    let buf: Buffer;
    try {
      buf = readFileSync(path);
    } catch {
      throw new DataError(
        path,
        undefined,
        "file not found; expected the exported JSONL (re-run `candor tune data`)",
      );
    }
    if (expected !== undefined && sha256(buf) !== expected) {
      throw new DataError(
        path,
        undefined,
        `sha256 ${sha256(buf).slice(0, 12)}… differs from the manifest's ${expected.slice(0, 12)}…; the file changed after export (re-run \`candor tune data\`)`,
      );
    }
    return buf;
  };
  const train = read(TRAIN_FILE, manifest.files?.train?.sha256);
  if (train.length === 0)
    throw new DataError(join(dir, TRAIN_FILE), undefined, "no training examples");
  return {
    dir,
    manifest,
    train,
    validation: read(VALIDATION_FILE, manifest.files?.validation?.sha256),
  };
}
