import { normalQuantile } from "../stats/normal.js";

/**
 * Agreement between two raters (a judge and people, or two judges) on the same
 * responses: raw agreement, Cohen's kappa with its asymptotic standard error
 * (Fleiss, Cohen & Everitt 1969, as statsmodels computes it) and the confusion
 * matrix. Pure; checked against statsmodels in test/judge.
 */
export interface Agreement {
  labels: string[];
  /** confusion[i][j]: rater A said labels[i], rater B said labels[j]. */
  confusion: number[][];
  n: number;
  agreement: number;
  kappa: number;
  kappaSe: number;
  /** Standard error under H0: kappa = 0. */
  kappaSe0: number;
  /** Wald 95% interval, clipped to [-1, 1]. */
  kappaCi95: [number, number];
  perClass: {
    label: string;
    precision: number | null;
    recall: number | null;
    f1: number | null;
    supportB: number;
  }[];
}

export function kappaFromTable(
  table: readonly (readonly number[])[],
): Omit<Agreement, "labels" | "perClass"> {
  const k = table.length;
  const n = table.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
  if (n === 0) throw new RangeError("no paired labels to compare");
  const p = table.map((row) => row.map((v) => v / n));
  const rowF = p.map((row) => row.reduce((a, b) => a + b, 0));
  const colF = Array.from({ length: k }, (_, j) => p.reduce((s, row) => s + row[j]!, 0));
  let agree = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    agree += p[i]![i]!;
    expected += rowF[i]! * colF[i]!;
  }
  // All responses in one class for both raters: chance agreement is 1, kappa undefined → report 1 when they agree.
  const kappa = expected >= 1 ? 1 : (agree - expected) / (1 - expected);
  let termA = 0;
  let termB = 0;
  let termC0 = 0;
  for (let i = 0; i < k; i++) {
    termA += p[i]![i]! * (1 - (rowF[i]! + colF[i]!) * (1 - kappa)) ** 2;
    termC0 += colF[i]! * rowF[i]! * (colF[i]! + rowF[i]!);
    for (let j = 0; j < k; j++) if (i !== j) termB += p[i]![j]! * (colF[i]! + rowF[j]!) ** 2;
  }
  termB *= (1 - kappa) ** 2;
  const termC = (kappa - expected * (1 - kappa)) ** 2;
  const denom = (1 - expected) ** 2 * n;
  const variance = expected >= 1 ? 0 : Math.max(0, (termA + termB - termC) / denom);
  const variance0 = expected >= 1 ? 0 : Math.max(0, (expected + expected ** 2 - termC0) / denom);
  const se = Math.sqrt(variance);
  const z = normalQuantile(0.975);
  return {
    confusion: table.map((row) => [...row]),
    n,
    agreement: agree,
    kappa,
    kappaSe: se,
    kappaSe0: Math.sqrt(variance0),
    // Kappa lives in [-1, 1]; a Wald interval on a small sample can leave it, so it is clipped.
    kappaCi95: [Math.max(-1, kappa - z * se), Math.min(1, kappa + z * se)],
  };
}

/** Agreement of paired labels; `labels` fixes the class order (others found are appended). */
export function agreementOf(
  pairs: readonly { a: string; b: string }[],
  labels: readonly string[] = ["CORRECT", "INCORRECT"],
): Agreement {
  const order = [...labels];
  for (const { a, b } of pairs) for (const l of [a, b]) if (!order.includes(l)) order.push(l);
  const index = new Map(order.map((l, i) => [l, i]));
  const table = order.map(() => order.map(() => 0));
  for (const { a, b } of pairs) table[index.get(a)!]![index.get(b)!]!++;
  const base = kappaFromTable(table);
  const perClass = order.map((label, i) => {
    const tp = table[i]![i]!;
    const predicted = table[i]!.reduce((x, y) => x + y, 0);
    const actual = table.reduce((s, row) => s + row[i]!, 0);
    const precision = predicted > 0 ? tp / predicted : null;
    const recall = actual > 0 ? tp / actual : null;
    const f1 =
      precision !== null && recall !== null && precision + recall > 0
        ? (2 * precision * recall) / (precision + recall)
        : null;
    return { label, precision, recall, f1, supportB: actual };
  });
  return { labels: order, perClass, ...base };
}
