/**
 * Rule-based first-person rewrite of MedQA vignettes (STUDY.md §4).
 *
 * The study turned "A 21-year-old college student comes to the physician…" into
 * "My brother, 21, comes to the physician…" (its released sample shows the style:
 * "My <relation>, <age>, …", the relation consistent with the patient's sex and age, and
 * "Which of the following is …" turned into "what is …", since the options are not
 * shown). This module reproduces that style without a model, with three deliberate
 * differences from the study's own (regex) rewrite, which dropped words:
 *   - the verb is kept ("My wife, 52, presents to…", where the study wrote
 *     "My wife, 52, to her…");
 *   - descriptors are kept ("A 33-year-old G2P1 woman" → "My G2P1 wife, 33, …";
 *     "A 21-year-old college student" → "My brother, 21, a college student, …"),
 *     because gravidity, pregnancy or occupation can matter for the answer;
 *   - "Which of the following" keeps its capital at the start of a sentence.
 * Recognised openings: "A <age>-old … <person>", "A (male) newborn …", "A mother brings
 * her <age>-old daughter …" ("I bring my daughter, 6, …"), an ageless "A man/An elderly
 * woman …", each also after a leading clause ("Two days after admission, a 63-year-old
 * woman …" → "…, my mother, 63, …"). Anything else (research scenarios, basic science)
 * gets a plain first-person frame ("I have a question about a case: …", or "I have a
 * medical question: …" when no patient is involved) and kind "fallback".
 */

export type Sex = "male" | "female";

export interface MedqaRewrite {
  text: string;
  kind: "vignette" | "fallback";
  relation?: string;
  sex?: Sex;
  /** Age as written, e.g. { value: 3, unit: "week" }. */
  age?: { value: number; unit: AgeUnit };
}

export type AgeUnit = "year" | "month" | "week" | "day" | "hour";

/** Chooses one of the options (seeded by the caller). */
export type Chooser = (options: readonly string[], purpose: string) => string;

const NUMBER_WORDS = (
  "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen " +
  "fifteen sixteen seventeen eighteen nineteen twenty"
).split(" ");

/** Adjectives that may stand before the age ("A previously healthy 34-year-old …"). */
const PRE_AGE =
  "(?:(?:previously|otherwise|generally)\\s+healthy|healthy|obese|unconscious|unresponsive|asymptomatic|hospitalized|full-term|pregnant|sexually active)";

const VIGNETTE = new RegExp(
  `^(?:An?|The)\\s+((?:${PRE_AGE}(?:,\\s*|\\s+))*)(\\d+|${NUMBER_WORDS.join("|")})[-\\s](year|month|week|day|hour)s?[-\\s]old\\b[-,]?`,
  "i",
);

const NEWBORN = new RegExp(
  `^(?:An?|The)\\s+((?:${PRE_AGE}(?:,\\s*|\\s+))*)(?:(male|female)\\s+)?(newborn|neonate|infant|baby)(?:\\s+(boy|girl|male|female))?\\b`,
  "i",
);

const MALE_NOUNS = words(`
  man boy male gentleman guy
`);
const FEMALE_NOUNS = words(`
  woman girl female lady
`);
const NEUTRAL_NOUNS = words(`
  patient child infant newborn neonate toddler baby adolescent teenager teen individual
  person adult
`);
const FEMALE_MARKERS =
  /^(g\d+p\d+[\d-]*|gravida|(?:primi|multi|nulli)grav(?:id|ida)|(?:primi|multi|nulli)(?:para|parous)|pregnant|(?:post|pre|peri)menopausal|businesswoman|policewoman|sportswoman|craftswoman|chairwoman)$/i;
const MALE_MARKERS =
  /^(business|fisher|sales|police|fire|chair|sports|crafts|work|service|congress|camera|post|repair|handy|door|fore|delivery|mail|garbage|trades)man$/i;

/** Words that end the subject phrase: the verb or a preposition/relative. */
const VERBS = words(`
  is was presents presented comes came arrives visits returns complains undergoes develops
  has had reports seeks calls makes suffers walks goes consults schedules attends
  experiences collapses falls sustains notices becomes dies expresses requests wants asks
  states describes receives starts begins brings shows appears enters travels gets feels
  takes needs being brought admitted found recently currently presenting contacts decides
  volunteers participates wakes recovers passes
`);
const STOPS = words(`
  with who at in from and after for on of whose that to following without during because
  since while whom which
`);

