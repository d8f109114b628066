import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUN_DB } from "../../src/stages/audit.js";
import { scriptedReply, writeAuditConfig } from "../helpers/audit-fixtures.js";
import { runCli } from "../helpers/cli.js";
import { type FakeServer, startOpenAIServer } from "../helpers/openai-server.js";
import { sharedData } from "../helpers/paths.js";

let server: FakeServer;
beforeAll(async () => {
  server = await startOpenAIServer({ reply: scriptedReply });
});
afterAll(async () => {
  await server.close();
});

function rows(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true });
  const out = {
    trials: db.prepare("SELECT count(*) FROM trials").pluck().get() as number,
    responses: db.prepare("SELECT count(*) FROM responses").pluck().get() as number,
    judgments: db.prepare("SELECT count(*) FROM judgments").pluck().get() as number,
  };
  db.close();
  return out;
}

describe("bad input", () => {
  it("fails clearly, names the place, and keeps what a run already stored", async () => {
    const { configFile, dir } = writeAuditConfig(server.baseURL, { n: 2 });
    const ok = await runCli(["audit", configFile]);
    expect(ok.code).toBe(0);
    const db = join(dir, "run", RUN_DB);
    const stored = rows(db);
    expect(stored.responses).toBe(stored.trials);
    const good = readFileSync(configFile, "utf8");

    const attempt = async (yaml: string) => {
      writeFileSync(configFile, yaml);
      const r = await runCli(["audit", configFile]);
      expect(r.code).not.toBe(0);
      expect(rows(db)).toEqual(stored);
      return r.stderr;
    };

    expect(await attempt(`${good}\nsubjects: [unclosed\n`)).toMatch(
      /audit\.yaml:\d+:\d+: invalid YAML/,
    );

    const scheme = await attempt(
      good.replace(
        /model: "openai-compatible:[^"]+#fake-model"(\s*, persona: warm)/,
        'model: "ollama:llama3"$1',
      ),
    );
    expect(scheme).toContain("subjects[1].model");
    expect(scheme).toContain('got "ollama:llama3"');

    const missing = await attempt(
      good.replace(join(sharedData, "triviaqa/test.jsonl"), join(dir, "nope.jsonl")),
    );
    expect(missing).toContain(join(dir, "nope.jsonl"));
    expect(missing).toMatch(/not found/i);

    const badCsv = join(dir, "bad.csv");
    writeFileSync(
      badCsv,
      "Type,Category,Best Answer,Correct Answers,Incorrect Answers\nA,B,c,d,e\n",
    );
    const column = await attempt(
      good.replace(join(sharedData, "truthfulqa/TruthfulQA.csv"), badCsv),
    );
    expect(column).toContain(badCsv);
    expect(column).toContain("Question");

    writeFileSync(configFile, good);
    const again = await runCli(["audit", configFile]);
    expect(again.code).toBe(0);
    expect(rows(db)).toEqual(stored);
  });
});
