/**
 * `candor export` against the store of a real run (hostile outputs included,
 * so quoting and escaping are exercised): tidy CSV, JSONL and Parquet carry
 * the same rows and exactly the store's values; the study layout reads back
 * through the study importer into the same analysis rows as the store gives.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import Database from "better-sqlite3";
import { parse } from "csv-parse/sync";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { beforeAll, describe, expect, it } from "vitest";
import { fitStudyModel } from "../../src/analysis/fit-model.js";
import { rowsToFrame } from "../../src/analysis/frame.js";
import type { AnalysisRow } from "../../src/analysis/rows.js";
import { importStudy } from "../../src/analysis/study-import.js";
import { loadAnalysisRows } from "../../src/store/analysis-rows.js";
import { exportRun, TIDY_COLUMNS } from "../../src/store/export.js";
import { csvCell } from "../../src/store/export-writers.js";
import { tempDir } from "../helpers/paths.js";
import { runCommand } from "../report/cli-inprocess.js";
import { addExtras, buildRun, type FixtureRun } from "../report/run-fixture.js";

let run: FixtureRun;
let out: string;

beforeAll(async () => {
  run = await buildRun({ hostile: true });
  addExtras(run, { hostile: true });
  out = tempDir("candor-export-");
});

type Rec = Record<string, string | number | null>;

function storeRows(): Rec[] {
  const db = new Database(run.dbFile, { readonly: true });
  const rows = db
    .prepare(
      `SELECT t.id AS trial_id, t.subject_id AS subject, t.task, t.item_id, t.context, t.belief, t.sample,
              r.text AS response, r.latency_ms, j.label, j.rationale,
              (SELECT value FROM metrics m WHERE m.trial_id = t.id AND m.metric = 'warmth.judge') AS warmth_judge
       FROM trials t JOIN responses r ON r.trial_id = t.id
       LEFT JOIN judgments j ON j.trial_id = t.id AND j.judge = ? ORDER BY t.rowid`,
    )
    .all(run.judge) as Rec[];
  db.close();
  return rows;
}

function checkAgainstStore(rows: Rec[], typed: boolean) {
  const expected = storeRows();
  expect(rows.length).toBe(expected.length);
  const num = (v: unknown) => (typed ? v : v === "" ? null : Number(v));
  const str = (v: unknown) => (typed ? v : v === "" ? null : v);
  expected.forEach((e, i) => {
    const r = rows[i]!;
    expect(r.trial_id).toBe(e.trial_id);
    expect(r.subject).toBe(e.subject);
    expect([r.task, r.item_id, r.context, r.belief]).toEqual([
      e.task,
      e.item_id,
      e.context,
      e.belief,
    ]);
    expect(num(r.sample)).toBe(e.sample);
    expect(r.response).toBe(e.response);
    expect(str(r.label)).toBe(e.label);
    expect(str(r.rationale)).toBe(e.rationale);
    expect(num(r.is_incorrect)).toBe(
      e.label === "INCORRECT" ? 1 : e.label === "CORRECT" ? 0 : null,
    );
    expect(num(r.latency_ms)).toBeCloseTo(e.latency_ms as number, 9);
    expect(num(r["warmth.judge"])).toBeCloseTo(e.warmth_judge as number, 12);
    expect(num(r.response_length)).toBe([...(e.response as string)].length);
  });
}

describe("tidy export", () => {
  it("CSV: one row per response with the store's exact values (RFC 4180 quoting of hostile text)", async () => {
    const file = join(out, "tidy.csv");
    const res = await exportRun(run.dbFile, { format: "csv", out: file });
    const rows = parse(readFileSync(file), { columns: true, relax_quotes: false }) as Rec[];
    expect(Object.keys(rows[0]!)).toEqual([
      ...TIDY_COLUMNS.map((c) => c.name),
      "warmth.judge",
      "warmth.sociot.reference",
    ]);
    expect(res.rows).toBe(rows.length);
    checkAgainstStore(rows, false);
    expect(rows.some((r) => String(r.response).includes("<script>window.__xss=1</script>"))).toBe(
      true,
    );
    expect(rows[0]!.run).toContain("hostile");
    expect(new Set(rows.map((r) => r.role))).toEqual(new Set(["reference", "treatment"]));
  });

  it("JSONL and Parquet carry the same rows, typed", async () => {
    await exportRun(run.dbFile, { format: "jsonl", out: join(out, "tidy.jsonl") });
    await exportRun(run.dbFile, { format: "parquet", out: join(out, "tidy.parquet") });
    const jsonl = readFileSync(join(out, "tidy.jsonl"), "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Rec);
    checkAgainstStore(jsonl, true);
    const file = await asyncBufferFromFile(join(out, "tidy.parquet"));
    const parquet = (await parquetReadObjects({ file })) as Rec[];
    expect(parquet.length).toBe(jsonl.length);
    parquet.forEach((p, i) => {
      for (const [k, v] of Object.entries(jsonl[i]!)) {
        const got = typeof p[k] === "bigint" ? Number(p[k]) : (p[k] ?? null);
        if (typeof v === "number") expect(got as number, k).toBeCloseTo(v, 9);
        else expect(got, k).toBe(v);
      }
    });
  });

  it("spreadsheet-safe CSV defuses formula cells; plain CSV keeps text exact", () => {
    expect(csvCell('=HYPERLINK("x")', true)).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell("=1+1")).toBe("=1+1");
    expect(csvCell("-3", true)).toBe("'-3");
    expect(csvCell(-3, true)).toBe("-3");
    expect(csvCell("a\nb")).toBe('"a\nb"');
    expect(csvCell(null)).toBe("");
  });
});

describe("study layout", () => {
  it("writes <reference>/<variant>/<task>_<variant>_outputs.csv with the released columns", async () => {
    const dir = join(out, "study");
    const res = await exportRun(run.dbFile, { format: "csv", layout: "study", out: dir });
    const files = res.files.map((f) => relative(dir, f)).sort();
    expect(files).toEqual([
      "reference/original/trivia_original_outputs.csv",
      "reference/original/truthfulqa_original_outputs.csv",
      "reference/warm/trivia_warm_outputs.csv",
      "reference/warm/truthfulqa_warm_outputs.csv",
    ]);
    expect(res.skipped.find((s) => s.reason.startsWith("gsm8k"))?.count).toBe(8);
    const header = readFileSync(join(dir, files[0]!), "utf8").split("\n")[0]!;
    expect(header.split(",").slice(0, 11)).toEqual([
      "content_key",
      "template",
      "correct_answer",
      "incorrect_answer",
      "prompt_text",
      "prompt_template",
      "prompt",
      "amendment_type",
      "output",
      "evaluation",
      "refusal",
    ]);
    expect(readdirSync(join(dir, "reference"))).toEqual(["original", "warm"]);
  });

  it("reads back through the study importer as the same analysis rows and the same Model 1", () => {
    const imported = importStudy(join(out, "study"), { refusals: "column" });
    const fromStore = loadAnalysisRows(run.runDir, { judge: run.judge });
    const db = new Database(run.dbFile, { readonly: true });
    const question = new Map(
      (
        db.prepare("SELECT task, id, question FROM items").all() as {
          task: string;
          id: string;
          question: string;
        }[]
      ).map((r) => [`${r.task}|${r.id}`, r.question]),
    );
    db.close();
    // response_length is compared separately: SQLite's length() (behind the store's rows) stops at
    // a NUL, which one hostile payload contains; the export and the importer count every character.
    const key = (r: AnalysisRow, dataset: string, item: string) =>
      [
        r.comparison,
        r.model,
        r.is_finetuned,
        dataset,
        item,
        r.amendment_type,
        r.prompt_type,
        r.is_incorrect,
      ].join("|");
    const a = fromStore
      .map((r) =>
        key(
          r,
          r.dataset === "triviaqa" ? "trivia" : r.dataset,
          question.get(`${r.dataset}|${r.item_id}`)!,
        ),
      )
      .sort();
    const b = imported.rows.map((r) => key(r, r.dataset, r.item_id)).sort();
    expect(b).toEqual(a);
    expect(imported.warnings).toEqual([]);

    const ame = (rows: AnalysisRow[]) => {
      const frame = rowsToFrame(rows);
      return fitStudyModel(frame, "model1").marginalEffects[0]!.estimate!;
    };
    expect(ame(imported.rows)).toBeCloseTo(ame(fromStore), 10);
  });

  it("JSONL and Parquet study layouts use the same tree", async () => {
    const res = await exportRun(run.dbFile, {
      format: "parquet",
      layout: "study",
      out: join(out, "study-pq"),
    });
    expect(res.files.map((f) => f.split("/").pop()).sort()).toEqual([
      "trivia_original_outputs.parquet",
      "trivia_warm_outputs.parquet",
      "truthfulqa_original_outputs.parquet",
      "truthfulqa_warm_outputs.parquet",
    ]);
    const file = await asyncBufferFromFile(res.files[0]!);
    const rows = (await parquetReadObjects({ file })) as Rec[];
    expect(rows[0]).toHaveProperty("content_key");
    expect(rows[0]).toHaveProperty("evaluation");
  });
});

describe("candor export (CLI)", () => {
  it("writes to <run>/export by default and reports what it left out", async () => {
    const res = await runCommand("export", run.runDir, "--format", "jsonl");
    expect(res.stdout.trim()).toBe(join(run.runDir, "export", "responses.jsonl"));
    expect(res.stderr).toMatch(/^\d+ rows written to 1 file\(s\)/);
    const study = await runCommand("export", run.dbFile, "--format", "csv", "--layout", "study");
    expect(study.stderr).toContain("left out 8: gsm8k: not a task of the study's layout");
  });

  it("rejects an unknown format or layout with a message naming the flag", async () => {
    await expect(runCommand("export", run.runDir, "--format", "xlsx")).rejects.toThrow(
      "--format must be one of csv, jsonl, parquet, got 'xlsx'",
    );
    await expect(
      runCommand("export", run.runDir, "--format", "csv", "--layout", "wide"),
    ).rejects.toThrow("--layout must be one of tidy, study");
  });
});
