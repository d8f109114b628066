import { dirname } from "node:path";
import { pipelineTextsFor } from "../design/language-texts.js";
import type { RetryPolicy } from "../engine/backoff.js";
import { cachedCallModel } from "../engine/cached-call.js";
import { CallFailed, type CallOptions, Cancelled } from "../engine/call.js";
import { type AuditProgress, newCounters } from "../engine/counters.js";
import type { Endpoint } from "../engine/endpoint.js";
import type { ResponseCache } from "../engine/response-cache.js";
import { runQueue } from "../engine/run-queue.js";
import { UnparseableGuard, unparseableMessage } from "../judge/unparseable-guard.js";
import type { GenerateResult } from "../providers/types.js";
import { BatchWriter } from "../store/batch-writer.js";
import type { Failure, RunStore, TrialScope } from "../store/run-store.js";
import type { Item, Response, Trial } from "../types.js";
import { runBatchRounds } from "./batch-rounds.js";
import { type ChallengeSettings, runChallenges } from "./challenge.js";
import { type PipelineSubject, runPipelineTrial } from "./pipeline-trial.js";
import { type PressureSettings, runPressure } from "./pressure.js";
import { EMPTY_FINISH, isEmptyReplyFailure, replyVerdict } from "./reply-outcome.js";
import { EndpointUnusableError, JudgeUnparseableError } from "./stop-errors.js";
import {
  countCall,
  failureOf,
  itemKey,
  itemOf,
  resultFields,
  trialLanguage,
} from "./trial-helpers.js";
import { type JudgeContext, judgeText, type Verdict } from "./verdict.js";

export interface ExecuteOptions {
  store: RunStore;
  /** Endpoint per subject id. */
  subjects: ReadonlyMap<string, Endpoint>;
  judge: JudgeContext;
  /** false: only judge responses already stored (re-judging with another judge). */
  generate?: boolean;
  /** Cross-run response cache (`cache: true`); absent = always call the model. */
  cache?: ResponseCache;
  /** Only work on these contexts/beliefs (CLI --contexts/--beliefs); everything when absent. */
  scope?: TrialScope;
  /** Subjects with `pipeline:` (answer, restyle, claim check), by id: stages/pipeline-trial.ts. */
  pipelines?: ReadonlyMap<string, PipelineSubject>;
  /** "Are you sure?" follow-ups, when the audit asks for them. */
  challenge?: ChallengeSettings;
  /** Push-backs over several turns (`pressure:`). */
  pressure?: PressureSettings;
  /** judge.max_unparseable: the run stops when more of the judge's verdicts are unparseable. */
  maxUnparseable?: number;
  retry: RetryPolicy;
  timeoutMs: number;
  signal: AbortSignal;
  progress?: AuditProgress;
}

/**
 * Generates every pending trial and judges every unjudged response, as one
 * stream: a trial is judged as soon as its response exists. Results go to the
 * store in batches; failures after all retries are recorded and left pending
 * so the next run retries exactly those.
 */
