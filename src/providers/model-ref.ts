/**
 * Model references: one string a user can type.
 *   openai:gpt-4o-2024-08-06
 *   openai-compatible:http://127.0.0.1:8000/v1#meta-llama/Llama-3.1-8B-Instruct
 *   anthropic:claude-sonnet-4-5
 *   llama:./models/x.gguf
 *   llama:hf:<user>/<repo>:<file-or-quant>
 */
import { redactModelRef } from "../redact.js";

export type ModelRef =
  | { scheme: "openai"; model: string }
  | { scheme: "openai-compatible"; baseURL: string; model: string }
  | { scheme: "anthropic"; model: string }
  | { scheme: "llama-file"; path: string }
  | { scheme: "llama-hf"; repo: string; file: string };

export const MODEL_REF_EXAMPLES = [
  "openai:gpt-4o-2024-08-06",
  "openai-compatible:http://127.0.0.1:8000/v1#meta-llama/Llama-3.1-8B-Instruct",
  "anthropic:claude-sonnet-4-5",
  "llama:./models/model.gguf",
  "llama:hf:bartowski/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M",
] as const;

export type ParseResult = { ok: true; ref: ModelRef } | { ok: false; reason: string };

/** Parses a model reference; `reason` explains what was expected. */
export function parseModelRef(input: string): ParseResult {
  const s = input.trim();
  const colon = s.indexOf(":");
  const expected = `expected a model reference such as ${MODEL_REF_EXAMPLES[0]}`;
  if (colon <= 0)
    return { ok: false, reason: `${expected}, got ${JSON.stringify(redactModelRef(input))}` };
  const scheme = s.slice(0, colon);
  const rest = s.slice(colon + 1);
  if (rest.length === 0)
    return {
      ok: false,
      reason: `${expected}, got ${JSON.stringify(redactModelRef(input))} (nothing after "${scheme}:")`,
    };
  switch (scheme) {
    case "openai":
      return { ok: true, ref: { scheme: "openai", model: rest } };
    case "anthropic":
      return { ok: true, ref: { scheme: "anthropic", model: rest } };
    case "openai-compatible": {
      const hash = rest.lastIndexOf("#");
      if (hash <= 0 || hash === rest.length - 1) {
        return {
          ok: false,
          reason: `expected openai-compatible:<base URL>#<model>, e.g. ${MODEL_REF_EXAMPLES[1]}, got ${JSON.stringify(redactModelRef(input))}`,
        };
      }
      const baseURL = rest.slice(0, hash);
      if (!/^https?:\/\//.test(baseURL)) {
        return {
          ok: false,
          reason: `expected an http(s) base URL before "#", got ${JSON.stringify(redactModelRef(baseURL))}`,
        };
      }
      return {
        ok: true,
        ref: { scheme: "openai-compatible", baseURL, model: rest.slice(hash + 1) },
      };
    }
    case "llama": {
      if (rest.startsWith("hf:")) {
        const m = /^hf:([^/:\s]+\/[^/:\s]+):(\S+)$/.exec(rest);
        if (!m) {
          return {
            ok: false,
            reason: `expected llama:hf:<user>/<repo>:<file.gguf or quant>, e.g. ${MODEL_REF_EXAMPLES[4]}, got ${JSON.stringify(redactModelRef(input))}`,
          };
        }
        return { ok: true, ref: { scheme: "llama-hf", repo: m[1]!, file: m[2]! } };
      }
      if (!rest.toLowerCase().endsWith(".gguf")) {
        return {
          ok: false,
          reason: `expected a path to a .gguf file after "llama:", got ${JSON.stringify(rest)}`,
        };
      }
      return { ok: true, ref: { scheme: "llama-file", path: rest } };
    }
    default:
      return {
        ok: false,
        reason: `${expected} (schemes: openai, openai-compatible, anthropic, llama), got ${JSON.stringify(redactModelRef(input))}`,
      };
  }
}
