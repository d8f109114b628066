import type { StructuredMode } from "../judge/structured.js";
import type { RunStore } from "../store/run-store.js";
import type { GenerationParams } from "../types.js";

/**
 * What a rating round (warmth/rating-round.ts) is built from. It lives here, below both, because
 * stages/ runs the round for `candor batch export/import` without importing warmth/.
 */
export interface RatingRoundOptions {
  store: RunStore;
  /** The rating judge's model reference (its ratings' scorer id). */
  model: string;
  params?: GenerationParams;
  structured?: StructuredMode;
  /** Rate only the responses of this many sampled cells (warmth.cells), with this seed. */
  cells?: number;
  seed?: number;
}
