import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { type Metrics, metricsFor, withVitals } from "../functions/vitals";
import { lambdaContext } from "./fixtures/context";
import { emfProblems } from "./fixtures/emf-spec";
import { httpApiEvent } from "./fixtures/events";
import { capturedEachTest } from "./fixtures/stdout";

const out = capturedEachTest();

/** Runs a handler that records with `record`; returns the main line and the warning's reasons. */
async function recorded(record: (metrics: Metrics) => void) {
  await withVitals(
    async (_event: unknown, context: Context) => {
      record(metricsFor(context));
      return { statusCode: 200 };
    },
    { namespace: "Test", service: "orders" },
  )(httpApiEvent(), lambdaContext());
  for (const line of out.lines()) expect(emfProblems(line)).toEqual([]);
  const [main, ...rest] = out.documents();
  const warning = rest.find((doc) => doc.level === "WARN");
  return {
    main: main ?? {},
    dropped: warning?.DroppedMetricData,
    problems: (warning?.problems ?? []) as string[],
  };
}

describe("the recorder gives the first reason to drop a call", () => {
  it.each<[string, (metrics: Metrics) => void, RegExp]>([
    ["a value that is not a number", (m) => m.addMetric("M", "1" as never), /"1" is not a finite/],
    ["an unknown unit", (m) => m.addMetric("M", 1, "Parsecs" as never), /unknown unit "Parsecs"/],
    ["a resolution other than 1 or 60", (m) => m.addMetric("M", 1, "Count", 5 as never), /1 or 60/],
    ["a name the line uses", (m) => m.addMetric("Latency", 1), /reserved or already used/],
    ["an invalid name", (m) => m.addMetric("", 1), /a name must be 1-255/],
  ])("drops a metric with %s", async (_what, record, why) => {
    const { main, dropped, problems } = await recorded(record);
    expect(main).not.toHaveProperty("M");
    expect(dropped).toBe(1);
    expect(problems).toEqual([expect.stringMatching(why)]);
  });

  it("checks the value before the name: a bad value under a reserved name says the value", async () => {
    const { problems } = await recorded((m) => m.addMetric("Requests", Number.NaN));
    expect(problems).toEqual(["metric Requests dropped: NaN is not a finite number within ±2^360"]);
  });

  it("keeps a metric's first unit and resolution, and drops values recorded with others", async () => {
    const { main, dropped, problems } = await recorded((m) => {
      m.addMetric("Cart", 1, "Count");
      m.addMetric("Cart", 2, "Bytes");
      m.addMetric("Cart", 3, "Count", 1);
      m.addMetric("Cart", 4, "Count");
    });
    expect(main.Cart).toEqual([1, 4]);
    // the same reason twice in a row is listed once; DroppedMetricData counts both
    expect(dropped).toBe(2);
    expect(problems).toEqual([
      "metric Cart dropped: recorded before with another unit or resolution",
    ]);
  });

  it("holds 500 metrics, and still takes more values of those it has", async () => {
    const { main, dropped, problems } = await recorded((m) => {
      for (let i = 0; i < 501; i++) m.addMetric(`M${i}`, i);
      m.addMetric("M0", 1);
    });
    expect(main.M0).toEqual([0, 1]);
    expect(main).not.toHaveProperty("M500");
    expect(dropped).toBe(1);
    expect(problems).toEqual(["metric M500 dropped: over 500 metrics"]);
  });

  it("holds 30 dimensions with Service", async () => {
    const { main, problems } = await recorded((m) => {
      for (let i = 0; i < 30; i++) m.addDimension(`D${i}`, "v");
      m.addMetric("Orders", 1);
    });
    expect(main).toHaveProperty("D28");
    expect(main).not.toHaveProperty("D29");
    expect(problems).toEqual([expect.stringMatching(/^dimension D29 dropped: over 30 dimensions/)]);
  });

  it("lets a property replace its own value, but not take a metric's name", async () => {
    const { main, problems } = await recorded((m) => {
      m.addMetric("Orders", 1);
      m.addProperty("note", "first");
      m.addProperty("note", "second");
      m.addProperty("Orders", "taken");
    });
    expect(main).toMatchObject({ note: "second", Orders: 1 });
    expect(problems).toEqual([expect.stringMatching(/^property Orders dropped: .*already used/)]);
  });

  it("writes at most 20 reasons but counts every drop", async () => {
    const { dropped, problems } = await recorded((m) => {
      for (let i = 0; i < 25; i++) m.addMetric(`Bad${i}`, Number.NaN);
    });
    expect(dropped).toBe(25);
    expect(problems).toHaveLength(20);
  });
});

describe("data recorded while the line is being written", () => {
  it("is left out: a property's toJSON that records adds no metric, dimension or warning", async () => {
    // Prepare: writing the line calls toJSON, after the recording has closed; 150 metrics need two
    // directives (100 at most each), so the dimensions are written again after the property
    let calls = 0;
    const { main, dropped } = await recorded((m) => {
      for (let i = 0; i < 150; i++) m.addMetric(`M${i}`, i);
      m.addProperty("order", {
        toJSON() {
          calls++;
          m.addMetric("Late", 1);
          m.addDimension("LateDimension", "x");
          m.addDimensionSet({ LateSet: "y" });
          m.addProperty("lateProperty", "z");
          m.addProperty("_aws", 1); // a reserved name: would be dropped with a warning if seen
          return { id: "1001" };
        },
      });
    });
    // Assess: the one line, as recorded before it was written
    expect(calls).toBeGreaterThan(0);
    expect(out.documents()).toHaveLength(1);
    expect(dropped).toBeUndefined();
    expect(main.order).toEqual({ id: "1001" });
    for (const late of ["Late", "LateDimension", "LateSet", "lateProperty"]) {
      expect(main).not.toHaveProperty(late);
    }
    const aws = main._aws as {
      CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[];
    };
    const names = aws.CloudWatchMetrics.flatMap((d) => d.Metrics.map((metric) => metric.Name));
    expect(names).toHaveLength(150 + 4); // the handler's and the four request metrics
    expect(names).not.toContain("Late");
    const dimensionNames = aws.CloudWatchMetrics.flatMap((d) => d.Dimensions.flat());
    expect(new Set(dimensionNames)).toEqual(new Set(["Service", "Route"]));
  });
});
