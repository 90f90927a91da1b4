import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HttpError, METRICS, metricsFor, withVitals } from "../functions/vitals";
import { lambdaContext } from "./fixtures/context";
import { emfProblems } from "./fixtures/emf-spec";
import {
  albEvent,
  functionUrlEvent,
  httpApiEvent,
  restApiEvent,
  scheduleEvent,
  sqsEvent,
} from "./fixtures/events";
import { type Captured, captureStdout } from "./fixtures/stdout";

let out: Captured;
beforeEach(() => {
  out = captureStdout();
});
afterEach(() => {
  out.restore();
  vi.useRealTimers();
  vi.unstubAllEnvs();
  delete (globalThis as { awslambda?: unknown }).awslambda;
});

const ok = async () => ({ statusCode: 200, body: "ok" });
const options = { namespace: "Test", service: "orders" };

function only(docs: Record<string, unknown>[]): Record<string, unknown> {
  expect(docs).toHaveLength(1);
  return docs[0] as Record<string, unknown>;
}

function metricNames(doc: Record<string, unknown>): string[] {
  const aws = doc._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] };
  return aws.CloudWatchMetrics.flatMap((d) => d.Metrics.map((m) => m.Name));
}

describe("the canonical line", () => {
  it("writes exactly one valid EMF line per invocation with the request metrics", async () => {
    // Prepare
    const handler = withVitals(ok, options);
    const context = lambdaContext({ requestId: "req-1" });
    // Act
    const result = await handler(httpApiEvent(), context);
    // Assess
    expect(result).toEqual({ statusCode: 200, body: "ok" });
    expect(out.lines()).toHaveLength(1);
    expect(emfProblems(out.lines()[0] ?? "")).toEqual([]);
    const doc = only(out.documents());
    expect(doc).toMatchObject({
      Service: "orders",
      Route: "GET /orders/{id}",
      Requests: 1,
      Errors: 0,
      ClientErrors: 0,
      requestId: "req-1",
      method: "GET",
      path: "/orders/1001",
      status: 200,
    });
    expect(doc.Latency).toBeTypeOf("number");
    const directive = (doc._aws as { CloudWatchMetrics: Record<string, unknown>[] })
      .CloudWatchMetrics[0];
    expect(directive?.Namespace).toBe("Test");
    expect(directive?.Dimensions).toEqual([["Service", "Route"], ["Service"]]);
    expect(metricNames(doc)).toEqual(
      expect.arrayContaining([METRICS.requests.name, METRICS.latency.name, METRICS.errors.name]),
    );
  });

  it("measures the handler's latency", async () => {
    const handler = withVitals(async () => {
      await new Promise((resolve) => setTimeout(resolve, 60));
      return { statusCode: 200 };
    }, options);
    await handler(httpApiEvent(), lambdaContext());
    const latency = only(out.documents()).Latency as number;
    expect(latency).toBeGreaterThanOrEqual(55);
    expect(latency).toBeLessThan(2000);
  });

  it("uses the route template as the Route dimension, never the raw path", async () => {
    const handler = withVitals(ok, options);
    await handler(httpApiEvent({ path: "/orders/8f1c2e", route: "/orders/{id}" }), lambdaContext());
    await handler(httpApiEvent({ path: "/orders/aa", route: "/orders/{id}" }), lambdaContext());
    const routes = out.documents().map((d) => d.Route);
    expect(routes).toEqual(["GET /orders/{id}", "GET /orders/{id}"]);
  });

  it("keeps a function out of the service-wide series with serviceWide: false", async () => {
    await withVitals(ok, { ...options, serviceWide: false })(httpApiEvent(), lambdaContext());
    const doc = only(out.documents());
    const aws = doc._aws as { CloudWatchMetrics: { Dimensions: unknown }[] };
    expect(aws.CloudWatchMetrics[0]?.Dimensions).toEqual([["Service", "Route"]]);
    expect(doc).toMatchObject({ Route: "GET /orders/{id}", Requests: 1, status: 200 });
  });

  it("takes namespace and service from the environment that serverless.yml sets", async () => {
    vi.stubEnv("VITALS_NAMESPACE", "Shop/prod");
    vi.stubEnv("VITALS_SERVICE", "shop");
    await withVitals(ok)(httpApiEvent(), lambdaContext());
    const doc = only(out.documents());
    expect(doc.Service).toBe("shop");
    const aws = doc._aws as { CloudWatchMetrics: { Namespace: string }[] };
    expect(aws.CloudWatchMetrics[0]?.Namespace).toBe("Shop/prod");
  });

  it("reads a blank variable as unset, as the health check does", async () => {
    vi.stubEnv("VITALS_NAMESPACE", " ");
    vi.stubEnv("VITALS_SERVICE", "");
    vi.stubEnv("AWS_LAMBDA_FUNCTION_NAME", "orders-fn");
    await withVitals(ok)(httpApiEvent(), lambdaContext());
    const doc = only(out.documents());
    expect(doc.Service).toBe("orders-fn");
    const aws = doc._aws as { CloudWatchMetrics: { Namespace: string }[] };
    expect(aws.CloudWatchMetrics[0]?.Namespace).toBe("LambdaVitals");
  });

  it("writes with process.stdout.write and never through console", async () => {
    const log = vi.spyOn(console, "log");
    const info = vi.spyOn(console, "info");
    await withVitals(ok, options)(httpApiEvent(), lambdaContext());
    expect(log).not.toHaveBeenCalled();
    expect(info).not.toHaveBeenCalled();
    expect(out.lines()).toHaveLength(1);
    log.mockRestore();
    info.mockRestore();
  });

  it("keeps a typical success line under 600 bytes", async () => {
    vi.stubEnv(
      "_X_AMZN_TRACE_ID",
      "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
    );
    await withVitals(ok, { namespace: "LambdaVitals/prod", service: "orders-api" })(
      httpApiEvent(),
      lambdaContext({ requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef" }),
    );
    const line = out.lines()[0] ?? "";
    expect(Buffer.byteLength(line)).toBeLessThan(600);
    expect(only(out.documents()).traceId).toBe("1-5759e988-bd862e3fe1be46a994272793");
  });
});

describe("status and errors", () => {
  it("counts a 4xx result as a client error and a 5xx result as an error", async () => {
    const handler = withVitals(
      async (event: APIGatewayProxyEventV2) => ({
        statusCode: Number(event.rawPath.slice(1)),
      }),
      options,
    );
    await handler(httpApiEvent({ path: "/404" }), lambdaContext());
    await handler(httpApiEvent({ path: "/503" }), lambdaContext());
    const [clientError, serverError] = out.documents();
    expect(clientError).toMatchObject({ status: 404, Errors: 0, ClientErrors: 1 });
    expect(serverError).toMatchObject({ status: 503, Errors: 1, ClientErrors: 0 });
  });

  it("maps an HttpError to its status and exposes a 4xx message", async () => {
    const handler = withVitals(async (): Promise<unknown> => {
      throw new HttpError(404, "order 7 not found");
    }, options);
    const response = (await handler(httpApiEvent(), lambdaContext({ requestId: "r-404" }))) as {
      statusCode: number;
      body: string;
    };
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toEqual({ message: "order 7 not found", requestId: "r-404" });
    expect(only(out.documents())).toMatchObject({
      status: 404,
      ClientErrors: 1,
      Errors: 0,
      errorType: "HttpError",
      errorMessage: "order 7 not found",
    });
  });

  it("hides the message of a 5xx HttpError unless it is exposed", async () => {
    const hidden = withVitals(async (): Promise<unknown> => {
      throw new HttpError(503, "db password rejected", { cause: new Error("x") });
    }, options);
    const shown = withVitals(async (): Promise<unknown> => {
      throw new HttpError(503, "try again in a minute", { expose: true });
    }, options);
    const a = (await hidden(httpApiEvent(), lambdaContext())) as {
      statusCode: number;
      body: string;
    };
    const b = (await shown(httpApiEvent(), lambdaContext())) as { body: string };
    expect(a.statusCode).toBe(503);
    expect(JSON.parse(a.body).message).toBe("Service Unavailable");
    expect(a.body).not.toContain("password");
    expect(JSON.parse(b.body).message).toBe("try again in a minute");
  });

  it("keeps an HttpError's status whatever a JavaScript caller passed as expose, and never answers an empty message", async () => {
    const loose = withVitals(async (): Promise<unknown> => {
      throw new HttpError(404, "order 7 not found", { expose: 1 as unknown as boolean });
    }, options);
    const empty = withVitals(async (): Promise<unknown> => {
      throw new HttpError(409, "");
    }, options);
    const a = (await loose(httpApiEvent(), lambdaContext())) as {
      statusCode: number;
      body: string;
    };
    const b = (await empty(httpApiEvent(), lambdaContext())) as {
      statusCode: number;
      body: string;
    };
    expect(a.statusCode).toBe(404);
    expect(JSON.parse(a.body).message).toBe("order 7 not found");
    expect(b.statusCode).toBe(409);
    expect(JSON.parse(b.body).message).toBe("Conflict");
  });

  it("turns any other throw into a 500 that names only the request id", async () => {
    const handler = withVitals(async (): Promise<unknown> => {
      throw new TypeError("secret connection string postgres://u:p@db");
    }, options);
    const response = (await handler(httpApiEvent(), lambdaContext({ requestId: "r-500" }))) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    };
    expect(response.statusCode).toBe(500);
    expect(response.headers["content-type"]).toContain("application/json");
    expect(JSON.parse(response.body)).toEqual({
      message: "Internal Server Error",
      requestId: "r-500",
    });
    expect(response.body).not.toContain("postgres");
    expect(only(out.documents())).toMatchObject({
      status: 500,
      Errors: 1,
      errorType: "TypeError",
      errorMessage: "secret connection string postgres://u:p@db",
    });
  });

  it("keeps the status of errors shaped like the http-errors package", async () => {
    const handler = withVitals(async (): Promise<unknown> => {
      throw Object.assign(new Error("Payload Too Large"), { status: 413, expose: true });
    }, options);
    const response = (await handler(httpApiEvent(), lambdaContext())) as { statusCode: number };
    expect(response.statusCode).toBe(413);
  });

  it("survives throws of values that are not errors", async () => {
    const weird = {
      get message(): string {
        throw new Error("getter");
      },
      toString(): string {
        throw new Error("toString");
      },
    };
    for (const thrown of [undefined, null, "text", 42, weird]) {
      const handler = withVitals(async (): Promise<unknown> => {
        throw thrown;
      }, options);
      const response = (await handler(httpApiEvent(), lambdaContext())) as { statusCode: number };
      expect(response.statusCode).toBe(500);
    }
    expect(out.documents().map((d) => d.Errors)).toEqual([1, 1, 1, 1, 1]);
  });

  it("answers 500 for a thrown object whose getters throw, and leaves no timer behind", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
    const hostile = {
      get expose(): boolean {
        throw new Error("getter boom");
      },
      get status(): number {
        throw new Error("getter boom");
      },
    };
    const handler = withVitals(async (): Promise<unknown> => {
      throw hostile;
    }, options);
    const response = (await handler(httpApiEvent(), lambdaContext({ timeoutMs: 1000 }))) as {
      statusCode: number;
    };
    expect(response.statusCode).toBe(500);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(only(out.documents())).toMatchObject({ status: 500, Errors: 1 });
  });

  it("answers 500 for a handler that throws synchronously", async () => {
    const handler = withVitals(
      ((): Promise<unknown> => {
        throw new Error("sync");
      }) as () => Promise<unknown>,
      options,
    );
    const response = (await handler(httpApiEvent(), lambdaContext())) as { statusCode: number };
    expect(response.statusCode).toBe(500);
    expect(only(out.documents()).errorMessage).toBe("sync");
  });

  it("records the 502 that a REST API sends when the result has no status code", async () => {
    const handler = withVitals(async () => ({ body: "forgot the status" }), options);
    await handler(restApiEvent(), lambdaContext());
    expect(only(out.documents())).toMatchObject({
      status: 502,
      Errors: 1,
      errorType: "InvalidResponse",
    });
  });

  it("records the 200 that an HTTP API infers from a bare result", async () => {
    const handler = withVitals(async () => ({ id: 1 }), options);
    await handler(httpApiEvent(), lambdaContext());
    expect(only(out.documents())).toMatchObject({ status: 200, Errors: 0 });
  });
});

