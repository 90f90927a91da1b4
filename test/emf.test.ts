import { describe, expect, it } from "vitest";
import { UNITS } from "../functions/vitals/contract";
import {
  dimensionValueProblem,
  type EmfInput,
  isUnit,
  isValidValue,
  LIMITS,
  type MetricSeries,
  nameProblem,
  namespaceProblem,
  renderEmf,
  toDimensionValue,
} from "../functions/vitals/emf";
import { emfProblems } from "./fixtures/emf-spec";

function series(name: string, values: number[], resolution: 1 | 60 = 60): MetricSeries {
  return { name, unit: "Count", resolution, values };
}

function input(overrides: Partial<EmfInput> = {}): EmfInput {
  return {
    timestamp: Date.now(),
    namespace: "Test",
    groups: [{ dimensionSets: [["Service"]], series: [series("Orders", [1])] }],
    members: { Service: "orders" },
    properties: {},
    ...overrides,
  };
}

const parse = (line: string | undefined) => JSON.parse(line ?? "null") as Record<string, unknown>;

describe("renderEmf", () => {
  it("renders one document with the directive first and the values as root members", () => {
    const [line, ...rest] = renderEmf(input({ properties: { requestId: "r1" } }));
    expect(rest).toEqual([]);
    expect(emfProblems(line ?? "")).toEqual([]);
    const doc = parse(line);
    expect(Object.keys(doc)[0]).toBe("_aws");
    expect(doc).toMatchObject({ Service: "orders", Orders: 1, requestId: "r1" });
    expect(doc._aws).toEqual({
      Timestamp: expect.any(Number),
      CloudWatchMetrics: [
        {
          Namespace: "Test",
          Dimensions: [["Service"]],
          Metrics: [{ Name: "Orders", Unit: "Count" }],
        },
      ],
    });
  });

  it("writes StorageResolution only for high-resolution metrics", () => {
    const [line] = renderEmf(
      input({
        groups: [{ dimensionSets: [[]], series: [series("Fast", [1], 1), series("Slow", [2])] }],
      }),
    );
    const metrics = (parse(line)._aws as { CloudWatchMetrics: { Metrics: unknown[] }[] })
      .CloudWatchMetrics[0]?.Metrics;
    expect(metrics).toEqual([
      { Name: "Fast", Unit: "Count", StorageResolution: 1 },
      { Name: "Slow", Unit: "Count" },
    ]);
  });

  it("never lets a property overwrite _aws, a dimension or a metric value", () => {
    const [line] = renderEmf(
      input({ properties: { _aws: "x", Service: "evil", Orders: "many", note: "kept" } }),
    );
    expect(emfProblems(line ?? "")).toEqual([]);
    expect(parse(line)).toMatchObject({ Service: "orders", Orders: 1, note: "kept" });
  });

  it("splits metrics beyond 100 per directive within one line", () => {
    const many = Array.from({ length: 230 }, (_, i) => series(`M${i}`, [i]));
    const lines = renderEmf(input({ groups: [{ dimensionSets: [["Service"]], series: many }] }));
    expect(lines).toHaveLength(1);
    const directives = (parse(lines[0])._aws as { CloudWatchMetrics: { Metrics: unknown[] }[] })
      .CloudWatchMetrics;
    expect(directives.map((d) => d.Metrics.length)).toEqual([100, 100, 30]);
  });

  it("spills values beyond 100 per metric onto extra lines, properties on the first only", () => {
    const values = Array.from({ length: 205 }, (_, i) => i);
    const lines = renderEmf(
      input({
        groups: [
          { dimensionSets: [["Service"]], series: [series("V", values), series("One", [7])] },
        ],
        properties: { requestId: "r" },
      }),
    );
    expect(lines).toHaveLength(3);
    const docs = lines.map(parse);
    expect(docs.map((d) => (Array.isArray(d.V) ? d.V.length : 1))).toEqual([100, 100, 5]);
    expect(docs.map((d) => d.One)).toEqual([7, undefined, undefined]);
    expect(docs.map((d) => d.requestId)).toEqual(["r", undefined, undefined]);
    expect(docs.every((d) => d.Service === "orders")).toBe(true);
    for (const line of lines) expect(emfProblems(line)).toEqual([]);
  });

  it("drops properties, then splits metrics, to keep every line within the size limit", () => {
    const names = Array.from({ length: 600 }, (_, i) => `${"n".repeat(200)}${i}`);
    const big = names.map((name) =>
      series(
        name,
        Array.from({ length: 100 }, (_, i) => i * 1.123456789),
      ),
    );
    const lines = renderEmf(
      input({
        groups: [{ dimensionSets: [["Service"]], series: big }],
        fields: { status: 200 },
        properties: { blob: "x".repeat(1000) },
      }),
    );
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) {
      expect(Buffer.byteLength(line)).toBeLessThanOrEqual(LIMITS.lineBytes);
      expect(emfProblems(line)).toEqual([]);
    }
    const docs = lines.map(parse);
    const written = docs.flatMap((d) => Object.keys(d).filter((k) => k.startsWith("n")));
    expect(new Set(written)).toEqual(new Set(names));
    expect(docs.filter((d) => d.status === 200)).toHaveLength(1);
    expect(docs.some((d) => d.blob !== undefined)).toBe(false);
  });

  it("replaces properties that cannot be serialised with a note, keeping the fields", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const [line] = renderEmf(input({ fields: { status: 500 }, properties: { cycle } }));
    expect(emfProblems(line ?? "")).toEqual([]);
    expect(parse(line)).toMatchObject({ status: 500, Orders: 1 });
    expect(parse(line).vitalsPropertiesDropped).toMatch(/not serialisable/);
  });
});

