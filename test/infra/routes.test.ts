/**
 * The dashboard's per-route rows are the `Route` values the wrapper writes. For each kind of HTTP
 * event in serverless.yml, the request its front door sends goes through the real `withVitals`,
 * and the `Route` on the line must be one of the rows infra derives from that event; where a
 * front door can deliver several methods, every method's line must have its row, and no row may
 * be left that no request can write.
 */
import type { Context } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { withVitals } from "../../functions/vitals";
import { DIMENSIONS } from "../../functions/vitals/contract";
import { ANY_METHODS, functionRoutes } from "../../infra/routes";
import { lambdaContext } from "../fixtures/context";
import { albEvent, functionUrlEvent, httpApiEvent, restApiEvent } from "../fixtures/events";
import { type Captured, captureStdout } from "../fixtures/stdout";

let stdout: Captured;

beforeEach(() => {
  stdout = captureStdout();
});

afterEach(() => {
  stdout.restore();
});

/** The `Route` the real wrapper writes for one event. */
async function routeWritten(event: unknown, routes: readonly string[] = []): Promise<unknown> {
  const handler = withVitals(
    async (_event: unknown, _context: Context) => ({ statusCode: 200, body: "" }),
    { routes },
  );
  const before = stdout.documents().length;
  await handler(event, lambdaContext());
  const line = stdout.documents()[before];
  return line?.[DIMENSIONS.route];
}

interface Case {
  readonly name: string;
  /** A function's config in serverless.yml. */
  readonly fn: Record<string, unknown>;
  /** The requests that front door delivers for it. */
  readonly requests: readonly unknown[];
  /** The `routes` passed to `withVitals`, and listed under `custom.vitals.routes`. */
  readonly routes?: readonly string[];
}

const each = (build: (method: string) => unknown) => ANY_METHODS.map((method) => build(method));

const CASES: readonly Case[] = [
  {
    name: "httpApi with a method",
    fn: { events: [{ httpApi: "GET /orders/{id}" }] },
    requests: [httpApiEvent({ method: "GET", route: "/orders/{id}", path: "/orders/7" })],
  },
  {
    name: "httpApi object form, lower-case method",
    fn: { events: [{ httpApi: { method: "post", path: "/orders" } }] },
    requests: [httpApiEvent({ method: "POST", route: "/orders", path: "/orders" })],
  },
  {
    name: "httpApi with method * and {proxy+}",
    fn: { events: [{ httpApi: { method: "*", path: "/files/{proxy+}" } }] },
    requests: each((method) =>
      withRouteKey(httpApiEvent({ method, path: "/files/a/b" }), "ANY /files/{proxy+}"),
    ),
  },
  {
    name: "httpApi catch-all (*), sent as $default",
    fn: { events: [{ httpApi: "*" }] },
    requests: each((method) => httpApiEvent({ method, route: "$default", path: "/x/y" })),
  },
  {
    name: "http (REST) with a path without a leading slash",
    fn: { events: [{ http: "GET orders/{id}" }] },
    requests: [restApiEvent({ method: "GET", route: "/orders/{id}", path: "/orders/7" })],
  },
  {
    name: "http (REST) object form with method any",
    fn: { events: [{ http: { method: "any", path: "/orders/{id}" } }] },
    requests: each((method) => restApiEvent({ method, route: "/orders/{id}", path: "/orders/7" })),
  },
  {
    name: "http (REST) ANY /{proxy+}",
    fn: { events: [{ http: "ANY /{proxy+}" }] },
    requests: each((method) => restApiEvent({ method, route: "/{proxy+}", path: "/a/b" })),
  },
  {
    name: "alb with conditions.path and conditions.method",
    fn: {
      events: [
        {
          alb: {
            listenerArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/x/1/2",
            priority: 1,
            conditions: { path: ["/orders/*"], method: ["GET", "post"] },
          },
        },
      ],
    },
    requests: [
      albEvent({ method: "GET", path: "/orders/7" }),
      albEvent({ method: "POST", path: "/orders" }),
    ],
  },
  {
    name: "alb with conditions.path only",
    fn: { events: [{ alb: { priority: 2, conditions: { path: "/files/*" } } }] },
    requests: each((method) => albEvent({ method, path: "/files/a" })),
  },
  {
    name: "function url",
    fn: { url: true, events: [] },
    requests: each((method) => functionUrlEvent({ method, path: "/anything" })),
  },
  {
    name: "alb with routes passed to withVitals",
    fn: { events: [{ alb: { priority: 3, conditions: { path: "/*" } } }] },
    routes: ["GET /orders/{id}", "/files/{path+}"],
    requests: [
      albEvent({ method: "GET", path: "/orders/7" }),
      ...each((method) => albEvent({ method, path: "/files/a/b" })),
      ...each((method) => albEvent({ method, path: "/elsewhere" })),
    ],
  },
  {
    name: "http (REST) ANY /{proxy+} with routes passed to withVitals",
    fn: { events: [{ http: "ANY /{proxy+}" }] },
    routes: ["POST /orders"],
    requests: [
      restApiEvent({ method: "POST", route: "/{proxy+}", path: "/orders" }),
      ...each((method) => restApiEvent({ method, route: "/{proxy+}", path: "/a/b" })),
    ],
  },
  {
    name: "httpApi catch-all with routes passed to withVitals",
    fn: { events: [{ httpApi: "*" }] },
    routes: ["ANY /orders/{id}"],
    requests: [
      httpApiEvent({ method: "GET", route: "$default", path: "/x" }),
      ...each((method) => httpApiEvent({ method, route: "$default", path: "/orders/7" })),
    ],
  },
];

