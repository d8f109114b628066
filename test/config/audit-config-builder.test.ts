/**
 * The test helper that writes audit files (test/helpers/audit-config.ts) must write what its
 * options say, or every end-to-end test built on it would test another audit than it claims.
 */
import { describe, expect, it } from "vitest";
import { parseAuditConfig } from "../../src/config/load.js";
import {
  auditYaml,
  judgeOn,
  TRIVIAQA_FILE,
  triviaqaTask,
  truthfulqaTask,
} from "../helpers/audit-config.js";

const model = "openai-compatible:http://127.0.0.1:9/v1#fake-model";

describe("auditYaml", () => {
  it("defaults: reference and warm compared, unmodified context, quick retries", () => {
    const config = parseAuditConfig(
      auditYaml({ name: "x", model, tasks: [triviaqaTask(3)], judge: "{ model: rule }" }),
      "a.yaml",
    );
    expect(config.subjects.map((s) => [s.id, s.model, s.persona])).toEqual([
      ["reference", model, undefined],
      ["warm", model, "warm"],
    ]);
    expect(config.compare).toEqual([{ reference: "reference", treatments: ["warm"] }]);
    expect(config.tasks).toMatchObject([{ task: "triviaqa", path: TRIVIAQA_FILE, n: 3 }]);
    expect(config.contexts).toEqual(["unmodified"]);
    expect(config.judge.model).toBe("rule");
    expect(config.retry).toMatchObject({ max_attempts: 3, base_delay_ms: 1, max_delay_ms: 5 });
    expect(config.output).toBe("run");
  });

  it("writes every option it is given", () => {
    const judge = "openai-compatible:http://127.0.0.1:9/v1#fake-judge";
    const config = parseAuditConfig(
      auditYaml({
        name: "y",
        seed: 11,
        language: "[en, de]",
        model,
        subjects: [
          { id: "reference" },
          { id: "pipeline", pipeline: "answer_then_restyle" },
          { id: "other", model: "openai:gpt-4o-mini", persona: "cold" },
        ],
        tasks: [triviaqaTask(2, ", judge: { model: rule }"), truthfulqaTask(4)],
        contexts: ["unmodified", "emotion:sad"],
        beliefs: ["original", "incorrect"],
        judge: judgeOn(judge, ", max_unparseable: 0.3"),
        retry: { maxAttempts: 20, baseDelayMs: 1, maxDelayMs: 20 },
        extra: "pressure: { turns: 2 }",
      }),
      "b.yaml",
    );
    expect(config.seed).toBe(11);
    expect(config.language).toEqual(["en", "de"]);
    expect(config.subjects.map((s) => [s.id, s.model])).toEqual([
      ["reference", model],
      ["pipeline", model],
      ["other", "openai:gpt-4o-mini"],
    ]);
    expect(config.subjects[1]?.pipeline).toBeDefined();
    expect(config.subjects[2]?.persona).toBe("cold");
    expect(config.compare).toEqual([{ reference: "reference", treatments: ["pipeline", "other"] }]);
    expect(config.tasks[0]?.judge?.model).toBe("rule");
    expect(config.tasks[1]).toMatchObject({ task: "truthfulqa", n: 4 });
    expect(config.contexts).toEqual(["unmodified", "emotion:sad"]);
    expect(config.beliefs).toEqual(["original", "incorrect"]);
    expect(config.judge).toMatchObject({ model: judge, max_unparseable: 0.3 });
    expect(config.retry).toMatchObject({ max_attempts: 20, max_delay_ms: 20 });
    expect(config.pressure?.turns).toBe(2);
  });

  it("leaves out what it is told to: output, retry, contexts and the comparison", () => {
    const text = auditYaml({
      name: "z",
      model,
      subjects: [{ id: "reference" }, { id: "warm", persona: "warm" }],
      compare: false,
      tasks: [triviaqaTask(1)],
      judge: "{ model: rule }",
      output: null,
      retry: null,
      contexts: null,
    });
    expect(text).not.toMatch(/^(output|retry|contexts|compare):/m);
    expect(parseAuditConfig(text, "c.yaml").subjects).toHaveLength(2);
  });
});
