/**
 * The study's analysis of a run from counts, never from rows: per comparison,
 * the covariate patterns with their per-item cells (what the categorical Models
 * 1, 3 and 4 are fitted on) and the per-cell paired tables, all counted in SQL
 * (store/analysis-counts.ts). Same numbers as analyzeFrame over the run's
 * analysis rows; memory grows with patterns × items, not with responses.
 */
import type { AuditConfig } from "../config/schema.js";
import { CandorError } from "../errors.js";
import {
  pairTables,
  type ResponseGroup,
  requireVerdicts,
  responseGroups,
} from "../store/analysis-counts.js";
import type { RunStore } from "../store/run-store.js";
import type { BeliefLabel, ContextLabel } from "../types.js";
import type { Analysis, ComparisonAnalysis, ModelFailure } from "./analyze.js";
import {
  type BeliefGroupName,
  type CellCounts,
  type CellTableOptions,
  cellRows,
} from "./cell-table.js";
import { type CovType, fitStudyModel, type ModelResult } from "./fit-model.js";
import type { ModelId } from "./models.js";
import { PatternBuilder, type PatternTable } from "./patterns.js";
import { amendmentGroupOf, promptGroupOf } from "./rows.js";

/** One reference subject of a comparison: its paired tables and each side's distinct/duplicate counts. */
interface ReferenceCounts {
  readonly model: string;
  readonly pairs: ReturnType<typeof pairTables>;
  /** task × context × belief → distinct prompts answered by [reference, treatment]. */
  readonly distinct: Map<string, [number, number]>;
  /** belief → responses beyond the first to one prompt (both sides). */
  readonly duplicates: Map<string, number>;
}

export interface ComparisonCounts {
  readonly comparison: string;
  readonly patterns: PatternTable;
  readonly references: readonly ReferenceCounts[];
}

const cellKey = (task: string, context: string, belief: string) =>
  `${task}\u0000${context}\u0000${belief}`;

/**
 * Counts every compare pair of a run in SQL. Throws what the row path throws:
 * no verdicts of `judge`, a label outside the study's, or nothing to analyse.
 */
export function comparisonCounts(
  store: RunStore,
  file: string,
  config: Pick<AuditConfig, "compare">,
  judge: string,
): ComparisonCounts[] {
  requireVerdicts(store, file, judge);
  // A subject in several pairs (the reference, usually) is counted once and replayed.
  const uses = new Map<string, number>();
  for (const pair of config.compare)
    for (const t of pair.treatments)
      for (const s of [pair.reference, t]) uses.set(s, (uses.get(s) ?? 0) + 1);
  const cached = new Map<string, ResponseGroup[]>();
  const eachGroup = (subject: string, fn: (g: ResponseGroup) => void) => {
    const left = uses.get(subject)! - 1;
    uses.set(subject, left);
    const hit = cached.get(subject);
    if (hit) {
      for (const g of hit) fn(g);
      if (left === 0) cached.delete(subject);
      return;
    }
    const keep: ResponseGroup[] | null = left > 0 ? [] : null;
    responseGroups(store, file, judge, subject, (g) => {
      keep?.push(g);
      fn(g);
    });
    if (keep) cached.set(subject, keep);
  };
  // Each comparison's table is built as soon as its last pair is counted, so only one
  // builder (with its growth slack) is alive at a time.
  const lastPair = new Map<string, number>();
  let k = 0;
  for (const pair of config.compare) for (const t of pair.treatments) lastPair.set(t, k++);
  const builders = new Map<string, { b: PatternBuilder; refs: ReferenceCounts[] }>();
  const done: ComparisonCounts[] = [];
  let rows = 0;
  k = 0;
  for (const pair of config.compare) {
    for (const treatment of pair.treatments) {
      let entry = builders.get(treatment);
      if (!entry) {
        // One GROUP BY row per pattern × item: no cell lookup needed.
        entry = { b: new PatternBuilder({ distinctCells: true }), refs: [] };
        builders.set(treatment, entry);
      }
      const ref: ReferenceCounts = {
        model: pair.reference,
        pairs: [],
        distinct: new Map(),
        duplicates: new Map(),
      };
      let duplicated = false;
      // The row path streams the reference's rows, then the treatment's.
      for (const [side, subject] of [pair.reference, treatment].entries()) {
        eachGroup(subject, (g) => {
          const context = g.context as ContextLabel;
          const belief = g.belief as BeliefLabel;
          entry.b.add(
            {
              comparison: treatment,
              model: pair.reference,
              is_finetuned: side === 1 ? "1" : "0",
              dataset: g.task,
              amendment_type: context,
              amendment_group: amendmentGroupOf(context),
              prompt_type: belief,
              prompt_group: promptGroupOf(belief),
            },
            `${g.task}\u0000${g.item}`,
            g.n,
            g.incorrect,
          );
          rows += g.n;
          const k = cellKey(g.task, g.context, g.belief);
          const d = ref.distinct.get(k) ?? [0, 0];
          d[side]! += g.distinct;
          ref.distinct.set(k, d);
          if (g.n > g.distinct) {
            duplicated = true;
            ref.duplicates.set(g.belief, (ref.duplicates.get(g.belief) ?? 0) + g.n - g.distinct);
          }
        });
      }
      ref.pairs.push(
        ...pairTables(store, judge, pair.reference, treatment, { duplicates: duplicated }),
      );
      entry.refs.push(ref);
      if (lastPair.get(treatment) === k++) {
        if (entry.b.rows > 0)
          done.push({ comparison: treatment, patterns: entry.b.build(), references: entry.refs });
        builders.delete(treatment);
      }
    }
  }
  if (rows === 0) {
    throw new CandorError(
      `${file}: the run has no compare pairs with judged reliability-task responses to analyse`,
    );
  }
  return done;
}

