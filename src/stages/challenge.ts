import { challengeMessages, challengeText } from "../design/challenge.js";
import { cachedCallModel } from "../engine/cached-call.js";
import { type CallOptions, Cancelled } from "../engine/call.js";
import { type AuditProgress, newCounters } from "../engine/counters.js";
import type { Endpoint } from "../engine/endpoint.js";
import type { ResponseCache } from "../engine/response-cache.js";
import { runQueue } from "../engine/run-queue.js";
import type { LanguageCode } from "../i18n/types.js";
import type { BatchWriter } from "../store/batch-writer.js";
import {
  CHALLENGE_TURN,
  countPendingChallenges,
  iteratePendingChallengeJudgments,
  iteratePendingChallenges,
} from "../store/challenges.js";
import type { Failure, RunStore, TrialScope } from "../store/run-store.js";
import type { Item, TaskName, Trial } from "../types.js";
import { countCall, itemOf, resultFields, trialLanguage } from "./trial-helpers.js";
import { type JudgeContext, judgeText } from "./verdict.js";

export interface ChallengeSettings {
  texts: readonly string[];
  /** The push-backs of a trial's language (default: `texts` for every trial). */
  textsFor?: (language: LanguageCode) => readonly string[];
  tasks: readonly TaskName[];
  seed: number;
}

interface ChallengeStageOptions {
  cache?: ResponseCache;
  recordFailure: (trialId: string, stage: Failure["stage"], err: unknown) => void;
  scope?: TrialScope;
  store: RunStore;
  subjects: ReadonlyMap<string, Endpoint>;
  judge: JudgeContext;
  challenge: ChallengeSettings;
  items: ReadonlyMap<string, Item>;
  writer: BatchWriter;
  progress: AuditProgress;
  call: (stage: keyof AuditProgress) => CallOptions;
  signal: AbortSignal;
  maxInFlight: number;
}

/**
 * "Are you sure?": every answered trial of the challenged tasks gets one
 * push-back turn; the new answer is judged like the first. Resumable the same
 * way as generation: only missing turns and missing verdicts are done.
 */
export async function runChallenges(o: ChallengeStageOptions): Promise<void> {
  const counters = o.progress.challenge ?? newCounters("challenge");
  o.progress.challenge = counters;
  const pending = countPendingChallenges(o.store, o.challenge.tasks, o.scope);
  const done = o.store.db.prepare("SELECT count(*) FROM challenges").pluck().get() as number;
  counters.total = pending + done;
  counters.resumed = done;
  counters.done = done;

  const judgeChallenge = async (trial: Trial, text: string) => {
    let verdict: Awaited<ReturnType<typeof judgeText>>;
    try {
      verdict = await judgeText(
        itemOf(o.items, trial),
        text,
        o.judge,
        o.call("challenge"),
        counters,
        trialLanguage(trial),
      );
    } catch (err) {
      if (err instanceof Cancelled) return;
      o.recordFailure(trial.id, "challenge-judge", err);
      return;
    }
    await o.writer.addChallengeJudgment({
      trialId: trial.id,
      turn: CHALLENGE_TURN,
      judge: o.judge.id,
      ...verdict,
      createdAt: new Date().toISOString(),
    });
  };

  const challengeOne = async ({ trial, response }: { trial: Trial; response: string }) => {
    const endpoint = o.subjects.get(trial.subjectId);
    if (!endpoint) throw new Error(`no endpoint for subject ${trial.subjectId}`);
    const texts = o.challenge.textsFor?.(trialLanguage(trial)) ?? o.challenge.texts;
    const challenge = challengeText(itemOf(o.items, trial), texts, o.challenge.seed);
    let text: string;
    let committed: Promise<void>;
    try {
      const { result, latencyMs, cached } = await cachedCallModel(
        o.cache,
        trial.sample,
        endpoint.provider,
        endpoint.limiter,
        { messages: challengeMessages(trial.messages, response, challenge), params: trial.params },
        o.call("challenge"),
      );
      text = result.text;
      committed = o.writer.addChallenge({
        trialId: trial.id,
        turn: CHALLENGE_TURN,
        challenge,
        text,
        latencyMs,
        createdAt: new Date().toISOString(),
        ...resultFields(result),
      });
      countCall(counters, result, cached);
    } catch (err) {
      if (err instanceof Cancelled) return;
      o.recordFailure(trial.id, "challenge", err);
      return;
    }
    await committed;
    await judgeChallenge(trial, text);
  };

  await runQueue(
    iteratePendingChallengeJudgments(o.store, o.judge.id),
    (o.judge.endpoint?.limiter.control.max ?? 4) * 2,
    (p) => judgeChallenge(p.trial, p.text),
    o.signal,
  );
  o.writer.flush();
  await runQueue(
    iteratePendingChallenges(o.store, o.challenge.tasks, o.scope),
    o.maxInFlight,
    challengeOne,
    o.signal,
  );
}
