/**
 * What the report's models and per-cell paired tests need from a run, counted
 * in SQL instead of loaded a row at a time: per compare pair, the scored
 * reliability-task responses of each side per task × item × context × belief
 * (the covariate pattern × item cells of the study's categorical models), and
 * the paired 2×2 tables per task × context × belief. A 504k-trial run yields
 * a few hundred thousand small groups streamed into typed arrays, and no row
 * frame. Rows are the ones `analysis-rows.ts` streams: judged CORRECT or
 * INCORRECT by `judge`, with a response, on a reliability task.
 */
import { CandorError, DataError } from "../errors.js";
import { BELIEFS, CONTEXTS, RELIABILITY_TASKS } from "../types.js";
import { hasLanguageColumn, languageColumn, samePrompt } from "./language-sql.js";
import type { RunStore } from "./run-store.js";

/** Scored responses of one side of a comparison to one item under one condition. */
export interface ResponseGroup {
  readonly task: string;
  readonly item: string;
  readonly context: string;
  readonly belief: string;
  /** Responses (every scored trial, duplicates included, as the models count them). */
  readonly n: number;
  readonly incorrect: number;
  /**
   * Distinct samples (per language): responses left once duplicates of one prompt are dropped
   * for pairing.
   */
  readonly distinct: number;
}

/**
 * Paired outcomes (same task, item, context, belief, sample and language) of one task ×
 * context × belief.
 */
export interface PairTable {
  readonly task: string;
  readonly context: string;
  readonly belief: string;
  /** both correct */
  readonly a: number;
  /** reference correct, treatment incorrect */
  readonly b: number;
  /** reference incorrect, treatment correct */
  readonly c: number;
  /** both incorrect */
  readonly d: number;
}

const inList = (xs: readonly string[]) => xs.map((x) => `'${x.replaceAll("'", "''")}'`).join(", ");
const TASKS = inList(RELIABILITY_TASKS);

/** A subject's scored reliability-task responses, as analysis-rows.ts selects them. */
const SCORED = `FROM trials t JOIN responses r ON r.trial_id = t.id
  JOIN judgments j ON j.trial_id = t.id AND j.judge = @judge
  WHERE t.subject_id = @subject AND j.label IN ('CORRECT', 'INCORRECT') AND t.task IN (${TASKS})`;

/** Throws the error the row path would: no verdicts of this judge at all. */
export function requireVerdicts(store: RunStore, file: string, judge: string): void {
  const any = store.db
    .prepare(
      "SELECT 1 FROM judgments WHERE judge = ? AND label IN ('CORRECT', 'INCORRECT') LIMIT 1",
    )
    .get(judge);
  if (any) return;
  const judges = store.db.prepare("SELECT DISTINCT judge FROM judgments").pluck().all() as string[];
  throw new CandorError(
    `${file}: no CORRECT/INCORRECT verdicts from judge ${judge}${judges.length ? ` (judges in this run: ${judges.join(", ")})` : ""}`,
  );
}

/**
 * Checks the labels the models group on, per field, before counting: the first
 * scored trial (in trial order) with an unknown context or belief, or a sample
 * that is not a non-negative integer, is named.
 */
export function checkScoredLabels(
  store: RunStore,
  file: string,
  judge: string,
  subject: string,
): void {
  const bad = store.db
    .prepare(
      `SELECT t.id, t.context, t.belief, t.sample ${SCORED}
         AND (t.context NOT IN (${inList(CONTEXTS)}) OR t.belief NOT IN (${inList(BELIEFS)})
              OR typeof(t.sample) != 'integer' OR t.sample < 0)
       ORDER BY t.id LIMIT 1`,
    )
    .get({ judge, subject }) as
    | { id: string; context: string; belief: string; sample: unknown }
    | undefined;
  if (!bad) return;
  const [field, expected, got] = !(CONTEXTS as readonly string[]).includes(bad.context)
    ? ["context", "a study context", bad.context]
    : !(BELIEFS as readonly string[]).includes(bad.belief)
      ? ["belief", "a study belief template", bad.belief]
      : ["sample", "a non-negative integer", bad.sample];
  throw new DataError(file, `trial ${bad.id}, field ${field}`, `${expected}; got '${String(got)}'`);
}

