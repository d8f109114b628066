/**
 * Plays `vllm run-batch -i <in> -o <out> --model <name>`: reads OpenAI batch request lines,
 * answers each chat request, and writes vLLM's output lines
 * `{id, custom_id, response: {status_code, request_id, body}, error}` — in reverse order, so the
 * importer must match by custom_id. `--fail-every K` answers every K-th request with an error;
 * `--limit N` stops after N results (a partial file); `--truncate` leaves a half-written last line.
 *
 *   node --import tsx test/helpers/fake-vllm-run-batch.ts -i in.jsonl -o out.jsonl --model m
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { scriptedReply } from "./audit-fixtures.js";

const { values } = parseArgs({
  options: {
    i: { type: "string", short: "i" },
    o: { type: "string", short: "o" },
    model: { type: "string" },
    "fail-every": { type: "string" },
    limit: { type: "string" },
    truncate: { type: "boolean" },
  },
});
const failEvery = values["fail-every"] ? Number(values["fail-every"]) : 0;
const limit = values.limit ? Number(values.limit) : Number.POSITIVE_INFINITY;
const out: string[] = [];
const lines = readFileSync(values.i!, "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "");
lines.forEach((text, k) => {
  const line = JSON.parse(text) as {
    custom_id: string;
    method: string;
    url: string;
    body: {
      model: string;
      messages: { role: string; content: string }[];
      response_format?: unknown;
    };
  };
  if (line.method !== "POST" || line.url !== "/v1/chat/completions") {
    throw new Error(`line ${k + 1}: vllm run-batch serves POST /v1/chat/completions only`);
  }
  if (line.body.model !== values.model) {
    throw new Error(`line ${k + 1}: model ${line.body.model} is not the served ${values.model}`);
  }
  if (out.length >= limit) return;
  const failed = failEvery > 0 && (k + 1) % failEvery === 0;
  out.push(
    JSON.stringify(
      failed
        ? {
            id: `vllm-${k}`,
            custom_id: line.custom_id,
            response: {
              status_code: 400,
              request_id: `r${k}`,
              body: {
                object: "error",
                message: "prompt too long",
                type: "BadRequestError",
                code: 400,
              },
            },
            error: null,
          }
        : {
            id: `vllm-${k}`,
            custom_id: line.custom_id,
            response: {
              status_code: 200,
              request_id: `r${k}`,
              body: {
                id: `cmpl-${k}`,
                object: "chat.completion",
                created: 0,
                model: values.model,
                choices: [
                  {
                    index: 0,
                    message: {
                      role: "assistant",
                      // Guided decoding: a response_format (judge verdicts) is honoured.
                      content: scriptedReply({
                        model: values.model!,
                        messages: line.body.messages,
                        ...(line.body.response_format !== undefined && {
                          response_format: line.body.response_format,
                        }),
                        raw: line.body,
                      }),
                    },
                    finish_reason: "stop",
                  },
                ],
                usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 },
              },
            },
            error: null,
          },
    ),
  );
});
out.reverse();
let text = `${out.join("\n")}\n`;
if (values.truncate) text += '{"id": "vllm-cut", "custom_id": "';
writeFileSync(values.o!, text);
