/**
 * `candor batch export`: a run's pending requests as an OpenAI batch file (one `{custom_id,
 * method, url, body}` line each), the input `vllm run-batch` reads. One round at a time, the
 * first with work left: generation (custom_id = trial id), then the judge's verdicts
 * (`<trial id>-judge`), the "are you sure?" turns (`-challenge`), their verdicts
 * (`-challenge-judge`) and, when `warmth` is handed in, the warmth ratings (`-warmth`); verdicts
 * a rule decides (and empty replies' ratings) are written to the run at export, as the audit
 * would. The plan is recorded first, so `candor batch import` can match the results.
 */

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chatBody, requestLine } from "../batch/openai-lines.js";
import { CandorError } from "../errors.js";
import { closeStream, openWriteStream, writeChunk } from "../io/write-stream.js";
import { runJudgeId } from "../judge/run-judge.js";
import { structuredMetaKey } from "../judge/structured.js";
import { parseModelRef } from "../providers/model-ref.js";
import { lockRun } from "../store/run-lock.js";
import { RunStore } from "../store/run-store.js";
import { asStorageError } from "../store/storage-errors.js";
import { recordedJudgeMode, warmthModeId } from "./audit-preflight.js";
import type { Kind } from "./batch-specs.js";
import { clusterRounds, KINDS, type WarmthRound } from "./cluster-kinds.js";
import { prepareAudit, RUN_DB, recordPlan } from "./prepare.js";

export interface ExportResult {
  runDir: string;
  /** The round written (none pending: the last one looked at). */
  kind: Kind;
  requests: number;
  /** Trials left out because they already have a response. */
  done: number;
  /** Models that answer the written requests (one `vllm run-batch` each). */
  models: string[];
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
  options: { model?: string; kind?: Kind; signal?: AbortSignal; warmth?: WarmthRound } = {},
): Promise<ExportResult> {
  const loaded = await prepareAudit(configFile, {
    ...(options.signal && { signal: options.signal }),
  });
  mkdirSync(loaded.runDir, { recursive: true });
  const unlock = lockRun(loaded.runDir);
  const store = RunStore.open(join(loaded.runDir, RUN_DB));
  try {
    recordPlan(store, loaded);
    const rounds = clusterRounds(loaded.config, store, loaded.scope, options.warmth);
    if (options.kind && !rounds.has(options.kind)) {
      throw new CandorError(
        `--stage ${options.kind}: this audit has no such round (${options.kind === "warmth" ? "no warmth.judge:" : "no challenge:"}?)`,
      );
    }
    const file = openWriteStream(out);
    const failed = (err: unknown) =>
      asStorageError(err, out, "could not write the requests", "output");
    let requests = 0;
    let kind: Kind = "generate";
    const models = new Set<string>();
    for (const k of options.kind ? [options.kind] : KINDS) {
      kind = k;
      for (const { spec, ref } of rounds.get(k) ?? []) {
        const openai = ref.startsWith("openai:");
        for (const { customId, req } of spec.pending()) {
          const name = modelName(ref, options.model);
          models.add(name);
          const line = requestLine(customId, chatBody(name, req, openai));
          await writeChunk(file, `${line}\n`).catch((err) => {
            throw failed(err);
          });
          requests++;
        }
      }
      if (requests > 0) break;
    }
    // The verdicts are asked for in this mode: the summary names it, as after a live preflight.
    if (requests > 0 && (kind === "judge" || kind === "challenge-judge")) {
      const id = runJudgeId(loaded.config);
      store.setMeta(
        structuredMetaKey(id),
        recordedJudgeMode(store, id, loaded.config.judge.structured),
      );
    }
    const warmthJudge = loaded.config.warmth?.judge;
    if (requests > 0 && kind === "warmth" && warmthJudge) {
      const id = warmthModeId(warmthJudge.model);
      store.setMeta(structuredMetaKey(id), recordedJudgeMode(store, id, "auto"));
    }
    await closeStream(file).catch((err) => {
      throw failed(err);
    });
    const answered = store.db.prepare("SELECT count(*) FROM responses").pluck().get() as number;
    const pipelined = new Set(loaded.plan.subjects.filter((s) => s.pipeline).map((s) => s.id));
    let pipeline = 0;
    if (pipelined.size > 0) {
      for (const trial of store.iteratePendingGeneration(loaded.scope)) {
        if (pipelined.has(trial.subjectId)) pipeline++;
      }
    }
    return { runDir: loaded.runDir, kind, requests, done: answered, models: [...models], pipeline };
  } finally {
    store.close();
    unlock();
  }
}