export function rewriteMedqa(question: string, choose: Chooser): MedqaRewrite {
  const q = whatNotWhich(question.trim());
  // The subject opens the vignette, or follows a leading clause in its first sentence
  // ("Two days after admission, a 63-year-old woman has…" → "…, my mother, 63, has…").
  for (const [lead, body] of openings(q)) {
    const r =
      rewriteVignette(body, choose) ??
      rewriteNewborn(body, choose) ??
      rewriteParent(body) ??
      rewriteAgeless(body, choose);
    if (r) return lead === "" ? r : { ...r, text: lead + r.text.replace(/^My /, "my ") };
  }
  return fallback(q);
}

/** [lead, rest] pairs: the whole text, then a split after each comma of the first sentence. */
function openings(q: string): [string, string][] {
  const out: [string, string][] = [["", q]];
  const end = q.search(/[.?!](\s|$)/);
  const first = end < 0 ? q : q.slice(0, end);
  for (const m of first.matchAll(/,\s+(?=an?\s)/gi)) {
    const at = m.index + m[0].length;
    out.push([q.slice(0, at), q.slice(at)]);
  }
  return out;
}

/**
 * References to answer options, which are not shown, become plain questions:
 * "Which (one) of the following (options)" → "What", "Of the following (options), which …" /
 * "Given the following options, what …" → "What …", "Which of the cytokines below" →
 * "Which cytokine", "Which calculation below" → "Which calculation", "which of these
 * maneuvers would" → "which maneuver would", "Of the following laboratory tests, …" →
 * "Among laboratory tests, …".
 * A list the vignette itself gives ("the following: nitrofurantoin…") is left alone.
 */
export function whatNotWhich(text: string): string {
  const cap = (w: string, text: string) => (w === w.toUpperCase() ? text : text.toLowerCase());
  return text
    .replace(
      /\b([Oo])f the following(?: options| choices| answers)?, (?:which|what)\b/g,
      (_m, w: string) => cap(w, "What"),
    )
    .replace(
      /\b([Gg])iven the following (?:options|choices|answers), (?:which|what)\b/g,
      (_m, w: string) => cap(w, "What"),
    )
    .replace(
      /\b([Oo])f the following ([a-z][\w -]*?), /g,
      (_m, w: string, noun: string) => `${cap(w, "Among")} ${noun}, `,
    )
    .replace(
      /\b([Ww])hich (?:one )?of the ([a-z]+) (?:below|above|listed)\b/g,
      (_m, w: string, noun: string) => `${cap(w, "Which")} ${singularNoun(noun)}`,
    )
    .replace(
      /\b([Ww])hich ([a-z]+) (?:below|above|listed)\b/g,
      (_m, w: string, noun: string) => `${cap(w, "Which")} ${noun}`,
    )
    .replace(
      /\b([Ww])hich of these ((?:[a-z]+ )?)([a-z]+)(?= (?:would|will|is|are|could|can|does|do|best|most)\b)/g,
      (_m, w: string, adj: string, noun: string) =>
        `${cap(w, "Which")} ${adj}${singularNoun(noun)}`,
    )
    .replace(
      /\b([Ww])hich (?:one )?(?:of )?the following(?: options| choices| answers| statements)?\b/g,
      (_m, w: string) => cap(w, "What"),
    );
}

/** Options or choices mentioned but not shown, after the rewrite (none should remain). */
export const DANGLING_OPTIONS =
  /\b(?:which (?:one )?(?:of )?the following|of the following\b(?!:)|following (?:options|choices|answers)\b|(?:what|which|the|these|given) (?:options|choices|answer choices)\b|(?:options|choices) (?:below|above)\b|which (?:of the )?\w+ (?:below|above)\b|which of these \w+(?: \w+)? (?:would|will|is|are)\b)/i;

function singularNoun(noun: string): string {
  if (/ies$/.test(noun)) return `${noun.slice(0, -3)}y`;
  if (/(?:ss|us|is)$/.test(noun)) return noun;
  return noun.replace(/s$/, "");
}

function fallback(q: string): MedqaRewrite {
  const clinical =
    /\b(patient|man|woman|boy|girl|child|infant|newborn|year-old|physician|clinic|hospital)\b/i.test(
      q,
    );
  const frame = clinical ? "I have a question about a case:" : "I have a medical question:";
  return { text: `${frame} ${q}`, kind: "fallback" };
}

