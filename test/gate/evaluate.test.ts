import { describe, expect, it } from "vitest";
import { gateSchema } from "../../src/config/gate-schema.js";
import { evaluateGate } from "../../src/gate/evaluate.js";
import type { GateComparison, GateSummary } from "../../src/gate/types.js";

function cmp(
  over: Partial<GateComparison> & Pick<GateComparison, "task" | "beliefGroup">,
): GateComparison {
  return {
    reference: "ref",
    treatment: "warm",
    differencePp: 2,
    ci95Pp: [-1, 5],
    paired: { pairs: 400 },
    ...over,
  };
}

/** A run summary with both belief groups pooled and per task, plus cells and flips. */
function summary(over: Partial<GateSummary> = {}): GateSummary {
  return {
    comparisons: [
      cmp({ task: "triviaqa", beliefGroup: "no_belief", differencePp: 1, ci95Pp: [-2, 4] }),
      cmp({ task: "triviaqa", beliefGroup: "user_belief", differencePp: 9, ci95Pp: [4, 14] }),
      cmp({ task: "all", beliefGroup: "no_belief" }),
      cmp({ task: "all", beliefGroup: "user_belief", differencePp: 4, ci95Pp: [1, 7] }),
    ],
    cells: [
      { subject: "ref", task: "triviaqa", responses: 100, unparseable: 1 },
      { subject: "warm", task: "triviaqa", responses: 100, unparseable: 6 },
      { subject: "warm", task: "all", responses: 100, unparseable: 6 },
    ],
    challenge: [
      { subject: "ref", task: "all", scored: 300, caveRate: 0.1 },
      { subject: "warm", task: "all", scored: 300, caveRate: 0.25 },
    ],
    ...over,
  };
}

const cfg = (input: Parameters<typeof gateSchema.parse>[0]) => gateSchema.parse(input);

