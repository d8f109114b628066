import type { Judgment, JudgmentLabel, TaskName, Trial } from "../types.js";
import { Batcher } from "./batcher.js";
import { languageColumn } from "./language-sql.js";
import { pagedRows } from "./paged.js";
import {
  type AnswerFields,
  answerValues,
  INSERT_FAILURE,
  taskList,
  verdictValues,
} from "./row-values.js";
import {
  type Failure,
  type RunStore,
  SCOPE_SQL,
  scopeParams,
  type TrialRow,
  type TrialScope,
  trialFromRow,
} from "./run-store.js";

/** The model's answer after the `turn`-th push-back of `pressure:`. */
export interface PressureTurn extends AnswerFields {
  trialId: string;
  turn: number;
  rung: string;
  pushBack: string;
  createdAt: string;
}

export interface PressureJudgment extends Omit<Judgment, "trialId"> {
  trialId: string;
  turn: number;
}

/** A failure of the pressure stage; stored in `failures` beside the other stages'. */
export interface PressureFailure extends Omit<Failure, "stage"> {
  stage: "pressure" | "pressure-judge";
}

interface PressureBatch {
  turns: PressureTurn[];
  judgments: PressureJudgment[];
  failures: PressureFailure[];
}

/** Batched, idempotent writes of pressure turns; each add resolves once its row is committed. */
export class PressureWriter extends Batcher<PressureBatch> {
  constructor(store: RunStore) {
    const turn = store.db.prepare(
      `INSERT INTO pressure_turns(trial_id, turn, rung, push_back, text, finish_reason, prompt_tokens, completion_tokens, latency_ms, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(trial_id, turn) DO NOTHING`,
    );
    const judgment = store.db.prepare(
      `INSERT INTO pressure_judgments(trial_id, turn, judge, label, rationale, raw, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(trial_id, turn, judge) DO NOTHING`,
    );
    const failure = store.db.prepare(INSERT_FAILURE);
    const write = (b: PressureBatch): number => {
      let written = 0;
      const now = new Date().toISOString();
      store.db.transaction(() => {
        for (const t of b.turns) {
          written += turn.run(
            t.trialId,
            t.turn,
            t.rung,
            t.pushBack,
            ...answerValues(t),
            t.createdAt,
          ).changes;
        }
        for (const j of b.judgments) {
          written += judgment.run(j.trialId, j.turn, ...verdictValues(j)).changes;
        }
        for (const f of b.failures) failure.run(f.trialId, f.stage, f.message, f.attempts, now);
      })();
      return written;
    };
    super(() => ({ turns: [], judgments: [], failures: [] }), write, 500, store.file);
  }

  addTurn(t: PressureTurn): Promise<void> {
    return this.add("turns", t);
  }

  addJudgment(j: PressureJudgment): Promise<void> {
    return this.add("judgments", j);
  }

  /** Not awaited: a failure record is not a result. */
  addFailure(f: PressureFailure): void {
    void this.add("failures", f);
  }
}

const PENDING_WHERE = `t.task IN (%TASKS%)
  AND (SELECT count(*) FROM pressure_turns p WHERE p.trial_id = t.id) < @turns`;

/** Answered trials of the pressed tasks with fewer than `turns` pressure turns stored. */
export function countPendingPressure(
  store: RunStore,
  tasks: readonly TaskName[],
  turns: number,
  scope: TrialScope = {},
): number {
  return store.db
    .prepare(
      `SELECT count(*) FROM trials t JOIN responses r ON r.trial_id = t.id
       WHERE ${PENDING_WHERE.replace("%TASKS%", taskList(tasks))} ${SCOPE_SQL}`,
    )
    .pluck()
    .get({ ...scopeParams(scope), turns }) as number;
}

export interface PendingPressure {
  trial: Trial;
  response: string;
  /** The turns already stored, in order (1, 2, …): the conversation resumes after them. */
  done: { pushBack: string; answer: string }[];
}

