/** Front doors: each answered in its own shape, routes named, other events counted and rethrown. */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { HttpError, withVitals } from "../../functions/vitals";
import { lambdaContext } from "../fixtures/context";
import { emfProblems } from "../fixtures/emf-spec";
import {
  albEvent,
  functionUrlEvent,
  restApiEvent,
  scheduleEvent,
  sqsEvent,
} from "../fixtures/events";
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
