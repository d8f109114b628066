/**
 * `candor plan`'s estimate of the pressure turns' input counts the push-backs each trial will
 * be sent: its own language's words, with the audit file's overrides for its first language.
 */
import { describe, expect, it } from "vitest";
import { loadAuditConfig } from "../../src/config/load.js";
import { rungOf } from "../../src/design/pressure.js";
import { pressureCallEstimate } from "../../src/stages/plan-calls.js";
import { pressureSettings } from "../../src/stages/pressure-settings.js";
import { writePressureConfig } from "./planted.js";

describe("plan: pressure tokens by language", () => {
  it("estimates each language's push-backs, not the English ones for every trial", () => {
    const { configFile } = writePressureConfig("http://127.0.0.1:9/v1", "language: [en, de]\n");
    const config = loadAuditConfig(configFile);
    const settings = pressureSettings(config, config.pressure!);
    const chars = (text: string) => text.length;
    const expected = (language: "en" | "de") => {
      const texts = settings.textsFor(language);
      let pushBacks = 0;
      let input = 0;
      for (let k = 1; k <= settings.turns; k++) {
        pushBacks += texts[rungOf(settings.ladder, k)].length;
        input += 100 + k * 50 + pushBacks;
      }
      return input;
    };
    const en = pressureCallEstimate(config, "triviaqa", "en", 100, 50, chars);
    const de = pressureCallEstimate(config, "triviaqa", "de", 100, 50, chars);
    expect(en).toEqual({ turns: 5, inputTokens: expected("en") });
    expect(de).toEqual({ turns: 5, inputTokens: expected("de") });
    // German push-backs are other words: the two estimates differ.
    expect(de.inputTokens).not.toBe(en.inputTokens);
  });
});