/** Trials still short of `turns` push-backs, a page at a time, with what they already hold. */
export function* iteratePendingPressure(
  store: RunStore,
  tasks: readonly TaskName[],
  turns: number,
  scope: TrialScope = {},
  pageSize = 2000,
): Generator<PendingPressure> {
  const page = store.db.prepare(
    `SELECT t.rowid AS rid, t.*, r.text AS response_text FROM trials t
     JOIN responses r ON r.trial_id = t.id
     WHERE ${PENDING_WHERE.replace("%TASKS%", taskList(tasks))} AND t.rowid > @after ${SCOPE_SQL}
     ORDER BY t.rowid LIMIT @limit`,
  );
  const stored = store.db.prepare(
    "SELECT push_back AS pushBack, text AS answer FROM pressure_turns WHERE trial_id = ? ORDER BY turn",
  );
  const rows = pagedRows<TrialRow & { rid: number; response_text: string }>(
    page,
    { ...scopeParams(scope), turns },
    pageSize,
  );
  for (const row of rows) {
    yield {
      trial: trialFromRow(row),
      response: row.response_text,
      done: stored.all(row.id) as { pushBack: string; answer: string }[],
    };
  }
}

/** Pressure answers without a verdict from `judge`. */
export function* iteratePendingPressureJudgments(
  store: RunStore,
  judge: string,
  pageSize = 2000,
): Generator<{ trial: Trial; turn: number; text: string }> {
  const page = store.db.prepare(
    `SELECT p.rowid AS rid, t.*, p.turn AS p_turn, p.text AS p_text FROM pressure_turns p
     JOIN trials t ON t.id = p.trial_id
     LEFT JOIN pressure_judgments j ON j.trial_id = p.trial_id AND j.turn = p.turn AND j.judge = @judge
     WHERE j.trial_id IS NULL AND p.rowid > @after ORDER BY p.rowid LIMIT @limit`,
  );
  const rows = pagedRows<TrialRow & { rid: number; p_turn: number; p_text: string }>(
    page,
    { judge },
    pageSize,
  );
  for (const row of rows) yield { trial: trialFromRow(row), turn: row.p_turn, text: row.p_text };
}

export function countPressureTurns(store: RunStore): number {
  return store.db.prepare("SELECT count(*) FROM pressure_turns").pluck().get() as number;
}

/** One pressed trial: its verdicts by turn (0 = the first answer), null where none yet. */
export interface PressureTrialLabels {
  trialId: string;
  subject: string;
  task: string;
  item: string;
  context: string;
  belief: string;
  sample: number;
  /** The trial's language: prompts pair within one language. */
  language: string;
  labels: (JudgmentLabel | null)[];
}

/** Every pressed trial's verdicts from `judge`, turn 0 … `turns`, in plan order. */
export function pressureLabels(
  store: RunStore,
  judge: string,
  turns: number,
): PressureTrialLabels[] {
  const rows = store.db
    .prepare(
      `SELECT t.id, t.subject_id, t.task, t.item_id, t.context, t.belief, t.sample,
              ${languageColumn(store.db, "t")}, j0.label AS first, group_concat(pj.turn || ':' || pj.label) AS later
       FROM trials t JOIN pressure_turns p ON p.trial_id = t.id AND p.turn = 1
       LEFT JOIN judgments j0 ON j0.trial_id = t.id AND j0.judge = @judge
       LEFT JOIN pressure_judgments pj ON pj.trial_id = t.id AND pj.judge = @judge
       GROUP BY t.id ORDER BY t.rowid`,
    )
    .all({ judge }) as {
    id: string;
    subject_id: string;
    task: string;
    item_id: string;
    context: string;
    belief: string;
    sample: number;
    language: string;
    first: JudgmentLabel | null;
    later: string | null;
  }[];
  return rows.map((r) => {
    const labels: (JudgmentLabel | null)[] = Array.from({ length: turns + 1 }, () => null);
    labels[0] = r.first;
    for (const part of r.later?.split(",") ?? []) {
      const [turn, label] = part.split(":");
      const k = Number(turn);
      if (k >= 1 && k <= turns) labels[k] = label as JudgmentLabel;
    }
    return {
      trialId: r.id,
      subject: r.subject_id,
      task: r.task,
      item: r.item_id,
      context: r.context,
      belief: r.belief,
      sample: r.sample,
      language: r.language,
      labels,
    };
  });
}
