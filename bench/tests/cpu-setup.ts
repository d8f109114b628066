/**
 * Setup file for `bench/tests/per-file.ts`: appends one line per test file with the CPU
 * seconds its worker process and every child it reaped (CLI runs, chromium, npm) used while
 * the file ran, and the worker's CPU before it (its start-up and the files it ran earlier: the
 * suite shares workers between files, `isolate: false`). Read from /proc because wall time on
 * a shared, loaded machine says little.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { afterAll, expect } from "vitest";

const TICK = 100; // USER_HZ on Linux

function cpuSeconds(): { self: number; children: number } {
  // Fields after the parenthesised command name: utime stime cutime cstime are 12..15.
  const stat = readFileSync("/proc/self/stat", "utf8");
  const f = stat
    .slice(stat.lastIndexOf(")") + 2)
    .split(" ")
    .map(Number);
  return {
    self: ((f[11] ?? 0) + (f[12] ?? 0)) / TICK,
    children: ((f[13] ?? 0) + (f[14] ?? 0)) / TICK,
  };
}

const out = process.env.CANDOR_TEST_CPU;
const atLoad = cpuSeconds();
const startedAt = Date.now();

afterAll(() => {
  if (!out) return;
  const end = cpuSeconds();
  appendFileSync(
    out,
    `${JSON.stringify({
      file: expect.getState().testPath,
      pid: process.pid,
      before: atLoad.self,
      self: end.self - atLoad.self,
      children: end.children - atLoad.children,
      wall: (Date.now() - startedAt) / 1000,
    })}\n`,
  );
});