describe("front doors", () => {
  it("answers each front door in the shape it expects", async () => {
    const handler = withVitals(async (): Promise<unknown> => {
      throw new HttpError(400, "bad");
    }, options);
    const alb = (await handler(albEvent(), lambdaContext())) as Record<string, unknown>;
    const albMulti = (await handler(albEvent({ multiValue: true }), lambdaContext())) as Record<
      string,
      unknown
    >;
    const rest = (await handler(restApiEvent(), lambdaContext())) as Record<string, unknown>;
    const url = (await handler(functionUrlEvent(), lambdaContext())) as Record<string, unknown>;
    expect(alb).toMatchObject({ statusCode: 400, statusDescription: "400 Bad Request" });
    expect(alb.headers).toEqual({ "content-type": "application/json; charset=utf-8" });
    expect(albMulti.multiValueHeaders).toEqual({
      "content-type": ["application/json; charset=utf-8"],
    });
    expect(albMulti.headers).toBeUndefined();
    expect(rest).toMatchObject({ statusCode: 400, isBase64Encoded: false });
    expect(url).toMatchObject({ statusCode: 400 });
    expect(out.documents().map((d) => d.Route)).toEqual([
      "GET /*",
      "GET /*",
      "GET /orders/{id}",
      "GET /*",
    ]);
  });

  it("names routes of template-less front doors from the routes option", async () => {
    const handler = withVitals(ok, { ...options, routes: ["/orders/{id}", "POST /orders"] });
    await handler(albEvent({ path: "/orders/123" }), lambdaContext());
    await handler(functionUrlEvent({ method: "POST", path: "/orders" }), lambdaContext());
    await handler(functionUrlEvent({ method: "GET", path: "/orders" }), lambdaContext());
    expect(out.documents().map((d) => d.Route)).toEqual([
      "GET /orders/{id}",
      "POST /orders",
      "GET /*",
    ]);
  });

  it("times and counts non-HTTP events and rethrows their errors", async () => {
    const failure = new Error("poison message");
    const handler = withVitals(async (event: unknown) => {
      if (Array.isArray((event as { Records?: unknown }).Records)) throw failure;
      return "done";
    }, options);
    await expect(handler(sqsEvent(), lambdaContext())).rejects.toBe(failure);
    await expect(handler(scheduleEvent(), lambdaContext())).resolves.toBe("done");
    const [sqs, schedule] = out.documents();
    expect(sqs).toMatchObject({
      Route: "event:sqs",
      Requests: 1,
      Errors: 1,
      errorMessage: "poison message",
    });
    expect(sqs?.status).toBeUndefined();
    expect(schedule).toMatchObject({ Route: "event:schedule", Requests: 1, Errors: 0 });
  });

  it("never crashes on malformed events and still writes a line", async () => {
    const malformed: unknown[] = [
      null,
      undefined,
      "a string",
      42,
      [],
      {},
      { version: "2.0" },
      { version: "2.0", requestContext: {} },
      { version: "2.0", requestContext: { http: null }, routeKey: 7 },
      { httpMethod: 5, requestContext: {} },
      { requestContext: { elb: {} } },
      { requestContext: { elb: {} }, httpMethod: "BREW", path: "/\u0000\u00ff" },
      { Records: "not an array" },
    ];
    const handler = withVitals(
      async (event: unknown) => ({ statusCode: 200, body: typeof event }),
      options,
    );
    for (const event of malformed) {
      const result = (await handler(event, lambdaContext())) as { statusCode: number };
      expect(result.statusCode).toBe(200);
    }
    const lines = out.lines();
    expect(lines).toHaveLength(malformed.length);
    for (const line of lines) expect(emfProblems(line)).toEqual([]);
  });

  it("answers a clean 500 when a malformed HTTP event breaks the handler", async () => {
    const handler = withVitals(
      async (event: APIGatewayProxyEventV2) => ({
        statusCode: 200,
        body: event.requestContext.http.method,
      }),
      options,
    );
    const response = (await handler(
      { version: "2.0", requestContext: {} } as unknown as APIGatewayProxyEventV2,
      lambdaContext(),
    )) as { statusCode: number };
    expect(response.statusCode).toBe(500);
    expect(only(out.documents())).toMatchObject({ Errors: 1, errorType: "TypeError" });
  });
});