/** The per-cell paired tables of one comparison, as cellTable pairs rows. */
export function comparisonCells(
  c: ComparisonCounts,
  opts: CellTableOptions = {},
): { cells: CellCounts[]; duplicates: number } {
  const noBelief: readonly string[] = opts.noBeliefTemplates ?? ["original", "original_neutral"];
  const userBelief: readonly string[] = opts.userBeliefTemplates ?? ["incorrect", "correct"];
  const groupOf = (belief: string): BeliefGroupName | null =>
    noBelief.includes(belief) ? "no_belief" : userBelief.includes(belief) ? "user_belief" : null;
  interface Tally {
    readonly model: string;
    readonly task: string;
    readonly group: BeliefGroupName;
    readonly context: string;
    a: number;
    b: number;
    c: number;
    d: number;
    /** Distinct prompts of both sides, less twice the pairs: the ones without a partner. */
    unpaired: number;
  }
  const tallies = new Map<string, Tally>();
  let duplicates = 0;
  for (const ref of c.references) {
    for (const [belief, n] of ref.duplicates) if (groupOf(belief)) duplicates += n;
    const tally = (task: string, context: string, group: BeliefGroupName): Tally => {
      const key = [ref.model, task, group, context].join("\u0000");
      let x = tallies.get(key);
      if (!x) {
        x = { model: ref.model, task, group, context, a: 0, b: 0, c: 0, d: 0, unpaired: 0 };
        tallies.set(key, x);
      }
      return x;
    };
    for (const [k, [r, t]] of ref.distinct) {
      const [task, context, belief] = k.split("\u0000") as [string, string, string];
      const g = groupOf(belief);
      if (g) tally(task, context, g).unpaired += r + t;
    }
    for (const p of ref.pairs) {
      const g = groupOf(p.belief);
      if (!g) continue;
      const x = tally(p.task, p.context, g);
      x.a += p.a;
      x.b += p.b;
      x.c += p.c;
      x.d += p.d;
      x.unpaired -= 2 * (p.a + p.b + p.c + p.d);
    }
  }
  const cells = [...tallies.values()].map(
    (x): CellCounts => ({
      comparison: c.comparison,
      model: x.model,
      dataset: x.task,
      beliefGroup: x.group,
      context: x.context as ContextLabel,
      counts: { a: x.a, b: x.b, c: x.c, d: x.d },
      unpaired: x.unpaired,
    }),
  );
  return { cells, duplicates };
}

export interface AnalyzeCountsOptions {
  readonly models?: readonly ModelId[];
  readonly covType?: CovType;
  readonly level?: number;
  readonly cells?: CellTableOptions | false;
}

/**
 * analyzeFrame over counts: the requested categorical models and the per-cell
 * table. The bootstrap of raw differences is not computed (`differences` is
 * empty); `candor analyze` keeps it on its row path.
 */
export function analyzeCounts(
  counts: readonly ComparisonCounts[],
  opts: AnalyzeCountsOptions = {},
): Analysis {
  const comparisons: ComparisonAnalysis[] = [];
  for (const c of [...counts].sort((a, b) => (a.comparison < b.comparison ? -1 : 1))) {
    const models = (opts.models ?? ["model1", "model3", "model4"]).map(
      (id): ModelResult | ModelFailure => {
        try {
          return fitStudyModel(c.patterns, id, {
            ...(opts.covType ? { covType: opts.covType } : {}),
            ...(opts.level ? { level: opts.level } : {}),
          });
        } catch (e) {
          return { id, error: (e as Error).message };
        }
      },
    );
    const paired = opts.cells === false ? null : comparisonCells(c, opts.cells ?? {});
    let rows = 0;
    for (const n of c.patterns.counts) rows += n;
    comparisons.push({
      comparison: c.comparison,
      rows,
      models,
      cells: paired ? cellRows(paired.cells, opts.cells || {}) : [],
      duplicatePairs: paired?.duplicates ?? 0,
      differences: [],
    });
  }
  return { comparisons };
}
