/**
 * The fake Lambda Runtime API's parts that both sessions share: its HTTP server, the URL of a
 * runtime client's answer, and the answers to an init error, an unknown request id and anything
 * else. Each session (sequential-session.mjs, managed-instances-session.mjs) routes `/next` and the
 * answers for its own invocations itself.
 */
import { createServer } from "node:http";

/**
 * The fake Runtime API's HTTP server; `sockets` collects its connections so it can close at once.
 *
 * @example
 * const server = runtimeApiServer((req, res, body) => route(req, res, body), sockets);
 * server.listen(0, "127.0.0.1", start);
 */
export function runtimeApiServer(route, sockets) {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => route(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return server;
}

/** A runtime client's answer for an invocation: `/invocation/{id}/response` or `/error`. */
export const RESULT_URL = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/;

/**
 * Answers a runtime client's post as Lambda does: 202 Accepted.
 *
 * @example
 * accepted(res); // after recording the invocation's response
 */
export function accepted(res) {
  res.writeHead(202, { "content-type": "application/json" });
  res.end('{"status":"OK"}');
}

/**
 * An answer for an id that is not in flight: recorded, and refused as Lambda refuses it.
 *
 * @example
 * if (inv === undefined) return unknownRequestId(session, id, "response", body, res);
 */
export function unknownRequestId(session, id, kind, body, res) {
  session.strayPosts.push({ id, kind, body: body.slice(0, 300) });
  res.writeHead(400, { "content-type": "application/json" });
  res.end('{"errorMessage":"unknown or finished request id","errorType":"InvalidRequestID"}');
}

/**
 * The requests both Runtime APIs answer alike: an init error, and anything else (a stray).
 *
 * @example
 * otherRuntimeRequest(session, req, req.url ?? "", res, body); // after `/next` and the answers
 */
export function otherRuntimeRequest(session, req, url, res, body) {
  if (req.method === "POST" && url === "/2018-06-01/runtime/init/error") {
    session.initErrors.push(body.slice(0, 2000));
    accepted(res);
    return;
  }
  session.strayPosts.push({ id: "-", kind: `${req.method} ${url}`, body: body.slice(0, 300) });
  res.writeHead(404);
  res.end();
}
