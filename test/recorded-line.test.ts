import type { Context } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { type Metrics, metricsFor, withVitals } from "../functions/vitals";
import { PROPERTIES_DROPPED } from "../functions/vitals/contract";
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

// The wrapper keeps every line within 256 KiB less 1 KiB (CloudWatch takes 256 KB): what fits is
// decided from sizes counted before the line is built, so these tests count the line to the byte.
describe("a line at the size limit, to the byte", () => {
  const LINE_BYTES = 261_120;
  const options = { namespace: "Test", service: "orders" };

  /** The lines of one invocation that records the property `blob` and, if asked, a metric. */
  async function linesOf(blob: string, metric: boolean): Promise<string[]> {
    const before = out.lines().length;
    const handler = withVitals(async (_event: unknown, context: Context) => {
      const metrics = metricsFor(context);
      metrics.addProperty("blob", blob);
      if (metric) metrics.addMetric("Hits", 1, "Count");
      return { statusCode: 200 };
    }, options);
    await handler(httpApiEvent({ path: "/orders/1" }), lambdaContext({ requestId: "r-limit" }));
    return out.lines().slice(before);
  }

  /** The byte size of the one line of an invocation whose `blob` is empty. */
  async function sizeWithEmptyBlob(metric: boolean): Promise<number> {
    const lines = await linesOf("", metric);
    expect(lines).toHaveLength(1);
    return Buffer.byteLength(lines[0] ?? "");
  }

  beforeEach(async () => {
    // A clock that stands still, so every latency is 0 and lines differ only by what they record;
    // the process's cold start spent, so no line below carries it
    vi.useFakeTimers({ toFake: ["performance", "hrtime"] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    await linesOf("", false);
  });

  it("keeps properties that fill the line to its last byte, and leaves a note one byte beyond", async () => {
    // Prepare: each byte of "x" adds one byte to the line
    const room = LINE_BYTES - (await sizeWithEmptyBlob(false));

    // Act
    const full = await linesOf("x".repeat(room), false);
    const over = await linesOf("x".repeat(room + 1), false);

    // Assess
    expect(full.map((line) => Buffer.byteLength(line))).toEqual([LINE_BYTES]);
    expect(emfProblems(full[0] ?? "")).toEqual([]);
    const kept = JSON.parse(full[0] ?? "") as Record<string, unknown>;
    expect(kept.blob).toBe("x".repeat(room));
    expect(kept).not.toHaveProperty(PROPERTIES_DROPPED);
    expect(over).toHaveLength(1);
    const dropped = JSON.parse(over[0] ?? "") as Record<string, unknown>;
    expect(dropped).not.toHaveProperty("blob");
    expect(dropped[PROPERTIES_DROPPED]).toBe("line over size limit");
    expect(Buffer.byteLength(over[0] ?? "")).toBeLessThan(1000);
  });

  it("keeps a metric on the first line with a byte to spare, and moves it to a second one byte beyond", async () => {
    // Prepare: the first line's size with the metric and an empty blob, and without the metric.
    // Not asserted: a metric that would fill the line to its very last byte, which the packing,
    // counting a comma before each of a directive's definitions (one more than it writes), moves.
    const withMetric = await sizeWithEmptyBlob(true);
    const withoutMetric = await sizeWithEmptyBlob(false);
    const spare = LINE_BYTES - 1 - withMetric;

    // Act
    const fits = await linesOf("x".repeat(spare), true);
    const overflows = await linesOf("x".repeat(spare + 2), true);

    // Assess: one line of LINE_BYTES - 1 bytes with both; two lines, the first without the metric
    expect(fits.map((line) => Buffer.byteLength(line))).toEqual([LINE_BYTES - 1]);
    expect(JSON.parse(fits[0] ?? "")).toMatchObject({ blob: "x".repeat(spare), Hits: 1 });
    expect(overflows).toHaveLength(2);
    for (const line of overflows) expect(emfProblems(line)).toEqual([]);
    expect(Buffer.byteLength(overflows[0] ?? "")).toBe(withoutMetric + spare + 2);
    const [first, second] = overflows.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first?.blob).toBe("x".repeat(spare + 2));
    expect(first).not.toHaveProperty("Hits");
    expect(second).toMatchObject({ Service: "orders", requestId: "r-limit", Hits: 1 });
    expect(second).not.toHaveProperty("blob");
  });

  it("keeps a metric beside a blob a third of the line long, which fit together by real size", async () => {
    // Prepare: counted at three bytes a character, the most one takes, this blob would leave the
    // first line no room for the metric; counted by its real size, it leaves two thirds
    const blob = "x".repeat(LINE_BYTES / 3 - (await sizeWithEmptyBlob(false)) - 10);

    // Act
    const lines = await linesOf(blob, true);

    // Assess
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ blob, Hits: 1 });
  });

  it("counts no byte of a line far from the limit", async () => {
    // Prepare
    const counted = vi.spyOn(Buffer, "byteLength");

    // Act
    const lines = await linesOf("x".repeat(1000), true);
    const calls = counted.mock.calls.length;
    counted.mockRestore();

    // Assess: the line is written whole, and no pass over its text counted its bytes
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ blob: "x".repeat(1000), Hits: 1 });
    expect(calls).toBe(0);
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
