import type { AuditConfig } from "../config/schema.js";

/** Strips credentials a URL might carry (https://user:secret@host). */
function scrubUrl(url: string): string {
  try {
    const u = new URL(url);
    let changed = false;
    if (u.username || u.password) {
      u.username = "";
      u.password = "";
      changed = true;
    }
    for (const key of [...u.searchParams.keys()]) {
      if (/key|token|secret|password/i.test(key)) {
        u.searchParams.set(key, "REDACTED");
        changed = true;
      }
    }
    return changed ? u.toString() : url;
  } catch {
    return url;
  }
}

/**
 * The config as stored with the run. The schema has no field for a secret
 * (keys come from environment variables named in the config), but URLs can
 * still embed credentials, so those are scrubbed too.
 */
export function configSnapshot(config: AuditConfig): AuditConfig {
  const copy = structuredClone(config);
  for (const key of ["openai", "openai-compatible", "anthropic"] as const) {
    const p = copy.providers[key];
    if (p?.base_url) p.base_url = scrubUrl(p.base_url);
  }
  const scrubRef = (ref: string) =>
    ref.startsWith("openai-compatible:")
      ? `openai-compatible:${scrubUrl(ref.slice("openai-compatible:".length))}`
      : ref;
  for (const s of copy.subjects) s.model = scrubRef(s.model);
  copy.judge.model = scrubRef(copy.judge.model);
  for (const t of copy.tasks) if (t.judge) t.judge.model = scrubRef(t.judge.model);
  return copy;
}
