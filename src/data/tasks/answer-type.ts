/**
 * The type of a short answer (person, place, number, date, organisation, other), from
 * simple features of the question and the answer, and of the other answers in the dataset.
 *
 * An offline wrong belief is only plausible when it is the same kind of thing as the right
 * answer: "The Danube flows into which sea? I think the answer is Gin" measures nothing.
 * The rules, in order:
 *   1. the answer's shape: a year, decade or date is a date; digits or number words a number;
 *   2. the question's cue: "in what year/when" → date, "how many" → number, "who" or
 *      "which actor/king/writer…" → person, "which country/city/river/sea…" or "where" → place,
 *      "which club/band/company…" → organisation;
 *   3. the answer's words: "FC", "Ltd", "Party", "Airlines"… → organisation; "River", "Mount",
 *      "-shire"… → place; "Sir", "King", "St"… followed by a name → person;
 *   4. the dataset: an answer that is elsewhere the answer to a person/place/organisation
 *      question (rule 2) gets that type ("Paris" after "who judged Aphrodite…" stays a person,
 *      "Ghana" without a cue is a place because another question asks "which country").
 * `noun` is the word after "which/what" ("which sea" → "sea"), used to prefer a distractor of
 * the very same kind.
 */

export type AnswerType = "person" | "place" | "number" | "date" | "organisation" | "other";

export const ANSWER_TYPES: readonly AnswerType[] = [
  "person",
  "place",
  "number",
  "date",
  "organisation",
  "other",
];

export interface TypedAnswer {
  type: AnswerType;
  /** The noun after which/what, singular, when the question has one. */
  noun?: string;
  /** Which rule decided (for tracing and tests). */
  rule: "shape" | "question" | "answer" | "dataset" | "default";
}

const MONTHS =
  "january|february|march|april|may|june|july|august|september|october|november|december";
const NUMBER_WORDS =
  "zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|dozen";

const DATE_SHAPE = new RegExp(
  `^(?:(?:c\\.?|circa)\\s*)?(?:\\d{3,4}(?:\\s*(?:ad|bc|bce|ce))?|\\d{4}s|'\\d0s|(?:the\\s+)?(?:nineteen|eighteen|seventeen)\\s+\\w+|(?:\\d{1,2}(?:st|nd|rd|th)?\\s+)?(?:${MONTHS})(?:\\s+\\d{1,2}(?:st|nd|rd|th)?)?(?:,?\\s+\\d{3,4})?)$`,
  "i",
);
const NUMBER_SHAPE = new RegExp(
  `^(?:[-+]?[\\d][\\d.,\\s/]*%?|(?:(?:${NUMBER_WORDS})[\\s-]*(?:and\\s+)?)+)$`,
  "i",
);

const PERSON_NOUNS = words(`
  actor actress singer king queen monarch emperor empress pharaoh pope president minister
  premier playwright poet author writer novelist composer artist painter sculptor architect
  footballer cricketer golfer player tennis boxer athlete jockey driver explorer scientist
  inventor philosopher saint prophet apostle god goddess character man woman person
  musician guitarist drummer pianist comedian director presenter chancellor leader general
  admiral prince princess duke duchess lord lady knight dictator rapper conductor dancer
  designer detective spy astronaut pilot wife husband son daughter brother sister father
  mother poet-laureate politician statesman scotsman englishman irishman welshman frenchman
  cyclist manager coach chef economist physicist chemist mathematician biologist
  philosopher saint villain hero heroine
`);
const PLACE_NOUNS = words(`
  country city town county state continent river sea ocean island isle borough village
  region province capital mountain lake street port bay desert valley canal volcano
  peninsula strait channel forest park planet moon star constellation place airport
  district kingdom nation republic suburb archipelago waterfall glacier gulf estuary
  cathedral castle palace stadium racecourse ground venue square road bridge building
  state's
`);
const ORG_NOUNS = words(`
  club team company band group party organisation organization newspaper airline
  university college firm regiment jeweller store shop label publisher charity magazine brewery bank manufacturer retailer
  supermarket chain network channel broadcaster agency society union league corporation
  orchestra choir
`);
/** Nouns after which/what that say nothing about the answer's type. */
const SKIP = words(`
  is was are were do does did has had have the a an of in on to kind type name sort can
  could would will
`);

