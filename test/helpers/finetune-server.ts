/**
 * A local stand-in for the OpenAI files and fine_tuning APIs (127.0.0.1, ephemeral port):
 *
 *   POST /v1/files                              multipart upload (purpose "fine-tune"; JSONL validated)
 *   GET  /v1/files/:id
 *   POST /v1/fine_tuning/jobs                   create (method.supervised.hyperparameters or hyperparameters)
 *   GET  /v1/fine_tuning/jobs                   list
 *   GET  /v1/fine_tuning/jobs/:id               retrieve: each call advances the job one status
 *   GET  /v1/fine_tuning/jobs/:id/events        newest first
 *   GET  /v1/fine_tuning/jobs/:id/checkpoints   newest first, cursor-paginated (`after`, `limit`)
 *   POST /v1/chat/completions                   replies from `reply` (for checkpoint models)
 *
 * A job's course comes from `plan` (by request), so tests can script a job that needs several
 * polls, one that fails, or one that answers 500 once.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type JobStatus =
  | "validating_files"
  | "queued"
  | "running"
  | "succeeded"
  | "failed"
  | "cancelled";

export interface JobRequest {
  model: string;
  suffix?: string;
  trainingFile: string;
  validationFile?: string;
  hyperparameters: { n_epochs: number; learning_rate_multiplier: number; batch_size: number };
  raw: Record<string, unknown>;
}

export interface JobPlan {
  /** Status after each retrieve (the job starts in the first). */
  statuses: JobStatus[];
  error?: { code: string; message: string; param?: string | null };
  /** Epochs with a checkpoint (default: the last three). */
  checkpointEpochs?: number[];
}

export interface FineTuneServerOptions {
  plan?: (req: JobRequest) => JobPlan;
  /** Requests without `Authorization: Bearer <apiKey>` get 401. */
  apiKey?: string;
  /** Checkpoints per page (small, so the client has to paginate). */
  pageSize?: number;
  /** Answer the first N retrieve calls with 500 (retry test). */
  failRetrieves?: number;
  reply?: (model: string, messages: { role: string; content: string }[]) => string;
}

interface StoredFile {
  id: string;
  filename: string;
  purpose: string;
  bytes: number;
  content: string;
  created_at: number;
}

interface StoredJob {
  id: string;
  req: JobRequest;
  plan: JobPlan;
  step: number;
  created_at: number;
  stepsPerEpoch: number;
}

export interface FineTuneServer {
  baseURL: string;
  files: Map<string, StoredFile>;
  jobs: Map<string, StoredJob>;
  requests: { method: string; path: string }[];
  count(method: string, pathPrefix: string): number;
  close(): Promise<void>;
}

const DEFAULT_PLAN: JobPlan = { statuses: ["validating_files", "queued", "running", "succeeded"] };

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

function error(
  res: ServerResponse,
  status: number,
  message: string,
  code: string | null = null,
): void {
  send(res, status, { error: { message, type: "invalid_request_error", param: null, code } });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** The checks OpenAI applies to chat fine-tuning files, enough to catch a malformed export. */
export function validateChatJsonl(text: string): string | undefined {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  if (lines.length === 0) return "the file has no examples";
  for (const [i, line] of lines.entries()) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return `line ${i + 1}: invalid JSON`;
    }
    const messages = (value as { messages?: unknown }).messages;
    if (!Array.isArray(messages) || messages.length === 0) return `line ${i + 1}: missing messages`;
    for (const m of messages) {
      const r = (m as { role?: unknown }).role;
      if (r !== "system" && r !== "user" && r !== "assistant") return `line ${i + 1}: bad role`;
      if (typeof (m as { content?: unknown }).content !== "string")
        return `line ${i + 1}: bad content`;
    }
    if (!messages.some((m) => (m as { role: string }).role === "assistant")) {
      return `line ${i + 1}: no assistant message`;
    }
  }
  return undefined;
}

