/**
 * Automatic content-preservation checks of a rewrite against its original: code blocks,
 * inline code, equations, URLs and numbers must come through unchanged. A rewrite changes
 * tone; anything these checks catch changed substance. Pure functions.
 */

/** Bump when the checks change: results from different versions are different checkers. */
export const RULE_CHECK_VERSION = "v1";
export const RULE_CHECKER = `rules-${RULE_CHECK_VERSION}`;

export type IssueKind = "code-block" | "inline-code" | "equation" | "url" | "number";

export interface PreservationIssue {
  kind: IssueKind;
  /** "missing" = in the original, not in the rewrite; "added" = the other way round. */
  change: "missing" | "added";
  value: string;
}

export interface PreservationResult {
  ok: boolean;
  issues: PreservationIssue[];
}

const FENCE = /^[ \t]*(`{3,}|~{3,})[^\n]*\n([\s\S]*?)(?:\n[ \t]*\1[ \t]*(?=\n|$)|$(?![\s\S]))/gm;
const INLINE_CODE = /(`+)([^`\n]+?)\1(?!`)/g;
const DISPLAY_MATH = /\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\]/g;
const INLINE_MATH = /\\\(([\s\S]+?)\\\)|(?<![\\$\w])\$(?![\s$])([^$\n]+?)(?<![\s\\])\$(?![\w$])/g;
const URL = /\bhttps?:\/\/[^\s<>"'`\][(){}]+/gi;
const LIST_MARKER = /^[ \t]*\d+[.)][ \t]+/gm;
const NUMBER = /(?<![\p{L}\p{N}_.])\d+(?:,\d{3})*(?:\.\d+)?(?![\p{N}])/gu;

/** Code-block bodies, trailing spaces trimmed per line (the fence's language tag may change). */
export function codeBlocks(text: string): string[] {
  return [...text.matchAll(FENCE)].map((m) => normaliseCode(m[2] ?? ""));
}

function normaliseCode(code: string): string {
  return code
    .split("\n")
    .map((l) => l.replace(/[ \t]+$/, ""))
    .join("\n")
    .replace(/\n+$/, "");
}

function withoutCodeBlocks(text: string): string {
  return text.replace(FENCE, "\n");
}

export function inlineCode(text: string): string[] {
  return [...withoutCodeBlocks(text).matchAll(INLINE_CODE)].map((m) => m[2]!.trim());
}

/** Prose: the text with code (blocks and inline) removed. */
function prose(text: string): string {
  return withoutCodeBlocks(text).replace(INLINE_CODE, " ");
}

export function equations(text: string): string[] {
  const p = prose(text);
  const display = [...p.matchAll(DISPLAY_MATH)].map((m) => (m[1] ?? m[2]!).trim());
  const inline = [...p.replace(DISPLAY_MATH, " ").matchAll(INLINE_MATH)].map((m) =>
    (m[1] ?? m[2]!).trim(),
  );
  return [...display, ...inline];
}

function withoutMath(text: string): string {
  return text.replace(DISPLAY_MATH, " ").replace(INLINE_MATH, " ");
}

export function urls(text: string): string[] {
  return [...prose(text).matchAll(URL)].map((m) => m[0].replace(/[.,;:!?'"]+$/, ""));
}

/**
 * Numbers in the prose (outside code, equations and URLs; list markers ignored), with
 * thousands separators removed: "1,000" and "1000" are the same number.
 */
export function numbers(text: string): string[] {
  const p = withoutMath(prose(text)).replace(URL, " ").replace(LIST_MARKER, "");
  return [...p.matchAll(NUMBER)].map((m) => m[0].replace(/,/g, ""));
}

function setDiff(kind: IssueKind, original: string[], rewrite: string[], addedToo: boolean) {
  const issues: PreservationIssue[] = [];
  const inRewrite = new Set(rewrite);
  const inOriginal = new Set(original);
  for (const v of new Set(original))
    if (!inRewrite.has(v)) issues.push({ kind, change: "missing", value: v });
  if (addedToo) {
    for (const v of new Set(rewrite))
      if (!inOriginal.has(v)) issues.push({ kind, change: "added", value: v });
  }
  return issues;
}

/**
 * Compares a rewrite with its original. Code blocks, equations, URLs and numbers must match
 * as sets in both directions (a changed value shows as one missing and one added); inline
 * code must not go missing (a rewrite may add backticks around a name).
 */
export function checkPreservation(original: string, rewrite: string): PreservationResult {
  const issues = [
    ...setDiff("code-block", codeBlocks(original), codeBlocks(rewrite), true),
    ...setDiff("inline-code", inlineCode(original), inlineCode(rewrite), false),
    ...setDiff("equation", equations(original), equations(rewrite), true),
    ...setDiff("url", urls(original), urls(rewrite), true),
    ...setDiff("number", numbers(original), numbers(rewrite), true),
  ];
  return { ok: issues.length === 0, issues };
}

/** One line per issue, for the review file and messages. */
export function describeIssue(issue: PreservationIssue): string {
  const value = issue.value.length > 80 ? `${issue.value.slice(0, 77)}…` : issue.value;
  return `${issue.kind} ${issue.change}: ${JSON.stringify(value)}`;
}
