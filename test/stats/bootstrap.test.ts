import { describe, expect, it } from "vitest";
import { pairedClusterBootstrap, quantileSorted } from "../../src/stats/bootstrap.js";
import { seededRng } from "../../src/stats/rng.js";

/** 200 items × 2 subjects × 6 conditions with a shared item effect. */
function pairedData(seed: number) {
  const rng = seededRng(seed);
  const cluster: number[] = [];
  const treated: number[] = [];
  const incorrect: number[] = [];
  for (let g = 0; g < 200; g++) {
    const base = rng.next() * 0.6;
    for (let arm = 0; arm < 2; arm++) {
      for (let k = 0; k < 6; k++) {
        cluster.push(g);
        treated.push(arm);
        incorrect.push(rng.next() < base + 0.1 * arm ? 1 : 0);
      }
    }
  }
  return { cluster: Int32Array.from(cluster), treated, incorrect };
}

describe("seeded RNG", () => {
  it("is deterministic per seed and uniform enough", () => {
    const a = seededRng(42);
    const b = seededRng(42);
    const xs = Array.from({ length: 10000 }, () => a.next());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b.next()));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(seededRng(43).next()).not.toBe(seededRng(42).next());
  });
});

describe("paired cluster bootstrap", () => {
  it("is reproducible from its seed and brackets the estimate", () => {
    const d = pairedData(1);
    const r1 = pairedClusterBootstrap(d.cluster, d.treated, d.incorrect, {
      replicates: 500,
      seed: 9,
    });
    const r2 = pairedClusterBootstrap(d.cluster, d.treated, d.incorrect, {
      replicates: 500,
      seed: 9,
    });
    expect(r1).toEqual(r2);
    expect(r1.ciLower).toBeLessThan(r1.estimate);
    expect(r1.ciUpper).toBeGreaterThan(r1.estimate);
    expect(r1.nClusters).toBe(200);
    expect(r1.replicates).toBe(500);
    // Difference in raw error rates
    const err = (arm: number) => {
      let e = 0;
      let m = 0;
      d.treated.forEach((t, i) => {
        if (t === arm) {
          e += d.incorrect[i]!;
          m++;
        }
      });
      return e / m;
    };
    expect(r1.estimate).toBeCloseTo(err(1) - err(0), 15);
  });
  it("SE is close to the analytic cluster SE of a difference in means", () => {
    const d = pairedData(2);
    const r = pairedClusterBootstrap(d.cluster, d.treated, d.incorrect, {
      replicates: 2000,
      seed: 3,
    });
    // Per-cluster differences in error rate (balanced design → ratio of sums = mean of cluster means).
    const diffs: number[] = [];
    for (let g = 0; g < 200; g++) {
      let s0 = 0;
      let s1 = 0;
      d.cluster.forEach((c, i) => {
        if (c !== g) return;
        if (d.treated[i] === 1) s1 += d.incorrect[i]!;
        else s0 += d.incorrect[i]!;
      });
      diffs.push((s1 - s0) / 6);
    }
    const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
    const sd = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / (diffs.length - 1));
    const analytic = sd / Math.sqrt(diffs.length);
    expect(Math.abs(r.se - analytic) / analytic).toBeLessThan(0.1);
  });
  it("quantiles interpolate like numpy", () => {
    expect(quantileSorted(Float64Array.from([1, 2, 3, 4]), 0.5)).toBe(2.5);
    expect(quantileSorted(Float64Array.from([1, 2, 3, 4]), 0.025)).toBeCloseTo(1.075, 15);
  });
  it("warns with few clusters", () => {
    const r = pairedClusterBootstrap(Int32Array.from([0, 0, 1, 1]), [0, 1, 0, 1], [0, 1, 1, 1], {
      replicates: 50,
    });
    expect(r.warnings.some((w) => w.code === "too_few_clusters")).toBe(true);
  });
});
