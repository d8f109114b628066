/**
 * Storage failures end with a message naming the path and what to do, a non-zero exit and no
 * stack trace, and lose nothing that was committed. The full disk and the read-only copy use
 * real mounts (tmpfs, read-only bind), which need root: skipped with the reason otherwise.
 */
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROBE_MESSAGE } from "../../src/stages/preflight.js";
import { createViewer } from "../../src/viewer/app.js";
import { scriptedReply, writeAuditConfig } from "../helpers/audit-fixtures.js";
import { type CliResult, runCli, startCli } from "../helpers/cli.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";
import { tempDir } from "../helpers/paths.js";
import { countIn } from "../helpers/run-db.js";
import { runCommand } from "../report/cli-inprocess.js";

let server: FakeServer;
let generationCalls = 0;
beforeAll(async () => {
  server = await startOpenAIServer({
    reply: (req) => {
      // Trials only: the preflight's one probe per endpoint is not a trial.
      const probe = req.messages.at(-1)?.content === PROBE_MESSAGE;
      if (req.model !== "fake-judge" && !probe) generationCalls++;
      return scriptedReply(req);
    },
  });
});
afterAll(async () => {
  await server.close();
});

/** An export is written again; the run it came from is untouched, so there is nothing to resume. */
const EXPORT_FULL =
  /could not write the export: the disk is full; free some space \(or choose another place\) and run the command again: the run itself is unchanged/;

/** A clean failure: exit 2, `candor: <path>: …` with advice, no stack trace. */
function expectCleanFailure(r: CliResult, path: string, advice: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toContain(`candor: ${path}`);
  expect(r.stderr).toMatch(advice);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

const count = countIn;

/** Mounting needs root (and a kernel that allows it here); undefined = it works. */
function mountUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "mounting a tmpfs needs root";
  const probe = tempDir("candor-mount-probe-");
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", probe], { stdio: "ignore" });
    execFileSync("umount", [probe], { stdio: "ignore" });
    return undefined;
  } catch {
    return "mount -t tmpfs is not permitted on this machine";
  }
}
const noMount = mountUnavailable();
if (noMount)
  console.warn(`storage-failures: full-disk and read-only mount tests skipped: ${noMount}`);

