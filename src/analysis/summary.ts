import { beliefGroup } from "../design/conditions.js";
import type { FlipCounts } from "../judge/flips.js";
import type { RuleCheck } from "../judge/rule-agreement.js";
import type { SelfGrading } from "../judge/self-grading.js";
import type { ReplicaStats } from "../providers/replicas.js";
import { mcnemarExact } from "../stats/mcnemar.js";
import { wilsonInterval } from "../stats/wilson.js";
import { type ItemCount, itemCounts } from "../store/item-counts.js";
import { type OutcomeCount, type PairCount, summaryInputs } from "../store/outcome-counts.js";
import { cavePairs, controlPairs } from "../store/paired-outcomes.js";
import type { RunStore } from "../store/run-store.js";
import { type BeliefGroup, isReliabilityTask } from "../types.js";
import type { WarmthCheck } from "../warmth/check.js";
import { ItemTallies } from "./clustered-gaps.js";
import { buildHeadlines, type Headline, leadText } from "./headline.js";
import type { LanguageGapSummary } from "./language.js";
import { caveTests, controlTests, type PairedTest } from "./paired-tests.js";
import type { PipelineSummary } from "./pipeline-summary.js";
import type { PressureSummary } from "./pressure.js";
import type { RefusalExclusions } from "./rule-check-summary.js";
import { unscoredWarning } from "./unscored-warning.js";
import type { WarmthVsError } from "./warmth-error.js";

export interface SummaryCell {
  subject: string;
  /** A task name, or "all" pooled over the reliability tasks. */
  task: string;
  beliefGroup: BeliefGroup;
  trials: number;
  responses: number;
  correct: number;
  incorrect: number;
  /** Refusals on tasks where they are excluded (not Disinfo). */
  refusals: number;
  unparseable: number;
  /** Responses without a verdict yet (judge failed or interrupted). */
  unjudged: number;
  /** incorrect / (correct + incorrect); null when nothing was scored. */
  errorRate: number | null;
  ci95: [number, number] | null;
}

export interface SummaryComparison {
  reference: string;
  treatment: string;
  task: string;
  beliefGroup: BeliefGroup;
  referenceErrorRate: number | null;
  treatmentErrorRate: number | null;
  /** Treatment minus reference, in percentage points. */
  differencePp: number | null;
  /**
   * Paired test on the same item, condition and sample answered by both (both
   * scored): b = reference right & treatment wrong, c = the reverse; exact McNemar p.
   */
  paired: { pairs: number; b: number; c: number; p: number | null };
  /** Item-clustered 95% CI of differencePp (treatment − reference, pp); null when not estimable. */
  ci95Pp: [number, number] | null;
  /** Wald test of differencePp with the item-clustered SE, and the number of items (clusters). */
  clustered: { sePp: number | null; p: number | null; items: number };
}

