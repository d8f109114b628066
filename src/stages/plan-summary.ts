import { priceFor } from "../config/prices.js";
import { DEFAULT_CHALLENGE_TASKS } from "../design/challenge.js";
import { judgeMessages } from "../judge/rubrics.js";
import { RULE_MODEL, taskJudgeModel } from "../judge/run-judge.js";
import { redactModelRef } from "../redact.js";
import { designEffect } from "../stats/clustered.js";
import { minimumDetectableGap } from "../stats/power.js";
import { type Item, isReliabilityTask, type TaskName, type Trial } from "../types.js";
import type { LoadedAudit } from "./audit.js";
import { type BeliefSample, beliefSample, formatBeliefSample } from "./belief-sample.js";
import {
  auditCommand,
  preflightCalls,
  pressureCallEstimate,
  priceFactor,
  warmthRatingCalls,
} from "./plan-calls.js";
import { pipelineCallEstimate } from "./plan-pipeline.js";
import { trialLanguage } from "./trial-helpers.js";

/** Rough tokens for text: ~4 characters per token for English (no tokenizer needed to plan). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export interface ModelEstimate {
  model: string;
  role: "subject" | "judge" | "warmth";
  /** Sent through the provider's Batch API (cost at the batch price). */
  batch?: boolean;
  calls: number;
  inputTokens: number;
  /** Upper bound: every call uses its full max_tokens. */
  maxOutputTokens: number;
  /** USD at the upper bound; null when the price is unknown. */
  maxCostUsd: number | null;
}

export interface PlanCounts {
  runDir: string;
  trials: number;
  judgeCalls: number;
  challengeCalls: number;
  /** Subject calls of `pressure:` (turns × pressed trials) and the judge calls on them. */
  pressureCalls: number;
  pressureJudgeCalls: number;
  /** Warmth-judge ratings (the manipulation check), 0 without `warmth.judge`. */
  warmthCalls: number;
  /** The preflight's probes, one per endpoint called live, before the first trial. */
  preflightCalls: number;
  /** `pipeline:` subjects' rewrites and judge claim checks (stages/plan-pipeline.ts). */
  pipelineCalls: number;
  /** Every model call the audit makes: generation, challenges, judge, challenge judge, warmth, preflight. */
  totalCalls: number;
  bySubjectTask: {
    subject: string;
    task: string;
    items: number;
    conditions: number;
    trials: number;
  }[];
  models: ModelEstimate[];
  maxCostUsd: number | null;
  skipped: number;
  /** Smallest detectable error-rate increase per comparison and task (McNemar, 80% power). */
  power: {
    reference: string;
    treatment: string;
    task: string;
    pairs: number;
    /** Paired trials per item (conditions × samples): the cluster size. */
    pairsPerItem: number | null;
    /** 1 + (pairsPerItem − 1)·ICC: pairs count as pairs / designEffect independent ones. */
    designEffect: number;
    minGapPp: number | null;
  }[];
  powerAssumptions: {
    referenceError: number;
    alpha: number;
    power: number;
    icc: number;
    iccSource: "assumed" | "config" | "flag";
  };
  /** A few question / wrong-belief pairs per task, to read before paying for a run. */
  beliefs: BeliefSample;
  /** About the data: repeats dropped, fewer items than asked for. */
  warnings: string[];
}

export const PLAN_REFERENCE_ERROR = 0.2;
/** Planning default: errors on rewordings of one question are correlated; say so rather than assume independence. */
export const PLAN_ICC = 0.2;

