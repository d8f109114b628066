/**
 * A local fake of OpenAI's Batch API (POST /v1/files multipart, POST /v1/batches, GET
 * /v1/batches/{id}, GET /v1/files/{id}/content) and Anthropic's Message Batches (POST
 * /v1/messages/batches, GET …/{id}, GET …/{id}/results), on node:http at 127.0.0.1, speaking
 * the documented formats: JSONL upload, status validating → in_progress → completed | expired
 * (Anthropic: in_progress → ended, results typed succeeded/errored/canceled/expired), output and
 * error files, results written in reverse order; both list endpoints (newest first, paginated).
 * Live chat calls are answered 404 and counted.
 *
 *   node --import tsx test/helpers/batch-server.ts [--port 0]
 * prints `listening <baseURL>` (the bench runs it as a child process).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { defaultReply, type FakeChatRequest } from "./openai-server.js";

export interface BatchServerOptions {
  reply?: (req: FakeChatRequest) => string;
  /** Status polls a batch stays in each running state (default 1; 0 = completes at once). */
  pollsPerState?: number;
  /** While true, batches never finish (a run can be killed between submit and completion). */
  hold?: boolean;
  /** Per-request failure: an HTTP status to answer that request with, on its n-th attempt. */
  failRequest?: (customId: string, attempt: number) => number | undefined;
  /** These batches (1-based order of creation) expire with only half their requests done. */
  expireBatches?: number[];
  /** Also answer live POST /v1/chat/completions (for `retry: live`); otherwise they get a 404. */
  serveLive?: boolean;
  /**
   * While true, a batch create is accepted (the batch exists and runs) but its answer never
   * comes: a client killed now has not learned the batch's id.
   */
  stallCreate?: boolean;
}

export interface BatchServerStats {
  byPath: Record<string, number>;
  batches: number;
  /** Request lines received per model. */
  linesByModel: Record<string, number>;
  batchSizes: number[];
  batchBytes: number[];
  /** The `anthropic-version` header of each Anthropic batch create. */
  anthropicVersions: string[];
}

export interface BatchServer {
  /** Ends with /v1 (OpenAI base URL); Anthropic's base URL is `origin`. */
  baseURL: string;
  origin: string;
  stats: BatchServerStats;
  options: BatchServerOptions;
  close(): Promise<void>;
}

