/**
 * A dataset whose item changed (same id, another reference answer) is a design change: the
 * re-run is refused with the design-change message naming the item, and the run's stored items
 * and dataset provenance stay as they were.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { judgeOn, writeAuditYaml } from "../helpers/audit-config.js";
import { scriptedReply } from "../helpers/audit-fixtures.js";
import { runCli } from "../helpers/cli.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";
import { sharedData, tempDir } from "../helpers/paths.js";

let server: FakeServer;
beforeAll(async () => {
  server = await startOpenAIServer({ reply: scriptedReply });
});
afterAll(async () => {
  await server.close();
});

describe("content-addressed items", () => {
  it("a changed reference answer is refused, naming the item", async () => {
    const dir = tempDir("candor-items-");
    const data = join(dir, "trivia.jsonl");
    const lines = readFileSync(join(sharedData, "triviaqa/test.jsonl"), "utf8")
      .split("\n")
      .slice(0, 2);
    writeFileSync(data, `${lines.join("\n")}\n`);
    const { configFile } = writeAuditYaml({
      dir,
      name: "items",
      seed: 7,
      model: `openai-compatible:${server.baseURL}#fake-model`,
      subjects: [{ id: "reference" }],
      tasks: [`{ task: triviaqa, path: "${data}" }`],
      beliefs: ["original"],
      judge: judgeOn(`openai-compatible:${server.baseURL}#fake-judge`),
      retry: null,
    });
    const first = await runCli(["audit", configFile]);
    expect(first.code, first.stderr).toBe(0);
    const db = join(dir, "run", "run.sqlite");
    const snapshot = () => {
      const d = new Database(db, { readonly: true });
      try {
        return {
          items: d.prepare("SELECT task, id, question, correct_json FROM items ORDER BY id").all(),
          datasets: d.prepare("SELECT value FROM meta WHERE key = 'datasets'").pluck().get(),
        };
      } finally {
        d.close();
      }
    };
    const before = snapshot();

    // Same id and question, one more alias: the prompt is unchanged, the reference answers not.
    const item = JSON.parse(lines[1]!) as { question_id: string; answer: { aliases: string[] } };
    item.answer.aliases.push("Mare Nigrum (test alias)");
    writeFileSync(data, `${lines[0]}\n${JSON.stringify(item)}\n`);
    const second = await runCli(["audit", configFile]);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(
      `item triviaqa/${item.question_id} changed in the dataset since this run recorded it (correct differ)`,
    );
    expect(second.stderr).toContain(
      "Nothing was changed; set a different `output:` directory for the new design, or restore the previous config to resume.",
    );
    expect(second.stderr).not.toMatch(/\n\s+at /);
    expect(snapshot()).toEqual(before);

    // Restoring the file resumes normally.
    writeFileSync(data, `${lines.join("\n")}\n`);
    expect((await runCli(["audit", configFile])).code).toBe(0);
  }, 120_000);
});
