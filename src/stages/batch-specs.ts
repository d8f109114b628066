/**
 * The four kinds of request an audit sends, as store-driven round specs (batch/round.ts): what
 * is pending (read from the store a page at a time) and how a result becomes a row. Shared by
 * the Batch API rounds (batch-rounds.ts) and the own-cluster export/import, so both send the
 * same requests the live pipeline would and store the same rows.
 *
 * custom_id: the trial id (generation), `<trial id>-judge` (its verdict), `<trial id>-challenge`
 * (the "are you sure?" turn) and `<trial id>-challenge-judge` (that turn's verdict): see
 * batch/custom-id.ts. Warmth ratings (`-warmth`) are specified in warmth/rating-round.ts and
 * handed in by the caller, since stages/ does not import warmth/.
 */
import { customIdOf, type Kind, parseCustomId } from "../batch/custom-id.js";
import type { RoundRequest, RoundSpec } from "../batch/round.js";
import { challengeMessages, challengeText } from "../design/challenge.js";
import type { StageCounters } from "../engine/counters.js";
import type { LanguageCode } from "../i18n/types.js";
import { judgeRequest, ruleVerdict, verdictFromJudgeOutput } from "../judge/judge-response.js";
import { ruleJudgeVerdict } from "../judge/rule-judge.js";
import { inMode } from "../judge/structured.js";
import type { GenerateResult } from "../providers/types.js";
import {
  CHALLENGE_TURN,
  iteratePendingChallengeJudgments,
  iteratePendingChallenges,
} from "../store/challenges.js";
import type { ChallengeJudgment, Failure, RunStore, TrialScope } from "../store/run-store.js";
import type { Item, Judgment, Response, TaskName } from "../types.js";
import { replyVerdict } from "./reply-outcome.js";
import { itemKey, itemOf, resultFields, trialLanguage } from "./trial-helpers.js";
import type { JudgeContext, Verdict } from "./verdict.js";

export { customIdOf, type Kind, parseCustomId } from "../batch/custom-id.js";

/** A spec that can also record a request that failed for good (own-cluster import). */
export interface KindSpec extends RoundSpec {
  kind: Kind;
  /** The failure's stage; a spec whose failures are not trial stages records them itself (`fail`). */
  stage?: Failure["stage"];
  fail?(trialId: string, message: string): void;
  /** Whether the request's row already exists, for kinds the importer has no query for. */
  answered?(trialId: string): boolean;
}

/** Where a judge's requests go: a rule decides, this round sends them, or another does. */
export type JudgeRoute = (judge: JudgeContext) => "rule" | "send" | "skip";

interface Common {
  store: RunStore;
  items: ReadonlyMap<string, Item>;
  scope?: TrialScope;
}

type Results = readonly { customId: string; result: GenerateResult }[];

function count(counters: StageCounters | undefined, r: GenerateResult): void {
  if (!counters) return;
  counters.done++;
  counters.promptTokens += r.promptTokens ?? 0;
  counters.completionTokens += r.completionTokens ?? 0;
}

function trialLookup(store: RunStore) {
  return store.db.prepare<[string], { task: TaskName; itemId: string; language: string }>(
    "SELECT task, item_id AS itemId, language FROM trials WHERE id = ?",
  );
}

export function generationSpec(
  o: Common & { subjects: (subjectId: string) => boolean; counters?: StageCounters },
): KindSpec {
  return {
    kind: "generate",
    stage: "generate",
    *pending(): Iterable<RoundRequest> {
      for (const t of o.store.iteratePendingGeneration(o.scope)) {
        if (o.subjects(t.subjectId)) {
          yield { customId: t.id, req: { messages: t.messages, params: t.params } };
        }
      }
    },
    apply(results: Results) {
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
      for (const { result } of results) count(o.counters, result);
    },
  };
}

