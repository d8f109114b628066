import { join } from "node:path";
import type { AnalysisRow } from "../analysis/rows.js";
import { amendmentGroupOf, promptGroupOf } from "../analysis/rows.js";
import { CandorError } from "../errors.js";
import { runJudgeId } from "../judge/run-judge.js";
import { isReliabilityTask } from "../types.js";
import { readRunConfig } from "./run-config.js";
import { RunStore, type TrialCoordinates } from "./run-store.js";

interface Row extends Omit<TrialCoordinates, "trial_id"> {
  label: string;
  response_length: number;
}

function codePoints(text: string): number {
  let surrogates = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) surrogates++;
  }
  return text.length - surrogates;
}

/**
 * Per-response analysis rows of a run: one row per judged response of each
 * comparison's reference (is_finetuned 0) and treatment (1). Refusals outside
 * Disinfo and unparseable verdicts are left out, as in the study.
 */
export function loadAnalysisRows(runDir: string, opts: { judge?: string } = {}): AnalysisRow[] {
  const file = join(runDir, "run.sqlite");
  const store = RunStore.open(file, { readonly: true });
  try {
    const config = readRunConfig(store);
    const judge = opts.judge ?? runJudgeId(config);
    const rows = store.db
      .prepare(
        `SELECT t.subject_id, t.task, t.item_id, t.context, t.belief, t.sample, j.label,
                r.text AS response_text
         FROM trials t JOIN responses r ON r.trial_id = t.id
         JOIN judgments j ON j.trial_id = t.id AND j.judge = ?
         WHERE j.label IN ('CORRECT', 'INCORRECT')`,
      )
      .all(judge) as (Omit<Row, "response_length"> & { response_text: string })[];
    if (rows.length === 0) {
      const judges = store.db
        .prepare("SELECT DISTINCT judge FROM judgments")
        .pluck()
        .all() as string[];
      throw new CandorError(
        `${file}: no CORRECT/INCORRECT verdicts from judge ${judge}${judges.length ? ` (judges in this run: ${judges.join(", ")})` : ""}`,
      );
    }
    const bySubject = new Map<string, Row[]>();
    for (const { response_text, ...rest } of rows) {
      if (!isReliabilityTask(rest.task)) continue;
      // Characters (code points) counted in JS: SQLite's length() stops at an embedded NUL.
      const r: Row = { ...rest, response_length: codePoints(response_text) };
      const list = bySubject.get(r.subject_id) ?? [];
      list.push(r);
      bySubject.set(r.subject_id, list);
    }
    const out: AnalysisRow[] = [];
    const push = (r: Row, comparison: string, model: string, treated: 0 | 1) =>
      out.push({
        comparison,
        model,
        is_finetuned: treated,
        dataset: r.task,
        item_id: r.item_id,
        amendment_type: r.context,
        amendment_group: amendmentGroupOf(r.context),
        prompt_type: r.belief,
        prompt_group: promptGroupOf(r.belief),
        sample: r.sample,
        is_incorrect: r.label === "INCORRECT" ? 1 : 0,
        response_length: r.response_length,
      });
    for (const pair of config.compare) {
      for (const treatment of pair.treatments) {
        for (const r of bySubject.get(pair.reference) ?? []) push(r, treatment, pair.reference, 0);
        for (const r of bySubject.get(treatment) ?? []) push(r, treatment, pair.reference, 1);
      }
    }
    if (out.length === 0) {
      throw new CandorError(
        `${file}: the run has no compare pairs with judged reliability-task responses to analyse`,
      );
    }
    return out;
  } finally {
    store.close();
  }
}
