import { describe, expect, it } from "vitest";
import { parseAuditConfig } from "../../src/config/load.js";
import { auditJsonSchema } from "../../src/config/schema.js";
import { ConfigError } from "../../src/errors.js";

const base = `
name: t
subjects:
  - id: ref
    model: openai:gpt-4o-2024-08-06
  - id: warm
    model: openai:gpt-4o-2024-08-06
    persona: warm
compare:
  - reference: ref
    treatments: [warm]
tasks:
  - task: triviaqa
    path: data.jsonl
    n: 5
judge:
  model: openai:gpt-4o-2024-08-06
`;

function errorOf(text: string): string {
  try {
    parseAuditConfig(text, "audit.yaml");
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("audit config", () => {
  it("parses a valid config with defaults", () => {
    const c = parseAuditConfig(base, "audit.yaml");
    expect(c.contexts).toHaveLength(9);
    expect(c.beliefs).toEqual(["original", "original_neutral", "incorrect", "correct"]);
    expect(c.samples).toBe(1);
    expect(c.retry.max_attempts).toBe(6);
  });

  it("names the path, the expectation and the value for a bad model reference", () => {
    const msg = errorOf(
      base
        .replace("persona: warm", "persona: warm")
        .replace(/model: openai:gpt-4o-2024-08-06\n {4}persona/, "model: gtp4\n    persona"),
    );
    expect(msg).toContain(
      'subjects[1].model: expected a model reference such as openai:gpt-4o-2024-08-06, got "gtp4"',
    );
    expect(msg).toMatch(/^audit\.yaml:\d+: /);
  });

  it("rejects an unknown scheme", () => {
    const msg = errorOf(
      base.replace(
        "model: openai:gpt-4o-2024-08-06\n    persona",
        "model: ollama:llama3\n    persona",
      ),
    );
    expect(msg).toContain("subjects[1].model");
    expect(msg).toContain("schemes: openai, openai-compatible, anthropic, llama");
  });

  it("reports malformed YAML with line and column", () => {
    const msg = errorOf("name: [unclosed\nsubjects: 3");
    expect(msg).toMatch(/audit\.yaml:\d+:\d+: invalid YAML/);
  });

  it("rejects unknown fields (typos) by name", () => {
    const msg = errorOf(`${base}subject: x\n`);
    expect(msg).toContain('unknown field "subject"');
  });

  it("checks comparisons refer to subjects", () => {
    const msg = errorOf(base.replace("treatments: [warm]", "treatments: [hot]"));
    expect(msg).toContain(
      'compare[0].treatments[0]: expected one of the subject ids (ref, warm), got "hot"',
    );
  });

  it("rejects persona and system_prompt together, unknown contexts, bad numbers", () => {
    expect(
      errorOf(base.replace("persona: warm", "persona: warm\n    system_prompt: be nice")),
    ).toContain("either persona or system_prompt");
    expect(errorOf(`${base}contexts: [emotion:sadness]\n`)).toContain("contexts[0]");
    expect(errorOf(base.replace("n: 5", "n: -2"))).toContain("tasks[0].n");
  });

  it("exports a JSON Schema describing the fields", () => {
    const schema = auditJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["name", "subjects", "tasks", "judge", "compare"]),
    );
    expect(schema.required).toEqual(expect.arrayContaining(["name", "subjects", "tasks", "judge"]));
  });
});

describe("committed candor.schema.json", () => {
  it("matches what `candor schema` prints (regenerate with npx candor schema > candor.schema.json)", async () => {
    const { readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { repoRoot } = await import("../helpers/paths.js");
    const committed = JSON.parse(
      readFileSync(join(repoRoot, "candor.schema.json"), "utf8"),
    ) as unknown;
    expect(committed).toEqual(auditJsonSchema());
  });
});