describe("storage failures", () => {
  it("an output path under a file names it", async () => {
    const { configFile, dir } = writeAuditConfig(server.baseURL, { n: 1 });
    writeFileSync(join(dir, "blocker"), "not a directory");
    writeFileSync(
      configFile,
      readFileSync(configFile, "utf8").replace("output: run", "output: blocker/run"),
    );
    const r = await runCli(["audit", configFile]);
    expectCleanFailure(r, join(dir, "blocker", "run"), /a file is in the way/);
  });

  it("a zero-byte, a non-SQLite and a truncated run.sqlite are refused, untouched", async () => {
    const { configFile, dir } = writeAuditConfig(server.baseURL, { n: 1 });
    expect((await runCli(["audit", configFile])).code).toBe(0);
    const db = join(dir, "run", "run.sqlite");
    const good = join(dir, "good.sqlite");
    copyFileSync(db, good);
    expect(statSync(good).size).toBeGreaterThan(8192);

    writeFileSync(db, "");
    rmSync(`${db}-wal`, { force: true });
    rmSync(`${db}-shm`, { force: true });
    expectCleanFailure(await runCli(["audit", configFile]), db, /empty \(0 bytes\)/);
    expect(statSync(db).size).toBe(0);

    writeFileSync(db, "this is not a database ".repeat(400));
    for (const args of [
      ["audit", configFile],
      ["summary", join(dir, "run")],
    ]) {
      expectCleanFailure(await runCli(args), db, /not a candor run store/);
    }

    copyFileSync(good, db);
    truncateSync(db, Math.floor(statSync(good).size / 2));
    for (const args of [
      ["audit", configFile],
      ["summary", join(dir, "run")],
    ]) {
      expectCleanFailure(await runCli(args), db, /truncated \(\d+ of \d+ bytes\)/);
    }
    expect(statSync(db).size).toBe(Math.floor(statSync(good).size / 2));
  }, 120_000);

  it.skipIf(noMount !== undefined)(
    "a full disk stops the audit cleanly; after freeing space the re-run does only what is missing",
    async () => {
      const mnt = tempDir("candor-full-");
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", mnt]);
      try {
        const { configFile } = writeAuditConfig(server.baseURL, { n: 10, dir: mnt });
        const db = join(mnt, "run", "run.sqlite");
        const filler = join(mnt, "filler");
        const { child, done } = startCli(["audit", configFile]);
        // Once results are being written, fill the disk to its last byte.
        while (!existsSync(db) || count(db, "SELECT count(*) FROM responses") < 20) {
          await new Promise((r) => setTimeout(r, 10));
        }
        try {
          execFileSync("dd", ["if=/dev/zero", `of=${filler}`, "bs=64k"], { stdio: "ignore" });
        } catch {
          // dd stops with ENOSPC: the disk is full, as intended.
        }
        const failed = await done;
        expect(child.exitCode).toBe(2);
        expectCleanFailure(failed, db, /the disk is full; free some space and re-run/);
        rmSync(filler);
        const trials = count(db, "SELECT count(*) FROM trials");
        const saved = count(db, "SELECT count(*) FROM responses");
        expect(saved).toBeGreaterThanOrEqual(20);
        expect(saved).toBeLessThan(trials);

        const before = generationCalls;
        const rerun = await runCli(["audit", configFile]);
        expect(rerun.code, `${rerun.stderr}\n${rerun.stdout}`).toBe(0);
        // Nothing committed was lost: the re-run asked only for the missing responses.
        expect(generationCalls - before).toBe(trials - saved);
        expect(count(db, "SELECT count(*) FROM judgments WHERE judge != 'rule#v1'")).toBe(trials);
      } finally {
        execFileSync("umount", ["-l", mnt]);
      }
    },
    180_000,
  );

  it.skipIf(noMount !== undefined)(
    "an export to a full disk stops with its path and leaves no unfinished file, in every format",
    async () => {
      const { configFile, dir } = writeAuditConfig(server.baseURL, { n: 10 });
      expect((await runCli(["audit", configFile])).code).toBe(0);
      const run = join(dir, "run");
      const mnt = tempDir("candor-full-export-");
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=8k", "tmpfs", mnt]);
      try {
        for (const format of ["csv", "jsonl", "parquet"]) {
          const out = join(mnt, `responses.${format}`);
          const r = await runCli(["export", run, "--format", format, "-o", out]);
          expectCleanFailure(r, out, EXPORT_FULL);
          expect(existsSync(out), format).toBe(false);
        }
        const study = join(mnt, "study");
        const r = await runCli([
          "export",
          run,
          "--format",
          "csv",
          "--layout",
          "study",
          "-o",
          study,
        ]);
        expectCleanFailure(r, study, EXPORT_FULL);
        const left = readdirSync(study, { recursive: true, withFileTypes: true }).filter((e) =>
          e.isFile(),
        );
        expect(left.map((e) => e.name)).toEqual([]);
      } finally {
        execFileSync("umount", ["-l", mnt]);
      }
    },
  );

  it.skipIf(noMount !== undefined)(
    "a read-only copy without -wal/-shm opens for summary, report, export and the viewer",
    async () => {
      const { configFile, dir } = writeAuditConfig(server.baseURL, { n: 1 });
      expect((await runCli(["audit", configFile])).code).toBe(0);
      const src = join(dir, "run");
      expect(existsSync(join(src, "run.sqlite-wal"))).toBe(false);
      const ro = join(dir, "ro");
      mkdirSync(ro);
      execFileSync("mount", ["--bind", "-o", "ro", src, ro]);
      try {
        expect(() => writeFileSync(join(ro, "probe"), "x")).toThrow(/EROFS|read-only/);
        const summary = await runCli(["summary", ro]);
        expect(summary.code, summary.stderr).toBe(0);
        expect(summary.stdout).toContain("Treatment − reference");
        const out = join(dir, "out");
        await runCommand("report", ro, "--out", out);
        expect(readFileSync(join(out, "report.html"), "utf8")).toContain("<html");
        const exported = await runCommand(
          "export",
          ro,
          "--format",
          "jsonl",
          "--out",
          join(out, "r.jsonl"),
        );
        expect(readFileSync(exported.stdout.trim(), "utf8").split("\n").length).toBeGreaterThan(10);
        const viewer = createViewer(join(ro, "run.sqlite"));
        try {
          const res = await viewer.app.request("http://127.0.0.1/api/trials?");
          expect(res.status).toBe(200);
        } finally {
          viewer.close();
        }
      } finally {
        execFileSync("umount", ["-l", ro]);
      }
    },
    120_000,
  );
});
