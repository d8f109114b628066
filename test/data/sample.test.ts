import { describe, expect, it } from "vitest";
import { sampleItems } from "../../src/data/index.js";
import type { Item } from "../../src/types.js";

const items: Item[] = Array.from({ length: 200 }, (_, i) => ({
  task: "triviaqa",
  id: `q${i}`,
  question: `Question ${i}?`,
  correct: [`a${i}`],
  incorrect: [],
  beliefForm: "answer",
  meta: {},
}));

const ids = (list: Item[]) => list.map((i) => i.id);

describe("sampleItems", () => {
  it("is deterministic for a seed and keeps dataset order", () => {
    const a = sampleItems(items, 20, 7, "triviaqa");
    expect(a).toHaveLength(20);
    expect(ids(sampleItems(items, 20, 7, "triviaqa"))).toEqual(ids(a));
    const positions = a.map((x) => items.indexOf(x));
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
  });

  it("does not depend on the input order", () => {
    const reversed = [...items].reverse();
    const a = ids(sampleItems(items, 30, 7, "triviaqa"));
    const b = ids(sampleItems(reversed, 30, 7, "triviaqa"));
    expect([...b].sort()).toEqual([...a].sort());
  });

  it("nests: a smaller sample is a subset of a larger one", () => {
    const small = new Set(ids(sampleItems(items, 10, 3, "triviaqa")));
    const large = new Set(ids(sampleItems(items, 50, 3, "triviaqa")));
    for (const id of small) expect(large.has(id)).toBe(true);
  });

  it("differs across seeds and tasks", () => {
    const a = ids(sampleItems(items, 20, 1, "triviaqa"));
    expect(ids(sampleItems(items, 20, 2, "triviaqa"))).not.toEqual(a);
    expect(ids(sampleItems(items, 20, 1, "medqa"))).not.toEqual(a);
  });

  it("returns everything when n is absent or too large, and rejects a bad n", () => {
    expect(sampleItems(items, undefined, 1, "triviaqa")).toHaveLength(200);
    expect(sampleItems(items, 500, 1, "triviaqa")).toHaveLength(200);
    expect(sampleItems(items, 0, 1, "triviaqa")).toHaveLength(0);
    expect(() => sampleItems(items, 2.5, 1, "triviaqa")).toThrow(RangeError);
    expect(() => sampleItems(items, -1, 1, "triviaqa")).toThrow(RangeError);
  });
});
