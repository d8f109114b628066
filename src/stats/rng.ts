/**
 * Seeded pseudo-random numbers for resampling: xoshiro128** seeded through
 * splitmix32. Chosen over Math.random because bootstrap results must be
 * reproducible from a seed recorded with them, on any machine.
 */
export interface Rng {
  /** Uniform integer in [0, 2³²). */
  nextUint32(): number;
  /** Uniform double in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function seededRng(seed: number): Rng {
  if (!Number.isInteger(seed))
    throw new RangeError(`seededRng: seed must be an integer, got ${seed}`);
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  if ((a | b | c | d) === 0) a = 1; // the all-zero state is a fixed point
  const nextUint32 = () => {
    const result = Math.imul(((Math.imul(b, 5) << 7) | (Math.imul(b, 5) >>> 25)) >>> 0, 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = ((d << 11) | (d >>> 21)) >>> 0;
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    return result;
  };
  const next = () => (nextUint32() * 2 ** 21 + (nextUint32() >>> 11)) / 2 ** 53;
  return { nextUint32, next, int: (n: number) => Math.floor(next() * n) };
}