function powerRows(loaded: LoadedAudit, referenceError: number, icc: number): PlanCounts["power"] {
  const perSubjectTask = new Map<string, number>();
  const itemsPerTask = new Map<string, Set<string>>();
  for (const t of loaded.plan.trials) {
    const key = `${t.subjectId}\u0000${t.task}`;
    perSubjectTask.set(key, (perSubjectTask.get(key) ?? 0) + 1);
    const items = itemsPerTask.get(t.task) ?? new Set<string>();
    items.add(t.itemId);
    itemsPerTask.set(t.task, items);
  }
  const row = (
    reference: string,
    treatment: string,
    task: string,
    pairs: number,
    items: number,
  ) => {
    const pairsPerItem = items > 0 ? pairs / items : null;
    const deff = pairsPerItem === null ? 1 : designEffect(Math.max(1, pairsPerItem), icc);
    const gap = pairs > 0 ? minimumDetectableGap(pairs / deff, referenceError) : null;
    return {
      reference,
      treatment,
      task,
      pairs,
      pairsPerItem,
      designEffect: deff,
      minGapPp: gap === null ? null : gap * 100,
    };
  };
  const rows: PlanCounts["power"] = [];
  for (const pair of loaded.config.compare) {
    for (const treatment of pair.treatments) {
      let pooled = 0;
      let pooledItems = 0;
      for (const task of loaded.config.tasks.map((t) => t.task).filter(isReliabilityTask)) {
        const pairs = Math.min(
          perSubjectTask.get(`${pair.reference}\u0000${task}`) ?? 0,
          perSubjectTask.get(`${treatment}\u0000${task}`) ?? 0,
        );
        const items = itemsPerTask.get(task)?.size ?? 0;
        pooled += pairs;
        pooledItems += items;
        rows.push(row(pair.reference, treatment, task, pairs, items));
      }
      rows.push(row(pair.reference, treatment, "all", pooled, pooledItems));
    }
  }
  return rows;
}

const JUDGE_OUTPUT_TOKENS = 80;

/**
 * Counts and an upper-bound token/cost estimate for a plan. Judge calls are an
 * upper bound too: refusals and control tasks are scored by rule.
 */
