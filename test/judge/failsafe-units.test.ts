import { describe, expect, it } from "vitest";
import { EndpointHealth } from "../../src/engine/endpoint-health.js";
import { runSelfGrading, selfGrading } from "../../src/judge/self-grading.js";
import { inMode, modesToTry } from "../../src/judge/structured.js";
import {
  MIN_VERDICTS_FOR_UNPARSEABLE_CHECK,
  quoteReply,
  UnparseableGuard,
  unparseableMessage,
} from "../../src/judge/unparseable-guard.js";
import { responseFormat } from "../../src/providers/openai.js";

describe("unparseable guard", () => {
  it("stays quiet below 50 verdicts, then stops above the share", () => {
    const guard = new UnparseableGuard(0.05);
    for (let i = 0; i < MIN_VERDICTS_FOR_UNPARSEABLE_CHECK - 1; i++) {
      expect(guard.record("UNPARSEABLE", `prose ${i}`)).toBe(false);
    }
    expect(guard.record("CORRECT", "{}")).toBe(true);
    expect(guard.counts).toMatchObject({ verdicts: 50, unparseable: 49, example: "prose 0" });
  });

  it("allows exactly the share, counts earlier runs' verdicts, and 1 turns it off", () => {
    const atLimit = new UnparseableGuard(0.05, { verdicts: 99, unparseable: 5 });
    expect(atLimit.record("CORRECT", "{}")).toBe(false); // 5/100 = 5%: allowed
    expect(atLimit.record("UNPARSEABLE", "x")).toBe(true); // 6/101 > 5%
    const off = new UnparseableGuard(1, { verdicts: 100, unparseable: 100 });
    expect(off.record("UNPARSEABLE", "x")).toBe(false);
  });

  it("quotes a reply escaped and truncated, and says what to change", () => {
    expect(quoteReply("\u001b[2Jhi\n")).toBe('"\\u001b[2Jhi\\n"');
    expect(quoteReply("a".repeat(400))).toBe(JSON.stringify(`${"a".repeat(300)}…`));
    const text = unparseableMessage(
      "openai:gpt-x",
      { verdicts: 60, unparseable: 30, example: "I agree." },
      0.05,
      "json_object",
      "runs/x",
    );
    expect(text).toContain("gave 30 unparseable verdicts out of 60 (50%)");
    expect(text).toContain("allows 5% once 50 verdicts exist");
    expect(text).toContain('One reply, verbatim (JSON-escaped, truncated): "I agree."');
    expect(text).toContain("asked in mode json_object");
    expect(text).toContain("npx candor judge runs/x --retry-unparseable");
  });
});

describe("structured-output modes", () => {
  const request = {
    messages: [{ role: "user" as const, content: "grade" }],
    params: {},
    outputSchema: { name: "verdict", schema: { type: "object" } },
  };

  it("auto tries json_schema, json_object, prompt; a fixed mode is tried alone", () => {
    expect(modesToTry("auto")).toEqual(["json_schema", "json_object", "prompt"]);
    expect(modesToTry("json_object")).toEqual(["json_object"]);
  });

  it("shapes the request per mode, and OpenAI's response_format follows", () => {
    expect(inMode(request, "json_schema")).toEqual(request);
    expect(inMode(request, "prompt")).toEqual({ messages: request.messages, params: {} });
    const object = inMode(request, "json_object");
    expect(responseFormat(object.outputSchema!)).toEqual({ type: "json_object" });
    expect(responseFormat(request.outputSchema)).toMatchObject({ type: "json_schema" });
  });
});

describe("self-grading", () => {
  const subjects = [
    { id: "reference", model: "openai-compatible:http://127.0.0.1:8000/v1#m" },
    { id: "warm", model: "openai:gpt-4o" },
  ];

  it("matches the same model whatever the URL credentials or trailing slash, and never echoes them", () => {
    const found = selfGrading(subjects, [
      { role: "judge", model: "openai-compatible:http://u:secret@127.0.0.1:8000/v1/#m" },
    ]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ role: "judge", subjects: ["reference"] });
    expect(JSON.stringify(found)).not.toContain("secret");
  });

  it("is silent for a different model, and covers the warmth judge", () => {
    expect(selfGrading(subjects, [{ role: "judge", model: "openai:gpt-4o-mini" }])).toEqual([]);
    const both = runSelfGrading({
      subjects,
      judge: { model: "anthropic:claude" },
      warmth: { judge: { model: "openai:gpt-4o" } },
    });
    expect(both.map((w) => [w.role, w.subjects])).toEqual([["warmth judge", ["warm"]]]);
  });
});

describe("endpoint health", () => {
  it("declares an endpoint down after 3 unreachable calls in a row; any answer resets", () => {
    const h = new EndpointHealth();
    expect(h.unreachable()).toBe(false);
    expect(h.unreachable()).toBe(false);
    h.answered();
    expect(h.unreachable()).toBe(false);
    expect(h.unreachable()).toBe(false);
    expect(h.unreachable()).toBe(true);
  });
});
