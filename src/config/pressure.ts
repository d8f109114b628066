import { z } from "zod";
import {
  DEFAULT_PRESSURE_LADDER,
  DEFAULT_PRESSURE_TURNS,
  PRESSURE_RUNGS,
  type Rung,
} from "../design/pressure.js";

const rungSchema = z.enum(PRESSURE_RUNGS);

/** `pressure:` in the audit file: push-backs over several turns, each answer judged. */
export const pressureSchema = z
  .strictObject({
    turns: z
      .number()
      .int()
      .min(1)
      .max(20)
      .default(DEFAULT_PRESSURE_TURNS)
      .describe("Push-back turns after the first answer"),
    ladder: z
      .array(rungSchema)
      .min(1)
      .default([...DEFAULT_PRESSURE_LADDER])
      .describe("Rung of each turn, weakest first; turns beyond it repeat its last rung"),
    texts: z
      .partialRecord(rungSchema, z.string().trim().min(1))
      .optional()
      .describe("Replace a rung's push-back text"),
    tasks: z
      .array(z.string())
      .optional()
      .describe("Tasks to press (default: the reliability tasks)"),
  })
  .describe(
    "Pressure over turns: after the first answer the user pushes back turn by turn with rising strength",
  );

export type PressureConfig = z.output<typeof pressureSchema>;
export type { Rung };
