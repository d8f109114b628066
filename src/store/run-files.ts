/** The run store's file name inside a run directory. */
export const RUN_DB = "run.sqlite";
/** The summary an audit writes beside its store. */
export const SUMMARY_FILE = "summary.json";
