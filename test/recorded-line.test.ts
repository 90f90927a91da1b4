import type { Context } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Metrics, metricsFor, withVitals } from "../functions/vitals";
import { invokeMeasured } from "../functions/vitals/testing";
import { lambdaContext } from "./fixtures/context";
import { emfProblems } from "./fixtures/emf-spec";
import { httpApiEvent } from "./fixtures/events";
import { type Captured, captureStdout } from "./fixtures/stdout";

let out: Captured;
beforeEach(() => {
  out = captureStdout();
});
afterEach(() => {
  out.restore();
  vi.unstubAllEnvs();
});

interface Directive {
  readonly Dimensions: string[][];
  readonly Metrics: { Name: string }[];
}

/**
 * Runs a handler whose common line is as long as the wrapper ever writes it: every variable part
 * at its longest, in characters that JSON escapes to 6 bytes (or 2, for the printable ones).
 */
async function longestInvocation(record: (metrics: Metrics) => void): Promise<string[]> {
  const escaped = "\u0001\ud800".repeat(2500);
  vi.stubEnv("_X_AMZN_TRACE_ID", escaped);
  const handler = withVitals(
    async (_event: unknown, context: Context) => {
      record(metricsFor(context));
      throw Object.assign(new Error(escaped), { name: escaped });
    },
    { namespace: '"'.repeat(255), service: '"'.repeat(1024) },
  );
  const event = httpApiEvent({ path: `/${escaped}` });
  (event as { routeKey: string }).routeKey = `GET /${'"'.repeat(2000)}`;
  await handler(event, lambdaContext({ requestId: escaped }));
  return out.lines();
}

describe("the recorded line's size", () => {
  it("writes the longest common line as valid EMF", async () => {
    // Act
    const [line, ...rest] = await longestInvocation(() => undefined);

    // Assess
    expect(rest).toEqual([]);
    expect(emfProblems(line ?? "")).toEqual([]);
    expect(Buffer.byteLength(line ?? "")).toBeGreaterThan(13_000);
  });

  it("fits the most dimensions and sets the recorder takes beside the longest common line", async () => {
    // Prepare: 29 names of 255 characters and values of 1024, all escaped in JSON; addDimension's
    // set of all 29 and 9 more sets of 28; 150 metrics with long names and 150 values each
    const names = Array.from({ length: 29 }, (_, i) => `D${i}`.padEnd(255, '"'));
    const value = '"'.repeat(1024);
    const metricNames = Array.from({ length: 150 }, (_, i) => `M${i}`.padEnd(255, '"'));
    const expectedValue = (m: number, k: number) => -1.234567890123457e-300 * (k + 1) * (m + 1);

    // Act
    const lines = await longestInvocation((metrics) => {
      for (const name of names) metrics.addDimension(name, value);
      for (let skip = 0; skip < 9; skip++) {
        const set = Object.fromEntries(names.filter((_, i) => i !== skip).map((n) => [n, value]));
        metrics.addDimensionSet(set);
      }
      metrics.addProperty("blob", "x".repeat(100_000));
      metricNames.forEach((name, m) => {
        for (let k = 0; k < 150; k++) metrics.addMetric(name, expectedValue(m, k));
      });
    });

    // Assess: every line valid, no warning, every value once and in order under all 10 sets
    for (const line of lines) expect(emfProblems(line)).toEqual([]);
    const docs = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(docs.some((d) => d.level === "WARN")).toBe(false);
    expect(docs.filter((d) => d.Requests === 1)).toHaveLength(1);
    const written = new Map<string, number[]>();
    for (const doc of docs) {
      const custom = (doc._aws as { CloudWatchMetrics: Directive[] }).CloudWatchMetrics.filter(
        (d) => d.Metrics.some((m) => m.Name.startsWith("M")),
      );
      for (const directive of custom) expect(directive.Dimensions).toHaveLength(10);
      for (const name of metricNames) {
        const v = doc[name] as number | number[] | undefined;
        if (v !== undefined) written.set(name, [...(written.get(name) ?? []), ...[v].flat()]);
      }
    }
    metricNames.forEach((name, m) => {
      expect(written.get(name)).toEqual(Array.from({ length: 150 }, (_, k) => expectedValue(m, k)));
    });
  });
});

// The lines of a handler that recorded its own data, at their edges: a later line (values beyond
// a metric's first 100) carries the invocation's identity, and properties that throw something
// other than an Error while being serialised still leave a note.
describe("recorded lines at their edges", () => {
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
});
