/**
 * `candor batch import`: reads an OpenAI-format batch output file (what `vllm run-batch`
 * writes) into a run's responses. Matched by custom_id = trial id, in any order; a trial that
 * already has a response is left alone, so importing twice, or a file that holds only part of
 * the results, is fine.
 */
import { createReadStream, existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseResultLine } from "../batch/openai-lines.js";
import { CandorError } from "../errors.js";
import { RUN_DB } from "../store/run-files.js";
import { lockRun } from "../store/run-lock.js";
import type { Failure, RunStore } from "../store/run-store.js";
import { RunStore as Store } from "../store/run-store.js";
import type { Response } from "../types.js";

export interface ImportResult {
  imported: number;
  /** Lines for trials that already had a response (an earlier import). */
  alreadyThere: number;
  /** Error lines, recorded as failures: the next `candor audit` retries those trials. */
  errors: number;
  /** custom_ids that are not trials of this run. */
  unknown: number;
}

const CHUNK = 1_000;

export async function importResults(runDir: string, file: string): Promise<ImportResult> {
  const db = join(runDir, RUN_DB);
  if (!existsSync(db)) {
    throw new CandorError(
      `${db}: no run store here; run \`candor batch export\` for this run first`,
    );
  }
  if (!existsSync(file)) throw new CandorError(`${file}: no such results file`);
  const unlock = lockRun(runDir);
  const store = Store.open(db);
  try {
    return await importInto(store, file);
  } finally {
    store.close();
    unlock();
  }
}

async function importInto(store: RunStore, file: string): Promise<ImportResult> {
  const known = store.db.prepare<[string], number>("SELECT 1 FROM trials WHERE id = ?").pluck();
  const answered = store.db
    .prepare<[string], number>("SELECT 1 FROM responses WHERE trial_id = ?")
    .pluck();
  const result: ImportResult = { imported: 0, alreadyThere: 0, errors: 0, unknown: 0 };
  let responses: Response[] = [];
  let failures: Failure[] = [];
  const flush = () => {
    result.imported += store.writeBatch({ responses, failures });
    responses = [];
    failures = [];
  };
  const lines = createInterface({
    input: createReadStream(file),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let n = 0;
  let pendingBad: string | undefined;
  for await (const text of lines) {
    n++;
    if (text.trim() === "") continue;
    // A malformed line is only forgiven as the last one (a file still being written).
    if (pendingBad) throw new CandorError(pendingBad);
    let outcome: ReturnType<typeof parseResultLine>;
    try {
      outcome = parseResultLine(text, `${file} line ${n}`);
    } catch (err) {
      pendingBad = (err as Error).message;
      continue;
    }
    if (known.get(outcome.customId) === undefined) {
      result.unknown++;
      continue;
    }
    if (answered.get(outcome.customId) !== undefined) {
      result.alreadyThere++;
      continue;
    }
    if (outcome.ok) {
      const r = outcome.result;
      responses.push({
        trialId: outcome.customId,
        text: r.text,
        latencyMs: 0,
        createdAt: new Date().toISOString(),
        ...(r.finishReason !== undefined && { finishReason: r.finishReason }),
        ...(r.promptTokens !== undefined && { promptTokens: r.promptTokens }),
        ...(r.completionTokens !== undefined && { completionTokens: r.completionTokens }),
        ...(r.servedModel !== undefined && { servedModel: r.servedModel }),
      });
    } else {
      result.errors++;
      failures.push({
        trialId: outcome.customId,
        stage: "generate",
        message: outcome.message,
        attempts: 1,
      });
    }
    if (responses.length + failures.length >= CHUNK) flush();
  }
  flush();
  return result;
}
