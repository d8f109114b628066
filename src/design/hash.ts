import { createHash } from "node:crypto";

/** JSON with object keys sorted, so equal values always serialise identically. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v as Record<string, unknown>).sort()) {
        sorted[k] = (v as Record<string, unknown>)[k];
      }
      return sorted;
    }
    return v;
  });
}

/** Short content hash (hex) of any JSON value. */
export function contentHash(value: unknown, length = 20): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, length);
}

/**
 * Deterministic choice in [0, n) from a seed and a list of labels. Depends only on
 * its inputs (not on call order), so adding a subject or task never reshuffles others.
 */
export function seededIndex(n: number, seed: number, ...parts: string[]): number {
  if (n <= 0) throw new RangeError("seededIndex needs n > 0");
  const digest = createHash("sha256")
    .update(`${seed}\u0000${parts.join("\u0000")}`)
    .digest();
  return digest.readUInt32BE(0) % n;
}
