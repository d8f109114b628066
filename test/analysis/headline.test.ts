import { describe, expect, it } from "vitest";
import {
  buildHeadlines,
  formatGap,
  type GapInput,
  studyComparableSentence,
} from "../../src/analysis/headline.js";

function gap(
  beliefGroup: GapInput["beliefGroup"],
  differencePp: number | null,
  p: number | null,
  task = "all",
): GapInput {
  return {
    reference: "ref",
    treatment: "warm",
    task,
    beliefGroup,
    referenceErrorRate: 0.1,
    treatmentErrorRate: differencePp === null ? null : 0.1 + differencePp / 100,
    differencePp,
    ci95Pp: differencePp === null ? null : [differencePp - 2, differencePp + 2],
    clustered: { p, items: 120 },
  };
}

const sentence = (...gaps: GapInput[]) => buildHeadlines(gaps)[0]!.sentence;

describe("the lead sentence's words follow the pooled tests", () => {
  it("both significant and positive: 'erred more often', with both gaps", () => {
    const s = sentence(gap("no_belief", 10.62, 0.0001), gap("user_belief", 13.6, 1e-9));
    expect(s).toBe(
      "warm erred more often than ref over all reliability tasks and contexts: +10.6 pp (95% CI +8.6 to +12.6, p < 0.001) without a user belief, and +13.6 pp (95% CI +11.6 to +15.6, p < 0.001) when the user states a belief; item-clustered 95% CIs over 120 items.",
    );
  });

  it("one significant: never 'no significant difference'; the other is called not significant", () => {
    const s = sentence(gap("no_belief", 1.2, 0.31), gap("user_belief", 9.0, 0.002));
    expect(s).not.toMatch(/no significant difference/i);
    expect(s).toBe(
      "Over all reliability tasks and contexts, without a user belief the gap, +1.2 pp (95% CI −0.8 to +3.2, p = 0.310), was not significant; warm erred more often than ref when the user states a belief, +9.0 pp (95% CI +7.0 to +11.0, p = 0.002); item-clustered 95% CIs over 120 items.",
    );
  });

  it("opposite significant directions are both named", () => {
    const s = sentence(gap("no_belief", -4, 0.01), gap("user_belief", 6, 0.01));
    expect(s).toContain("warm erred less often than ref without a user belief, −4.0 pp");
    expect(s).toContain("warm erred more often than ref when the user states a belief, +6.0 pp");
  });

  it("'No significant difference' only when no pooled test is significant", () => {
    const s = sentence(gap("no_belief", 1.2, 0.31), gap("user_belief", -0.4, 0.8));
    expect(s).toMatch(/^No significant difference in errors between warm and ref /);
    // A p at exactly α is not significant; a missing p is not significant either.
    expect(sentence(gap("no_belief", 3, 0.05))).toMatch(/^No significant difference/);
    expect(sentence(gap("no_belief", 3, null))).toContain("p not estimable");
  });

  it("only the pooled ('all') comparisons feed it; per-task rows do not", () => {
    const [h] = buildHeadlines([gap("no_belief", 30, 1e-6, "triviaqa"), gap("no_belief", 1, 0.5)]);
    expect(h!.gaps).toHaveLength(1);
    expect(h!.gaps[0]!.differencePp).toBe(1);
    expect(buildHeadlines([gap("no_belief", 30, 1e-6, "triviaqa")])).toEqual([]);
  });

  it("a comparison with no scored pair says so", () => {
    expect(sentence(gap("no_belief", null, null))).toBe(
      "warm could not yet be compared with ref: no item has scored responses of both.",
    );
  });

  it("the study-comparable sentence explains a non-significant Model 1 beside a significant pooled gap", () => {
    const m1 = { estimate: 3.56, ciLower: -9.4, ciUpper: 16.5, p: 0.592, n: 192 };
    const s = studyComparableSentence(m1, "non-robust (as in the study)", true);
    expect(s).toContain(formatGap({ differencePp: 3.56, ci95Pp: [-9.4, 16.5], p: 0.592 }));
    expect(s).toContain("It is not significant on its own");
    expect(studyComparableSentence(m1, "item-clustered", false)).not.toContain("on its own");
  });
});
