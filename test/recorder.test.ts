import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { type Metrics, metricsFor, withVitals } from "../functions/vitals";
import { lambdaContext } from "./fixtures/context";
import type { Doc } from "./fixtures/documents";
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

// The recorder's limits, each at its edge: what a handler may record, what is dropped (and
// counted on the DroppedMetricData line, with its reason), and how large properties are kept or
// replaced so that every line stays within 256 KB.
describe("the recorder's limits at their edges", () => {
  const LINE_LIMIT = 256 * 1024;

  /** Runs a handler that records with `record`; returns every line, each checked to be valid EMF. */
  async function recorded(record: (metrics: Metrics) => void): Promise<Doc[]> {
    const handler = withVitals(
      async (_event: unknown, context: Context) => {
        record(metricsFor(context));
        return { statusCode: 200, body: "ok" };
      },
      { namespace: "Shop", service: "orders" },
    );
    await handler(httpApiEvent(), lambdaContext());
    for (const line of out.lines()) {
      expect(emfProblems(line, Date.now())).toEqual([]);
      expect(Buffer.byteLength(line)).toBeLessThanOrEqual(LINE_LIMIT);
    }
    return out.documents();
  }

  /** The DroppedMetricData warning line, which must be there. */
  function warning(docs: Doc[]): Doc {
    const found = docs.find((d) => d.DroppedMetricData !== undefined);
    expect(found).toBeDefined();
    return found as Doc;
  }

  function noWarning(docs: Doc[]): void {
    expect(docs.filter((d) => d.DroppedMetricData !== undefined)).toEqual([]);
  }

  /** Every metric name the lines define, in order. */
  function definedMetrics(docs: Doc[]): string[] {
    return docs.flatMap((doc) =>
      (
        doc._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }
      ).CloudWatchMetrics.slice(doc.Requests === undefined ? 0 : 1).flatMap((d) =>
        d.Metrics.map((m) => m.Name),
      ),
    );
  }

  describe("a metric's unit and resolution", () => {
    it("are fixed by its first value: a value with another unit is dropped", async () => {
      const docs = await recorded((m) => {
        m.addMetric("Wait", 1, "Seconds");
        m.addMetric("Wait", 2, "Milliseconds");
        m.addMetric("Wait", 3, "Seconds");
      });
      expect(docs[0]?.Wait).toEqual([1, 3]);
      expect(warning(docs)).toMatchObject({
        DroppedMetricData: 1,
        problems: ["metric Wait dropped: recorded before with another unit or resolution"],
      });
    });

    it("are fixed by its first value: a value with another resolution is dropped", async () => {
      const docs = await recorded((m) => {
        m.addMetric("Depth", 1, "Count", 1);
        m.addMetric("Depth", 2, "Count");
      });
      expect(docs[0]?.Depth).toBe(1);
      expect(warning(docs)).toMatchObject({
        problems: ["metric Depth dropped: recorded before with another unit or resolution"],
      });
    });

    it("default to None at standard resolution, which a later value may state", async () => {
      const docs = await recorded((m) => {
        m.addMetric("Plain", 1);
        m.addMetric("Plain", 2, "None", 60);
      });
      expect(docs[0]?.Plain).toEqual([1, 2]);
      noWarning(docs);
    });

    it.each([
      [0, "resolution must be 1 or 60"],
      [5, "resolution must be 1 or 60"],
    ])("reject the resolution %s", async (resolution, why) => {
      const docs = await recorded((m) => m.addMetric("Odd", 1, "Count", resolution as 1));
      expect(docs[0]).not.toHaveProperty("Odd");
      expect(warning(docs).problems).toEqual([`metric Odd dropped: ${why}`]);
    });

    it("reject a unit CloudWatch does not know", async () => {
      const docs = await recorded((m) => m.addMetric("Far", 1, "Furlongs" as "Count"));
      expect(warning(docs).problems).toEqual(['metric Far dropped: unknown unit "Furlongs"']);
    });
  });

  describe("a metric's value", () => {
    it("may be as large as 2^360 either way", async () => {
      const docs = await recorded((m) => {
        m.addMetric("Huge", 2 ** 360);
        m.addMetric("Tiny", -(2 ** 360));
      });
      expect(docs[0]).toMatchObject({ Huge: 2 ** 360, Tiny: -(2 ** 360) });
      noWarning(docs);
    });

    it.each([
      [2 ** 361, `${2 ** 361} is not a finite number within ±2^360`],
      ["12", '"12" is not a finite number within ±2^360'],
      [undefined, "undefined is not a finite number within ±2^360"],
    ])("is dropped when it is %s", async (value, why) => {
      const docs = await recorded((m) => m.addMetric("Bad", value as number));
      expect(warning(docs).problems).toEqual([`metric Bad dropped: ${why}`]);
    });
  });

  describe("the limits on names and counts", () => {
    it("take 29 dimensions of the handler's own, 30 with Service, and drop the next", async () => {
      const docs = await recorded((m) => {
        for (let i = 1; i <= 30; i++) m.addDimension(`D${i}`, "v");
        m.addMetric("Hits", 1, "Count");
      });
      const aws = docs[0]?._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] };
      expect(aws.CloudWatchMetrics[1]?.Dimensions[0]).toHaveLength(30);
      expect(docs[0]).not.toHaveProperty("D30");
      expect(warning(docs).problems).toEqual([
        "dimension D30 dropped: over 30 dimensions with Service, across all sets",
      ]);
    });

    it("let a dimension change its value, even when the set is full", async () => {
      const docs = await recorded((m) => {
        for (let i = 1; i <= 29; i++) m.addDimension(`D${i}`, "v");
        m.addDimension("D29", "w");
        m.addMetric("Hits", 1, "Count");
      });
      expect(docs[0]?.D29).toBe("w");
      noWarning(docs);
    });

    it("take 500 metrics of the handler's own and drop the next, while known ones keep taking values", async () => {
      const docs = await recorded((m) => {
        for (let i = 0; i <= 500; i++) m.addMetric(`M${i}`, i);
        m.addMetric("M0", 1000);
      });
      const names = definedMetrics(docs.filter((d) => d.DroppedMetricData === undefined));
      expect(new Set(names).size).toBe(500);
      expect(names).not.toContain("M500");
      expect(docs[0]?.M0).toEqual([0, 1000]);
      expect(warning(docs)).toMatchObject({
        DroppedMetricData: 1,
        problems: ["metric M500 dropped: over 500 metrics"],
      });
    });

    it("take 1,000 values of one metric per invocation and drop and count the rest", async () => {
      // Act: a loop without a bound, as the probe ran it
      const docs = await recorded((m) => {
        for (let i = 0; i < 100_000; i++) m.addMetric("Score", i);
        m.addMetric("Other", 1);
      });

      // Assess: ten lines of 100 values, no more, and one reason for the 99,000 dropped
      const values = docs.flatMap((d) => (d.Score === undefined ? [] : [d.Score].flat()));
      expect(values).toEqual(Array.from({ length: 1000 }, (_, i) => i));
      expect(docs.filter((d) => d.DroppedMetricData === undefined)).toHaveLength(10);
      expect(docs[0]?.Other).toBe(1);
      expect(warning(docs)).toMatchObject({
        DroppedMetricData: 99_000,
        problems: ["metric Score dropped: over 1000 values in one invocation"],
      });
    });

    it("keep the first 20 reasons and count every dropped entry", async () => {
      const docs = await recorded((m) => {
        for (let i = 0; i < 25; i++) m.addMetric(`Bad${i}`, Number.NaN);
      });
      const line = warning(docs);
      expect(line.DroppedMetricData).toBe(25);
      expect(line.message).toBe(
        "lambda-vitals dropped 25 metric entries that CloudWatch would reject",
      );
      expect(line.problems).toHaveLength(20);
      expect((line.problems as string[])[19]).toBe(
        "metric Bad19 dropped: NaN is not a finite number within ±2^360",
      );
    });

    it("clip a long name to 64 characters in the reason", async () => {
      const name = "N".repeat(100);
      const docs = await recorded((m) => m.addMetric(name, Number.NaN));
      expect(warning(docs).problems).toEqual([
        `metric ${"N".repeat(64)} dropped: NaN is not a finite number within ±2^360`,
      ]);
    });

    it("give each name to one member: a metric's name cannot be a property or a dimension", async () => {
      const docs = await recorded((m) => {
        m.addMetric("Orders", 1, "Count");
        m.addProperty("Orders", "x");
        m.addDimension("Orders", "x");
        m.addProperty("tenant", "acme");
        m.addDimension("tenant", "acme");
        m.addProperty("tenant", "globex");
      });
      expect(docs[0]).toMatchObject({ Orders: 1, tenant: "globex" });
      expect(warning(docs).problems).toEqual([
        "property Orders dropped: the name is reserved or already used on this line",
        "dimension Orders dropped: the name is reserved or already used on this line",
        "dimension tenant dropped: the name is reserved or already used on this line",
      ]);
    });

    // The members the wrapper writes itself: a handler's data must never take one over.
    it.each([
      "_aws",
      "__proto__",
      "Service",
      "Route",
      "Requests",
      "Latency",
      "Errors",
      "ClientErrors",
      "ColdStart",
      "Timeouts",
      "requestId",
      "traceId",
      "method",
      "path",
      "status",
      "errorType",
      "errorMessage",
      "vitalsPropertiesDropped",
      "toJSON",
    ])("keep the wrapper's member %s for the wrapper", async (name) => {
      const docs = await recorded((m) => {
        m.addProperty(name, "taken");
        m.addMetric(name, 1);
        m.addDimension(name, "taken");
      });
      const why = "the name is reserved or already used on this line";
      expect(warning(docs)).toMatchObject({
        DroppedMetricData: 3,
        problems: [
          `property ${name} dropped: ${why}`,
          `metric ${name} dropped: ${why}`,
          `dimension ${name} dropped: ${why}`,
        ],
      });
      expect(Object.values(docs[0] ?? {})).not.toContain("taken");
    });
  });

  describe("large properties", () => {
    // "€" takes 3 bytes in UTF-8 for 1 UTF-16 unit: the case where counting units would mislead.
    const EURO = "€";

    it("are kept whole when the line still fits in 256 KB", async () => {
      // Prepare: 258,000 bytes of property, a few hundred for the rest of the line
      const big = EURO.repeat(86_000);
      // Act
      const docs = await recorded((m) => {
        m.addProperty("note", big);
        m.addMetric("Hits", 1, "Count");
      });
      // Assess
      expect(docs).toHaveLength(1);
      expect(docs[0]?.note).toBe(big);
      expect(docs[0]).not.toHaveProperty("vitalsPropertiesDropped");
      expect(docs[0]?.Hits).toBe(1);
    });

    it("are counted by their real size: 200,000 ASCII characters take 200,000 bytes and are kept", async () => {
      // Prepare: at 3 bytes a character (the most one UTF-16 unit takes) this would not fit
      const big = "a".repeat(200_000);
      // Act
      const docs = await recorded((m) => {
        m.addProperty("note", big);
        m.addMetric("Hits", 1, "Count");
      });
      // Assess
      expect(docs).toHaveLength(1);
      expect(docs[0]?.note).toBe(big);
      expect(docs[0]).not.toHaveProperty("vitalsPropertiesDropped");
    });

    it("are replaced by a note when they would not fit, and the metrics are still written", async () => {
      // Prepare: 264,000 bytes of property, though only 88,000 UTF-16 units
      const big = EURO.repeat(88_000);
      // Act
      const docs = await recorded((m) => {
        m.addProperty("note", big);
        m.addProperty("small", 1);
        m.addMetric("Hits", 1, "Count");
      });
      // Assess
      expect(docs).toHaveLength(1);
      expect(docs[0]).not.toHaveProperty("note");
      expect(docs[0]).not.toHaveProperty("small");
      expect(docs[0]?.vitalsPropertiesDropped).toBe("line over size limit");
      expect(docs[0]).toMatchObject({ Hits: 1, Requests: 1, status: 200 });
    });

    it("that fit keep the first line, and metrics that do not fit beside them go to the next", async () => {
      // Prepare: 240,000 bytes of property and about 30 KB of metrics
      const big = EURO.repeat(80_000);
      // Act
      const docs = await recorded((m) => {
        m.addProperty("note", big);
        for (let i = 0; i < 300; i++) m.addMetric(`Metric_with_a_long_name_${i}`, i, "Count");
      });
      // Assess
      expect(docs.length).toBeGreaterThan(1);
      expect(docs[0]?.note).toBe(big);
      expect(docs.slice(1).every((d) => d.note === undefined)).toBe(true);
      expect(new Set(definedMetrics(docs)).size).toBe(300);
    });
  });
});
