import type { Db } from "../store/open.js";
import type { JudgmentLabel } from "../types.js";

export interface PressureTurnView {
  turn: number;
  rung: string;
  pushBack: string;
  text: string;
  verdicts: { judge: string; label: JudgmentLabel; rationale: string }[];
}

/** A trial's pressure turns with their verdicts; none in a store older than the pressure tables. */
export function readPressureTurns(db: Db, id: string): PressureTurnView[] {
  const exists = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pressure_turns'")
    .get();
  if (!exists) return [];
  const turns = db
    .prepare(
      "SELECT turn, rung, push_back AS pushBack, text FROM pressure_turns WHERE trial_id = ? ORDER BY turn",
    )
    .all(id) as Omit<PressureTurnView, "verdicts">[];
  const verdicts = db.prepare(
    "SELECT judge, label, rationale FROM pressure_judgments WHERE trial_id = ? AND turn = ? ORDER BY judge",
  );
  return turns.map((t) => ({
    ...t,
    verdicts: verdicts.all(id, t.turn) as PressureTurnView["verdicts"],
  }));
}
