/**
 * The lines of a handler that recorded its own data, at their edges: a later line (values beyond
 * a metric's first 100) carries the invocation's identity, and properties that throw something
 * other than an Error while being serialised still leave a note.
 */
import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { metricsFor, withVitals } from "../../functions/vitals";
import { invokeMeasured } from "../../functions/vitals/testing";
import { httpApiEvent } from "../fixtures/events";

const options = { namespace: "Test", service: "orders" };

describe("a later line of one invocation", () => {
  it("carries Service, Route and requestId, as the first does", async () => {
    const handler = withVitals(async (_event: unknown, context: Context) => {
      const metrics = metricsFor(context);
      for (let i = 0; i < 101; i++) metrics.addMetric("Items", i);
      return { statusCode: 200 };
    }, options);

    const { lines } = await invokeMeasured(
      handler,
      httpApiEvent({ path: "/orders/1", route: "/orders/{id}" }),
      { context: { awsRequestId: "req-later" } },
    );

    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({
      Service: "orders",
      Route: "GET /orders/{id}",
      requestId: "req-later",
      Items: 100,
    });
  });
});

describe("properties that cannot be serialised", () => {
  it("leave a note saying unknown when what was thrown is not an Error", async () => {
    const handler = withVitals(async (_event: unknown, context: Context) => {
      metricsFor(context).addProperty("order", {
        toJSON() {
          throw "not an error";
        },
      });
      return { statusCode: 200 };
    }, options);

    const { lines } = await invokeMeasured(handler, httpApiEvent());

    expect(lines[0]?.vitalsPropertiesDropped).toBe("properties not serialisable: unknown");
  });
});
