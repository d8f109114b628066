/**
 * What the test suite costs, per file and in total: runs `vitest run` with the suite's own
 * config plus bench/tests/cpu-setup.ts, then prints the 15 costliest files and the whole
 * run's CPU seconds (vitest and every process under it) and wall time. Extra arguments go
 * to vitest (e.g. a folder). CPU, not wall, is the figure to compare on a shared machine.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { topFiles } from "./top-files.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const out = join(root, "bench/.out");
const cpuFile = join(out, "test-cpu.jsonl");
mkdirSync(out, { recursive: true });
rmSync(cpuFile, { force: true });

/** CPU seconds of the children this process has waited for (utime + stime of reaped children). */
function childrenCpu(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[13]) + Number(f[14])) / 100;
}

const load = loadavg()[0]!.toFixed(1);
const started = Date.now();
const r = spawnSync(
  process.execPath,
  [
    join(root, "node_modules/vitest/vitest.mjs"),
    "run",
    "--config",
    "bench/tests/vitest.cpu.config.ts",
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: "inherit", env: { ...process.env, CANDOR_TEST_CPU: cpuFile } },
);
const wall = (Date.now() - started) / 1000;
console.log(`\n${topFiles(cpuFile)}`);
console.log(
  `whole run: ${childrenCpu().toFixed(1)} s CPU, ${wall.toFixed(1)} s wall ` +
    `(load average ${load} at start, ${loadavg()[0]!.toFixed(1)} at end; vitest exit ${r.status})`,
);
process.exitCode = r.status ?? 1;
