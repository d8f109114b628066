import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { CandorError, DataError } from "../errors.js";
import { type Agreement, agreementOf } from "../judge/agreement.js";
import { agreementBreakdown, type LabelledPair } from "../judge/agreement-groups.js";
import { stratifiedSample } from "../judge/stratified-sample.js";
import {
  checkHistory,
  judgedResponses,
  recordCheck,
  recordSampleKey,
  sampleKey,
  trialSubjects,
  verdicts,
} from "../store/judge-check.js";
import type { RunStore } from "../store/run-store.js";

const HUMAN_LABELS = ["CORRECT", "INCORRECT"] as const;

/**
 * Writes a blind file for people to label: opaque random ids in random order,
 * no subject, model, trial id or verdict; the key from id to trial stays in the
 * run store. Strata (task × subject × verdict) are sampled in proportion.
 */
export function writeLabelSample(
  store: RunStore,
  judge: string,
  n: number,
  seed: number,
  out: string,
): { rows: number; sampleSet: string } {
  const picked = stratifiedSample(
    judgedResponses(store, judge),
    n,
    (r) => `${r.task}|${r.subject_id}|${r.label}`,
    (r) => r.trial_id,
    seed,
  );
  const sampleSet = `${new Date().toISOString()}-${randomBytes(3).toString("hex")}`;
  // Random ids, sorted: the order says nothing about subject, stratum or plan order.
  const keyed = picked
    .map((p) => ({ ...p, sampleId: `r${randomBytes(6).toString("hex")}` }))
    .sort((a, b) => a.sampleId.localeCompare(b.sampleId));
  recordSampleKey(
    store,
    sampleSet,
    judge,
    keyed.map((k) => ({
      sampleId: k.sampleId,
      trialId: k.row.trial_id,
      stratum: k.stratum,
      weight: k.weight,
    })),
  );
  const csv = stringify(
    keyed.map(({ sampleId, row: r }) => ({
      id: sampleId,
      task: r.task,
      question: r.question,
      correct_answers: (JSON.parse(r.correct_json) as string[]).join("; "),
      incorrect_answers: (JSON.parse(r.incorrect_json) as string[]).join("; "),
      prompt: r.prompt,
      response: r.response,
      label: "",
    })),
    { header: true },
  );
  writeFileSync(out, csv);
  return { rows: keyed.length, sampleSet };
}

/**
 * Reads a labels CSV: an `id` column (from --sample) or `trial_id`, and `label`
 * (CORRECT/INCORRECT). Returns labels by trial id.
 */
export function readHumanLabels(
  file: string,
  key: ReadonlyMap<string, string>,
): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new DataError(
      file,
      undefined,
      "file not found; expected a CSV with columns id and label",
    );
  }
  const rows = parse(text, { columns: true, skip_empty_lines: true, bom: true }) as Record<
    string,
    string
  >[];
  const header = rows.length > 0 ? Object.keys(rows[0]!) : [];
  const idColumn = header.includes("id") ? "id" : "trial_id";
  for (const col of [idColumn, "label"]) {
    if (rows.length > 0 && !header.includes(col)) {
      throw new DataError(
        file,
        "header row",
        `missing column "${col === "trial_id" ? "id" : col}" (found: ${header.join(", ")})`,
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
    const raw = (row[idColumn] ?? "").trim();
    const trial = idColumn === "id" ? key.get(raw) : raw;
    if (trial === undefined) {
      throw new DataError(
        file,
        `row ${i + 2}, column id`,
        `${JSON.stringify(raw)} is not an id candor judge-check --sample wrote for this run`,
      );
    }
    labels.set(trial, label);
  });
  if (labels.size === 0)
    throw new DataError(
      file,
      undefined,
      "no labelled rows (fill the label column with CORRECT or INCORRECT)",
    );
  return labels;
}

export interface JudgeCheckResult extends Agreement {
  judge: string;
  against: string;
  skipped: number;
  perTask: ReturnType<typeof agreementBreakdown>["perTask"];
  perSubject: ReturnType<typeof agreementBreakdown>["perSubject"];
  comparisons: ReturnType<typeof agreementBreakdown>["comparisons"];
  checkedAt: string;
  /** This check's number in the run's history (1 = first). */
  check: number;
}

/** Agreement of `judge` with another rater's labels; the check is added to the run's history. */
export function judgeCheck(
  store: RunStore,
  judge: string,
  other: ReadonlyMap<string, string>,
  against: string,
  compare: readonly { reference: string; treatments: readonly string[] }[],
): JudgeCheckResult {
  const mine = verdicts(store, judge);
  const where = trialSubjects(store);
  const pairs: LabelledPair[] = [];
  let skipped = 0;
  for (const [trial, b] of other) {
    const a = mine.get(trial);
    if (a === undefined) continue;
    if ((a === "CORRECT" || a === "INCORRECT") && (b === "CORRECT" || b === "INCORRECT")) {
      const w = where.get(trial)!;
      pairs.push({ subject: w.subject, task: w.task, a, b });
    } else skipped++;
  }
  if (pairs.length === 0)
    throw new CandorError("no responses scored CORRECT/INCORRECT by both raters");
  const agreement = agreementOf(pairs);
  const breakdown = agreementBreakdown(pairs, compare);
  const result = {
    judge,
    against,
    skipped,
    ...agreement,
    ...breakdown,
    checkedAt: new Date().toISOString(),
    check: checkHistory(store).length + 1,
  };
  recordCheck(store, judge, against, result);
  return result;
}

export { sampleKey };
