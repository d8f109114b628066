/**
 * The parts of `candor plan` that keep it honest: warmth-rating calls, the Batch API price,
 * and the exact audit command for the same subset of the design.
 */
import { batchedRefs } from "../batch/hook.js";
import type { AuditConfig } from "../config/schema.js";
import { rungOf } from "../design/pressure.js";
import type { LanguageCode } from "../i18n/types.js";
import { RULE_MODEL } from "../judge/run-judge.js";
import { parseModelRef } from "../providers/model-ref.js";
import type { LoadedAudit } from "./prepare.js";
import { pressureSettings } from "./pressure-settings.js";

/** Share of the list price a Batch API call costs (OpenAI and Anthropic both charge half). */
export const DEFAULT_BATCH_DISCOUNT = 0.5;

/** Warmth-judge ratings the audit will ask for: every response, or the sampled cells' responses. */
export function warmthRatingCalls(loaded: LoadedAudit): number {
  const w = loaded.config.warmth;
  if (!w?.judge) return 0;
  const trials = loaded.plan.trials.length;
  if (w.cells === undefined) return trials;
  // A cell is item × condition; it holds every subject's responses, every sample.
  return Math.min(trials, w.cells * loaded.plan.subjects.length * loaded.config.samples);
}

/**
 * Preflight probes the audit sends before its first trial, as audit-preflight.ts decides: one
 * per distinct model reference called live (a batched one is not probed), plus one for a warmth
 * judge that is neither the judge, a subject's model nor a local model (it gets its own provider).
 * A judge endpoint that rejects a structured-output mode costs one more probe per fallback.
 */
export function preflightCalls(config: AuditConfig): number {
  const batched = batchedRefs(config);
  const live = new Set<string>();
  const add = (ref: string) => {
    if (ref !== RULE_MODEL && !batched.has(ref)) live.add(ref);
  };
  for (const s of config.subjects) {
    add(s.model);
    if (typeof s.pipeline === "object" && s.pipeline.restyle_model) add(s.pipeline.restyle_model);
  }
  add(config.judge.model);
  for (const t of config.tasks) if (t.judge) add(t.judge.model);
  const w = config.warmth?.judge;
  const parsed = w && parseModelRef(w.model);
  const local =
    parsed?.ok === true && (parsed.ref.scheme === "llama-file" || parsed.ref.scheme === "llama-hf");
  const ownWarmth =
    w !== undefined &&
    w.model !== config.judge.model &&
    !config.subjects.some((s) => s.model === w.model) &&
    !local;
  return live.size + (ownWarmth ? 1 : 0);
}

/** Price multiplier for a model's calls: the batch discount when it runs by batch, else 1. */
export function priceFactor(config: AuditConfig, ref: string, discount?: number): number {
  return batchedRefs(config).has(ref) ? (discount ?? DEFAULT_BATCH_DISCOUNT) : 1;
}

/** The audit command that runs exactly this plan (same config, same --contexts/--beliefs). */
export function auditCommand(loaded: LoadedAudit): string {
  const parts = ["npx candor audit", quote(loaded.configFile)];
  if (loaded.scope.contexts) parts.push("--contexts", quote(loaded.scope.contexts.join(",")));
  if (loaded.scope.beliefs) parts.push("--beliefs", quote(loaded.scope.beliefs.join(",")));
  return parts.join(" ");
}

function quote(s: string): string {
  return /^[\w./:,@+-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

/**
 * What a trial's `pressure:` turns cost its subject: `turns` calls (0 when its task is not
 * pressed), turn k re-sending the prompt, the first answer, k − 1 answers and k push-backs.
 */
export function pressureCallEstimate(
  config: AuditConfig,
  task: string,
  language: LanguageCode,
  promptTokens: number,
  maxOut: number,
  estimateTokens: (text: string) => number,
): { turns: number; inputTokens: number } {
  if (!config.pressure) return { turns: 0, inputTokens: 0 };
  const settings = pressureSettings(config, config.pressure);
  if (!(settings.tasks as readonly string[]).includes(task)) return { turns: 0, inputTokens: 0 };
  // The push-backs the trial will be sent: its language's, with the file's overrides.
  const texts = settings.textsFor(language);
  let inputTokens = 0;
  let pushBacks = 0;
  for (let k = 1; k <= settings.turns; k++) {
    pushBacks += estimateTokens(texts[rungOf(settings.ladder, k)]);
    inputTokens += promptTokens + k * maxOut + pushBacks;
  }
  return { turns: settings.turns, inputTokens };
}
