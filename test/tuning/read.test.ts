import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError } from "../../src/errors.js";
import { readHubConversations } from "../../src/tuning/hub-source.js";
import { readConversationsFile } from "../../src/tuning/read.js";
import { type HubServer, startHubServer } from "../helpers/hub-server.js";
import { tempDir } from "../helpers/paths.js";
import { DUMMY, writeTechnicalConversations } from "./fixtures.js";

async function expectDataError(p: Promise<unknown>, where: string | undefined, expected: RegExp) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DataError);
  const d = err as DataError;
  expect(d.where).toBe(where);
  expect(d.expected).toMatch(expected);
  return d;
}

function writeJson(value: unknown, name = "bad.json"): string {
  const file = join(tempDir("candor-tune-read-"), name);
  writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
  return file;
}

describe("reading conversations", () => {
  it("reads the ShareGPT dummy file", async () => {
    const r = await readConversationsFile(DUMMY);
    expect(r.records).toBe(500);
    expect(r.conversations).toHaveLength(500);
    expect(r.skipped).toEqual([]);
    const turns = r.conversations.flatMap((c) => c.turns);
    expect(turns.filter((t) => t.role === "assistant")).toHaveLength(1000);
    expect(r.conversations[0]).toMatchObject({
      id: "identity_0",
      where: "element [0]",
      turns: [
        { role: "user", content: "Who are you?" },
        { role: "assistant", content: expect.stringContaining("Vicuna") },
        { role: "user", content: "Have a nice day!" },
        { role: "assistant", content: "You too!" },
      ],
    });
    expect(r.file.sha256).toBe(createHash("sha256").update(readFileSync(DUMMY)).digest("hex"));
  });

  it("reads OpenAI chat JSONL: system turns, content parts; drops a trailing user turn", async () => {
    const r = await readConversationsFile(writeTechnicalConversations());
    expect(r.conversations).toHaveLength(6);
    expect(r.conversations[1]!.turns[0]).toEqual({ role: "system", content: "You are helpful." });
    expect(r.conversations[2]!.turns[1]!.content).toBe("Leaves drift down,\nred and brown.");
    expect(r.conversations[5]!.turns.map((t) => t.role)).toEqual(["user", "assistant"]);
    // No ids in the file: content-hash ids, stable across reads.
    expect(r.conversations[0]!.id).toMatch(/^conv-[0-9a-f]{12}$/);
    const again = await readConversationsFile(writeTechnicalConversations());
    expect(again.conversations.map((c) => c.id)).toEqual(r.conversations.map((c) => c.id));
  });

  it("makes duplicate ids unique and skips conversations without a reply", async () => {
    const file = writeJson([
      {
        id: "a",
        conversations: [
          { from: "human", value: "hi" },
          { from: "gpt", value: "hello" },
        ],
      },
      {
        id: "a",
        conversations: [
          { from: "human", value: "yo" },
          { from: "gpt", value: "hey" },
        ],
      },
      { id: "b", conversations: [{ from: "human", value: "only a question" }] },
      { id: "c", conversations: [] },
      {
        id: "d",
        conversations: [
          { from: "human", value: "q" },
          { from: "gpt", value: "  " },
        ],
      },
    ]);
    const r = await readConversationsFile(file);
    expect(r.conversations.map((c) => c.id)).toEqual(["a", "a-2"]);
    expect(r.skipped.map((s) => [s.where, s.reason])).toEqual([
      ["element [2]", "no assistant reply"],
      ["element [3]", "no turns"],
      ["element [4]", "empty assistant turn (conversations[1])"],
    ]);
  });

  it("names the file, record, turn and what was expected for malformed conversations", async () => {
    const ok = { from: "human", value: "q" };
    const e = await expectDataError(
      readConversationsFile(writeJson([{ id: "x", text: "hello" }])),
      "element [0]",
      /no "conversations" or "messages" field \(keys: id, text\); expected a conversation record/,
    );
    expect(e.file).toMatch(/bad\.json$/);
    expect(e.message).toMatch(/bad\.json \(element \[0\]\): no "conversations"/);
    await expectDataError(
      readConversationsFile(writeJson([{ conversations: "hi" }])),
      "element [0], conversations",
      /found "hi"; expected a list of turns/,
    );
    await expectDataError(
      readConversationsFile(writeJson([{ conversations: [ok, { from: "robot", value: "x" }] }])),
      "element [0], conversations[1].from",
      /found "robot"; expected one of human, user/,
    );
    await expectDataError(
      readConversationsFile(writeJson([{ conversations: [ok, { from: "gpt", value: 42 }] }])),
      "element [0], conversations[1].value",
      /found a number; expected the turn's text/,
    );
    await expectDataError(
      readConversationsFile(writeJson([{ conversations: [ok, "gpt: hi"] }])),
      "element [0], conversations[1]",
      /expected a turn object/,
    );
    await expectDataError(
      readConversationsFile(
        writeJson([
          { conversations: [ok, { from: "gpt", value: "a" }] },
          { conversations: [ok, { from: "gpt", value: "a" }, { from: "gpt", value: "b" }] },
        ]),
      ),
      "element [1], conversations[2]",
      /found an assistant turn after an assistant turn; expected user and assistant turns to alternate/,
    );
    await expectDataError(
      readConversationsFile(
        writeJson([{ conversations: [ok, { from: "system", value: "late" }] }]),
      ),
      "element [0], conversations[1]",
      /system turn after the conversation started/,
    );
    await expectDataError(
      readConversationsFile(
        writeJson(
          '{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"image_url"}]}]}\n',
          "chat.jsonl",
        ),
      ),
      "line 1, messages[1].content[0]",
      /expected text/,
    );
    await expectDataError(
      readConversationsFile(writeJson('[{"id": 1,', "trunc.json")),
      undefined,
      /invalid JSON/,
    );
    await expectDataError(
      readConversationsFile("/nonexistent/file.json"),
      undefined,
      /file not found/,
    );
  });

  it("--skip-invalid collects malformed records instead of stopping", async () => {
    const file = writeJson([
      {
        conversations: [
          { from: "human", value: "q" },
          { from: "robot", value: "x" },
        ],
      },
      {
        conversations: [
          { from: "human", value: "q" },
          { from: "gpt", value: "fine" },
        ],
      },
    ]);
    const r = await readConversationsFile(file, { skipInvalid: true });
    expect(r.conversations).toHaveLength(1);
    expect(r.skipped).toEqual([
      {
        file,
        where: "element [0], conversations[1].from",
        reason: expect.stringMatching(/found "robot"/),
      },
    ]);
  });
});

