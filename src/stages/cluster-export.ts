/**
 * `candor batch export`: a run's pending generation requests as an OpenAI batch file (one
 * `{custom_id, method, url, body}` line each, custom_id = trial id), the input `vllm run-batch`
 * reads. The plan is recorded first, so `candor batch import` can match the results.
 */

import { once } from "node:events";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chatBody, requestLine } from "../batch/openai-lines.js";
import { CandorError } from "../errors.js";
import { parseModelRef } from "../providers/model-ref.js";
import { lockRun } from "../store/run-lock.js";
import { RunStore } from "../store/run-store.js";
import { prepareAudit, RUN_DB, recordPlan } from "./prepare.js";

export interface ExportResult {
  runDir: string;
  requests: number;
  /** Trials left out because they already have a response. */
  done: number;
  /** Pending trials of `pipeline:` subjects, left for `candor audit` (several dependent calls). */
  pipeline: number;
}

function modelName(ref: string, override: string | undefined): string {
  if (override !== undefined) return override;
  const parsed = parseModelRef(ref);
  if (parsed.ok && parsed.ref.scheme !== "llama-file" && parsed.ref.scheme !== "llama-hf") {
    return parsed.ref.model;
  }
  throw new CandorError(
    `${ref}: no served model name in this reference; pass --model <name the server serves>`,
  );
}

export async function exportPending(
  configFile: string,
  out: string,
  options: { model?: string; signal?: AbortSignal } = {},
): Promise<ExportResult> {
  const loaded = await prepareAudit(configFile, {
    ...(options.signal && { signal: options.signal }),
  });
  mkdirSync(loaded.runDir, { recursive: true });
  const unlock = lockRun(loaded.runDir);
  const store = RunStore.open(join(loaded.runDir, RUN_DB));
  try {
    recordPlan(store, loaded);
    const models = new Map(
      loaded.plan.subjects.map((s) => [
        s.id,
        { name: modelName(s.model, options.model), ref: s.model },
      ]),
    );
    const total = loaded.plan.trials.length;
    const file = createWriteStream(out);
    let requests = 0;
    let pipeline = 0;
    // A pipeline trial is several dependent calls (answer, rewrite, check): `candor audit` runs it.
    const pipelined = new Set(loaded.plan.subjects.filter((s) => s.pipeline).map((s) => s.id));
    for (const trial of store.iteratePendingGeneration()) {
      if (pipelined.has(trial.subjectId)) {
        pipeline++;
        continue;
      }
      const m = models.get(trial.subjectId)!;
      const openai = m.ref.startsWith("openai:");
      const line = requestLine(trial.id, chatBody(m.name, trial, openai));
      if (!file.write(`${line}\n`)) await once(file, "drain");
      requests++;
    }
    file.end();
    await once(file, "finish");
    return { runDir: loaded.runDir, requests, done: total - requests - pipeline, pipeline };
  } finally {
    store.close();
    unlock();
  }
}
