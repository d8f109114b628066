/**
 * Benchmark: the study's Model 4 on the 585,000-row synthetic data (5 models ×
 * 1,625 items × 9 contexts × 4 templates × original/warm), candor vs
 * statsmodels on the same CSV file. Each side runs in its own process; we
 * report process wall time (interpreter start + CSV load + fit + AMEs), the
 * in-process work time, peak RSS, and the ratio.
 *
 *   node --import tsx bench/analysis/model4.ts [--runs N] [--regen]
 *
 * The CSV is regenerated deterministically (scripts/reference/synthetic.ts,
 * checked against the committed Python checksum) into bench/.out/, which git ignores.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { FULL_ITEMS, generateSynthetic, writeFrameCsv } from "../../scripts/reference/synthetic.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const outDir = path.join(root, "bench/.out");
const csv = path.join(outDir, "synthetic-full.csv");
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

async function ensureCsv(): Promise<void> {
  if (existsSync(csv) && !args.includes("--regen")) return;
  mkdirSync(outDir, { recursive: true });
  const data = generateSynthetic(FULL_ITEMS);
  const expected = JSON.parse(
    readFileSync(path.join(root, "test/fixtures/stats/synthetic-full.json"), "utf8"),
  ).checksum;
  if (JSON.stringify(data.checksum) !== JSON.stringify(expected)) {
    throw new Error(
      `synthetic data checksum ${JSON.stringify(data.checksum)} ≠ Python's ${JSON.stringify(expected)}`,
    );
  }
  await writeFrameCsv(data.frame, csv);
}

function run(cmd: string, argv: string[]): Result {
  const t0 = performance.now();
  const p = spawnSync(cmd, argv, { cwd: root, encoding: "utf8", maxBuffer: 1 << 24 });
  const wall = (performance.now() - t0) / 1000;
  if (p.status !== 0) throw new Error(`${cmd} ${argv.join(" ")} failed:\n${p.stderr}`);
  const last = p.stdout.trim().split("\n").pop() ?? "";
  return { ...result.parse(JSON.parse(last)), wall };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

await ensureCsv();
const sm: Result[] = [];
const cd: Result[] = [];
for (let i = 0; i < runs; i++) {
  sm.push(run("/usr/bin/python3", ["scripts/reference/bench_model4.py", csv]));
  cd.push(run(process.execPath, ["--import", "tsx", "bench/analysis/model4-candor.ts", csv]));
}
const a = sm[0]!;
const b = cd[0]!;
const fmt = (x: number) => x.toFixed(2).padStart(7);
const smWall = median(sm.map((r) => r.wall));
const cdWall = median(cd.map((r) => r.wall));
const smWork = median(sm.map((r) => r.seconds.load! + r.seconds.fit! + r.seconds.ame!));
const cdWork = median(cd.map((r) => r.seconds.work!));
const smRss = Math.max(...sm.map((r) => r.maxRssMb));
const cdRss = Math.max(...cd.map((r) => r.maxRssMb));
process.stdout.write(
  [
    `Model 4 on ${a.rows.toLocaleString("en")} rows (${path.relative(root, csv)}), median of ${runs} run(s)`,
    "                     process wall s   load+fit+AME s   peak RSS MB",
    `statsmodels          ${fmt(smWall)}          ${fmt(smWork)}       ${fmt(smRss)}`,
    `candor               ${fmt(cdWall)}          ${fmt(cdWork)}       ${fmt(cdRss)}`,
    `speed-up (statsmodels / candor): ${(smWall / cdWall).toFixed(1)}× wall, ${(smWork / cdWork).toFixed(1)}× work`,
    `statsmodels phases: import ${a.seconds.import!.toFixed(2)} s, read_csv ${a.seconds.load!.toFixed(2)} s, fit ${a.seconds.fit!.toFixed(2)} s, AMEs ${a.seconds.ame!.toFixed(2)} s`,
    `candor phases: read CSV ${b.seconds.load!.toFixed(2)} s, fit + SEs + AMEs + contrasts ${b.seconds.fit!.toFixed(2)} s`,
    `agreement: ft coef ${a.ftCoef.toFixed(8)} vs ${b.ftCoef.toFixed(8)}; SE ${a.ftSe.toFixed(8)} vs ${b.ftSe.toFixed(8)}; ` +
      `AME original ${a.ame.original!.toFixed(8)} vs ${b.ame.original!.toFixed(8)}, user_opinion ${a.ame.user_opinion!.toFixed(8)} vs ${b.ame.user_opinion!.toFixed(8)}`,
    `targets: ≥ 10× faster (wall) → ${smWall / cdWall >= 10 ? "met" : "NOT met"}; ≤ 300 MB → ${cdRss <= 300 ? "met" : "NOT met"}`,
    "",
  ].join("\n"),
);
