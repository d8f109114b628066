import type { Item, TaskName } from "../../types.js";
import type { ReadTableOptions, Table } from "../table.js";

export interface AdapterContext {
  /** Seed for every seeded choice (distractors, relations, wrong options). */
  seed: number;
  /** Notes about the data the user should see (duplicates dropped, …). */
  warn?: (message: string) => void;
}

/** Turns the rows of one dataset (one or more files) into Items. */
export interface TaskAdapter {
  readonly task: TaskName;
  /** What a file for this task must look like; used in error messages. */
  readonly expected: string;
  /** Extra options for reading a local file of this task (e.g. MMLU's header-less CSV). */
  readonly readOptions?: (file: string) => ReadTableOptions;
  toItems(tables: readonly Table[], ctx: AdapterContext): Item[];
}