describe("the handler's own metrics", () => {
  it("adds metrics, dimensions and properties to the invocation's line", async () => {
    const handler = withVitals(async (_event: unknown, context: Context) => {
      const metrics = metricsFor(context);
      metrics.addDimension("Channel", "web");
      metrics.addMetric("OrdersCreated", 1, "Count");
      metrics.addMetric("CartSize", 3, "Count");
      metrics.addMetric("CartSize", 5, "Count");
      metrics.addMetric("QueueDepth", 12, "None", 1);
      metrics.addProperty("orderId", "o-1");
      return { statusCode: 201 };
    }, options);
    await handler(httpApiEvent({ method: "POST" }), lambdaContext());
    const line = out.lines()[0] ?? "";
    expect(emfProblems(line)).toEqual([]);
    const doc = only(out.documents());
    expect(doc).toMatchObject({
      OrdersCreated: 1,
      CartSize: [3, 5],
      QueueDepth: 12,
      Channel: "web",
      orderId: "o-1",
    });
    const directives = (doc._aws as { CloudWatchMetrics: Record<string, unknown>[] })
      .CloudWatchMetrics;
    const custom = directives.find((d) => (d.Dimensions as string[][])[0]?.includes("Channel"));
    expect(custom?.Dimensions).toEqual([["Service", "Channel"]]);
    expect(custom?.Metrics).toEqual([
      { Name: "OrdersCreated", Unit: "Count" },
      { Name: "CartSize", Unit: "Count" },
      { Name: "QueueDepth", Unit: "None", StorageResolution: 1 },
    ]);
  });

  it("drops invalid values with one warning line and never writes them", async () => {
    const handler = withVitals(async (_event: unknown, context: Context) => {
      const metrics = metricsFor(context);
      metrics.addMetric("Good", 1);
      metrics.addMetric("Nan", Number.NaN);
      metrics.addMetric("Inf", Number.POSITIVE_INFINITY);
      metrics.addMetric("Huge", 1e300 * 1e300);
      metrics.addMetric("Text", "12" as unknown as number);
      metrics.addMetric("Good", Number.NEGATIVE_INFINITY);
      metrics.addMetric("", 1);
      metrics.addMetric("Unit", 1, "Parsecs" as never);
      metrics.addDimension("Tenant", "\u00e9l\u00e8ve");
      metrics.addProperty("Requests", "taken");
      return { statusCode: 200 };
    }, options);
    await handler(httpApiEvent(), lambdaContext({ requestId: "r-warn" }));
    const lines = out.lines();
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(emfProblems(line)).toEqual([]);
    const [main, warning] = out.documents();
    expect(main).toMatchObject({ Good: 1, Requests: 1 });
    for (const name of ["Nan", "Inf", "Huge", "Text", "Unit", "Tenant"]) {
      expect(main).not.toHaveProperty(name);
    }
    expect(warning).toMatchObject({ level: "WARN", requestId: "r-warn", DroppedMetricData: 9 });
    expect(String(warning?.problems)).toContain("metric Nan dropped");
  });

  it("drops __proto__ as a name, which would otherwise break the whole line", async () => {
    const handler = withVitals(async (_event: unknown, context: Context) => {
      metricsFor(context).addDimension("__proto__", "x");
      metricsFor(context).addMetric("__proto__", 1);
      metricsFor(context).addMetric("Kept", 1);
      return { statusCode: 200 };
    }, options);
    await handler(httpApiEvent(), lambdaContext());
    for (const line of out.lines()) expect(emfProblems(line)).toEqual([]);
    const [main, warning] = out.documents();
    expect(main).toMatchObject({ Kept: 1, Requests: 1 });
    expect(warning).toMatchObject({ DroppedMetricData: 2 });
  });

  it("drops toJSON as a name, which JSON.stringify would call instead of writing the properties", async () => {
    const handler = withVitals(async (_event: unknown, context: Context) => {
      metricsFor(context).addProperty("toJSON", () => "broken");
      metricsFor(context).addProperty("kept", 1);
      return { statusCode: 200 };
    }, options);
    await handler(httpApiEvent(), lambdaContext());
    for (const line of out.lines()) expect(emfProblems(line)).toEqual([]);
    const [main, warning] = out.documents();
    expect(main).toMatchObject({ kept: 1, Requests: 1 });
    expect(warning).toMatchObject({ DroppedMetricData: 1 });
  });

  it("gives a detached recorder outside a wrapped handler", () => {
    const metrics = metricsFor(lambdaContext());
    expect(() => metrics.addMetric("X", 1)).not.toThrow();
    expect(out.lines()).toEqual([]);
  });

  it("splits more than 100 values of one metric across lines without losing any", async () => {
    const handler = withVitals(async (_event: unknown, context: Context) => {
      for (let i = 0; i < 250; i++) metricsFor(context).addMetric("Item", i, "Count");
      return { statusCode: 200 };
    }, options);
    await handler(httpApiEvent(), lambdaContext());
    const lines = out.lines();
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(emfProblems(line)).toEqual([]);
    const values = out.documents().flatMap((d) => d.Item as number[]);
    expect(values).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(out.documents().filter((d) => d.Requests === 1)).toHaveLength(1);
  });

  it("puts more than 100 metrics into several directives of the same line", async () => {
    const handler = withVitals(async (_event: unknown, context: Context) => {
      for (let i = 0; i < 150; i++) metricsFor(context).addMetric(`M${i}`, i);
      return { statusCode: 200 };
    }, options);
    await handler(httpApiEvent(), lambdaContext());
    const line = out.lines()[0] ?? "";
    expect(out.lines()).toHaveLength(1);
    expect(emfProblems(line)).toEqual([]);
    const doc = only(out.documents());
    expect(metricNames(doc).filter((n) => n.startsWith("M"))).toHaveLength(150);
    const directives = (doc._aws as { CloudWatchMetrics: { Metrics: unknown[] }[] })
      .CloudWatchMetrics;
    expect(directives.map((d) => d.Metrics.length)).toEqual([4, 100, 50]);
  });

  it("keeps a line within 256 KB by dropping oversized properties first", async () => {
    const handler = withVitals(async (_event: unknown, context: Context) => {
      metricsFor(context).addProperty("dump", "x".repeat(400_000));
      metricsFor(context).addMetric("Kept", 1);
      return { statusCode: 200 };
    }, options);
    await handler(httpApiEvent(), lambdaContext());
    const line = out.lines()[0] ?? "";
    expect(emfProblems(line)).toEqual([]);
    const doc = only(out.documents());
    expect(doc).toMatchObject({ Kept: 1, Requests: 1 });
    expect(doc.dump).toBeUndefined();
    expect(doc.vitalsPropertiesDropped).toBeTypeOf("string");
  });
});

