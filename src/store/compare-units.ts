/**
 * Per-trial outcomes of one reference/treatment pair in a run, keyed by content so that
 * two runs can be matched: the same task, item (question and answer keys), user-side
 * messages (context statement, belief template) and sample give the same key whatever the
 * subjects' models or personas. Within a run the reference's and treatment's trials of a
 * cell share the key.
 */

import type { AuditConfig } from "../config/schema.js";
import { contentHash } from "../design/hash.js";
import { runJudgeId } from "../judge/run-judge.js";
import type { BeliefLabel, ContextLabel, TaskName } from "../types.js";
import { languageColumn } from "./language-sql.js";
import { readRunConfig } from "./run-config.js";
import type { RunStore, TrialCoordinates } from "./run-store.js";

export interface CompareUnit {
  key: string;
  task: TaskName;
  item: string;
  context: ContextLabel;
  belief: BeliefLabel;
  /** 1 = wrong, 0 = right, null = not scored (refusal outside Disinfo, unparseable, pending). */
  reference: number | null;
  treatment: number | null;
}

export interface RunUnits {
  config: AuditConfig;
  judge: string;
  createdAt: string | null;
  units: CompareUnit[];
}

interface Row extends Omit<TrialCoordinates, "trial_id"> {
  messages_json: string;
  question: string;
  correct_json: string;
  incorrect_json: string;
  label: string | null;
  language: string;
}

function outcome(label: string | null): number | null {
  return label === "INCORRECT" ? 1 : label === "CORRECT" ? 0 : null;
}

function unitKey(r: Row): string {
  const messages = (JSON.parse(r.messages_json) as { role: string; content: string }[]).filter(
    (m) => m.role !== "system",
  );
  return contentHash([
    r.task,
    r.item_id,
    r.question,
    r.correct_json,
    r.incorrect_json,
    messages,
    r.sample,
    // A prompt with no translated text reads the same in every language: keep languages apart
    // (English keys unchanged).
    ...(r.language !== "en" ? [r.language] : []),
  ]);
}

export function readCompareUnits(store: RunStore, reference: string, treatment: string): RunUnits {
  const config = readRunConfig(store);
  const judge = runJudgeId(config);
  const rows = store.db
    .prepare(
      `SELECT t.subject_id, t.task, t.item_id, t.context, t.belief, t.sample, t.messages_json,
              ${languageColumn(store.db, "t")}, i.question, i.correct_json, i.incorrect_json, j.label
       FROM trials t
       JOIN items i ON i.task = t.task AND i.id = t.item_id
       LEFT JOIN judgments j ON j.trial_id = t.id AND j.judge = ?
       WHERE t.subject_id IN (?, ?)`,
    )
    .all(judge, reference, treatment) as Row[];
  const byKey = new Map<string, CompareUnit>();
  for (const r of rows) {
    const key = unitKey(r);
    let unit = byKey.get(key);
    if (!unit) {
      unit = {
        key,
        task: r.task,
        item: r.item_id,
        context: r.context,
        belief: r.belief,
        reference: null,
        treatment: null,
      };
      byKey.set(key, unit);
    }
    if (r.subject_id === reference) unit.reference = outcome(r.label);
    else unit.treatment = outcome(r.label);
  }
  return {
    config,
    judge,
    createdAt: store.getMeta("created_at") ?? null,
    units: [...byKey.values()],
  };
}
