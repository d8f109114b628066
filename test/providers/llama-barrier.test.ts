/**
 * The decode barrier hands the busy sequences' decode requests to node-llama-cpp together.
 * A stand-in context records what reaches its `_decodeTokens` (the method the barrier wraps).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { BARRIER_FALLBACK_MS, DecodeBarrier } from "../../src/providers/llama-barrier.js";

function fakeContext() {
  const reached: number[] = [];
  const context = {
    _decodeTokens(args: { sequenceId: number }, _mapper: unknown): Promise<string> {
      reached.push(args.sequenceId);
      return Promise.resolve(`decoded ${args.sequenceId}`);
    },
  };
  return { context, reached };
}
const decode = (ctx: object, sequenceId: number): Promise<unknown> =>
  (Reflect.get(ctx, "_decodeTokens") as (a: object, m: unknown) => Promise<unknown>)(
    { sequenceId },
    () => undefined,
  );

afterEach(() => {
  vi.useRealTimers();
});

describe("DecodeBarrier", () => {
  it("holds requests until every busy sequence has one, then passes them on in id order", async () => {
    const { context, reached } = fakeContext();
    let busy = 3;
    const barrier = DecodeBarrier.install(context, () => busy);
    expect(barrier).toBeDefined();
    const a = decode(context, 2);
    const b = decode(context, 0);
    expect(reached).toEqual([]);
    const c = decode(context, 1);
    expect(reached).toEqual([0, 1, 2]);
    expect(await Promise.all([a, b, c])).toEqual(["decoded 2", "decoded 0", "decoded 1"]);
    // A sequence going idle releases the ones waiting for it.
    const d = decode(context, 0);
    expect(reached).toHaveLength(3);
    busy = 1;
    barrier?.wake();
    expect(reached).toEqual([0, 1, 2, 0]);
    await d;
  });

  it("lets a lone request through after the fallback delay", async () => {
    vi.useFakeTimers();
    const { context, reached } = fakeContext();
    DecodeBarrier.install(context, () => 4);
    const a = decode(context, 3);
    await vi.advanceTimersByTimeAsync(BARRIER_FALLBACK_MS - 1);
    expect(reached).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(reached).toEqual([3]);
    await expect(a).resolves.toBe("decoded 3");
  });

  it("passes on a rejection, and flush empties the barrier", async () => {
    const context = {
      _decodeTokens: (_a: object) => Promise.reject(new Error("disposed")),
    };
    const barrier = DecodeBarrier.install(context, () => 2);
    const a = decode(context, 0);
    barrier?.flush();
    await expect(a).rejects.toThrow("disposed");
  });

  it("is not installed on a context without the method (node-llama-cpp changed)", () => {
    expect(DecodeBarrier.install({}, () => 1)).toBeUndefined();
  });
});