describe("validation", () => {
  it.each([
    [1, true],
    [-0.5, true],
    [2 ** 360, true],
    [-(2 ** 360), true],
    [2 ** 361, false],
    [Number.NaN, false],
    [Number.POSITIVE_INFINITY, false],
    ["1", false],
    [null, false],
    [1n, false],
  ])("isValidValue(%s) is %s", (value, valid) => {
    expect(isValidValue(value)).toBe(valid);
  });

  it("accepts exactly the CloudWatch units", () => {
    for (const unit of UNITS) expect(isUnit(unit)).toBe(true);
    for (const bad of [
      "count",
      "Seconds/Second",
      "Percent/Second",
      "KiloBytes",
      "Kilo",
      "",
      "None ",
    ]) {
      expect(isUnit(bad)).toBe(false);
    }
  });

  it("checks names", () => {
    expect(nameProblem("Orders")).toBeUndefined();
    expect(nameProblem("")).toMatch(/1-255/);
    expect(nameProblem("x".repeat(256))).toMatch(/1-255/);
    expect(nameProblem("caf\u00e9")).toMatch(/ASCII/);
    expect(nameProblem("  ")).toMatch(/not only spaces/);
    expect(nameProblem(5)).toMatch(/: number$/);
  });

  it("checks dimension values", () => {
    expect(dimensionValueProblem("web")).toBeUndefined();
    expect(dimensionValueProblem("x".repeat(1025))).toMatch(/1-1024/);
    expect(dimensionValueProblem("a\tb")).toMatch(/ASCII/);
    expect(dimensionValueProblem(3)).toMatch(/: number$/);
  });

  it("checks namespaces", () => {
    expect(namespaceProblem("LambdaVitals/prod")).toBeUndefined();
    expect(namespaceProblem("AWS/Lambda")).toMatch(/reserved/);
    expect(namespaceProblem(":x")).toMatch(/":"/);
    expect(namespaceProblem("Ok:x")).toBeUndefined();
  });

  it("makes derived strings safe as dimension values", () => {
    expect(toDimensionValue("GET /caf\u00e9", "x")).toBe("GET /caf?");
    expect(toDimensionValue("   ", "fallback")).toBe("fallback");
    expect(toDimensionValue("a".repeat(2000), "x")).toHaveLength(1024);
  });
});
