/**
 * The OpenAI batch file format (also what `vllm run-batch` reads and writes): one
 * `{custom_id, method, url, body}` line per request, one `{custom_id, response: {status_code,
 * body}, error}` line per result.
 */
import { z } from "zod";
import { isRetryableStatus } from "../providers/call-errors.js";
import { responseFormat } from "../providers/openai.js";
import type { GenerateRequest, GenerateResult } from "../providers/types.js";
import type { BatchOutcome } from "./backend.js";

export const CHAT_URL = "/v1/chat/completions";

/** The chat body the live OpenAI provider sends, for a batch line. */
export function chatBody(
  model: string,
  req: Pick<GenerateRequest, "messages" | "params" | "outputSchema">,
  maxCompletionTokens: boolean,
): Record<string, unknown> {
  const { params } = req;
  const body: Record<string, unknown> = { model, messages: req.messages };
  if (params.temperature !== undefined) body.temperature = params.temperature;
  if (params.topP !== undefined) body.top_p = params.topP;
  if (params.seed !== undefined) body.seed = params.seed;
  if (params.maxTokens !== undefined) {
    body[maxCompletionTokens ? "max_completion_tokens" : "max_tokens"] = params.maxTokens;
  }
  if (req.outputSchema) body.response_format = responseFormat(req.outputSchema);
  return body;
}

export function requestLine(customId: string, body: Record<string, unknown>): string {
  return JSON.stringify({ custom_id: customId, method: "POST", url: CHAT_URL, body });
}

const chatCompletionSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        finish_reason: z.string().nullish(),
        message: z.object({ content: z.string().nullish(), refusal: z.string().nullish() }),
      }),
    )
    .min(1),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).nullish(),
});

export const resultLineSchema = z.object({
  custom_id: z.string().min(1),
  response: z.object({ status_code: z.number().int(), body: z.unknown() }).nullish(),
  error: z.object({ code: z.string().nullish(), message: z.string().nullish() }).nullish(),
});

/** OpenAI writes `{error: {message}}`; vLLM's run-batch writes `{object: "error", message}`. */
function errorText(body: unknown): string | undefined {
  const openai = z.object({ error: z.object({ message: z.string() }) }).safeParse(body);
  if (openai.success) return openai.data.error.message;
  const vllm = z.object({ message: z.string() }).safeParse(body);
  return vllm.success ? vllm.data.message : undefined;
}

/** One result line → an outcome; `where` names the file and line for a malformed one. */
export function parseResultLine(text: string, where: string): BatchOutcome {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${where}: expected a JSON object per line, got ${text.slice(0, 80)}`);
  }
  const line = resultLineSchema.safeParse(json);
  if (!line.success) {
    throw new Error(
      `${where}: expected {custom_id, response: {status_code, body}, error}: ${line.error.issues[0]?.path.join(".")} ${line.error.issues[0]?.message}`,
    );
  }
  const { custom_id: customId, response, error } = line.data;
  if (response && response.status_code === 200) {
    const body = chatCompletionSchema.safeParse(response.body);
    if (!body.success) {
      return { customId, ok: false, message: `${where}: not a chat completion`, retryable: true };
    }
    const choice = body.data.choices[0]!;
    const refused = !choice.message.content && !!choice.message.refusal;
    const result: GenerateResult = {
      text: refused ? (choice.message.refusal ?? "") : (choice.message.content ?? ""),
      ...(refused
        ? { finishReason: "refusal" }
        : choice.finish_reason
          ? { finishReason: choice.finish_reason }
          : {}),
      ...(body.data.usage && {
        promptTokens: body.data.usage.prompt_tokens,
        completionTokens: body.data.usage.completion_tokens,
      }),
      ...(body.data.model && { servedModel: body.data.model }),
    };
    return { customId, ok: true, result };
  }
  const status = response?.status_code;
  const message =
    errorText(response?.body) ?? error?.message ?? `HTTP ${status ?? "?"} without a message`;
  return {
    customId,
    ok: false,
    message: `${status !== undefined ? `HTTP ${status}: ` : ""}${message}`,
    retryable: status === undefined || isRetryableStatus(status),
  };
}
