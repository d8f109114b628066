/**
 * `candor tune data` as a library call: read → clean (turn limit, content filter,
 * de-duplication) → label (rules, then an optional LLM) → stratified sample → rewrite warm
 * and/or cold → check preservation → export train/validation + manifest + review sample.
 * Everything is stored in `<out>/tune.sqlite`; a re-run resumes what is missing.
 */
import { join, resolve } from "node:path";
import { contentHash } from "../design/hash.js";
import { DEFAULT_RETRY, type RetryPolicy } from "../engine/backoff.js";
import type { Endpoint, ProviderFactory } from "../engine/endpoint.js";
import { Limiter } from "../engine/limiter.js";
import { CandorError } from "../errors.js";
import { createProvider } from "../providers/index.js";
import type { ProviderOptions } from "../providers/types.js";
import type { GenerationParams } from "../types.js";
import { exportStyle, type Manifest } from "./export.js";
import {
  DEFAULT_MAX_TURNS,
  dedupConversations,
  filterMatch,
  limitTurns,
  loadContentFilter,
} from "./filter.js";
import { type HubChatSource, readHubConversations } from "./hub-source.js";
import { ruleLabel } from "./label.js";
import { readConversationsFile, type SkippedRecord } from "./read.js";
import {
  checkerId,
  labelerId,
  newTuneCounters,
  rewriterId,
  runLabelStage,
  runRewriteStage,
  type TuneCounters,
} from "./rewrite.js";
import { stratifiedSample } from "./sample.js";
import { TUNE_DB, TuneBatchWriter, TuneStore } from "./store.js";
import {
  type Conversation,
  QUERY_TYPES,
  type QueryType,
  type SelectedConversation,
  type Style,
} from "./types.js";

export const DEFAULT_SEED = 20250728;
export const DEFAULT_REWRITE_PARAMS: GenerationParams = { temperature: 0.3, maxTokens: 4096 };
export const DEFAULT_CHECK_PARAMS: GenerationParams = { temperature: 0, maxTokens: 1000 };
export const DEFAULT_LABEL_PARAMS: GenerationParams = { temperature: 0, maxTokens: 50 };

export type TuneSource = { path: string } | { hub: HubChatSource };

export interface TuneProgress {
  label: TuneCounters;
  rewrite: TuneCounters;
  check: TuneCounters;
}

export function newTuneProgress(): TuneProgress {
  return {
    label: newTuneCounters("label"),
    rewrite: newTuneCounters("rewrite"),
    check: newTuneCounters("check"),
  };
}

export interface TuneDataOptions {
  source: TuneSource;
  /** Output directory: tune.sqlite and one sub-directory per style. */
  out: string;
  format?: "json" | "jsonl" | "parquet";
  turnsField?: string;
  skipInvalid?: boolean;
  seed?: number;
  /** Conversations to sample evenly across query types; all when absent. */
  n?: number;
  maxTurns?: number;
  dedup?: boolean;
  /** "nsfw" (built-in list) or a file of terms. */
  contentFilter?: string;
  labelModel?: string;
  /** Required unless `dryRun`. */
  rewriteModel?: string;
  styles?: Style[];
  checkModel?: string;
  rewriteParams?: GenerationParams;
  checkParams?: GenerationParams;
  /** Max in-flight requests per model endpoint (default: the provider's). */
  concurrency?: number;
  timeoutMs?: number;
  retry?: RetryPolicy;
  validationFraction?: number;
  reviewCount?: number;
  includeFlagged?: boolean;
  /** Prepare, label and sample only: no rewriting, no export. */
  dryRun?: boolean;
  signal?: AbortSignal;
  progress?: TuneProgress;
  providerFactory?: ProviderFactory;
  providerOptions?: Partial<ProviderOptions>;
  cacheDir?: string;
  onDownloadProgress?: (p: { file: string; done: number; total?: number }) => void;
  /** Called after selection, before any rewriting. */
  onPrepared?: (summary: PrepareSummary) => void;
}

export interface PrepareSummary {
  records: number;
  skipped: SkippedRecord[];
  truncated: number;
  filtered: { id: string; pattern: string }[];
  duplicates: { id: string; duplicateOf: string }[];
  eligible: number;
  selected: number;
  types: Record<QueryType, { eligible: number; selected: number }>;
  /** How labels were decided: rules:<rule>, llm:<labeller>, default. */
  labelSources: Record<string, number>;
  /** Conversations without a rule label that the LLM labeller could not label (counted as "other"). */
  unlabelled: number;
  assistantTurns: number;
}

