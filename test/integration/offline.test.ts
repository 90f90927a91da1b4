/**
 * The service as `npm start` serves it: serverless-offline on 127.0.0.1, real HTTP requests to
 * every route, and the EMF lines the functions print, checked against the metric contract.
 * The server runs in its own process group, on free ports, from a copy of the project, and the
 * whole group is stopped afterwards. The copy has one catch-all function more, whose route
 * templates are written only in serverless.yml (`custom.vitals.routes`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_NAMESPACE,
  DIMENSIONS,
  EVENT_DIMENSION_SETS,
  HEALTH_CHECK_DIMENSION,
  HEALTH_METRICS,
  METRICS,
  REQUEST_DIMENSION_SETS,
} from "../../functions/vitals/contract";
import { freePort, groupAlive, stopGroup } from "../fixtures/processes";
import { copyProject, type ProjectCopy, SERVERLESS_CLI } from "../fixtures/project-copy";

type Document = Record<string, unknown> & {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
};

interface Server {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  /** serverless-offline's Lambda Invoke API, where the schedule's event can be sent. */
  readonly lambdaUrl: string;
  readonly output: () => string;
}

let copy: ProjectCopy;
let server: Server;

/** A catch-all function served by a handler that passes `withVitals` no `routes`. */
const CATCH_ALL_FUNCTION =
  "  files:\n    handler: functions/get-order.getOrder\n    events:\n" +
  "      - httpApi: GET /files/{path+}\n";
const CATCH_ALL_ROUTES = '    routes:\n      files: ["GET /files/{kind}/{name}"]\n';

beforeAll(async () => {
  copy = await copyProject("offline");
  const file = join(copy.dir, "serverless.yml");
  const yml = await readFile(file, "utf8");
  await writeFile(
    file,
    yml
      .replace("functions:\n", `functions:\n${CATCH_ALL_FUNCTION}`)
      .replace(/( {4}namespace: .*\n)/, `$1${CATCH_ALL_ROUTES}`),
  );
  server = await startOffline(copy.dir);
}, 120_000);

afterAll(async () => {
  const pid = server?.child.pid;
  if (server !== undefined) await stopGroup(server.child);
  await copy?.remove();
  // nothing of the server may outlive the tests: not serverless, not esbuild, not a worker
  if (pid !== undefined && groupAlive(pid)) throw new Error(`process group ${pid} still running`);
});

/** `npm start`, on free ports: others may be running it on 3000 and 3002 in the same tree. */
async function startOffline(cwd: string): Promise<Server> {
  const [httpPort, lambdaPort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      SERVERLESS_CLI,
      "offline",
      "start",
      "--host",
      "127.0.0.1",
      "--httpPort",
      String(httpPort),
      "--lambdaPort",
      String(lambdaPort),
      "--noPrependStageInUrl",
    ],
    // detached: its own process group, so esbuild and workers stop with it
    {
      cwd,
      detached: true,
      env: copy.env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let text = "";
  let onReady = () => {};
  // serverless logs "Server ready" on stderr, the handlers' lines arrive on stdout
  const append = (chunk: Buffer) => {
    text += chunk.toString();
    if (text.includes("Server ready")) onReady();
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "Server ready" in 90 s:\n${text}`)),
      90_000,
    );
    onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serverless offline exited with ${code}:\n${text}`));
    });
  });
  const started = {
    child,
    baseUrl: `http://127.0.0.1:${httpPort}`,
    lambdaUrl: `http://127.0.0.1:${lambdaPort}`,
    output: () => text,
  };
  try {
    await ready;
  } catch (error) {
    await stopGroup(child);
    throw error;
  }
  return started;
}

/** The EMF documents printed so far: one JSON object per line, starting with `_aws`. */
function documents(): Document[] {
  return server
    .output()
    .split("\n")
    .filter((line) => line.startsWith('{"_aws"'))
    .map((line) => JSON.parse(line) as Document);
}

