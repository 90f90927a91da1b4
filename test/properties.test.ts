import type { Context } from "aws-lambda";
import fc from "fast-check";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { metricsFor, withVitals } from "../functions/vitals";
import { PROPERTIES_DROPPED } from "../functions/vitals/contract";
import { lambdaContext } from "./fixtures/context";
import { emfProblems } from "./fixtures/emf-spec";
import { albEvent, functionUrlEvent, httpApiEvent, restApiEvent } from "./fixtures/events";
import { capturedEachTest } from "./fixtures/stdout";

const out = capturedEachTest();

const options = { namespace: "Test", service: "orders" };
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"];

/** A raw path a caller could send: random segments, unicode, encoded bytes, control chars. */
const rawPath = fc
  .array(fc.oneof(fc.string(), fc.webSegment(), fc.constantFrom("..", "%00", "\u0000", "é")), {
    maxLength: 6,
  })
  .map((parts) => `/${parts.join("/")}`);
const method = fc.oneof(fc.constantFrom(...METHODS), fc.string({ maxLength: 10 }));

/** Events from every front door with random paths and methods, plus arbitrary JSON values. */
const anyEvent = fc.oneof(
  // API Gateway matched the route, so its route key names a real method; the request's may be anything
  fc
    .record({ method, path: rawPath })
    .map((r) => ({ event: { ...httpApiEvent(r), routeKey: "ANY /orders/{id}" }, templated: true })),
  fc.record({ method, path: rawPath }).map((r) => ({ event: restApiEvent(r), templated: true })),
  fc
    .record({ method, path: rawPath })
    .map((r) => ({ event: functionUrlEvent(r), templated: false })),
  fc.record({ method, path: rawPath }).map((r) => ({ event: albEvent(r), templated: false })),
  fc.jsonValue().map((event) => ({ event: event as unknown, templated: false })),
  fc.anything().map((event) => ({ event, templated: false })),
);

const metricValue = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 2 ** 360, 2 ** 361, Number.MAX_VALUE),
  fc.anything(),
);
const metricName = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.constantFrom("Requests", "_aws", "Route"),
);
const recorded = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant("metric" as const), name: metricName, value: metricValue }),
    fc.record({ kind: fc.constant("dimension" as const), name: metricName, value: fc.anything() }),
    fc.record({ kind: fc.constant("property" as const), name: metricName, value: fc.anything() }),
  ),
  { maxLength: 40 },
);
const result = fc.oneof(
  fc.record({ statusCode: fc.oneof(fc.integer({ min: 100, max: 599 }), fc.anything()) }),
  fc.anything(),
);

