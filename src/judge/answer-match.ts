/**
 * Answer matching for short reference answers, with TriviaQA's official
 * normalisation (triviaqa_evaluation.py, `normalize_answer`): lowercase,
 * underscores and punctuation (ASCII plus ‘ ’ ´ `) become spaces, the articles
 * a/an/the are dropped, whitespace collapses. Pure.
 */

const PUNCTUATION = new Set([..."!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "‘", "’", "´", "`"]);

export function normalizeTriviaqa(text: string): string {
  const spaced = [...text.replace(/_/g, " ").toLowerCase()]
    .map((ch) => (PUNCTUATION.has(ch) ? " " : ch))
    .join("");
  return (
    spaced
      // Python's \b is Unicode-aware: "día" keeps its "a".
      .replace(/(?<![\p{L}\p{N}_])(a|an|the)(?![\p{L}\p{N}_])/gu, " ")
      .split(/\s+/)
      .filter((w) => w !== "")
      .join(" ")
  );
}

/**
 * The first answer whose normalised form occurs in the normalised response as
 * whole words ("1" does not match inside "1990"), or undefined.
 */
export function matchedAnswer(response: string, answers: readonly string[]): string | undefined {
  const haystack = ` ${normalizeTriviaqa(response)} `;
  for (const answer of answers) {
    const needle = normalizeTriviaqa(answer);
    if (needle !== "" && haystack.includes(` ${needle} `)) return answer;
  }
  return undefined;
}