describe("lines at CloudWatch's size limit", () => {
  /** Every value of every custom metric, in order, across all lines. */
  function valuesOf(docs: Record<string, unknown>[], names: string[]): Record<string, number[]> {
    const found: Record<string, number[]> = {};
    for (const doc of docs) {
      for (const name of metricNames(doc).filter((n) => names.includes(n))) {
        const value = doc[name];
        const values = found[name] ?? [];
        found[name] = values;
        values.push(...(Array.isArray(value) ? value : [value as number]));
      }
    }
    return found;
  }

  it("spreads metrics too large for one line over several, losing none and keeping the properties", async () => {
    // Prepare: 300 metrics with long names, each of 150 long values (about 1.4 MB of data), and
    // long dimensions that every line repeats
    const names = Array.from({ length: 300 }, (_, i) => `M${i}`.padEnd(200, "x"));
    const value = (i: number) => -1.234567890123457e-300 * (i + 1) - Math.PI * 1e-310;
    const handler = withVitals(async (_event: unknown, context: Context) => {
      const metrics = metricsFor(context);
      for (const dimension of ["Tenant", "Region", "Stage"]) {
        metrics.addDimension(dimension, dimension[0]?.repeat(1000) ?? "");
      }
      metrics.addProperty("note", "kept");
      for (const name of names) for (let i = 0; i < 150; i++) metrics.addMetric(name, value(i));
      return { statusCode: 200 };
    }, options);

    // Act
    await handler(httpApiEvent(), lambdaContext({ requestId: "r-big" }));

    // Assess
    const lines = out.lines();
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(emfProblems(line)).toEqual([]);
    const docs = out.documents();
    const expected = Array.from({ length: 150 }, (_, i) => value(i));
    const found = valuesOf(docs, names);
    for (const name of names) expect(found[name]).toEqual(expected);
    expect(docs.filter((d) => d.Requests === 1)).toHaveLength(1);
    expect(docs.filter((d) => d.note === "kept")).toHaveLength(1);
    for (const doc of docs) {
      expect(doc).toMatchObject({
        requestId: "r-big",
        Service: "orders",
        Tenant: "T".repeat(1000),
      });
    }
  });
});

