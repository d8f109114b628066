import type { RetryPolicy } from "../engine/backoff.js";
import { CallFailed, Cancelled, callModel } from "../engine/call.js";
import type { Limiter } from "../engine/limiter.js";
import { judgeRequest, ruleVerdict, verdictFromJudgeOutput } from "../judge/judge-response.js";
import type { Provider } from "../providers/types.js";
import { BatchWriter } from "../store/batch-writer.js";
import type { RunStore } from "../store/run-store.js";
import type { GenerationParams, Item, Trial } from "../types.js";
import { type AuditProgress, newCounters } from "./progress.js";
import { runQueue } from "./run-queue.js";

/** A model endpoint as the stages use it: the client plus its concurrency limiter. */
export interface Endpoint {
  provider: Provider;
  limiter: Limiter;
}

export interface ExecuteOptions {
  store: RunStore;
  /** Endpoint per subject id. */
  subjects: ReadonlyMap<string, Endpoint>;
  judge: { id: string; endpoint: Endpoint; params: GenerationParams };
  retry: RetryPolicy;
  timeoutMs: number;
  signal: AbortSignal;
  progress?: AuditProgress;
}

function itemKey(task: string, id: string): string {
  return `${task}\u0000${id}`;
}

/**
 * Generates every pending trial and judges every unjudged response, as one
 * stream: a trial is judged as soon as its response exists. Results go to the
 * store in batches; failures after all retries are recorded and left pending
 * so the next run retries exactly those.
 */
export async function executePending(options: ExecuteOptions): Promise<AuditProgress> {
  const { store, signal } = options;
  const progress = options.progress ?? {
    generate: newCounters("generate"),
    judge: newCounters("judge"),
  };
  const items = new Map<string, Item>();
  for (const item of store.items()) items.set(itemKey(item.task, item.id), item);

  const pendingGenCount = store.countPendingGeneration();
  const totalTrials =
    (store.db.prepare("SELECT count(*) FROM trials").pluck().get() as number) ?? 0;
  const judgedAlready = store.db
    .prepare("SELECT count(*) FROM judgments WHERE judge = ?")
    .pluck()
    .get(options.judge.id) as number;
  progress.generate.total = totalTrials;
  progress.generate.resumed = totalTrials - pendingGenCount;
  progress.generate.done = progress.generate.resumed;
  progress.judge.total = totalTrials;
  progress.judge.resumed = judgedAlready;
  progress.judge.done = judgedAlready;

  const writer = new BatchWriter(store);
  const callOptions = (stage: "generate" | "judge") => ({
    retry: options.retry,
    timeoutMs: options.timeoutMs,
    signal,
    onRetry: () => {
      progress[stage].retries++;
    },
  });

  const judgeOne = async (trial: Trial, response: string): Promise<void> => {
    const item = items.get(itemKey(trial.task, trial.itemId));
    if (!item) throw new Error(`item ${trial.task}/${trial.itemId} missing from the run store`);
    const now = () => new Date().toISOString();
    const rule = ruleVerdict(trial.task, response);
    if (rule) {
      writer.addJudgment({ trialId: trial.id, judge: options.judge.id, ...rule, createdAt: now() });
      progress.judge.done++;
      return;
    }
    try {
      const { result } = await callModel(
        options.judge.endpoint.provider,
        options.judge.endpoint.limiter,
        { ...judgeRequest(item, response), params: options.judge.params },
        callOptions("judge"),
      );
      progress.judge.promptTokens += result.promptTokens ?? 0;
      progress.judge.completionTokens += result.completionTokens ?? 0;
      writer.addJudgment({
        trialId: trial.id,
        judge: options.judge.id,
        ...verdictFromJudgeOutput(result.text),
        createdAt: now(),
      });
      progress.judge.done++;
    } catch (err) {
      if (err instanceof Cancelled) return;
      const attempts = err instanceof CallFailed ? err.attempts : 1;
      writer.addFailure({
        trialId: trial.id,
        stage: "judge",
        message: (err as Error).message,
        attempts,
      });
      progress.judge.failed++;
    }
  };

  const generateOne = async (trial: Trial): Promise<void> => {
    const endpoint = options.subjects.get(trial.subjectId);
    if (!endpoint) throw new Error(`no endpoint for subject ${trial.subjectId}`);
    let text: string;
    try {
      const { result, latencyMs } = await callModel(
        endpoint.provider,
        endpoint.limiter,
        { messages: trial.messages, params: trial.params },
        callOptions("generate"),
      );
      text = result.text;
      const response = {
        trialId: trial.id,
        text,
        latencyMs,
        createdAt: new Date().toISOString(),
        ...(result.finishReason !== undefined && { finishReason: result.finishReason }),
        ...(result.promptTokens !== undefined && { promptTokens: result.promptTokens }),
        ...(result.completionTokens !== undefined && { completionTokens: result.completionTokens }),
        ...(result.servedModel !== undefined && { servedModel: result.servedModel }),
      };
      writer.addResponse(response);
      progress.generate.done++;
      progress.generate.promptTokens += result.promptTokens ?? 0;
      progress.generate.completionTokens += result.completionTokens ?? 0;
    } catch (err) {
      if (err instanceof Cancelled) return;
      const attempts = err instanceof CallFailed ? err.attempts : 1;
      writer.addFailure({
        trialId: trial.id,
        stage: "generate",
        message: (err as Error).message,
        attempts,
      });
      progress.generate.failed++;
      return;
    }
    await judgeOne(trial, text);
  };

  const maxInFlight = Math.max(
    1,
    [...new Set([...options.subjects.values()].map((e) => e.limiter))].reduce(
      (sum, l) => sum + l.control.max,
      0,
    ) * 2,
  );
  try {
    // Responses left unjudged by an earlier run first: they cost one call each.
    await runQueue(
      store.iteratePendingJudgment(options.judge.id),
      options.judge.endpoint.limiter.control.max * 2,
      (p) => judgeOne(p.trial, p.response),
      signal,
    );
    await runQueue(store.iteratePendingGeneration(), maxInFlight, generateOne, signal);
  } finally {
    writer.flush();
  }
  return progress;
}
