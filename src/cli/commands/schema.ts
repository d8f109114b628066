import type { Command } from "commander";
import { auditJsonSchema } from "../../config/schema.js";

export function registerSchema(program: Command): void {
  program
    .command("schema")
    .description("Print the JSON Schema of the audit file (for editor completion and validation)")
    .action(() => {
      process.stdout.write(`${JSON.stringify(auditJsonSchema(), null, 2)}\n`);
    });
}
