import { describe, expect, it } from "vitest";
import {
  flipPairs,
  type PressureCell,
  pressureCells,
  summarizePressure,
} from "../../src/analysis/pressure.js";
import { parseAuditConfigObject } from "../../src/config/load.js";
import {
  DEFAULT_PRESSURE_TEXTS,
  pressureMessages,
  pressureTexts,
  rungOf,
} from "../../src/design/pressure.js";
import type { PressureTrialLabels } from "../../src/store/pressure.js";
import type { JudgmentLabel } from "../../src/types.js";

describe("pressure design", () => {
  it("turns beyond the ladder repeat its last rung", () => {
    const ladder = ["simple", "ethos", "citation"] as const;
    expect([1, 2, 3, 4, 5].map((t) => rungOf(ladder, t))).toEqual([
      "simple",
      "ethos",
      "citation",
      "citation",
      "citation",
    ]);
    expect(() => rungOf(ladder, 0)).toThrow(/turn 0/);
  });

  it("a turn's conversation holds the prompt, the first answer and every earlier turn", () => {
    const original = [{ role: "user" as const, content: "Q?" }];
    const messages = pressureMessages(
      original,
      "A0",
      [
        { pushBack: "P1", answer: "A1" },
        { pushBack: "P2", answer: "A2" },
      ],
      "P3",
    );
    expect(messages.map((m) => `${m.role}:${m.content}`)).toEqual([
      "user:Q?",
      "assistant:A0",
      "user:P1",
      "assistant:A1",
      "user:P2",
      "assistant:A2",
      "user:P3",
    ]);
  });

  it("overridden texts replace only their rung", () => {
    const texts = pressureTexts({ ethos: "Trust me, I'm a doctor." });
    expect(texts.ethos).toBe("Trust me, I'm a doctor.");
    expect(texts.simple).toBe(DEFAULT_PRESSURE_TEXTS.simple);
  });
});

describe("pressure config", () => {
  const base = {
    name: "p",
    subjects: [{ id: "a", model: "openai:gpt-4o-mini" }],
    tasks: [{ task: "triviaqa", n: 1 }],
    judge: { model: "rule" },
  };
  it("fills in five turns and the four-rung ladder", () => {
    const config = parseAuditConfigObject({ ...base, pressure: {} }, "audit.yaml");
    expect(config.pressure).toEqual({
      turns: 5,
      ladder: ["simple", "ethos", "justification", "citation"],
    });
  });
  it("names the field and what was expected for an unknown rung or a bad turn count", () => {
    expect(() =>
      parseAuditConfigObject({ ...base, pressure: { ladder: ["simple", "shout"] } }, "audit.yaml"),
    ).toThrow(/audit\.yaml[\s\S]*pressure\.ladder\[1\][\s\S]*"simple"[\s\S]*got "shout"/);
    expect(() => parseAuditConfigObject({ ...base, pressure: { turns: 0 } }, "audit.yaml")).toThrow(
      /pressure\.turns/,
    );
    expect(() =>
      parseAuditConfigObject({ ...base, pressure: { texts: { ethos: " " } } }, "audit.yaml"),
    ).toThrow(/pressure\.texts\.ethos/);
  });
});

const C = "CORRECT";
const I = "INCORRECT";
function trial(
  subject: string,
  item: string,
  labels: (JudgmentLabel | null)[],
): PressureTrialLabels {
  return {
    trialId: `${subject}-${item}`,
    subject,
    task: "triviaqa",
    item,
    context: "unmodified",
    belief: "original",
    sample: 0,
    language: "en",
    labels,
  };
}

describe("pressure summary edge cases", () => {
  it("leaves out conversations with an unscored or missing verdict, and counts the rest", () => {
    const [cell] = pressureCells(
      [
        trial("s", "a", [C, I, C]),
        trial("s", "b", [C, "REFUSAL", C]),
        trial("s", "c", [C, C, null]),
        trial("s", "d", [I, C, C]),
      ],
      2,
    ) as [PressureCell];
    expect(cell).toMatchObject({
      trials: 4,
      scored: 2,
      initiallyCorrect: 1,
      survival: [1, 0, 0],
      flipped: 1,
      turnOfFlip: 1,
      neverFlipped: 0,
      numberOfFlips: 1.5,
      regressive: 1,
      progressive: 2,
    });
  });

  it("no initially correct answer: no curve, no Turn-of-Flip; no pairs: no test", () => {
    const s = summarizePressure(
      [trial("r", "a", [I, I]), trial("t", "a", [I, C])],
      { turns: 1, ladder: ["simple"] },
      [{ reference: "r", treatments: ["t"] }],
    );
    expect(s.cells.map((c) => [c.survival, c.turnOfFlip, c.neverFlipped])).toEqual([
      [null, null, null],
      [null, null, null],
    ]);
    expect(s.tests).toEqual([]);
  });
});

describe("pressure pairs", () => {
  it("pair the same prompt within one language, never an English trial with a German one", () => {
    const inLanguage = (t: PressureTrialLabels, language: string): PressureTrialLabels => ({
      ...t,
      trialId: `${t.trialId}-${language}`,
      language,
    });
    const pairs = flipPairs(
      [
        inLanguage(trial("ref", "a", [C, I]), "en"),
        inLanguage(trial("ref", "a", [C, C]), "de"),
        inLanguage(trial("warm", "a", [C, C]), "en"),
        inLanguage(trial("warm", "a", [C, I]), "de"),
      ],
      "ref",
      "warm",
      1,
    );
    expect(pairs.map((p) => [p.reference, p.treatment])).toEqual([
      ["INCORRECT", "CORRECT"],
      ["CORRECT", "INCORRECT"],
    ]);
  });
});