describe("cold starts and ids", () => {
  it("prefers the runtime's per-invocation store for request and trace ids", async () => {
    (globalThis as { awslambda?: unknown }).awslambda = {
      InvokeStore: {
        getRequestId: () => "from-store",
        getXRayTraceId: () => "Root=1-aaaaaaaa-bbbbbbbbbbbbbbbbbbbbbbbb;Sampled=1",
      },
    };
    vi.stubEnv("_X_AMZN_TRACE_ID", "Root=1-00000000-000000000000000000000000");
    await withVitals(ok, options)(httpApiEvent(), lambdaContext({ requestId: "from-context" }));
    expect(only(out.documents())).toMatchObject({
      requestId: "from-store",
      traceId: "1-aaaaaaaa-bbbbbbbbbbbbbbbbbbbbbbbb",
    });
  });

  it("falls back to the context when the store answers outside an invocation's scope", async () => {
    // The store that the AWS SDK installs answers "-" when no invocation scope is active
    (globalThis as { awslambda?: unknown }).awslambda = {
      InvokeStore: { getRequestId: () => "-", getXRayTraceId: () => undefined },
    };
    await withVitals(ok, options)(httpApiEvent(), lambdaContext({ requestId: "from-context" }));
    expect(only(out.documents()).requestId).toBe("from-context");
  });

  it("ignores the shared trace variable when invocations run concurrently", async () => {
    vi.stubEnv("AWS_LAMBDA_MAX_CONCURRENCY", "16");
    vi.stubEnv("_X_AMZN_TRACE_ID", "Root=1-00000000-000000000000000000000000");
    await withVitals(ok, options)(httpApiEvent(), lambdaContext());
    expect(only(out.documents()).traceId).toBeUndefined();
  });
});