export function challengeSpec(
  o: Common & {
    subjects: (subjectId: string) => boolean;
    texts: readonly string[];
    /** The push-backs of a trial's language (default: `texts` for every trial). */
    textsFor?: (language: LanguageCode) => readonly string[];
    tasks: readonly TaskName[];
    seed: number;
    counters?: StageCounters;
  },
): KindSpec {
  const textsOf = (t: { language?: string }) => o.textsFor?.(trialLanguage(t)) ?? o.texts;
  const trials = trialLookup(o.store);
  return {
    kind: "challenge",
    stage: "challenge",
    *pending(): Iterable<RoundRequest> {
      for (const { trial, response } of iteratePendingChallenges(o.store, o.tasks, o.scope)) {
        if (!o.subjects(trial.subjectId)) continue;
        const challenge = challengeText(itemOf(o.items, trial), textsOf(trial), o.seed);
        yield {
          customId: customIdOf("challenge", trial.id),
          req: {
            messages: challengeMessages(trial.messages, response, challenge),
            params: trial.params,
          },
        };
      }
    },
    apply(results: Results) {
      const createdAt = new Date().toISOString();
      const challenges = [];
      for (const { customId, result } of results) {
        const { trialId } = parseCustomId(customId);
        const t = trials.get(trialId);
        const item = t && o.items.get(itemKey(t.task, t.itemId));
        if (!item) continue;
        challenges.push({
          trialId,
          turn: CHALLENGE_TURN,
          challenge: challengeText(item, textsOf(t), o.seed),
          text: result.text,
          latencyMs: 0,
          createdAt,
          ...resultFields(result),
        });
        count(o.counters, result);
      }
      o.store.writeBatch({ challenges });
    },
  };
}

/**
 * Verdicts on first answers (`judge`) or on challenge answers (`challenge-judge`): what
 * judgeText decides without the judge model (finish reason, rules, the rule judge) is written
 * while the pending requests are read; the rest is sent where `route` says.
 */
export function verdictSpec(
  o: Common & {
    kind: "judge" | "challenge-judge";
    judge: JudgeContext;
    route: JudgeRoute;
    counters?: StageCounters;
  },
): KindSpec {
  const { judge, store } = o;
  const own = (task: TaskName): JudgeContext => judge.tasks?.get(task) ?? judge;
  const trials = trialLookup(store);
  const rows = (trialId: string, v: Verdict, createdAt: string) => ({
    trialId,
    judge: judge.id,
    ...v,
    createdAt,
    ...(o.kind === "challenge-judge" && { turn: CHALLENGE_TURN }),
  });
  const write = (list: ReturnType<typeof rows>[]) => {
    if (o.kind === "judge") store.writeBatch({ judgments: list as Judgment[] });
    else store.writeBatch({ challengeJudgments: list as ChallengeJudgment[] });
  };
  function* pendingTexts(): Iterable<{
    trialId: string;
    item: Item;
    text: string;
    finish: string | null;
    language: LanguageCode;
  }> {
    if (o.kind === "judge") {
      for (const p of store.iteratePendingJudgment(judge.id, o.scope)) {
        yield {
          trialId: p.trial.id,
          item: itemOf(o.items, p.trial),
          text: p.response,
          finish: p.finishReason,
          language: trialLanguage(p.trial),
        };
      }
    } else {
      for (const p of iteratePendingChallengeJudgments(store, judge.id)) {
        yield {
          trialId: p.trial.id,
          item: itemOf(o.items, p.trial),
          text: p.text,
          finish: null,
          language: trialLanguage(p.trial),
        };
      }
    }
  }
  return {
    kind: o.kind,
    stage: o.kind,
    *pending(): Iterable<RoundRequest> {
      let direct: ReturnType<typeof rows>[] = [];
      for (const { trialId, item, text, finish, language } of pendingTexts()) {
        const j = own(item.task);
        const route = o.route(j);
        const ruled =
          (o.kind === "judge" ? replyVerdict(finish) : undefined) ??
          (route === "rule"
            ? (ruleJudgeVerdict(item, text) ?? {
                label: "ERROR" as const,
                rationale: `no rule scores ${item.task}`,
              })
            : ruleVerdict(item, text, j.refusals));
        if (ruled) {
          direct.push(rows(trialId, ruled, new Date().toISOString()));
          if (o.counters) o.counters.done += o.kind === "judge" ? 1 : 0;
          if (direct.length >= 500) {
            write(direct);
            direct = [];
          }
        } else if (route === "send") {
          yield {
            customId: customIdOf(o.kind, trialId),
            req: inMode(
              { ...judgeRequest(item, text, j.refusals, language), params: j.params },
              j.structured ?? "json_schema",
            ),
          };
        }
      }
      write(direct);
    },
    apply(results: Results) {
      const createdAt = new Date().toISOString();
      const list: ReturnType<typeof rows>[] = [];
      for (const { customId, result } of results) {
        const { trialId } = parseCustomId(customId);
        const t = trials.get(trialId);
        if (!t) continue;
        const v = verdictFromJudgeOutput(result.text, t.task, own(t.task).refusals);
        list.push(rows(trialId, v, createdAt));
        count(o.counters, result);
        if (judge.guard?.record(v.label, v.raw)) judge.onUnparseableLimit?.();
      }
      write(list);
    },
  };
}
