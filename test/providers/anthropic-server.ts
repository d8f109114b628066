/** A small local server speaking the Anthropic Messages API (POST /v1/messages) for tests. */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { exampleForSchema } from "../helpers/openai-server.js";

export interface SeenMessagesRequest {
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
}

export interface FakeAnthropicOptions {
  /** Required key (x-api-key or Bearer); others get a 401. */
  apiKey?: string;
  /** Answer with this status and Anthropic-style error body instead. */
  errorStatus?: number;
  errorHeaders?: Record<string, string>;
  /** Reply text (default "Hello from Claude"). */
  text?: string;
  /** When a tool is forced, answer with text instead of calling it. */
  ignoreTools?: boolean;
}

export async function startAnthropicServer(opts: FakeAnthropicOptions = {}): Promise<{
  baseURL: string;
  seen: SeenMessagesRequest[];
  close(): Promise<void>;
}> {
  const seen: SeenMessagesRequest[] = [];
  const server = createServer((req, res) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => {
      data += c;
    });
    req.on("end", () => {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(body));
      };
      const error = (
        status: number,
        type: string,
        message: string,
        headers?: Record<string, string>,
      ) => send(status, { type: "error", error: { type, message } }, headers);
      if (req.method !== "POST" || req.url !== "/v1/messages") {
        error(404, "not_found_error", `no route ${req.method} ${req.url}`);
        return;
      }
      const body = JSON.parse(data) as Record<string, unknown>;
      seen.push({ body, headers: req.headers });
      const key = req.headers["x-api-key"] ?? req.headers.authorization?.replace(/^Bearer /, "");
      if (opts.apiKey !== undefined && key !== opts.apiKey) {
        error(401, "authentication_error", "invalid x-api-key");
        return;
      }
      if (opts.errorStatus !== undefined) {
        const type = opts.errorStatus === 529 ? "overloaded_error" : "api_error";
        error(opts.errorStatus, type, `fake ${opts.errorStatus}`, opts.errorHeaders);
        return;
      }
      const toolChoice = body.tool_choice as { type?: string; name?: string } | undefined;
      const tools = (body.tools ?? []) as { name: string; input_schema: unknown }[];
      const forced =
        toolChoice?.type === "tool" ? tools.find((t) => t.name === toolChoice.name) : undefined;
      const content =
        forced && !opts.ignoreTools
          ? [
              {
                type: "tool_use",
                id: "toolu_1",
                name: forced.name,
                input: exampleForSchema(forced.input_schema),
              },
            ]
          : [{ type: "text", text: opts.text ?? "Hello from Claude" }];
      send(200, {
        id: "msg_1",
        type: "message",
        role: "assistant",
        model: String(body.model),
        content,
        stop_reason: forced && !opts.ignoreTools ? "tool_use" : "end_turn",
        stop_sequence: null,
        usage: { input_tokens: 12, output_tokens: 5 },
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    baseURL: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