export function planCounts(
  loaded: LoadedAudit,
  referenceError = PLAN_REFERENCE_ERROR,
  iccFlag?: number,
): PlanCounts {
  const icc = iccFlag ?? loaded.config.icc ?? PLAN_ICC;
  const iccSource =
    iccFlag !== undefined ? "flag" : loaded.config.icc !== undefined ? "config" : "assumed";
  const { plan, config } = loaded;
  const counts = new Map<
    string,
    { subject: string; task: string; items: Set<string>; conditions: Set<string>; trials: number }
  >();
  const itemsByKey = new Map<string, Item>();
  for (const [task, items] of Object.entries(loaded.items) as [TaskName, Item[]][])
    for (const it of items) itemsByKey.set(`${task}\u0000${it.id}`, it);
  const subjectModel = new Map(plan.subjects.map((s) => [s.id, s.model]));
  const subjectOf = new Map(plan.subjects.map((s) => [s.id, s]));
  let pipelineCalls = 0;
  const models = new Map<string, ModelEstimate>();
  const est = (model: string, role: ModelEstimate["role"]) => {
    const key = `${role}\u0000${model}`;
    let e = models.get(key);
    if (!e) {
      e = {
        model: redactModelRef(model),
        role,
        calls: 0,
        inputTokens: 0,
        maxOutputTokens: 0,
        maxCostUsd: 0,
      };
      models.set(key, e);
    }
    return e;
  };
  const challengeTasks = new Set<string>(
    config.challenge ? (config.challenge.tasks ?? DEFAULT_CHALLENGE_TASKS) : [],
  );
  let challengeCalls = 0;
  let pressureCalls = 0;
  let pressureJudgeCalls = 0;
  let judgeCalls = 0;
  const add = (t: Trial) => {
    const key = `${t.subjectId}\u0000${t.task}`;
    let c = counts.get(key);
    if (!c) {
      c = {
        subject: t.subjectId,
        task: t.task,
        items: new Set(),
        conditions: new Set(),
        trials: 0,
      };
      counts.set(key, c);
    }
    c.items.add(t.itemId);
    c.conditions.add(`${t.condition.context}/${t.condition.belief}`);
    c.trials++;
    const maxOut = t.params.maxTokens ?? 1024;
    const prompt = t.messages.reduce((n, m) => n + estimateTokens(m.content), 0);
    const subject = est(subjectModel.get(t.subjectId) ?? "?", "subject");
    subject.calls++;
    subject.inputTokens += prompt;
    subject.maxOutputTokens += maxOut;
    const item = itemsByKey.get(`${t.task}\u0000${t.itemId}`);
    const judgePrompt = item
      ? judgeMessages(item, "x".repeat(maxOut * 4)).reduce(
          (n, m) => n + estimateTokens(m.content),
          0,
        )
      : 0;
    // A task judged by rule costs no judge call (the placeholder is never added to the table).
    const judgeModel = taskJudgeModel(config, t.task);
    const judge =
      judgeModel === RULE_MODEL
        ? { model: judgeModel, calls: 0, inputTokens: 0, maxOutputTokens: 0 }
        : est(judgeModel, "judge");
    judge.calls++;
    judge.inputTokens += judgePrompt;
    judge.maxOutputTokens += JUDGE_OUTPUT_TOKENS;
    if (judgeModel !== RULE_MODEL) judgeCalls++;
    const pipe = subjectOf.get(t.subjectId);
    const extra = pipe && pipelineCallEstimate(pipe, t, judgeModel);
    if (extra) {
      const r = est(extra.restyle.model, "subject");
      r.calls++;
      r.inputTokens += extra.restyle.inputTokens;
      r.maxOutputTokens += extra.restyle.maxOutputTokens;
      pipelineCalls += extra.check ? 2 : 1;
      if (extra.check) {
        judge.calls++;
        judge.inputTokens += extra.check.inputTokens;
        judge.maxOutputTokens += JUDGE_OUTPUT_TOKENS;
      }
    }
    if (challengeTasks.has(t.task)) {
      challengeCalls++;
      subject.calls++;
      subject.inputTokens += prompt + maxOut + 15;
      subject.maxOutputTokens += maxOut;
      judge.calls++;
      judge.inputTokens += judgePrompt;
      judge.maxOutputTokens += JUDGE_OUTPUT_TOKENS;
      if (judgeModel !== RULE_MODEL) judgeCalls++;
    }
    const pressure = pressureCallEstimate(
      config,
      t.task,
      trialLanguage(t),
      prompt,
      maxOut,
      estimateTokens,
    );
    if (pressure.turns > 0) {
      pressureCalls += pressure.turns;
      subject.calls += pressure.turns;
      subject.inputTokens += pressure.inputTokens;
      subject.maxOutputTokens += pressure.turns * maxOut;
      judge.calls += pressure.turns;
      judge.inputTokens += pressure.turns * judgePrompt;
      judge.maxOutputTokens += pressure.turns * JUDGE_OUTPUT_TOKENS;
      if (judgeModel !== RULE_MODEL) pressureJudgeCalls += pressure.turns;
    }
  };
  for (const t of plan.trials) add(t);
  const warmthCalls = warmthRatingCalls(loaded);
  if (warmthCalls > 0 && config.warmth?.judge) {
    // A rating prompt is the response plus a short rubric; its output is a short JSON rating.
    const w = est(config.warmth.judge.model, "warmth");
    const meanOut = plan.trials.length > 0 ? subjectOut(models) / plan.trials.length : 0;
    w.calls += warmthCalls;
    w.inputTokens += Math.round(warmthCalls * (meanOut + 250));
    w.maxOutputTokens += warmthCalls * JUDGE_OUTPUT_TOKENS;
  }
  const probes = preflightCalls(config);
  let total: number | null = 0;
  for (const e of models.values()) {
    const price = priceFor(e.model, config.prices);
    const factor = priceFactor(config, e.model, price?.batch_discount);
    if (factor !== 1) e.batch = true;
    e.maxCostUsd = price
      ? (factor *
          (e.inputTokens * price.input_per_mtok + e.maxOutputTokens * price.output_per_mtok)) /
        1e6
      : null;
    total = total === null || e.maxCostUsd === null ? null : total + e.maxCostUsd;
  }
  return {
    runDir: loaded.runDir,
    trials: plan.trials.length,
    judgeCalls,
    challengeCalls,
    pressureCalls,
    pressureJudgeCalls,
    warmthCalls,
    preflightCalls: probes,
    totalCalls:
      2 * (plan.trials.length + challengeCalls) +
      pressureCalls +
      pressureJudgeCalls +
      warmthCalls +
      probes +
      pipelineCalls,
    pipelineCalls,
    bySubjectTask: [...counts.values()].map((c) => ({
      subject: c.subject,
      task: c.task,
      items: c.items.size,
      conditions: c.conditions.size,
      trials: c.trials,
    })),
    models: [...models.values()],
    maxCostUsd: total,
    skipped: plan.skipped.length,
    power: powerRows(loaded, referenceError, icc),
    powerAssumptions: { referenceError, alpha: 0.05, power: 0.8, icc, iccSource },
    beliefs: beliefSample(loaded),
    warnings: loaded.warnings,
  };
}

