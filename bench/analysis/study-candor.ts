/**
 * candor side of bench/analysis/study.ts, in its own process so its peak RSS
 * is its own: import a study-layout folder (streaming, authors' rules), fit
 * Model 4 on covariate patterns with its AMEs. One JSON line out.
 */
import { fitStudyModel } from "../../src/analysis/fit-model.js";
import { loadAnalysisFrame } from "../../src/analysis/load.js";
import { patternsFromFrame } from "../../src/analysis/patterns.js";

const dir = process.argv[2];
if (!dir) throw new Error("usage: study-candor.ts <study dir>");
const t0 = performance.now();
const loaded = await loadAnalysisFrame(dir);
const t1 = performance.now();
const res = fitStudyModel(patternsFromFrame(loaded.frame), "model4");
const t2 = performance.now();
const ft = res.coefficients[1]!;
const ame = Object.fromEntries(
  res.marginalEffects
    .filter((e) => e.label.includes("prompt_group="))
    .map((e) => [e.label.split("=")[1], e.estimate]),
);
process.stdout.write(
  `${JSON.stringify({
    rows: loaded.frame.n,
    ftCoef: ft.estimate,
    ftSe: ft.se,
    ame,
    seconds: { load: (t1 - t0) / 1000, fit: (t2 - t1) / 1000, work: (t2 - t0) / 1000 },
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
