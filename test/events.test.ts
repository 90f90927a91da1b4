import { describe, expect, it } from "vitest";
import { isUnit } from "../functions/vitals/contract";
import { describeEvent, jsonResponse, responseFields, statusOf } from "../functions/vitals/events";
import { reasonPhrase } from "../functions/vitals/reason-phrases";
import { compileRoutes } from "../functions/vitals/routes";
import {
  albEvent,
  functionUrlEvent,
  httpApiEvent,
  restApiEvent,
  scheduleEvent,
  sqsEvent,
} from "./fixtures/events";

describe("describeEvent", () => {
  it.each([
    [
      "HTTP API",
      httpApiEvent({ method: "POST", path: "/orders", route: "/orders" }),
      "http-api",
      "POST /orders",
    ],
    [
      "REST API",
      restApiEvent({ method: "DELETE", path: "/orders/9" }),
      "rest-api",
      "DELETE /orders/{id}",
    ],
    ["Function URL", functionUrlEvent({ path: "/anything/9" }), "function-url", "GET /*"],
    ["ALB", albEvent({ method: "put", path: "/x" }), "alb", "PUT /*"],
    ["SQS", sqsEvent(), "other", "event:sqs"],
    ["schedule", scheduleEvent(), "other", "event:schedule"],
    ["null", null, "other", "event:invoke"],
  ])("recognises %s", (_name, event, source, route) => {
    const info = describeEvent(event, []);
    expect(info.source).toBe(source);
    expect(info.route).toBe(route);
  });

  it("takes an HTTP API's payload 1.0 route from its route key, not its resource", () => {
    // As the AWS documentation's sample: `resource` holds the path the caller requested
    const event = {
      ...restApiEvent({ path: "/random/xyz123", route: "/random/xyz123" }),
      version: "1.0",
      requestContext: { ...restApiEvent().requestContext, routeKey: "GET /random/{id}" },
    };
    expect(describeEvent(event, []).route).toBe("GET /random/{id}");
    const catchAll = {
      ...event,
      requestContext: { ...event.requestContext, routeKey: "$default" },
    };
    expect(describeEvent(catchAll, []).route).toBe("$default");
  });

  it("bounds unknown methods and keeps the raw path out of the route", () => {
    const info = describeEvent(albEvent({ method: "BREW", path: "/pot/42" }), []);
    expect(info).toEqual({ source: "alb", method: "OTHER", path: "/pot/42", route: "OTHER /*" });
  });

  it("refines catch-all API routes with the routes option", () => {
    const routes = compileRoutes(["GET /orders/{id}", "/files/{path+}"]);
    const proxy = httpApiEvent({ path: "/orders/5", route: "/{proxy+}" });
    expect(describeEvent(proxy, routes).route).toBe("GET /orders/{id}");
    expect(
      describeEvent(httpApiEvent({ path: "/files/a/b", route: "$default" }), routes).route,
    ).toBe("GET /files/{path+}");
    expect(describeEvent(httpApiEvent({ path: "/other", route: "$default" }), routes).route).toBe(
      "$default",
    );
  });

  it("matches templates segment by segment", () => {
    const routes = compileRoutes(["/a/{id}", "/b/{rest+}"]);
    const route = (path: string) => describeEvent(albEvent({ path }), routes).route;
    expect(route("/a/1")).toBe("GET /a/{id}");
    expect(route("/a/")).toBe("GET /*");
    expect(route("/a/1/2")).toBe("GET /*");
    expect(route("/b/x/y/z")).toBe("GET /b/{rest+}");
    expect(route("/b")).toBe("GET /*");
  });

  it("treats template characters literally, except parameters", () => {
    const routes = compileRoutes(["/v1.0/items", "/a+b/{id}"]);
    const route = (path: string) => describeEvent(albEvent({ path }), routes).route;
    expect(route("/v1.0/items")).toBe("GET /v1.0/items");
    expect(route("/v1x0/items")).toBe("GET /*");
    expect(route("/a+b/7")).toBe("GET /a+b/{id}");
    expect(route("/aab/7")).toBe("GET /*");
  });

  it("respects the method of a template", () => {
    const routes = compileRoutes(["POST /orders", "ANY /health"]);
    expect(describeEvent(albEvent({ method: "POST", path: "/orders" }), routes).route).toBe(
      "POST /orders",
    );
    expect(describeEvent(albEvent({ method: "GET", path: "/orders" }), routes).route).toBe(
      "GET /*",
    );
    expect(describeEvent(albEvent({ method: "HEAD", path: "/health" }), routes).route).toBe(
      "HEAD /health",
    );
  });

  it("labels other event sources by kind", () => {
    const record = (source: string) => ({ Records: [{ eventSource: source }] });
    expect(describeEvent(record("aws:kinesis"), []).route).toBe("event:kinesis");
    expect(describeEvent({ Records: [{ EventSource: "aws:sns" }] }, []).route).toBe("event:sns");
    expect(describeEvent({ "detail-type": "OrderPlaced", source: "shop" }, []).route).toBe(
      "event:eventbridge",
    );
    expect(describeEvent({ source: "aws.scheduler" }, []).route).toBe("event:schedule");
  });

  it("clips very long paths", () => {
    const info = describeEvent(albEvent({ path: `/${"x".repeat(5000)}` }), []);
    expect(info.path).toHaveLength(512);
  });
});

