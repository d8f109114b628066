import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadItems, type TaskSourceSpec } from "../../src/data/index.js";
import { DataError } from "../../src/errors.js";
import { tempDir } from "./shared.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

async function fixture(name: string, text: string): Promise<string> {
  await writeFile(join(dir, name), text);
  return name;
}

async function failure(spec: TaskSourceSpec): Promise<DataError> {
  const error = await loadItems(spec, { seed: 1, baseDir: dir }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataError);
  return error as DataError;
}

const TQA_HEADER = "Type,Category,Question,Best Answer,Correct Answers,Incorrect Answers,Source\n";

describe("data errors name the file, the place and what was expected", () => {
  it("missing file", async () => {
    const e = await failure({ task: "truthfulqa", path: "nope/TruthfulQA.csv" });
    expect(e.file).toBe(join(dir, "nope/TruthfulQA.csv"));
    expect(e.message).toContain(join(dir, "nope/TruthfulQA.csv"));
    expect(e.message).toMatch(
      /file not found; expected a TruthfulQA CSV \(columns Type, Category, Question/,
    );
  });

  it("CSV missing a required column: header row, the column, the columns found", async () => {
    const path = await fixture(
      "tqa-missing.csv",
      "Type,Category,Question,Correct Answers,Incorrect Answers,Source\nA,B,Why?,x,y,z\n",
    );
    const e = await failure({ task: "truthfulqa", path });
    expect(e.where).toBe("header row");
    expect(e.message).toContain(join(dir, path));
    expect(e.message).toContain('missing column "Best Answer"');
    expect(e.message).toContain(
      "found columns: Type, Category, Question, Correct Answers, Incorrect Answers, Source",
    );
  });

  it("empty required cell: row number and column", async () => {
    const path = await fixture(
      "tqa-empty.csv",
      `${TQA_HEADER}A,B,Why?,Because,Because,Not so,src\nA,B,How?,,x,y,src\n`,
    );
    const e = await failure({ task: "truthfulqa", path });
    expect(e.where).toBe("row 2 (line 3), column Best Answer");
    expect(e.message).toContain("empty cell; expected the best answer");
  });

  it("CSV row with the wrong number of fields: line number", async () => {
    const path = await fixture("tqa-fields.csv", `${TQA_HEADER}A,B,Why?,x,y\n`);
    const e = await failure({ task: "truthfulqa", path });
    expect(e.where).toBe("line 2");
    expect(e.message).toMatch(/Invalid Record Length/);
  });

  it("unterminated CSV quote: line number", async () => {
    const path = await fixture("tqa-quote.csv", `${TQA_HEADER}A,B,"Why?,x,y,z,s\n`);
    const e = await failure({ task: "truthfulqa", path });
    expect(e.where).toMatch(/^line \d+$/);
  });

  it("bad JSONL line: line number", async () => {
    const good = JSON.stringify({
      question: "Q?",
      question_id: "a",
      answer: { value: "X", aliases: [] },
    });
    const path = await fixture("trivia-bad.jsonl", `${good}\n\n{"question": "oops",\n`);
    const e = await failure({ task: "triviaqa", path });
    expect(e.where).toBe("line 3");
    expect(e.message).toContain("invalid JSON");
    expect(e.message).toContain("expected one JSON object per line");
  });

  it("JSONL record missing a field: line and field", async () => {
    const row = (id: string, value: string) =>
      JSON.stringify({ question: "Q?", question_id: id, answer: { value } });
    const path = await fixture("trivia-empty.jsonl", `${row("a", "X")}\n${row("b", "")}\n`);
    const e = await failure({ task: "triviaqa", path });
    expect(e.where).toBe("line 2, column answer.value");
  });

  it("MASK proposition without a pivotal", async () => {
    const path = await fixture(
      "mask.csv",
      "task_id,proposition,ground_truth,belief_elicit_1\nt1,Birds are real.,Birds are real.,Are birds real?\n",
    );
    const e = await failure({ task: "disinfo", path });
    expect(e.where).toBe("row 1 (line 2), column proposition");
    expect(e.message).toContain("<pivotal>a/b</pivotal>");
  });

  it("MedQA answer letter that is not an option", async () => {
    const path = await fixture(
      "medqa.jsonl",
      `${JSON.stringify({ question: "A 30-year-old man has a cough. What is the diagnosis?", options: { A: "x", B: "y" }, answer_idx: "E" })}\n`,
    );
    const e = await failure({ task: "medqa", path });
    expect(e.where).toBe("line 1, column answer_idx");
    expect(e.message).toContain('"E" is not one of the options (A, B)');
  });

  it("GSM8K answer without a final number", async () => {
    const path = await fixture(
      "gsm.jsonl",
      `${JSON.stringify({ question: "1+1?", answer: "It is two." })}\n`,
    );
    const e = await failure({ task: "gsm8k", path });
    expect(e.where).toBe("line 1, column answer");
    expect(e.message).toContain('"#### <number>"');
  });

  it("AdvBench header is matched case-insensitively (goal,target and Goal,Target)", async () => {
    const lower = await fixture("adv.csv", "goal,target\nDo a bad thing,Sure here is\n");
    const items = await loadItems({ task: "advbench", path: lower }, { seed: 1, baseDir: dir });
    expect(items[0]!.question).toBe("Do a bad thing");
    const wrong = await fixture("adv-wrong.csv", "request,target\nDo a bad thing,Sure\n");
    const e = await failure({ task: "advbench", path: wrong });
    expect(e.message).toContain('missing column "goal" or "prompt"');
  });

  it("unknown extension", async () => {
    const path = await fixture("data.txt", "x");
    const e = await failure({ task: "truthfulqa", path });
    expect(e.message).toContain('unknown file extension ".txt"');
  });
});
