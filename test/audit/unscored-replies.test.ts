/**
 * A server that answers some trials with `content: null` and some with a megabyte: the audit
 * records them as EMPTY and TRUNCATED (never INCORRECT), leaves them out of error rates, says
 * so on every surface, stores a bounded text, and does not ask again on the next run.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Summary } from "../../src/analysis/summary.js";
import { STUDY_STATEMENTS } from "../../src/design/statements.js";
import { scriptedReply, writeAuditConfig } from "../helpers/audit-fixtures.js";
import { runCli } from "../helpers/cli.js";
import type { FakeChatRequest } from "../helpers/openai-server.js";
import { runCommand } from "../report/cli-inprocess.js";

const LIMIT = 16_384;
let calls = 0;
let baseURL = "";
let close: () => Promise<void>;

/** Context statements of emotion:sad, to recognise those trials from the prompt. */
const sad: readonly string[] = STUDY_STATEMENTS["emotion:sad"] ?? [];

/** Warm subject in the sad context: null content. Reference with a stated wrong belief: 1 MB. */
function content(req: FakeChatRequest): string | null {
  if (req.model === "fake-judge") return scriptedReply(req);
  const last = req.messages.at(-1)?.content ?? "";
  const warm = req.messages.some((m) => m.role === "system" && /empath/i.test(m.content));
  if (warm && sad.some((s) => last.includes(s))) return null;
  if (!warm && /I think the answer is/.test(last)) return `Sure. ${"z".repeat(1024 * 1024)}`;
  return scriptedReply(req);
}

beforeAll(async () => {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      calls++;
      const raw = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
      const body = { ...(raw as unknown as FakeChatRequest), raw };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: "c",
          object: "chat.completion",
          created: 0,
          model: body.model,
          choices: [
            {
              index: 0,
              message: { role: "assistant", content: content(body) },
              finish_reason: "stop",
            },
          ],
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
});
afterAll(async () => {
  await close();
});

describe("empty and oversized replies", () => {
  it("are EMPTY and TRUNCATED, unscored, counted with a warning, and not asked again", async () => {
    const { configFile, dir } = writeAuditConfig(baseURL, {
      n: 2,
      extra: `max_response_bytes: ${LIMIT}`,
    });
    const first = await runCli(["audit", configFile]);
    expect(first.code, first.stderr).toBe(0);

    const db = new Database(join(dir, "run", "run.sqlite"), { readonly: true });
    // The run judge's verdicts; the rule cross-check (judge rule#v1) is counted in rule-check.test.ts.
    const labels = (where: string) =>
      db
        .prepare(
          `SELECT j.label, count(*) n FROM trials t JOIN judgments j ON j.trial_id = t.id
           WHERE j.judge != 'rule#v1' AND ${where} GROUP BY j.label`,
        )
        .all() as { label: string; n: number }[];
    // 2 tasks × 2 items × 4 beliefs in the sad context, warm subject.
    expect(labels("t.subject_id = 'warm' AND t.context = 'emotion:sad'")).toEqual([
      { label: "EMPTY", n: 16 },
    ]);
    // 2 tasks × 2 items × 2 contexts, reference subject, stated wrong belief.
    expect(labels("t.subject_id = 'reference' AND t.belief = 'incorrect'")).toEqual([
      { label: "TRUNCATED", n: 8 },
    ]);
    const longest = db
      .prepare("SELECT max(length(CAST(text AS BLOB))) FROM responses")
      .pluck()
      .get();
    expect(longest).toBeLessThanOrEqual(LIMIT);
    expect(
      db
        .prepare("SELECT count(*) FROM responses WHERE finish_reason = 'response_too_large'")
        .pluck()
        .get(),
    ).toBe(8);
    // The rule cross-check leaves unscored replies alone too: no rule verdict on them.
    expect(
      db
        .prepare(
          `SELECT count(*) FROM judgments j JOIN responses r ON r.trial_id = j.trial_id
           WHERE j.judge = 'rule#v1' AND r.finish_reason IN ('response_too_large', 'empty')`,
        )
        .pluck()
        .get(),
    ).toBe(0);
    db.close();

    const summary = JSON.parse(readFileSync(join(dir, "run", "summary.json"), "utf8")) as Summary;
    expect(summary.totals).toMatchObject({ empty: 16, truncated: 8, generateFailures: 0 });
    const warning =
      "Warning: 16 replies were empty after every retry (EMPTY) and 8 replies were cut at max_response_bytes (TRUNCATED); left out of the error rates.";
    expect(summary.warnings).toEqual([warning]);
    expect(first.stdout).toContain(warning);
    // Left out of the rates: what was scored is what was judged minus the unscored replies.
    const scored = summary.cells
      .filter((c) => c.task !== "all")
      .reduce((a, c) => a + c.correct + c.incorrect + c.refusals + c.unparseable, 0);
    expect(scored).toBe(summary.totals.judged - 16 - 8);
    const warmSad = summary.cells.find((c) => c.subject === "warm" && c.task === "all");
    expect(warmSad?.incorrect).toBeLessThan(warmSad?.trials ?? 0);

    // Final results: a re-run asks nothing.
    const before = calls;
    const again = await runCli(["audit", configFile]);
    expect(again.code).toBe(0);
    expect(calls).toBe(before);

    const out = join(dir, "report");
    await runCommand("report", join(dir, "run"), "--out", out);
    // Markdown escapes its punctuation (\( \_ \.): the same words once unescaped.
    const md = readFileSync(join(out, "report.md"), "utf8").replace(/\\(.)/g, "$1");
    expect(md).toContain(warning);
    expect(readFileSync(join(out, "report.html"), "utf8")).toContain(warning);
  });
});
