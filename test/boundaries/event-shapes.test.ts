/**
 * How events are described when their shape is unusual: values that are not objects where an
 * object is expected, a payload 2.0 event without `requestContext.http`, and a raw path that
 * differs from the one in the request context. Described, never thrown on.
 */
import { describe, expect, it } from "vitest";
import { isUnit } from "../../functions/vitals/contract";
import { describeEvent } from "../../functions/vitals/events";
import { compileRoutes } from "../../functions/vitals/routes";

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
