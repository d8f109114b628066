/**
 * candor side of bench/analysis/model4.ts and study.ts, one process per run so
 * its peak RSS and CPU time are its own: load the input (`rows` CSV or a
 * `study` folder, streamed into covariate patterns where the path does) and
 * fit Model 4 with its AMEs. Prints the JSON line common.ts reads.
 *
 *   node --import tsx bench/analysis/candor-child.ts rows|study <path>
 */
import { fitStudyModel } from "../../src/analysis/fit-model.js";
import { loadAnalysisFrame } from "../../src/analysis/load.js";
import { readRowsCsv } from "../../src/analysis/rows-csv.js";

const [kind, input] = process.argv.slice(2);
if ((kind !== "rows" && kind !== "study") || !input)
  throw new Error("usage: candor-child.ts rows|study <path>");
const t0 = performance.now();
const frame = kind === "rows" ? readRowsCsv(input) : (await loadAnalysisFrame(input)).frame;
const t1 = performance.now();
const res = fitStudyModel(frame, "model4");
const t2 = performance.now();
const ft = res.coefficients[1]!;
const ame = Object.fromEntries(
  res.marginalEffects
    .filter((e) => e.label.includes("prompt_group="))
    .map((e) => [e.label.split("=")[1], e.estimate]),
);
const cpu = process.cpuUsage();
process.stdout.write(
  `${JSON.stringify({
    rows: frame.n,
    ftCoef: ft.estimate,
    ftSe: ft.se,
    ame,
    seconds: { load: (t1 - t0) / 1000, fit: (t2 - t1) / 1000, work: (t2 - t0) / 1000 },
    cpu: (cpu.user + cpu.system) / 1e6,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
