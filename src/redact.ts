/**
 * One redaction for model references and URLs: everything candor writes or prints (store rows,
 * judge ids, summary.json, reports, exports, the viewer, `plan`, error messages) goes through
 * it. A reference without secrets comes back unchanged, so ids of existing runs stay the same.
 */
import { createHash } from "node:crypto";

/** Query parameter names that carry credentials (api_key, access_token, sig, X-Amz-Signature…). */
const SECRET_PARAM =
  /key|token|secret|passw|pwd|auth|sig|credential|session|cookie|bearer|jwt|account/i;

function paramName(pair: string): string {
  const name = pair.split("=", 1)[0] ?? "";
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/**
 * A model reference (or any text holding URLs) without credentials: `user:password@` is removed
 * from http(s) URLs, and secret-looking query parameters are dropped.
 */
export function redactModelRef(ref: string): string {
  if (!ref.includes("@") && !ref.includes("?")) return ref;
  // Greedy up to the last "@" before the path: a password may itself contain "@".
  const noUser = ref.replace(/(https?:\/\/)[^/\s#?]*@/gi, "$1");
  return noUser.replace(/\?([^#\s]*)/g, (whole, query: string) => {
    const pairs = query.split("&");
    const kept = pairs.filter((p) => p !== "" && !SECRET_PARAM.test(paramName(p)));
    if (kept.length === pairs.length) return whole;
    return kept.length > 0 ? `?${kept.join("&")}` : "";
  });
}

/** Short hash of the full reference: two references that redact alike stay distinct. */
export function refHash(ref: string): string {
  return createHash("sha256").update(ref).digest("hex").slice(0, 16);
}
