import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A tiny stand-in for the Hugging Face hub (and its CDN) on 127.0.0.1 with an
 * ephemeral port. Tests register routes by exact path; every request is recorded.
 */
export interface Route {
  status?: number;
  body?: Uint8Array | string;
  headers?: Record<string, string>;
  /** Answer 302 with this Location (absolute or relative). */
  redirect?: string;
  /** Answer 401 unless the request carries `Authorization: Bearer <token>`. */
  requireToken?: string;
  /** Send the full Content-Length but only this many bytes, then drop the connection. */
  dropAfter?: number;
  /** Drop only for the first N requests of this route (default: always). */
  dropTimes?: number;
}

export interface RecordedRequest {
  path: string;
  authorization?: string;
}

export interface HubServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  requests: RecordedRequest[];
  route(path: string, route: Route): void;
  /** Requests made to a path so far. */
  count(path: string): number;
  close(): Promise<void>;
}

export async function startHubServer(): Promise<HubServer> {
  const routes = new Map<string, Route>();
  const served = new Map<string, number>();
  const requests: RecordedRequest[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? "/";
    requests.push({ path, authorization: req.headers.authorization });
    const route = routes.get(path);
    const n = (served.get(path) ?? 0) + 1;
    served.set(path, n);
    if (!route) {
      res.writeHead(404, { "content-type": "text/plain" }).end("Entry not found");
      return;
    }
    if (
      route.requireToken !== undefined &&
      req.headers.authorization !== `Bearer ${route.requireToken}`
    ) {
      res
        .writeHead(401, { "content-type": "text/plain" })
        .end("Access to this dataset is restricted");
      return;
    }
    if (route.redirect !== undefined) {
      res.writeHead(302, { ...route.headers, location: route.redirect }).end();
      return;
    }
    const body =
      typeof route.body === "string"
        ? Buffer.from(route.body)
        : Buffer.from(route.body ?? new Uint8Array());
    const headers = { "content-length": String(body.byteLength), ...route.headers };
    const drop =
      route.dropAfter !== undefined && n <= (route.dropTimes ?? Number.POSITIVE_INFINITY);
    res.writeHead(route.status ?? 200, headers);
    if (drop) {
      res.write(body.subarray(0, route.dropAfter), () => {
        setTimeout(() => res.socket?.destroy(), 20);
      });
      return;
    }
    res.end(body);
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route: (path, route) => {
      routes.set(path, route);
    },
    count: (path) => requests.filter((r) => r.path === path).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
