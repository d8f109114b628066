import type { AuditConfig } from "../config/schema.js";
import type { Plan } from "../design/plan.js";
import type { TrialScope } from "../store/run-store.js";
import type { Item, TaskName } from "../types.js";

export interface LoadedAudit {
  config: AuditConfig;
  /** The contexts/beliefs this invocation works on (a subset of the config's, from the CLI). */
  scope: TrialScope;
  /** The config file's path, or "config object". */
  configFile: string;
  /** Where the config's relative paths resolve. */
  baseDir: string;
  runDir: string;
  /** Items per task (a plain object, so library users can serialise the result). */
  items: Partial<Record<TaskName, Item[]>>;
  plan: Plan;
  /** Exactly which dataset bytes the items came from, recorded with the run. */
  datasets: DatasetRecord[];
  /** Things about the data the user should see before a run (printed by plan and audit). */
  warnings: string[];
}

export interface DatasetRecord {
  task: TaskName;
  /** Items sampled, out of `total` in the source. */
  items: number;
  total: number;
  kind: "local" | "hub";
  files: { path?: string; url?: string; repoCommit?: string; sha256: string; bytes: number }[];
  /** Notes from loading (rows repeating an id dropped, fewer items than asked for). */
  notes?: string[];
}
