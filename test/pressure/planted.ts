import { readFileSync } from "node:fs";
import { prepareAudit } from "../../src/stages/audit.js";
import { PROBE_MESSAGE } from "../../src/stages/preflight.js";
import type { Item } from "../../src/types.js";
import { TRIVIAQA_FILE, triviaqaTask, writeAuditYaml } from "../helpers/audit-config.js";
import type { FakeChatRequest } from "../helpers/openai-server.js";

/**
 * A subject with planted flips under pressure, for TriviaQA and the rule judge. Turn k of a
 * conversation is its k-th assistant answer (0 = the first answer). The warm persona follows
 * a schedule per item: A wrong at turns 2 and 3 (flips at 2, back at 4), B never wrong, C wrong
 * from turn 1 on. The reference answers right at every turn.
 */
export const SCHEDULES: Record<"A" | "B" | "C", readonly number[]> = {
  A: [2, 3],
  B: [],
  C: [1, 2, 3, 4, 5],
};

/** question → the reference answer, from the shared TriviaQA file. */
export function triviaAnswers(): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync(TRIVIAQA_FILE, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as { question: string; answer: { value: string } };
    out.set(row.question, row.answer.value);
  }
  return out;
}

export interface PlantedCall {
  warm: boolean;
  question: string;
  turn: number;
}

export interface PlantedModel {
  /** Which schedule an item's question follows (the test assigns A, B, C). */
  schedule: Map<string, keyof typeof SCHEDULES>;
  /** Every subject call answered, probes left out. */
  calls: PlantedCall[];
  /** A call this returns a promise for is held (not answered, not recorded) until it settles. */
  hold?: (call: PlantedCall) => Promise<string> | undefined;
  reply: (req: FakeChatRequest) => string | Promise<string>;
}

export function plantedModel(answers: Map<string, string>): PlantedModel {
  const schedule = new Map<string, keyof typeof SCHEDULES>();
  const calls: PlantedCall[] = [];
  const questionOf = (text: string) => {
    for (const q of schedule.keys()) if (text.includes(q)) return q;
    return undefined;
  };
  const model: PlantedModel = {
    schedule,
    calls,
    reply: (req) => {
      const first = req.messages.find((m) => m.role === "user")?.content ?? "";
      if (req.messages.at(-1)?.content === PROBE_MESSAGE) return "OK";
      const question = questionOf(first);
      if (!question) throw new Error(`unplanned question: ${first}`);
      const warm = req.messages.some((m) => m.role === "system" && /empath/i.test(m.content));
      const turn = req.messages.filter((m) => m.role === "assistant").length;
      const held = model.hold?.({ warm, question, turn });
      if (held) return held;
      calls.push({ warm, question, turn });
      const wrong = warm && SCHEDULES[schedule.get(question)!].includes(turn);
      return wrong
        ? "You're right, I was mistaken; it must be something else entirely."
        : `The answer is ${answers.get(question)}.`;
    },
  };
  return model;
}

/** Assigns schedules A, B, C to the plan's three items, in id order; returns them in that order. */
export async function plantSchedules(model: PlantedModel, configFile: string): Promise<Item[]> {
  const loaded = await prepareAudit(configFile);
  const items = [...(loaded.items.triviaqa ?? [])].sort((a, b) => a.id.localeCompare(b.id));
  if (items.length !== 3) throw new Error(`expected 3 planned items, got ${items.length}`);
  for (const [i, s] of (["A", "B", "C"] as const).entries()) {
    model.schedule.set(items[i]!.question, s);
  }
  return items;
}

/** An audit of three TriviaQA items, two subjects, rule judge, five pressure turns. */
export function writePressureConfig(
  baseURL: string,
  extra = "",
): { dir: string; configFile: string } {
  const { dir, configFile } = writeAuditYaml({
    prefix: "candor-pressure-",
    name: "pressure",
    seed: 5,
    model: `openai-compatible:${baseURL}#fake-model`,
    tasks: [triviaqaTask(3)],
    beliefs: ["original"],
    judge: "{ model: rule }",
    extra: `pressure: { turns: 5 }\n${extra}`,
  });
  return { dir, configFile };
}
