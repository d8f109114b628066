import type { AuditConfig } from "../config/schema.js";
import type { Endpoint } from "../engine/endpoint.js";
import type { StructuredMode } from "../judge/structured.js";
import type { RunStore } from "../store/run-store.js";
import { measureWarmth, openWarmthMeasures, type WarmthSpec } from "../warmth/index.js";
import type { AuditOptions } from "./audit-options.js";
import { retryPolicy, toParams } from "./config-params.js";
import { providerOptions } from "./endpoints.js";

/** The manipulation check's measurements: SocioT and/or judge warmth ratings, resumable. */
export async function measureRunWarmth(
  store: RunStore,
  config: AuditConfig,
  auditJudge: Endpoint | undefined,
  signal: AbortSignal,
  options: AuditOptions,
  /** The warmth judge's structured-output mode, when the preflight settled it. */
  structured?: StructuredMode,
): Promise<void> {
  const w = config.warmth!;
  const spec: WarmthSpec = {
    ...(w.sociot && {
      sociot: {
        ...(w.sociot.model !== undefined && { model: w.sociot.model }),
        ...(w.sociot.parallel !== undefined && { parallel: w.sociot.parallel }),
        ...(w.sociot.threads !== undefined && { threads: w.sociot.threads }),
        ...(w.sociot.context_size !== undefined && { contextSize: w.sociot.context_size }),
        ...(w.sociot.concurrency !== undefined && { concurrency: w.sociot.concurrency }),
      },
    }),
    ...(w.judge && {
      judge: {
        model: w.judge.model,
        ...(w.judge.params && { params: toParams(w.judge.params) }),
        ...(w.judge.concurrency !== undefined && { concurrency: w.judge.concurrency }),
        ...(structured !== undefined && { structured }),
      },
    }),
  };
  const opened = await openWarmthMeasures(spec, {
    ...(options.providerFactory && { providerFactory: options.providerFactory }),
    providerOptions: (ref) => providerOptions(config, ref, options.providerOptions ?? {}),
    ...(auditJudge && w.judge?.model === config.judge.model && { judgeEndpoint: auditJudge }),
    retry: retryPolicy(config),
    timeoutMs: config.timeout_ms,
  });
  try {
    await measureWarmth(store, {
      ...opened.options,
      ...(w.cells !== undefined && { cells: w.cells }),
      seed: config.seed,
      signal,
    });
  } finally {
    await opened.close();
  }
}
