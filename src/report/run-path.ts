import { existsSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { CandorError } from "../errors.js";
import { RUN_DB } from "../store/run-files.js";

export interface RunLocation {
  /** The run directory (holds run.sqlite, summary.json, …). */
  dir: string;
  /** The run store file. */
  file: string;
}

/** `<run>` as users type it: a run directory or its run.sqlite file. */
export function resolveRun(arg: string): RunLocation {
  const p = resolve(arg);
  const st = statSync(p, { throwIfNoEntry: false });
  if (!st) throw new CandorError(`${arg}: no such run directory or run store`);
  if (st.isDirectory()) {
    const file = join(p, RUN_DB);
    if (!existsSync(file)) {
      throw new CandorError(
        `${arg}: not a candor run directory (expected ${RUN_DB} in it; runs are written to the config's \`output:\`)`,
      );
    }
    return { dir: p, file };
  }
  if (basename(p) === RUN_DB) return { dir: dirname(p), file: p };
  throw new CandorError(`${arg}: expected a run directory or its ${RUN_DB}`);
}
