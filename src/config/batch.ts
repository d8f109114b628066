import { z } from "zod";

/**
 * `batch:` on a subject, the judge or the warmth judge: send that model's calls through the
 * provider's Batch API (OpenAI /v1/batches, Anthropic /v1/messages/batches) at about half the
 * price, results within 24 h instead of seconds.
 */
export const batchObjectSchema = z.strictObject({
  max_requests: z
    .number()
    .int()
    .positive()
    .optional()
    .describe("Requests per batch (default and cap: the provider's limit, 50,000 / 100,000)"),
  poll_seconds: z
    .number()
    .positive()
    .default(30)
    .describe("Seconds between status checks of a submitted batch"),
  collect_ms: z
    .number()
    .int()
    .nonnegative()
    .default(2000)
    .describe("A batch is sent once no new request has arrived for this long (or it is full)"),
  retry: z
    .enum(["batch", "live"])
    .default("batch")
    .describe(
      "Requests that errored or expired: in a new batch, or as ordinary (full-price) calls",
    ),
  max_attempts: z.number().int().positive().max(20).default(3),
});

export const batchSettingSchema = z
  .union([z.boolean(), batchObjectSchema])
  .optional()
  .describe("Use the provider's Batch API for this model (true, or settings)");

export type BatchSettings = z.output<typeof batchObjectSchema>;

/** `true` → defaults; `false`/absent → undefined (live calls). */
export function batchSettings(
  value: boolean | z.input<typeof batchObjectSchema> | undefined,
): BatchSettings | undefined {
  if (value === undefined || value === false) return undefined;
  return batchObjectSchema.parse(value === true ? {} : value);
}
