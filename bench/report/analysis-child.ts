/**
 * The report's analysis step alone, two ways, in its own process: "counts"
 * reads per-pattern × item counts and paired tables from SQL and fits Models 1,
 * 3, 4 on them (what `candor report` does now); "frame" streams every analysis
 * row into a frame and runs analyzeFrame on it, with the per-cell table and the
 * bootstrap it computed by default (what the report did before) — the baseline.
 * Prints one JSON line (seconds, CPU seconds, peak RSS).
 *
 *   node --import tsx bench/report/analysis-child.ts <run dir> frame|counts
 */
import { join } from "node:path";
import { analyzeFrame } from "../../src/analysis/analyze.js";
import { analyzeCounts, comparisonCounts } from "../../src/analysis/analyze-counts.js";
import { runJudgeId } from "../../src/judge/run-judge.js";
import { loadAnalysisRowsFrame } from "../../src/store/analysis-rows.js";
import { readRunConfig } from "../../src/store/run-config.js";
import { RunStore } from "../../src/store/run-store.js";

const [run, mode] = process.argv.slice(2);
if (!run || (mode !== "frame" && mode !== "counts")) throw new Error("usage: <run> frame|counts");
const file = join(run, "run.sqlite");
const models = ["model1", "model3", "model4"] as const;
const t0 = performance.now();
const store = RunStore.open(file, { readonly: true });
const config = readRunConfig(store);
const judge = runJudgeId(config);
let rows = 0;
let runFit: () => ReturnType<typeof analyzeFrame>;
if (mode === "frame") {
  const frame = loadAnalysisRowsFrame(run, { judge });
  rows = frame.n;
  runFit = () => analyzeFrame(frame, { models });
} else {
  const counts = comparisonCounts(store, file, config, judge);
  for (const c of counts) for (const n of c.patterns.counts) rows += n;
  runFit = () => analyzeCounts(counts, { models });
}
const t1 = performance.now();
const analysis = runFit();
const t2 = performance.now();
store.close();
const m4 = analysis.comparisons[0]?.models.find((m) => m.id === "model4");
const cpu = process.cpuUsage();
process.stdout.write(
  `${JSON.stringify({
    rows,
    load: (t1 - t0) / 1000,
    fit: (t2 - t1) / 1000,
    cpu: (cpu.user + cpu.system) / 1e6,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    coef: m4 && "coefficients" in m4 ? m4.coefficients[1]!.estimate! : Number.NaN,
    cells: analysis.comparisons.reduce((a, c) => a + c.cells.length, 0),
  })}\n`,
);
