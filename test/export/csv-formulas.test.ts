/**
 * Model output is untrusted: `candor export --format csv` defuses cells a spreadsheet would run
 * as a formula unless `--raw` asks for the text exactly.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../report/cli-inprocess.js";
import { buildRun, type FixtureRun } from "../report/run-fixture.js";

const FORMULAS = ['=HYPERLINK("http://evil.example","click")', "@SUM(A1:A9)", "+1+1", "-2+3"];
let run: FixtureRun;
beforeAll(async () => {
  run = await buildRun({ n: 2 });
  const db = new Database(run.dbFile);
  const ids = db
    .prepare("SELECT trial_id FROM responses ORDER BY rowid LIMIT ?")
    .pluck()
    .all(FORMULAS.length) as string[];
  const set = db.prepare("UPDATE responses SET text = ? WHERE trial_id = ?");
  for (const [i, id] of ids.entries()) set.run(FORMULAS[i], id);
  db.close();
});

function responses(file: string): string[] {
  const rows = parse(readFileSync(file, "utf8"), { columns: true }) as Record<string, string>[];
  return rows.map((r) => r.response ?? "");
}

describe("CSV export and formulas", () => {
  it("is spreadsheet-safe by default; --raw keeps the text exactly", async () => {
    const safe = join(run.dir, "safe.csv");
    await runCommand("export", run.runDir, "--format", "csv", "--out", safe);
    const safeTexts = responses(safe);
    for (const f of FORMULAS) {
      expect(safeTexts).toContain(`'${f}`);
      expect(safeTexts).not.toContain(f);
    }
    const raw = join(run.dir, "raw.csv");
    await runCommand("export", run.runDir, "--format", "csv", "--raw", "--out", raw);
    const rawTexts = responses(raw);
    for (const f of FORMULAS) expect(rawTexts).toContain(f);
  }, 120_000);
});