describe("every line is valid EMF, whatever comes in", () => {
  it("holds for random events, results, throws and recorded data", async () => {
    await fc.assert(
      fc.asyncProperty(
        anyEvent,
        recorded,
        result,
        fc.boolean(),
        async ({ event, templated }, entries, value, throws) => {
          // Prepare
          const before = out.lines().length;
          const handler = withVitals(async (_event: unknown, context: Context) => {
            const metrics = metricsFor(context);
            for (const entry of entries) {
              if (entry.kind === "metric") metrics.addMetric(entry.name, entry.value as number);
              else if (entry.kind === "dimension")
                metrics.addDimension(entry.name, entry.value as string);
              else metrics.addProperty(entry.name, entry.value);
            }
            if (throws) throw value;
            return value;
          }, options);
          // Act
          let settled = true;
          await handler(event, lambdaContext({ requestId: "r" })).catch(() => {
            settled = false;
          });
          // Assess
          const lines = out.lines().slice(before);
          expect(lines.length).toBeGreaterThanOrEqual(1);
          for (const line of lines) expect(emfProblems(line)).toEqual([]);
          const doc = JSON.parse(lines[0] ?? "{}") as Record<string, unknown>;
          expect(doc.requestId).toBe("r");
          expect(doc.Requests).toBe(1);
          // Only non-HTTP events rethrow; HTTP events always get a response
          if (!settled) expect(doc.method).toBeUndefined();
          // The Route dimension is bounded: a template, a catch-all, or an event kind
          const route = doc.Route as string;
          if (templated) expect(route).toMatch(/^[A-Z]+ \/orders\/\{id\}$/);
          else expect(route).toMatch(/^([A-Z]+ \/\*|event:[a-z]+)$/);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("never writes a value that CloudWatch would reject", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(metricValue, { maxLength: 250 }), async (values) => {
        const before = out.lines().length;
        await withVitals(async (_event: unknown, context: Context) => {
          for (const v of values) metricsFor(context).addMetric("Value", v as number);
          return { statusCode: 200 };
        }, options)(httpApiEvent(), lambdaContext());
        const lines = out.lines().slice(before);
        for (const line of lines) expect(emfProblems(line)).toEqual([]);
        const written = lines
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .flatMap((doc) => (doc.Value === undefined ? [] : [doc.Value].flat()));
        const valid = values.filter(
          (v) => typeof v === "number" && Number.isFinite(v) && Math.abs(v) <= 2 ** 360,
        );
        expect(written).toEqual(valid.map((v) => (v === 0 ? 0 : v))); // JSON has no -0
      }),
      { numRuns: 200 },
    );
  });

  it("writes the same members on the common line as on a line with the handler's own data", async () => {
    // A clock that stands still: the latency is 0 on both lines, not left out of the comparison
    vi.useFakeTimers({ toFake: ["performance", "hrtime"] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    await fc.assert(
      fc.asyncProperty(anyEvent, result, fc.boolean(), async ({ event }, value, throws) => {
        // Prepare: the same invocation twice, once recording nothing, once a single property
        const run = async (record: boolean) => {
          const before = out.lines().length;
          const handler = withVitals(async (_event: unknown, context: Context) => {
            if (record) metricsFor(context).addProperty("probe", 1);
            if (throws) throw value;
            return value;
          }, options);
          await handler(event, lambdaContext({ requestId: "r" })).catch(() => undefined);
          const lines = out.lines().slice(before);
          for (const line of lines) expect(emfProblems(line)).toEqual([]);
          const doc = JSON.parse(lines[0] ?? "{}") as Record<string, unknown>;
          (doc._aws as { Timestamp?: number }).Timestamp = 0;
          return { doc, count: lines.length };
        };
        // Act
        const common = await run(false);
        const recorded = await run(true);
        // Assess: one line each, the request counted, and the property the only difference
        expect([common.count, recorded.count]).toEqual([1, 1]);
        expect(common.doc).toMatchObject({ Requests: 1, Latency: 0, requestId: "r" });
        expect(common.doc).not.toHaveProperty("probe");
        const { probe, ...rest } = recorded.doc;
        expect(probe).toBe(1);
        expect(rest).toEqual(common.doc);
      }),
      { numRuns: 200 },
    );
  });

  it("writes the same line for recorded data whether or not a dropped entry adds a warning", async () => {
    vi.useFakeTimers({ toFake: ["performance", "hrtime"] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const names = fc.constantFrom("Orders", "Cart", "Queue", "Tenant", "orderId", "note");
    const entry = fc.oneof(
      fc.record({
        kind: fc.constant("metric" as const),
        name: names,
        value: fc.double({ noNaN: true, noDefaultInfinity: true }),
      }),
      fc.record({
        kind: fc.constant("dimension" as const),
        name: names,
        value: fc.constantFrom("web", "mobile"),
      }),
      fc.record({ kind: fc.constant("property" as const), name: names, value: fc.jsonValue() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 12 }), async (entries) => {
        // Prepare: the same data twice; the second run also records an entry that is dropped
        const run = async (withDropped: boolean) => {
          const before = out.lines().length;
          await withVitals(async (_event: unknown, context: Context) => {
            const metrics = metricsFor(context);
            for (const e of entries) {
              if (e.kind === "metric") metrics.addMetric(e.name, e.value, "Count");
              else if (e.kind === "dimension") metrics.addDimension(e.name, e.value);
              else metrics.addProperty(e.name, e.value);
            }
            if (withDropped) metrics.addMetric("Invalid", Number.NaN);
            return { statusCode: 200 };
          }, options)(httpApiEvent(), lambdaContext({ requestId: "r" }));
          const lines = out.lines().slice(before);
          for (const line of lines) expect(emfProblems(line)).toEqual([]);
          const docs = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
          const doc = docs[0] ?? {};
          (doc._aws as { Timestamp?: number }).Timestamp = 0;
          const warning = docs.find((d) => d.level === "WARN");
          return { doc, warning, count: docs.length };
        };
        // Act
        const plain = await run(false);
        const dropping = await run(true);
        // Assess: the same main line; the dropped entry counted once more, with its reason
        expect(dropping.doc).toEqual(plain.doc);
        expect(plain.doc).toMatchObject({ Requests: 1, Latency: 0, requestId: "r" });
        expect(dropping.doc).not.toHaveProperty("Invalid");
        const before = (plain.warning?.DroppedMetricData as number | undefined) ?? 0;
        expect(dropping.warning?.DroppedMetricData).toBe(before + 1);
        expect(dropping.count).toBe(plain.count + (plain.warning === undefined ? 1 : 0));
        expect(JSON.stringify(dropping.warning?.problems)).toContain("metric Invalid dropped");
      }),
      { numRuns: 200 },
    );
  });
});

describe("dimension sets stay valid EMF", () => {
  it("writes every set once, each with Service, and every valid value once, whatever the sets", async () => {
    const dimensionName = fc.oneof(
      fc.constantFrom("Tenant", "Region", "Stage", "Channel"),
      fc.constantFrom("Service", "Route", "requestId", "Requests", ""),
      fc.string({ maxLength: 8 }),
    );
    const dimensionValue = fc.oneof(
      fc.constantFrom("a", "b", "eu"),
      fc.string({ maxLength: 5 }),
      fc.anything(),
    );
    const step = fc.oneof(
      fc.record({
        kind: fc.constant("set" as const),
        set: fc.oneof(fc.dictionary(dimensionName, dimensionValue, { maxKeys: 5 }), fc.anything()),
      }),
      fc.record({
        kind: fc.constant("dimension" as const),
        name: dimensionName,
        value: dimensionValue,
      }),
      fc.record({
        kind: fc.constant("metric" as const),
        name: fc.constantFrom("Orders", "Cart"),
        value: fc.double({ min: -1e100, max: 1e100, noNaN: true }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), async (steps) => {
        // Prepare
        const before = out.lines().length;
        await withVitals(async (_event: unknown, context: Context) => {
          const metrics = metricsFor(context);
          for (const s of steps) {
            if (s.kind === "set") metrics.addDimensionSet(s.set as Record<string, string>);
            else if (s.kind === "dimension") metrics.addDimension(s.name, s.value as string);
            else metrics.addMetric(s.name, s.value);
          }
          return { statusCode: 200 };
        }, options)(httpApiEvent(), lambdaContext({ requestId: "r" }));

        // Assess
        const lines = out.lines().slice(before);
        for (const line of lines) expect(emfProblems(line)).toEqual([]);
        const docs = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
        for (const doc of docs) {
          const directives = (doc._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] })
            .CloudWatchMetrics;
          for (const { Dimensions } of directives) {
            const ids = Dimensions.map((set) => JSON.stringify([...set].sort()));
            expect(new Set(ids).size).toBe(ids.length);
            for (const set of Dimensions) expect(set[0]).toBe("Service");
          }
        }
        for (const name of ["Orders", "Cart"]) {
          const expected = steps.flatMap((s) =>
            s.kind === "metric" && s.name === name ? [s.value === 0 ? 0 : s.value] : [],
          );
          const written = docs.flatMap((d) => (d[name] === undefined ? [] : [d[name]].flat()));
          expect(written).toEqual(expected);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("lines at CloudWatch's limits", () => {
  it("fits any amount of recorded data into valid lines and loses none of it", async () => {
    const shape = fc.record({
      dimensions: fc.integer({ min: 0, max: 29 }),
      dimensionChar: fc.constantFrom("w", '"'),
      dimensionLength: fc.constantFrom(1, 1024),
      metrics: fc.constantFrom(0, 1, 5, 100, 101, 300),
      values: fc.constantFrom(1, 2, 100, 101, 250),
      nameLength: fc.constantFrom(3, 100, 255),
      propertyChar: fc.constantFrom("x", "é"),
      propertyLength: fc.constantFrom(0, 2, 50_000, 90_000, 120_000, 130_000),
    });
    await fc.assert(
      fc.asyncProperty(shape, fc.integer({ min: 1, max: 1000 }), async (s, seed) => {
        // Prepare: names and values that fill lines fast, different in every case
        const names = Array.from({ length: s.metrics }, (_, i) =>
          `M${i}`.padEnd(s.nameLength, "m"),
        );
        const count = (i: number) => 1 + ((i * 7919 + seed) % s.values);
        const value = (i: number, k: number) => -1.234567890123457e-300 * (k + 1) * (i + seed);
        const property = s.propertyChar.repeat(s.propertyLength);
        const before = out.lines().length;
        await withVitals(async (_event: unknown, context: Context) => {
          const metrics = metricsFor(context);
          for (let d = 0; d < s.dimensions; d++) {
            const name = `D${d}`.padEnd(s.nameLength, "d");
            metrics.addDimension(name, s.dimensionChar.repeat(s.dimensionLength));
          }
          if (property !== "") metrics.addProperty("blob", property);
          names.forEach((name, i) => {
            for (let k = 0; k < count(i); k++) metrics.addMetric(name, value(i, k));
          });
          return { statusCode: 200 };
        }, options)(httpApiEvent(), lambdaContext({ requestId: "r" }));

        // Assess: every line valid, every value once and in order, the request counted once
        const lines = out.lines().slice(before);
        for (const line of lines) expect(emfProblems(line)).toEqual([]);
        const docs = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
        const written = new Map<string, number[]>();
        for (const doc of docs) {
          for (const name of names) {
            const v = doc[name];
            if (v === undefined) continue;
            written.set(name, [...(written.get(name) ?? []), ...(Array.isArray(v) ? v : [v])]);
          }
        }
        names.forEach((name, i) => {
          const expected = Array.from({ length: count(i) }, (_, k) => value(i, k));
          expect(written.get(name)).toEqual(expected.map((v) => (v === 0 ? 0 : v)));
        });
        expect(docs.filter((d) => d.Requests === 1)).toHaveLength(1);
        // The property stays unless it could not fit in the first line even without metrics.
        const kept = docs.filter((d) => d.blob !== undefined).length;
        // (dimensions are written only with the metrics they qualify)
        const dimensions = s.metrics > 0 ? s.dimensions : 0;
        const dimension = s.dimensionChar.repeat(s.dimensionLength);
        const room =
          256 * 1024 - 1024 - dimensions * (s.nameLength + 4 + JSON.stringify(dimension).length);
        const bytes = Buffer.byteLength(JSON.stringify(property)) + 8;
        // Within 2 KB of the room the estimate above cannot tell; either outcome must be whole
        if (property === "" || bytes > room) expect(kept).toBe(0);
        else if (bytes + 2048 <= room) expect(kept).toBe(1);
        else expect([0, 1]).toContain(kept);
        // Kept: on the first line, exactly as recorded; dropped: the note says why, nothing else
        if (kept === 1) expect(docs[0]?.blob).toBe(property);
        if (property === "") expect(docs[0]).not.toHaveProperty(PROPERTIES_DROPPED);
        else if (kept === 0) expect(docs[0]?.[PROPERTIES_DROPPED]).toBe("line over size limit");
        else expect(docs.some((doc) => PROPERTIES_DROPPED in doc)).toBe(false);
      }),
      { numRuns: 40 },
    );
  });
});
