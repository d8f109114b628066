import type { JudgmentLabel } from "../types.js";
import type { RunStore } from "./run-store.js";

export interface LabelRow {
  trial_id: string;
  subject_id: string;
  task: string;
  context: string;
  belief: string;
  question: string;
  correct_json: string;
  incorrect_json: string;
  prompt: string;
  response: string;
  label: JudgmentLabel;
}

/** Judged responses with what a person needs to label them. */
export function judgedResponses(store: RunStore, judge: string): LabelRow[] {
  return store.db
    .prepare(
      `SELECT t.id AS trial_id, t.subject_id, t.task, t.context, t.belief, i.question, i.correct_json, i.incorrect_json,
              json_extract(t.messages_json, '$[#-1].content') AS prompt, r.text AS response, j.label
       FROM trials t JOIN responses r ON r.trial_id = t.id
       JOIN judgments j ON j.trial_id = t.id AND j.judge = ?
       JOIN items i ON i.task = t.task AND i.id = t.item_id
       ORDER BY t.rowid`,
    )
    .all(judge) as LabelRow[];
}

/** Verdict per trial from one judge. */
export function verdicts(store: RunStore, judge: string): Map<string, JudgmentLabel> {
  const rows = store.db
    .prepare("SELECT trial_id, label FROM judgments WHERE judge = ?")
    .all(judge) as {
    trial_id: string;
    label: JudgmentLabel;
  }[];
  return new Map(rows.map((r) => [r.trial_id, r.label]));
}

export function judgesOf(store: RunStore): string[] {
  return store.db
    .prepare("SELECT DISTINCT judge FROM judgments ORDER BY judge")
    .pluck()
    .all() as string[];
}

/** One row of a labelling file, as the run store keeps its key. */
export interface SampleKeyRow {
  sampleId: string;
  trialId: string;
  stratum: string;
  weight: number;
}

export function recordSampleKey(
  store: RunStore,
  sampleSet: string,
  judge: string,
  rows: readonly SampleKeyRow[],
): void {
  const insert = store.db.prepare(
    `INSERT INTO judge_check_samples(sample_id, sample_set, trial_id, judge, stratum, weight, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const now = new Date().toISOString();
  store.db.transaction(() => {
    for (const r of rows)
      insert.run(r.sampleId, sampleSet, r.trialId, judge, r.stratum, r.weight, now);
  })();
}

/** Opaque sample id → trial id, over every sample written for this run. */
export function sampleKey(store: RunStore): Map<string, string> {
  const rows = store.db.prepare("SELECT sample_id, trial_id FROM judge_check_samples").all() as {
    sample_id: string;
    trial_id: string;
  }[];
  return new Map(rows.map((r) => [r.sample_id, r.trial_id]));
}

/** Subject and task of each trial, for agreement per subject and per task. */
export function trialSubjects(store: RunStore): Map<string, { subject: string; task: string }> {
  const rows = store.db.prepare("SELECT id, subject_id, task FROM trials").all() as {
    id: string;
    subject_id: string;
    task: string;
  }[];
  return new Map(rows.map((r) => [r.id, { subject: r.subject_id, task: r.task }]));
}

export function recordCheck(
  store: RunStore,
  judge: string,
  against: string,
  result: unknown,
): number {
  const info = store.db
    .prepare(
      "INSERT INTO judge_checks(judge, against, result_json, created_at) VALUES (?, ?, ?, ?)",
    )
    .run(judge, against, JSON.stringify(result), new Date().toISOString());
  store.setMeta("judge_check", JSON.stringify(result));
  return Number(info.lastInsertRowid);
}

export interface CheckHistoryRow {
  id: number;
  judge: string;
  against: string;
  createdAt: string;
  n: number | null;
  agreement: number | null;
  kappa: number | null;
}

/** Every check of this run, oldest first (empty for a run made before checks were kept). */
export function checkHistory(store: RunStore): CheckHistoryRow[] {
  const exists = store.db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'judge_checks'")
    .get();
  if (!exists) return [];
  const rows = store.db
    .prepare(
      `SELECT id, judge, against, created_at,
              json_extract(result_json, '$.n') AS n,
              json_extract(result_json, '$.agreement') AS agreement,
              json_extract(result_json, '$.kappa') AS kappa
       FROM judge_checks ORDER BY id`,
    )
    .all() as {
    id: number;
    judge: string;
    against: string;
    created_at: string;
    n: number | null;
    agreement: number | null;
    kappa: number | null;
  }[];
  return rows.map((r) => ({
    id: r.id,
    judge: r.judge,
    against: r.against,
    createdAt: r.created_at,
    n: r.n,
    agreement: r.agreement,
    kappa: r.kappa,
  }));
}
