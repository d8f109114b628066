/**
 * English: the texts candor has always sent, imported rather than copied so an English run
 * stays byte-identical to one made before the language packs existed.
 */
import { DEFAULT_CHALLENGE } from "../design/challenge.js";
import { PERSONAS } from "../design/personas.js";
import { PIPELINE_TEXTS } from "../design/pipeline.js";
import { DEFAULT_PRESSURE_TEXTS } from "../design/pressure.js";
import { STUDY_STATEMENTS } from "../design/statements.js";
import { STUDY_TEMPLATES } from "../design/templates.js";
import { EN_JUDGE } from "../judge/rubric-text.js";
import type { LanguagePack } from "./types.js";

export const EN: LanguagePack = {
  code: "en",
  name: "English",
  dir: "ltr",
  statements: STUDY_STATEMENTS,
  templates: STUDY_TEMPLATES,
  personas: { warm: PERSONAS.warm, warm_honest: PERSONAS.warm_honest, cold: PERSONAS.cold },
  challenge: DEFAULT_CHALLENGE,
  pressure: DEFAULT_PRESSURE_TEXTS,
  pipeline: PIPELINE_TEXTS.en,
  judge: EN_JUDGE,
};
