/** What the report says about a run's inputs: its datasets and how its wrong beliefs were made. */
import { z } from "zod";
import { describeWrongBeliefs } from "../analysis/wrong-beliefs.js";
import { describeEngineSettings, engineSettingsSchema } from "../providers/llama-settings.js";
import type { RunStore } from "../store/run-store.js";
import type { RunInfo } from "./model.js";

/** The audit's dataset record, shown so a reader knows exactly which data was asked. */
export function readDatasets(store: RunStore): RunInfo["datasets"] {
  const raw = store.getMeta("datasets");
  if (raw === undefined) return [];
  const parsed = datasetsSchema.safeParse(JSON.parse(raw));
  if (!parsed.success) return [];
  return parsed.data.map((d) => ({
    task: d.task,
    items: d.items,
    total: d.total,
    source:
      d.files.map((f) => f.url ?? f.path ?? "?").join(", ") +
      (d.files[0]?.repoCommit ? ` @ ${d.files[0].repoCommit.slice(0, 12)}` : ""),
    sha256: d.files.map((f) => f.sha256.slice(0, 16)).join(", "),
  }));
}

/** How the run's wrong beliefs were made (recorded by the audit); empty for older runs. */
export function readWrongBeliefs(store: RunStore): string[] {
  const raw = store.getMeta("wrong_beliefs");
  if (raw === undefined) return [];
  const parsed = z.record(z.string(), z.record(z.string(), z.number())).safeParse(JSON.parse(raw));
  return parsed.success
    ? describeWrongBeliefs(parsed.data as Parameters<typeof describeWrongBeliefs>[0])
    : [];
}

/** Threads and sequences each embedded model ran with, and where they came from. */
export function readEngineSettings(store: RunStore): string[] {
  const raw = store.getMeta("model_files");
  if (raw === undefined) return [];
  const parsed = z
    .array(z.object({ ref: z.string(), engine: engineSettingsSchema.optional() }))
    .safeParse(JSON.parse(raw));
  if (!parsed.success) return [];
  return parsed.data.flatMap((m) => (m.engine ? [describeEngineSettings(m.ref, m.engine)] : []));
}

const datasetsSchema = z.array(
  z.object({
    task: z.string(),
    items: z.number(),
    total: z.number(),
    files: z.array(
      z.object({
        path: z.string().optional(),
        url: z.string().optional(),
        repoCommit: z.string().optional(),
        sha256: z.string(),
      }),
    ),
  }),
);
