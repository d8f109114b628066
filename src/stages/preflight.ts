import type { RetryPolicy } from "../engine/backoff.js";
import { cachedCallModel } from "../engine/cached-call.js";
import { CallFailed, type CallOptions, Cancelled } from "../engine/call.js";
import type { Endpoint } from "../engine/endpoint.js";
import type { ResponseCache } from "../engine/response-cache.js";
import { judgeRequest } from "../judge/judge-response.js";
import {
  inMode,
  modesToTry,
  type StructuredMode,
  type StructuredSetting,
} from "../judge/structured.js";
import type { GenerationParams, Item } from "../types.js";
import { EndpointUnusableError } from "./stop-errors.js";

/** One endpoint to check, with what it is used for (subject ids, "judge", "warmth judge"). */
export interface PreflightTarget {
  roles: string[];
  /** Absent only for skipped targets (then `ref` names them). */
  endpoint?: Endpoint;
  ref?: string;
  params: GenerationParams;
  /** Set for judges: the structured-output setting to resolve. */
  structured?: StructuredSetting;
  /** Not called, with the reason (e.g. a local model that is only loaded later). */
  skip?: string;
}

export interface PreflightResult {
  roles: string[];
  ref: string;
  status: "ok" | "failed" | "skipped";
  /** Judges: the structured-output mode the endpoint accepted. */
  mode?: StructuredMode;
  /** Modes the endpoint rejected on the way (auto), with the reason. */
  rejected?: { mode: StructuredMode; reason: string }[];
  reason?: string;
  /** Retried attempts (429/5xx, a dropped connection) on the way. */
  retries?: number;
}

export interface PreflightOptions {
  retry: RetryPolicy;
  timeoutMs: number;
  signal: AbortSignal;
  cache?: ResponseCache;
}

/**
 * The smallest item a judge can grade: enough to see that structured output is accepted.
 * Exported so tests that count grading calls can tell the probe apart.
 */
export const PROBE_ITEM: Item = {
  task: "triviaqa",
  id: "preflight",
  question: "What is 2 + 2?",
  correct: ["4"],
  incorrect: ["5"],
  beliefForm: "answer",
  meta: {},
};
/** The response the judge probe grades. */
export const PROBE_ANSWER = "4";
export const PROBE_MESSAGE = "Reply with the single word OK.";
const PROBE_MAX_TOKENS = 16;
/** Attempts before a refused connection fails the preflight. */
const CONNECTION_ATTEMPTS = 2;

/** A rejected request shape (400/422) is a reason to try the next mode; anything else is not. */
function rejectsRequest(err: CallFailed): boolean {
  return err.status === 400 || err.status === 422;
}

/** Groups targets that share an endpoint, so each endpoint gets one call. */
export function distinctTargets(targets: readonly PreflightTarget[]): PreflightTarget[] {
  const byEndpoint = new Map<Endpoint, PreflightTarget>();
  const skipped: PreflightTarget[] = [];
  for (const t of targets) {
    if (!t.endpoint) {
      skipped.push(t);
      continue;
    }
    const seen = byEndpoint.get(t.endpoint);
    if (!seen) {
      byEndpoint.set(t.endpoint, { ...t, roles: [...t.roles] });
      continue;
    }
    seen.roles.push(...t.roles);
    // A judge's probe also proves the endpoint answers; keep the judge's settings.
    if (t.structured !== undefined && seen.structured === undefined) {
      seen.structured = t.structured;
      seen.params = t.params;
    }
  }
  return [...byEndpoint.values(), ...skipped];
}

async function probe(target: PreflightTarget, options: PreflightOptions): Promise<PreflightResult> {
  const ref = target.endpoint?.provider.ref ?? target.ref ?? "?";
  const base = { roles: target.roles, ref };
  if (!target.endpoint || target.skip !== undefined) {
    return { ...base, status: "skipped", reason: target.skip ?? "no endpoint" };
  }
  // The run's retry policy for 429/5xx (a busy server is usable), but a refused connection gets
  // one retry only: a blip is forgiven, a dead endpoint fails in seconds.
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort(options.signal.reason);
  if (options.signal.aborted) stop.abort(options.signal.reason);
  else options.signal.addEventListener("abort", onOuterAbort, { once: true });
  let unreachable: string | undefined;
  let retries = 0;
  const call: CallOptions = {
    retry: options.retry,
    timeoutMs: options.timeoutMs,
    signal: stop.signal,
    onRetry: ({ attempt, error }) => {
      retries++;
      if (error.connectionFailed && attempt >= CONNECTION_ATTEMPTS) {
        unreachable = error.message;
        stop.abort(new Error("unreachable"));
      }
    },
  };
  try {
    const result = await probeModes(
      target,
      target.endpoint,
      call,
      options.cache,
      () => unreachable,
    );
    return retries > 0 ? { ...result, retries } : result;
  } finally {
    options.signal.removeEventListener("abort", onOuterAbort);
  }
}

