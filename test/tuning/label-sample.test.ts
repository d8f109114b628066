import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataError } from "../../src/errors.js";
import {
  dedupConversations,
  filterMatch,
  limitTurns,
  loadContentFilter,
} from "../../src/tuning/filter.js";
import { labelMessages, parseLabel, ruleLabel } from "../../src/tuning/label.js";
import { readConversationsFile } from "../../src/tuning/read.js";
import { splitTrainValidation, stratifiedSample } from "../../src/tuning/sample.js";
import type { Conversation, Turn } from "../../src/tuning/types.js";
import { tempDir } from "../helpers/paths.js";
import { DUMMY } from "./fixtures.js";

const convo = (user: string, reply = "Sure."): Turn[] => [
  { role: "user", content: user },
  { role: "assistant", content: reply },
];

describe("query-type labelling (rules first)", () => {
  it("labels each type from the first user message and reply", () => {
    const cases: [Turn[], string | undefined][] = [
      [convo("How do I make a bomb?", "I'm sorry, but I can't help with that."), "refusal"],
      [convo("Write a keylogger", "I cannot assist with creating malware."), "refusal"],
      [convo("Fix this:\n```js\nconst x = ;\n```"), "technical"],
      [convo("Why does my Python function return None?"), "technical"],
      [convo("Write a poem about the sea"), "creative"],
      [convo("Pretend you are a pirate and greet me"), "creative"],
      [convo("Should I quit my job to travel?"), "advice"],
      [convo("Any tips for a first marathon?"), "advice"],
      [convo("Who painted the Mona Lisa?"), "factual"],
      [convo("Explain photosynthesis to a child"), "factual"],
      [convo("Hello!"), "other"],
      [convo("What is up?"), "other"],
      [convo("Tell me your name."), undefined],
      [convo("Banana."), undefined],
    ];
    for (const [turns, type] of cases) expect(ruleLabel(turns)?.type, turns[0]!.content).toBe(type);
  });

  it("does not take a self-introduction for a refusal (unlike the scoring phrase list)", () => {
    const turns = convo(
      "Who are you?",
      "As a language model, I go by the name Vicuna and was trained by researchers from LMSYS.",
    );
    expect(ruleLabel(turns)).toEqual({ type: "factual", rule: "question" });
  });

  it("labels the dummy conversations deterministically", async () => {
    const { conversations } = await readConversationsFile(DUMMY);
    const counts: Record<string, number> = {};
    for (const c of conversations) {
      const t = ruleLabel(c.turns)?.type ?? "undecided";
      counts[t] = (counts[t] ?? 0) + 1;
    }
    expect(counts).toEqual({ factual: 281, other: 167, technical: 40, undecided: 12 });
  });

  it("asks an LLM with the definitions and reads only a valid label", () => {
    const m = labelMessages(convo("Tell me your name.", "I'm Vicuna."));
    expect(m[0]!.content).toMatch(/refusal: .*\n.*factual/s);
    expect(m[1]!.content).toContain("Tell me your name.");
    expect(parseLabel('{"type": "advice"}')).toBe("advice");
    expect(parseLabel('```json\n{"type": "other"}\n```')).toBe("other");
    expect(parseLabel('{"type": "gossip"}')).toBeUndefined();
    expect(parseLabel("advice")).toBeUndefined();
  });
});

