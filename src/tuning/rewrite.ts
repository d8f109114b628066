/**
 * The model-calling stages of the tuning pipeline, on the audit engine: `callModel`
 * (retries, backoff, timeouts, adaptive concurrency through the endpoint's Limiter),
 * `runQueue` (bounded in-flight work, Ctrl+C), batched transactional writes and live
 * counters. Every stage writes only what is missing, so a re-run resumes exactly.
 */
import type { RetryPolicy } from "../engine/backoff.js";
import { CallFailed, Cancelled, callModel } from "../engine/call.js";
import type { Counters } from "../engine/counters.js";
import type { Endpoint } from "../engine/endpoint.js";
import { runQueue } from "../engine/run-queue.js";
import { CandorError } from "../errors.js";
import type { GenerationParams } from "../types.js";
import { LABEL_SCHEMA, LABEL_VERSION, labelMessages, parseLabel } from "./label.js";
import { checkPreservation, RULE_CHECKER } from "./preserve.js";
import {
  CLAIM_CHECK_SCHEMA,
  CLAIM_CHECK_VERSION,
  claimCheckMessages,
  parseClaimCheck,
  parseRewrite,
  REWRITE_PROMPT_VERSION,
  rewriteMessages,
} from "./prompts.js";
import { type CheckRow, type TuneBatchWriter, type TuneStore, turnKey } from "./store.js";
import type { QueryType, SelectedConversation, Style, Turn } from "./types.js";

export type TuneStage = "label" | "rewrite" | "check" | "trajectory";

/** Live counters of a tuning stage (the audit's stage counters, without cache hits). */
export interface TuneCounters extends Counters {
  stage: TuneStage;
}

export function newTuneCounters(stage: TuneStage): TuneCounters {
  return {
    stage,
    total: 0,
    done: 0,
    resumed: 0,
    failed: 0,
    retries: 0,
    promptTokens: 0,
    completionTokens: 0,
    startedAt: performance.now(),
  };
}

/** A model role in the pipeline: its store id, endpoint and generation parameters. */
export interface ModelRole {
  id: string;
  endpoint: Endpoint;
  params: GenerationParams;
}

export interface EngineOptions {
  retry: RetryPolicy;
  timeoutMs: number;
  signal: AbortSignal;
}

/** Store ids: the model reference plus the prompt version (and temperature when set). */
export function rewriterId(model: string, params: GenerationParams): string {
  const t = params.temperature !== undefined ? `@t${params.temperature}` : "";
  return `${model}#rewrite-${REWRITE_PROMPT_VERSION}${t}`;
}
export function checkerId(model: string): string {
  return `${model}#claims-${CLAIM_CHECK_VERSION}`;
}
export function labelerId(model: string): string {
  return `${model}#label-${LABEL_VERSION}`;
}

/**
 * Stops a stage on a failure every later call would repeat (bad key, no access, unknown
 * model: `CallFailed.fatal`), as audits do, instead of recording one failure per turn.
 */
function stopOnFatal(outer: AbortSignal) {
  const controller = new AbortController();
  let fatal: CallFailed | undefined;
  const onAbort = () => controller.abort(outer.reason);
  if (outer.aborted) controller.abort(outer.reason);
  else outer.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    /** True (and the stage stops) when `err` is fatal. */
    isFatal(err: unknown): boolean {
      if (!(err instanceof CallFailed && err.fatal)) return false;
      fatal ??= err;
      controller.abort(err);
      return true;
    },
    finish(): void {
      outer.removeEventListener("abort", onAbort);
      if (fatal) {
        throw new CandorError(
          `${fatal.message}\nStopped: every further call would fail the same way. Finished work is saved; fix this and re-run to resume.`,
        );
      }
    },
  };
}

function callOptions(engine: EngineOptions, counters: TuneCounters) {
  return {
    retry: engine.retry,
    timeoutMs: engine.timeoutMs,
    signal: engine.signal,
    onRetry: () => {
      counters.retries++;
    },
  };
}

function tokens(counters: TuneCounters, r: { promptTokens?: number; completionTokens?: number }) {
  counters.promptTokens += r.promptTokens ?? 0;
  counters.completionTokens += r.completionTokens ?? 0;
}

function inFlight(endpoint: Endpoint): number {
  return Math.max(1, endpoint.limiter.control.max * 2);
}

