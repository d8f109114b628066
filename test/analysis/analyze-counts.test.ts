/**
 * The report's analysis from SQL counts (analyzeCounts over comparisonCounts)
 * against the row path it replaced (analyzeFrame over the run's analysis-rows
 * frame), on a real run: every model number, every per-cell McNemar row and
 * the per-task fits agree to 1e-12, with both covariances, also when a prompt
 * was answered twice (the first trial is the one paired) and when a label is
 * not a study label (the same error).
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { type Analysis, analyzeFrame } from "../../src/analysis/analyze.js";
import { analyzeCounts, comparisonCounts } from "../../src/analysis/analyze-counts.js";
import { type CovType, fitStudyModel } from "../../src/analysis/fit-model.js";
import { runJudgeId } from "../../src/judge/run-judge.js";
import { allRows, getCategorical, presentLevels, selectRows } from "../../src/stats/frame.js";
import { loadAnalysisRowsFrame } from "../../src/store/analysis-rows.js";
import { readRunConfig } from "../../src/store/run-config.js";
import { RunStore } from "../../src/store/run-store.js";
import { tempDir } from "../helpers/paths.js";
import { buildRun, type FixtureRun } from "../report/run-fixture.js";

let run: FixtureRun;
beforeAll(async () => {
  run = await buildRun({ n: 8 });
});

/** Every number in `a` and `b` within 1e-12 (relative above 1), everything else equal. */
function expectClose(a: unknown, b: unknown, path = "$"): void {
  if (typeof a === "number" && typeof b === "number") {
    if (Number.isNaN(a) || Number.isNaN(b)) {
      expect(Number.isNaN(a), path).toBe(Number.isNaN(b));
      return;
    }
    if (a === b) return;
    expect(Math.abs(a - b), `${path}: ${a} vs ${b}`).toBeLessThanOrEqual(
      1e-12 * Math.max(1, Math.abs(a)),
    );
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    expect(b.length, `${path}.length`).toBe(a.length);
    for (const [i, x] of a.entries()) expectClose(x, b[i], `${path}[${i}]`);
    return;
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    expect(Object.keys(b).sort(), path).toEqual(Object.keys(a).sort());
    for (const k of Object.keys(a))
      expectClose(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        `${path}.${k}`,
      );
    return;
  }
  expect(b, path).toEqual(a);
}

function bothWays(runDir: string, covType: CovType): { rows: Analysis; counts: Analysis } {
  const file = join(runDir, "run.sqlite");
  const store = RunStore.open(file, { readonly: true });
  try {
    const config = readRunConfig(store);
    const judge = runJudgeId(config);
    const frame = loadAnalysisRowsFrame(runDir, { judge });
    const models = ["model1", "model3", "model4"] as const;
    const rows = analyzeFrame(frame, { covType, models, bootstrapReplicates: 0 });
    const counted = comparisonCounts(store, file, config, judge);
    const counts = analyzeCounts(counted, { covType, models });
    // The per-task fits the report makes, on rows and on the counted patterns.
    for (const c of counted) {
      const cRows = selectRows(frame, allRows(frame.n), "comparison", [c.comparison]);
      const tasks = presentLevels(getCategorical(frame, "dataset"), cRows);
      expect(
        presentLevels(
          getCategorical(c.patterns.frame, "dataset"),
          allRows(c.patterns.frame.n),
        ).sort(),
      ).toEqual([...tasks].sort());
      for (const task of tasks) {
        for (const id of ["model1", "model4"] as const) {
          const fromRows = fitStudyModel(frame, id, {
            rows: selectRows(frame, cRows, "dataset", [task]),
            covType,
          });
          const fromCounts = fitStudyModel(c.patterns, id, {
            rows: selectRows(c.patterns.frame, allRows(c.patterns.frame.n), "dataset", [task]),
            covType,
          });
          expectClose(fromRows, fromCounts, `${c.comparison}/${task}/${id}`);
        }
      }
    }
    return { rows, counts };
  } finally {
    store.close();
  }
}