describe("Hugging Face chat datasets", () => {
  let hub: HubServer;
  beforeAll(async () => {
    hub = await startHubServer();
  });
  afterAll(async () => {
    await hub.close();
  });

  it("downloads a pinned JSONL file into the cache and maps its messages column", async () => {
    const body = [
      {
        messages: [
          { role: "user", content: "What is 2+2?" },
          { role: "assistant", content: "4" },
        ],
      },
      {
        conversations: [
          { from: "human", value: "hi" },
          { from: "gpt", value: "hello" },
        ],
      },
    ]
      .map((r) => JSON.stringify(r))
      .join("\n");
    const path = "/datasets/org/chats/resolve/abc123/data/train.jsonl";
    hub.route(path, { body, headers: { "x-repo-commit": "abc123" } });
    const cacheDir = tempDir("candor-tune-cache-");
    const sha256 = createHash("sha256").update(body).digest("hex");
    const source = { id: "org/chats", revision: "abc123", file: "data/train.jsonl", sha256 };
    const r = await readHubConversations(source, { cacheDir, endpoint: hub.url, env: {} });
    expect(r.conversations.map((c) => c.turns.length)).toEqual([2, 2]);
    expect(r.files[0]).toMatchObject({ sha256, url: `${hub.url}${path}` });
    expect(r.conversations[0]!.file).toBe(`${hub.url}${path}`);
    // Second read: from the cache.
    await readHubConversations(source, { cacheDir, endpoint: hub.url, env: {} });
    expect(hub.count(path)).toBe(1);
  });

  it("reads the hub's converted Parquet (list of {role, content} structs) from its listing", async () => {
    const rows = [
      [
        { role: "user", content: "Name a prime" },
        { role: "assistant", content: "7" },
      ],
      [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hi" },
        { role: "assistant", content: "hello" },
      ],
    ];
    const schema = [
      { name: "root", num_children: 1 },
      { name: "messages", repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
      { name: "list", repetition_type: "REPEATED", num_children: 1 },
      { name: "element", repetition_type: "OPTIONAL", num_children: 2 },
      { name: "role", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
      { name: "content", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
    ];
    const shard = new Uint8Array(
      parquetWriteBuffer({ columnData: [{ name: "messages", data: rows }], schema } as never),
    );
    const listing = "/api/datasets/org/parq/parquet/default/train";
    hub.route(listing, { body: JSON.stringify([`${hub.url}/shards/0.parquet`]) });
    hub.route("/shards/0.parquet", { body: shard });
    const r = await readHubConversations(
      { id: "org/parq" },
      { cacheDir: tempDir(), endpoint: hub.url, env: {} },
    );
    expect(r.records).toBe(2);
    expect(r.conversations.map((c) => c.turns.map((t) => t.role))).toEqual([
      ["user", "assistant"],
      ["system", "user", "assistant"],
    ]);
    expect(r.conversations[0]!.where).toBe("row 1");
  });

  it("rejects a bad dataset id and names malformed rows by their hub URL", async () => {
    await expect(readHubConversations({ id: "not a dataset" }, { env: {} })).rejects.toThrow(
      /expected "owner\/name"/,
    );
    const path = "/datasets/org/bad/resolve/main/train.jsonl";
    hub.route(path, { body: '{"messages": [{"role": "wizard", "content": "x"}]}\n' });
    const err = await readHubConversations(
      { id: "org/bad", file: "train.jsonl" },
      { cacheDir: tempDir(), endpoint: hub.url, env: {} },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).file).toBe(`${hub.url}${path}`);
    expect((err as DataError).where).toBe("line 1, messages[0].role");
  });
});
