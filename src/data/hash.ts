import { createHash } from "node:crypto";

/**
 * Content hashes and seeded choices for the data layer. Every seeded choice is a
 * pure function of (seed, purpose, item key): it does not depend on call order or on
 * which other items were loaded, so the same config gives the same items for every
 * subject and every run.
 */

/** Short, stable content id: the first `length` hex digits of sha256(text). */
export function shortHash(text: string, length = 12): string {
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, length);
}

/** A uniform number in [0, 1) derived from the seed and labels. */
export function seededUnit(seed: number, ...parts: string[]): number {
  const digest = createHash("sha256")
    .update(`${seed}\u0000${parts.join("\u0000")}`, "utf8")
    .digest();
  // 48 bits are plenty and stay exact in a double.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** A deterministic index in [0, n) derived from the seed and labels. */
export function seededIndex(n: number, seed: number, ...parts: string[]): number {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`seededIndex needs n > 0, got ${n}`);
  return Math.floor(seededUnit(seed, ...parts) * n);
}

/** A deterministic element of a non-empty list. */
export function seededPick<T>(list: readonly T[], seed: number, ...parts: string[]): T {
  return list[seededIndex(list.length, seed, ...parts)] as T;
}
