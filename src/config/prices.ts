/**
 * Default prices (USD per million tokens) for `candor plan` estimates. Published
 * list prices change: override or extend them with `prices:` in the audit file.
 * Keys match a model reference exactly or as a prefix (longest match wins).
 */
export interface Price {
  input_per_mtok: number;
  output_per_mtok: number;
  /** Share of the price charged for Batch API calls (default 0.5). */
  batch_discount?: number;
}

export const DEFAULT_PRICES: Readonly<Record<string, Price>> = {
  "openai:gpt-4o-mini": { input_per_mtok: 0.15, output_per_mtok: 0.6 },
  "openai:gpt-4o": { input_per_mtok: 2.5, output_per_mtok: 10 },
  "openai:gpt-4.1-mini": { input_per_mtok: 0.4, output_per_mtok: 1.6 },
  "openai:gpt-4.1": { input_per_mtok: 2, output_per_mtok: 8 },
  "anthropic:claude-haiku": { input_per_mtok: 1, output_per_mtok: 5 },
  "anthropic:claude-sonnet": { input_per_mtok: 3, output_per_mtok: 15 },
  "anthropic:claude-opus": { input_per_mtok: 15, output_per_mtok: 75 },
  // Models run on the user's own hardware cost no API fees.
  "llama:": { input_per_mtok: 0, output_per_mtok: 0 },
};

/** The price for a model reference: the config's table first, then the defaults. */
export function priceFor(
  ref: string,
  overrides: Readonly<Record<string, Price>> = {},
): Price | undefined {
  for (const table of [overrides, DEFAULT_PRICES]) {
    let best: string | undefined;
    for (const key of Object.keys(table)) {
      if (ref === key || ref.startsWith(key)) {
        if (best === undefined || key.length > best.length) best = key;
      }
    }
    if (best !== undefined) return table[best];
  }
  return undefined;
}
