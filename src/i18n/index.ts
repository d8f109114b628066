/**
 * Language packs: every text candor sends to a model, per language. `pack("de").pressure.simple`
 * and friends are the one place a stage looks a text up; English is today's exact wording.
 */
import { AR } from "./ar.js";
import { DE } from "./de.js";
import { EN } from "./en.js";
import { ES } from "./es.js";
import { FR } from "./fr.js";
import type { LanguageCode, LanguagePack } from "./types.js";
import { ZH } from "./zh.js";

export { LANGUAGES, type LanguageCode, type LanguagePack } from "./types.js";

export const PACKS: Readonly<Record<LanguageCode, LanguagePack>> = {
  en: EN,
  de: DE,
  fr: FR,
  es: ES,
  zh: ZH,
  ar: AR,
};

export function pack(code: LanguageCode): LanguagePack {
  return PACKS[code];
}

/** Writing direction of a language, for `dir` attributes; unknown codes are left to the browser. */
export function languageDir(code: string): "ltr" | "rtl" | "auto" {
  return (PACKS as Record<string, LanguagePack | undefined>)[code]?.dir ?? "auto";
}
