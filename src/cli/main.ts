import { Command } from "commander";
import { CandorError } from "../errors.js";
import { registerAnalyze } from "./commands/analyze.js";
import { registerAudit } from "./commands/audit.js";
import { registerBatch } from "./commands/batch.js";
import { registerCompare } from "./commands/compare.js";
import { registerExport } from "./commands/export.js";
import { registerGate } from "./commands/gate.js";
import { registerImportStudy } from "./commands/import-study.js";
import { registerJudge } from "./commands/judge.js";
import { registerJudgeCheck } from "./commands/judge-check.js";
import { registerLock } from "./commands/lock.js";
import { registerPlan } from "./commands/plan.js";
import { registerPower } from "./commands/power.js";
import { registerReport } from "./commands/report.js";
import { registerSchema } from "./commands/schema.js";
import { registerSummary } from "./commands/summary.js";
import { registerTune } from "./commands/tune.js";
import { registerView } from "./commands/view.js";
import { registerWarmth } from "./commands/warmth.js";

const program = new Command();
program
  .name("candor")
  .description(
    "Does making an assistant warmer make it less accurate and more sycophantic? Measure it.",
  )
  .version("0.1.0");
registerAudit(program);
registerSummary(program);
registerPlan(program);
registerLock(program);
registerPower(program);
registerSchema(program);
registerAnalyze(program);
registerImportStudy(program);
registerJudge(program);
registerJudgeCheck(program);
registerTune(program);
registerReport(program);
registerView(program);
registerExport(program);
registerWarmth(program);
registerGate(program);
registerCompare(program);
registerBatch(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CandorError) {
    process.stderr.write(`candor: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  throw err;
}
