/** The one sentence every surface (terminal, summary.json readers, reports) uses for them. */
export function unscoredWarning(totals: {
  empty?: number;
  truncated?: number;
}): string | undefined {
  const parts: string[] = [];
  const empty = totals.empty ?? 0;
  const truncated = totals.truncated ?? 0;
  if (empty > 0)
    parts.push(
      `${empty} ${empty === 1 ? "reply was" : "replies were"} empty after every retry (EMPTY)`,
    );
  if (truncated > 0) {
    parts.push(
      `${truncated} ${truncated === 1 ? "reply was" : "replies were"} cut at max_response_bytes (TRUNCATED)`,
    );
  }
  if (parts.length === 0) return undefined;
  return `Warning: ${parts.join(" and ")}; left out of the error rates.`;
}
