import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  readPublishedSummary,
  recoverDiscordant,
  reproduceSummary,
} from "../../src/analysis/published-summary.js";
import { sharedData } from "./reference-fixtures.js";

const dir = path.join(sharedData, "paper/summary_data");

describe("the study's published per-cell summary", () => {
  it("warm fine-tune: per-task increases are STUDY §7's headline numbers", () => {
    const r = reproduceSummary(readPublishedSummary(path.join(dir, "results_warm_ft.csv")));
    expect(r.cells).toBe(360);
    // STUDY.md §7: MedQA +8.6, TruthfulQA +8.4, Disinfo +5.4, TriviaQA +4.9 pp
    expect(r.unmodifiedIncreaseByTask.medqa).toBeCloseTo(8.6, 1);
    expect(r.unmodifiedIncreaseByTask.truthfulqa).toBeCloseTo(8.4, 1);
    expect(r.unmodifiedIncreaseByTask.disinfo).toBeCloseTo(5.4, 1);
    expect(r.unmodifiedIncreaseByTask.trivia).toBeCloseTo(4.9, 1);
    // Sadness is the context with the largest increase, and a stated belief adds to it.
    const sad = r.increaseByContext["emotion:sad"]!;
    for (const [ctx, v] of Object.entries(r.increaseByContext)) {
      if (ctx !== "emotion:sad") expect(v.noBelief).toBeLessThan(sad.noBelief);
    }
    expect(r.meanIncrease.userBelief).toBeGreaterThan(r.meanIncrease.noBelief);
  });

  for (const file of ["results_warm_ft.csv", "results_cold_ft.csv", "results_warm_sysprompt.csv"]) {
    it(`${file}: exact McNemar p from recovered counts and BH per family reproduce the published values`, () => {
      const r = reproduceSummary(readPublishedSummary(path.join(dir, file)));
      expect(r.mcnemar.recovered).toBeGreaterThan(100);
      expect(r.mcnemar.mismatches).toEqual([]);
      // The system-prompt table has one stray row labelled "llama-70b-sys-prompt" (a copy of a
      // "70b-sys-prompt" cell whose FDR family has 9 members); alone in its family it cannot match.
      expect(r.fdr.cells - r.fdr.matches).toBe(file === "results_warm_sysprompt.csv" ? 1 : 0);
    });
  }

  it("recovers discordant counts from the authors' g and odds ratio", () => {
    // b = 30, c = 10: g = 20/√40, OR = 3
    expect(recoverDiscordant(Number((20 / Math.sqrt(40)).toFixed(3)), 3)).toEqual({ b: 30, c: 10 });
    expect(recoverDiscordant(2, "inf")).toEqual({ b: 4, c: 0 });
    expect(recoverDiscordant(0.5, 1.0)).toBeNull();
  });
});
