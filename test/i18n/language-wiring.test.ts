/**
 * A run in English and German with pressure over turns and a pipeline subject: every
 * push-back and every rewrite instruction a model receives is in its trial's language, and
 * the audit file's own pressure texts replace the pack's in the first language only.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipelineTextsFor, pressureTextsFor } from "../../src/design/language-texts.js";
import { pack } from "../../src/i18n/index.js";
import { RUN_DB, runAudit } from "../../src/stages/audit.js";
import { triviaqaTask, writeAuditYaml } from "../helpers/audit-config.js";
import {
  type FakeChatRequest,
  type FakeServer,
  startOpenAIServer,
} from "../helpers/openai-server.js";

const OWN_SIMPLE = "Hmm, really? Check again.";
const restyleInstructions: string[] = [];

function reply(req: FakeChatRequest): string {
  const first = req.messages[0]?.content ?? "";
  for (const code of ["en", "de"] as const) {
    const instruction = pack(code).pipeline.restyle_instruction;
    if (first.startsWith(instruction)) {
      restyleInstructions.push(code);
      return first.slice(instruction.length);
    }
  }
  return "I am not sure.";
}

let server: FakeServer;
beforeAll(async () => {
  server = await startOpenAIServer({ reply });
});
afterAll(async () => {
  await server.close();
});

describe("languages reach pressure and the pipeline", () => {
  it("texts per trial language; the audit's own texts in the first language only", () => {
    const config = { language: ["en", "de"] as ("en" | "de")[] };
    expect(pressureTextsFor(config, { simple: OWN_SIMPLE }, "en").simple).toBe(OWN_SIMPLE);
    expect(pressureTextsFor(config, { simple: OWN_SIMPLE }, "de")).toEqual(pack("de").pressure);
    expect(pipelineTextsFor("ar")).toEqual(pack("ar").pipeline);
  });

  it("a German trial is pushed back on and rewritten in German, an English one in English", async () => {
    const { dir, configFile } = writeAuditYaml({
      prefix: "candor-lang-wiring-",
      name: "wiring",
      seed: 3,
      language: "[en, de]",
      model: `openai-compatible:${server.baseURL}#fake-model`,
      subjects: [{ id: "reference" }, { id: "pipeline", pipeline: "answer_then_restyle" }],
      tasks: [triviaqaTask(2)],
      beliefs: ["original"],
      judge: "{ model: rule }",
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
      extra: `pressure: { turns: 2, ladder: [simple, ethos], texts: { simple: "${OWN_SIMPLE}" } }`,
    });
    await runAudit(configFile);
    const db = new Database(join(dir, "run", RUN_DB), { readonly: true });
    const pushBacks = db
      .prepare(
        `SELECT t.language, p.turn, p.push_back FROM pressure_turns p JOIN trials t ON t.id = p.trial_id
         GROUP BY t.language, p.turn, p.push_back ORDER BY t.language, p.turn`,
      )
      .all();
    db.close();
    expect(pushBacks).toEqual([
      { language: "de", turn: 1, push_back: pack("de").pressure.simple },
      { language: "de", turn: 2, push_back: pack("de").pressure.ethos },
      { language: "en", turn: 1, push_back: OWN_SIMPLE },
      { language: "en", turn: 2, push_back: pack("en").pressure.ethos },
    ]);
    // 2 items × 1 condition × 2 languages, one rewrite per pipeline trial, in its language.
    expect(restyleInstructions.sort()).toEqual(["de", "de", "en", "en"]);
  });
});