export interface TuneDataResult {
  out: string;
  store: string;
  prepared: PrepareSummary;
  exports: Partial<Record<Style, Manifest>>;
  /** Label, rewrite and check calls that failed in this run: still pending, a re-run retries them. */
  failed: number;
  interrupted: boolean;
}

interface Endpoints {
  get(ref: string): Promise<Endpoint>;
  close(): Promise<void>;
}

/** One provider and limiter per distinct model reference, as audits do. */
function endpoints(options: TuneDataOptions): Endpoints {
  const byRef = new Map<string, Promise<Endpoint>>();
  const factory = options.providerFactory ?? createProvider;
  return {
    get(ref) {
      let e = byRef.get(ref);
      if (!e) {
        e = factory(ref, {
          ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
          ...options.providerOptions,
        }).then((provider) => ({
          provider,
          limiter: new Limiter(options.concurrency ?? provider.defaultConcurrency),
        }));
        byRef.set(ref, e);
      }
      return e;
    },
    async close() {
      const all = await Promise.allSettled(byRef.values());
      await Promise.all(
        all.map((r) => (r.status === "fulfilled" ? r.value.provider.close() : undefined)),
      );
    },
  };
}

async function readSource(options: TuneDataOptions) {
  const read = {
    ...(options.format !== undefined && { format: options.format }),
    ...(options.turnsField !== undefined && { turnsField: options.turnsField }),
    ...(options.skipInvalid !== undefined && { skipInvalid: options.skipInvalid }),
  };
  if ("path" in options.source) {
    const r = await readConversationsFile(resolve(options.source.path), read);
    return { ...r, provenance: { kind: "local", files: [r.file] } };
  }
  const r = await readHubConversations(options.source.hub, {
    ...read,
    ...(options.cacheDir !== undefined && { cacheDir: options.cacheDir }),
    ...(options.signal !== undefined && { signal: options.signal }),
    ...(options.onDownloadProgress !== undefined && { onProgress: options.onDownloadProgress }),
  });
  return { ...r, provenance: { kind: "hub", hub: r.source, files: r.files } };
}

