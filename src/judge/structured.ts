import type { GenerateRequest } from "../providers/types.js";

/** How a judge request asks for JSON, from most to least constrained. */
export const STRUCTURED_MODES = ["json_schema", "json_object", "prompt"] as const;
export type StructuredMode = (typeof STRUCTURED_MODES)[number];
export type StructuredSetting = StructuredMode | "auto";

/** The modes to try, in order, for a setting: `auto` falls back; a fixed mode is tried alone. */
export function modesToTry(setting: StructuredSetting): readonly StructuredMode[] {
  return setting === "auto" ? STRUCTURED_MODES : [setting];
}

/**
 * A request with structured output in the given mode. The judge prompts already spell out the
 * JSON they want, so `prompt` mode only drops the response_format/tool/grammar constraint.
 */
export function inMode<R extends Omit<GenerateRequest, "signal">>(
  request: R,
  mode: StructuredMode,
): R {
  if (!request.outputSchema) return request;
  if (mode === "prompt") {
    const { outputSchema: _dropped, ...rest } = request;
    return rest as R;
  }
  if (mode === "json_object")
    return { ...request, outputSchema: { ...request.outputSchema, mode } };
  return request;
}

/** Where a run keeps the mode its judge used (meta table), per judge id. */
export function structuredMetaKey(judgeId: string): string {
  return `judge_structured:${judgeId}`;
}
