import { seededUnit } from "../hash.js";
import { type AnswerType, singular } from "./answer-type.js";

/**
 * The offline wrong belief for each item: another item's answer of the same type, taken from
 * the item whose *question* is most like this one. Same type alone is not plausible ("What is
 * the official language of Nicaragua? → The Rangers" is an organisation for an organisation… or
 * "other" for "other"); the answer to a similar question is the same kind of thing: a
 * "language" question gets another language, a "river" question a river.
 *
 * Score of candidate o for item p (both of the same type):
 *   cosine of their questions' TF-IDF vectors (binary term frequency over lower-cased,
 *   singularised content words; questions are short, so counts add nothing)
 *   + 0.3 if both questions ask for the same noun ("which sea"),
 *   + 0.2 if both answers end in the same word ("Black Sea" / "Red Sea"),
 *   + 0.05 if both answers have about as many words,
 *   + 0.15 if both are names (capitalised words) or both are not ("which club … → Liverpool FC"
 *     should get another football club, not "A priest", the small club for killing fish).
 * Never p's own answer or an alias of it, nor an answer the question itself names ("Who was
 * the father of the prophet Muhammad? → Muhammad"). Among candidates scoring at least
 * BAND × the best, the answer used least often so far wins (items in file order), then the
 * highest score, then a seeded order. Items with no candidate sharing a word or a feature fall
 * back to any answer of the same type and shape, then of the same type, at a seeded position;
 * an item with no other answer of its type gets none.
 *
 * Cost: an inverted index over (type, term); terms in more than max(500, n/10) questions are
 * left out of the index (their IDF is small and their posting lists quadratic), so the work
 * is O(n · k) for k candidates sharing a rarer term.
 */

export interface DistractorSource {
  id: string;
  question: string;
  value: string;
  /** Normalised answer value (the caller's normalisation). */
  key: string;
  /** Normalised forms of every correct answer and alias. */
  keys: ReadonlySet<string>;
  type: AnswerType;
  noun: string | undefined;
  /** False for an item that has its own wrong answer: a candidate for others, chosen for none. */
  wanted?: boolean;
}

const BAND = 0.85;
const NOUN_BONUS = 0.3;
const HEAD_BONUS = 0.2;
const SHAPE_BONUS = 0.05;
const CASE_BONUS = 0.15;

const STOP = new Set(
  `the and for was were are is his her its their who whom whose which what when where why how
  this that these those with from into onto upon than then there here also but not has had
  have been being did does do name named called known give given term word one ones year
  first last famous english british american about after before during between which's what's
  him she they them would could should will can may might many much most more only other
  such some any each every all out over under our your you`
    .split(/\s+/)
    .filter((w) => w !== ""),
);

/** Content words of a question, lower-cased, accents removed, singular, deduplicated. */
export function questionTerms(question: string): string[] {
  const words = plain(question)
    .split(" ")
    .filter((w) => w.length >= 3 && !STOP.has(w) && !/^\d+$/.test(w))
    .map(singular);
  return [...new Set(words)];
}

