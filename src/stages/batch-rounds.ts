/**
 * Generation and judging for models sent by batch, as store-driven rounds (batch/round.ts):
 * nothing per waiting request stays in memory, so a 100k-request audit runs in a bounded heap.
 * Runs before the live pipeline, which then finds only what the rounds could not finish (handed
 * back to it to be recorded as failed, or sent live with `retry: live`) and whatever is not
 * batched. custom_id = the trial id (generation) or `<trial id>-judge` (its verdict).
 */
import { dirname, join } from "node:path";
import { BatchProvider } from "../batch/batch-provider.js";
import { BatchRound, type RoundRequest } from "../batch/round.js";
import type { AuditProgress } from "../engine/counters.js";
import type { Endpoint } from "../engine/endpoint.js";
import type { ResponseCache } from "../engine/response-cache.js";
import { ProviderCallError } from "../errors.js";
import { judgeRequest, ruleVerdict, verdictFromJudgeOutput } from "../judge/judge-response.js";
import { ruleJudgeVerdict } from "../judge/rule-judge.js";
import { inMode } from "../judge/structured.js";
import type { GenerateResult } from "../providers/types.js";
import type { RunStore, TrialScope } from "../store/run-store.js";
import type { Item, Judgment, Response, TaskName } from "../types.js";
import { replyVerdict } from "./reply-outcome.js";
import { EndpointUnusableError } from "./stop-errors.js";
import { itemOf, resultFields } from "./trial-helpers.js";
import type { JudgeContext, Verdict } from "./verdict.js";

export interface BatchRoundOptions {
  store: RunStore;
  subjects: ReadonlyMap<string, Endpoint>;
  judge: JudgeContext;
  items: ReadonlyMap<string, Item>;
  generate?: boolean;
  cache?: ResponseCache;
  scope?: TrialScope;
  progress: AuditProgress;
  signal: AbortSignal;
}

/** The suffix that makes a verdict's custom_id from its trial id. */
export const JUDGE_SUFFIX = "-judge";

/** Rows written outside a round's results (rule verdicts) go in chunks of this many. */
const WRITE_CHUNK = 500;

export async function runBatchRounds(o: BatchRoundOptions): Promise<void> {
  // The response cache answers per call, which a round does not make; an earlier run's
  // per-request batches (custom_id = content key) are resumed by the per-request path.
  if (o.cache) return;
  const batched = new Set<BatchProvider>();
  for (const e of o.subjects.values())
    if (e.provider instanceof BatchProvider) batched.add(e.provider);
  const judges = [o.judge, ...(o.judge.tasks?.values() ?? [])];
  for (const j of judges)
    if (j.endpoint?.provider instanceof BatchProvider) batched.add(j.endpoint.provider);
  const first = [...batched][0];
  if (!first || first.store.hasOpenRequestJobs()) return;
  const dir = join(dirname(o.store.file), "batches");
  try {
    if (o.generate !== false) {
      for (const p of new Set([...o.subjects.values()].map((e) => e.provider))) {
        if (p instanceof BatchProvider)
          await new BatchRound(p, generation(o, p), dir, o.signal).run();
      }
    }
    for (const p of batched) {
      if (judges.some((j) => j.endpoint?.provider === p)) {
        await new BatchRound(p, verdicts(o, p), dir, o.signal).run();
      }
    }
  } catch (err) {
    if (o.signal.aborted) return;
    // A submit the provider refuses outright (bad key, unknown model) fails every batch.
    if (err instanceof ProviderCallError && !err.retryable) {
      throw new EndpointUnusableError(
        `${err.message}\nStopped: every further batch would fail the same way. Finished work is saved; fix this and re-run to resume.`,
      );
    }
    throw err;
  }
}

function generation(o: BatchRoundOptions, p: BatchProvider) {
  const subjects = new Set([...o.subjects].filter(([, e]) => e.provider === p).map(([id]) => id));
  const counters = o.progress.generate;
  return {
    kind: "generate",
    *pending(): Iterable<RoundRequest> {
      for (const t of o.store.iteratePendingGeneration(o.scope)) {
        if (subjects.has(t.subjectId)) {
          yield { customId: t.id, req: { messages: t.messages, params: t.params } };
        }
      }
    },
    apply(results: readonly { customId: string; result: GenerateResult }[]) {
      const createdAt = new Date().toISOString();
      const responses: Response[] = results.map(({ customId, result }) => ({
        trialId: customId,
        text: result.text,
        latencyMs: 0,
        createdAt,
        ...resultFields(result),
        ...(result.servedModel !== undefined && { servedModel: result.servedModel }),
      }));
      o.store.writeBatch({ responses });
      for (const { result } of results) {
        counters.done++;
        counters.promptTokens += result.promptTokens ?? 0;
        counters.completionTokens += result.completionTokens ?? 0;
      }
    },
  };
}

function verdicts(o: BatchRoundOptions, p: BatchProvider) {
  const { judge, store } = o;
  const counters = o.progress.judge;
  const own = (task: TaskName): JudgeContext => judge.tasks?.get(task) ?? judge;
  const taskOf = store.db.prepare<[string], { task: TaskName; itemId: string }>(
    "SELECT task, item_id AS itemId FROM trials WHERE id = ?",
  );
  let direct: Judgment[] = [];
  const write = (trialId: string, v: Verdict) => {
    direct.push({ trialId, judge: judge.id, ...v, createdAt: new Date().toISOString() });
    counters.done++;
    if (direct.length >= WRITE_CHUNK) flush();
  };
  const flush = () => {
    store.writeBatch({ judgments: direct });
    direct = [];
  };
  return {
    kind: "judge",
    *pending(): Iterable<RoundRequest> {
      for (const { trial, response, finishReason } of store.iteratePendingJudgment(
        judge.id,
        o.scope,
      )) {
        const item = itemOf(o.items, trial);
        const j = own(item.task);
        // What judgeText decides without the judge model is written here, as it would be live.
        const ruled =
          replyVerdict(finishReason) ??
          (j.endpoint
            ? ruleVerdict(item, response, j.refusals)
            : (ruleJudgeVerdict(item, response) ?? {
                label: "ERROR" as const,
                rationale: `no rule scores ${item.task}`,
              }));
        if (ruled) write(trial.id, ruled);
        else if (j.endpoint?.provider === p) {
          yield {
            customId: `${trial.id}${JUDGE_SUFFIX}`,
            req: inMode(
              { ...judgeRequest(item, response, j.refusals), params: j.params },
              j.structured ?? "json_schema",
            ),
          };
        }
      }
      flush();
    },
    apply(results: readonly { customId: string; result: GenerateResult }[]) {
      const createdAt = new Date().toISOString();
      const judgments: Judgment[] = [];
      for (const { customId, result } of results) {
        const trialId = customId.slice(0, -JUDGE_SUFFIX.length);
        const t = taskOf.get(trialId);
        if (!t || !customId.endsWith(JUDGE_SUFFIX)) continue;
        const v = verdictFromJudgeOutput(result.text, t.task, own(t.task).refusals);
        judgments.push({ trialId, judge: judge.id, ...v, createdAt });
        counters.done++;
        counters.promptTokens += result.promptTokens ?? 0;
        counters.completionTokens += result.completionTokens ?? 0;
        if (judge.guard?.record(v.label, v.raw)) judge.onUnparseableLimit?.();
      }
      store.writeBatch({ judgments });
    },
  };
}