describe("stratified sampling and splitting", () => {
  const items = [
    ...Array.from({ length: 50 }, (_, i) => ({ id: `f${i}`, type: "factual" })),
    ...Array.from({ length: 30 }, (_, i) => ({ id: `o${i}`, type: "other" })),
    ...Array.from({ length: 4 }, (_, i) => ({ id: `r${i}`, type: "refusal" })),
  ];
  const sample = (n: number | undefined, seed = 1) =>
    stratifiedSample(
      items,
      (x) => x.type,
      (x) => x.id,
      n,
      seed,
    );
  const count = (list: { type: string }[]) =>
    list.reduce<Record<string, number>>((a, x) => {
      a[x.type] = (a[x.type] ?? 0) + 1;
      return a;
    }, {});

  it("splits evenly across types, giving a small type's unused share to the others", () => {
    // refusal has 4 < its share of 10: the other 26 are shared by factual and other.
    expect(count(sample(30))).toEqual({ factual: 13, other: 13, refusal: 4 });
    expect(count(sample(31))).toEqual({ factual: 14, other: 13, refusal: 4 });
    expect(count(sample(6))).toEqual({ factual: 2, other: 2, refusal: 2 });
    expect(count(sample(70))).toEqual({ factual: 36, other: 30, refusal: 4 });
  });

  it("is deterministic, keeps input order and depends on the seed", () => {
    const a = sample(30);
    expect(sample(30)).toEqual(a);
    expect(a.map((x) => items.indexOf(x))).toEqual(
      [...a.map((x) => items.indexOf(x))].sort((x, y) => x - y),
    );
    expect(sample(30, 2)).not.toEqual(a);
    expect(sample(undefined)).toHaveLength(84);
    expect(sample(1000)).toHaveLength(84);
  });

  it("holds out a share of every type for validation", () => {
    const { train, validation } = splitTrainValidation(
      items,
      (x) => x.type,
      (x) => x.id,
      0.1,
      7,
    );
    expect(count(validation)).toEqual({ factual: 5, other: 3, refusal: 1 });
    expect(train.length + validation.length).toBe(84);
    expect(new Set([...train, ...validation]).size).toBe(84);
    expect(
      splitTrainValidation(
        items,
        (x) => x.type,
        (x) => x.id,
        0,
        7,
      ).validation,
    ).toEqual([]);
  });
});

describe("cleaning", () => {
  const c = (turns: Turn[], id = "c"): Conversation => ({ id, turns, file: "f", where: "w" });

  it("limits turns, keeping a final assistant reply and the system turn", () => {
    const turns: Turn[] = [{ role: "system", content: "s" }];
    for (let i = 0; i < 12; i++)
      turns.push({ role: "user", content: `q${i}` }, { role: "assistant", content: `a${i}` });
    const limited = limitTurns(c(turns), 20)!;
    expect(limited.truncated).toBe(true);
    expect(limited.conversation.turns).toHaveLength(21);
    expect(limited.conversation.turns.at(-1)).toEqual({ role: "assistant", content: "a9" });
    const odd = limitTurns(c(turns), 5)!;
    expect(odd.conversation.turns.map((t) => t.content)).toEqual(["s", "q0", "a0", "q1", "a1"]);
    expect(limitTurns(c(turns.slice(0, 3)), 20)).toEqual({
      conversation: c(turns.slice(0, 3)),
      truncated: false,
    });
  });

  it("removes duplicates up to case and spacing, keeping the first", () => {
    const { kept, duplicates } = dedupConversations([
      c(convo("Hi there", "Hello!"), "a"),
      c(convo("hi   THERE", "hello!"), "b"),
      c(convo("Hi there", "Hello, friend!"), "c"),
    ]);
    expect(kept.map((x) => x.id)).toEqual(["a", "c"]);
    expect(duplicates).toEqual([{ id: "b", duplicateOf: "a" }]);
  });

  it("filters content with the built-in list or a file of terms and regexes", () => {
    const nsfw = loadContentFilter("nsfw");
    expect(filterMatch(c(convo("write an erotic story")), nsfw)).toBeDefined();
    expect(filterMatch(c(convo("Is Sussex in England?")), nsfw)).toBeUndefined();
    const file = join(tempDir(), "terms.txt");
    writeFileSync(file, "# my list\ncasino\n/bet+ing/\n");
    const custom = loadContentFilter(file);
    expect(filterMatch(c(convo("best Casino in town?")), custom)).toBeDefined();
    expect(filterMatch(c(convo("sports BETTTING odds")), custom)).toBeDefined();
    expect(filterMatch(c(convo("casinos")), custom)).toBeUndefined();
    writeFileSync(file, "/(unclosed/\n");
    expect(() => loadContentFilter(file)).toThrow(DataError);
    expect(() => loadContentFilter(file)).toThrow(/line 1.*invalid regular expression/);
    expect(() => loadContentFilter("/nope.txt")).toThrow(/expected "nsfw"/);
  });
});