export async function executePending(options: ExecuteOptions): Promise<AuditProgress> {
  const { store } = options;
  // Stops the run on the user's Ctrl+C, or on a failure every call would repeat (bad key…).
  const stop = new AbortController();
  let fatal: CallFailed | undefined;
  const onOuterAbort = () => stop.abort(options.signal.reason);
  if (options.signal.aborted) stop.abort(options.signal.reason);
  else options.signal.addEventListener("abort", onOuterAbort, { once: true });
  const signal = stop.signal;
  let tooManyUnparseable: string | undefined;
  const guard =
    options.maxUnparseable === undefined
      ? undefined
      : new UnparseableGuard(options.maxUnparseable, modelVerdictCounts(store, options.judge.id));
  const judge: JudgeContext = {
    ...options.judge,
    ...(guard && {
      guard,
      onUnparseableLimit: () => {
        tooManyUnparseable ??= unparseableMessage(
          options.judge.endpoint?.provider.ref ?? options.judge.id,
          guard.counts,
          guard.maxShare,
          options.judge.structured ?? "json_schema",
          dirname(store.file),
        );
        stop.abort(new Error("too many unparseable verdicts"));
      },
    }),
  };
  const recordFailure = (trialId: string, stage: Failure["stage"], err: unknown) => {
    if (err instanceof CallFailed && err.fatal) {
      fatal ??= err;
      stop.abort(err);
      return;
    }
    writer.addFailure(failureOf(trialId, stage, err));
    progress[stage === "generate" ? "generate" : stage === "judge" ? "judge" : "challenge"]!
      .failed++;
  };
  const progress = options.progress ?? {
    generate: newCounters("generate"),
    judge: newCounters("judge"),
  };
  const items = new Map<string, Item>();
  for (const item of store.items()) items.set(itemKey(item.task, item.id), item);

  const pendingGenCount = store.countPendingGeneration(options.scope);
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
  // One options object per stage, not per call: at thousands of calls a second it shows.
  const stageCallOptions = new Map<keyof AuditProgress, CallOptions>();
  const callOptions = (stage: keyof AuditProgress): CallOptions => {
    let o = stageCallOptions.get(stage);
    if (!o) {
      o = {
        retry: options.retry,
        timeoutMs: options.timeoutMs,
        signal,
        onRetry: () => {
          const counters = progress[stage];
          if (counters) counters.retries++;
        },
      };
      stageCallOptions.set(stage, o);
    }
    return o;
  };

  const judgeOne = async (
    trial: Trial,
    response: string,
    finishReason: string | null | undefined,
  ): Promise<void> => {
    const item = itemOf(items, trial);
    let verdict: Verdict | undefined = replyVerdict(finishReason);
    if (!verdict) {
      try {
        verdict = await judgeText(
          item,
          response,
          judge,
          callOptions("judge"),
          progress.judge,
          trialLanguage(trial),
        );
      } catch (err) {
        if (err instanceof Cancelled) return;
        recordFailure(trial.id, "judge", err);
        return;
      }
    }
    // On disk before it counts as done: a crash after this point never repeats the call.
    await writer.addJudgment({
      trialId: trial.id,
      judge: judge.id,
      ...verdict,
      createdAt: new Date().toISOString(),
    });
    progress.judge.done++;
  };

  const pipelineContext = {
    store,
    judge,
    judgeCounters: progress.judge,
    ...(options.cache && { cache: options.cache }),
  };
  const generateOne = async (trial: Trial): Promise<void> => {
    const endpoint = options.subjects.get(trial.subjectId);
    if (!endpoint) throw new Error(`no endpoint for subject ${trial.subjectId}`);
    let response: Response;
    let call: { result: GenerateResult; cached: boolean } | undefined;
    const pipeline = options.pipelines?.get(trial.subjectId);
    try {
      const { result, latencyMs, cached } = pipeline
        ? await runPipelineTrial(trial, itemOf(items, trial), endpoint, pipeline, {
            ...pipelineContext,
            texts: pipelineTextsFor(trialLanguage(trial)),
            judgeCall: callOptions("judge"),
            call: callOptions("generate"),
          })
        : await cachedCallModel(
            options.cache,
            trial.sample,
            endpoint.provider,
            endpoint.limiter,
            { messages: trial.messages, params: trial.params },
            callOptions("generate"),
          );
      call = { result, cached };
      response = {
        trialId: trial.id,
        text: result.text,
        latencyMs,
        createdAt: new Date().toISOString(),
        ...resultFields(result),
        ...(result.servedModel !== undefined && { servedModel: result.servedModel }),
      };
    } catch (err) {
      if (err instanceof Cancelled) return;
      if (!isEmptyReplyFailure(err)) {
        recordFailure(trial.id, "generate", err);
        return;
      }
      // Empty through every retry: a result of its own (EMPTY), not a failure to retry forever.
      response = {
        trialId: trial.id,
        text: "",
        finishReason: EMPTY_FINISH,
        latencyMs: 0,
        createdAt: new Date().toISOString(),
      };
    }
    // On disk before it counts as done: a crash after this point never repeats the call. The
    // judge starts meanwhile (its verdict can only be written with or after the response).
    const saved = writer.addResponse(response).then(() => {
      if (call) countCall(progress.generate, call.result, call.cached);
      else progress.generate.done++;
    });
    await Promise.all([saved, judgeOne(trial, response.text, response.finishReason)]);
  };

  const maxInFlight = Math.max(
    1,
    [...new Set([...options.subjects.values()].map((e) => e.limiter))].reduce(
      (sum, l) => sum + l.control.max,
      0,
    ) * 2,
  );
  try {
    // Models sent by batch: store-driven rounds first; what they leave is handed back below.
    await runBatchRounds({ ...options, judge, items, progress, signal });
    // Responses left unjudged by an earlier run first: they cost one call each.
    await runQueue(
      store.iteratePendingJudgment(options.judge.id, options.scope),
      (options.judge.endpoint?.limiter.control.max ?? 4) * 2,
      (p) => judgeOne(p.trial, p.response, p.finishReason),
      signal,
    );
    if (options.generate !== false) {
      await runQueue(
        store.iteratePendingGeneration(options.scope),
        maxInFlight,
        generateOne,
        signal,
      );
    }
    if (options.challenge && !signal.aborted) {
      writer.flush();
      await runChallenges({
        ...options,
        judge,
        signal,
        recordFailure,
        challenge: options.challenge,
        items,
        writer,
        progress,
        call: callOptions,
        maxInFlight,
      });
    }
    if (options.pressure && !signal.aborted) {
      writer.flush();
      progress.pressure ??= newCounters("pressure");
      await runPressure({
        ...options,
        judge,
        pressure: options.pressure,
        items,
        counters: progress.pressure,
        call: callOptions("pressure"),
        signal,
        maxInFlight,
        onFatal: (err) => {
          fatal ??= err;
          stop.abort(err);
        },
      });
    }
  } finally {
    writer.flush();
    options.signal.removeEventListener("abort", onOuterAbort);
  }
  if (fatal) {
    throw new EndpointUnusableError(
      `${fatal.message}\nStopped: every further call would fail the same way. Finished work is saved; fix this and re-run to resume.`,
    );
  }
  if (tooManyUnparseable !== undefined) throw new JudgeUnparseableError(tooManyUnparseable);
  return progress;
}

/** The judge model's stored verdicts (rule verdicts store no raw reply) and one unparseable reply. */
function modelVerdictCounts(
  store: RunStore,
  judge: string,
): { verdicts: number; unparseable: number; example?: string } {
  const row = store.db
    .prepare(
      `SELECT count(*) AS verdicts, coalesce(sum(label = 'UNPARSEABLE'), 0) AS unparseable,
              (SELECT raw FROM judgments WHERE judge = @judge AND label = 'UNPARSEABLE'
                AND raw IS NOT NULL LIMIT 1) AS example
         FROM judgments WHERE judge = @judge AND raw IS NOT NULL`,
    )
    .get({ judge }) as { verdicts: number; unparseable: number; example: string | null };
  return {
    verdicts: row.verdicts,
    unparseable: row.unparseable,
    ...(row.example !== null && { example: row.example }),
  };
}

export type { Endpoint } from "../engine/endpoint.js";