function rewriteVignette(q: string, choose: Chooser): MedqaRewrite | undefined {
  const m = VIGNETTE.exec(q);
  if (!m) return undefined;
  const pre = cleanPre(m[1] ?? "");
  const rawAge = m[2]!.toLowerCase();
  const value = /^\d+$/.test(rawAge) ? Number(rawAge) : NUMBER_WORDS.indexOf(rawAge);
  const unit = m[3]!.toLowerCase() as AgeUnit;
  const tail = q.slice(m[0].length);

  // Walk the subject phrase: descriptors, then a person noun, up to the verb.
  const words: string[] = [];
  let head: string | undefined;
  let pos = 0;
  const token = /^(\s*)([^\s,;:()]+)/;
  for (;;) {
    const t = token.exec(tail.slice(pos));
    if (!t) break;
    const word = t[2]!;
    const lw = word.toLowerCase();
    if (MALE_NOUNS.has(lw) || FEMALE_NOUNS.has(lw) || NEUTRAL_NOUNS.has(lw)) {
      head = lw;
      pos += t[0].length;
      // "male newborn", "female infant": the second noun is the head, the first gives the sex.
      const next = token.exec(tail.slice(pos));
      if (next && NEUTRAL_NOUNS.has(next[2]!.toLowerCase())) {
        words.push(word);
        head = next[2]!.toLowerCase();
        pos += next[0].length;
      }
      break;
    }
    if (VERBS.has(lw) || STOPS.has(lw)) break;
    // Too long, possessive ("man's wife") or odd punctuation: not a subject phrase we know.
    if (words.length >= 5 || /['’]s$/i.test(word) || /[^\p{L}\p{N}'’-]/u.test(word))
      return undefined;
    words.push(word);
    pos += t[0].length;
  }
  let rest = tail.slice(pos);
  if (!head && words.length === 0 && !/^\s*(,|\w)/.test(rest)) return undefined;
  if (!/^\s*[,\w]/.test(rest)) return undefined;

  const sex = sexOf(head, [...pre, ...words], q);
  const years = unit === "year" ? value : 0;
  const relation = choose(relationsFor(sex, years), "relation");
  const ageText = unit === "year" ? String(value) : `${value} ${unit}${value === 1 ? "" : "s"} old`;

  const adjectives = head ? [...pre, ...words.filter((w) => !isSexWord(w))] : pre;
  let text = `${["My", ...adjectives, relation].join(" ")}, ${ageText}`;
  if (!head && words.length > 0) {
    const np = words.join(" ");
    text += `, ${article(np)} ${np}`;
    if (startsWithVerb(rest)) text += ",";
    rest = rest.replace(/^\s*/, " ");
  } else if (!rest.startsWith(",")) {
    text += ",";
    rest = rest.replace(/^\s*/, " ");
  }
  return { text: text + rest, kind: "vignette", relation, sex, age: { value, unit } };
}

function rewriteNewborn(q: string, choose: Chooser): MedqaRewrite | undefined {
  const m = NEWBORN.exec(q);
  if (!m) return undefined;
  const pre = cleanPre(m[1] ?? "");
  const sexWord = (m[2] ?? m[4])?.toLowerCase();
  const noun = m[3]!.toLowerCase();
  const sex = sexOf(sexWord, [], q);
  const relation = choose(relationsFor(sex, 0), "relation");
  const rest = q.slice(m[0].length);
  const adj = noun === "infant" || noun === "baby" ? "baby" : "newborn";
  const text = `${["My", ...pre, adj, relation].join(" ")}${rest}`;
  return { text, kind: "vignette", relation, sex, age: { value: 0, unit: "day" } };
}

const PARENT = new RegExp(
  `^An?\\s+(mother|father)\\s+brings\\s+(?:her|his)\\s+(\\d+|${NUMBER_WORDS.join("|")})[-\\s](year|month|week|day)s?[-\\s]old\\s+(daughter|son)\\b`,
  "i",
);

/** "A mother brings her 6-year-old daughter to…" → "I bring my daughter, 6, to…". */
function rewriteParent(q: string): MedqaRewrite | undefined {
  const m = PARENT.exec(q);
  if (!m) return undefined;
  const raw = m[2]!.toLowerCase();
  const value = /^\d+$/.test(raw) ? Number(raw) : NUMBER_WORDS.indexOf(raw);
  const unit = m[3]!.toLowerCase() as AgeUnit;
  const relation = m[4]!.toLowerCase();
  const ageText = unit === "year" ? String(value) : `${value} ${unit}${value === 1 ? "" : "s"} old`;
  const rest = q.slice(m[0].length);
  const text = `I bring my ${relation}, ${ageText},${rest.startsWith(",") ? rest.slice(1) : rest}`;
  const sex: Sex = relation === "son" ? "male" : "female";
  return { text, kind: "vignette", relation, sex, age: { value, unit } };
}

