/**
 * Judge-vs-rule agreement (issue #10 item 5). The rule scorers are crude but
 * blind to tone; the LLM judge is better but may grade warm prose differently.
 * Neither is the truth, so the number to watch is not the agreement itself but
 * whether it differs between a treatment and its reference: a judge that is
 * more lenient (or stricter) with warm answers than the rule is shows up as a gap.
 * Pure.
 */

export interface JudgeRuleCounts {
  subject: string;
  task: string;
  /** judge CORRECT & rule CORRECT */
  cc: number;
  /** judge CORRECT & rule INCORRECT */
  ci: number;
  /** judge INCORRECT & rule CORRECT */
  ic: number;
  ii: number;
}

export interface RuleAgreementCell {
  subject: string;
  /** A task, or "all" pooled over the checked tasks. */
  task: string;
  /** Responses both scored CORRECT or INCORRECT. */
  n: number;
  agreement: number | null;
  /** The judge said CORRECT where the rule found no reference answer. */
  judgeOnlyCorrect: number;
  /** The rule found a reference answer the judge graded INCORRECT. */
  ruleOnlyCorrect: number;
}

export interface RuleAgreementGap {
  reference: string;
  treatment: string;
  task: string;
  referenceAgreement: number | null;
  treatmentAgreement: number | null;
  /** Treatment − reference agreement, percentage points. */
  gapPp: number | null;
  /** |gap| above the threshold. */
  warn: boolean;
}

export interface RuleCheck {
  judge: string;
  rule: string;
  tasks: string[];
  maxGapPp: number;
  cells: RuleAgreementCell[];
  gaps: RuleAgreementGap[];
  /** One sentence per flagged gap, the same words on every surface. */
  warnings: string[];
}

function cellOf(
  subject: string,
  task: string,
  counts: readonly JudgeRuleCounts[],
): RuleAgreementCell {
  let cc = 0;
  let ci = 0;
  let ic = 0;
  let ii = 0;
  for (const c of counts) {
    cc += c.cc;
    ci += c.ci;
    ic += c.ic;
    ii += c.ii;
  }
  const n = cc + ci + ic + ii;
  return {
    subject,
    task,
    n,
    agreement: n > 0 ? (cc + ii) / n : null,
    judgeOnlyCorrect: ci,
    ruleOnlyCorrect: ic,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function ruleAgreement(
  counts: readonly JudgeRuleCounts[],
  options: {
    judge: string;
    rule: string;
    tasks: readonly string[];
    compare: readonly { reference: string; treatments: readonly string[] }[];
    maxGapPp: number;
  },
): RuleCheck {
  const tasks = options.tasks.filter((t) => counts.some((c) => c.task === t));
  const subjects = [...new Set(counts.map((c) => c.subject))].sort();
  const cells: RuleAgreementCell[] = [];
  for (const subject of subjects) {
    const mine = counts.filter((c) => c.subject === subject);
    for (const task of tasks)
      cells.push(
        cellOf(
          subject,
          task,
          mine.filter((c) => c.task === task),
        ),
      );
    if (tasks.length > 1) cells.push(cellOf(subject, "all", mine));
  }
  const cell = (subject: string, task: string) =>
    cells.find((c) => c.subject === subject && c.task === task);
  const gaps: RuleAgreementGap[] = [];
  const warnings: string[] = [];
  for (const pair of options.compare) {
    for (const treatment of pair.treatments) {
      for (const task of tasks.length > 1 ? [...tasks, "all"] : tasks) {
        const r = cell(pair.reference, task)?.agreement ?? null;
        const t = cell(treatment, task)?.agreement ?? null;
        const gapPp = r !== null && t !== null ? (t - r) * 100 : null;
        // The tolerance keeps a gap of exactly the threshold (19/20 vs 20/20 at 5 pp) from warning by rounding.
        const warn = gapPp !== null && Math.abs(gapPp) > options.maxGapPp + 1e-9;
        gaps.push({
          reference: pair.reference,
          treatment,
          task,
          referenceAgreement: r,
          treatmentAgreement: t,
          gapPp,
          warn,
        });
        if (warn && r !== null && t !== null) {
          warnings.push(
            `${task === "all" ? "All checked tasks" : task}: the judge agrees with the rule on ${pct(t)} of ${treatment}'s answers but ${pct(r)} of ${pair.reference}'s (${gapPp! >= 0 ? "+" : ""}${gapPp!.toFixed(1)} pp, more than ${options.maxGapPp} pp): the judge may grade ${treatment}'s prose differently. Check by hand: candor judge-check <run> --sample 100 --out sample.csv`,
          );
        }
      }
    }
  }
  return {
    judge: options.judge,
    rule: options.rule,
    tasks,
    maxGapPp: options.maxGapPp,
    cells,
    gaps,
    warnings,
  };
}