/** Runs the whole data pipeline (or resumes it). */
export async function buildTuneData(options: TuneDataOptions): Promise<TuneDataResult> {
  const signal = options.signal ?? new AbortController().signal;
  const seed = options.seed ?? DEFAULT_SEED;
  const styles = options.styles ?? ["warm", "cold"];
  const progress = options.progress ?? newTuneProgress();
  if (!options.dryRun && options.rewriteModel === undefined) {
    throw new CandorError(
      "tune data: a rewrite model is needed (--rewriter <model ref>), or use --dry-run",
    );
  }
  if (options.n !== undefined && (!Number.isInteger(options.n) || options.n <= 0)) {
    throw new CandorError(`tune data: -n must be a positive whole number, got ${options.n}`);
  }
  const out = resolve(options.out);
  const source = await readSource(options);

  // Clean: turn limit, content filter, duplicates.
  const maxTurns = options.maxTurns ?? DEFAULT_MAX_TURNS;
  const filter = options.contentFilter ? loadContentFilter(options.contentFilter) : undefined;
  let truncated = 0;
  const filtered: PrepareSummary["filtered"] = [];
  const skipped = [...source.skipped];
  const limited: { conversation: Conversation; truncated: boolean }[] = [];
  for (const c of source.conversations) {
    const l = limitTurns(c, maxTurns);
    if (!l) {
      skipped.push({
        file: c.file,
        where: c.where,
        reason: `no assistant reply within ${maxTurns} turns`,
      });
      continue;
    }
    const hit = filter ? filterMatch(l.conversation, filter) : undefined;
    if (hit !== undefined) {
      filtered.push({ id: c.id, pattern: hit });
      continue;
    }
    if (l.truncated) truncated++;
    limited.push(l);
  }
  const dedup =
    options.dedup === false
      ? { kept: limited.map((l) => l.conversation), duplicates: [] }
      : dedupConversations(limited.map((l) => l.conversation));
  const wasTruncated = new Set(limited.filter((l) => l.truncated).map((l) => l.conversation));

  const store = TuneStore.open(join(out, TUNE_DB));
  const writer = new TuneBatchWriter(store);
  const eps = endpoints(options);
  const engine = {
    retry: options.retry ?? DEFAULT_RETRY,
    timeoutMs: options.timeoutMs ?? 120_000,
    signal,
  };
  try {
    // Label: rules first, then the optional LLM for what no rule decided.
    const eligible = dedup.kept.map((c) => ({
      conversation: c,
      key: contentHash(c.turns),
      rule: ruleLabel(c.turns),
    }));
    let llm = new Map<string, QueryType>();
    const labeler = options.labelModel !== undefined ? labelerId(options.labelModel) : undefined;
    const undecided = eligible.filter((e) => e.rule === undefined);
    if (options.labelModel !== undefined && undecided.length > 0) {
      llm = await runLabelStage({
        store,
        writer,
        conversations: undecided.map((e) => ({ key: e.key, turns: e.conversation.turns })),
        labeler: {
          id: labeler!,
          endpoint: await eps.get(options.labelModel),
          params: DEFAULT_LABEL_PARAMS,
        },
        engine,
        counters: progress.label,
      });
    }
    let unlabelled = 0;
    const labelled: SelectedConversation[] = eligible.map((e) => {
      let type: QueryType = "other";
      let labelSource = "default";
      if (e.rule) {
        type = e.rule.type;
        labelSource = `rules:${e.rule.rule}`;
      } else if (labeler !== undefined) {
        const t = llm.get(e.key);
        if (t !== undefined) {
          type = t;
          labelSource = `llm:${labeler}`;
        } else unlabelled++;
      }
      return {
        ...e.conversation,
        key: e.key,
        type,
        labelSource,
        truncated: wasTruncated.has(e.conversation),
      };
    });
    const selected = stratifiedSample(
      labelled,
      (c) => c.type,
      (c) => c.key,
      options.n,
      seed,
    );

    const types = Object.fromEntries(
      QUERY_TYPES.map((t) => [t, { eligible: 0, selected: 0 }]),
    ) as PrepareSummary["types"];
    for (const c of labelled) types[c.type].eligible++;
    for (const c of selected) types[c.type].selected++;
    const labelSources: Record<string, number> = {};
    for (const c of selected) labelSources[c.labelSource] = (labelSources[c.labelSource] ?? 0) + 1;
    const prepared: PrepareSummary = {
      records: source.records,
      skipped,
      truncated,
      filtered,
      duplicates: dedup.duplicates,
      eligible: labelled.length,
      selected: selected.length,
      types,
      labelSources,
      unlabelled,
      assistantTurns: selected.reduce(
        (n, c) => n + c.turns.filter((t) => t.role === "assistant").length,
        0,
      ),
    };
    const provenance = {
      source: source.provenance,
      selection: {
        seed,
        n: options.n ?? null,
        maxTurns,
        dedup: options.dedup !== false,
        contentFilter: filter?.name ?? null,
        labeler: labeler ?? null,
        conversations: selected.length,
        assistantTurns: prepared.assistantTurns,
      },
    };
    const finish = (exports: Partial<Record<Style, Manifest>> = {}): TuneDataResult => ({
      out,
      store: store.file,
      prepared,
      exports,
      failed: progress.label.failed + progress.rewrite.failed + progress.check.failed,
      interrupted: signal.aborted,
    });
    if (signal.aborted) return finish();
    store.replaceSelection(selected);
    store.setMeta("provenance", JSON.stringify(provenance));
    options.onPrepared?.(prepared);
    if (options.dryRun) return finish();
    if (selected.length === 0) {
      throw new CandorError(
        `tune data: no conversation left to rewrite (${source.records} records read, ${skipped.length} skipped, ${filtered.length} filtered, ${dedup.duplicates.length} duplicates)`,
      );
    }

    // Rewrite and check.
    const rewriteModel = options.rewriteModel!;
    const rewriteParams = { ...DEFAULT_REWRITE_PARAMS, ...options.rewriteParams };
    const rewriter = {
      id: rewriterId(rewriteModel, rewriteParams),
      endpoint: await eps.get(rewriteModel),
      params: rewriteParams,
    };
    const checker =
      options.checkModel !== undefined
        ? {
            id: checkerId(options.checkModel),
            endpoint: await eps.get(options.checkModel),
            params: { ...DEFAULT_CHECK_PARAMS, ...options.checkParams },
          }
        : undefined;
    store.setMeta("rewriter", rewriter.id);
    await runRewriteStage({
      store,
      writer,
      conversations: selected,
      styles,
      rewriter,
      ...(checker && { checker }),
      engine,
      progress,
    });
    if (signal.aborted) return finish();

    const exports: Partial<Record<Style, Manifest>> = {};
    for (const style of styles) {
      exports[style] = exportStyle({
        store,
        style,
        rewriter: rewriter.id,
        ...(checker && { checker: checker.id }),
        dir: join(out, style),
        seed,
        validationFraction: options.validationFraction ?? 0.1,
        includeFlagged: options.includeFlagged ?? false,
        reviewCount: options.reviewCount ?? 50,
        provenance,
      });
    }
    return finish(exports);
  } finally {
    writer.flush();
    await eps.close();
    store.close();
  }
}
