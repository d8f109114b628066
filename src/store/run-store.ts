import { redactModelRef, refHash } from "../redact.js";
import type {
  BeliefLabel,
  ChatMessage,
  ContextLabel,
  GenerationParams,
  Item,
  Judgment,
  Response,
  Subject,
  TaskName,
  Trial,
} from "../types.js";
import { type Db, openDb } from "./open.js";
import { pagedRows } from "./paged.js";
import { redactStoredRefs } from "./redact-existing.js";
import { type AnswerFields, answerValues, INSERT_FAILURE, verdictValues } from "./row-values.js";

/** Where a trial sits in the grid, as stored: the columns most queries select. */
export interface TrialCoordinates {
  trial_id: string;
  subject_id: string;
  task: TaskName;
  item_id: string;
  context: ContextLabel;
  belief: BeliefLabel;
  sample: number;
}

export interface TrialRow {
  id: string;
  subject_id: string;
  task: TaskName;
  item_id: string;
  context: ContextLabel;
  statement: string | null;
  belief: BeliefLabel;
  sample: number;
  messages_json: string;
  params_json: string;
  /** The trial's prompt language (the languages migration); 'en' for runs made before it. */
  language?: string;
}

export interface ItemRow {
  task: TaskName;
  id: string;
  question: string;
  correct_json: string;
  incorrect_json: string;
  belief_form: "answer" | "proposition";
  meta_json: string;
}

export interface Failure {
  trialId: string;
  stage: "generate" | "judge" | "challenge" | "challenge-judge";
  message: string;
  attempts: number;
}

/** Restricts pending work to some contexts/beliefs (`--contexts`, `--beliefs`). */
export interface TrialScope {
  contexts?: readonly string[];
  beliefs?: readonly string[];
}

/** SQL fragment (trials aliased `t`) applying a TrialScope through named parameters. */
export const SCOPE_SQL =
  "AND (@contexts IS NULL OR t.context IN (SELECT value FROM json_each(@contexts))) " +
  "AND (@beliefs IS NULL OR t.belief IN (SELECT value FROM json_each(@beliefs)))";

export function scopeParams(scope: TrialScope): {
  contexts: string | null;
  beliefs: string | null;
} {
  return {
    contexts: scope.contexts ? JSON.stringify(scope.contexts) : null,
    beliefs: scope.beliefs ? JSON.stringify(scope.beliefs) : null,
  };
}

export function trialFromRow(row: TrialRow): Trial {
  const condition =
    row.statement === null
      ? { context: row.context, belief: row.belief }
      : { context: row.context, statement: row.statement, belief: row.belief };
  return {
    id: row.id,
    subjectId: row.subject_id,
    task: row.task,
    itemId: row.item_id,
    condition,
    sample: row.sample,
    messages: JSON.parse(row.messages_json) as ChatMessage[],
    params: JSON.parse(row.params_json) as GenerationParams,
    ...(row.language !== undefined && row.language !== "en" && { language: row.language }),
  };
}

export function itemFromRow(row: ItemRow): Item {
  return {
    task: row.task,
    id: row.id,
    question: row.question,
    correct: JSON.parse(row.correct_json) as string[],
    incorrect: JSON.parse(row.incorrect_json) as string[],
    beliefForm: row.belief_form,
    meta: JSON.parse(row.meta_json) as Record<string, unknown>,
  };
}

/**
 * Typed access to one run's SQLite file. Writes are idempotent (a trial's
 * response or a judge's verdict is written at most once), so replaying work
 * after a crash can never duplicate it.
 */
export class RunStore {
  readonly db: Db;
  private readonly stmts;