describe("fail-open", () => {
  it("returns the handler's result when a property cannot be serialised", async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const handler = withVitals(async (_event: unknown, context: Context) => {
      metricsFor(context).addProperty("loop", circular);
      metricsFor(context).addProperty("big", 10n);
      return { statusCode: 200, body: "still here" };
    }, options);
    const result = await handler(httpApiEvent(), lambdaContext());
    expect(result).toEqual({ statusCode: 200, body: "still here" });
    const doc = only(out.documents());
    expect(doc).toMatchObject({ Requests: 1, status: 200 });
    expect(doc.vitalsPropertiesDropped).toContain("not serialisable");
  });

  it("still writes the request metrics when rendering the handler's data fails", async () => {
    const handler = withVitals(async (_event: unknown, context: Context) => {
      metricsFor(context).addMetric("Orders", 1, "Count");
      // a renderer that breaks, as a bug in it or a foreign copy of the library would
      const slot = (context as unknown as Record<symbol, { recording?: unknown }>)[
        Symbol.for("lambda-vitals.slot.2")
      ];
      if (slot !== undefined)
        slot.recording = {
          render: () => {
            throw new Error("broken");
          },
        };
      return { statusCode: 200, body: "ok" };
    }, options);
    const result = await handler(httpApiEvent(), lambdaContext());
    expect(result).toEqual({ statusCode: 200, body: "ok" });
    const doc = only(out.documents());
    expect(doc).toMatchObject({ Requests: 1, status: 200 });
    expect(doc.Orders).toBeUndefined();
  });

  it("returns the handler's result when stdout throws", async () => {
    out.restore();
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => {
      throw new Error("EPIPE");
    });
    try {
      const result = await withVitals(ok, options)(httpApiEvent(), lambdaContext());
      expect(result).toEqual({ statusCode: 200, body: "ok" });
      expect(write).toHaveBeenCalledTimes(1);
    } finally {
      write.mockRestore();
      out = captureStdout();
    }
  });

  it("still runs the handler when the context is frozen or missing", async () => {
    const handler = withVitals(async (_event: unknown, context: Context) => {
      metricsFor(context).addMetric("Lost", 1);
      return { statusCode: 200 };
    }, options);
    await expect(handler(httpApiEvent(), Object.freeze(lambdaContext()))).resolves.toEqual({
      statusCode: 200,
    });
    await expect(handler(httpApiEvent(), undefined as unknown as Context)).resolves.toEqual({
      statusCode: 200,
    });
    expect(out.lines()).toHaveLength(2);
  });
});