function copyRun(from: string): { runDir: string; db: Database.Database } {
  const dir = tempDir("candor-counts-");
  const runDir = join(dir, "run");
  mkdirSync(runDir);
  copyFileSync(join(from, "run.sqlite"), join(runDir, "run.sqlite"));
  return { runDir, db: new Database(join(runDir, "run.sqlite")) };
}

describe("analysis from SQL counts", () => {
  it("equals the row path: models, per-task fits and the per-cell McNemar table, both covariances", () => {
    for (const covType of ["nonrobust", "cluster"] as const) {
      const { rows, counts } = bothWays(run.runDir, covType);
      expect(counts.comparisons.map((c) => c.comparison)).toEqual(["warm"]);
      const cmp = counts.comparisons[0]!;
      expect(cmp.cells.length).toBeGreaterThan(10);
      expect(cmp.models.every((m) => !("error" in m))).toBe(true);
      expectClose(rows, counts);
    }
  });

  it("pairs the first of two answers to one prompt, as the row path does, and counts the duplicates", () => {
    const { runDir, db } = copyRun(run.runDir);
    const judge = run.judge;
    // For a few scored trials of each side, a second trial with the same coordinates and
    // the opposite verdict: ids sorting before the original (it becomes the paired one)
    // and after it (ignored when pairing, counted by the models).
    const picks = db
      .prepare(
        `SELECT t.*, j.label FROM trials t JOIN judgments j ON j.trial_id = t.id AND j.judge = ?
         WHERE j.label IN ('CORRECT', 'INCORRECT') AND t.task = 'triviaqa' ORDER BY t.id LIMIT 12`,
      )
      .all(judge) as (Record<string, unknown> & { id: string; label: string })[];
    const now = new Date().toISOString();
    db.transaction(() => {
      picks.forEach((t, i) => {
        const id = i % 2 === 0 ? `0000${t.id}` : `zzzz${t.id}`;
        db.prepare(
          `INSERT INTO trials(id, subject_id, task, item_id, context, statement, belief, sample, messages_json, params_json)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          id,
          t.subject_id,
          t.task,
          t.item_id,
          t.context,
          t.statement,
          t.belief,
          t.sample,
          t.messages_json,
          t.params_json,
        );
        db.prepare(
          "INSERT INTO responses(trial_id, text, finish_reason, prompt_tokens, completion_tokens, latency_ms, created_at) VALUES (?, 'again', 'stop', 1, 1, 1, ?)",
        ).run(id, now);
        db.prepare(
          "INSERT INTO judgments(trial_id, judge, label, rationale, raw, created_at) VALUES (?, ?, ?, 'dup', NULL, ?)",
        ).run(id, judge, t.label === "CORRECT" ? "INCORRECT" : "CORRECT", now);
      });
    })();
    db.close();
    for (const covType of ["nonrobust", "cluster"] as const) {
      const { rows, counts } = bothWays(runDir, covType);
      expect(counts.comparisons[0]!.duplicatePairs).toBe(12);
      expectClose(rows, counts);
    }
  });

  it("a label outside the study's is the same error on both paths, naming the trial and field", () => {
    const { runDir, db } = copyRun(run.runDir);
    db.prepare(
      `UPDATE trials SET context = 'emotion:bored' WHERE id = (
         SELECT min(t.id) FROM trials t JOIN judgments j ON j.trial_id = t.id
         WHERE t.task = 'truthfulqa' AND j.judge != 'rule#v1' AND j.label IN ('CORRECT', 'INCORRECT'))`,
    ).run();
    db.close();
    const file = join(runDir, "run.sqlite");
    const expected = (() => {
      try {
        loadAnalysisRowsFrame(runDir);
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    })();
    expect(expected).toMatch(/field context.*a study context; got 'emotion:bored'/);
    const store = RunStore.open(file, { readonly: true });
    try {
      const config = readRunConfig(store);
      expect(() => comparisonCounts(store, file, config, runJudgeId(config))).toThrow(expected);
    } finally {
      store.close();
    }
  });
});
