/**
 * The canonical lines, compared whole: each test states the complete document a case writes
 * (minus the timestamp and the measured latency), so a member that goes missing, appears where it
 * should not, or changes its value fails here. Every line is also checked against the EMF rules.
 */
import type { Context } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HttpError, metricsFor, withVitals } from "../functions/vitals";
import { healthHandler, healthSettings } from "../functions/vitals/health";
import { lambdaContext } from "./fixtures/context";
import {
  COLD_START,
  type Doc,
  PER_ROUTE,
  requestDirective,
  SERVICE_WIDE,
  stable,
  TIMEOUTS,
} from "./fixtures/documents";
import { emfProblems } from "./fixtures/emf-spec";
import { httpApiEvent, scheduleEvent, sqsEvent } from "./fixtures/events";
import { type Captured, captureStdout } from "./fixtures/stdout";

const NAMESPACE = "Shop";
const SERVICE = "orders";
const options = { namespace: NAMESPACE, service: SERVICE };
const TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
const TRACE_ID = "1-5759e988-bd862e3fe1be46a994272793";
const REQUEST_ID = "req-1";

let out: Captured;

beforeEach(async () => {
  // The process's first invocation is its cold start: spend it here, so that the lines below are
  // warm ones (the cold-start line has its own test, on a freshly loaded library). In beforeEach,
  // not beforeAll: code run outside a test would count as every test's under mutation testing.
  const spent = captureStdout();
  await withVitals(async () => ({ statusCode: 200 }), options)(httpApiEvent(), lambdaContext());
  spent.restore();
  out = captureStdout();
  vi.stubEnv("_X_AMZN_TRACE_ID", TRACE_HEADER);
  vi.stubEnv("AWS_LAMBDA_MAX_CONCURRENCY", undefined);
  vi.stubEnv("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
});

afterEach(() => {
  out.restore();
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

/** The lines written so far: each valid EMF, returned parsed. */
function written(): Doc[] {
  for (const line of out.lines()) expect(emfProblems(line, Date.now())).toEqual([]);
  return out.documents();
}

/** The one line written so far, without timestamp and latency. */
function onlyLine(): Doc {
  const docs = written();
  expect(docs).toHaveLength(1);
  return stable(docs[0] as Doc);
}

/** The members every HTTP API line for `GET /orders/1001` carries. */
const httpMembers = {
  Service: SERVICE,
  Route: "GET /orders/{id}",
  requestId: REQUEST_ID,
  traceId: TRACE_ID,
  method: "GET",
  path: "/orders/1001",
};

const context = (): Context => lambdaContext({ requestId: REQUEST_ID });

describe("the canonical line, whole", () => {
  it("of a success holds the request metrics and the request's fields, and no error field", async () => {
    // Prepare
    const handler = withVitals(async () => ({ statusCode: 200, body: "ok" }), options);
    // Act
    await handler(httpApiEvent(), context());
    // Assess
    expect(onlyLine()).toStrictEqual({
      _aws: { CloudWatchMetrics: [requestDirective(NAMESPACE, SERVICE_WIDE)] },
      ...httpMembers,
      status: 200,
      Requests: 1,
      Errors: 0,
      ClientErrors: 0,
    });
  });

  it("of a cold start adds ColdStart to the directive and to the line", async () => {
    // Prepare: a freshly loaded library, whose cold-start flag is unspent
    vi.resetModules();
    const fresh = await import("../functions/vitals/index.ts");
    const handler = fresh.withVitals(async () => ({ statusCode: 200, body: "ok" }), options);
    // Act
    await handler(httpApiEvent(), context());
    // Assess
    expect(onlyLine()).toStrictEqual({
      _aws: { CloudWatchMetrics: [requestDirective(NAMESPACE, SERVICE_WIDE, [COLD_START])] },
      ...httpMembers,
      status: 200,
      Requests: 1,
      Errors: 0,
      ClientErrors: 0,
      ColdStart: 1,
    });
  });

  it("of an HttpError 404 counts a client error and names the error", async () => {
    // Prepare
    const handler = withVitals(async () => {
      throw new HttpError(404, "order 1001 not found");
    }, options);
    // Act
    const response = await handler(httpApiEvent(), context());
    // Assess
    expect(response).toStrictEqual({
      statusCode: 404,
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ message: "order 1001 not found", requestId: REQUEST_ID }),
      isBase64Encoded: false,
    });
    expect(onlyLine()).toStrictEqual({
      _aws: { CloudWatchMetrics: [requestDirective(NAMESPACE, SERVICE_WIDE)] },
      ...httpMembers,
      status: 404,
      errorType: "HttpError",
      errorMessage: "order 1001 not found",
      Requests: 1,
      Errors: 0,
      ClientErrors: 1,
    });
  });

  it("of a thrown error counts an error, not a client error, and keeps the message from the caller", async () => {
    // Prepare
    const handler = withVitals(async () => {
      throw new Error("database down");
    }, options);
    // Act
    const response = await handler(httpApiEvent(), context());
    // Assess
    expect(response).toStrictEqual({
      statusCode: 500,
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ message: "Internal Server Error", requestId: REQUEST_ID }),
      isBase64Encoded: false,
    });
    expect(onlyLine()).toStrictEqual({
      _aws: { CloudWatchMetrics: [requestDirective(NAMESPACE, SERVICE_WIDE)] },
      ...httpMembers,
      status: 500,
      errorType: "Error",
      errorMessage: "database down",
      Requests: 1,
      Errors: 1,
      ClientErrors: 0,
    });
  });

  it("of a returned 500 counts an error and no client error", async () => {
    // Prepare
    const handler = withVitals(async () => ({ statusCode: 500, body: "oops" }), options);
    // Act
    await handler(httpApiEvent(), context());
    // Assess
    expect(onlyLine()).toStrictEqual({
      _aws: { CloudWatchMetrics: [requestDirective(NAMESPACE, SERVICE_WIDE)] },
      ...httpMembers,
      status: 500,
      Requests: 1,
      Errors: 1,
      ClientErrors: 0,
    });
  });

  it("of a timeout adds Timeouts to the directive and to the line, and has no status", async () => {
    // Prepare: a handler that outlives a 1 s deadline (written 10% before it)
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance", "hrtime"] });
    const handler = withVitals(() => new Promise<never>(() => {}), options);
    // Act
    void handler(httpApiEvent(), lambdaContext({ requestId: REQUEST_ID, timeoutMs: 1000 }));
    await vi.advanceTimersByTimeAsync(950);
    // Assess
    expect(onlyLine()).toStrictEqual({
      _aws: { CloudWatchMetrics: [requestDirective(NAMESPACE, SERVICE_WIDE, [TIMEOUTS])] },
      ...httpMembers,
      errorType: "Timeout",
      errorMessage: "no result after 900 ms",
      Requests: 1,
      Errors: 1,
      ClientErrors: 0,
      Timeouts: 1,
    });
  });

  it("of a non-HTTP event counts it per route only, with no HTTP field", async () => {
    // Prepare
    const handler = withVitals(async () => undefined, options);
    // Act
    await handler(sqsEvent(), context());
    // Assess
    expect(onlyLine()).toStrictEqual({
      _aws: { CloudWatchMetrics: [requestDirective(NAMESPACE, PER_ROUTE)] },
      Service: SERVICE,
      Route: "event:sqs",
      requestId: REQUEST_ID,
      traceId: TRACE_ID,
      Requests: 1,
      Errors: 0,
      ClientErrors: 0,
    });
  });

  it("of a non-HTTP event that throws counts an error and names it", async () => {
    // Prepare
    const failure = new TypeError("bad message");
    const handler = withVitals(async () => {
      throw failure;
    }, options);
    // Act
    const outcome = handler(sqsEvent(), context());
    // Assess
    await expect(outcome).rejects.toBe(failure);
    expect(onlyLine()).toStrictEqual({
      _aws: { CloudWatchMetrics: [requestDirective(NAMESPACE, PER_ROUTE)] },
      Service: SERVICE,
      Route: "event:sqs",
      requestId: REQUEST_ID,
      traceId: TRACE_ID,
      errorType: "TypeError",
      errorMessage: "bad message",
      Requests: 1,
      Errors: 1,
      ClientErrors: 0,
    });
  });

  it("with the handler's own metrics, dimensions and properties adds a directive and their members", async () => {
    // Prepare
    const handler = withVitals(async (_event: unknown, ctx: Context) => {
      const metrics = metricsFor(ctx);
      metrics.addDimension("Tenant", "acme");
      metrics.addMetric("OrdersCreated", 1, "Count");
      metrics.addMetric("OrdersCreated", 2, "Count");
      metrics.addMetric("QueueDepth", 7, "Count", 1);
      metrics.addMetric("Plain", 0.5);
      metrics.addProperty("orderId", "o-1001");
      return { statusCode: 201, body: "{}" };
    }, options);
    // Act
    await handler(httpApiEvent({ method: "POST", path: "/orders", route: "/orders" }), context());
    // Assess
    expect(onlyLine()).toStrictEqual({
      _aws: {
        CloudWatchMetrics: [
          requestDirective(NAMESPACE, SERVICE_WIDE),
          {
            Namespace: NAMESPACE,
            Dimensions: [["Service", "Tenant"]],
            Metrics: [
              { Name: "OrdersCreated", Unit: "Count" },
              { Name: "QueueDepth", Unit: "Count", StorageResolution: 1 },
              { Name: "Plain", Unit: "None" },
            ],
          },
        ],
      },
      Service: SERVICE,
      Route: "POST /orders",
      requestId: REQUEST_ID,
      traceId: TRACE_ID,
      method: "POST",
      path: "/orders",
      status: 201,
      Requests: 1,
      Errors: 0,
      ClientErrors: 0,
      orderId: "o-1001",
      Tenant: "acme",
      OrdersCreated: [1, 2],
      QueueDepth: 7,
      Plain: 0.5,
    });
  });

  it("with rejected metric data is followed by a DroppedMetricData warning line", async () => {
    // Prepare: every metric the handler records is one CloudWatch would reject
    const handler = withVitals(async (_event: unknown, ctx: Context) => {
      metricsFor(ctx).addMetric("Ratio", Number.NaN);
      metricsFor(ctx).addMetric("Big", Number.POSITIVE_INFINITY, "Count");
      return { statusCode: 200, body: "ok" };
    }, options);
    // Act
    await handler(httpApiEvent(), context());
    // Assess
    const docs = written().map(stable);
    expect(docs).toStrictEqual([
      {
        _aws: { CloudWatchMetrics: [requestDirective(NAMESPACE, SERVICE_WIDE)] },
        ...httpMembers,
        status: 200,
        Requests: 1,
        Errors: 0,
        ClientErrors: 0,
      },
      {
        _aws: {
          CloudWatchMetrics: [
            {
              Namespace: NAMESPACE,
              Dimensions: [["Service"]],
              Metrics: [{ Name: "DroppedMetricData", Unit: "Count" }],
            },
          ],
        },
        Service: SERVICE,
        requestId: REQUEST_ID,
        level: "WARN",
        message: "lambda-vitals dropped 2 metric entries that CloudWatch would reject",
        problems: [
          "metric Ratio dropped: NaN is not a finite number within ±2^360",
          "metric Big dropped: Infinity is not a finite number within ±2^360",
        ],
        DroppedMetricData: 2,
      },
    ]);
  });
});