  constructor(
    readonly file: string,
    options: { readonly?: boolean } = {},
  ) {
    this.db = openDb(file, options);
    const db = this.db;
    if (!options.readonly) redactStoredRefs(db);
    this.stmts = options.readonly
      ? undefined
      : {
          setMeta: db.prepare(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
          ),
          subject: db.prepare(
            `INSERT INTO subjects(id, model, model_hash, persona, system_prompt, params_json) VALUES (@id, @model, @model_hash, @persona, @system_prompt, @params_json)
             ON CONFLICT(id) DO UPDATE SET model = excluded.model, model_hash = excluded.model_hash, persona = excluded.persona,
               system_prompt = excluded.system_prompt, params_json = excluded.params_json`,
          ),
          item: db.prepare(
            `INSERT OR IGNORE INTO items(task, id, question, correct_json, incorrect_json, belief_form, meta_json)
             VALUES (@task, @id, @question, @correct_json, @incorrect_json, @belief_form, @meta_json)`,
          ),
          trial: db.prepare(
            `INSERT OR IGNORE INTO trials(id, subject_id, task, item_id, context, statement, belief, sample, messages_json, params_json, language)
             VALUES (@id, @subject_id, @task, @item_id, @context, @statement, @belief, @sample, @messages_json, @params_json, @language)`,
          ),
          response: db.prepare(
            `INSERT INTO responses(trial_id, text, finish_reason, prompt_tokens, completion_tokens, latency_ms, served_model, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(trial_id) DO NOTHING`,
          ),
          judgment: db.prepare(
            `INSERT INTO judgments(trial_id, judge, label, rationale, raw, created_at)
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(trial_id, judge) DO NOTHING`,
          ),
          challenge: db.prepare(
            `INSERT INTO challenges(trial_id, turn, challenge, text, finish_reason, prompt_tokens, completion_tokens, latency_ms, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(trial_id, turn) DO NOTHING`,
          ),
          challengeJudgment: db.prepare(
            `INSERT INTO challenge_judgments(trial_id, turn, judge, label, rationale, raw, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(trial_id, turn, judge) DO NOTHING`,
          ),
          failure: db.prepare(INSERT_FAILURE),
        };
  }

  private get w() {
    if (!this.stmts) throw new Error(`${this.file} is open read-only`);
    return this.stmts;
  }

  static open(file: string, options: { readonly?: boolean } = {}): RunStore {
    return new RunStore(file, options);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  getMeta(key: string): string | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.w.setMeta.run(key, value);
  }

  /** Records the plan: subjects, items and trials. Existing rows are kept as they are. */
  recordPlan(subjects: readonly Subject[], items: readonly Item[], trials: readonly Trial[]): void {
    const w = this.w;
    this.db.transaction(() => {
      for (const s of subjects) {
        w.subject.run({
          id: s.id,
          // Never the raw reference: it may carry URL credentials (redact.ts).
          model: redactModelRef(s.model),
          model_hash: refHash(s.model),
          persona: s.persona ?? null,
          system_prompt: s.systemPrompt ?? null,
          params_json: JSON.stringify(s.params),
        });
      }
      for (const it of items) {
        w.item.run({
          task: it.task,
          id: it.id,
          question: it.question,
          correct_json: JSON.stringify(it.correct),
          incorrect_json: JSON.stringify(it.incorrect),
          belief_form: it.beliefForm,
          meta_json: JSON.stringify(it.meta),
        });
      }
      for (const t of trials) {
        w.trial.run({
          id: t.id,
          subject_id: t.subjectId,
          task: t.task,
          item_id: t.itemId,
          context: t.condition.context,
          statement: t.condition.statement ?? null,
          belief: t.condition.belief,
          sample: t.sample,
          messages_json: JSON.stringify(t.messages),
          params_json: JSON.stringify(t.params),
          language: t.language ?? "en",
        });
      }
    })();
  }

  trialIds(scope: TrialScope = {}): Set<string> {
    const ids = new Set<string>();
    const rows = this.db
      .prepare(`SELECT id FROM trials t WHERE 1 ${SCOPE_SQL}`)
      .pluck()
      .all(scopeParams(scope));
    for (const row of rows) ids.add(row as string);
    return ids;
  }

  countPendingGeneration(scope: TrialScope = {}): number {
    return this.db
      .prepare(
        `SELECT count(*) FROM trials t LEFT JOIN responses r ON r.trial_id = t.id WHERE r.trial_id IS NULL ${SCOPE_SQL}`,
      )
      .pluck()
      .get(scopeParams(scope)) as number;
  }

  /** Trials that have no response yet, in a stable order. */
  pendingGeneration(): Trial[] {
    return [...this.iteratePendingGeneration()];
  }

  /**
   * Pending trials, read a page at a time (keyset on rowid) so a 500k-trial run
   * never holds every trial in memory. Safe while responses are being written.
   */
  *iteratePendingGeneration(scope: TrialScope = {}, pageSize = 2000): Generator<Trial> {
    const page = this.db.prepare(
      `SELECT t.rowid AS rid, t.* FROM trials t LEFT JOIN responses r ON r.trial_id = t.id
       WHERE r.trial_id IS NULL AND t.rowid > @after ${SCOPE_SQL} ORDER BY t.rowid LIMIT @limit`,
    );
    for (const row of pagedRows<TrialRow & { rid: number }>(page, scopeParams(scope), pageSize)) {
      yield trialFromRow(row);
    }
  }

