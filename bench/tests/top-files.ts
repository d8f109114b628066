/**
 * The test files that cost most, from the lines bench/tests/cpu-setup.ts wrote. CPU seconds
 * are the worker's own plus every child it reaped (CLI runs, chromium, npm). Run by
 * bench/tests/per-file.ts, or alone: node --import tsx bench/tests/top-files.ts <cpu.jsonl> [n]
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

const line = z.object({
  file: z.string(),
  pid: z.number(),
  before: z.number(),
  self: z.number(),
  children: z.number(),
  wall: z.number(),
});

export function topFiles(file: string, top = 15): string {
  const rows = readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l, i) => {
      const r = line.safeParse(JSON.parse(l));
      if (!r.success) throw new Error(`${file}: line ${i + 1}: ${r.error.message}`);
      return { ...r.data, cpu: r.data.self + r.data.children };
    })
    .sort((a, b) => b.cpu - a.cpu);
  const sum = (k: "cpu" | "wall") => rows.reduce((s, r) => s + r[k], 0).toFixed(1);
  // A worker's start-up is its CPU before the first file it ran.
  const firstBefore = new Map<number, number>();
  for (const r of rows)
    firstBefore.set(r.pid, Math.min(firstBefore.get(r.pid) ?? r.before, r.before));
  const starts = [...firstBefore.values()].reduce((s, v) => s + v, 0).toFixed(1);
  return [
    "file\tcpu s (worker + children)\twall s",
    ...rows
      .slice(0, top)
      .map((r) => `${relative(process.cwd(), r.file)}\t${r.cpu.toFixed(1)}\t${r.wall.toFixed(1)}`),
    `${rows.length} files\t${sum("cpu")}\t${sum("wall")} (${firstBefore.size} workers, their starts: ${starts} s cpu)`,
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error("usage: top-files.ts <cpu.jsonl> [n]");
  console.log(topFiles(file, top ? Number(top) : 15));
}
