/**
 * What bench/analysis/model4.ts (rows CSV) and study.ts (study folder) share:
 * the synthetic data checked against Python's checksum, one child process per
 * side and run, the JSON line each child prints, and the comparison table
 * with wall and CPU ratios. CPU time and peak RSS hold on a loaded machine;
 * wall time does not, so both are printed.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { FULL_ITEMS, generateSynthetic } from "../../scripts/reference/synthetic.js";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const args = process.argv.slice(2);
export const runs = Number(args[args.indexOf("--runs") + 1] ?? 3) || 3;

/** The 585,000-row synthetic data, refused if it differs from what Python generates. */
export function checkedSynthetic(): ReturnType<typeof generateSynthetic> {
  const data = generateSynthetic(FULL_ITEMS);
  const expected = JSON.parse(
    readFileSync(path.join(root, "test/fixtures/stats/synthetic-full.json"), "utf8"),
  ).checksum;
  if (JSON.stringify(data.checksum) !== JSON.stringify(expected)) {
    throw new Error(
      `synthetic data checksum ${JSON.stringify(data.checksum)} ≠ Python's ${JSON.stringify(expected)}`,
    );
  }
  return data;
}

/** The line every child prints (scripts/reference/bench_common.py, candor-child.ts). */
const result = z.object({
  rows: z.number(),
  ftCoef: z.number(),
  ftSe: z.number(),
  ame: z.record(z.string(), z.number()),
  seconds: z.record(z.string(), z.number()),
  cpu: z.number(),
  maxRssMb: z.number(),
});
export type Result = z.infer<typeof result> & { wall: number };

function run(cmd: string, argv: string[]): Result {
  const t0 = performance.now();
  const p = spawnSync(cmd, argv, { cwd: root, encoding: "utf8", maxBuffer: 1 << 24 });
  const wall = (performance.now() - t0) / 1000;
  if (p.status !== 0) throw new Error(`${cmd} ${argv.join(" ")} failed:\n${p.stderr}`);
  const last = p.stdout.trim().split("\n").pop() ?? "";
  return { ...result.parse(JSON.parse(last)), wall };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Runs statsmodels (`python`, a script under scripts/reference/) and candor
 * (`candor`, a child under bench/analysis/) `runs` times each on `input`,
 * alternating, and prints the table: process wall, CPU and work seconds
 * (medians), peak RSS (max), ratios and agreement.
 */
export function compareSides(opts: {
  title: string;
  python: string;
  candor: string;
  /** What the candor child reads: "rows" (a CSV) or "study" (a folder). */
  kind: "rows" | "study";
  input: string;
  phases: (sm: Result, cd: Result) => string[];
}): void {
  const sm: Result[] = [];
  const cd: Result[] = [];
  for (let i = 0; i < runs; i++) {
    sm.push(run("/usr/bin/python3", [opts.python, opts.input]));
    cd.push(run(process.execPath, ["--import", "tsx", opts.candor, opts.kind, opts.input]));
  }
  const a = sm[0]!;
  const b = cd[0]!;
  const fmt = (x: number) => x.toFixed(2).padStart(7);
  const stat = (xs: Result[]) => ({
    wall: median(xs.map((r) => r.wall)),
    cpu: median(xs.map((r) => r.cpu)),
    work: median(xs.map((r) => r.seconds.work!)),
    rss: Math.max(...xs.map((r) => r.maxRssMb)),
  });
  const s = stat(sm);
  const c = stat(cd);
  const ratio = (x: number, y: number) => `${(x / y).toFixed(1)}×`;
  process.stdout.write(
    [
      `${opts.title}, ${a.rows.toLocaleString("en")} rows (${path.relative(root, opts.input)}), median of ${runs} run(s)`,
      "                     process wall s    process CPU s   in-process work s   peak RSS MB",
      `statsmodels          ${fmt(s.wall)}          ${fmt(s.cpu)}          ${fmt(s.work)}         ${fmt(s.rss)}`,
      `candor               ${fmt(c.wall)}          ${fmt(c.cpu)}          ${fmt(c.work)}         ${fmt(c.rss)}`,
      `speed-up (statsmodels / candor): ${ratio(s.wall, c.wall)} wall, ${ratio(s.cpu, c.cpu)} CPU, ${ratio(s.work, c.work)} work; memory ${ratio(s.rss, c.rss)} less`,
      ...opts.phases(a, b),
      `agreement: rows ${a.rows} vs ${b.rows}; ft coef ${a.ftCoef.toFixed(8)} vs ${b.ftCoef.toFixed(8)}; SE ${a.ftSe.toFixed(8)} vs ${b.ftSe.toFixed(8)}; ` +
        `AME original ${a.ame.original!.toFixed(8)} vs ${b.ame.original!.toFixed(8)}, user_opinion ${a.ame.user_opinion!.toFixed(8)} vs ${b.ame.user_opinion!.toFixed(8)}`,
      `targets: ≥ 10× statsmodels end to end → wall ${s.wall / c.wall >= 10 ? "met" : "NOT met"}, CPU ${s.cpu / c.cpu >= 10 ? "met" : "NOT met"}; ≤ 300 MB → ${c.rss <= 300 ? "met" : "NOT met"}`,
      "(the machine may be shared: CPU seconds and peak RSS are robust to load, wall seconds are not)",
      "",
    ].join("\n"),
  );
}