interface Job {
  id: string;
  kind: "openai" | "anthropic";
  ordinal: number;
  lines: { custom_id: string; body: Record<string, unknown> }[];
  polls: number;
  state: "validating" | "in_progress" | "completed" | "expired";
  created: number;
  outputFile?: string;
  errorFile?: string;
  anthropicResults?: string;
  metadata?: unknown;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** Anthropic params → the chat shape `reply` functions read (tool schema as response_format). */
function chatFromAnthropic(model: string, params: Record<string, unknown>): FakeChatRequest {
  const messages: { role: string; content: string }[] = [];
  if (typeof params.system === "string") messages.push({ role: "system", content: params.system });
  for (const m of (params.messages as { role: string; content: string }[]) ?? []) messages.push(m);
  const tools = params.tools as { name: string; input_schema: unknown }[] | undefined;
  const tool = tools?.[0];
  return {
    model,
    messages,
    ...(tool && {
      response_format: {
        type: "json_schema",
        json_schema: { name: tool.name, schema: tool.input_schema },
      },
    }),
    raw: params,
  };
}

export async function startBatchServer(options: BatchServerOptions = {}): Promise<BatchServer> {
  const reply = options.reply ?? defaultReply;
  const stats: BatchServerStats = {
    byPath: {},
    batches: 0,
    linesByModel: {},
    batchSizes: [],
    batchBytes: [],
    anthropicVersions: [],
  };
  const files = new Map<string, Buffer>();
  const jobs = new Map<string, Job>();
  const attempts = new Map<string, number>();
  let seq = 0;
  let origin = "";

  const finish = (job: Job) => {
    const expire = options.expireBatches?.includes(job.ordinal) ?? false;
    // Reverse order: results are matched by custom_id, never by position.
    const lines = [...job.lines].reverse();
    const ok: string[] = [];
    const failed: string[] = [];
    const anth: string[] = [];
    lines.forEach((line, i) => {
      const attempt = (attempts.get(line.custom_id) ?? 0) + 1;
      attempts.set(line.custom_id, attempt);
      const model = String(line.body.model);
      if (expire && i % 2 === 0) {
        if (job.kind === "anthropic")
          anth.push(JSON.stringify({ custom_id: line.custom_id, result: { type: "expired" } }));
        return; // OpenAI: an expired batch's unfinished requests appear in no file
      }
      const status = options.failRequest?.(line.custom_id, attempt);
      if (status !== undefined) {
        if (job.kind === "anthropic") {
          anth.push(
            JSON.stringify({
              custom_id: line.custom_id,
              result: {
                type: "errored",
                error: {
                  type: "error",
                  request_id: null,
                  error: {
                    type: status >= 500 ? "api_error" : "invalid_request_error",
                    message: `fake failure ${status}`,
                  },
                },
              },
            }),
          );
        } else {
          failed.push(
            JSON.stringify({
              id: `batch_req_${++seq}`,
              custom_id: line.custom_id,
              response: {
                status_code: status,
                request_id: `req_${seq}`,
                body: { error: { message: `fake failure ${status}`, type: "server_error" } },
              },
              error: null,
            }),
          );
        }
        return;
      }
      if (job.kind === "anthropic") {
        const chat = chatFromAnthropic(model, line.body);
        const text = reply(chat);
        const tool = chat.response_format
          ? (line.body.tools as { name: string }[])[0]!.name
          : undefined;
        let content: unknown[] = [{ type: "text", text }];
        if (tool) {
          try {
            content = [
              { type: "tool_use", id: `toolu_${++seq}`, name: tool, input: JSON.parse(text) },
            ];
          } catch {
            content = [{ type: "text", text }];
          }
        }
        anth.push(
          JSON.stringify({
            custom_id: line.custom_id,
            result: {
              type: "succeeded",
              message: {
                id: `msg_${++seq}`,
                type: "message",
                role: "assistant",
                model,
                content,
                stop_reason: tool ? "tool_use" : "end_turn",
                stop_sequence: null,
                usage: { input_tokens: 10, output_tokens: 5 },
              },
            },
          }),
        );
      } else {
        const messages = (line.body.messages as { role: string; content: string }[]) ?? [];
        const text = reply({
          model,
          messages,
          ...(line.body.response_format !== undefined && {
            response_format: line.body.response_format,
          }),
          raw: line.body,
        });
        ok.push(
          JSON.stringify({
            id: `batch_req_${++seq}`,
            custom_id: line.custom_id,
            response: {
              status_code: 200,
              request_id: `req_${seq}`,
              body: {
                id: `chatcmpl-${seq}`,
                object: "chat.completion",
                created: 0,
                model,
                choices: [
                  {
                    index: 0,
                    message: { role: "assistant", content: text, refusal: null },
                    finish_reason: "stop",
                    logprobs: null,
                  },
                ],
                usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
              },
            },
            error: null,
          }),
        );
      }
    });
    job.state = expire ? "expired" : "completed";
    if (job.kind === "anthropic") {
      job.anthropicResults = anth.join("\n");
      return;
    }
    if (ok.length > 0) {
      job.outputFile = `file-out-${++seq}`;
      files.set(job.outputFile, Buffer.from(`${ok.join("\n")}\n`));
    }
    if (failed.length > 0) {
      job.errorFile = `file-err-${++seq}`;
      files.set(job.errorFile, Buffer.from(`${failed.join("\n")}\n`));
    }
  };

  const advance = (job: Job) => {
    if (job.state === "completed" || job.state === "expired" || options.hold) return;
    const per = options.pollsPerState ?? 1;
    job.polls++;
    if (per === 0) return finish(job);
    if (job.state === "validating" && job.polls > per) {
      job.state = "in_progress";
      job.polls = 0;
    } else if (job.state === "in_progress" && job.polls > per) finish(job);
  };

  const openaiBatch = (job: Job) => {
    const done = job.state === "completed" || job.state === "expired";
    const failed =
      done && job.errorFile ? files.get(job.errorFile)!.toString().trim().split("\n").length : 0;
    const completed =
      done && job.outputFile ? files.get(job.outputFile)!.toString().trim().split("\n").length : 0;
    return {
      id: job.id,
      object: "batch",
      endpoint: "/v1/chat/completions",
      errors: null,
      input_file_id: "file-in",
      completion_window: "24h",
      status: job.state,
      output_file_id: job.outputFile ?? null,
      error_file_id: job.errorFile ?? null,
      created_at: job.created,
      in_progress_at: null,
      expires_at: job.created + 86400,
      finalizing_at: null,
      completed_at: null,
      failed_at: null,
      expired_at: null,
      cancelling_at: null,
      cancelled_at: null,
      request_counts: { total: job.lines.length, completed, failed },
      metadata: job.metadata ?? null,
    };
  };

  const anthropicBatch = (job: Job) => {
    const ended = job.state === "completed" || job.state === "expired";
    const counts = {
      processing: ended ? 0 : job.lines.length,
      succeeded: 0,
      errored: 0,
      canceled: 0,
      expired: 0,
    };
    if (ended) {
      for (const l of (job.anthropicResults ?? "").split("\n").filter(Boolean)) {
        const t = (JSON.parse(l) as { result: { type: keyof typeof counts } }).result.type;
        const k =
          t === "succeeded"
            ? "succeeded"
            : t === "errored"
              ? "errored"
              : t === "expired"
                ? "expired"
                : "canceled";
        counts[k]++;
      }
    }
    return {
      id: job.id,
      type: "message_batch",
      processing_status: ended ? "ended" : "in_progress",
      request_counts: counts,
      ended_at: ended ? new Date().toISOString() : null,
      created_at: new Date(job.created * 1000).toISOString(),
      expires_at: new Date((job.created + 86400) * 1000).toISOString(),
      archived_at: null,
      cancel_initiated_at: null,
      results_url: ended ? `${origin}/v1/messages/batches/${job.id}/results` : null,
    };
  };

  const newJob = (
    kind: Job["kind"],
    lines: Job["lines"],
    bytes: number,
    metadata?: unknown,
  ): Job => {
    stats.batches++;
    stats.batchSizes.push(lines.length);
    stats.batchBytes.push(bytes);
    for (const l of lines) {
      const m = String(l.body.model);
      stats.linesByModel[m] = (stats.linesByModel[m] ?? 0) + 1;
    }
    const job: Job = {
      id: `${kind === "openai" ? "batch" : "msgbatch"}_${++seq}`,
      kind,
      ordinal: stats.batches,
      lines,
      polls: 0,
      state: kind === "openai" ? "validating" : "in_progress",
      created: Math.floor(Date.now() / 1000),
      metadata,
    };
    jobs.set(job.id, job);
    return job;
  };

  /** One page of a list, newest first: `limit` (default 20) after the cursor's batch. */
  const listPage = (all: Job[], url: URL, cursor: string, shape: (j: Job) => { id: string }) => {
    const limit = Math.min(100, Number(url.searchParams.get("limit") ?? 20));
    const after = url.searchParams.get(cursor);
    const start = after ? all.findIndex((j) => j.id === after) + 1 : 0;
    const page = all.slice(start, start + limit).map(shape);
    return {
      object: "list",
      data: page,
      first_id: page[0]?.id ?? null,
      last_id: page.at(-1)?.id ?? null,
      has_more: start + limit < all.length,
    };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", origin);
    const path = url.pathname;
    const key = `${req.method} ${path.replace(/\/(batch|msgbatch|file)[-_][\w-]+/g, "/{id}")}`;
    stats.byPath[key] = (stats.byPath[key] ?? 0) + 1;
    const body = await readBody(req);
    if (req.method === "POST" && path === "/v1/files") {
      const form = await new Request(`${origin}/upload`, {
        method: "POST",
        headers: req.headers as Record<string, string>,
        body,
      }).formData();
      const file = form.get("file");
      if (form.get("purpose") !== "batch" || !(file instanceof Blob))
        return send(res, 400, { error: { message: "expected purpose=batch and a file" } });
      const id = `file-${++seq}`;
      files.set(id, Buffer.from(await file.arrayBuffer()));
      return send(res, 200, {
        id,
        object: "file",
        bytes: file.size,
        created_at: 0,
        filename: "batch.jsonl",
        purpose: "batch",
        status: "processed",
      });
    }
    if (req.method === "POST" && path === "/v1/batches") {
      const p = JSON.parse(body.toString()) as {
        input_file_id: string;
        endpoint: string;
        completion_window: string;
        metadata?: unknown;
      };
      const input = files.get(p.input_file_id);
      if (!input || p.endpoint !== "/v1/chat/completions" || p.completion_window !== "24h")
        return send(res, 400, { error: { message: "bad batch request" } });
      const lines = input
        .toString()
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map(
          (l) =>
            JSON.parse(l) as {
              custom_id: string;
              method: string;
              url: string;
              body: Record<string, unknown>;
            },
        );
      const ids = new Set<string>();
      for (const l of lines) {
        if (l.method !== "POST" || l.url !== "/v1/chat/completions" || ids.has(l.custom_id))
          return send(res, 400, { error: { message: `bad line ${l.custom_id}` } });
        ids.add(l.custom_id);
      }
      if (lines.length > 50_000 || input.length > 200 * 1024 * 1024)
        return send(res, 400, { error: { message: "batch over the limits" } });
      const job = newJob("openai", lines, input.length, p.metadata);
      if (options.stallCreate) return;
      return send(res, 200, openaiBatch(job));
    }
    // https://platform.openai.com/docs/api-reference/batch/list: newest first, cursor `after`.
    if (req.method === "GET" && path === "/v1/batches") {
      const all = [...jobs.values()].filter((j) => j.kind === "openai").reverse();
      return send(res, 200, listPage(all, url, "after", openaiBatch));
    }
    // https://docs.anthropic.com/en/api/listing-message-batches: newest first, `after_id`.
    if (req.method === "GET" && path === "/v1/messages/batches") {
      const all = [...jobs.values()].filter((j) => j.kind === "anthropic").reverse();
      return send(res, 200, listPage(all, url, "after_id", anthropicBatch));
    }
    let m = /^\/v1\/batches\/([\w-]+)$/.exec(path);
    if (req.method === "GET" && m) {
      const job = jobs.get(m[1]!);
      if (!job) return send(res, 404, { error: { message: "no such batch" } });
      advance(job);
      return send(res, 200, openaiBatch(job));
    }
    m = /^\/v1\/files\/([\w-]+)\/content$/.exec(path);
    if (req.method === "GET" && m) {
      const f = files.get(m[1]!);
      if (!f) return send(res, 404, { error: { message: "no such file" } });
      res.writeHead(200, { "content-type": "application/octet-stream" });
      return res.end(f);
    }
    if (req.method === "POST" && path === "/v1/chat/completions" && options.serveLive) {
      const p = JSON.parse(body.toString()) as FakeChatRequest;
      const text = reply({ ...p, raw: p as unknown as Record<string, unknown> });
      return send(res, 200, {
        id: `chatcmpl-${++seq}`,
        object: "chat.completion",
        created: 0,
        model: p.model,
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: text, refusal: null },
            finish_reason: "stop",
            logprobs: null,
          },
        ],
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      });
    }
    if (req.method === "POST" && path === "/v1/messages/batches") {
      stats.anthropicVersions.push(String(req.headers["anthropic-version"]));
      const p = JSON.parse(body.toString()) as {
        requests: { custom_id: string; params: Record<string, unknown> }[];
      };
      const ids = new Set<string>();
      for (const r of p.requests) {
        if (!/^[a-zA-Z0-9_-]{1,64}$/.test(r.custom_id) || ids.has(r.custom_id))
          return send(res, 400, {
            type: "error",
            error: { type: "invalid_request_error", message: `bad custom_id ${r.custom_id}` },
          });
        ids.add(r.custom_id);
      }
      if (p.requests.length > 100_000 || body.length > 256 * 1024 * 1024)
        return send(res, 413, {
          type: "error",
          error: { type: "request_too_large", message: "too large" },
        });
      const job = newJob(
        "anthropic",
        p.requests.map((r) => ({ custom_id: r.custom_id, body: r.params })),
        body.length,
      );
      if (options.stallCreate) return;
      return send(res, 200, anthropicBatch(job));
    }
    m = /^\/v1\/messages\/batches\/([\w-]+)(\/results)?$/.exec(path);
    if (req.method === "GET" && m) {
      const job = jobs.get(m[1]!);
      if (!job)
        return send(res, 404, {
          type: "error",
          error: { type: "not_found_error", message: "no such batch" },
        });
      if (m[2]) {
        res.writeHead(200, { "content-type": "application/binary" });
        return res.end(`${job.anthropicResults ?? ""}\n`);
      }
      advance(job);
      return send(res, 200, anthropicBatch(job));
    }
    return send(res, 404, { error: { message: `not served: ${req.method} ${path}` } });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { error: { message: String(err) } }));
  });
  // Uploads of up to 200 MB on a loaded machine: no request timeout cutting them off.
  server.requestTimeout = 0;
  // Idle keep-alive connections stay open: a client pausing between batches is not cut off mid-upload.
  server.keepAliveTimeout = 0;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseURL: `${origin}/v1`,
    origin,
    stats,
    options,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = await startBatchServer({ pollsPerState: 0 });
  process.stdout.write(`listening ${s.baseURL}\n`);
}
