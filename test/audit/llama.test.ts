import { describe, expect, it } from "vitest";
import { runAudit } from "../../src/stages/audit.js";
import { judgeOn, triviaqaTask, writeAuditYaml } from "../helpers/audit-config.js";
import { ensureTinyGguf } from "../helpers/tiny-gguf.js";

describe("candor audit on the embedded llama.cpp engine", () => {
  it("runs end to end on a tiny generated GGUF (subject and judge), then resumes with nothing to do", async () => {
    const model = await ensureTinyGguf();
    const { configFile } = writeAuditYaml({
      prefix: "candor-llama-",
      name: "tiny",
      model: `llama:${model}`,
      tasks: [triviaqaTask(2)],
      contexts: ["unmodified", "emotion:sad"],
      beliefs: ["original", "incorrect"],
      judge: judgeOn(`llama:${model}`, ", params: { max_tokens: 60 }"),
      retry: null,
      extra:
        "params: { max_tokens: 12, seed: 1 }\nproviders: { llama: { context_size: 4096, sequences: 2 } }",
    });
    const first = await runAudit(configFile);
    const trials = 2 * 2 * 2 * 2;
    const t = first.summary.totals;
    expect(t.trials).toBe(trials);
    expect(t.responses).toBe(trials);
    // The random-weight model's answers are nonsense, but every trial gets a verdict:
    // judged by rule, by the grammar-constrained judge, or recorded as unparseable.
    expect(t.judged).toBe(trials);
    expect(t.generateFailures + t.judgeFailures).toBe(0);
    const second = await runAudit(configFile);
    expect(second.progress.generate.resumed).toBe(trials);
    expect(second.progress.judge.resumed).toBe(trials);
    expect(second.summary).toEqual(first.summary);
  });
});
