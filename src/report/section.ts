/** A report section: its data, or why the run cannot show it. */
export type Section<T> =
  | { readonly available: true; readonly data: T; readonly notes?: readonly string[] }
  | { readonly available: false; readonly reason: string };

export function unavailable(reason: string): { available: false; reason: string } {
  return { available: false, reason };
}
