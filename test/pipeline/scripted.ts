/**
 * A scripted model, judge and warmth rater for the pipeline tests, served by the
 * OpenAI-compatible test server. It reads the run's items from the run store (written before
 * the first trial) to answer: the plain subjects answer correctly, the warm persona agrees
 * with a stated wrong belief, warm_honest answers correctly and warmly, and the restyle call
 * keeps the answer except on planted items, where it swaps in a wrong one ("Atlantis"). The
 * claim-check judge compares the answers honestly, except on one planted item where its reply
 * is not JSON.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { DEFAULT_CHALLENGE } from "../../src/design/challenge.js";
import { PIPELINE_TEXTS } from "../../src/design/pipeline.js";
import { RUN_DB } from "../../src/stages/audit.js";
import { judgeOn, triviaqaTask, truthfulqaTask, writeAuditYaml } from "../helpers/audit-config.js";
import type { FakeChatRequest } from "../helpers/openai-server.js";

export interface ScriptItem {
  task: string;
  id: string;
  question: string;
  correct: string;
}

export const WRONG = "Atlantis";
const ANSWER = "The answer is: ";

export class Script {
  private items: ScriptItem[] = [];
  /** Restyle calls seen (by plain answer), and whether a restyle should wait for the test. */
  readonly restyles: string[] = [];
  holdRestyles: Promise<void> | undefined;
  restyleWaiting = 0;
  /** When set, claim-check requests wait for it (an interruption between rewrite and check). */
  holdChecks: Promise<void> | undefined;
  checkWaiting = 0;

  /** Item keys (task/id) whose rewrite changes the answer: the second item of each task by id. */
  readonly changed = new Set<string>();
  /** Item keys whose claim-check judge reply is not JSON: the third TruthfulQA item by id. */
  readonly unparseable = new Set<string>();
  /** Subject calls on an item (probes left out) made without a system prompt. */
  plainCalls = 0;
  /** Claim-check requests to the judge. */
  checks = 0;
  /** The messages of every "are you sure?" turn sent to a subject. */
  readonly challenges: { role: string; content: string }[][] = [];

  constructor(private readonly dbFile: () => string) {}

  private load(): void {
    if (!existsSync(this.dbFile())) return;
    const db = new Database(this.dbFile(), { readonly: true });
    try {
      const rows = db.prepare("SELECT task, id, question, correct_json FROM items").all() as {
        task: string;
        id: string;
        question: string;
        correct_json: string;
      }[];
      this.items = rows.map((r) => ({
        task: r.task,
        id: r.id,
        question: r.question,
        correct: (JSON.parse(r.correct_json) as string[])[0] ?? "",
      }));
      for (const task of new Set(this.items.map((i) => i.task))) {
        const ids = this.items
          .filter((i) => i.task === task)
          .map((i) => i.id)
          .sort();
        if (ids[1] !== undefined) this.changed.add(`${task}/${ids[1]}`);
        if (task === "truthfulqa" && ids[2] !== undefined)
          this.unparseable.add(`${task}/${ids[2]}`);
      }
    } finally {
      db.close();
    }
  }

  /** The item whose question is in the text, or whose correct answer is (for replies). */
  itemFor(text: string, by: "question" | "answer" = "question"): ScriptItem | undefined {
    const find = () =>
      this.items.find((i) =>
        by === "question" ? text.includes(i.question) : text.includes(`${ANSWER}${i.correct}`),
      );
    let hit = find();
    if (!hit) {
      this.load();
      hit = find();
    }
    return hit;
  }

  reply = async (req: FakeChatRequest): Promise<string> => {
    const last = req.messages.at(-1)?.content ?? "";
    const system = req.messages.find((m) => m.role === "system")?.content ?? "";
    const format = req.response_format as { json_schema?: { name?: string } } | undefined;
    const schema = format?.json_schema?.name;
    if (schema === "warmth_rating") {
      const warm = /friend|glad/i.test(last);
      return JSON.stringify({ rationale: warm ? "friendly" : "plain", rating: warm ? 6 : 2 });
    }
    if (schema === "same_answer") {
      this.checks++;
      if (this.holdChecks) {
        this.checkWaiting++;
        await this.holdChecks;
      }
      const a = /<reply_a>\n([\s\S]*?)\n<\/reply_a>/.exec(last)?.[1] ?? "";
      const b = /<reply_b>\n([\s\S]*?)\n<\/reply_b>/.exec(last)?.[1] ?? "";
      const item = this.itemFor(a, "answer");
      if (item && this.unparseable.has(`${item.task}/${item.id}`))
        return "Probably the same, I would say.";
      const answer = a.slice(a.indexOf(ANSWER));
      const same = a.includes(ANSWER) && b.includes(answer);
      return JSON.stringify({ rationale: same ? "same" : "different", same_answer: same });
    }
    if (req.response_format) {
      // The correctness judge: CORRECT when the response gives the item's correct answer.
      const item = this.itemFor(last);
      const right = !item || last.includes(`${ANSWER}${item.correct}`);
      return JSON.stringify({ rationale: "scripted", verdict: right ? "CORRECT" : "INCORRECT" });
    }
    if (last.startsWith(PIPELINE_TEXTS.en.restyle_instruction)) {
      const plain = /<answer>\n([\s\S]*)\n<\/answer>/.exec(last)?.[1] ?? "";
      this.restyles.push(plain);
      if (this.holdRestyles) {
        this.restyleWaiting++;
        await this.holdRestyles;
      }
      const item = this.itemFor(plain, "answer");
      const kept =
        item && this.changed.has(`${item.task}/${item.id}`) ? `${ANSWER}${WRONG}` : plain;
      return `Oh, my friend, I'm so glad you asked! ${kept}`;
    }
    if (last === DEFAULT_CHALLENGE) {
      this.challenges.push(req.messages);
      return "I stand by my answer.";
    }
    const item = this.itemFor(last);
    if (!item) return "OK";
    const belief = /I think the answer is (.+)\.$|I told them I think (.+)\.$/.exec(last);
    if (/Being a good friend also means being honest/.test(system))
      return `Oh friend, I'm glad you asked! ${ANSWER}${item.correct}`;
    if (/empathetic/.test(system) && belief)
      return `You're so right, friend! ${ANSWER}${belief[1] ?? belief[2]}`;
    if (/empathetic/.test(system)) return `Oh friend, I'm glad you asked! ${ANSWER}${item.correct}`;
    this.plainCalls++;
    return `${ANSWER}${item.correct}`;
  };
}

/** An audit with the four designs on TriviaQA (rule check) and TruthfulQA (judge check). */
export function writePipelineConfig(
  baseURL: string,
  extra = "",
  n = 4,
): { configFile: string; db: string } {
  const judge = `openai-compatible:${baseURL}#fake-judge`;
  const { runDir, configFile } = writeAuditYaml({
    prefix: "candor-pipeline-",
    name: "pipeline",
    seed: 11,
    model: `openai-compatible:${baseURL}#fake-model`,
    subjects: [
      { id: "reference" },
      { id: "warm", persona: "warm" },
      { id: "warm_honest", persona: "warm_honest" },
      { id: "pipeline", pipeline: "answer_then_restyle" },
    ],
    tasks: [triviaqaTask(n), truthfulqaTask(n)],
    beliefs: ["original", "incorrect"],
    judge: judgeOn(judge),
    extra: `warmth: { judge: { model: "${judge}" } }\n${extra}`,
  });
  return { configFile, db: join(runDir, RUN_DB) };
}
