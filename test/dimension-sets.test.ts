import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { type Metrics, metricsFor, withVitals } from "../functions/vitals";
import { lambdaContext } from "./fixtures/context";
import { emfProblems } from "./fixtures/emf-spec";
import { httpApiEvent } from "./fixtures/events";
import { capturedEachTest } from "./fixtures/stdout";

const out = capturedEachTest();

const options = { namespace: "Test", service: "orders" };

interface Directive {
  readonly Namespace: string;
  readonly Dimensions: string[][];
  readonly Metrics: { Name: string }[];
}

/** Runs a handler that records with `record`, and returns its valid, parsed lines. */
async function recorded(record: (metrics: Metrics) => void): Promise<Record<string, unknown>[]> {
  const handler = withVitals(async (_event: unknown, context: Context) => {
    record(metricsFor(context));
    return { statusCode: 200 };
  }, options);
  await handler(httpApiEvent(), lambdaContext({ requestId: "r-sets" }));
  for (const line of out.lines()) expect(emfProblems(line)).toEqual([]);
  return out.documents();
}

function directives(doc: Record<string, unknown> | undefined): Directive[] {
  return (doc?._aws as { CloudWatchMetrics: Directive[] } | undefined)?.CloudWatchMetrics ?? [];
}

/** The dimension sets the handler's metric `name` is written under. */
function setsOf(doc: Record<string, unknown> | undefined, name: string): string[][] {
  return directives(doc)
    .filter((d) => d.Metrics.some((m) => m.Name === name))
    .flatMap((d) => d.Dimensions);
}

/** A sorted copy of each set, to compare sets as CloudWatch does: by their names. */
const unordered = (sets: string[][]) => sets.map((set) => [...set].sort()).sort();

describe("addDimensionSet", () => {
  it("writes every custom metric under each set, with Service in every one", async () => {
    // Act
    const [doc, ...rest] = await recorded((metrics) => {
      metrics.addDimension("Channel", "web");
      metrics.addDimensionSet({ Tenant: "acme", Region: "eu" });
      metrics.addDimensionSet({ Tenant: "acme" });
      metrics.addMetric("OrdersCreated", 1, "Count");
      metrics.addMetric("CartSize", 3, "Count");
    });

    // Assess
    expect(rest).toEqual([]);
    for (const name of ["OrdersCreated", "CartSize"]) {
      expect(setsOf(doc, name)).toEqual([
        ["Service", "Channel"],
        ["Service", "Tenant", "Region"],
        ["Service", "Tenant"],
      ]);
    }
    expect(doc).toMatchObject({
      Service: "orders",
      Channel: "web",
      Tenant: "acme",
      Region: "eu",
      OrdersCreated: 1,
      CartSize: 3,
    });
    // the request metrics keep their own sets
    expect(setsOf(doc, "Requests")).toEqual([["Service", "Route"], ["Service"]]);
  });

  it("keeps addDimension's set, even when it is only Service", async () => {
    // Act
    const [doc] = await recorded((metrics) => {
      metrics.addDimensionSet({ Tenant: "acme" });
      metrics.addMetric("OrdersCreated", 1, "Count");
    });

    // Assess
    expect(setsOf(doc, "OrdersCreated")).toEqual([["Service"], ["Service", "Tenant"]]);
  });

  it("adds the Service-only set beside addDimension's for an empty set", async () => {
    // Act
    const [doc] = await recorded((metrics) => {
      metrics.addDimension("Tenant", "acme");
      metrics.addDimensionSet({});
      metrics.addMetric("OrdersCreated", 1, "Count");
    });

    // Assess
    expect(setsOf(doc, "OrdersCreated")).toEqual([["Service", "Tenant"], ["Service"]]);
  });

  it("writes a set of the same names once, in any order, since each would count the values again", async () => {
    // Act
    const [doc, ...rest] = await recorded((metrics) => {
      metrics.addDimensionSet({ Tenant: "acme", Region: "eu" });
      metrics.addDimensionSet({ Region: "eu", Tenant: "acme" });
      metrics.addDimensionSet({ Tenant: "acme" });
      // addDimension's set grows to the same names as the last one
      metrics.addDimension("Tenant", "acme");
      metrics.addMetric("OrdersCreated", 1, "Count");
    });

    // Assess: nothing was dropped, and no set appears twice
    expect(rest).toEqual([]);
    expect(unordered(setsOf(doc, "OrdersCreated"))).toEqual(
      unordered([
        ["Service", "Tenant"],
        ["Service", "Tenant", "Region"],
      ]),
    );
  });

  it("writes the sets' dimensions only with metrics, like addDimension's", async () => {
    // Act
    const [doc] = await recorded((metrics) => {
      metrics.addDimensionSet({ Tenant: "acme" });
      metrics.addProperty("orderId", "o-1");
    });

    // Assess
    expect(doc).toMatchObject({ orderId: "o-1", Requests: 1 });
    expect(doc).not.toHaveProperty("Tenant");
    expect(directives(doc)).toHaveLength(1);
  });

  it("spreads metrics over several lines with every set on each of them", async () => {
    // Act: 250 values of one metric need three lines
    const docs = await recorded((metrics) => {
      metrics.addDimensionSet({ Tenant: "acme" });
      for (let i = 0; i < 250; i++) metrics.addMetric("Item", i, "Count");
    });

    // Assess
    expect(docs).toHaveLength(3);
    for (const doc of docs) {
      expect(setsOf(doc, "Item")).toEqual([["Service"], ["Service", "Tenant"]]);
      expect(doc).toMatchObject({ Tenant: "acme", requestId: "r-sets" });
    }
    expect(docs.flatMap((d) => d.Item as number[])).toEqual(
      Array.from({ length: 250 }, (_, i) => i),
    );
  });
});