/**
 * Streams one subject's response groups (task × item × context × belief) to
 * `emit`, checking each group's labels on the way (and naming the first bad
 * trial when one is not a study label).
 */
export function responseGroups(
  store: RunStore,
  file: string,
  judge: string,
  subject: string,
  emit: (g: ResponseGroup) => void,
): void {
  const query = store.db.prepare(
    `SELECT t.task, t.item_id AS item, t.context, t.belief, count(*) AS n,
            sum(j.label = 'INCORRECT') AS incorrect,
            count(DISTINCT ${hasLanguageColumn(store.db) ? "t.language || '|' || " : ""}t.sample) AS "distinct",
            min(typeof(t.sample) = 'integer' AND t.sample >= 0) AS samples_ok
     ${SCORED}
     GROUP BY t.task, t.item_id, t.context, t.belief`,
  );
  const contexts: ReadonlySet<string> = new Set(CONTEXTS);
  const beliefs: ReadonlySet<string> = new Set(BELIEFS);
  for (const g of query.iterate({ judge, subject }) as Iterable<
    ResponseGroup & { samples_ok: number }
  >) {
    if (!contexts.has(g.context) || !beliefs.has(g.belief) || g.samples_ok !== 1)
      checkScoredLabels(store, file, judge, subject);
    emit(g);
  }
}

/**
 * Paired 2×2 tables of a reference and a treatment per task × context × belief.
 * Where one prompt was answered more than once by a side, the first trial (in
 * trial-id order, the order rows are streamed in) is the one paired, as the
 * row-level pairing does.
 */
export function pairTables(
  store: RunStore,
  judge: string,
  reference: string,
  treatment: string,
  opts: { duplicates: boolean },
): PairTable[] {
  const params = { judge, reference, treatment };
  if (!opts.duplicates) {
    // One trial per prompt on each side: a plain indexed join pairs them.
    return store.db
      .prepare(
        `SELECT t.task, t.context, t.belief,
                sum(j.label = 'CORRECT' AND jt.label = 'CORRECT') AS a,
                sum(j.label = 'CORRECT' AND jt.label = 'INCORRECT') AS b,
                sum(j.label = 'INCORRECT' AND jt.label = 'CORRECT') AS c,
                sum(j.label = 'INCORRECT' AND jt.label = 'INCORRECT') AS d
         FROM trials t JOIN responses r ON r.trial_id = t.id
         JOIN judgments j ON j.trial_id = t.id AND j.judge = @judge
         JOIN trials tt ON tt.subject_id = @treatment AND ${samePrompt(store.db, "tt", "t")}
         JOIN responses rt ON rt.trial_id = tt.id
         JOIN judgments jt ON jt.trial_id = tt.id AND jt.judge = @judge
         WHERE t.subject_id = @reference AND t.task IN (${TASKS})
           AND j.label IN ('CORRECT', 'INCORRECT') AND jt.label IN ('CORRECT', 'INCORRECT')
         GROUP BY t.task, t.context, t.belief`,
      )
      .all(params) as PairTable[];
  }
  const side = (param: string) =>
    `SELECT t.task, t.item_id, t.context, t.belief, t.sample, ${languageColumn(store.db, "t")},
            min(t.id) AS first, j.label = 'INCORRECT' AS y
     ${SCORED.replace("@subject", param)}
     GROUP BY t.task, t.item_id, t.context, t.belief, t.sample, language`;
  return store.db
    .prepare(
      `WITH ref AS (${side("@reference")}), treat AS (${side("@treatment")})
       SELECT ref.task, ref.context, ref.belief,
              sum(ref.y = 0 AND treat.y = 0) AS a, sum(ref.y = 0 AND treat.y = 1) AS b,
              sum(ref.y = 1 AND treat.y = 0) AS c, sum(ref.y = 1 AND treat.y = 1) AS d
       FROM ref JOIN treat ON treat.task = ref.task AND treat.item_id = ref.item_id
         AND treat.context = ref.context AND treat.belief = ref.belief AND treat.sample = ref.sample
         AND treat.language = ref.language
       GROUP BY ref.task, ref.context, ref.belief`,
    )
    .all(params) as PairTable[];
}
