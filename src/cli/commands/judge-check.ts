import { join } from "node:path";
import type { Command } from "commander";
import { CandorError, DataError } from "../../errors.js";
import type { Agreement } from "../../judge/agreement.js";
import { runJudgeId } from "../../judge/run-judge.js";
import {
  type JudgeCheckResult,
  judgeCheck,
  readHumanLabels,
  sampleKey,
  writeLabelSample,
} from "../../stages/judge-check.js";
import { judgesOf, verdicts } from "../../store/judge-check.js";
import { readRunConfig } from "../../store/run-config.js";
import { RunStore } from "../../store/run-store.js";

function pct(x: number | null): string {
  return x === null ? "—" : `${(x * 100).toFixed(1)}%`;
}

export function formatAgreement(title: string, a: Agreement, skipped: number): string {
  const w = Math.max(12, ...a.labels.map((l) => l.length)) + 2;
  const lines = [
    title,
    `  pairs: ${a.n}${skipped > 0 ? ` (${skipped} skipped: one side not CORRECT/INCORRECT)` : ""}`,
    `  agreement: ${pct(a.agreement)}   Cohen's kappa: ${a.kappa.toFixed(3)} (SE ${a.kappaSe.toFixed(3)}, 95% CI ${a.kappaCi95[0].toFixed(3)}–${a.kappaCi95[1].toFixed(3)})`,
    "",
    `  confusion (rows: first rater, columns: second)`,
    `  ${"".padEnd(w)}${a.labels.map((l) => l.padStart(w)).join("")}`,
    ...a.labels.map(
      (l, i) => `  ${l.padEnd(w)}${a.confusion[i]!.map((v) => String(v).padStart(w)).join("")}`,
    ),
    "",
    "  per class (second rater as reference): precision / recall / F1",
    ...a.perClass.map(
      (c) =>
        `  ${c.label.padEnd(w)}${pct(c.precision).padStart(8)} ${pct(c.recall).padStart(8)} ${pct(c.f1).padStart(8)}  (n=${c.supportB})`,
    ),
  ];
  return lines.join("\n");
}

function fmtP(p: number | null): string {
  return p === null ? "—" : p < 0.001 ? "<0.001" : p.toFixed(3);
}

/** Agreement per task, per subject, and the treatment-vs-reference test. */
export function formatBreakdown(r: JudgeCheckResult): string {
  const row = (
    name: string,
    g: { n: number; agreement: number; kappa: number; kappaCi95: string },
  ) =>
    `  ${name.padEnd(24)}${String(g.n).padStart(6)} ${pct(g.agreement).padStart(8)} ${g.kappa.toFixed(3).padStart(8)}  ${g.kappaCi95}`;
  const head = `  ${"".padEnd(24)}${"pairs".padStart(6)} ${"agree".padStart(8)} ${"kappa".padStart(8)}  95% CI`;
  const lines = [
    "",
    "  per task",
    head,
    ...r.perTask.map((g) => row(g.task, g)),
    "",
    "  per subject",
    head,
    ...r.perSubject.map((g) => row(g.subject, g)),
  ];
  if (r.comparisons.length > 0) {
    lines.push(
      "",
      "  does the judge agree less often on the treatment's answers? (one-sided z-test)",
    );
    for (const c of r.comparisons) {
      lines.push(
        `  ${c.treatment} vs ${c.reference}: ${pct(c.treatmentAgreement)} (n=${c.treatmentN}) vs ${pct(c.referenceAgreement)} (n=${c.referenceN}), ${c.differencePp === null ? "—" : `${c.differencePp >= 0 ? "+" : ""}${c.differencePp.toFixed(1)} pp`}, p = ${fmtP(c.p)}`,
      );
    }
  }
  return lines.join("\n");
}

export function registerJudgeCheck(program: Command): void {
  program
    .command("judge-check")
    .description(
      "Validate the judge: agreement and Cohen's kappa against human labels or a second judge; or sample responses to label",
    )
    .argument("<run>", "run directory (contains run.sqlite)")
    .option("--labels <csv>", "human labels: CSV with trial_id and label (CORRECT/INCORRECT)")
    .option("--against <judge>", "compare with a second judge of the same run (its judge id)")
    .option("--judge <judge>", "the judge to check (default: the run's configured judge)")
    .option(
      "--sample <n>",
      "write a blind, proportionally stratified sample (task × subject × verdict) of n responses to label",
      (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n <= 0)
          throw new CandorError(`--sample ${v}: expected a positive whole number`);
        return n;
      },
    )
    .option("--out <csv>", "where --sample writes its CSV")
    .option("--seed <n>", "seed for --sample", (v) => Number(v), 1)
    .option("--json", "print JSON")
    .action(
      (
        runDir: string,
        opts: {
          labels?: string;
          against?: string;
          judge?: string;
          sample?: number;
          out?: string;
          seed: number;
          json?: boolean;
        },
      ) => {
        const file = join(runDir, "run.sqlite");
        const store = RunStore.open(file);
        try {
          const judge = opts.judge ?? runJudgeId(readRunConfig(store));
          const known = judgesOf(store);
          if (!known.includes(judge)) {
            throw new CandorError(
              `${file}: no verdicts from judge ${judge} (judges in this run: ${known.join(", ") || "none"})`,
            );
          }
          if (opts.sample !== undefined) {
            if (!opts.out) throw new CandorError("--sample needs --out <csv>");
            const { rows } = writeLabelSample(store, judge, opts.sample, opts.seed, opts.out);
            process.stdout.write(
              `wrote ${rows} responses to label to ${opts.out}: blind (opaque ids, shuffled, no subject or model; the key stays in the run store). Fill the label column with CORRECT or INCORRECT, then: candor judge-check ${runDir} --labels ${opts.out}\n`,
            );
            return;
          }
          if (!opts.labels && !opts.against)
            throw new CandorError(
              "give --labels <csv>, --against <judge> or --sample <n> --out <csv>",
            );
          let other: Map<string, string>;
          let otherName: string;
          if (opts.labels) {
            other = readHumanLabels(opts.labels, sampleKey(store));
            otherName = `human labels (${opts.labels})`;
            const mine = verdicts(store, judge);
            const unknown = [...other.keys()].filter((id) => !mine.has(id));
            if (unknown.length > 0) {
              throw new DataError(
                opts.labels,
                `trial_id ${unknown[0]}`,
                `${unknown.length} labelled trial(s) have no verdict from ${judge} in this run`,
              );
            }
          } else {
            if (!known.includes(opts.against!)) {
              throw new CandorError(
                `--against ${opts.against}: no such judge in this run (judges: ${known.join(", ")})`,
              );
            }
            other = verdicts(store, opts.against!);
            otherName = `judge ${opts.against}`;
          }
          const result = judgeCheck(store, judge, other, otherName, readRunConfig(store).compare);
          process.stdout.write(
            opts.json
              ? `${JSON.stringify(result, null, 2)}\n`
              : `${formatAgreement(`Judge ${judge} vs ${otherName} (check ${result.check} of this run)`, result, result.skipped)}\n${formatBreakdown(result)}\n`,
          );
        } finally {
          store.close();
        }
      },
    );
}
