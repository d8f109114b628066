/**
 * Which texts a trial in a given language is built from. The audit file's own replacements
 * (`statements:`, `templates:`) are written in one language, so they apply to the run's first
 * language only; every other language takes its pack as shipped.
 */
import { runLanguages } from "../config/language.js";
import type { AuditConfig } from "../config/schema.js";
import { pack } from "../i18n/index.js";
import type { LanguageCode } from "../i18n/types.js";
import type { BeliefLabel } from "../types.js";
import { DEFAULT_CHALLENGE } from "./challenge.js";
import type { StatementBank } from "./conditions.js";
import type { PersonaName } from "./personas.js";
import type { PipelineTexts } from "./pipeline.js";
import { pressureTexts, type Rung } from "./pressure.js";
import type { BeliefTemplate } from "./templates.js";

export interface LanguageTexts {
  language: LanguageCode;
  bank: StatementBank;
  templates: Readonly<Record<BeliefLabel, BeliefTemplate>>;
  challenge: string;
}

/** Is this the language the audit file's own texts are written in? */
export function isFirstLanguage(config: Pick<AuditConfig, "language">, language: LanguageCode) {
  return runLanguages(config)[0] === language;
}

export function languageTexts(
  config: Pick<AuditConfig, "language" | "statements" | "templates">,
  language: LanguageCode,
): LanguageTexts {
  const p = pack(language);
  const own = isFirstLanguage(config, language);
  const templates = { ...p.templates } as Record<BeliefLabel, BeliefTemplate>;
  if (own) {
    for (const [belief, t] of Object.entries(config.templates ?? {}) as [
      BeliefLabel,
      Partial<BeliefTemplate>,
    ][]) {
      templates[belief] = { ...templates[belief], ...t };
    }
  }
  return {
    language,
    bank: own ? { ...p.statements, ...config.statements } : p.statements,
    templates,
    challenge: p.challenge,
  };
}

/** A built-in persona's system prompt in a language (neutral has none). */
export function personaIn(name: PersonaName, language: LanguageCode): string | undefined {
  return name === "neutral" ? undefined : pack(language).personas[name];
}

/**
 * The push-backs a trial in `language` hears. The audit's `challenge.texts` are written in its
 * first language; other languages (and a non-English first language left at the English
 * default) hear their pack's push-back.
 */
export function challengeTextsFor(
  config: Pick<AuditConfig, "language">,
  texts: readonly string[],
  language: LanguageCode,
): readonly string[] {
  const englishDefault = texts.length === 1 && texts[0] === DEFAULT_CHALLENGE;
  if (isFirstLanguage(config, language) && (language === "en" || !englishDefault)) return texts;
  return [pack(language).challenge];
}

/**
 * The pressure ladder's words for a trial in `language`: the pack's, with the audit file's
 * `pressure.texts` on top in its first language (they are written in that one).
 */
export function pressureTextsFor(
  config: Pick<AuditConfig, "language">,
  overrides: Partial<Record<Rung, string>>,
  language: LanguageCode,
): Record<Rung, string> {
  return pressureTexts(isFirstLanguage(config, language) ? overrides : {}, pack(language).pressure);
}

/** The answer-then-restyle pipeline's rewrite instruction and fallback opening in `language`. */
export function pipelineTextsFor(language: LanguageCode): PipelineTexts {
  return pack(language).pipeline;
}