/** LLM labels for conversations no rule could label; returns every label the store holds. */
export async function runLabelStage(options: {
  store: TuneStore;
  writer: TuneBatchWriter;
  conversations: readonly { key: string; turns: readonly Turn[] }[];
  labeler: ModelRole;
  engine: EngineOptions;
  counters: TuneCounters;
}): Promise<Map<string, QueryType>> {
  const { store, writer, labeler, counters } = options;
  const stop = stopOnFatal(options.engine.signal);
  const engine = { ...options.engine, signal: stop.signal };
  const have = store.labels(labeler.id);
  const pending = options.conversations.filter((c) => !have.has(c.key));
  counters.total += options.conversations.length;
  counters.resumed += options.conversations.length - pending.length;
  counters.done += options.conversations.length - pending.length;
  const one = async (c: { key: string; turns: readonly Turn[] }) => {
    try {
      const { result } = await callModel(
        labeler.endpoint.provider,
        labeler.endpoint.limiter,
        {
          messages: labelMessages(c.turns),
          params: labeler.params,
          outputSchema: {
            name: LABEL_SCHEMA.name,
            schema: LABEL_SCHEMA.schema as unknown as Record<string, unknown>,
          },
        },
        callOptions(engine, counters),
      );
      tokens(counters, result);
      const type = parseLabel(result.text);
      if (type === undefined) {
        writer.add("failures", {
          key: c.key,
          stage: "label",
          actor: labeler.id,
          message: `unreadable label: ${result.text.slice(0, 200)}`,
          attempts: 1,
        });
        counters.failed++;
        return;
      }
      writer.add("labels", {
        conversationKey: c.key,
        labeler: labeler.id,
        type,
        raw: result.text,
        createdAt: new Date().toISOString(),
      });
      have.set(c.key, type);
      counters.done++;
    } catch (err) {
      if (err instanceof Cancelled || stop.isFatal(err)) return;
      writer.add("failures", {
        key: c.key,
        stage: "label",
        actor: labeler.id,
        message: (err as Error).message,
        attempts: err instanceof CallFailed ? err.attempts : 1,
      });
      counters.failed++;
    }
  };
  try {
    await runQueue(pending, inFlight(labeler.endpoint), one, engine.signal);
  } finally {
    writer.flush();
  }
  stop.finish();
  return have;
}

interface TurnWork {
  conversation: SelectedConversation;
  index: number;
  style: Style;
  key: string;
}

/** Every assistant turn of the selection, per style (shared prefixes counted once). */
export function turnWork(
  conversations: readonly SelectedConversation[],
  styles: readonly Style[],
): TurnWork[] {
  const seen = new Set<string>();
  const work: TurnWork[] = [];
  for (const style of styles) {
    for (const conversation of conversations) {
      conversation.turns.forEach((t, index) => {
        if (t.role !== "assistant") return;
        const key = turnKey(conversation.turns, index);
        if (seen.has(`${style}\u0000${key}`)) return;
        seen.add(`${style}\u0000${key}`);
        work.push({ conversation, index, style, key });
      });
    }
  }
  return work;
}

/**
 * Rewrites every assistant turn of the selection in each style, checks each rewrite with
 * the rules at once and, with a checker model, compares claims. Existing rewrites and
 * checks are kept; only what is missing is asked for.
 */
