/**
 * The report's analysis step alone, two ways, in its own process: "frame"
 * streams the store into columns and fits on covariate patterns (what
 * `candor report` does now); "rows" loads every row as an object, then a
 * frame, and fits every model on rows (the previous way) — the baseline.
 * Prints one JSON line (seconds, peak RSS).
 *
 *   node --import tsx bench/report/analysis-child.ts <run dir> frame|rows
 */
import { fitStudyModel } from "../../src/analysis/fit-model.js";
import { rowsToFrame } from "../../src/analysis/frame.js";
import { patternsFromFrame } from "../../src/analysis/patterns.js";
import { allRows, getCategorical, presentLevels, selectRows } from "../../src/stats/frame.js";
import { loadAnalysisRows, loadAnalysisRowsFrame } from "../../src/store/analysis-rows.js";

const [run, mode] = process.argv.slice(2);
if (!run || (mode !== "frame" && mode !== "rows")) throw new Error("usage: <run> frame|rows");
const t0 = performance.now();
const frame = mode === "frame" ? loadAnalysisRowsFrame(run) : rowsToFrame(loadAnalysisRows(run));
const t1 = performance.now();
let coef = 0;
// Same work both ways: Models 1, 3 and 4 for every comparison.
for (const c of presentLevels(getCategorical(frame, "comparison"), allRows(frame.n))) {
  const rows = selectRows(frame, allRows(frame.n), "comparison", [c]);
  const data = mode === "frame" ? patternsFromFrame(frame, rows) : frame;
  for (const id of ["model1", "model3", "model4"] as const) {
    const m =
      mode === "frame" ? fitStudyModel(data, id) : fitStudyModel(frame, id, { rows, path: "rows" });
    if (id === "model4" && coef === 0) coef = m.coefficients[1]!.estimate!;
  }
}
const t2 = performance.now();
process.stdout.write(
  `${JSON.stringify({
    rows: frame.n,
    load: (t1 - t0) / 1000,
    fit: (t2 - t1) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    coef,
  })}\n`,
);