/** Handlers' stdout reaches the server's output a moment after the response; wait for it. */
async function lineFor(match: (doc: Document) => boolean): Promise<Document> {
  for (let waited = 0; waited < 5_000; waited += 50) {
    const found = documents().filter(match);
    if (found.length === 1 && found[0] !== undefined) return found[0];
    if (found.length > 1) throw new Error(`${found.length} lines match, expected one`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no EMF line matched in 5 s; output:\n${server.output()}`);
}

/** All lines of one burst that match, once at least one has arrived. */
async function linesFor(match: (doc: Document) => boolean): Promise<Document[]> {
  for (let waited = 0; waited < 5_000; waited += 50) {
    const found = documents().filter(match);
    if (found.length > 0) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no EMF line matched in 5 s; output:\n${server.output()}`);
}

/** The canonical line's contract: namespace, dimension sets, metric names and units, values. */
function expectCanonical(
  doc: Document,
  route: string,
  status: number,
  dimensionSets: readonly (readonly string[])[] = REQUEST_DIMENSION_SETS,
): void {
  const [directive] = doc._aws.CloudWatchMetrics;
  expect(directive?.Namespace).toBe(`${DEFAULT_NAMESPACE}/dev`);
  expect(directive?.Dimensions).toEqual(dimensionSets);
  const contract = new Map<string, string>(Object.values(METRICS).map((m) => [m.name, m.unit]));
  for (const metric of directive?.Metrics ?? []) {
    expect(contract.get(metric.Name), metric.Name).toBe(metric.Unit);
    expect(typeof doc[metric.Name], metric.Name).toBe("number");
  }
  expect(Number.isInteger(doc._aws.Timestamp)).toBe(true);
  expect(doc[DIMENSIONS.service]).toBe("lambda-vitals");
  expect(doc[DIMENSIONS.route]).toBe(route);
  expect(doc.status).toBe(status);
  expect(doc[METRICS.requests.name]).toBe(1);
  expect(doc[METRICS.latency.name]).toBeGreaterThanOrEqual(0);
  expect(doc[METRICS.errors.name]).toBe(status >= 500 ? 1 : 0);
  expect(doc[METRICS.clientErrors.name]).toBe(status >= 400 && status < 500 ? 1 : 0);
  expect(typeof doc.requestId).toBe("string");
}

describe("npm start (serverless-offline on 127.0.0.1)", () => {
  it("GET /orders/1001 answers 200 with the order and writes one canonical line", async () => {
    // Act
    const response = await fetch(`${server.baseUrl}/orders/1001`);
    const body = await response.json();

    // Assess
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ id: "1001", channel: "web" });
    const doc = await lineFor((d) => d.path === "/orders/1001");
    expectCanonical(doc, "GET /orders/{id}", 200);
    expect(doc.orderId).toBe("1001");
  });

  it("names a catch-all function's routes by the templates serverless.yml alone lists", async () => {
    // Act
    const matched = await fetch(`${server.baseUrl}/files/reports/2026`);
    const unmatched = await fetch(`${server.baseUrl}/files/loose`);

    // Assess: the plugin handed custom.vitals.routes.files to the wrapper
    expect([matched.status, unmatched.status]).toEqual([404, 404]);
    expectCanonical(
      await lineFor((d) => d.path === "/files/reports/2026"),
      "GET /files/{kind}/{name}",
      404,
    );
    expectCanonical(await lineFor((d) => d.path === "/files/loose"), "GET /files/{path+}", 404);
  });

  it("GET /orders/nope answers 404 and counts a client error under the route template", async () => {
    // Act
    const response = await fetch(`${server.baseUrl}/orders/nope`);
    const body = (await response.json()) as { message: string; requestId: string };

    // Assess
    expect(response.status).toBe(404);
    expect(body.message).toContain("not found");
    const doc = await lineFor((d) => d.requestId === body.requestId);
    expectCanonical(doc, "GET /orders/{id}", 404);
    expect(doc.path).toBe("/orders/nope");
  });

  it("POST /orders with a valid order answers 201 and adds the business metrics", async () => {
    // Act
    const response = await fetch(`${server.baseUrl}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ channel: "mobile", lines: [{ sku: "SKU-2", quantity: 2 }] }),
    });
    const body = (await response.json()) as { id: string; totalCents: number };

    // Assess: the order id is the request id, so the line is the one of this request
    expect(response.status).toBe(201);
    expect(body.totalCents).toBe(9998);
    const doc = await lineFor((d) => d.requestId === body.id);
    expectCanonical(doc, "POST /orders", 201);
    const business = doc._aws.CloudWatchMetrics[1];
    expect(business?.Dimensions).toEqual([[DIMENSIONS.service, "Channel"]]);
    expect(doc.Channel).toBe("mobile");
    expect(doc.OrdersCreated).toBe(1);
  });

  it("POST /orders with invalid JSON answers 400", async () => {
    // Act
    const response = await fetch(`${server.baseUrl}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    const body = (await response.json()) as { message: string; requestId: string };

    // Assess
    expect(response.status).toBe(400);
    expect(body.message).toBe("the body is not valid JSON");
    expectCanonical(await lineFor((d) => d.requestId === body.requestId), "POST /orders", 400);
  });

  it("GET /orders/1001/invoice answers a generic 500 and logs the cause only in the line", async () => {
    // Act
    const response = await fetch(`${server.baseUrl}/orders/1001/invoice`);
    const body = (await response.json()) as Record<string, unknown>;

    // Assess: the caller learns nothing of the cause, the log line keeps it
    expect(response.status).toBe(500);
    expect(Object.keys(body).sort()).toEqual(["message", "requestId"]);
    expect(JSON.stringify(body)).not.toContain("renderer");
    const doc = await lineFor((d) => d.requestId === body.requestId);
    expectCanonical(doc, "GET /orders/{id}/invoice", 500);
    expect(doc.errorType).toBe("Error");
    expect(doc.errorMessage).toContain("invoice renderer unreachable");
  });

  it("GET /health answers application/health+json with the status alone, 200 unless it fails", async () => {
    // Act
    const response = await fetch(`${server.baseUrl}/health`);
    const body = (await response.json()) as { status: string };

    // Assess: offline, the CloudWatch checks warn (nothing to query) and the answer is 200
    expect(response.headers.get("content-type")).toContain("application/health+json");
    expect(["pass", "warn", "fail"]).toContain(body.status);
    expect(response.status).toBe(body.status === "fail" ? 503 : 200);
    expect(Object.keys(body)).toEqual(["status"]);
    const doc = await lineFor((d) => d.path === "/health");
    // The health function is wrapped with serviceWide: false: per route only
    expectCanonical(doc, "GET /health", response.status, EVENT_DIMENSION_SETS);
  });

  it("GET /health/live answers 200 without running the checks", async () => {
    // Act
    const response = await fetch(`${server.baseUrl}/health/live`);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/health+json");
    const live = await lineFor((d) => d.path === "/health/live");
    expectCanonical(live, "GET /health/live", 200, EVENT_DIMENSION_SETS);
  });

  it("the scheduled run writes Health under [Service] and HealthCheck under [Service, Check]", async () => {
    // Prepare: the event EventBridge sends for `schedule: rate(1 minute)`
    const scheduled = {
      version: "0",
      id: "7bf73129-1428-4cd3-a780-95db273d1602",
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "123456789012",
      time: new Date().toISOString(),
      region: "us-east-1",
      resources: ["arn:aws:events:us-east-1:123456789012:rule/lambda-vitals-dev-health"],
      detail: {},
    };

    // Act
    const response = await fetch(
      `${server.lambdaUrl}/2015-03-31/functions/lambda-vitals-dev-health/invocations`,
      { method: "POST", body: JSON.stringify(scheduled) },
    );
    await response.arrayBuffer();

    // Assess: the alarm's metric, with the alarm's dimensions, in the alarm's namespace
    expect(response.status).toBe(200);
    const health = await lineFor((d) => d[HEALTH_METRICS.health.name] !== undefined);
    const directive = health._aws.CloudWatchMetrics.find((c) =>
      c.Metrics.some((m) => m.Name === HEALTH_METRICS.health.name),
    );
    expect(directive?.Namespace).toBe(`${DEFAULT_NAMESPACE}/dev`);
    expect(directive?.Dimensions).toEqual([[DIMENSIONS.service]]);
    expect([0, 1]).toContain(health[HEALTH_METRICS.health.name]);
    const isCheck = (d: Document) =>
      d.requestId === health.requestId && d[HEALTH_METRICS.check.name] !== undefined;
    const checks = await linesFor(isCheck);
    for (const check of checks) {
      expect(check._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([
        [DIMENSIONS.service, HEALTH_CHECK_DIMENSION],
      ]);
      expect(typeof check[HEALTH_CHECK_DIMENSION]).toBe("string");
      expect(check[DIMENSIONS.service]).toBe("lambda-vitals");
    }
  });
});
