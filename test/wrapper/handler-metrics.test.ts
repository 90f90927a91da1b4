/** The handler's own metrics, dimensions and properties on the invocation's line. */
import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { metricsFor, withVitals } from "../../functions/vitals";
import { lambdaContext } from "../fixtures/context";
import { emfProblems } from "../fixtures/emf-spec";
import { httpApiEvent } from "../fixtures/events";
import { capturedEachTest, metricNames, only, options } from "./harness";

const out = capturedEachTest();

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
