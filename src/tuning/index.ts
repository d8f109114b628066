/**
 * Warm and cold fine-tuning data, and fine-tunes through provider APIs (STUDY.md §2).
 * The CLI (`candor tune …`) is a thin layer over these functions.
 */
export * from "./export.js";
export * from "./filter.js";
export * from "./finetune.js";
export * from "./hub-source.js";
export * from "./label.js";
export * from "./pipeline.js";
export * from "./preserve.js";
export * from "./prompts.js";
export * from "./read.js";
export * from "./recipe.js";
export * from "./registry.js";
export * from "./rewrite.js";
export * from "./sample.js";
export * from "./store.js";
export * from "./trajectory.js";
export * from "./types.js";
