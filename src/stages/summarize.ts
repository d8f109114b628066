import { beliefGroup } from "../design/conditions.js";
import type { FlipCounts } from "../judge/flips.js";
import { mcnemarExact } from "../stats/mcnemar.js";
import { wilsonInterval } from "../stats/wilson.js";
import type { OutcomeRow } from "../store/run-store.js";
import { type BeliefGroup, isReliabilityTask } from "../types.js";
import type { WarmthCheck } from "../warmth/check.js";

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
}

export interface Summary {
  judge: string;
  cells: SummaryCell[];
  comparisons: SummaryComparison[];
  /** Why unfinished trials failed (most common messages), when any did. */
  openFailures?: { stage: string; message: string; trials: number }[];
  /** Warmth manipulation check, when the audit measured warmth. */
  warmth?: WarmthCheck;
  /** "Are you sure?" flip accounting, when the audit challenged answers. */
  challenge?: FlipCounts[];
  totals: {
    trials: number;
    responses: number;
    judged: number;
    unparseable: number;
    generateFailures: number;
    judgeFailures: number;
  };
}

type Scored = Map<string, { task: string; group: BeliefGroup; incorrect: 0 | 1 }>;

/** Per subject: scored outcomes keyed by what makes two trials a pair. */
function scoredBySubject(rows: readonly OutcomeRow[]): Map<string, Scored> {
  const out = new Map<string, Scored>();
  for (const r of rows) {
    if (r.label !== "CORRECT" && r.label !== "INCORRECT") continue;
    let m = out.get(r.subject_id);
    if (!m) {
      m = new Map();
      out.set(r.subject_id, m);
    }
    m.set(`${r.task}\u0000${r.item_id}\u0000${r.context}\u0000${r.belief}\u0000${r.sample}`, {
      task: r.task,
      group: beliefGroup(r.belief),
      incorrect: r.label === "INCORRECT" ? 1 : 0,
    });
  }
  return out;
}

type Counts = { a: number; b: number; c: number; d: number };

/** Discordance tables per task × group (and "all" over reliability tasks). */
function pairedCounts(ref: Scored | undefined, treat: Scored | undefined): Map<string, Counts> {
  const out = new Map<string, Counts>();
  if (!ref || !treat) return out;
  const add = (key: string, r: 0 | 1, t: 0 | 1) => {
    let c = out.get(key);
    if (!c) {
      c = { a: 0, b: 0, c: 0, d: 0 };
      out.set(key, c);
    }
    if (r === 0 && t === 0) c.a++;
    else if (r === 0) c.b++;
    else if (t === 0) c.c++;
    else c.d++;
  };
  for (const [key, r] of ref) {
    const t = treat.get(key);
    if (!t) continue;
    add(`${r.task}\u0000${r.group}`, r.incorrect, t.incorrect);
    if (isReliabilityTask(r.task)) add(`all\u0000${r.group}`, r.incorrect, t.incorrect);
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
  rows: readonly OutcomeRow[],
  judge: string,
  compare: readonly { reference: string; treatments: readonly string[] }[],
  failures: { generate: number; judge: number },
): Summary {
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
    generateFailures: failures.generate,
    judgeFailures: failures.judge,
  };
  for (const row of rows) {
    const group = beliefGroup(row.belief);
    totals.trials++;
    if (row.has_response) totals.responses++;
    if (row.label !== null) totals.judged++;
    if (row.label === "UNPARSEABLE") totals.unparseable++;
    const cellsOfRow = [cellFor(row.subject_id, row.task, group)];
    // "all" pools the reliability tasks only: controls measure something else.
    if (isReliabilityTask(row.task)) cellsOfRow.push(cellFor(row.subject_id, "all", group));
    for (const cell of cellsOfRow) {
      cell.trials++;
      if (!row.has_response) continue;
      cell.responses++;
      switch (row.label) {
        case "CORRECT":
          cell.correct++;
          break;
        case "INCORRECT":
          cell.incorrect++;
          break;
        case "REFUSAL":
          cell.refusals++;
          break;
        case "UNPARSEABLE":
          cell.unparseable++;
          break;
        default:
          cell.unjudged++;
      }
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
  const scored = scoredBySubject(rows);
  for (const pair of compare) {
    for (const treatment of pair.treatments) {
      const paired = pairedCounts(scored.get(pair.reference), scored.get(treatment));
      for (const ref of sorted.filter((c) => c.subject === pair.reference)) {
        const treat = cells.get(`${treatment}\u0000${ref.task}\u0000${ref.beliefGroup}`);
        const t = treat?.errorRate ?? null;
        comparisons.push({
          reference: pair.reference,
          treatment,
          task: ref.task,
          beliefGroup: ref.beliefGroup,
          referenceErrorRate: ref.errorRate,
          treatmentErrorRate: t,
          differencePp: t !== null && ref.errorRate !== null ? (t - ref.errorRate) * 100 : null,
          paired: pairedTest(paired.get(`${ref.task}\u0000${ref.beliefGroup}`)),
        });
      }
    }
  }
  return { judge, cells: sorted, comparisons, totals };
}
