/**
 * Prints the test files that cost most, from the lines bench/tests/cpu-setup.ts wrote:
 *   CANDOR_TEST_CPU=/tmp/cpu.jsonl npx vitest run --config bench/tests/vitest.cpu.config.ts
 *   node --import tsx bench/tests/top-files.ts /tmp/cpu.jsonl [15]
 * CPU seconds are the worker's own plus every child it reaped (CLI runs, chromium, npm).
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { z } from "zod";

const line = z.object({
  file: z.string(),
  boot: z.number(),
  self: z.number(),
  children: z.number(),
  wall: z.number(),
});

const [file, top = "15"] = process.argv.slice(2);
if (!file) throw new Error("usage: top-files.ts <cpu.jsonl> [n]");
const rows = readFileSync(file, "utf8")
  .trim()
  .split("\n")
  .map((l, i) => {
    const r = line.safeParse(JSON.parse(l));
    if (!r.success) throw new Error(`${file}: line ${i + 1}: ${r.error.message}`);
    return { ...r.data, cpu: r.data.self + r.data.children };
  })
  .sort((a, b) => b.cpu - a.cpu);
const sum = (k: "cpu" | "wall" | "boot") => rows.reduce((s, r) => s + r[k], 0);
console.log("file\tcpu s (worker + children)\twall s");
for (const r of rows.slice(0, Number(top))) {
  console.log(`${relative(process.cwd(), r.file)}\t${r.cpu.toFixed(1)}\t${r.wall.toFixed(1)}`);
}
console.log(
  `${rows.length} files\t${sum("cpu").toFixed(1)}\t${sum("wall").toFixed(1)} (worker start ${sum("boot").toFixed(1)} s cpu)`,
);
