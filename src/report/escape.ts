/**
 * Escaping for untrusted text (model responses, judge rationales, dataset
 * questions) in the HTML report, the viewer and the Markdown summary.
 *
 * HTML: every interpolation in the `html` tagged template is escaped unless it
 * is already `SafeHtml` (built by `html` itself, or `trustedHtml` for markup
 * candor generated, such as figure SVG). So forgetting to escape is not
 * possible by construction: the only way to emit raw markup is to call
 * `trustedHtml` explicitly.
 *
 * Markdown: inline text is backslash-escaped (CommonMark allows escaping any
 * ASCII punctuation, and an escaped character is always literal), with line
 * breaks folded, so no emphasis, link, image, autolink, raw HTML, entity,
 * table pipe or math delimiter survives. Long text goes into a fenced code
 * block whose fence is longer than any backtick run in the text, so the text
 * cannot close it; nothing inside a code block is interpreted.
 */

/** Control characters (Unicode Cc) other than tab, line feed and carriage return. */
const CONTROLS = /[^\P{Cc}\t\n\r]/gu;

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

/** Escapes text for an HTML text node or a double- or single-quoted attribute value. */
export function escapeHtml(text: string): string {
  // NUL and other C0 controls except tab/newline/CR are dropped: browsers turn
  // NUL into U+FFFD anyway, and some tools mis-handle the others.
  return text.replace(CONTROLS, "").replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]!);
}

export type HtmlValue =
  | SafeHtml
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false || value === true) return "";
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  if (typeof value === "number") return escapeHtml(Number.isFinite(value) ? String(value) : "—");
  return escapeHtml(String(value));
}

/** Tagged template: literal parts are markup, every interpolated value is escaped. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Markup produced by candor itself (never pass model, judge or dataset text here). */
export function trustedHtml(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** Joins fragments (each escaped unless already SafeHtml). */
export function joinHtml(parts: readonly HtmlValue[], separator = ""): SafeHtml {
  return new SafeHtml(parts.map(render).join(separator));
}

// ---------- Markdown ----------

/**
 * ASCII punctuation that can start or end Markdown/GFM syntax: emphasis, code,
 * links and images, autolinks (`:` of a scheme, `.` of `www.`, `@` of e-mail),
 * raw HTML, entities, headings, lists, quotes, tables, strikethrough, math,
 * footnotes and attribute braces. `,;?'"/%=` start nothing and stay readable.
 */
const MD_SPECIAL = /[\\`*_{}[\]()<>#+\-.!|~&:@$^]/g;

/** One line of untrusted text for a Markdown paragraph or table cell. */
export function mdText(text: string, maxChars?: number): string {
  let s = text.replace(CONTROLS, "");
  s = s.replace(/\s+/g, " ").trim();
  if (maxChars !== undefined && [...s].length > maxChars)
    s = `${[...s].slice(0, maxChars).join("")}…`;
  return s.replace(MD_SPECIAL, (c) => `\\${c}`);
}

/** Untrusted multi-line text as a fenced code block that the text cannot break out of. */
export function mdCodeBlock(text: string): string {
  const body = text.replace(/\r\n?/g, "\n").replace(CONTROLS, "");
  let longest = 0;
  for (const run of body.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}text\n${body}${body.endsWith("\n") ? "" : "\n"}${fence}`;
}
