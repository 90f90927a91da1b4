/**
 * serverless-offline's two servers (the HTTP API and the Lambda Invoke API) behind a gate. Under
 * `npm start` serverless-offline listens on Unix sockets in a private directory, which no web page
 * can reach (its Hapi server takes a path as its port), and the gate listens on the ports the
 * developer asked for, on 127.0.0.1: it refuses what `refusal` refuses with a 403, before anything
 * is invoked, and passes the rest on with the CORS headers that serverless-offline adds removed.
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { refusal, withoutCors } from "./gate";

export interface ApiGate {
  /** `http://127.0.0.1:<port>`: the address to print. */
  readonly url: string;
  readonly port: number;
  readonly close: () => Promise<void>;
}

/**
 * Listens on 127.0.0.1:`port` (0 picks a free one) and forwards to the Unix socket `socketPath`.
 *
 * @example
 * const api = await startApiGate(3000, "/tmp/lambda-vitals-x/http.sock");
 * api.url; // "http://127.0.0.1:3000"
 */
export async function startApiGate(port: number, socketPath: string): Promise<ApiGate> {
  let listening = port;
  const server = createServer((req, res) => forward(req, res, socketPath, listening));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  listening = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${listening}`,
    port: listening,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  socketPath: string,
  port: number,
): void {
  const refused = refusal(req.headers, port);
  if (refused !== undefined) {
    req.resume();
    plain(res, 403, `npm start: ${refused}\n`);
    return;
  }
  const upstream = request(
    { socketPath, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, withoutCors(answer.headers));
      answer.pipe(res);
    },
  );
  upstream.on("error", (error) => {
    if (!res.headersSent) plain(res, 502, `npm start: serverless-offline: ${error.message}\n`);
    else res.destroy();
  });
  req.pipe(upstream);
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  res.end(text);
}
