/**
 * The lead sentence every surface opens with (terminal summary, summary.json,
 * report.html, report.md). It is built from the most informative paired
 * estimate — the treatment − reference error gap pooled over all reliability
 * tasks and contexts, without a user belief and with one, with item-clustered
 * 95% CIs — never from the study's Model 1 alone, which uses 1/18 of the data.
 * Pure: the numbers come from the summary's "all" comparisons, and the words
 * are chosen from the same p-values the tables beside them show.
 */
import type { BeliefGroup } from "../types.js";

export const HEADLINE_ALPHA = 0.05;

/** What the headline needs of one summary comparison (a structural subset of SummaryComparison). */
export interface GapInput {
  readonly reference: string;
  readonly treatment: string;
  readonly task: string;
  readonly beliefGroup: BeliefGroup;
  readonly referenceErrorRate: number | null;
  readonly treatmentErrorRate: number | null;
  readonly differencePp: number | null;
  readonly ci95Pp: readonly [number, number] | null;
  readonly clustered: { readonly p: number | null; readonly items: number };
}

export interface PooledGap {
  readonly beliefGroup: BeliefGroup;
  readonly referenceErrorRate: number | null;
  readonly treatmentErrorRate: number | null;
  /** Treatment − reference, percentage points. */
  readonly differencePp: number | null;
  /** Item-clustered 95% CI, percentage points. */
  readonly ci95Pp: readonly [number, number] | null;
  /** Wald p with the item-clustered SE. */
  readonly p: number | null;
  readonly items: number;
  readonly significant: boolean;
}

export interface Headline {
  readonly reference: string;
  readonly treatment: string;
  readonly gaps: readonly PooledGap[];
  readonly sentence: string;
}

/** One decimal, signed, with a real minus sign: "+10.6", "−2.0", "0.0". */
export function formatPp(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return "—";
  const s = Math.abs(x).toFixed(1);
  if (Number(s) === 0) return "0.0";
  return x > 0 ? `+${s}` : `−${s}`;
}

export function formatP(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return "p not estimable";
  return p < 0.001 ? "p < 0.001" : `p = ${p.toFixed(3)}`;
}

export function formatCiPp(ci: readonly [number, number] | null): string {
  return ci === null ? "CI not estimable" : `95% CI ${formatPp(ci[0])} to ${formatPp(ci[1])}`;
}

/** "+10.6 pp (95% CI +6.1 to +15.1, p < 0.001)" — the same string in every surface. */
export function formatGap(g: Pick<PooledGap, "differencePp" | "ci95Pp" | "p">): string {
  return `${formatPp(g.differencePp)} pp (${formatCiPp(g.ci95Pp)}, ${formatP(g.p)})`;
}

const GROUP_WORDS: Record<BeliefGroup, string> = {
  no_belief: "without a user belief",
  user_belief: "when the user states a belief",
};

function isSignificant(g: { differencePp: number | null; p: number | null }): boolean {
  return g.differencePp !== null && g.differencePp !== 0 && g.p !== null && g.p < HEADLINE_ALPHA;
}

function direction(g: PooledGap): "more" | "less" {
  return (g.differencePp ?? 0) > 0 ? "more" : "less";
}

/** The sentence for one comparison; "no significant difference" only when no pooled test is significant. */
export function headlineSentence(
  treatment: string,
  reference: string,
  gaps: readonly PooledGap[],
): string {
  const scope = "over all reliability tasks and contexts";
  const items = Math.max(0, ...gaps.map((g) => g.items));
  const tail = `item-clustered 95% CIs over ${items} item${items === 1 ? "" : "s"}`;
  const usable = gaps.filter((g) => g.differencePp !== null);
  if (usable.length === 0) {
    return `${treatment} could not yet be compared with ${reference}: no item has scored responses of both.`;
  }
  const sig = usable.filter((g) => g.significant);
  if (sig.length === 0) {
    const parts = usable.map((g) => `${formatGap(g)} ${GROUP_WORDS[g.beliefGroup]}`);
    return `No significant difference in errors between ${treatment} and ${reference} ${scope}: ${parts.join(", and ")}; ${tail}.`;
  }
  const dirs = new Set(sig.map(direction));
  if (sig.length === usable.length && dirs.size === 1) {
    const parts = usable.map((g) => `${formatGap(g)} ${GROUP_WORDS[g.beliefGroup]}`);
    return `${treatment} erred ${direction(sig[0]!)} often than ${reference} ${scope}: ${parts.join(", and ")}; ${tail}.`;
  }
  const clauses = usable.map((g) =>
    g.significant
      ? `${treatment} erred ${direction(g)} often than ${reference} ${GROUP_WORDS[g.beliefGroup]}, ${formatGap(g)}`
      : `${GROUP_WORDS[g.beliefGroup]} the gap, ${formatGap(g)}, was not significant`,
  );
  const [first, ...rest] = clauses;
  return `${scope.charAt(0).toUpperCase()}${scope.slice(1)}, ${first}; ${rest.join("; ")}; ${tail}.`;
}

/** One headline per comparison, from the summary's pooled ("all") gaps. */
export function buildHeadlines(comparisons: readonly GapInput[]): Headline[] {
  const out: Headline[] = [];
  const seen = new Set<string>();
  for (const c of comparisons) {
    const key = `${c.reference}\u0000${c.treatment}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const gaps: PooledGap[] = (["no_belief", "user_belief"] as const).flatMap((group) => {
      const g = comparisons.find(
        (x) =>
          x.reference === c.reference &&
          x.treatment === c.treatment &&
          x.task === "all" &&
          x.beliefGroup === group,
      );
      if (!g) return [];
      const gap = {
        beliefGroup: group,
        referenceErrorRate: g.referenceErrorRate,
        treatmentErrorRate: g.treatmentErrorRate,
        differencePp: g.differencePp,
        ci95Pp: g.ci95Pp,
        p: g.clustered.p,
        items: g.clustered.items,
      };
      return [{ ...gap, significant: isSignificant(gap) }];
    });
    if (gaps.length === 0) continue;
    out.push({
      reference: c.reference,
      treatment: c.treatment,
      gaps,
      sentence: headlineSentence(c.treatment, c.reference, gaps),
    });
  }
  return out;
}

/** The lead: every comparison's sentence, in configuration order. */
export function leadText(headlines: readonly Headline[]): string | null {
  return headlines.length > 0 ? headlines.map((h) => h.sentence).join(" ") : null;
}

/**
 * The study's Model 1 AME, labelled as the study-comparable number: it uses
 * the unmodified context without a user belief only, so it can miss a gap the
 * pooled estimate finds, and the words say so instead of contradicting the lead.
 */
export function studyComparableSentence(
  m1: {
    estimate: number | null;
    ciLower: number | null;
    ciUpper: number | null;
    p: number | null;
    n: number;
  },
  seLabel: string,
  pooledSignificant: boolean,
): string {
  const ci: [number, number] | null =
    m1.ciLower !== null && m1.ciUpper !== null ? [m1.ciLower, m1.ciUpper] : null;
  const gap = formatGap({ differencePp: m1.estimate, ci95Pp: ci, p: m1.p });
  const caveat =
    !isSignificant({ differencePp: m1.estimate, p: m1.p }) && pooledSignificant
      ? " It is not significant on its own because it uses only the unmodified-context, no-belief responses; the pooled estimate above uses all of them."
      : "";
  return `Study-comparable figure (the study's Model 1: unmodified context, no user belief, ${m1.n} responses, ${seLabel} SE): ${gap}.${caveat}`;
}