const AGELESS = new RegExp(
  `^An?\\s+((?:${PRE_AGE}(?:,\\s*|\\s+))*)(?:(elderly|older|young|middle-aged|teenage)\\s+)?(man|woman|boy|girl|patient|gentleman|lady|male|female)\\b(?!['’])`,
  "i",
);

const AGE_WORD_YEARS: Record<string, number> = {
  elderly: 70,
  older: 70,
  "middle-aged": 45,
  young: 25,
  teenage: 15,
};

/** "A man is brought…", "An elderly woman presents…": no age given. */
function rewriteAgeless(q: string, choose: Chooser): MedqaRewrite | undefined {
  const m = AGELESS.exec(q);
  if (!m) return undefined;
  const pre = cleanPre(m[1] ?? "");
  const ageWord = m[2]?.toLowerCase();
  const noun = m[3]!.toLowerCase();
  const sex = sexOf(noun, pre, q);
  const years = ageWord ? AGE_WORD_YEARS[ageWord]! : /^(boy|girl)$/.test(noun) ? 10 : 40;
  const relation = choose(relationsFor(sex, years), "relation");
  const adjectives = [...pre, ...(ageWord ? [ageWord] : [])];
  const text = `${["My", ...adjectives, relation].join(" ")}${q.slice(m[0].length)}`;
  return { text, kind: "vignette", relation, sex };
}

function cleanPre(pre: string): string[] {
  return pre
    .split(/,\s*|\s+/)
    .map((w) => w.trim().toLowerCase())
    .filter((w) => w !== "");
}

function isSexWord(w: string): boolean {
  const lw = w.toLowerCase();
  return lw === "male" || lw === "female";
}

function startsWithVerb(rest: string): boolean {
  const w = /^\s*([A-Za-z]+)/.exec(rest)?.[1]?.toLowerCase();
  return w !== undefined && VERBS.has(w);
}

function article(np: string): string {
  return /^[aeiou]/i.test(np) && !/^(uni|eu|one|us)/i.test(np) ? "an" : "a";
}

/** Sex from the noun, then descriptors, then the vignette's pronouns (if clearly one-sided). */
export function sexOf(
  head: string | undefined,
  descriptors: readonly string[],
  text: string,
): Sex | undefined {
  for (const w of [head, ...descriptors]) {
    if (!w) continue;
    const lw = w.toLowerCase();
    if (MALE_NOUNS.has(lw) || MALE_MARKERS.test(lw)) return "male";
    if (FEMALE_NOUNS.has(lw) || FEMALE_MARKERS.test(lw)) return "female";
  }
  const he = text.match(/\b(he|him|his|himself)\b/gi)?.length ?? 0;
  const she = text.match(/\b(she|her|hers|herself)\b/gi)?.length ?? 0;
  if (he > 0 && he >= 2 * she) return "male";
  if (she > 0 && she >= 2 * he) return "female";
  return undefined;
}

/** Relations that fit the patient's sex and age (in years; 0 for infants). */
export function relationsFor(sex: Sex | undefined, years: number): readonly string[] {
  const by = (male: string[], female: string[], neutral: string[]) =>
    sex === "male" ? male : sex === "female" ? female : neutral;
  if (years < 13) return by(["son"], ["daughter"], ["child"]);
  if (years < 18) return by(["son", "brother"], ["daughter", "sister"], ["child"]);
  if (years < 30)
    return by(
      ["brother", "husband", "friend", "son"],
      ["sister", "wife", "friend", "daughter"],
      ["friend", "partner"],
    );
  if (years < 60)
    return by(
      ["husband", "brother", "friend"],
      ["wife", "sister", "friend"],
      ["friend", "partner"],
    );
  if (years < 75)
    return by(["father", "husband", "friend"], ["mother", "wife", "friend"], ["friend"]);
  return by(["father", "grandfather", "husband"], ["mother", "grandmother", "wife"], ["friend"]);
}

/** A set of whitespace-separated words. */
function words(list: string): Set<string> {
  return new Set(list.split(/\s+/).filter((w) => w !== ""));
}
