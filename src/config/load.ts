import { readFileSync } from "node:fs";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { ConfigError } from "../errors.js";
import { type AuditConfig, auditConfigSchema } from "./schema.js";

/** `subjects[1].model` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || "(top level)";
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const part of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[part];
  }
  return cur;
}

function describeValue(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** One readable line per issue: `file:line subjects[1].model: expected …, got "gtp4"`. */
export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  raw: unknown,
  locate: (path: readonly PropertyKey[]) => string,
): string[] {
  return issues.map((issue) => {
    const path = formatPath(issue.path);
    let message = issue.message;
    if (issue.code === "unrecognized_keys") {
      message = `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
    } else if (!/\bgot\b/.test(message) && issue.code !== "custom") {
      message = `${message.replace(/^Invalid input: /, "")}, got ${describeValue(valueAt(raw, issue.path))}`;
    }
    return `${locate(issue.path)}${path}: ${message}`;
  });
}

/** Cross-field rules zod cannot express per field. */
function crossCheck(config: AuditConfig): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  config.subjects.forEach((s, i) => {
    if (ids.has(s.id))
      problems.push(`subjects[${i}].id: duplicate subject id ${JSON.stringify(s.id)}`);
    ids.add(s.id);
  });
  config.compare.forEach((c, i) => {
    if (!ids.has(c.reference)) {
      problems.push(
        `compare[${i}].reference: expected one of the subject ids (${[...ids].join(", ")}), got ${JSON.stringify(c.reference)}`,
      );
    }
    c.treatments.forEach((t, j) => {
      if (!ids.has(t)) {
        problems.push(
          `compare[${i}].treatments[${j}]: expected one of the subject ids (${[...ids].join(", ")}), got ${JSON.stringify(t)}`,
        );
      }
      if (t === c.reference)
        problems.push(`compare[${i}].treatments[${j}]: a subject cannot be compared with itself`);
    });
  });
  const tasks = new Set<string>();
  config.tasks.forEach((t, i) => {
    if (tasks.has(t.task)) problems.push(`tasks[${i}].task: task ${t.task} is listed twice`);
    tasks.add(t.task);
  });
  return problems;
}

/** Parses and validates an audit config from YAML text. `file` is used in messages. */
export function parseAuditConfig(text: string, file: string): AuditConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      return `${file}${pos ? `:${pos.line}:${pos.col}` : ""}: invalid YAML: ${e.message.split("\n")[0]}`;
    });
    throw new ConfigError(lines.join("\n"));
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(`${file}: expected a YAML mapping with name, subjects, tasks and judge`);
  }
  const locate = (path: readonly PropertyKey[]): string => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true) as
        | { range?: [number, number] }
        | undefined;
      if (node && typeof node === "object" && node.range) {
        const { line } = lineCounter.linePos(node.range[0]);
        return `${file}:${line}: `;
      }
    }
    return `${file}: `;
  };
  const result = auditConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(formatIssues(result.error.issues, raw, locate).join("\n"));
  }
  const problems = crossCheck(result.data);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `${file}: ${p}`).join("\n"));
  return result.data;
}

/** Validates a config given as an object (library use); `label` names it in messages. */
export function parseAuditConfigObject(raw: unknown, label = "config object"): AuditConfig {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(`${label}: expected an object with name, subjects, tasks and judge`);
  }
  const result = auditConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(formatIssues(result.error.issues, raw, () => `${label}: `).join("\n"));
  }
  const problems = crossCheck(result.data);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `${label}: ${p}`).join("\n"));
  return result.data;
}

export function loadAuditConfig(file: string): AuditConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === "ENOENT"
        ? `${file}: config file not found`
        : `${file}: cannot read config (${code ?? String(err)})`,
    );
  }
  return parseAuditConfig(text, file);
}