const ORG_WORDS =
  /\b(?:fc|afc|f\.c\.|united|rovers|wanderers|athletic|inc|ltd|plc|llc|corp|corporation|company|co\.|party|airlines?|airways|records|society|association|institute|university|college|bank|service|agency|council|commission|league|federation|union|group|brothers|bros|motors|foundation|orchestra|band|army|navy|air force|police|marines?|corps)\b/i;
const PLACE_WORDS =
  /(?:\b(?:river|mount|mt|lake|loch|sea|ocean|bay|gulf|island|islands|isle|cape|strait|channel|valley|desert|forest|falls|peninsula|county|city|street|avenue|square|park|bridge|castle|palace|abbey|cathedral)\b|shire$|\bst\.? \w+'s\b)/i;
const PERSON_WORDS =
  /^(?:sir|dame|lord|lady|king|queen|prince|princess|saint|st\.?|dr\.?|mr\.?|mrs\.?|ms\.?|pope|president|general|captain|admiral)\s+\p{Lu}/iu;

/** The type that the question alone asks for, if it says. */
export function questionCue(question: string): { type?: AnswerType; noun?: string } {
  const q = question.replace(/["“”'‘’]+/g, " ").trim();
  const noun = cueNoun(q);
  const withNoun = noun !== undefined ? { noun } : {};
  if (/\b(?:in\s+)?(?:what|which)\s+year\b|^\W*when\b|\bwhat\s+(?:date|century|decade)\b/i.test(q))
    return { type: "date", ...withNoun };
  if (/\bhow\s+(?:many|much|old|long|far|tall|high|deep)\b/i.test(q))
    return { type: "number", ...withNoun };
  if (noun) {
    if (PERSON_NOUNS.has(noun)) return { type: "person", noun };
    if (PLACE_NOUNS.has(noun)) return { type: "place", noun };
    if (ORG_NOUNS.has(noun)) return { type: "organisation", noun };
  }
  // "Who …?" asks for a person, but "who" in a relative clause ("…, who was described as…")
  // does not: only a question-opening "who"/"whose" (perhaps after a short lead-in such as
  // "In 1971,"), a final clause "…, but who was the other one?" or a final "who?" counts.
  if (
    /^\W*(?:[^,?]{0,40},\s*)?who(?:m|se)?\b/i.test(q) ||
    /\bwho(?:m)?\s*\?\W*$/i.test(q) ||
    /(?:,|\bbut)\s+who\s+(?:was|is|were|did|does)\b[^,]*\?\W*$/i.test(q)
  )
    return { type: "person", ...withNoun };
  if (/^\W*(?:[^,?]{0,40},\s*)?where\b/i.test(q)) return { type: "place", ...withNoun };
  return withNoun;
}

/** Adjectives that stand between which/what and the noun ("which famous British actor"). */
const ADJECTIVES = words(`
  famous british english american french german italian spanish russian us uk other of the
  first last former great popular fictional main only largest biggest smallest longest
  highest oldest youngest current modern ancient traditional classic well-known legendary
  derived female male young long short tall high big small old new mile miles metre metres
  foot feet
`);

/**
 * The noun the question asks for: the first known noun within five words of which/what
 * ("which famous British actor", "which was the first city", "which fashion designer"), else
 * the first common noun ("which Shakespeare play" → "play"), stopping where the noun phrase
 * ends ("what profession requires the artist…" → "profession", not "artist").
 */
function cueNoun(q: string): string | undefined {
  const m = /\b(?:which|what)\s+((?:[\p{L}\d.'-]+\s+){0,4}[\p{L}\d.'-]+)/iu.exec(q);
  if (!m) return undefined;
  let first: string | undefined;
  for (const raw of m[1]!.split(/\s+/)) {
    const w = raw.replace(/[.']+$/, "");
    const lw = w.toLowerCase();
    const n = singular(lw);
    // A capitalised place or organisation word is a name ("which Channel 4 show" asks for no
    // channel); capitalised person words are still people ("which Scotsman", "which King").
    if (PERSON_NOUNS.has(n) || (w === lw && (PLACE_NOUNS.has(n) || ORG_NOUNS.has(n)))) return n;
    const skip = SKIP.has(lw);
    if (first !== undefined && (skip || w === lw)) break;
    if (skip || ADJECTIVES.has(lw) || w !== lw || /^\d/.test(w)) continue;
    first = n;
  }
  return first;
}

/** The type of one answer, without looking at the rest of the dataset (rules 1–3). */
export function answerTypeAlone(question: string, answer: string): TypedAnswer {
  const a = answer.trim().replace(/[.!]+$/, "");
  const cue = questionCue(question);
  const noun = cue.noun !== undefined ? { noun: cue.noun } : {};
  if (DATE_SHAPE.test(a) && (cue.type === undefined || cue.type === "date" || /^\d{4}$/.test(a)))
    return { type: "date", rule: "shape", ...noun };
  if (NUMBER_SHAPE.test(a))
    return { type: cue.type === "date" ? "date" : "number", rule: "shape", ...noun };
  if (cue.type === "date" || cue.type === "number") {
    // "When …" asked but the answer is words ("the Restoration"): not a date after all.
    if (cue.type === "date" && /\bwhen\b/i.test(question) && !/\d/.test(a))
      return { type: "other", rule: "default", ...noun };
    return { type: cue.type, rule: "question", ...noun };
  }
  if (cue.type !== undefined) return { type: cue.type, rule: "question", ...noun };
  if (ORG_WORDS.test(a)) return { type: "organisation", rule: "answer", ...noun };
  if (PLACE_WORDS.test(a)) return { type: "place", rule: "answer", ...noun };
  if (PERSON_WORDS.test(a)) return { type: "person", rule: "answer", ...noun };
  return { type: "other", rule: "default", ...noun };
}

/**
 * Types for every answer of a dataset (rule 4 included): `answers[i]` is the set of
 * normalised correct answers of item i, `values[i]` its main answer.
 */
export function answerTypes(
  items: readonly { question: string; value: string; keys: ReadonlySet<string> }[],
): TypedAnswer[] {
  const alone = items.map((it) => answerTypeAlone(it.question, it.value));
  // Answers whose type a question's noun settled ("which country"): a small gazetteer built
  // from the dataset. A bare "who"/"where" is not enough ("Who judged Aphrodite…? Paris").
  const known = new Map<string, AnswerType>();
  alone.forEach((t, i) => {
    if (t.rule !== "question" || t.noun === undefined) return;
    if (!PERSON_NOUNS.has(t.noun) && !PLACE_NOUNS.has(t.noun) && !ORG_NOUNS.has(t.noun)) return;
    if (t.type !== "person" && t.type !== "place" && t.type !== "organisation") return;
    // Main answers only: alias lists hold disambiguation titles that would spread a type.
    const k = mainKey(items[i]!.value);
    if (!known.has(k)) known.set(k, t.type);
  });
  return alone.map((t, i) => {
    if (t.rule !== "default") return t;
    const type = known.get(mainKey(items[i]!.value));
    return type ? { ...t, type, rule: "dataset" } : t;
  });
}

function mainKey(value: string): string {
  return value
    .toLowerCase()
    .replace(/^(?:the|a|an)\s+/, "")
    .replace(/\s+/g, " ")
    .trim();
}

export function singular(noun: string): string {
  if (/(?:ss|us|is)$/.test(noun)) return noun;
  if (/ies$/.test(noun)) return `${noun.slice(0, -3)}y`;
  if (/(?:ches|shes|xes)$/.test(noun)) return noun.slice(0, -2);
  return noun.replace(/s$/, "");
}

function words(list: string): Set<string> {
  return new Set(list.split(/\s+/).filter((w) => w !== ""));
}
