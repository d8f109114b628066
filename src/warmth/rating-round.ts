/**
 * Warmth ratings as a store-driven batch round (batch/round.ts): custom_id `<trial id>-warmth`,
 * pending = responses without a rating from this judge (in the sampled cells, if `cells`), read
 * a page at a time; results are written straight back as metric rows. Used by the Batch API
 * path (measure.ts) and handed to `candor batch export/import` by the CLI, since stages/ does not
 * import warmth/.
 */
import { customIdOf, parseCustomId } from "../batch/custom-id.js";
import type { RatingRoundOptions } from "../batch/rating-round-options.js";
import type { RoundRequest, RoundSpec } from "../batch/round.js";
import type { GenerateResult } from "../providers/types.js";
import { hasMetric, iteratePendingMetric } from "../store/batch-metrics.js";
import { type MetricRecord, recordMetricFailure, writeMetrics } from "../store/metrics.js";
import { type WarmthScope, warmthScope } from "./cells.js";
import { warmthJudgeId, warmthRatingOf, warmthRatingRequest } from "./judge-rating.js";
import { METRIC_JUDGE_WARMTH } from "./metric-names.js";

export interface WarmthRoundOptions extends RatingRoundOptions {
  /** The cells, when the caller has them already (instead of cells and seed). */
  scope?: WarmthScope;
  /** Counted as ratings are written (EMPTY responses are written while pending is read). */
  counts?: { done: number; empty: number; unparseable: number };
}

export interface WarmthRoundSpec extends RoundSpec {
  kind: "warmth";
  /** A rating that failed for good (own-cluster import): recorded, retried by the next run. */
  fail(trialId: string, message: string): void;
  answered(trialId: string): boolean;
}

/** Empty responses are rated EMPTY without a call, as the live path does. */
const WRITE_EVERY = 500;

export function warmthRatingSpec(o: WarmthRoundOptions): WarmthRoundSpec {
  const { store } = o;
  const scorer = warmthJudgeId(o.model);
  const scope = o.scope ?? warmthScope(store, o.cells, o.seed ?? 0);
  const judge = {
    ...(o.params && { params: o.params }),
    ...(o.structured && { structured: o.structured }),
  };
  const record = (trialId: string, r: MetricRecord["value"], rest: Partial<MetricRecord>) => ({
    trialId,
    metric: METRIC_JUDGE_WARMTH,
    scorer,
    value: r,
    ...rest,
  });
  return {
    kind: "warmth",
    *pending(): Iterable<RoundRequest> {
      let empty: MetricRecord[] = [];
      for (const p of iteratePendingMetric(store, METRIC_JUDGE_WARMTH, scorer)) {
        if (!scope.includes(p)) continue;
        if (p.text.trim().length === 0) {
          empty.push(record(p.trialId, null, { label: "EMPTY" }));
          if (o.counts) {
            o.counts.empty++;
            o.counts.done++;
          }
          if (empty.length >= WRITE_EVERY) {
            writeMetrics(store, empty);
            empty = [];
          }
          continue;
        }
        yield {
          customId: customIdOf("warmth", p.trialId),
          req: warmthRatingRequest(p.text, judge),
        };
      }
      writeMetrics(store, empty);
    },
    apply(results: readonly { customId: string; result: GenerateResult }[]) {
      const rows = results.map(({ customId, result }) => {
        const r = warmthRatingOf(result.text);
        if (o.counts) {
          o.counts.done++;
          if (r.label === "UNPARSEABLE") o.counts.unparseable++;
        }
        return record(parseCustomId(customId).trialId, r.rating, {
          label: r.label,
          detail: { rationale: r.rationale, raw: r.raw },
        });
      });
      writeMetrics(store, rows);
    },
    fail(trialId, message) {
      recordMetricFailure(store, { trialId, metric: METRIC_JUDGE_WARMTH, message, attempts: 1 });
    },
    answered: hasMetric(store, METRIC_JUDGE_WARMTH, scorer),
  };
}
