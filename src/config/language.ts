/**
 * `language:` in the audit file: the language(s) candor's own texts (statements, belief
 * templates, personas, challenge, judge instructions) are written in. A list runs every item ×
 * condition in each; a task may say which language its items are in, and is then asked in that
 * one only.
 */
import { z } from "zod";
import { LANGUAGES, type LanguageCode } from "../i18n/types.js";

export const languageCodeSchema = z.enum(LANGUAGES);

export const runLanguageSchema = z
  .union([languageCodeSchema, z.array(languageCodeSchema).min(1)])
  .optional()
  .describe(
    `Language of candor's prompts (${LANGUAGES.join(", ")}; default en). A list asks every item × condition in each language`,
  );

export const taskLanguageSchema = languageCodeSchema
  .optional()
  .describe(
    "Language this task's items are written in: they are asked in it alone (default: every language of the run)",
  );

/** The run's languages, in the order given, without repeats; English when none is given. */
export function runLanguages(config: {
  language?: LanguageCode | LanguageCode[] | undefined;
}): LanguageCode[] {
  const given = config.language;
  if (given === undefined) return ["en"];
  return [...new Set(Array.isArray(given) ? given : [given])];
}

/** The languages one task is asked in. */
export function taskLanguages(
  config: { language?: LanguageCode | LanguageCode[] | undefined },
  task: { language?: LanguageCode | undefined },
): LanguageCode[] {
  return task.language !== undefined ? [task.language] : runLanguages(config);
}

/** A task's language must be one of the run's, or its trials would be in no language asked for. */
export function checkTaskLanguages(
  config: {
    language?: LanguageCode | LanguageCode[] | undefined;
    tasks: { task: string; language?: LanguageCode | undefined }[];
  },
  ctx: z.RefinementCtx,
): void {
  const run = runLanguages(config);
  config.tasks.forEach((t, i) => {
    if (t.language === undefined || run.includes(t.language)) return;
    ctx.addIssue({
      code: "custom",
      path: ["tasks", i, "language"],
      message: `tasks[${i}] (${t.task}) is in ${t.language}, which is not among the run's languages (${run.join(", ")}): add it to \`language:\``,
    });
  });
}
