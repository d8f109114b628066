/**
 * `candor batch import`: reads an OpenAI-format batch output file (what `vllm run-batch`
 * writes) into a run: responses, verdicts, challenge turns, their verdicts and warmth ratings
 * (when `warmth` is handed in), told apart by custom_id (cluster-export.ts) and matched in any
 * order. A result whose row already exists is
 * left alone, so importing twice, or a file that holds only part of the results, is fine.
 */
import { createReadStream, existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseResultLine } from "../batch/openai-lines.js";
import { CandorError } from "../errors.js";
import { runJudgeId } from "../judge/run-judge.js";
import type { GenerateResult } from "../providers/types.js";
import { CHALLENGE_TURN } from "../store/challenges.js";
import { readRunConfig } from "../store/run-config.js";
import { RUN_DB } from "../store/run-files.js";
import { lockRun } from "../store/run-lock.js";
import type { Failure, RunStore } from "../store/run-store.js";
import { RunStore as Store } from "../store/run-store.js";
import { type Kind, parseCustomId } from "./batch-specs.js";
import { clusterRounds, type WarmthRound } from "./cluster-kinds.js";

export interface ImportResult {
  imported: number;
  /** Lines for trials that already had a response (an earlier import). */
  alreadyThere: number;
  /** Error lines, recorded as failures: the next `candor audit` retries those trials. */
  errors: number;
  /** custom_ids that are not trials of this run. */
  unknown: number;
  /** Result lines read per kind of request (generation, judge…). */
  byKind: Partial<Record<Kind, number>>;
}

const CHUNK = 1_000;

export async function importResults(
  runDir: string,
  file: string,
  options: { warmth?: WarmthRound } = {},
): Promise<ImportResult> {
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
    return await importInto(store, file, options.warmth);
  } finally {
    store.close();
    unlock();
  }
}

/** Whether a request of this kind already has its row (an earlier import, or the audit). */
function answeredQuery(store: RunStore, judge: string) {
  const q = (sql: string) => store.db.prepare<[string], number>(sql).pluck();
  const queries: Partial<Record<Kind, ReturnType<typeof q>>> = {
    generate: q("SELECT 1 FROM responses WHERE trial_id = ?"),
    judge: q(
      `SELECT 1 FROM judgments WHERE trial_id = ? AND judge = '${judge.replace(/'/g, "''")}'`,
    ),
    challenge: q(`SELECT 1 FROM challenges WHERE trial_id = ? AND turn = ${CHALLENGE_TURN}`),
    "challenge-judge": q(
      `SELECT 1 FROM challenge_judgments WHERE trial_id = ? AND turn = ${CHALLENGE_TURN} AND judge = '${judge.replace(/'/g, "''")}'`,
    ),
  };
  return (kind: Kind, trialId: string) => queries[kind]?.get(trialId) !== undefined;
}

async function importInto(
  store: RunStore,
  file: string,
  warmth: WarmthRound | undefined,
): Promise<ImportResult> {
  const config = readRunConfig(store);
  const rounds = clusterRounds(config, store, undefined, warmth);
  const known = store.db.prepare<[string], number>("SELECT 1 FROM trials WHERE id = ?").pluck();
  const answered = answeredQuery(store, runJudgeId(config));
  const result: ImportResult = { imported: 0, alreadyThere: 0, errors: 0, unknown: 0, byKind: {} };
  const ok = new Map<Kind, { customId: string; result: GenerateResult }[]>();
  let failures: Failure[] = [];
  let held = 0;
  const inChunk = new Set<string>();
  const flush = () => {
    for (const [kind, list] of ok) {
      if (list.length > 0) rounds.get(kind)![0]!.spec.apply(list);
      result.imported += list.length;
    }
    ok.clear();
    inChunk.clear();
    store.writeBatch({ failures });
    failures = [];
    held = 0;
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
    const { kind, trialId } = parseCustomId(outcome.customId);
    const part = rounds.get(kind)?.[0];
    if (!part || known.get(trialId) === undefined) {
      result.unknown++;
      continue;
    }
    // In the same file twice, or already stored: the first answer stands.
    const there = part.spec.answered ? part.spec.answered(trialId) : answered(kind, trialId);
    if (there || inChunk.has(outcome.customId)) {
      result.alreadyThere++;
      continue;
    }
    inChunk.add(outcome.customId);
    result.byKind[kind] = (result.byKind[kind] ?? 0) + 1;
    if (outcome.ok) {
      const list = ok.get(kind) ?? [];
      ok.set(kind, list);
      list.push({ customId: outcome.customId, result: outcome.result });
    } else {
      result.errors++;
      if (part.spec.fail) part.spec.fail(trialId, outcome.message);
      else if (part.spec.stage) {
        failures.push({ trialId, stage: part.spec.stage, message: outcome.message, attempts: 1 });
      }
    }
    if (++held >= CHUNK) flush();
  }
  flush();
  return result;
}
