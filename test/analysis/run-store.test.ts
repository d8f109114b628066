/**
 * End to end: a small audit against the scripted OpenAI-compatible test server,
 * then `candor analyze` on the run directory (rows come from the store).
 */
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeFrame, isFailure } from "../../src/analysis/analyze.js";
import { rowsToFrame } from "../../src/analysis/frame.js";
import { loadAnalysisFrame } from "../../src/analysis/load.js";
import { runAudit } from "../../src/stages/audit.js";
import { getNumeric } from "../../src/stats/frame.js";
import { loadAnalysisRows, loadAnalysisRowsFrame } from "../../src/store/analysis-rows.js";
import { scriptedReply, writeAuditConfig } from "../helpers/audit-fixtures.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";

let server: FakeServer;
beforeAll(async () => {
  server = await startOpenAIServer({ reply: scriptedReply });
});
afterAll(async () => {
  await server.close();
});

describe("analyze a candor run", () => {
  it("loads the store's rows and runs the models, the cells and the bootstrap", async () => {
    const { configFile } = writeAuditConfig(server.baseURL, { n: 4 });
    const { runDir } = await runAudit(configFile);
    const loaded = await loadAnalysisFrame(runDir);
    expect(loaded.source.kind).toBe("run");
    expect(loaded.frame.n).toBeGreaterThan(0);
    const analysis = analyzeFrame(loaded.frame, { bootstrapReplicates: 200 });
    expect(analysis.comparisons.map((c) => c.comparison)).toEqual(["warm"]);
    const cmp = analysis.comparisons[0]!;
    // The scripted warm subject always agrees with a stated belief: a separated fit,
    // which must come back flagged rather than as NaN.
    const m4 = cmp.models.find((m) => m.id === "model4")!;
    expect(isFailure(m4)).toBe(false);
    expect(JSON.stringify(analysis)).not.toMatch(/NaN|Infinity/);
    const userBelief = cmp.differences.find((d) => d.beliefGroup === "user_belief")!;
    expect(userBelief.treatmentErrorRate).toBe(1);
    expect(cmp.cells.length).toBeGreaterThan(0);
    // The streamed columns hold exactly the rows the object loader returns.
    const objects = rowsToFrame(loadAnalysisRows(runDir));
    expect(loaded.frame.n).toBe(objects.n);
    for (const [name, col] of objects.columns) {
      const a = loaded.frame.columns.get(name)!;
      const values = (c: typeof col) =>
        c.kind === "categorical" ? [...c.codes].map((k) => c.levels[k]) : [...c.values];
      expect(values(a), name).toEqual(values(col));
    }
    // Lengths are code points, also past an embedded NUL (where SQLite's length() stops).
    const db = new Database(path.join(runDir, "run.sqlite"));
    db.prepare("UPDATE responses SET text = ?").run("a😊\u0000bc");
    db.prepare("UPDATE responses SET text = ? WHERE rowid % 2 = 0").run("é😊’");
    db.close();
    const lengths = new Set(getNumeric(loadAnalysisRowsFrame(runDir), "response_length").values);
    expect([...lengths].sort()).toEqual([3, 5]);
  });
});
