/**
 * Benchmark: the study-folder path. The 585,000-row synthetic data written in
 * the study's released layout (40 CSV files with outputs), then Model 4 with
 * its AMEs, candor (streaming import → covariate patterns → fit) vs
 * statsmodels (pandas read_csv + the authors' rules + formula GLM). Each side in
 * its own process: process wall time, in-process work time, peak RSS, ratios.
 *
 *   node --import tsx bench/analysis/study.ts [--runs N] [--regen]
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { FULL_ITEMS, generateSynthetic } from "../../scripts/reference/synthetic.js";
import { writeStudyLayout } from "./study-layout.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const dir = path.join(root, "bench/.out/study-full");
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1] ?? 3) || 3;

const result = z.object({
  rows: z.number(),
  ftCoef: z.number(),
  ftSe: z.number(),
  ame: z.record(z.string(), z.number()),
  seconds: z.record(z.string(), z.number()),
  maxRssMb: z.number(),
});
type Result = z.infer<typeof result> & { wall: number };

function ensureLayout(): void {
  if (existsSync(path.join(dir, "done")) && !args.includes("--regen")) return;
  rmSync(dir, { recursive: true, force: true });
  const data = generateSynthetic(FULL_ITEMS);
  const expected = JSON.parse(
    readFileSync(path.join(root, "test/fixtures/stats/synthetic-full.json"), "utf8"),
  ).checksum;
  if (JSON.stringify(data.checksum) !== JSON.stringify(expected))
    throw new Error("synthetic data checksum differs from Python's");
  writeStudyLayout(data.frame, dir);
  spawnSync("touch", [path.join(dir, "done")]);
}

function run(cmd: string, argv: string[]): Result {
  const t0 = performance.now();
  const p = spawnSync(cmd, argv, { cwd: root, encoding: "utf8", maxBuffer: 1 << 24 });
  const wall = (performance.now() - t0) / 1000;
  if (p.status !== 0) throw new Error(`${cmd} ${argv.join(" ")} failed:\n${p.stderr}`);
  const last = p.stdout.trim().split("\n").pop() ?? "";
  return { ...result.parse(JSON.parse(last)), wall };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

ensureLayout();
const sm: Result[] = [];
const cd: Result[] = [];
for (let i = 0; i < runs; i++) {
  sm.push(run("/usr/bin/python3", ["scripts/reference/bench_study.py", dir]));
  cd.push(run(process.execPath, ["--import", "tsx", "bench/analysis/study-candor.ts", dir]));
}
const a = sm[0]!;
const b = cd[0]!;
const fmt = (x: number) => x.toFixed(2).padStart(7);
const smWall = median(sm.map((r) => r.wall));
const cdWall = median(cd.map((r) => r.wall));
const smWork = median(sm.map((r) => r.seconds.work!));
const cdWork = median(cd.map((r) => r.seconds.work!));
const smRss = Math.max(...sm.map((r) => r.maxRssMb));
const cdRss = Math.max(...cd.map((r) => r.maxRssMb));
process.stdout.write(
  [
    `Model 4 from the study folder layout, ${a.rows.toLocaleString("en")} rows (${path.relative(root, dir)}), median of ${runs} run(s)`,
    "                     process wall s   import+fit+AME s   peak RSS MB",
    `statsmodels          ${fmt(smWall)}          ${fmt(smWork)}         ${fmt(smRss)}`,
    `candor               ${fmt(cdWall)}          ${fmt(cdWork)}         ${fmt(cdRss)}`,
    `speed-up (statsmodels / candor): ${(smWall / cdWall).toFixed(1)}× wall, ${(smWork / cdWork).toFixed(1)}× work`,
    `statsmodels phases: read+rules ${a.seconds.load!.toFixed(2)} s, fit ${a.seconds.fit!.toFixed(2)} s, AMEs ${a.seconds.ame!.toFixed(2)} s`,
    `candor phases: streaming import ${b.seconds.load!.toFixed(2)} s, patterns + fit + SEs + AMEs + contrasts ${b.seconds.fit!.toFixed(2)} s`,
    `agreement: rows ${a.rows} vs ${b.rows}; ft coef ${a.ftCoef.toFixed(8)} vs ${b.ftCoef.toFixed(8)}; SE ${a.ftSe.toFixed(8)} vs ${b.ftSe.toFixed(8)}; ` +
      `AME original ${a.ame.original!.toFixed(8)} vs ${b.ame.original!.toFixed(8)}, user_opinion ${a.ame.user_opinion!.toFixed(8)} vs ${b.ame.user_opinion!.toFixed(8)}`,
    `targets: ≥ 10× faster (wall) → ${smWall / cdWall >= 10 ? "met" : "NOT met"}; ≤ 300 MB → ${cdRss <= 300 ? "met" : "NOT met"}`,
    "",
  ].join("\n"),
);
