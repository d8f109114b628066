import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { CandorError, DataError } from "../../errors.js";
import { type Agreement, agreementOf } from "../../judge/agreement.js";
import { runJudgeId } from "../../judge/run-judge.js";
import { stratifiedSample } from "../../judge/stratified-sample.js";
import { judgedResponses, judgesOf, verdicts } from "../../store/judge-check.js";
import { readRunConfig } from "../../store/run-config.js";
import { RunStore } from "../../store/run-store.js";

const HUMAN_LABELS = ["CORRECT", "INCORRECT"] as const;

/** Reads a labels CSV: columns trial_id and label (CORRECT/INCORRECT), one row per response. */
export function readHumanLabels(file: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new DataError(
      file,
      undefined,
      "file not found; expected a CSV with columns trial_id and label",
    );
  }
  const rows = parse(text, { columns: true, skip_empty_lines: true, bom: true }) as Record<
    string,
    string
  >[];
  const header = rows.length > 0 ? Object.keys(rows[0]!) : [];
  for (const col of ["trial_id", "label"]) {
    if (rows.length > 0 && !header.includes(col)) {
      throw new DataError(
        file,
        "header row",
        `missing column "${col}" (found: ${header.join(", ")})`,
      );
    }
  }
  const labels = new Map<string, string>();
  rows.forEach((row, i) => {
    const label = (row.label ?? "").trim().toUpperCase();
    if (label === "") return; // not labelled (yet)
    if (!HUMAN_LABELS.includes(label as (typeof HUMAN_LABELS)[number])) {
      throw new DataError(
        file,
        `row ${i + 2}, column label`,
        `expected CORRECT or INCORRECT, got ${JSON.stringify(row.label)}`,
      );
    }
    labels.set((row.trial_id ?? "").trim(), label);
  });
  if (labels.size === 0)
    throw new DataError(
      file,
      undefined,
      "no labelled rows (fill the label column with CORRECT or INCORRECT)",
    );
  return labels;
}

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
      "write a stratified sample (task × verdict × subject) of n responses to label",
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
        const store = RunStore.open(file, { readonly: opts.sample !== undefined });
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
            const rows = judgedResponses(store, judge);
            const picked = stratifiedSample(
              rows,
              opts.sample,
              (r) => `${r.task}|${r.label}|${r.subject_id}`,
              (r) => r.trial_id,
              opts.seed,
            );
            // The judge's verdict is left out so labelling stays blind.
            const csv = stringify(
              picked.map((r) => ({
                trial_id: r.trial_id,
                subject: r.subject_id,
                task: r.task,
                context: r.context,
                belief: r.belief,
                question: r.question,
                correct_answers: (JSON.parse(r.correct_json) as string[]).join("; "),
                incorrect_answers: (JSON.parse(r.incorrect_json) as string[]).join("; "),
                prompt: r.prompt,
                response: r.response,
                label: "",
              })),
              { header: true },
            );
            writeFileSync(opts.out, csv);
            process.stdout.write(
              `wrote ${picked.length} responses to label to ${opts.out} (fill the label column with CORRECT or INCORRECT)\n`,
            );
            return;
          }
          if (!opts.labels && !opts.against)
            throw new CandorError(
              "give --labels <csv>, --against <judge> or --sample <n> --out <csv>",
            );
          const mine = verdicts(store, judge);
          let other: Map<string, string>;
          let otherName: string;
          if (opts.labels) {
            other = readHumanLabels(opts.labels);
            otherName = `human labels (${opts.labels})`;
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
          const pairs: { a: string; b: string }[] = [];
          let skipped = 0;
          for (const [trial, b] of other) {
            const a = mine.get(trial);
            if (a === "CORRECT" || a === "INCORRECT") {
              if (b === "CORRECT" || b === "INCORRECT") pairs.push({ a, b });
              else skipped++;
            } else if (a !== undefined) skipped++;
          }
          if (pairs.length === 0)
            throw new CandorError("no responses scored CORRECT/INCORRECT by both raters");
          const agreement = agreementOf(pairs);
          const result = {
            judge,
            against: otherName,
            skipped,
            ...agreement,
            checkedAt: new Date().toISOString(),
          };
          store.setMeta("judge_check", JSON.stringify(result));
          process.stdout.write(
            opts.json
              ? `${JSON.stringify(result, null, 2)}\n`
              : `${formatAgreement(`Judge ${judge} vs ${otherName}`, agreement, skipped)}\n`,
          );
        } finally {
          store.close();
        }
      },
    );
}
