import { beliefGroup } from "../design/conditions.js";
import type { FlipCounts } from "../judge/flips.js";
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
  for (const pair of compare) {
    for (const treatment of pair.treatments) {
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
        });
      }
    }
  }
  return { judge, cells: sorted, comparisons, totals };
}