describe("timeouts", () => {
  it("writes the line with Timeouts 1 before the deadline, and nothing when the handler ends late", async () => {
    // Prepare: a handler that outlives a 1 s deadline
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
    let finish: (value: { statusCode: number }) => void = () => {};
    const handler = withVitals(
      () =>
        new Promise<{ statusCode: number }>((resolve) => {
          finish = resolve;
        }),
      options,
    );
    const context = lambdaContext({ timeoutMs: 1000 });
    // Act
    const pending = handler(httpApiEvent(), context);
    await vi.advanceTimersByTimeAsync(850);
    const beforeMargin = out.lines().length;
    await vi.advanceTimersByTimeAsync(100);
    // Assess: written 100 ms (10% of 1 s) before the deadline
    expect(beforeMargin).toBe(0);
    const doc = only(out.documents());
    expect(doc).toMatchObject({ Timeouts: 1, Errors: 1, errorType: "Timeout", Requests: 1 });
    expect(doc.Latency as number).toBeGreaterThanOrEqual(899);
    expect(emfProblems(out.lines()[0] ?? "", Date.now())).toEqual([]);
    // Act: the late completion still returns its result, and writes no second line
    finish({ statusCode: 200 });
    await expect(pending).resolves.toEqual({ statusCode: 200 });
    expect(out.lines()).toHaveLength(1);
  });

  it("writes no timeout when the handler finishes in time, and leaves no timer behind", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
    const handler = withVitals(ok, options);
    await handler(httpApiEvent(), lambdaContext({ timeoutMs: 1000 }));
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(out.lines()).toHaveLength(1);
    expect(only(out.documents()).Timeouts).toBeUndefined();
  });

  it("uses the configured margin when it is under 10% of the time left", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
    const handler = withVitals(() => new Promise<never>(() => {}), {
      ...options,
      timeoutMarginMs: 50,
    });
    void handler(httpApiEvent(), lambdaContext({ timeoutMs: 10_000 }));
    await vi.advanceTimersByTimeAsync(9_940);
    expect(out.lines()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(20);
    expect(only(out.documents()).Timeouts).toBe(1);
  });

  it("sets no timer for a deadline beyond what setTimeout can hold", async () => {
    const handler = withVitals(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { statusCode: 200 };
    }, options);
    await handler(httpApiEvent(), lambdaContext({ timeoutMs: 3e9 }));
    expect(only(out.documents()).Timeouts).toBeUndefined();
  });

  it("measures without a deadline when the context has none", async () => {
    const handler = withVitals(ok, options);
    await handler(httpApiEvent(), lambdaContext({ timeoutMs: undefined }));
    expect(only(out.documents()).Timeouts).toBeUndefined();
  });
});