export interface Summary {
  judge: string;
  /** The lead sentence (every comparison's headline), the same on every surface. */
  lead: string | null;
  /** Per comparison: pooled gaps without and with a user belief, and their sentence. */
  headline: Headline[];
  /** Intra-item correlation of errors over the reliability tasks, for `candor power --run`. */
  clustering: { icc: number | null; responsesPerItem: number | null };
  /** Paired treatment − reference tests on the control tasks and on the "are you sure?" cave rate. */
  pairedTests: { controls: PairedTest[]; cave: PairedTest[] };
  cells: SummaryCell[];
  comparisons: SummaryComparison[];
  /** Things a reader must know before trusting the rates (e.g. unscored EMPTY replies). */
  warnings?: string[];
  /** Why unfinished trials failed (most common messages), when any did. */
  openFailures?: { stage: string; message: string; trials: number }[];
  /** Warmth manipulation check, when the audit measured warmth. */
  warmth?: WarmthCheck;
  /** "Are you sure?" flip accounting, when the audit challenged answers. */
  challenge?: FlipCounts[];
  /** Pressure over turns (`pressure:`): survival, Turn-of-Flip, Number-of-Flip, paired tests. */
  pressure?: PressureSummary;
  /** How the judge was asked for JSON (json_schema, json_object or prompt), when recorded. */
  judgeStructured?: string;
  /** Judges that are also a subject's model. */
  selfGrading?: SelfGrading[];
  /** Judge-vs-rule agreement on the rule-checkable tasks (analysis/rule-check-summary.ts). */
  ruleCheck?: RuleCheck;
  /** Error rates per language and arm, when the run holds several languages (analysis/language.ts). */
  languages?: LanguageGapSummary;
  /** Responses each refusal rule excludes, per subject. */
  refusalExclusions?: RefusalExclusions;
  /** Per `pipeline:` subject: rewrites confirmed and fallbacks taken (analysis/pipeline-summary.ts). */
  pipeline?: PipelineSummary[];
  /** Every subject's mean warmth against its reliability error rate (analysis/warmth-error.ts). */
  warmthVsError?: WarmthVsError;
  /** Calls per replica, for models served by several base URLs (`replicas:`). */
  replicas?: ReplicaStats[];
  totals: {
    trials: number;
    responses: number;
    judged: number;
    unparseable: number;
    /** EMPTY and TRUNCATED verdicts: left out of error rates, counted here (reply-outcome.ts). */
    empty: number;
    truncated: number;
    generateFailures: number;
    judgeFailures: number;
  };
}

type Counts = { a: number; b: number; c: number; d: number };

/** Paired tables per task × belief group, plus "all" over the reliability tasks. */
function pairedByGroup(pairs: readonly PairCount[]): Map<string, Counts> {
  const out = new Map<string, Counts>();
  const add = (key: string, p: PairCount) => {
    const c = out.get(key) ?? { a: 0, b: 0, c: 0, d: 0 };
    c.a += p.a;
    c.b += p.b;
    c.c += p.c;
    c.d += p.d;
    out.set(key, c);
  };
  for (const p of pairs) {
    const group = beliefGroup(p.belief);
    add(`${p.task}\u0000${group}`, p);
    if (isReliabilityTask(p.task)) add(`all\u0000${group}`, p);
  }
  return out;
}

function pairedTest(c: Counts | undefined): SummaryComparison["paired"] {
  if (!c) return { pairs: 0, b: 0, c: 0, p: null };
  return { pairs: c.a + c.b + c.c + c.d, b: c.b, c: c.c, p: mcnemarExact(c).p };
}

function emptyCell(subject: string, task: string, group: BeliefGroup): SummaryCell {
  return {
    subject,
    task,
    beliefGroup: group,
    trials: 0,
    responses: 0,
    correct: 0,
    incorrect: 0,
    refusals: 0,
    unparseable: 0,
    unjudged: 0,
    errorRate: null,
    ci95: null,
  };
}

/**
 * Error rate per subject × task × belief group with Wilson 95% intervals, and
 * treatment − reference differences for each configured comparison.
 */
