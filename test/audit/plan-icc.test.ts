/**
 * `candor plan` and `candor power` account for clustering by item: the pairs of
 * one item count as pairs / (1 + (m − 1)·ICC) independent ones.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatPower } from "../../src/cli/commands/power.js";
import { prepareAudit } from "../../src/stages/audit.js";
import { PLAN_ICC, planCounts } from "../../src/stages/plan-summary.js";
import { designEffect } from "../../src/stats/clustered.js";
import { mcnemarSampleSize, minimumDetectableGap } from "../../src/stats/power.js";
import { writeAuditConfig } from "../helpers/audit-fixtures.js";

describe("detectable gap with an intra-item correlation", () => {
  it("plan: ICC from the audit file, a flag, or the stated default; 5 items × 8 conditions per task", async () => {
    const { configFile } = writeAuditConfig("http://127.0.0.1:9/v1", { n: 5 });
    const loaded = await prepareAudit(configFile);
    const assumed = planCounts(loaded);
    expect(assumed.powerAssumptions).toMatchObject({ icc: PLAN_ICC, iccSource: "assumed" });
    const tq = assumed.power.find((r) => r.task === "triviaqa")!;
    expect(tq.pairs).toBe(40);
    expect(tq.pairsPerItem).toBe(8);
    expect(tq.designEffect).toBeCloseTo(1 + 7 * PLAN_ICC, 12);
    expect(tq.minGapPp! / 100).toBeCloseTo(minimumDetectableGap(40 / tq.designEffect, 0.2)!, 12);
    const independent = planCounts(loaded, 0.2, 0).power.find((r) => r.task === "all")!;
    const clustered = planCounts(loaded, 0.2, 0.5).power.find((r) => r.task === "all")!;
    expect(independent.designEffect).toBe(1);
    expect(clustered.designEffect).toBeCloseTo(1 + 7 * 0.5, 12);
    expect(clustered.minGapPp!).toBeGreaterThan(independent.minGapPp!);

    writeFileSync(configFile, `${readFileSync(configFile, "utf8")}\nicc: 0.35\n`);
    const fromConfig = planCounts(await prepareAudit(configFile));
    expect(fromConfig.powerAssumptions).toMatchObject({ icc: 0.35, iccSource: "config" });
    expect(planCounts(await prepareAudit(configFile), 0.2, 0.1).powerAssumptions.iccSource).toBe(
      "flag",
    );
  });

  it("power: --icc multiplies the pairs needed by the design effect and shrinks the information in n pairs", () => {
    const base = { referenceError: 0.2, alpha: 0.05, power: 0.8, perItem: 36 };
    const deff = designEffect(36, 0.1);
    expect(deff).toBeCloseTo(4.5, 12);
    const out = formatPower({ ...base, gap: 7.4, pairs: 9000, icc: 0.1 });
    const needed = Math.ceil(mcnemarSampleSize({ pRef: 0.2, pTreat: 0.274 }, 0.8) * deff);
    expect(out).toContain(`design effect 1 + (36 − 1) × 0.100 = 4.50`);
    expect(out).toContain(`+7.4 pp: ${needed} paired trials`);
    expect(out).toContain(`${Math.ceil(needed / 36)} items`);
    const gap = minimumDetectableGap(9000 / deff, 0.2)!;
    expect(out).toContain(`smallest detectable increase is +${(gap * 100).toFixed(2)} pp`);
    const plain = formatPower({ ...base, gap: 7.4, pairs: 9000 });
    expect(plain).toContain("Pairs are treated as independent");
    expect(plain).toContain(
      `${mcnemarSampleSize({ pRef: 0.2, pTreat: 0.274 }, 0.8)} paired trials`,
    );
  });
});
