/**
 * Several replicas of one model (vLLM/SGLang servers with no router in front): each call goes
 * to the live replica with the fewest requests outstanding, each replica has its own adaptive
 * concurrency, and a replica that fails repeatedly is drained, its work re-routed to the others.
 */
import { Limiter } from "../engine/limiter.js";
import { ProviderCallError } from "../errors.js";
import type { GenerateRequest, GenerateResult, Provider, ProviderOptions } from "./types.js";

/** Consecutive failures (connection, 5xx, timeout) after which a replica gets no more work. */
export const DRAIN_AFTER_FAILURES = 5;

export interface ReplicaStats {
  model: string;
  url: string;
  calls: number;
  failures: number;
  drained: boolean;
}

interface Replica {
  url: string;
  provider: Provider;
  limiter: Limiter;
  outstanding: number;
  failuresInRow: number;
  stats: ReplicaStats;
}

export class ReplicaProvider implements Provider {
  readonly defaultConcurrency: number;
  private readonly replicas: Replica[];

  constructor(
    readonly ref: string,
    replicas: readonly { url: string; provider: Provider }[],
  ) {
    this.replicas = replicas.map(({ url, provider }) => ({
      url,
      provider,
      limiter: new Limiter(provider.defaultConcurrency),
      outstanding: 0,
      failuresInRow: 0,
      stats: { model: ref, url, calls: 0, failures: 0, drained: false },
    }));
    this.defaultConcurrency = this.replicas.reduce((n, r) => n + r.provider.defaultConcurrency, 0);
  }

  get stats(): ReplicaStats[] {
    return this.replicas.map((r) => ({ ...r.stats }));
  }

  private pick(): Replica | undefined {
    let best: Replica | undefined;
    for (const r of this.replicas) {
      if (r.stats.drained) continue;
      if (!best || r.outstanding < best.outstanding) best = r;
    }
    return best;
  }

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    for (;;) {
      const r = this.pick();
      if (!r) {
        throw new ProviderCallError(
          `${this.ref}: every replica failed repeatedly and was drained`,
          false,
        );
      }
      r.outstanding++;
      await r.limiter.acquire();
      try {
        const result = await r.provider.generate(req);
        r.failuresInRow = 0;
        r.stats.calls++;
        r.limiter.control.onSuccess();
        return result;
      } catch (err) {
        // Not the replica's fault (bad request, Ctrl+C): the caller decides.
        if (!(err instanceof ProviderCallError) || !err.retryable || req.signal?.aborted) throw err;
        r.stats.failures++;
        const others = this.replicas.some((o) => o !== r && !o.stats.drained);
        if (err.status === 429) r.limiter.control.onRateLimited(Date.now());
        else if (++r.failuresInRow >= DRAIN_AFTER_FAILURES && others) r.stats.drained = true;
        // The last live replica is never drained: its failures go back to the engine's backoff.
        if (!others) throw err;
      } finally {
        r.outstanding--;
        r.limiter.release();
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.provider.close()));
  }
}

/** Calls per replica of every replicated model among these providers. */
export function replicaStatsOf(providers: Iterable<Provider>): ReplicaStats[] {
  const seen = new Set<Provider>();
  const out: ReplicaStats[] = [];
  for (const p of providers) {
    if (seen.has(p) || !(p instanceof ReplicaProvider)) continue;
    seen.add(p);
    out.push(...p.stats);
  }
  return out;
}

type Factory = (ref: string, options: ProviderOptions) => Promise<Provider>;

/** Wraps a provider factory: a reference with replicas gets one provider per base URL. */
export function replicaFactory(
  replicasByRef: ReadonlyMap<string, readonly string[]>,
  inner: Factory,
): Factory {
  if (replicasByRef.size === 0) return inner;
  return async (ref, opts) => {
    const extra = replicasByRef.get(ref);
    const m = /^openai-compatible:(.+)#(.+)$/.exec(ref);
    if (!extra || !m) return inner(ref, opts);
    const urls = [m[1]!, ...extra.filter((u) => u !== m[1])];
    const providers = await Promise.all(
      urls.map(async (url) => ({
        url,
        provider: await inner(`openai-compatible:${url}#${m[2]}`, opts),
      })),
    );
    return new ReplicaProvider(ref, providers);
  };
}
