import { describe, expect, it } from "vitest";
import {
  type CalibrationPoint,
  chooseLlamaSettings,
  threadCandidates,
} from "../../src/providers/llama-choice.js";

const grid = (rates: Record<string, number>): CalibrationPoint[] =>
  Object.entries(rates).map(([k, tokensPerSecond]) => {
    const [threads, sequences] = k.split("x").map(Number) as [number, number];
    return { threads, sequences, tokensPerSecond };
  });

describe("chooseLlamaSettings", () => {
  it("takes the threads of the best rate and the fewest sequences within 90% of it", () => {
    const points = grid({
      "1x1": 3,
      "1x2": 5.5,
      "1x4": 9.3,
      "1x8": 10,
      "2x1": 2,
      "2x2": 3,
      "2x4": 4,
      "2x8": 6,
    });
    expect(chooseLlamaSettings(points)).toEqual({ threads: 1, sequences: 4, tokensPerSecond: 9.3 });
  });

  it("keeps more sequences when fewer fall short of 90%", () => {
    const points = grid({ "1x1": 3, "1x2": 5, "1x4": 8.9, "1x8": 10 });
    expect(chooseLlamaSettings(points)?.sequences).toBe(8);
  });

  it("prefers more threads when they are faster", () => {
    const points = grid({ "1x1": 3, "1x8": 6, "2x1": 5, "2x8": 12 });
    expect(chooseLlamaSettings(points)).toMatchObject({ threads: 2, sequences: 8 });
  });

  it("breaks exact ties towards fewer threads and sequences", () => {
    const points = grid({ "2x2": 5, "1x2": 5, "1x1": 5 });
    expect(chooseLlamaSettings(points)).toMatchObject({ threads: 1, sequences: 1 });
  });

  it("keeps a value the config fixes and chooses the other among its points", () => {
    const points = grid({ "1x1": 3, "1x8": 10, "2x1": 5, "2x2": 5.2, "2x8": 6 });
    expect(chooseLlamaSettings(points, { threads: 2 })).toMatchObject({
      threads: 2,
      sequences: 8,
    });
    expect(chooseLlamaSettings(points, { sequences: 1 })).toMatchObject({
      threads: 2,
      sequences: 1,
    });
  });

  it("chooses nothing without a usable measurement", () => {
    expect(chooseLlamaSettings([])).toBeUndefined();
    expect(chooseLlamaSettings(grid({ "1x1": 3 }), { threads: 4 })).toBeUndefined();
  });
});

describe("threadCandidates", () => {
  it("tries 1, half, all but one and all cores, at most four", () => {
    expect(threadCandidates(1)).toEqual([1]);
    expect(threadCandidates(2)).toEqual([1, 2]);
    expect(threadCandidates(8)).toEqual([1, 4, 7, 8]);
    expect(threadCandidates(0)).toEqual([1]);
  });
});
