/**
 * Benchmark: the study-folder path. The 585,000-row synthetic data written in
 * the study's released layout (40 CSV files with outputs), then Model 4 with
 * its AMEs, candor (streaming import → covariate patterns → fit) vs
 * statsmodels (pandas read_csv + the authors' rules + formula GLM). Each side
 * in its own process; wall and CPU time, work time, peak RSS, ratios (common.ts).
 *
 *   node --import tsx bench/analysis/study.ts [--runs N] [--regen]
 */
import { existsSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { args, checkedSynthetic, compareSides, root } from "./common.js";
import { writeStudyLayout } from "./study-layout.js";

const dir = path.join(root, "bench/.out/study-full");
if (!existsSync(path.join(dir, "done")) || args.includes("--regen")) {
  rmSync(dir, { recursive: true, force: true });
  writeStudyLayout(checkedSynthetic().frame, dir);
  writeFileSync(path.join(dir, "done"), "");
}
compareSides({
  title: "Model 4 from the study folder layout",
  python: "scripts/reference/bench_study.py",
  candor: "bench/analysis/candor-child.ts",
  kind: "study",
  input: dir,
  phases: (a, b) => [
    `statsmodels phases: import ${a.seconds.import!.toFixed(2)} s, read + rules ${a.seconds.load!.toFixed(2)} s, fit ${a.seconds.fit!.toFixed(2)} s, AMEs ${a.seconds.ame!.toFixed(2)} s`,
    `candor phases: streaming import ${b.seconds.load!.toFixed(2)} s, patterns + fit + SEs + AMEs + contrasts ${b.seconds.fit!.toFixed(2)} s`,
  ],
});
