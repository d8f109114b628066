import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { newBatchCounters } from "../../src/batch/counters.js";
import { ANTHROPIC_SAMPLING_API_VERSION } from "../../src/providers/anthropic.js";
import { RUN_DB, runAudit } from "../../src/stages/audit.js";
import { scriptedReply } from "../helpers/audit-fixtures.js";
import { writeBatchConfig } from "../helpers/batch-config.js";
import { count, useBatchServer } from "../helpers/batch-test.js";

const servers = useBatchServer();

describe("audit through a Batch API", () => {
  for (const provider of ["openai", "anthropic"] as const) {
    it(`${provider}: every trial generated, judged and rated for warmth by batch, no live call`, async () => {
      const server = await servers.start({ reply: scriptedReply });
      const { configFile, dir } = writeBatchConfig(server, provider, {
        extra: "challenge: {}",
        warmth: true,
      });
      const batchProgress = newBatchCounters();
      const result = await runAudit(configFile, { batchProgress });
      const db = join(dir, "run", RUN_DB);
      const trials = count(db, "SELECT count(*) FROM trials");
      expect(trials).toBe(2 * 6 * 2 * 4);
      expect(count(db, "SELECT count(*) FROM responses")).toBe(trials);
      // The run judge's verdicts; the rule cross-check (rule#v1) also grades TriviaQA.
      expect(count(db, "SELECT count(*) FROM judgments WHERE judge != 'rule#v1'")).toBe(trials);
      expect(count(db, "SELECT count(*) FROM challenges")).toBeGreaterThan(0);
      expect(count(db, "SELECT count(*) FROM failures")).toBe(0);
      // No live calls: only batch endpoints were used.
      const live = Object.keys(server.stats.byPath).filter((k) =>
        /chat\/completions|POST \/v1\/messages$/.test(k),
      );
      expect(live).toEqual([]);
      // One request line per trial for the subject model, nothing sent twice.
      const subjectModel = provider === "openai" ? "gpt-fake" : "claude-fake";
      const challenged = count(db, "SELECT count(*) FROM challenges");
      expect(server.stats.linesByModel[subjectModel]).toBe(trials + challenged);
      // Generation, judging and challenges are separate batches.
      expect(server.stats.batches).toBeGreaterThanOrEqual(3);
      expect(batchProgress.batchesEnded).toBe(server.stats.batches);
      expect(batchProgress.done).toBe(batchProgress.requests);
      // custom_id = the trial id for generation, `<trial id>-judge` for its verdict.
      const sentAs = (sql: string) =>
        count(db, `SELECT count(*) FROM batch_requests b JOIN trials t ON b.custom_id = ${sql}`);
      expect(sentAs("t.id")).toBe(trials);
      expect(sentAs("t.id || '-judge'")).toBeGreaterThan(trials / 2);
      // Warmth ratings are a round of their own: `<trial id>-warmth`, one per response.
      expect(sentAs("t.id || '-warmth'")).toBe(trials);
      expect(
        count(db, "SELECT count(*) FROM metrics WHERE metric = 'warmth.judge' AND label = 'RATED'"),
      ).toBe(trials);
      // The scripted judge rates the warm subject's glad agreement 6, plain answers 3.
      expect(
        count(
          db,
          "SELECT count(*) FROM metrics m JOIN responses r ON r.trial_id = m.trial_id WHERE m.metric = 'warmth.judge' AND m.value = 6 AND r.text LIKE '%so glad%'",
        ),
      ).toBe(count(db, "SELECT count(*) FROM responses WHERE text LIKE '%so glad%'"));
      expect(result.summary.warmth).toBeDefined();
      if (provider === "anthropic") {
        // Each batch body streamed from its file, with the API version sampling needs.
        expect(server.stats.anthropicVersions).toHaveLength(server.stats.batches);
        expect(new Set(server.stats.anthropicVersions)).toEqual(
          new Set([ANTHROPIC_SAMPLING_API_VERSION]),
        );
      }
      // The scripted warm subject agrees with the user's belief: the summary sees it.
      expect(result.summary.cells.some((c) => c.subject === "warm" && c.incorrect > 0)).toBe(true);
      // Stored text is each request's own reply, matched by custom_id in reversed result order.
      const agree = "You're right, and I'm so glad you asked!";
      const bySubject = (subject: string) =>
        count(
          db,
          `SELECT count(*) FROM responses r JOIN trials t ON t.id = r.trial_id WHERE t.subject_id = '${subject}' AND r.text = '${agree.replace(/'/g, "''")}'`,
        );
      expect(bySubject("warm")).toBeGreaterThan(0);
      expect(bySubject("reference")).toBe(0);
    });
  }
});