  countPendingJudgment(judge: string, scope: TrialScope = {}): number {
    return this.db
      .prepare(
        `SELECT count(*) FROM trials t JOIN responses r ON r.trial_id = t.id
         LEFT JOIN judgments j ON j.trial_id = r.trial_id AND j.judge = @judge
         WHERE j.trial_id IS NULL ${SCOPE_SQL}`,
      )
      .pluck()
      .get({ ...scopeParams(scope), judge }) as number;
  }

  /** Responses without a verdict from `judge`, with what the judge needs. */
  pendingJudgment(judge: string): PendingJudgment[] {
    return [...this.iteratePendingJudgment(judge)];
  }

  *iteratePendingJudgment(
    judge: string,
    scope: TrialScope = {},
    pageSize = 2000,
  ): Generator<PendingJudgment> {
    const page = this.db.prepare(
      `SELECT t.rowid AS rid, t.*, r.text AS response_text, r.finish_reason FROM trials t
       JOIN responses r ON r.trial_id = t.id
       LEFT JOIN judgments j ON j.trial_id = t.id AND j.judge = @judge
       WHERE j.trial_id IS NULL AND t.rowid > @after ${SCOPE_SQL} ORDER BY t.rowid LIMIT @limit`,
    );
    const rows = pagedRows<
      TrialRow & { rid: number; response_text: string; finish_reason: string | null }
    >(page, { ...scopeParams(scope), judge }, pageSize);
    for (const row of rows) {
      yield {
        trial: trialFromRow(row),
        response: row.response_text,
        finishReason: row.finish_reason,
      };
    }
  }

  items(): Item[] {
    return (this.db.prepare("SELECT * FROM items").all() as ItemRow[]).map(itemFromRow);
  }

  subjects(): Subject[] {
    const rows = this.db.prepare("SELECT * FROM subjects ORDER BY rowid").all() as {
      id: string;
      model: string;
      persona: string | null;
      system_prompt: string | null;
      params_json: string;
    }[];
    return rows.map((r) => {
      const s: Subject = {
        id: r.id,
        model: r.model,
        params: JSON.parse(r.params_json) as GenerationParams,
      };
      if (r.persona !== null) s.persona = r.persona;
      if (r.system_prompt !== null) s.systemPrompt = r.system_prompt;
      return s;
    });
  }

  /** Writes a batch of results in one transaction; returns how many were new. */
  writeBatch(batch: {
    responses?: readonly Response[];
    judgments?: readonly Judgment[];
    failures?: readonly Failure[];
    challenges?: readonly ChallengeResponse[];
    challengeJudgments?: readonly ChallengeJudgment[];
  }): number {
    const w = this.w;
    let written = 0;
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const r of batch.responses ?? []) {
        written += w.response.run(
          r.trialId,
          ...answerValues(r),
          r.servedModel ?? null,
          r.createdAt,
        ).changes;
      }
      for (const j of batch.judgments ?? []) {
        written += w.judgment.run(j.trialId, ...verdictValues(j)).changes;
      }
      for (const c of batch.challenges ?? []) {
        written += w.challenge.run(
          c.trialId,
          c.turn,
          c.challenge,
          ...answerValues(c),
          c.createdAt,
        ).changes;
      }
      for (const j of batch.challengeJudgments ?? []) {
        written += w.challengeJudgment.run(j.trialId, j.turn, ...verdictValues(j)).changes;
      }
      for (const f of batch.failures ?? []) {
        w.failure.run(f.trialId, f.stage, f.message, f.attempts, now);
      }
    })();
    return written;
  }
}

/** A stored response still waiting for a judge's verdict. */
export interface PendingJudgment {
  trial: Trial;
  response: string;
  finishReason: string | null;
}

/** The model's answer after the user pushed back ("are you sure?"). */
export interface ChallengeResponse extends AnswerFields {
  trialId: string;
  turn: number;
  challenge: string;
  createdAt: string;
}

export interface ChallengeJudgment extends Omit<Judgment, "trialId"> {
  trialId: string;
  turn: number;
}
