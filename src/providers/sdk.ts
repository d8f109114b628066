/**
 * The provider SDKs load on first use. Every CLI process imports the provider modules (the
 * command tree reaches them), but most runs talk to one provider and many commands (summary,
 * report, view, plan) to none: loading `@anthropic-ai/sdk` costs ~0.35 s of CPU and `openai`
 * ~0.15 s per process, which every `candor` start and every test that spawns it paid.
 */
export type OpenAISdk = typeof import("openai");
export type AnthropicSdk = typeof import("@anthropic-ai/sdk");

let openai: Promise<OpenAISdk> | undefined;
let anthropic: Promise<AnthropicSdk> | undefined;

export function loadOpenAISdk(): Promise<OpenAISdk> {
  openai ??= import("openai");
  return openai;
}

export function loadAnthropicSdk(): Promise<AnthropicSdk> {
  anthropic ??= import("@anthropic-ai/sdk");
  return anthropic;
}
