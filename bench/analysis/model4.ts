/**
 * Benchmark: the study's Model 4 on the 585,000-row synthetic data (5 models ×
 * 1,625 items × 9 contexts × 4 templates × original/warm), candor vs
 * statsmodels on the same analysis-rows CSV. Each side runs in its own
 * process; process wall and CPU time (interpreter start + CSV load + fit +
 * AMEs), in-process work time, peak RSS and their ratios (common.ts).
 *
 *   node --import tsx bench/analysis/model4.ts [--runs N] [--regen]
 *
 * The CSV is regenerated deterministically (scripts/reference/synthetic.ts,
 * checked against the committed Python checksum) into bench/.out/, which git ignores.
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { writeFrameCsv } from "../../scripts/reference/synthetic.js";
import { args, checkedSynthetic, compareSides, root } from "./common.js";

const outDir = path.join(root, "bench/.out");
const csv = path.join(outDir, "synthetic-full.csv");
if (!existsSync(csv) || args.includes("--regen")) {
  mkdirSync(outDir, { recursive: true });
  await writeFrameCsv(checkedSynthetic().frame, csv);
}
compareSides({
  title: "Model 4 from an analysis-rows CSV",
  python: "scripts/reference/bench_model4.py",
  candor: "bench/analysis/candor-child.ts",
  kind: "rows",
  input: csv,
  phases: (a, b) => [
    `statsmodels phases: import ${a.seconds.import!.toFixed(2)} s, read_csv ${a.seconds.load!.toFixed(2)} s, fit ${a.seconds.fit!.toFixed(2)} s, AMEs ${a.seconds.ame!.toFixed(2)} s`,
    `candor phases: read CSV ${b.seconds.load!.toFixed(2)} s, fit + SEs + AMEs + contrasts ${b.seconds.fit!.toFixed(2)} s`,
  ],
});
