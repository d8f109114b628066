import { join } from "node:path";
import { FrameBuilder } from "../analysis/frame-builder.js";
import type { AnalysisRow } from "../analysis/rows.js";
import { amendmentGroupOf, promptGroupOf } from "../analysis/rows.js";
import { CandorError, DataError } from "../errors.js";
import { runJudgeId } from "../judge/run-judge.js";
import type { Frame } from "../stats/frame.js";
import { BELIEFS, CONTEXTS, isReliabilityTask } from "../types.js";
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

interface StreamedRow {
  readonly comparison: string;
  readonly model: string;
  readonly treated: 0 | 1;
  readonly r: Row;
}

const CONTEXT_SET: ReadonlySet<string> = new Set(CONTEXTS);
const BELIEF_SET: ReadonlySet<string> = new Set(BELIEFS);

/**
 * Streams a run's analysis rows, one response at a time: per compare pair and
 * treatment, the reference subject's judged responses then the treatment's,
 * each in trial order. Texts are read one row at a time (only their length is
 * kept), so memory does not grow with the run. Labels are checked per field
 * here, at the boundary, instead of a schema parse per row.
 */
function streamAnalysisRows(
  runDir: string,
  opts: { judge?: string },
  emit: (row: StreamedRow) => void,
): void {
  const file = join(runDir, "run.sqlite");
  const store = RunStore.open(file, { readonly: true });
  try {
    const config = readRunConfig(store);
    const judge = opts.judge ?? runJudgeId(config);
    // Lengths come from SQLite (characters = code points) so texts never cross
    // into JS; only a text with an embedded NUL, where length() stops early, is
    // fetched and counted here.
    const query = store.db.prepare(
      `SELECT t.id AS trial_id, t.subject_id, t.task, t.item_id, t.context, t.belief, t.sample,
              j.label, length(r.text) AS sql_length,
              CASE WHEN instr(CAST(r.text AS BLOB), x'00') > 0 THEN r.text END AS nul_text
       FROM trials t JOIN responses r ON r.trial_id = t.id
       JOIN judgments j ON j.trial_id = t.id AND j.judge = ?
       WHERE t.subject_id = ? AND j.label IN ('CORRECT', 'INCORRECT')
       ORDER BY t.id`,
    );
    const any = store.db
      .prepare(
        "SELECT 1 FROM judgments WHERE judge = ? AND label IN ('CORRECT', 'INCORRECT') LIMIT 1",
      )
      .get(judge);
    if (!any) {
      const judges = store.db
        .prepare("SELECT DISTINCT judge FROM judgments")
        .pluck()
        .all() as string[];
      throw new CandorError(
        `${file}: no CORRECT/INCORRECT verdicts from judge ${judge}${judges.length ? ` (judges in this run: ${judges.join(", ")})` : ""}`,
      );
    }
    let out = 0;
    const bad = (trial: string, field: string, expected: string, got: unknown): never => {
      throw new DataError(
        file,
        `trial ${trial}, field ${field}`,
        `${expected}; got '${String(got)}'`,
      );
    };
    const each = (subject: string, fn: (r: Row) => void) => {
      for (const raw of query.iterate(judge, subject) as Iterable<
        Omit<Row, "response_length"> & {
          trial_id: string;
          sql_length: number | null;
          nul_text: string | null;
        }
      >) {
        if (!isReliabilityTask(raw.task)) continue;
        if (!CONTEXT_SET.has(raw.context))
          bad(raw.trial_id, "context", "a study context", raw.context);
        if (!BELIEF_SET.has(raw.belief))
          bad(raw.trial_id, "belief", "a study belief template", raw.belief);
        if (!Number.isInteger(raw.sample) || raw.sample < 0)
          bad(raw.trial_id, "sample", "a non-negative integer", raw.sample);
        const { sql_length, nul_text, trial_id: _t, ...rest } = raw;
        const length = nul_text !== null ? codePoints(nul_text) : (sql_length ?? 0);
        fn({ ...rest, response_length: length });
      }
    };
    for (const pair of config.compare) {
      for (const treatment of pair.treatments) {
        each(pair.reference, (r) => {
          out++;
          emit({ comparison: treatment, model: pair.reference, treated: 0, r });
        });
        each(treatment, (r) => {
          out++;
          emit({ comparison: treatment, model: pair.reference, treated: 1, r });
        });
      }
    }
    if (out === 0) {
      throw new CandorError(
        `${file}: the run has no compare pairs with judged reliability-task responses to analyse`,
      );
    }
  } finally {
    store.close();
  }
}

function toAnalysisRow({ comparison, model, treated, r }: StreamedRow): AnalysisRow {
  return {
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
  };
}

/**
 * Per-response analysis rows of a run: one row per judged response of each
 * comparison's reference (is_finetuned 0) and treatment (1). Refusals outside
 * Disinfo and unparseable verdicts are left out, as in the study.
 */
export function loadAnalysisRows(runDir: string, opts: { judge?: string } = {}): AnalysisRow[] {
  const out: AnalysisRow[] = [];
  streamAnalysisRows(runDir, opts, (row) => out.push(toAnalysisRow(row)));
  return out;
}

/**
 * The same rows straight into frame columns, never as row objects: what
 * `analyze <run>` and `candor report` use, so a 504k-trial run stays small.
 */
export function loadAnalysisRowsFrame(runDir: string, opts: { judge?: string } = {}): Frame {
  const b = new FrameBuilder();
  streamAnalysisRows(runDir, opts, ({ comparison, model, treated, r }) =>
    b.add({
      comparison,
      model,
      is_finetuned: treated === 1 ? "1" : "0",
      dataset: r.task,
      item_id: r.item_id,
      amendment_type: r.context,
      amendment_group: amendmentGroupOf(r.context),
      prompt_type: r.belief,
      prompt_group: promptGroupOf(r.belief),
      sample: String(r.sample),
      is_incorrect: r.label === "INCORRECT" ? 1 : 0,
      response_length: r.response_length,
    }),
  );
  return b.build();
}
