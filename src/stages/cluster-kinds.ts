/**
 * The own-cluster path's rounds: every kind of request an audit sends (batch-specs.ts), in the
 * order they become possible (generation → verdicts → challenge turns → their verdicts → warmth
 * ratings), each split by the model that answers it, since one `vllm run-batch` serves one model.
 */
import type { RatingRoundOptions } from "../batch/rating-round-options.js";
import type { AuditConfig } from "../config/schema.js";
import { DEFAULT_CHALLENGE_TASKS } from "../design/challenge.js";
import { challengeTextsFor } from "../design/language-texts.js";
import type { LanguageCode } from "../i18n/types.js";
import { RULE_MODEL, runJudgeId } from "../judge/run-judge.js";
import type { RunStore, TrialScope } from "../store/run-store.js";
import type { TaskName } from "../types.js";
import { recordedJudgeMode, warmthModeId } from "./audit-preflight.js";
import {
  challengeSpec,
  generationSpec,
  type Kind,
  type KindSpec,
  verdictSpec,
} from "./batch-specs.js";
import { toParams } from "./config-params.js";
import { auditJudgeContext } from "./judge-contexts.js";
import { itemKey } from "./trial-helpers.js";
import type { JudgeContext } from "./verdict.js";

export interface ClusterPart {
  spec: KindSpec;
  /** The model reference that answers these requests. */
  ref: string;
}

export const KINDS: readonly Kind[] = [
  "generate",
  "judge",
  "challenge",
  "challenge-judge",
  "warmth",
];

/**
 * The warmth-rating round's spec (warmth/rating-round.ts `warmthRatingSpec`), handed in by the
 * caller since stages/ does not import warmth/; without it, warmth ratings are left to the audit.
 */
export type WarmthRound = (o: RatingRoundOptions) => KindSpec;

export function clusterRounds(
  config: AuditConfig,
  store: RunStore,
  scope?: TrialScope,
  warmth?: WarmthRound,
): Map<Kind, ClusterPart[]> {
  const items = new Map(store.items().map((i) => [itemKey(i.task, i.id), i]));
  const common = { store, items, ...(scope && { scope }) };
  const judge = auditJudgeContext(
    config,
    { judge: undefined, taskJudges: new Map() },
    undefined,
    recordedJudgeMode(store, runJudgeId(config), config.judge.structured),
  );
  // Which model each judge context stands for (contexts made without endpoints carry none).
  const judges = new Map<JudgeContext, string>([[judge, config.judge.model]]);
  for (const t of config.tasks) {
    const own = judge.tasks?.get(t.task);
    if (own && t.judge) judges.set(own, t.judge.model);
  }
  const rounds = new Map<Kind, ClusterPart[]>();
  const verdictParts = (kind: "judge" | "challenge-judge"): ClusterPart[] =>
    [...judges].map(([target, ref]) => ({
      ref,
      spec: verdictSpec({
        ...common,
        kind,
        judge,
        route: (j) => (judges.get(j) === RULE_MODEL ? "rule" : j === target ? "send" : "skip"),
      }),
    }));
  // A pipeline subject's trial is several dependent calls (answer, rewrite, check): only
  // `candor audit` runs it, so it has no generation round here.
  rounds.set(
    "generate",
    config.subjects
      .filter((s) => !s.pipeline)
      .map((s) => ({
        ref: s.model,
        spec: generationSpec({ ...common, subjects: (id) => id === s.id }),
      })),
  );
  rounds.set("judge", verdictParts("judge"));
  if (config.challenge) {
    const texts = config.challenge.texts;
    const settings = {
      texts,
      textsFor: (language: LanguageCode) => challengeTextsFor(config, texts, language),
      tasks: (config.challenge.tasks as TaskName[] | undefined) ?? [...DEFAULT_CHALLENGE_TASKS],
      seed: config.seed,
    };
    rounds.set(
      "challenge",
      config.subjects.map((s) => ({
        ref: s.model,
        spec: challengeSpec({ ...common, ...settings, subjects: (id) => id === s.id }),
      })),
    );
    rounds.set("challenge-judge", verdictParts("challenge-judge"));
  }
  const w = config.warmth;
  if (w?.judge && warmth) {
    const model = w.judge.model;
    rounds.set("warmth", [
      {
        ref: model,
        spec: warmth({
          store,
          model,
          ...(w.judge.params && { params: toParams(w.judge.params) }),
          // The mode the audit would ask in (its preflight's, once recorded).
          structured: recordedJudgeMode(store, warmthModeId(model), "auto"),
          ...(w.cells !== undefined && { cells: w.cells }),
          seed: config.seed,
        }),
      },
    ]);
  }
  return rounds;
}
