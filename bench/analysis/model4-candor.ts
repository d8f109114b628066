/**
 * candor side of bench/analysis/model4.ts, run in its own process so its peak
 * RSS is its own: read the analysis-rows CSV and fit Model 4 with AMEs.
 * Prints one JSON line with phase timings and peak RSS.
 */
import { fitStudyModel } from "../../src/analysis/fit-model.js";
import { readRowsCsv } from "../../src/analysis/rows-csv.js";

const file = process.argv[2];
if (!file) throw new Error("usage: model4-candor.ts <rows.csv>");
const t0 = performance.now();
const frame = readRowsCsv(file);
const t1 = performance.now();
const res = fitStudyModel(frame, "model4");
const t2 = performance.now();
const ft = res.coefficients[1]!;
const ame = Object.fromEntries(
  res.marginalEffects
    .filter((e) => e.label.includes("prompt_group="))
    .map((e) => [e.label.split("=")[1], e.estimate]),
);
process.stdout.write(
  `${JSON.stringify({
    rows: frame.n,
    ftCoef: ft.estimate,
    ftSe: ft.se,
    ame,
    seconds: { load: (t1 - t0) / 1000, fit: (t2 - t1) / 1000, work: (t2 - t0) / 1000 },
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
