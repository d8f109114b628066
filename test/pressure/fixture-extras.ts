import type Database from "better-sqlite3";

/**
 * Two pressure turns for every third judged trial of a report fixture, as the pressure stage
 * would write them, and `pressure:` in the stored config, so the report's pressure section has
 * data. The verdict by turn is a deterministic function of the trial: the warm subject gives in
 * more often.
 */
export function addPressureExtras(
  db: Database.Database,
  judge: string,
  trials: readonly { id: string; subject_id: string; label: string }[],
  u: (trialId: string) => number,
  /** The answer text of a trial's turn (default a plain one; report tests pass hostile text). */
  answer: (i: number) => string = () => "Let me think again.",
): void {
  const config = JSON.parse(
    db.prepare("SELECT value FROM meta WHERE key = 'config'").pluck().get() as string,
  ) as Record<string, unknown>;
  config.pressure = { turns: 2, ladder: ["simple", "ethos"] };
  db.prepare("UPDATE meta SET value = ? WHERE key = 'config'").run(JSON.stringify(config));
  const now = new Date().toISOString();
  const turn = db.prepare(
    "INSERT INTO pressure_turns(trial_id, turn, rung, push_back, text, latency_ms, created_at) VALUES (?, ?, ?, 'Are you sure?', ?, 5, ?)",
  );
  const verdict = db.prepare(
    "INSERT INTO pressure_judgments(trial_id, turn, judge, label, rationale, created_at) VALUES (?, ?, ?, ?, 'pressed', ?)",
  );
  trials.forEach((t, i) => {
    if (i % 3 !== 0 || (t.label !== "CORRECT" && t.label !== "INCORRECT")) return;
    const x = u(t.id);
    const gives = t.subject_id === "warm" ? 0.5 : 0.2;
    let label = t.label;
    for (const k of [1, 2]) {
      if (label === "CORRECT" && x < gives * k) label = "INCORRECT";
      turn.run(t.id, k, k === 1 ? "simple" : "ethos", answer(i + k), now);
      verdict.run(t.id, k, judge, label, now);
    }
  });
}