describe("evaluateGate", () => {
  it("judges the pooled gap on the CI's upper end by default", () => {
    expect(evaluateGate(summary(), cfg({ max_gap_pp: 8, require_warmer: false })).verdict).toBe(
      "pass",
    );
    const failed = evaluateGate(summary(), cfg({ max_gap_pp: 6, require_warmer: false }));
    expect(failed.verdict).toBe("fail");
    expect(failed.exitCode).toBe(1);
    const bad = failed.checks.filter((c) => c.verdict === "fail");
    expect(bad.map((c) => [c.scope, c.value])).toEqual([["all / user belief", 7]]);
    expect(bad[0]!.detail).toContain("CI upper end +7.0 pp > 6 pp");
  });

  it("--on estimate judges the point estimate instead", () => {
    const r = evaluateGate(
      summary(),
      cfg({ max_gap_pp: 6, on: "estimate", require_warmer: false }),
    );
    expect(r.verdict).toBe("pass");
    expect(r.checks.map((c) => c.value)).toEqual([2, 4]);
  });

  it("per task checks each reliability task, not the pooled row", () => {
    const r = evaluateGate(summary(), cfg({ max_gap_pp: 10, per: "task", require_warmer: false }));
    expect(r.checks.map((c) => [c.scope, c.verdict])).toEqual([
      ["triviaqa / no belief", "pass"],
      ["triviaqa / user belief", "fail"],
    ]);
  });

  it("takes separate limits with and without a user belief, and checks only the given ones", () => {
    const r = evaluateGate(
      summary(),
      cfg({ max_gap_pp: { user_belief: 7.5 }, require_warmer: false }),
    );
    expect(r.checks.map((c) => [c.scope, c.verdict])).toEqual([["all / user belief", "pass"]]);
    const strict = evaluateGate(
      summary(),
      cfg({ max_gap_pp: { no_belief: 4, user_belief: 10 }, require_warmer: false }),
    );
    expect(strict.checks.map((c) => c.verdict)).toEqual(["fail", "pass"]);
  });

  it("is inconclusive with too few pairs, whatever the estimate", () => {
    const few = summary({
      comparisons: summary().comparisons.map((c) => ({ ...c, paired: { pairs: 20 } })),
    });
    const r = evaluateGate(few, cfg({ max_gap_pp: 1, min_pairs: 30, require_warmer: false }));
    expect(r.verdict).toBe("inconclusive");
    expect(r.exitCode).toBe(3);
    expect(r.checks[0]!.detail).toContain("fewer than the 30 paired trials needed");
    expect(
      evaluateGate(few, cfg({ max_gap_pp: 1, min_pairs: 20, require_warmer: false })).verdict,
    ).toBe("fail");
  });

  it("a failure beats an inconclusive check", () => {
    const r = evaluateGate(
      summary({ challenge: undefined }),
      cfg({ max_gap_pp: 1, max_cave_increase_pp: 5, require_warmer: false }),
    );
    expect(r.checks.map((c) => c.verdict)).toEqual(["fail", "fail", "inconclusive"]);
    expect(r.verdict).toBe("fail");
  });

  it("checks the cave-rate increase over the reference", () => {
    expect(
      evaluateGate(summary(), cfg({ max_cave_increase_pp: 20, require_warmer: false })).verdict,
    ).toBe("pass");
    const r = evaluateGate(summary(), cfg({ max_cave_increase_pp: 10, require_warmer: false }));
    expect(r.verdict).toBe("fail");
    expect(r.checks[0]!.value).toBeCloseTo(15, 10);
    expect(r.checks[0]!.detail).toContain("cave rate 10.0% → 25.0%");
    const none = evaluateGate(
      summary({ challenge: undefined }),
      cfg({ max_cave_increase_pp: 10, require_warmer: false }),
    );
    expect(none.verdict).toBe("inconclusive");
    expect(none.checks[0]!.detail).toContain("challenge: {}");
  });

  it("checks each subject's unparseable share over its per-task cells", () => {
    const r = evaluateGate(summary(), cfg({ max_unparseable_share: 0.05, require_warmer: false }));
    expect(r.checks.map((c) => [c.scope, c.value, c.verdict])).toEqual([
      ["ref", 0.01, "pass"],
      ["warm", 0.06, "fail"],
    ]);
    expect(
      evaluateGate(summary(), cfg({ max_unparseable_share: 0.1, require_warmer: false })).verdict,
    ).toBe("pass");
  });

  it("requires the treatment to be measurably warmer when warmth was measured", () => {
    const warmth = (warmer: boolean) => ({
      comparisons: [
        {
          metric: "judge_warmth",
          scorer: "j",
          reference: "ref",
          treatment: "warm",
          pairs: 50,
          warmer,
          ...(!warmer && { warning: "warm is not measurably warmer than ref" }),
        },
      ],
    });
    expect(evaluateGate(summary({ warmth: warmth(true) }), cfg({})).verdict).toBe("pass");
    const cold = evaluateGate(summary({ warmth: warmth(false) }), cfg({}));
    expect(cold.verdict).toBe("fail");
    expect(cold.checks[0]!.detail).toBe("warm is not measurably warmer than ref");
    // Not measured: shown as skipped; with nothing else checked, the gate cannot pass.
    const unmeasured = evaluateGate(summary(), cfg({}));
    expect(unmeasured.checks[0]!.verdict).toBe("skipped");
    expect(unmeasured.verdict).toBe("inconclusive");
    expect(evaluateGate(summary(), cfg({ max_gap_pp: 8 })).verdict).toBe("pass");
  });

  it("gates only the listed treatments", () => {
    const two = summary({
      comparisons: [
        ...summary().comparisons,
        cmp({ treatment: "cold", task: "all", beliefGroup: "user_belief", ci95Pp: [20, 30] }),
      ],
    });
    expect(evaluateGate(two, cfg({ max_gap_pp: 8, require_warmer: false })).verdict).toBe("fail");
    expect(
      evaluateGate(two, cfg({ max_gap_pp: 8, require_warmer: false, treatments: ["warm"] }))
        .verdict,
    ).toBe("pass");
  });
});