describe("options", () => {
  it.each([
    [{ namespace: "" }, /namespace must be 1-255/],
    [{ namespace: "AWS/Lambda" }, /reserved/],
    [{ namespace: ":x" }, /must not start with ":"/],
    [{ service: "caf\u00e9" }, /service: .*printable ASCII/],
    [{ service: "   " }, /service/],
    [{ timeoutMarginMs: -1 }, /timeoutMarginMs/],
    [{ timeoutMarginMs: Number.NaN }, /timeoutMarginMs/],
    [{ routes: "GET /x" }, /routes must be an array/],
    [{ routes: ["orders/{id}"] }, /expected "\[METHOD\] \/path/],
    [{ routes: ["FETCH /x"] }, /unknown method/],
    [{ routes: ["/a/{rest+}/b"] }, /\{name\+\} last/],
    [{ routes: ["/a/{id"] }, /expected/],
    [{ routes: [42] }, /expected/],
    [{ namespce: "typo" }, /unknown option "namespce"/],
    [{ serviceWide: "no" }, /serviceWide must be true or false/],
  ])("rejects %j with a clear error at wrap time", (bad, message) => {
    expect(() => withVitals(ok, bad as never)).toThrow(message);
  });

  it("rejects a handler that is not a function", () => {
    expect(() => withVitals(undefined as never)).toThrow(/needs a handler function/);
  });
});

describe("trace ids", () => {
  it.each([
    [
      "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
      "1-5759e988-bd862e3fe1be46a994272793",
    ],
    ["Sampled=1;Root=1-abc;Parent=2", "1-abc"],
    ["Root=1-only", "1-only"],
    ["Parent=53995c3f42cd8ad8;Sampled=1", "Parent=53995c3f42cd8ad8;Sampled=1"],
  ])("reads the root of %s", async (header, root) => {
    vi.stubEnv("_X_AMZN_TRACE_ID", header);
    await withVitals(ok, options)(httpApiEvent(), lambdaContext());
    expect(only(out.documents()).traceId).toBe(root);
  });
});