function plain(text: string): string {
  return text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

function headOf(key: string): string | undefined {
  const words = key.split(" ");
  return words.length >= 2 ? words[words.length - 1] : undefined;
}

function shapeOf(value: string): number {
  const n = value.split(/\s+/).filter((w) => w !== "").length;
  return n <= 1 ? 1 : n <= 3 ? 2 : 3;
}

/** A name ("Liverpool FC", "St Francis Xavier") rather than a common noun ("a priest", "sweating"). */
function isName(value: string): boolean {
  const words = value.split(/\s+/).filter((w) => w.length > 3 || /^\p{Lu}/u.test(w));
  return words.length > 0 && words.every((w) => /^[^\p{L}]*\p{Lu}/u.test(w));
}

function push<K>(map: Map<K, number[]>, key: K, i: number): void {
  const list = map.get(key);
  if (list) list.push(i);
  else map.set(key, [i]);
}

/** For each item, the index of the item whose answer is its wrong belief, or undefined. */
export function chooseDistractors(
  items: readonly DistractorSource[],
  seed: number,
): (number | undefined)[] {
  const n = items.length;
  const terms = items.map((p) => questionTerms(p.question));
  const df = new Map<string, number>();
  for (const ts of terms) for (const t of ts) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = (t: string) => Math.log((n + 1) / ((df.get(t) ?? 0) + 1)) + 1;
  const norms = terms.map((ts) => Math.sqrt(ts.reduce((s, t) => s + idf(t) ** 2, 0)) || 1);
  const cap = Math.max(500, Math.ceil(n / 10));

  const byTerm = new Map<string, number[]>();
  const byFeature = new Map<string, number[]>();
  const byShape = new Map<string, number[]>();
  const byType = new Map<string, number[]>();
  items.forEach((p, i) => {
    for (const t of terms[i]!) if ((df.get(t) ?? 0) <= cap) push(byTerm, `${p.type}\u0000${t}`, i);
    if (p.noun !== undefined) push(byFeature, `${p.type}\u0000noun\u0000${p.noun}`, i);
    const head = headOf(p.key);
    if (head !== undefined) push(byFeature, `${p.type}\u0000head\u0000${head}`, i);
    push(byShape, `${p.type}\u0000${shapeOf(p.value)}`, i);
    push(byType, p.type, i);
  });
  // One seeded number per item; adding two gives each item its own order of the others
  // without a hash per pair.
  const rank = items.map((p) => seededUnit(seed, "triviaqa:distractor", p.id));
  const tie = (i: number, j: number) => (rank[i]! + rank[j]!) % 1;
  const uses = new Map<string, number>();
  const names = items.map((p) => isName(p.value));
  const heads = items.map((p) => headOf(p.key));
  const shapes = items.map((p) => shapeOf(p.value));
  const nouns = items.map((p) => p.noun);
  const keys = items.map((p) => p.key);
  // Dense accumulators reused across items: a Map per item costs more than the scoring.
  const acc = new Float64Array(n);
  const touched = new Uint8Array(n);

  return items.map((p, i) => {
    if (p.wanted === false) return undefined;
    const q = ` ${plain(p.question)} `;
    const own = (j: number) => j === i || keys[j] === "" || p.keys.has(keys[j]!);
    // An answer the question names ("Who was the father of the prophet Muhammad?") is checked
    // only for the few finalists: a substring search per candidate is the costliest test.
    const named = (j: number) => q.includes(` ${keys[j]} `);
    const valid = (j: number) => !own(j) && !named(j);

    const list: number[] = [];
    const touch = (j: number) => {
      if (touched[j] === 0) {
        touched[j] = 1;
        acc[j] = 0;
        list.push(j);
      }
    };
    for (const t of terms[i]!) {
      const posting = byTerm.get(`${p.type}\u0000${t}`);
      if (!posting) continue;
      const w = idf(t) ** 2 / norms[i]!;
      for (const j of posting) {
        touch(j);
        acc[j]! += w / norms[j]!;
      }
    }
    const headKey = heads[i];
    const noun = nouns[i];
    const shape = shapes[i];
    const name = names[i];
    for (const key of [
      p.noun !== undefined ? `${p.type}\u0000noun\u0000${p.noun}` : undefined,
      headKey !== undefined ? `${p.type}\u0000head\u0000${headKey}` : undefined,
    ]) {
      const pool = key !== undefined ? byFeature.get(key) : undefined;
      if (pool && pool.length <= cap) for (const j of pool) touch(j);
    }

    // Final scores overwrite the accumulators; candidates stay plain indices (no object each).
    let scored: number[] = [];
    for (const j of list) {
      touched[j] = 0;
      if (own(j)) continue;
      acc[j] =
        acc[j]! +
        (noun !== undefined && nouns[j] === noun ? NOUN_BONUS : 0) +
        (headKey !== undefined && heads[j] === headKey ? HEAD_BONUS : 0) +
        (shapes[j] === shape ? SHAPE_BONUS : 0) +
        (names[j] === name ? CASE_BONUS : 0);
      scored.push(j);
    }
    let chosen: number | undefined;
    while (chosen === undefined && scored.length > 0) {
      let best = 0;
      for (const j of scored) if (acc[j]! > best) best = acc[j]!;
      const floor = BAND * best;
      const band = scored.filter((j) => acc[j]! >= floor);
      band.sort(
        (a, b) =>
          (uses.get(keys[a]!) ?? 0) - (uses.get(keys[b]!) ?? 0) ||
          acc[b]! - acc[a]! ||
          tie(i, a) - tie(i, b),
      );
      chosen = band.find((j) => !named(j));
      if (chosen === undefined) scored = scored.filter((j) => acc[j]! < floor);
    }
    chosen ??= fallback(
      i,
      [byShape.get(`${p.type}\u0000${shapes[i]}`), byType.get(p.type)],
      valid,
      seed,
      p.id,
    );
    if (chosen !== undefined) {
      const key = items[chosen]!.key;
      uses.set(key, (uses.get(key) ?? 0) + 1);
    }
    return chosen;
  });
}

/** No similar question: any answer of the same shape, then of the same type, at a seeded start. */
function fallback(
  i: number,
  pools: readonly (number[] | undefined)[],
  valid: (j: number) => boolean,
  seed: number,
  id: string,
): number | undefined {
  for (const pool of pools) {
    if (!pool || pool.length < 2) continue;
    const start = Math.floor(seededUnit(seed, "triviaqa:distractor", id) * pool.length);
    for (let k = 0; k < pool.length; k++) {
      const j = pool[(start + k) % pool.length]!;
      if (j !== i && valid(j)) return j;
    }
  }
  return undefined;
}
