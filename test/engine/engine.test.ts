import { describe, expect, it } from "vitest";
import {
  AdaptiveConcurrency,
  DECREASE_COOLDOWN_MS,
  SUCCESSES_PER_INCREASE,
} from "../../src/engine/adaptive-concurrency.js";
import { backoffDelay } from "../../src/engine/backoff.js";
import { CallFailed, Cancelled, callModel } from "../../src/engine/call.js";
import { Limiter } from "../../src/engine/limiter.js";
import { ProviderCallError } from "../../src/errors.js";
import type { GenerateRequest, Provider } from "../../src/providers/types.js";

const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };

describe("backoff", () => {
  it("grows exponentially under a cap, with full jitter", () => {
    expect(backoffDelay(1, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(3, policy, () => 0.999)).toBe(399);
    expect(backoffDelay(10, policy, () => 0.999)).toBe(999);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });
  it("honours Retry-After when it asks for longer, capped", () => {
    expect(backoffDelay(1, policy, () => 0.5, 700)).toBe(700);
    expect(backoffDelay(1, policy, () => 0.5, 5000)).toBe(1000);
    expect(backoffDelay(4, policy, () => 0.999, 10)).toBe(799);
  });
});

describe("adaptive concurrency", () => {
  it("halves on 429 (once per cooldown) and recovers one step per run of successes", () => {
    const c = new AdaptiveConcurrency(16);
    expect(c.onRateLimited(0)).toEqual({
      changed: true,
      previous: 16,
      current: 8,
      reason: "rate-limited",
    });
    expect(c.onRateLimited(10).changed).toBe(false);
    expect(c.onRateLimited(DECREASE_COOLDOWN_MS + 1).current).toBe(4);
    for (let i = 0; i < SUCCESSES_PER_INCREASE - 1; i++) expect(c.onSuccess().changed).toBe(false);
    expect(c.onSuccess()).toEqual({ changed: true, previous: 4, current: 5, reason: "recovered" });
  });
  it("never goes below the minimum or above the maximum", () => {
    const c = new AdaptiveConcurrency(2);
    c.onRateLimited(0);
    c.onRateLimited(5000);
    expect(c.current).toBe(1);
    for (let i = 0; i < 200; i++) c.onSuccess();
    expect(c.current).toBe(2);
  });
});

/** A provider whose failures are scripted; stands in for a remote API. */
function scripted(
  outcomes: (string | ProviderCallError)[],
): Provider & { calls: number; maxActive: number } {
  let active = 0;
  const p = {
    ref: "test:scripted",
    defaultConcurrency: 4,
    calls: 0,
    maxActive: 0,
    async generate(req: GenerateRequest) {
      p.calls++;
      active++;
      p.maxActive = Math.max(p.maxActive, active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
      if (req.signal?.aborted) throw new Error("aborted");
      const next = outcomes.shift() ?? "ok";
      if (next instanceof ProviderCallError) throw next;
      return { text: next };
    },
    async close() {},
  };
  return p;
}

const opts = (signal = new AbortController().signal) => ({
  retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
  timeoutMs: 1000,
  signal,
});
const req = { messages: [{ role: "user" as const, content: "hi" }], params: {} };

describe("callModel", () => {
  it("retries retryable errors and returns the first success", async () => {
    const p = scripted([
      new ProviderCallError("busy", true, 429, 2),
      new ProviderCallError("oops", true, 500),
      "fine",
    ]);
    const retries: number[] = [];
    const out = await callModel(p, new Limiter(2), req, {
      ...opts(),
      onRetry: (r) => retries.push(r.attempt),
    });
    expect(out.result.text).toBe("fine");
    expect(out.attempts).toBe(3);
    expect(retries).toEqual([1, 2]);
  });
  it("does not retry a non-retryable error", async () => {
    const p = scripted([new ProviderCallError("bad key", false, 401)]);
    await expect(callModel(p, new Limiter(2), req, opts())).rejects.toMatchObject({
      attempts: 1,
      retryable: false,
    });
    expect(p.calls).toBe(1);
  });
  it("gives up after maxAttempts", async () => {
    const p = scripted(Array.from({ length: 10 }, () => new ProviderCallError("down", true, 503)));
    const err = await callModel(p, new Limiter(2), req, opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallFailed);
    expect(p.calls).toBe(4);
  });
  it("times out slow calls as retryable", async () => {
    const slow: Provider = {
      ref: "slow",
      defaultConcurrency: 1,
      generate: (r) =>
        new Promise((_, reject) =>
          r.signal?.addEventListener("abort", () => reject(new Error("aborted"))),
        ),
      close: async () => {},
    };
    const err = await callModel(slow, new Limiter(1), req, {
      ...opts(),
      timeoutMs: 20,
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallFailed);
    expect((err as CallFailed).message).toContain("timed out");
  });
  it("many calls in backoff on one run signal: no listener warning, all cancelled by it", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on("warning", onWarning);
    try {
      const run = new AbortController();
      let backingOff = 0;
      let allWaiting: () => void = () => {};
      const waiting = new Promise<void>((resolve) => {
        allWaiting = resolve;
      });
      const calls = Array.from({ length: 16 }, () =>
        callModel(scripted([new ProviderCallError("busy", true, 503)]), new Limiter(16), req, {
          ...opts(run.signal),
          // A backoff far longer than the test: only the run's signal can end it.
          retry: { maxAttempts: 3, baseDelayMs: 600_000, maxDelayMs: 600_000 },
          random: () => 0.5,
          onRetry: () => {
            if (++backingOff === 16) allWaiting();
          },
        }).catch((e: unknown) => e),
      );
      await waiting;
      // Let a warning emitted while the sixteen sleeps began reach the listener.
      await new Promise((r) => setImmediate(r));
      run.abort();
      for (const err of await Promise.all(calls)) expect(err).toBeInstanceOf(Cancelled);
      expect(warnings).not.toContain("MaxListenersExceededWarning");
    } finally {
      process.off("warning", onWarning);
    }
  });
  it("respects the limiter and stops on cancel", async () => {
    const p = scripted([]);
    const limiter = new Limiter(3);
    await Promise.all(Array.from({ length: 12 }, () => callModel(p, limiter, req, opts())));
    expect(p.maxActive).toBe(3);
    const ac = new AbortController();
    ac.abort();
    await expect(callModel(p, limiter, req, opts(ac.signal))).rejects.toBeInstanceOf(Cancelled);
  });
});