async function probeModes(
  target: PreflightTarget,
  { provider, limiter }: Endpoint,
  call: CallOptions,
  cache: ResponseCache | undefined,
  unreachable: () => string | undefined,
): Promise<PreflightResult> {
  const base = { roles: target.roles, ref: provider.ref };
  const modes: readonly (StructuredMode | undefined)[] =
    target.structured === undefined ? [undefined] : modesToTry(target.structured);
  const rejected: { mode: StructuredMode; reason: string }[] = [];
  for (const mode of modes) {
    const request =
      mode === undefined
        ? {
            messages: [{ role: "user" as const, content: PROBE_MESSAGE }],
            params: { ...target.params, maxTokens: PROBE_MAX_TOKENS },
          }
        : inMode({ ...judgeRequest(PROBE_ITEM, PROBE_ANSWER), params: target.params }, mode);
    try {
      await cachedCallModel(cache, 0, provider, limiter, request, call);
      return {
        ...base,
        status: "ok",
        ...(mode !== undefined && { mode }),
        ...(rejected.length > 0 && { rejected }),
      };
    } catch (err) {
      if (err instanceof Cancelled) {
        const down = unreachable();
        return down === undefined
          ? { ...base, status: "skipped", reason: "cancelled" }
          : { ...base, status: "failed", reason: down };
      }
      const failed = err instanceof CallFailed ? err : undefined;
      const reason = err instanceof Error ? err.message : String(err);
      if (mode !== undefined && failed && rejectsRequest(failed)) {
        rejected.push({ mode, reason });
        continue;
      }
      return { ...base, status: "failed", reason, ...(rejected.length > 0 && { rejected }) };
    }
  }
  const last = rejected.at(-1);
  return {
    ...base,
    status: "failed",
    reason:
      target.structured === "auto"
        ? `rejected every structured-output mode (${rejected.map((r) => r.mode).join(", ")}): ${last?.reason ?? ""}`
        : `rejected judge.structured: ${target.structured} (judge.structured: auto falls back to json_object, then prompt): ${last?.reason ?? ""}`,
    rejected,
  };
}

/**
 * One tiny call per distinct endpoint before any trial: reachability, key, model name, and for
 * judges which structured-output mode the endpoint accepts. All endpoints are checked at once,
 * so a run with several broken ones names them all.
 */
export async function runPreflight(
  targets: readonly PreflightTarget[],
  options: PreflightOptions,
): Promise<PreflightResult[]> {
  return Promise.all(distinctTargets(targets).map((t) => probe(t, options)));
}

function describe(r: PreflightResult): string {
  const roles = r.roles.join(", ");
  const head = r.reason?.startsWith(r.ref) ? roles : `${roles} — ${r.ref}`;
  if (r.status === "skipped") return `  skipped  ${head}: ${r.reason}`;
  if (r.status === "failed") return `  FAILED   ${head}: ${r.reason}`;
  const fallback =
    r.rejected && r.rejected.length > 0
      ? ` (endpoint rejected ${r.rejected.map((x) => x.mode).join(", ")})`
      : "";
  return `  ok       ${head}${r.mode ? `: structured output ${r.mode}${fallback}` : ""}`;
}

/** One line per endpoint, for `candor plan --check` and the audit's error. */
export function formatPreflight(results: readonly PreflightResult[]): string {
  return results.map(describe).join("\n");
}

/** Throws when any endpoint failed: the run ends before its first trial, with nothing recorded. */
export function assertPreflight(results: readonly PreflightResult[], hint: string): void {
  const failed = results.filter((r) => r.status === "failed");
  if (failed.length === 0) return;
  throw new EndpointUnusableError(
    [
      `preflight failed: ${failed.length} of ${results.length} endpoints cannot be used, so no trial was run (nothing recorded as a trial failure).`,
      formatPreflight(failed),
      hint,
    ].join("\n"),
  );
}

/** The mode a judge settled on (json_schema when it was not probed). */
export function judgeMode(
  results: readonly PreflightResult[],
  judgeRef: string,
  setting: StructuredSetting,
): StructuredMode {
  const r = results.find((x) => x.ref === judgeRef && x.mode !== undefined);
  return r?.mode ?? (setting === "auto" ? "json_schema" : setting);
}