describe("addDimensionSet drops what CloudWatch cannot take, and counts it", () => {
  /** The warning line's count and reasons, and the custom metric's sets on the main line. */
  async function dropped(record: (metrics: Metrics) => void) {
    const docs = await recorded((metrics) => {
      record(metrics);
      metrics.addMetric("OrdersCreated", 1, "Count");
    });
    const warning = docs.find((d) => d.level === "WARN");
    return {
      main: docs[0],
      sets: setsOf(docs[0], "OrdersCreated"),
      count: warning?.DroppedMetricData,
      problems: (warning?.problems ?? []) as string[],
    };
  }

  it.each([
    ["a value that is not printable ASCII", { Tenant: "\u00e9l\u00e8ve" }, /ASCII/],
    ["an empty value", { Tenant: "" }, /1-1024/],
    ["a value that is not a string", { Tenant: 7 }, /: number/],
    ["a name over 255 characters", { ["x".repeat(256)]: "a" }, /1-255/],
    ["Service, which every set has already", { Service: "other" }, /reserved/],
    ["a name the line uses for a field", { requestId: "a" }, /reserved/],
    ["a name already used by a metric", { OrdersSeen: "a" }, /already used/],
  ])("drops a whole set with %s", async (_what, set, why) => {
    // Act
    const result = await dropped((metrics) => {
      metrics.addMetric("OrdersSeen", 1);
      metrics.addDimensionSet({ Region: "eu", ...(set as Record<string, string>) });
    });

    // Assess
    expect(result.sets).toEqual([["Service"]]);
    expect(result.main).not.toHaveProperty("Region");
    expect(result.count).toBe(1);
    expect(result.problems[0]).toMatch(/^dimension set .* dropped: /);
    expect(result.problems[0]).toMatch(why);
  });

  it.each([
    ["null", null],
    ["an array", [["Tenant", "a"]]],
    ["a string", "Tenant=a"],
    ["undefined", undefined],
  ])("drops %s, which is not a set", async (_what, set) => {
    const result = await dropped((metrics) => {
      metrics.addDimensionSet(set as unknown as Record<string, string>);
    });
    expect(result.sets).toEqual([["Service"]]);
    expect(result.count).toBe(1);
    expect(result.problems[0]).toMatch(/^dimension set .*dropped: it must be an object/);
  });

  it("drops a set whose getter throws, and the handler never sees the throw", async () => {
    const hostile = Object.defineProperty({}, "Tenant", {
      enumerable: true,
      get() {
        throw new Error("boom");
      },
    });
    const result = await dropped((metrics) => {
      metrics.addDimensionSet(hostile as Record<string, string>);
    });
    expect(result.count).toBe(1);
  });

  it("keeps one value per dimension name: a set that would give another is dropped", async () => {
    // Act
    const result = await dropped((metrics) => {
      metrics.addDimension("Tenant", "acme");
      metrics.addDimensionSet({ Tenant: "globex", Region: "eu" });
      metrics.addDimensionSet({ Region: "eu" });
      metrics.addDimension("Region", "us"); // a set names Region: its value is fixed
    });

    // Assess
    expect(result.sets).toEqual([
      ["Service", "Tenant"],
      ["Service", "Region"],
    ]);
    expect(result.main).toMatchObject({ Tenant: "acme", Region: "eu" });
    expect(result.count).toBe(2);
    expect(result.problems).toEqual([
      expect.stringMatching(/^dimension set Tenant,Region dropped: Tenant: it has another value/),
      expect.stringMatching(/^dimension Region dropped: a dimension set .* another value/),
    ]);
  });

  it("still lets addDimension change a value that only its own set uses, as before", async () => {
    const result = await dropped((metrics) => {
      metrics.addDimension("Tenant", "acme");
      metrics.addDimension("Tenant", "globex");
    });
    expect(result.main).toMatchObject({ Tenant: "globex" });
    expect(result.count).toBeUndefined();
  });

  it("holds 30 dimension names with Service across all sets", async () => {
    // Act: 20 names in addDimension's set, then sets that would bring 10 and 9 more
    const names = (prefix: string, n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, "v"]));
    const result = await dropped((metrics) => {
      for (const [name, value] of Object.entries(names("A", 20))) metrics.addDimension(name, value);
      metrics.addDimensionSet({ A0: "v", ...names("B", 10) });
      metrics.addDimensionSet({ A0: "v", ...names("C", 9) });
    });

    // Assess
    expect(result.sets).toHaveLength(2);
    expect(result.sets[1]).toHaveLength(11);
    expect(result.count).toBe(1);
    expect(result.problems[0]).toMatch(/^dimension set A0,B0.* over 30 dimensions/);
  });

  it("holds 10 sets, addDimension's included", async () => {
    const result = await dropped((metrics) => {
      for (let i = 0; i < 10; i++) metrics.addDimensionSet({ [`D${i}`]: "v" });
    });
    expect(result.sets).toHaveLength(10);
    expect(result.main).not.toHaveProperty("D9");
    expect(result.count).toBe(1);
    expect(result.problems[0]).toMatch(/^dimension set D9 dropped: over 10 dimension sets/);
  });

  it("does not count a set added again against the 10, nor refuse it at the limit", async () => {
    // Act: D0 twice, then eight more sets (ten with addDimension's), then two of them again
    const result = await dropped((metrics) => {
      metrics.addDimensionSet({ D0: "v" });
      metrics.addDimensionSet({ D0: "v" });
      for (let i = 1; i < 9; i++) metrics.addDimensionSet({ [`D${i}`]: "v" });
      metrics.addDimensionSet({ D0: "v" });
      metrics.addDimensionSet({ D8: "v" });
    });

    // Assess
    expect(result.sets).toHaveLength(10);
    expect(result.main).toHaveProperty("D8", "v");
    expect(result.count).toBeUndefined();
    expect(result.problems).toEqual([]);
  });

  it("cuts a long name to 64 characters in the reason a set was dropped", async () => {
    const name = `${"x".repeat(64)}TAIL`;
    const result = await dropped((metrics) => {
      metrics.addDimensionSet({ [name]: 7 } as unknown as Record<string, string>);
    });
    expect(result.count).toBe(1);
    expect(result.problems[0]).toContain(`dropped: ${"x".repeat(64)}: `);
    expect(result.problems[0]).not.toContain(`xTAIL: `);
  });

  it("does nothing outside a wrapped handler", () => {
    expect(() => metricsFor(lambdaContext()).addDimensionSet({ Tenant: "a" })).not.toThrow();
    expect(out.lines()).toEqual([]);
  });
});
