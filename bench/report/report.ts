/**
 * Benchmark: `candor report` on a 504,000-trial run (bench/viewer/generate.ts,
 * 4 subjects × 4 tasks × 875 items × 36 conditions; generated once into
 * bench/.out/report-run). Reports the command a user runs (bin/candor.js, which runs
 * the compiled CLI after `npm ci`) and the whole report in a tsx process: wall time,
 * CPU time and peak RSS, and — as the baseline measured in this script — the analysis step
 * the previous way (every row streamed into a frame, analyzeFrame with its
 * per-cell table and bootstrap) against the current way (SQL counts, pattern
 * fits, no row frame), each in its own process. CPU time and peak RSS hold
 * on a loaded machine; wall time does not.
 *
 *   node --import tsx bench/report/report.ts [--regen]
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { cliEntry } from "../../bin/build-state.js";
import { generateRun } from "../viewer/generate.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const run = path.join(root, "bench/.out/report-run");
const out = path.join(root, "bench/.out/report-out");
if (!existsSync(path.join(run, "run.sqlite")) || process.argv.includes("--regen")) {
  process.stderr.write("generating the 504,000-trial run (slow, once) …\n");
  generateRun({ dir: run });
}

function child<T>(schema: z.ZodType<T>, argv: string[]): T & { wall: number } {
  const t0 = performance.now();
  const p = spawnSync(process.execPath, ["--import", "tsx", ...argv], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  const wall = (performance.now() - t0) / 1000;
  if (p.status !== 0) throw new Error(`${argv.join(" ")} failed:\n${p.stderr}`);
  return { ...schema.parse(JSON.parse(p.stdout.trim().split("\n").pop() ?? "")), wall };
}

const reportResult = z.object({
  seconds: z.number(),
  cpu: z.number(),
  maxRssMb: z.number(),
  headline: z.boolean(),
});
const analysisResult = z.object({
  rows: z.number(),
  load: z.number(),
  fit: z.number(),
  cpu: z.number(),
  maxRssMb: z.number(),
  coef: z.number(),
  cells: z.number(),
});

/** `candor report` as a user runs it (bin/candor.js), its own CPU and peak RSS. */
function userCommand(): { cpu: number; maxRssMb: number; wall: number; entry: string } {
  const usage = path.join(root, "bench/.out/report-usage.json");
  rmSync(usage, { force: true });
  rmSync(out, { recursive: true, force: true });
  const t0 = performance.now();
  const p = spawnSync(
    process.execPath,
    ["--import", "./bench/usage-on-exit.mjs", "bin/candor.js", "report", run, "--out", out],
    { cwd: root, encoding: "utf8", env: { ...process.env, CANDOR_BENCH_USAGE: usage } },
  );
  const wall = (performance.now() - t0) / 1000;
  if (p.status !== 0) throw new Error(`candor report failed:\n${p.stderr}`);
  const u = z
    .object({ cpu: z.number(), maxRssMb: z.number() })
    .parse(JSON.parse(readFileSync(usage, "utf8")));
  return { ...u, wall, entry: cliEntry(root) === "dist" ? "compiled dist/" : "tsx over src/" };
}

const user = userCommand();
rmSync(out, { recursive: true, force: true });
const rep = child(reportResult, ["bench/report/report-child.ts", run, out]);
const now = child(analysisResult, ["bench/report/analysis-child.ts", run, "counts"]);
const base = child(analysisResult, ["bench/report/analysis-child.ts", run, "frame"]);
const f = (x: number) => x.toFixed(2).padStart(8);
const r = (a: number, b: number) => `${(a / b).toFixed(1)}×`;
process.stdout.write(
  [
    `candor report on a 504,000-trial run (${path.relative(root, run)})`,
    `npx candor report (bin/candor.js → ${user.entry}): ${user.wall.toFixed(2)} s wall, ${user.cpu.toFixed(2)} s CPU, peak RSS ${user.maxRssMb.toFixed(0)} MB`,
    `whole report in a tsx process: ${rep.seconds.toFixed(2)} s in process (${rep.wall.toFixed(2)} s wall), ${rep.cpu.toFixed(2)} s CPU, peak RSS ${rep.maxRssMb.toFixed(0)} MB; headline available: ${rep.headline}`,
    `analysis step (Models 1, 3, 4 and the per-cell table per comparison, ${now.rows.toLocaleString("en")} rows):`,
    "                                        load s     fit s     CPU s   peak RSS MB",
    `previous (row frame, + bootstrap)   ${f(base.load)}  ${f(base.fit)}  ${f(base.cpu)}  ${f(base.maxRssMb)}`,
    `current (SQL counts, pattern fits)  ${f(now.load)}  ${f(now.fit)}  ${f(now.cpu)}  ${f(now.maxRssMb)}`,
    `ratios previous / current: wall ${r(base.load + base.fit, now.load + now.fit)}, CPU ${r(base.cpu, now.cpu)}, peak RSS ${r(base.maxRssMb, now.maxRssMb)}; same Model 4 coefficient: ${Math.abs(base.coef - now.coef) < 1e-9}; same cells: ${base.cells === now.cells}`,
    `target: the command a user runs ≤ 300 MB → ${user.maxRssMb <= 300 ? "met" : "NOT met"} (wall times are not comparable on a loaded machine; CPU and RSS are)`,
    "",
  ].join("\n"),
);