describe("statusOf", () => {
  it("reads the status code, or what the event source makes of its absence", () => {
    expect(statusOf("http-api", { statusCode: 204 })).toEqual({ status: 204 });
    expect(statusOf("http-api", "plain string")).toEqual({ status: 200 });
    expect(statusOf("function-url", { hello: 1 })).toEqual({ status: 200 });
    expect(statusOf("http-api", { statusCode: "oops" }).status).toBe(502);
    expect(statusOf("rest-api", { body: "" }).status).toBe(502);
    expect(statusOf("alb", undefined).status).toBe(502);
    expect(statusOf("alb", { statusCode: 700 }).status).toBe(502);
    // REST APIs and ALBs reject a body that is not a string; payload 2.0 serialises it
    expect(statusOf("rest-api", { statusCode: 200, body: { id: 1 } }).status).toBe(502);
    expect(statusOf("alb", { statusCode: 200, body: "ok" }).status).toBe(200);
    expect(statusOf("http-api", { statusCode: 200, body: { id: 1 } }).status).toBe(200);
  });
});

describe("jsonResponse", () => {
  it("names the reason of every error status the way node:http does, or its class", async () => {
    // Prepare: the statuses handlers use, named; every other one by its class
    const { STATUS_CODES } = await import("node:http");
    const named = [400, 401, 403, 404, 405, 406, 408, 409, 410, 412, 413, 415, 422, 429];
    named.push(500, 501, 502, 503, 504);
    const expected = (status: number) =>
      named.includes(status)
        ? STATUS_CODES[status]
        : status < 500
          ? "Client Error"
          : "Server Error";
    // Act
    const reasons = new Map<number, string>();
    for (let status = 400; status <= 599; status++) reasons.set(status, reasonPhrase(status));
    // Assess
    for (const [status, reason] of reasons) expect(reason, String(status)).toBe(expected(status));
    expect(reasonPhrase(200)).toBe("OK");
  });

  it("adds the ALB status description", () => {
    expect(jsonResponse("alb", albEvent(), 503, {})).toMatchObject({
      statusCode: 503,
      statusDescription: "503 Service Unavailable",
    });
  });
});

describe("responseFields", () => {
  const headers = { "content-type": "application/health+json" };

  it("gives an ALB its status line, and its headers as multiValueHeaders when it sends them so", () => {
    expect(responseFields("alb", albEvent(), 404, headers)).toEqual({
      statusDescription: "404 Not Found",
      isBase64Encoded: false,
    });
    expect(responseFields("alb", albEvent({ multiValue: true }), 503, headers)).toEqual({
      statusDescription: "503 Service Unavailable",
      isBase64Encoded: false,
      multiValueHeaders: { "content-type": ["application/health+json"] },
    });
  });

  it("adds nothing for the other event sources, nor for events that are not HTTP requests", () => {
    expect(responseFields("http-api", httpApiEvent(), 200, headers)).toBeUndefined();
    expect(responseFields("rest-api", restApiEvent(), 200, headers)).toBeUndefined();
    expect(responseFields("function-url", functionUrlEvent(), 200, headers)).toBeUndefined();
    expect(responseFields("other", sqsEvent(), 200, headers)).toBeUndefined();
  });
});

// How events are described when their shape is unusual: values that are not objects where an
// object is expected, a payload 2.0 event without `requestContext.http`, and a raw path that
// differs from the one in the request context. Described, never thrown on.
describe("events of unusual shapes", () => {
  const other = { source: "other", method: undefined, path: undefined, route: "event:invoke" };

  describe("an event that is not an object, or whose request context is not", () => {
    it.each([
      ["null", null],
      ["a string", "GET /orders"],
      ["a request context that is a string", { requestContext: "alb", httpMethod: "GET" }],
      ["a request context that is null", { requestContext: null, httpMethod: "GET" }],
      ["no request context", { httpMethod: "GET", path: "/orders" }],
    ])("is a direct invoke: %s", (_what, event) => {
      expect(describeEvent(event, [])).toEqual(other);
    });
  });

  describe("a payload 2.0 event", () => {
    it("is an HTTP API request by its version alone, even without requestContext.http", () => {
      const event = { version: "2.0", routeKey: "$default", rawPath: "/x", requestContext: {} };
      expect(describeEvent(event, [])).toEqual({
        source: "http-api",
        method: "OTHER",
        path: "/x",
        route: "$default",
      });
    });

    it("is an HTTP API request by requestContext.http alone, even without a version", () => {
      const event = {
        routeKey: "GET /a",
        rawPath: "/a",
        requestContext: { http: { method: "GET" } },
      };
      expect(describeEvent(event, [])).toMatchObject({ source: "http-api", route: "GET /a" });
    });

    it("takes its path from rawPath before requestContext.http.path", () => {
      const event = {
        version: "2.0",
        routeKey: "GET /a",
        rawPath: "/a",
        requestContext: { http: { method: "GET", path: "/stage/a" } },
      };
      expect(describeEvent(event, []).path).toBe("/a");
    });
  });

  describe("a unit", () => {
    it("is a string: an object that only prints as a unit name is refused", () => {
      expect(isUnit({ toString: () => "Count" })).toBe(false);
    });
  });

  describe("a record event's source", () => {
    it("names the route only for AWS's own sources, with odd characters made underscores", () => {
      const records = (source: string) => ({ Records: [{ eventSource: source }] });
      expect(describeEvent(records("custom:queue"), []).route).toBe("event:invoke");
      expect(describeEvent(records("aws:odd.source!"), []).route).toBe("event:odd_source_");
    });
  });

  describe("a route template with extra spaces", () => {
    it("is read around and between its method and path", () => {
      const routes = compileRoutes(["  GET   /orders/{id}  "]);
      const event = { requestContext: { elb: {} }, httpMethod: "GET", path: "/orders/7" };
      expect(describeEvent(event, routes).route).toBe("GET /orders/{id}");
    });
  });
});