const ICC_SOURCE = {
  assumed:
    "assumed; set `icc:` or --icc, or estimate it from a pilot with candor power --run <dir>",
  config: "from the audit file",
  flag: "from --icc",
} as const;
function subjectOut(models: Map<string, ModelEstimate>): number {
  let n = 0;
  for (const m of models.values()) if (m.role === "subject") n += m.maxOutputTokens;
  return n;
}

function usd(x: number | null): string {
  return x === null ? "unknown price (add it under `prices:`)" : `$${x.toFixed(2)}`;
}

function tok(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

export function formatPlan(
  loaded: LoadedAudit,
  json: boolean,
  referenceError = PLAN_REFERENCE_ERROR,
  icc?: number,
): string {
  const counts = planCounts(loaded, referenceError, icc);
  if (json) return JSON.stringify(counts, null, 2);
  const lines = [`Plan for ${loaded.config.name} → ${counts.runDir}`, ""];
  lines.push(
    `  ${"subject".padEnd(16)} ${"task".padEnd(12)} ${"items".padStart(6)} ${"conditions".padStart(10)} ${"trials".padStart(8)}`,
  );
  for (const r of counts.bySubjectTask) {
    lines.push(
      `  ${r.subject.padEnd(16)} ${r.task.padEnd(12)} ${String(r.items).padStart(6)} ${String(r.conditions).padStart(10)} ${String(r.trials).padStart(8)}`,
    );
  }
  lines.push(
    "",
    `  total: ${counts.trials} trials; up to ${counts.totalCalls} model calls: ${counts.trials} generation, ${counts.challengeCalls} "are you sure?" follow-ups, ${counts.judgeCalls} judge (${counts.challengeCalls} of them on follow-ups), ${counts.warmthCalls} warmth ratings, ${counts.preflightCalls} preflight probes${counts.pipelineCalls > 0 ? `, ${counts.pipelineCalls} pipeline rewrites and claim checks` : ""}`,
  );
  if (counts.pressureCalls > 0) {
    lines.push(
      `  pressure over turns: ${counts.pressureCalls} subject calls and ${counts.pressureJudgeCalls} judge calls on their answers (in the total above)`,
    );
  }
  lines.push(
    "",
    "  Estimated tokens (input ≈ 4 characters/token; output at max_tokens, an upper bound):",
  );
  for (const m of counts.models) {
    lines.push(
      `  ${m.role.padEnd(8)} ${m.model}: ${m.calls} calls${m.batch ? " by batch" : ""}, ${tok(m.inputTokens)} in, ≤ ${tok(m.maxOutputTokens)} out, ≤ ${usd(m.maxCostUsd)}${m.batch ? " (batch price)" : ""}`,
    );
  }
  lines.push(`  total cost: ≤ ${usd(counts.maxCostUsd)}`);
  if (counts.power.length > 0) {
    const a = counts.powerAssumptions;
    lines.push(
      "",
      `  Smallest detectable increase in error rate (McNemar, power ${a.power}, α ${a.alpha}, reference error ${(a.referenceError * 100).toFixed(0)}%; see candor power):`,
      `  clustered by item: design effect 1 + (pairs per item − 1) × ICC ${a.icc} (${ICC_SOURCE[a.iccSource]})`,
    );
    for (const r of counts.power) {
      const gap = r.minGapPp === null ? "not reachable" : `+${r.minGapPp.toFixed(1)} pp`;
      lines.push(
        `  ${`${r.treatment} vs ${r.reference}`.padEnd(28)} ${r.task.padEnd(12)} ${String(r.pairs).padStart(7)} pairs  design effect ${r.designEffect.toFixed(2).padStart(5)}  ${gap}`,
      );
    }
  }
  if (counts.skipped > 0)
    lines.push(`  skipped ${counts.skipped} item×belief combinations lacking the answer they need`);
  lines.push(...formatBeliefSample(counts.beliefs));
  if (counts.warnings.length > 0) lines.push("", ...counts.warnings.map((w) => `  warning: ${w}`));
  lines.push("", `No model was called. Run it with: ${auditCommand(loaded)}`);
  return lines.join("\n");
}
