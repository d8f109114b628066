import { pressureMessages, type Rung, rungOf } from "../design/pressure.js";
import { cachedCallModel } from "../engine/cached-call.js";
import { CallFailed, type CallOptions, Cancelled } from "../engine/call.js";
import { newCounters, type StageCounters } from "../engine/counters.js";
import type { Endpoint } from "../engine/endpoint.js";
import type { ResponseCache } from "../engine/response-cache.js";
import { runQueue } from "../engine/run-queue.js";
import type { LanguageCode } from "../i18n/types.js";
import {
  countPendingPressure,
  countPressureTurns,
  iteratePendingPressure,
  iteratePendingPressureJudgments,
  type PendingPressure,
  PressureWriter,
} from "../store/pressure.js";
import type { RunStore, TrialScope } from "../store/run-store.js";
import type { Item, TaskName, Trial } from "../types.js";
import { countCall, failureOf, itemOf, resultFields, trialLanguage } from "./trial-helpers.js";
import { type JudgeContext, judgeText } from "./verdict.js";

export interface PressureSettings {
  turns: number;
  ladder: readonly Rung[];
  /** The words for a trial's language (languages: src/i18n). */
  textsFor: (language: LanguageCode) => Record<Rung, string>;
  tasks: readonly TaskName[];
}

export interface PressureStageOptions {
  store: RunStore;
  subjects: ReadonlyMap<string, Endpoint>;
  judge: JudgeContext;
  pressure: PressureSettings;
  items: ReadonlyMap<string, Item>;
  cache?: ResponseCache;
  scope?: TrialScope;
  counters?: StageCounters;
  call: CallOptions;
  signal: AbortSignal;
  maxInFlight: number;
  /** A failure every later call would repeat (401…): stops the run, as in generation. */
  onFatal: (err: CallFailed) => void;
}

/**
 * Pressure over turns: after its first answer, each pressed trial hears `turns` push-backs of
 * rising strength in one growing conversation, and every answer is judged by the run's judge.
 * Turns run in order within a trial and in parallel across trials. Each turn is on disk before
 * the next is asked, so a stopped run resumes at the first missing turn and repeats none.
 */
export async function runPressure(o: PressureStageOptions): Promise<StageCounters> {
  const counters = o.counters ?? newCounters("pressure");
  const { turns } = o.pressure;
  const pendingTrials = countPendingPressure(o.store, o.pressure.tasks, turns, o.scope);
  const done = countPressureTurns(o.store);
  counters.resumed = done;
  counters.done = done;
  counters.total = done + pendingTrials * turns;
  const writer = new PressureWriter(o.store);
  const fail = (trialId: string, stage: "pressure" | "pressure-judge", err: unknown) => {
    if (err instanceof CallFailed && err.fatal) {
      o.onFatal(err);
      return;
    }
    writer.addFailure({ ...failureOf(trialId, "challenge", err), stage });
    counters.failed++;
  };

  const judgeTurn = async (trial: Trial, turn: number, text: string): Promise<boolean> => {
    try {
      const verdict = await judgeText(itemOf(o.items, trial), text, o.judge, o.call, counters);
      await writer.addJudgment({
        trialId: trial.id,
        turn,
        judge: o.judge.id,
        ...verdict,
        createdAt: new Date().toISOString(),
      });
      return true;
    } catch (err) {
      if (!(err instanceof Cancelled)) fail(trial.id, "pressure-judge", err);
      return false;
    }
  };

  const pressOne = async ({ trial, response, done: earlier }: PendingPressure) => {
    const endpoint = o.subjects.get(trial.subjectId);
    if (!endpoint) throw new Error(`no endpoint for subject ${trial.subjectId}`);
    const history = [...earlier];
    const verdicts: Promise<boolean>[] = [];
    for (let turn = history.length + 1; turn <= turns && !o.signal.aborted; turn++) {
      const rung = rungOf(o.pressure.ladder, turn);
      const pushBack = o.pressure.textsFor(trialLanguage(trial))[rung];
      let text: string;
      try {
        const { result, latencyMs, cached } = await cachedCallModel(
          o.cache,
          trial.sample,
          endpoint.provider,
          endpoint.limiter,
          {
            messages: pressureMessages(trial.messages, response, history, pushBack),
            params: trial.params,
          },
          o.call,
        );
        text = result.text;
        // On disk before the next turn is asked: a stop after this turn resumes at the next.
        await writer.addTurn({
          trialId: trial.id,
          turn,
          rung,
          pushBack,
          text,
          latencyMs,
          createdAt: new Date().toISOString(),
          ...resultFields(result),
        });
        countCall(counters, result, cached);
      } catch (err) {
        if (!(err instanceof Cancelled)) fail(trial.id, "pressure", err);
        break;
      }
      history.push({ pushBack, answer: text });
      verdicts.push(judgeTurn(trial, turn, text));
    }
    await Promise.all(verdicts);
  };

  try {
    // Answers left unjudged by an earlier run first.
    await runQueue(
      iteratePendingPressureJudgments(o.store, o.judge.id),
      (o.judge.endpoint?.limiter.control.max ?? 4) * 2,
      (p) => judgeTurn(p.trial, p.turn, p.text).then(() => undefined),
      o.signal,
    );
    writer.flush();
    await runQueue(
      iteratePendingPressure(o.store, o.pressure.tasks, turns, o.scope),
      o.maxInFlight,
      pressOne,
      o.signal,
    );
  } finally {
    writer.flush();
  }
  return counters;
}
