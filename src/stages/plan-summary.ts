import type { LoadedAudit } from "./audit.js";

export interface PlanCounts {
  runDir: string;
  trials: number;
  judgeCalls: number;
  bySubjectTask: { subject: string; task: string; items: number; trials: number }[];
  skipped: number;
}

/** Trial counts per subject and task. Judge calls: at most one per trial (refusals need none). */
export function planCounts(loaded: LoadedAudit): PlanCounts {
  const counts = new Map<
    string,
    { subject: string; task: string; items: Set<string>; trials: number }
  >();
  for (const t of loaded.plan.trials) {
    const key = `${t.subjectId}\u0000${t.task}`;
    let c = counts.get(key);
    if (!c) {
      c = { subject: t.subjectId, task: t.task, items: new Set(), trials: 0 };
      counts.set(key, c);
    }
    c.items.add(t.itemId);
    c.trials++;
  }
  return {
    runDir: loaded.runDir,
    trials: loaded.plan.trials.length,
    judgeCalls: loaded.plan.trials.length,
    bySubjectTask: [...counts.values()].map((c) => ({
      subject: c.subject,
      task: c.task,
      items: c.items.size,
      trials: c.trials,
    })),
    skipped: loaded.plan.skipped.length,
  };
}

export function formatPlan(loaded: LoadedAudit, json: boolean): string {
  const counts = planCounts(loaded);
  if (json) return JSON.stringify(counts, null, 2);
  const lines = [`Plan for ${loaded.config.name} → ${counts.runDir}`];
  for (const r of counts.bySubjectTask) {
    lines.push(
      `  ${r.subject.padEnd(16)} ${r.task.padEnd(12)} ${String(r.items).padStart(6)} items ${String(r.trials).padStart(8)} trials`,
    );
  }
  lines.push(`  total: ${counts.trials} trials, up to ${counts.judgeCalls} judge calls`);
  if (counts.skipped > 0)
    lines.push(`  skipped ${counts.skipped} item×belief combinations lacking the answer they need`);
  return lines.join("\n");
}