export async function startFineTuneServer(
  opts: FineTuneServerOptions = {},
): Promise<FineTuneServer> {
  const files = new Map<string, StoredFile>();
  const jobs = new Map<string, StoredJob>();
  const requests: { method: string; path: string }[] = [];
  let ids = 0;
  let failRetrieves = opts.failRetrieves ?? 0;
  const pageSize = opts.pageSize ?? 2;
  const now = () => Math.floor(Date.now() / 1000);

  const jobBody = (j: StoredJob) => {
    const status = j.plan.statuses[Math.min(j.step, j.plan.statuses.length - 1)]!;
    const suffix = j.req.suffix ? `:${j.req.suffix}` : "";
    return {
      id: j.id,
      object: "fine_tuning.job",
      created_at: j.created_at,
      error:
        status === "failed"
          ? { param: null, ...(j.plan.error ?? { code: "error", message: "failed" }) }
          : null,
      fine_tuned_model: status === "succeeded" ? `ft:${j.req.model}:candor${suffix}:${j.id}` : null,
      finished_at: status === "succeeded" || status === "failed" ? now() : null,
      hyperparameters: j.req.hyperparameters,
      method: { type: "supervised", supervised: { hyperparameters: j.req.hyperparameters } },
      model: j.req.model,
      organization_id: "org-test",
      result_files: [],
      seed: 1,
      status,
      trained_tokens: status === "succeeded" ? 1234 : null,
      training_file: j.req.trainingFile,
      validation_file: j.req.validationFile ?? null,
      estimated_finish: status === "running" ? now() + 60 : null,
    };
  };

  const checkpoints = (j: StoredJob) => {
    const n = j.req.hyperparameters.n_epochs;
    const epochs = j.plan.checkpointEpochs ?? [n - 2, n - 1, n].filter((e) => e >= 1);
    return epochs
      .map((e) => ({
        id: `ftckpt-${j.id}-${e}`,
        object: "fine_tuning.job.checkpoint",
        created_at: j.created_at,
        fine_tuned_model_checkpoint: `ft:${j.req.model}:candor:${j.id}:ckpt-step-${e * j.stepsPerEpoch}`,
        fine_tuning_job_id: j.id,
        metrics: { step: e * j.stepsPerEpoch, train_loss: 1 / e },
        step_number: e * j.stepsPerEpoch,
      }))
      .sort((a, b) => b.step_number - a.step_number);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname;
    const method = req.method ?? "GET";
    requests.push({ method, path });
    const body = await readBody(req);
    if (opts.apiKey !== undefined && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
      return error(res, 401, "Incorrect API key provided.", "invalid_api_key");
    }
    if (method === "POST" && path === "/v1/files") {
      const form = await new Request("http://x/upload", {
        method: "POST",
        headers: { "content-type": req.headers["content-type"] ?? "" },
        body,
      }).formData();
      const file = form.get("file");
      const purpose = form.get("purpose");
      if (!(file instanceof File)) return error(res, 400, "file is required");
      if (purpose !== "fine-tune") return error(res, 400, `unsupported purpose ${String(purpose)}`);
      const content = await file.text();
      const problem = validateChatJsonl(content);
      if (problem) return error(res, 400, `Invalid file format: ${problem}`, "invalid_file_format");
      const stored: StoredFile = {
        id: `file-${++ids}`,
        filename: file.name,
        purpose,
        bytes: Buffer.byteLength(content),
        content,
        created_at: now(),
      };
      files.set(stored.id, stored);
      const { content: _c, ...meta } = stored;
      return send(res, 200, { object: "file", status: "processed", ...meta });
    }
    const fileMatch = /^\/v1\/files\/([^/]+)$/.exec(path);
    if (method === "GET" && fileMatch) {
      const f = files.get(fileMatch[1]!);
      if (!f) return error(res, 404, "No such file");
      const { content: _c, ...meta } = f;
      return send(res, 200, { object: "file", status: "processed", ...meta });
    }
    if (method === "POST" && path === "/v1/fine_tuning/jobs") {
      const raw = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
      const trainingFile = String(raw.training_file ?? "");
      if (!files.has(trainingFile))
        return error(res, 400, `invalid training_file: ${trainingFile}`);
      const validationFile =
        typeof raw.validation_file === "string" ? raw.validation_file : undefined;
      if (validationFile !== undefined && !files.has(validationFile)) {
        return error(res, 400, `invalid validation_file: ${validationFile}`);
      }
      const m = raw.method as
        | { supervised?: { hyperparameters?: Record<string, unknown> } }
        | undefined;
      const h =
        m?.supervised?.hyperparameters ?? (raw.hyperparameters as Record<string, unknown>) ?? {};
      const pick = (v: unknown, d: number) => (typeof v === "number" ? v : d);
      const jobReq: JobRequest = {
        model: String(raw.model),
        ...(typeof raw.suffix === "string" && { suffix: raw.suffix }),
        trainingFile,
        ...(validationFile !== undefined && { validationFile }),
        hyperparameters: {
          n_epochs: pick(h.n_epochs, 3),
          learning_rate_multiplier: pick(h.learning_rate_multiplier, 1.8),
          batch_size: pick(h.batch_size, 4),
        },
        raw,
      };
      const examples = files
        .get(trainingFile)!
        .content.split("\n")
        .filter((l) => l.trim()).length;
      const job: StoredJob = {
        id: `ftjob-${++ids}`,
        req: jobReq,
        plan: opts.plan?.(jobReq) ?? DEFAULT_PLAN,
        step: 0,
        created_at: now(),
        stepsPerEpoch: Math.max(1, Math.ceil(examples / jobReq.hyperparameters.batch_size)),
      };
      jobs.set(job.id, job);
      return send(res, 200, jobBody(job));
    }
    if (method === "GET" && path === "/v1/fine_tuning/jobs") {
      return send(res, 200, {
        object: "list",
        data: [...jobs.values()].map(jobBody),
        has_more: false,
      });
    }
    const jobMatch = /^\/v1\/fine_tuning\/jobs\/([^/]+)(?:\/(events|checkpoints))?$/.exec(path);
    if (method === "GET" && jobMatch) {
      const job = jobs.get(jobMatch[1]!);
      if (!job) return error(res, 404, `No such fine-tuning job: ${jobMatch[1]}`);
      if (jobMatch[2] === undefined) {
        if (failRetrieves > 0) {
          failRetrieves--;
          return send(res, 500, {
            error: { message: "The server had an error.", type: "server_error" },
          });
        }
        job.step++;
        return send(res, 200, jobBody(job));
      }
      if (jobMatch[2] === "events") {
        const status = jobBody(job).status;
        return send(res, 200, {
          object: "list",
          data: [
            {
              id: `ftevent-${job.id}-${job.step}`,
              object: "fine_tuning.job.event",
              created_at: now(),
              level: status === "failed" ? "error" : "info",
              message: `job is ${status}`,
              type: "message",
            },
          ],
          has_more: false,
        });
      }
      if (jobBody(job).status !== "succeeded")
        return send(res, 200, { object: "list", data: [], has_more: false });
      const all = checkpoints(job);
      const after = url.searchParams.get("after");
      const start = after ? all.findIndex((c) => c.id === after) + 1 : 0;
      const limit = Math.min(pageSize, Number(url.searchParams.get("limit") ?? pageSize));
      const page = all.slice(start, start + limit);
      return send(res, 200, {
        object: "list",
        data: page,
        has_more: start + limit < all.length,
        first_id: page[0]?.id ?? null,
        last_id: page.at(-1)?.id ?? null,
      });
    }
    if (method === "POST" && path === "/v1/chat/completions") {
      const raw = JSON.parse(body.toString("utf8")) as {
        model: string;
        messages: { role: string; content: string }[];
      };
      const text = opts.reply?.(raw.model, raw.messages) ?? `reply from ${raw.model}`;
      return send(res, 200, {
        id: `chatcmpl-${++ids}`,
        object: "chat.completion",
        created: now(),
        model: raw.model,
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: text, refusal: null },
            finish_reason: "stop",
          },
        ],
        usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
      });
    }
    return error(res, 404, `Unknown route ${method} ${path}`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) error(res, 500, `fake server error: ${String(err)}`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    files,
    jobs,
    requests,
    count: (method, prefix) =>
      requests.filter((r) => r.method === method && r.path.startsWith(prefix)).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