export async function runRewriteStage(options: {
  store: TuneStore;
  writer: TuneBatchWriter;
  conversations: readonly SelectedConversation[];
  styles: readonly Style[];
  rewriter: ModelRole;
  checker?: ModelRole;
  engine: EngineOptions;
  progress: { rewrite: TuneCounters; check: TuneCounters };
}): Promise<void> {
  const { store, writer, rewriter, checker, progress } = options;
  const stop = stopOnFatal(options.engine.signal);
  const engine = { ...options.engine, signal: stop.signal };
  const work = turnWork(options.conversations, options.styles);
  const now = () => new Date().toISOString();
  const rewrites = new Map(options.styles.map((s) => [s, store.rewrites(s, rewriter.id)]));
  const ruleChecks = new Map(
    options.styles.map((s) => [s, store.checks(s, rewriter.id, RULE_CHECKER)]),
  );
  const llmChecks = checker
    ? new Map(options.styles.map((s) => [s, store.checks(s, rewriter.id, checker.id)]))
    : undefined;

  const ruleCheck = (w: TurnWork, text: string): CheckRow => {
    const result = checkPreservation(w.conversation.turns[w.index]!.content, text);
    return {
      turnKey: w.key,
      style: w.style,
      rewriter: rewriter.id,
      checker: RULE_CHECKER,
      ok: result.ok,
      issues: result.issues,
      createdAt: now(),
    };
  };

  const claimCheck = async (w: TurnWork, text: string): Promise<void> => {
    if (!checker) return;
    try {
      const { result } = await callModel(
        checker.endpoint.provider,
        checker.endpoint.limiter,
        {
          messages: claimCheckMessages(w.conversation.turns[w.index]!.content, text),
          params: checker.params,
          outputSchema: {
            name: CLAIM_CHECK_SCHEMA.name,
            schema: CLAIM_CHECK_SCHEMA.schema as unknown as Record<string, unknown>,
          },
        },
        callOptions(engine, progress.check),
      );
      tokens(progress.check, result);
      const parsed = parseClaimCheck(result.text);
      writer.add("checks", {
        turnKey: w.key,
        style: w.style,
        rewriter: rewriter.id,
        checker: checker.id,
        ok: parsed.ok ? parsed.preserved : null,
        issues: parsed.ok
          ? parsed.changed.map((value) => ({ kind: "claim" as const, value }))
          : [{ kind: "unparseable" as const, value: parsed.reason }],
        raw: result.text,
        createdAt: now(),
      });
      progress.check.done++;
    } catch (err) {
      if (err instanceof Cancelled || stop.isFatal(err)) return;
      writer.add("failures", {
        key: w.key,
        stage: "check",
        style: w.style,
        actor: checker.id,
        message: (err as Error).message,
        attempts: err instanceof CallFailed ? err.attempts : 1,
      });
      progress.check.failed++;
    }
  };

  const rewriteOne = async (w: TurnWork): Promise<void> => {
    let text: string;
    try {
      const { result, latencyMs } = await callModel(
        rewriter.endpoint.provider,
        rewriter.endpoint.limiter,
        {
          messages: rewriteMessages(w.style, w.conversation.turns, w.index),
          params: rewriter.params,
        },
        callOptions(engine, progress.rewrite),
      );
      tokens(progress.rewrite, result);
      const parsed = parseRewrite(result.text, result.finishReason);
      if (!parsed.ok) {
        writer.add("failures", {
          key: w.key,
          stage: "rewrite",
          style: w.style,
          actor: rewriter.id,
          message: `${parsed.reason} (conversation ${w.conversation.id}, turn ${w.index})`,
          attempts: 1,
        });
        progress.rewrite.failed++;
        return;
      }
      text = parsed.text;
      writer.add("rewrites", {
        turnKey: w.key,
        style: w.style,
        rewriter: rewriter.id,
        text,
        raw: result.text,
        latencyMs,
        createdAt: now(),
        ...(result.finishReason !== undefined && { finishReason: result.finishReason }),
        ...(result.promptTokens !== undefined && { promptTokens: result.promptTokens }),
        ...(result.completionTokens !== undefined && { completionTokens: result.completionTokens }),
      });
      writer.add("checks", ruleCheck(w, text));
      progress.rewrite.done++;
    } catch (err) {
      if (err instanceof Cancelled || stop.isFatal(err)) return;
      writer.add("failures", {
        key: w.key,
        stage: "rewrite",
        style: w.style,
        actor: rewriter.id,
        message: (err as Error).message,
        attempts: err instanceof CallFailed ? err.attempts : 1,
      });
      progress.rewrite.failed++;
      return;
    }
    await claimCheck(w, text);
  };

  const pendingRewrite: TurnWork[] = [];
  const pendingCheck: { w: TurnWork; text: string }[] = [];
  for (const w of work) {
    const existing = rewrites.get(w.style)!.get(w.key);
    if (!existing) {
      pendingRewrite.push(w);
      continue;
    }
    // Rules are cheap: (re)check any rewrite the current rules have not seen.
    if (!ruleChecks.get(w.style)!.has(w.key)) writer.add("checks", ruleCheck(w, existing.text));
    if (llmChecks && !llmChecks.get(w.style)!.has(w.key))
      pendingCheck.push({ w, text: existing.text });
  }
  progress.rewrite.total += work.length;
  progress.rewrite.resumed += work.length - pendingRewrite.length;
  progress.rewrite.done += work.length - pendingRewrite.length;
  if (checker) {
    const checked = work.length - pendingRewrite.length - pendingCheck.length;
    progress.check.total += work.length;
    progress.check.resumed += checked;
    progress.check.done += checked;
  }
  try {
    // Checks left over from an earlier run first: they cost one call each.
    if (checker) {
      await runQueue(
        pendingCheck,
        inFlight(checker.endpoint),
        (p) => claimCheck(p.w, p.text),
        engine.signal,
      );
    }
    await runQueue(pendingRewrite, inFlight(rewriter.endpoint), rewriteOne, engine.signal);
  } finally {
    writer.flush();
  }
  stop.finish();
}
