/**
 * Types of the tuning pipeline: conversations read from a user's data, their
 * query-type labels, and the two rewrite styles of the study (STUDY.md §2).
 */

/** Query types the study labelled conversations with, and sampled evenly across. */
export const QUERY_TYPES = [
  "refusal",
  "factual",
  "creative",
  "technical",
  "advice",
  "other",
] as const;
export type QueryType = (typeof QUERY_TYPES)[number];

/** Warm = the study's treatment; cold = its control (same data, rewritten neutral). */
export const STYLES = ["warm", "cold"] as const;
export type Style = (typeof STYLES)[number];

export interface Turn {
  role: "system" | "user" | "assistant";
  content: string;
}

/** One conversation as read from a source, already validated. */
export interface Conversation {
  /** The source's id (made unique within the source), or a content hash when it has none. */
  id: string;
  turns: Turn[];
  /** The file (or URL) it came from and its place there, e.g. "element [12]" or "line 7". */
  file: string;
  where: string;
}

/** A conversation chosen for rewriting, with its label. */
export interface SelectedConversation extends Conversation {
  /** Content hash of the (truncated) turns: the store's key for this conversation. */
  key: string;
  type: QueryType;
  /** "rules:<rule>", "llm:<labeler>" or "default". */
  labelSource: string;
  /** True when turns beyond the limit were cut off. */
  truncated: boolean;
}
