/**
 * A fake CloudWatch on 127.0.0.1 (AWS JSON 1.0, as @aws-sdk/client-cloudwatch v3 speaks it) for
 * the health function's checks. Its mode is set between sessions: `ok` (healthy data), `bad`
 * (60% errors, 29 s latency), `fail` (HTTP 500) or `hang` (never answers); `slow` delays every
 * answer (the Managed Instances pass, so that /health invocations overlap).
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";

/**
 * @example
 * const cw = await startCloudWatch();
 * cw.mode = "fail"; // every GetMetricData now answers HTTP 500
 * await cw.close();
 */
export async function startCloudWatch() {
  // `slow`: [min, max] ms to wait before each answer (Managed Instances pass), else undefined.
  const cw = {
    mode: "ok",
    slow: undefined,
    rand: Math.random,
    active: 0,
    maxActive: 0,
    requests: [],
    sockets: new Set(),
  };
  const valueFor = (query) => {
    const name = query.MetricStat?.Metric?.MetricName ?? "";
    const bad = cw.mode === "bad";
    if (query.Expression !== undefined) return bad ? 60 : 0;
    if (/^Requests$/.test(name)) return 100;
    if (/Error/.test(name)) return bad ? 60 : 0;
    if (/Latency|Duration/.test(name)) return bad ? 29_000 : 40;
    return bad ? 60 : 0;
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const target = String(req.headers["x-amz-target"] ?? "");
      const type = String(req.headers["content-type"] ?? "");
      cw.requests.push({ at: Date.now(), mode: cw.mode, target, type, url: req.url });
      cw.active += 1;
      cw.maxActive = Math.max(cw.maxActive, cw.active);
      res.on("close", () => {
        cw.active -= 1;
      });
      if (cw.mode === "hang") return; // never answers; destroyed when the session ends
      if (cw.mode === "fail") {
        res.writeHead(500, { "content-type": "application/x-amz-json-1.0" });
        res.end(JSON.stringify({ __type: "InternalFailure", message: "fake CloudWatch failure" }));
        return;
      }
      if (cw.slow !== undefined) {
        const [min, max] = cw.slow;
        setTimeout(() => answer(res, target, text), min + Math.floor(cw.rand() * (max - min + 1)));
        return;
      }
      answer(res, target, text);
    });
  });
  const answer = (res, target, text) => {
    if (res.destroyed) return;
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!target.endsWith(".GetMetricData") || body === undefined) {
      res.writeHead(400, { "content-type": "application/x-amz-json-1.0" });
      res.end(JSON.stringify({ __type: "UnknownOperationException", message: target }));
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const results = (body.MetricDataQueries ?? []).map((q) => ({
      Id: q.Id,
      Label: q.Label ?? q.Id,
      Timestamps: [now - 120, now - 60],
      Values: [valueFor(q), valueFor(q)],
      StatusCode: "Complete",
    }));
    res.writeHead(200, {
      "content-type": "application/x-amz-json-1.0",
      "x-amzn-requestid": randomUUID(),
    });
    res.end(JSON.stringify({ MetricDataResults: results, Messages: [] }));
  };
  server.on("connection", (socket) => {
    cw.sockets.add(socket);
    socket.on("close", () => cw.sockets.delete(socket));
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  cw.url = `http://127.0.0.1:${server.address().port}`;
  cw.dropHanging = () => {
    for (const socket of cw.sockets) socket.destroy();
  };
  cw.close = () =>
    new Promise((ok) => {
      cw.dropHanging();
      server.close(() => ok());
    });
  return cw;
}