describe("the health lines, whole", () => {
  it("of a scheduled run: one HealthCheck line per check, then the canonical line with Health", async () => {
    // Prepare
    const settings = healthSettings({
      VITALS_NAMESPACE: NAMESPACE,
      VITALS_SERVICE: SERVICE,
      HEALTH_CACHE_MS: "0",
      VITALS_VERSION: "2",
      VITALS_RELEASE: "abc123",
    });
    const handler = withVitals(
      healthHandler({
        settings,
        checks: [
          {
            name: "db:ping",
            onFailure: "fail",
            run: () => ({ observedValue: 3, observedUnit: "ms" }),
          },
          {
            name: "queue:depth",
            onFailure: "warn",
            run: () => ({ status: "warn", output: "deep" }),
          },
        ],
      }),
      { ...options, serviceWide: false },
    );
    // Act
    const response = await handler(scheduleEvent(), context());
    // Assess
    expect(response.statusCode).toBe(200);
    const checkLine = (check: string, status: string, value: number): Doc => ({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: NAMESPACE,
            Dimensions: [["Service", "Check"]],
            Metrics: [{ Name: "HealthCheck", Unit: "Count" }],
          },
        ],
      },
      Service: SERVICE,
      Check: check,
      requestId: REQUEST_ID,
      checkStatus: status,
      HealthCheck: value,
    });
    const summary = (status: string, output?: string) => ({
      status,
      ...(output === undefined ? {} : { output }),
      durationMs: expect.any(Number),
      time: expect.any(String),
    });
    expect(written().map(stable)).toStrictEqual([
      checkLine("db:ping", "pass", 1),
      checkLine("queue:depth", "warn", 0),
      {
        _aws: {
          CloudWatchMetrics: [
            requestDirective(NAMESPACE, PER_ROUTE),
            {
              Namespace: NAMESPACE,
              Dimensions: [["Service"]],
              Metrics: [{ Name: "Health", Unit: "Count" }],
            },
          ],
        },
        Service: SERVICE,
        Route: "event:schedule",
        requestId: REQUEST_ID,
        traceId: TRACE_ID,
        Requests: 1,
        Errors: 0,
        ClientErrors: 0,
        health: {
          status: "warn",
          checks: { "db:ping": summary("pass"), "queue:depth": summary("warn", "deep") },
        },
        Health: 1,
      },
    ]);
  });
});
