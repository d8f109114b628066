/**
 * Generation, judging and challenges for models sent by batch, as store-driven rounds
 * (batch/round.ts, specs in batch-specs.ts): nothing per waiting request stays in memory, so a
 * 100k-request audit runs in a bounded heap. Runs before the live pipeline, which then finds
 * only what the rounds could not finish (handed back to it to be recorded as failed, or sent
 * live with `retry: live`) and whatever is not batched.
 */
import { dirname, join } from "node:path";
import { BatchProvider } from "../batch/batch-provider.js";
import { BatchRound } from "../batch/round.js";
import { type AuditProgress, newCounters } from "../engine/counters.js";
import type { Endpoint } from "../engine/endpoint.js";
import type { ResponseCache } from "../engine/response-cache.js";
import { ProviderCallError } from "../errors.js";
import type { RunStore, TrialScope } from "../store/run-store.js";
import type { Item } from "../types.js";
import { challengeSpec, generationSpec, type KindSpec, verdictSpec } from "./batch-specs.js";
import type { ChallengeSettings } from "./challenge.js";
import { EndpointUnusableError } from "./stop-errors.js";
import type { JudgeContext } from "./verdict.js";

export interface BatchRoundOptions {
  store: RunStore;
  subjects: ReadonlyMap<string, Endpoint>;
  judge: JudgeContext;
  items: ReadonlyMap<string, Item>;
  generate?: boolean;
  cache?: ResponseCache;
  scope?: TrialScope;
  /** Subjects with `pipeline:`, left out of the rounds (see above). */
  pipelines?: ReadonlyMap<string, unknown>;
  challenge?: ChallengeSettings;
  progress: AuditProgress;
  signal: AbortSignal;
}

export async function runBatchRounds(o: BatchRoundOptions): Promise<void> {
  // The response cache answers per call, which a round does not make; an earlier run's
  // per-request batches (custom_id = content key) are resumed by the per-request path.
  if (o.cache) return;
  const subjectsOf = new Map<BatchProvider, Set<string>>();
  for (const [id, e] of o.subjects) {
    // A pipeline subject's answer is several dependent calls (answer, rewrite, check): the
    // live path runs it, or a plain answer would be stored as its final response.
    if (o.pipelines?.has(id)) continue;
    if (!(e.provider instanceof BatchProvider)) continue;
    const set = subjectsOf.get(e.provider) ?? new Set<string>();
    subjectsOf.set(e.provider, set.add(id));
  }
  const judges = [o.judge, ...(o.judge.tasks?.values() ?? [])];
  const judgeProviders = new Set<BatchProvider>();
  for (const j of judges) {
    if (j.endpoint?.provider instanceof BatchProvider) judgeProviders.add(j.endpoint.provider);
  }
  const any = [...subjectsOf.keys(), ...judgeProviders][0];
  if (!any || any.store.hasOpenRequestJobs()) return;
  const dir = join(dirname(o.store.file), "batches");
  const common = { store: o.store, items: o.items, ...(o.scope && { scope: o.scope }) };
  const round = (p: BatchProvider, spec: KindSpec) => new BatchRound(p, spec, dir, o.signal).run();
  const judgeRound = async (kind: "judge" | "challenge-judge") => {
    for (const p of judgeProviders) {
      await round(
        p,
        verdictSpec({
          ...common,
          kind,
          judge: o.judge,
          route: (j) => (!j.endpoint ? "rule" : j.endpoint.provider === p ? "send" : "skip"),
          ...(kind === "judge" && { counters: o.progress.judge }),
        }),
      );
    }
  };
  try {
    if (o.generate !== false) {
      for (const [p, ids] of subjectsOf) {
        const counters = o.progress.generate;
        await round(p, generationSpec({ ...common, subjects: (id) => ids.has(id), counters }));
      }
    }
    await judgeRound("judge");
    if (o.challenge) {
      o.progress.challenge ??= newCounters("challenge");
      for (const [p, ids] of subjectsOf) {
        await round(
          p,
          challengeSpec({
            ...common,
            ...o.challenge,
            subjects: (id) => ids.has(id),
            counters: o.progress.challenge,
          }),
        );
      }
      await judgeRound("challenge-judge");
    }
  } catch (err) {
    if (o.signal.aborted) return;
    // A submit the provider refuses outright (bad key, unknown model) fails every batch.
    if (err instanceof ProviderCallError && !err.retryable) {
      throw new EndpointUnusableError(
        `${err.message}\nStopped: every further batch would fail the same way. Finished work is saved; fix this and re-run to resume.`,
      );
    }
    throw err;
  }
}
