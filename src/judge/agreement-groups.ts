import { twoProportionZTest } from "../stats/two-proportion.js";
import { agreementOf } from "./agreement.js";

/**
 * Judge-vs-people agreement broken down by task and by subject, and a test of
 * whether the judge agrees with people less often on a treatment's answers
 * than on its reference's (a judge fooled by warm prose would). Pure.
 */

export interface LabelledPair {
  subject: string;
  task: string;
  /** The judge's label and the other rater's (people or a second judge). */
  a: string;
  b: string;
}

export interface GroupAgreement {
  n: number;
  agreement: number;
  kappa: number;
  kappaCi95: string;
}

export interface ComparisonAgreement {
  treatment: string;
  reference: string;
  treatmentN: number;
  treatmentAgreement: number | null;
  referenceN: number;
  referenceAgreement: number | null;
  /** Treatment − reference, percentage points. */
  differencePp: number | null;
  /** One-sided two-proportion z-test, H1: the judge agrees less often on the treatment's answers. */
  z: number | null;
  p: number | null;
}

function group(pairs: readonly LabelledPair[]): GroupAgreement {
  const a = agreementOf(pairs);
  return {
    n: a.n,
    agreement: a.agreement,
    kappa: a.kappa,
    kappaCi95: `[${a.kappaCi95[0].toFixed(3)}, ${a.kappaCi95[1].toFixed(3)}]`,
  };
}

function by<K extends "subject" | "task">(
  pairs: readonly LabelledPair[],
  key: K,
): ({ [P in K]: string } & GroupAgreement)[] {
  const values = [...new Set(pairs.map((p) => p[key]))].sort();
  return values.map(
    (v) =>
      ({ [key]: v, ...group(pairs.filter((p) => p[key] === v)) }) as {
        [P in K]: string;
      } & GroupAgreement,
  );
}

export function agreementBreakdown(
  pairs: readonly LabelledPair[],
  compare: readonly { reference: string; treatments: readonly string[] }[],
): {
  perTask: ({ task: string } & GroupAgreement)[];
  perSubject: ({ subject: string } & GroupAgreement)[];
  comparisons: ComparisonAgreement[];
} {
  const comparisons: ComparisonAgreement[] = [];
  const agreeing = (subject: string) => {
    const mine = pairs.filter((p) => p.subject === subject);
    return { n: mine.length, x: mine.filter((p) => p.a === p.b).length };
  };
  for (const c of compare) {
    for (const treatment of c.treatments) {
      const t = agreeing(treatment);
      const r = agreeing(c.reference);
      const tRate = t.n > 0 ? t.x / t.n : null;
      const rRate = r.n > 0 ? r.x / r.n : null;
      const test = twoProportionZTest(t.x, t.n, r.x, r.n, "smaller");
      comparisons.push({
        treatment,
        reference: c.reference,
        treatmentN: t.n,
        treatmentAgreement: tRate,
        referenceN: r.n,
        referenceAgreement: rRate,
        differencePp: tRate !== null && rRate !== null ? (tRate - rRate) * 100 : null,
        z: test.z,
        p: test.p,
      });
    }
  }
  return { perTask: by(pairs, "task"), perSubject: by(pairs, "subject"), comparisons };
}
