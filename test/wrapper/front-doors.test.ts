/** Front doors: each answered in its own shape, routes named, other events counted and rethrown. */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HttpError, type VitalsOptions, withVitals } from "../../functions/vitals";
import { lambdaContext } from "../fixtures/context";
import { type Doc, PER_ROUTE, SERVICE_WIDE } from "../fixtures/documents";
import { emfProblems } from "../fixtures/emf-spec";
import {
  albEvent,
  functionUrlEvent,
  httpApiEvent,
  restApiEvent,
  scheduleEvent,
  sqsEvent,
} from "../fixtures/events";
import { type Captured, captureStdout } from "../fixtures/stdout";
import { capturedEachTest, ok, only, options } from "./harness";

const out = capturedEachTest();

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

  it("names them from VITALS_ROUTES, read once at wrap time, when the code gives no routes", async () => {
    // Prepare: the plugin sets VITALS_ROUTES from custom.vitals.routes.<function>
    process.env.VITALS_ROUTES = JSON.stringify(["/orders/{id}"]);
    let fromEnvironment: ReturnType<typeof withVitals>;
    let fromCode: ReturnType<typeof withVitals>;
    try {
      fromEnvironment = withVitals(ok, options);
      fromCode = withVitals(ok, { ...options, routes: ["/carts/{id}"] });
    } finally {
      delete process.env.VITALS_ROUTES;
    }

    // Act: after the variable is gone, the wrapped handlers still use what they read
    await fromEnvironment(albEvent({ path: "/orders/123" }), lambdaContext());
    await fromCode(albEvent({ path: "/orders/123" }), lambdaContext());
    await fromCode(albEvent({ path: "/carts/9" }), lambdaContext());

    // Assess: the code's own routes win over the environment's
    expect(out.documents().map((d) => d.Route)).toEqual([
      "GET /orders/{id}",
      "GET /*",
      "GET /carts/{id}",
    ]);
  });

  it.each([
    ["not JSON", "GET /orders/{id}", /VITALS_ROUTES must be a JSON list of route templates/],
    ["a list of numbers", "[1]", /VITALS_ROUTES must be a JSON list of route templates/],
    ["a bad template", '["orders/{id}"]', /expected "\[METHOD\] \/path/],
    ["an object", '{"files": []}', /VITALS_ROUTES must be a JSON list of route templates/],
  ])("refuses a VITALS_ROUTES that is %s, at wrap time", (_, value, message) => {
    process.env.VITALS_ROUTES = value;
    try {
      expect(() => withVitals(ok, options)).toThrow(message);
    } finally {
      delete process.env.VITALS_ROUTES;
    }
  });

  it("takes a blank VITALS_ROUTES as unset, as every VITALS_* variable", () => {
    process.env.VITALS_ROUTES = "  ";
    try {
      expect(() => withVitals(ok, options)).not.toThrow();
    } finally {
      delete process.env.VITALS_ROUTES;
    }
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

// The edges of the front doors: which events count as HTTP requests, which route a request is
// counted under, the status a result reaches the caller with, and the error response each front
// door gets. Each test names the promise it pins; all go through `withVitals`.
describe("the front doors at their edges", () => {
  let out: Captured;
  beforeEach(() => {
    out = captureStdout();
  });
  afterEach(() => {
    out.restore();
  });

  const base = { namespace: "Shop", service: "orders" };

  /** Runs one invocation and returns its result and its one line, checked against the EMF rules. */
  async function invoke(
    event: unknown,
    result: () => Promise<unknown>,
    options: VitalsOptions = {},
  ): Promise<{ response: unknown; doc: Doc }> {
    const response = await withVitals(result, { ...base, ...options })(event, lambdaContext());
    const lines = out.lines();
    expect(lines).toHaveLength(1);
    expect(emfProblems(lines[0] ?? "", Date.now())).toEqual([]);
    return { response, doc: out.documents()[0] as Doc };
  }

  const ok = async () => ({ statusCode: 200, body: "ok" });

  function dimensionsOf(doc: Doc): unknown {
    return (doc._aws as { CloudWatchMetrics: { Dimensions: unknown }[] }).CloudWatchMetrics[0]
      ?.Dimensions;
  }

  /** An API Gateway WebSocket message: it has a requestContext, but it is not an HTTP request. */
  const webSocketEvent = {
    requestContext: {
      routeKey: "sendMessage",
      eventType: "MESSAGE",
      messageId: "abc=",
      connectionId: "Ab1cdefGHIjk=",
      domainName: "ws-id.execute-api.us-east-1.amazonaws.com",
      stage: "prod",
      requestId: "Ab1cdefGHIjk=",
      apiId: "ws-id",
    },
    body: '{"action":"sendMessage"}',
    isBase64Encoded: false,
  };

  describe("what counts as an HTTP request", () => {
    it("keeps a WebSocket message out of the HTTP series: counted per route as an invoke", async () => {
      // Act
      const { doc } = await invoke(webSocketEvent, async () => ({ statusCode: 200 }));
      // Assess
      expect(doc.Route).toBe("event:invoke");
      expect(doc).not.toHaveProperty("method");
      expect(doc).not.toHaveProperty("status");
      expect(dimensionsOf(doc)).toEqual(PER_ROUTE);
    });

    it("rethrows a WebSocket handler's error instead of answering it as HTTP", async () => {
      // Prepare
      const failure = new Error("socket gone");
      // Act
      const outcome = withVitals(async () => {
        throw failure;
      }, base)(webSocketEvent, lambdaContext());
      // Assess
      await expect(outcome).rejects.toBe(failure);
    });

    it("counts a payload 1.0 event with only an httpMethod as a REST request", async () => {
      // Prepare: requestContext and httpMethod, no resource
      const event = { requestContext: { stage: "prod" }, httpMethod: "GET", path: "/ping" };
      // Act
      const { doc } = await invoke(event, ok);
      // Assess
      expect(doc).toMatchObject({ Route: "GET /*", method: "GET", path: "/ping", status: 200 });
      expect(dimensionsOf(doc)).toEqual(SERVICE_WIDE);
    });

    it("counts a payload 1.0 event with only a resource as a REST request", async () => {
      // Prepare: requestContext and resource, no httpMethod
      const event = { requestContext: { stage: "prod" }, resource: "/ping", path: "/ping" };
      // Act
      const { doc } = await invoke(event, ok);
      // Assess
      expect(doc).toMatchObject({ Route: "OTHER /ping", method: "OTHER", status: 200 });
      expect(dimensionsOf(doc)).toEqual(SERVICE_WIDE);
    });

    it("tells a Function URL from an HTTP API by its domain: its route comes from the routes option", async () => {
      // Act
      const { doc } = await invoke(functionUrlEvent({ path: "/orders/7" }), ok, {
        routes: ["GET /orders/{id}"],
      });
      // Assess
      expect(doc).toMatchObject({ Route: "GET /orders/{id}", path: "/orders/7", status: 200 });
    });
  });

  describe("which route a request is counted under", () => {
    it("keeps API Gateway's own specific route over a user template that also matches", async () => {
      // Act
      const http = await invoke(httpApiEvent({ path: "/orders/1", route: "/orders/{id}" }), ok, {
        routes: ["GET /orders/{orderId}", "/{any+}"],
      });
      out.restore();
      out = captureStdout();
      const rest = await invoke(restApiEvent({ path: "/orders/1", route: "/orders/{id}" }), ok, {
        routes: ["GET /orders/{orderId}", "/{any+}"],
      });
      // Assess
      expect(http.doc.Route).toBe("GET /orders/{id}");
      expect(rest.doc.Route).toBe("GET /orders/{id}");
    });

    it.each([
      ["an HTTP API $default route", httpApiEvent({ path: "/orders/1", route: "$default" })],
      ["an HTTP API greedy route", httpApiEvent({ path: "/orders/1", route: "/{proxy+}" })],
      ["a REST greedy resource", restApiEvent({ path: "/orders/1", route: "/{proxy+}" })],
    ])("refines %s with the user's template", async (_, event) => {
      // Act
      const { doc } = await invoke(event, ok, { routes: ["GET /orders/{orderId}"] });
      // Assess
      expect(doc.Route).toBe("GET /orders/{orderId}");
    });

    it.each([
      ["/api/orders/1", "a prefix"],
      ["/orders/1/items", "a suffix"],
      ["/orders/", "an empty parameter"],
    ])("matches a template against the whole path: %s (%s) is not /orders/{id}", async (path) => {
      // Act
      const { doc } = await invoke(albEvent({ path }), ok, { routes: ["GET /orders/{id}"] });
      // Assess
      expect(doc.Route).toBe("GET /*");
    });

    it("matches a greedy parameter across segments, and the first matching template wins", async () => {
      // Act
      const { doc } = await invoke(albEvent({ path: "/files/a/b/c.txt" }), ok, {
        routes: ["POST /files/{path+}", "/files/{path+}", "GET /files/{name}"],
      });
      // Assess
      expect(doc.Route).toBe("GET /files/{path+}");
    });

    it.each([
      ["XGET", "OTHER"],
      ["GETX", "OTHER"],
      ["get", "GET"],
      ["Delete", "DELETE"],
    ])("bounds the method %s to %s", async (raw, method) => {
      // Act
      const { doc } = await invoke(albEvent({ method: raw, path: "/x" }), ok);
      // Assess
      expect(doc).toMatchObject({ method, Route: `${method} /*` });
    });

    it.each(["x GET /orders", "GET /orders extra", "GET orders", "GET /a/{id"])(
      "rejects the malformed route template %j at initialisation",
      (template) => {
        expect(() => withVitals(ok, { ...base, routes: [template] })).toThrow(TypeError);
      },
    );
  });

  describe("the status a result reaches the caller with", () => {
    it.each([
      ["REST", restApiEvent()],
      ["ALB", albEvent()],
    ])("keeps a bodiless %s response's own status", async (_, event) => {
      // Act
      const { doc } = await invoke(event, async () => ({ statusCode: 204 }));
      // Assess
      expect(doc.status).toBe(204);
      expect(doc.Errors).toBe(0);
      expect(doc).not.toHaveProperty("errorType");
      expect(doc).not.toHaveProperty("errorMessage");
    });

    it("keeps a REST response whose body is null", async () => {
      const { doc } = await invoke(restApiEvent(), async () => ({ statusCode: 204, body: null }));
      expect(doc.status).toBe(204);
      expect(doc).not.toHaveProperty("errorType");
    });

    it.each([100, 599])("accepts the status code %i", async (statusCode) => {
      const { doc } = await invoke(restApiEvent(), async () => ({ statusCode, body: "" }));
      expect(doc.status).toBe(statusCode);
      expect(doc).not.toHaveProperty("errorType");
    });

    it.each([99, 600, 200.5])(
      "records the 502 API Gateway sends for the status code %s",
      async (statusCode) => {
        const { doc } = await invoke(httpApiEvent(), async () => ({ statusCode, body: "" }));
        expect(doc).toMatchObject({ status: 502, errorType: "InvalidResponse", Errors: 1 });
      },
    );

    it("records the 200 an HTTP API infers from a bare string, and the 502 a REST API sends", async () => {
      const http = await invoke(httpApiEvent(), async () => "hello");
      out.restore();
      out = captureStdout();
      const rest = await invoke(restApiEvent(), async () => "hello");
      expect(http.doc.status).toBe(200);
      expect(http.doc).not.toHaveProperty("errorType");
      expect(rest.doc).toMatchObject({
        status: 502,
        errorType: "InvalidResponse",
        errorMessage: "result has no valid statusCode (undefined)",
      });
    });

    it("records the 502 a REST API sends for a body that is not a string", async () => {
      const { doc } = await invoke(restApiEvent(), async () => ({
        statusCode: 200,
        body: { a: 1 },
      }));
      expect(doc).toMatchObject({
        status: 502,
        errorType: "InvalidResponse",
        errorMessage: "result body is a object, not a string",
      });
    });
  });

  describe("the error response each front door gets", () => {
    it("answers an ALB with multi-value headers in multiValueHeaders only, not base64", async () => {
      // Act
      const { response } = await invoke(albEvent({ multiValue: true }), async () => {
        throw new HttpError(404, "no such order");
      });
      // Assess
      expect(response).toStrictEqual({
        statusCode: 404,
        statusDescription: "404 Not Found",
        multiValueHeaders: { "content-type": ["application/json; charset=utf-8"] },
        body: expect.any(String),
        isBase64Encoded: false,
      });
      expect(JSON.parse((response as { body: string }).body)).toMatchObject({
        message: "no such order",
      });
    });

    it("answers an ALB without multi-value headers with headers and a status line", async () => {
      // Act
      const { response } = await invoke(albEvent(), async () => {
        throw new HttpError(429, "slow down");
      });
      // Assess
      expect(response).toStrictEqual({
        statusCode: 429,
        statusDescription: "429 Too Many Requests",
        headers: { "content-type": "application/json; charset=utf-8" },
        body: expect.any(String),
        isBase64Encoded: false,
      });
    });

    it("names rarer statuses by their class in the ALB status line and the body", async () => {
      const client = await invoke(albEvent(), async () => {
        throw new HttpError(418, "");
      });
      out.restore();
      out = captureStdout();
      const server = await invoke(albEvent(), async () => {
        throw new HttpError(507);
      });
      const bodyOf = (r: unknown) =>
        JSON.parse((r as { body: string }).body) as { message: string };
      expect(client.response).toMatchObject({ statusDescription: "418 Client Error" });
      expect(bodyOf(client.response).message).toBe("Client Error");
      expect(server.response).toMatchObject({ statusDescription: "507 Server Error" });
      expect(bodyOf(server.response).message).toBe("Server Error");
    });
  });
});