describe("the dashboard's rows for each kind of HTTP event", () => {
  for (const { name, fn, requests, routes = [] } of CASES) {
    it(`are exactly the Routes the wrapper writes: ${name}`, async () => {
      // Prepare
      const rows = functionRoutes("fn", fn, routes);

      // Act
      const written = [];
      for (const request of requests) written.push(await routeWritten(request, routes));

      // Assess: every line has its row, and every row is written by some request
      expect(new Set(written)).toEqual(new Set(rows));
    });
  }

  it("draw no row for events that are not HTTP requests, and refuse an unknown kind", () => {
    // Act
    const rows = functionRoutes("worker", {
      events: [{ schedule: "rate(1 minute)" }, { sqs: "arn:aws:sqs:us-east-1:1:q" }],
    });

    // Assess
    expect(rows).toEqual([]);
    expect(() => functionRoutes("getOrder", { events: [{ htttp: "GET /orders" }] })).toThrow(
      /functions.getOrder.events\[0\]: unknown event kind "htttp". lambda-vitals charts http, httpApi, alb and function url/,
    );
  });

  it("refuses routes for a function whose events the wrapper names by their template", () => {
    expect(() =>
      functionRoutes("getOrder", { events: [{ http: "GET orders/{id}" }] }, ["GET /orders/{id}"]),
    ).toThrow(
      /custom.vitals.routes.getOrder: the function has no event the wrapper matches routes for/,
    );
    expect(() => functionRoutes("files", { url: true }, ["files/{path+}"])).toThrow(
      /custom.vitals.routes.files\[0\]: expected "\[METHOD\] \/path\/\{param\}"/,
    );
  });

  it("refuses an http event that is not METHOD and path", () => {
    expect(() => functionRoutes("getOrder", { events: [{ http: "GET /a extra" }] })).toThrow(
      /functions.getOrder.events\[0\].http: expected "METHOD \/path"/,
    );
  });
});

/** HTTP API sends the route key as configured, `ANY` included; the factory writes the method. */
function withRouteKey(event: ReturnType<typeof httpApiEvent>, routeKey: string) {
  return { ...event, routeKey, requestContext: { ...event.requestContext, routeKey } };
}
