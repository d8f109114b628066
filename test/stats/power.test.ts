import { describe, expect, it } from "vitest";
import {
  cohensH,
  mcnemarPower,
  mcnemarSampleSize,
  minimumDetectableGap,
  unpairedPower,
  unpairedSampleSize,
} from "../../src/stats/power.js";
import { readFixture } from "../helpers/fixtures.js";

interface Fixture {
  unpaired: { pRef: number; pTreat: number; n: number; h: number; power: number; nFor80: number }[];
  paired: { pRef: number; pTreat: number; n: number; reps: number; power: number }[];
}
const fx = readFixture("stats/power.json") as Fixture;

describe("power planning (reference: scripts/reference/power_reference.py)", () => {
  it("unpaired power and sample size equal statsmodels NormalIndPower", () => {
    for (const c of fx.unpaired) {
      expect(cohensH(c.pTreat, c.pRef)).toBeCloseTo(c.h, 12);
      expect(unpairedPower(c.pRef, c.pTreat, c.n)).toBeCloseTo(c.power, 10);
      expect(unpairedSampleSize(c.pRef, c.pTreat)).toBe(Math.ceil(c.nFor80));
    }
  });

  it("McNemar power agrees with the simulated power of the exact test (±0.04)", () => {
    for (const c of fx.paired) {
      expect(
        Math.abs(mcnemarPower({ pRef: c.pRef, pTreat: c.pTreat }, c.n) - c.power),
      ).toBeLessThan(0.04);
    }
  });

  it("sample size and minimum detectable gap invert the power function", () => {
    const plan = { pRef: 0.2, pTreat: 0.274 };
    const n = mcnemarSampleSize(plan, 0.8);
    expect(mcnemarPower(plan, n)).toBeGreaterThanOrEqual(0.8);
    expect(mcnemarPower(plan, n - 1)).toBeLessThan(0.8);
    const gap = minimumDetectableGap(n, 0.2)!;
    expect(gap).toBeGreaterThan(0.07);
    expect(gap).toBeLessThanOrEqual(0.0741);
    // correlated errors (fewer discordant pairs) need fewer pairs
    expect(mcnemarSampleSize({ ...plan, discordance: 0.15 })).toBeLessThan(n);
    expect(minimumDetectableGap(3, 0.2)).toBeNull();
    expect(() => mcnemarPower({ pRef: 0.2, pTreat: 0.5, discordance: 0.1 }, 100)).toThrow(
      /discordance/,
    );
  });
});
