// Preloaded with `node --import` to record every module URL the process resolves, one per line,
// in the file named by CANDOR_MODULE_TRACE: what a command loads is then a fact a test can check.
import { register } from "node:module";

register("./module-trace-hooks.mjs", import.meta.url, {
  data: { file: process.env.CANDOR_MODULE_TRACE },
});