export function summarize(
  counts: readonly OutcomeCount[],
  judge: string,
  compare: readonly { reference: string; treatments: readonly string[] }[],
  failures: { generate: number; judge: number },
  /** Paired 2×2 tables for a comparison (from the store); none → no paired test. */
  pairsFor: (reference: string, treatment: string) => readonly PairCount[] = () => [],
  /** Per-item counts (from the store) for item-clustered CIs; none → no clustered CIs. */
  items: readonly ItemCount[] = [],
): Summary {
  const tallies = new ItemTallies(items);
  const cells = new Map<string, SummaryCell>();
  const cellFor = (subject: string, task: string, group: BeliefGroup) => {
    const key = `${subject}\u0000${task}\u0000${group}`;
    let cell = cells.get(key);
    if (!cell) {
      cell = emptyCell(subject, task, group);
      cells.set(key, cell);
    }
    return cell;
  };
  const totals = {
    trials: 0,
    responses: 0,
    judged: 0,
    unparseable: 0,
    empty: 0,
    truncated: 0,
    generateFailures: failures.generate,
    judgeFailures: failures.judge,
  };
  for (const n of counts) {
    const group = beliefGroup(n.belief);
    totals.trials += n.trials;
    totals.responses += n.responses;
    totals.judged += n.judged;
    totals.unparseable += n.unparseable;
    totals.empty += n.empty ?? 0;
    totals.truncated += n.truncated ?? 0;
    const targets = [cellFor(n.subject, n.task, group)];
    // "all" pools the reliability tasks only: controls measure something else.
    if (isReliabilityTask(n.task)) targets.push(cellFor(n.subject, "all", group));
    for (const cell of targets) {
      cell.trials += n.trials;
      cell.responses += n.responses;
      cell.correct += n.correct;
      cell.incorrect += n.incorrect;
      cell.refusals += n.refusals;
      cell.unparseable += n.unparseable;
      cell.unjudged += n.responses - n.judged;
    }
  }
  for (const cell of cells.values()) {
    const n = cell.correct + cell.incorrect;
    if (n > 0) {
      cell.errorRate = cell.incorrect / n;
      const ci = wilsonInterval(cell.incorrect, n, 0.95);
      cell.ci95 = [ci.lower, ci.upper];
    }
  }
  const sorted = [...cells.values()].sort(
    (a, b) =>
      a.subject.localeCompare(b.subject) ||
      (a.task === "all" ? 1 : 0) - (b.task === "all" ? 1 : 0) ||
      a.task.localeCompare(b.task) ||
      a.beliefGroup.localeCompare(b.beliefGroup),
  );
  const comparisons: SummaryComparison[] = [];
  for (const pair of compare) {
    for (const treatment of pair.treatments) {
      const paired = pairedByGroup(pairsFor(pair.reference, treatment));
      for (const ref of sorted.filter((c) => c.subject === pair.reference)) {
        const treat = cells.get(`${treatment}\u0000${ref.task}\u0000${ref.beliefGroup}`);
        const t = treat?.errorRate ?? null;
        const gap = tallies.gap(pair.reference, treatment, ref.task, ref.beliefGroup);
        comparisons.push({
          reference: pair.reference,
          treatment,
          task: ref.task,
          beliefGroup: ref.beliefGroup,
          referenceErrorRate: ref.errorRate,
          treatmentErrorRate: t,
          differencePp: t !== null && ref.errorRate !== null ? (t - ref.errorRate) * 100 : null,
          paired: pairedTest(paired.get(`${ref.task}\u0000${ref.beliefGroup}`)),
          ci95Pp:
            gap.ciLower !== null && gap.ciUpper !== null
              ? [gap.ciLower * 100, gap.ciUpper * 100]
              : null,
          clustered: {
            sePp: gap.se === null ? null : gap.se * 100,
            p: gap.p,
            items: gap.nClusters,
          },
        });
      }
    }
  }
  const headline = buildHeadlines(comparisons);
  const subjects = [...new Set(compare.flatMap((c) => [c.reference, ...c.treatments]))];
  const warning = unscoredWarning(totals);
  return {
    judge,
    lead: leadText(headline),
    headline,
    clustering: tallies.clustering(subjects),
    pairedTests: { controls: [], cave: [] },
    cells: sorted,
    comparisons,
    totals,
    ...(warning && { warnings: [warning] }),
  };
}

/** summarize() over a run store, with counts and paired tables computed in SQL. */
export function summarizeStore(
  store: RunStore,
  judge: string,
  compare: readonly { reference: string; treatments: readonly string[] }[],
): Summary {
  const { counts, pairsFor, failures } = summaryInputs(store, judge);
  const summary = summarize(counts, judge, compare, failures, pairsFor, itemCounts(store, judge));
  for (const pair of compare) {
    for (const treatment of pair.treatments) {
      const meta = { reference: pair.reference, treatment };
      const { reference } = pair;
      summary.pairedTests.controls.push(
        ...controlTests(controlPairs(store, judge, reference, treatment), meta),
      );
      summary.pairedTests.cave.push(
        ...caveTests(cavePairs(store, judge, reference, treatment), meta),
      );
    }
  }
  return summary;
}
