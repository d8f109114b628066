import { redactRef } from "../providers/credentials.js";
import { parseModelRef } from "../providers/model-ref.js";

export interface SelfGrading {
  /** "judge" or "warmth judge". */
  role: string;
  model: string;
  /** Subjects whose answers this model grades although it wrote them. */
  subjects: string[];
  message: string;
}

/** A model's identity, ignoring credentials in URLs and a trailing slash. */
function identity(ref: string): string {
  const parsed = parseModelRef(ref);
  if (!parsed.ok) return ref;
  const r = parsed.ref;
  switch (r.scheme) {
    case "openai-compatible": {
      let base = r.baseURL;
      try {
        const u = new URL(r.baseURL);
        u.username = "";
        u.password = "";
        base = u.toString();
      } catch {
        // keep the text as written
      }
      return `openai-compatible:${base.replace(/\/+$/, "")}#${r.model}`;
    }
    case "llama-file":
      return `llama-file:${r.path}`;
    case "llama-hf":
      return `llama-hf:${r.repo}:${r.file}`;
    default:
      return `${r.scheme}:${r.model}`;
  }
}

/**
 * Judges that are also a subject's model. A model grading its own answers may favour them
 * (and its failures are correlated with the subject's), so every surface says so.
 */
export function selfGrading(
  subjects: readonly { id: string; model: string }[],
  judges: readonly { role: string; model: string }[],
): SelfGrading[] {
  const out: SelfGrading[] = [];
  for (const j of judges) {
    const id = identity(j.model);
    const same = subjects.filter((s) => identity(s.model) === id).map((s) => s.id);
    if (same.length === 0) continue;
    out.push({
      role: j.role,
      model: redactRef(j.model),
      subjects: same,
      message: `Self-grading: the ${j.role} is also the model of subject${same.length > 1 ? "s" : ""} ${same.join(", ")}; a model grading its own answers may favour them. Use a different, stronger ${j.role} for conclusions.`,
    });
  }
  return out;
}

/** selfGrading() for an audit config: the judge and, when it has one, the warmth judge. */
export function runSelfGrading(config: {
  subjects: readonly { id: string; model: string }[];
  judge: { model: string };
  warmth?: { judge?: { model: string } | undefined } | undefined;
}): SelfGrading[] {
  const judges = [{ role: "judge", model: config.judge.model }];
  const w = config.warmth?.judge;
  if (w) judges.push({ role: "warmth judge", model: w.model });
  return selfGrading(config.subjects, judges);
}
