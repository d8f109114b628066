/** Search text: what a person types, made into a safe FTS5 query over responses. */

/** Tokens as FTS5's unicode61 tokenizer (remove_diacritics 2) makes them. */
export function tokenize(text: string): string[] {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0);
}

/** Turns what a person types into an FTS5 query that cannot be a syntax error. */
export function ftsQuery(input: string): string | null {
  const terms: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  // FTS5 reads a NUL as the end of the query; no control character belongs in a search.
  for (const m of input.replace(/\p{Cc}/gu, " ").matchAll(re)) {
    const phrase = m[1] ?? m[2] ?? "";
    const prefix = m[2] !== undefined && phrase.endsWith("*") && phrase.length > 1;
    const text = (prefix ? phrase.slice(0, -1) : phrase).trim();
    // Punctuation-only terms have no token to match; leaving them in would match nothing.
    if (tokenize(text).length === 0) continue;
    terms.push(`"${text.replace(/"/g, '""')}"${prefix ? "*" : ""}`);
  }
  return terms.length > 0 ? terms.join(" ") : null;
}
