import { describe, expect, it } from "vitest";
import { isUnit, UNITS } from "../functions/vitals/contract";
import {
  dimensionNameProblem,
  dimensionValueProblem,
  isValidValue,
  LIMITS,
  metricDefinition,
  nameProblem,
  namespaceProblem,
  singleMetricLine,
  toDimensionValue,
} from "../functions/vitals/emf";

describe("metricDefinition", () => {
  it("writes StorageResolution only for high-resolution metrics", () => {
    expect(metricDefinition("Fast", "Count", 1)).toEqual({
      Name: "Fast",
      Unit: "Count",
      StorageResolution: 1,
    });
    expect(metricDefinition("Slow", "Count", 60)).toEqual({ Name: "Slow", Unit: "Count" });
  });
});

describe("LIMITS", () => {
  it("spells CloudWatch's limits as literals that equal the rules they come from", () => {
    expect(LIMITS.maxMagnitude).toBe(2 ** 360);
    expect(LIMITS.lineBytes).toBe(256 * 1024 - 1024);
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

// The embedded metric format's rules at their exact edges: the longest name, dimension value and
// namespace CloudWatch takes, the first one it refuses, and the whole message a caller reads.
describe("the EMF rules at their exact edges", () => {
  describe("names, dimension values and namespaces, at their length limits", () => {
    it("take a name of 255 characters and refuse one of 256, showing its first 64", () => {
      expect(nameProblem("n".repeat(255))).toBeUndefined();
      expect(nameProblem("n".repeat(256))).toBe(
        `a name must be 1-255 printable ASCII characters, not only spaces: "${"n".repeat(64)}"`,
      );
    });

    it("take a dimension value of 1024 characters and refuse one of 1025", () => {
      expect(dimensionValueProblem("v".repeat(1024))).toBeUndefined();
      expect(dimensionValueProblem("v".repeat(1025))).toBe(
        `a dimension value must be 1-1024 printable ASCII characters, not only spaces: "${"v".repeat(64)}"`,
      );
    });

    it("take a namespace of 255 characters and refuse one of 256", () => {
      expect(namespaceProblem("s".repeat(255))).toBeUndefined();
      expect(namespaceProblem("s".repeat(256))).toBe(
        `namespace must be 1-255 printable ASCII characters, not only spaces: "${"s".repeat(64)}"`,
      );
    });

    it("name the type of a value that is not a string", () => {
      expect(nameProblem(undefined)).toBe(
        "a name must be 1-255 printable ASCII characters, not only spaces: undefined",
      );
    });

    it("accept the printable ASCII range's ends, space and tilde, and refuse the characters beside them", () => {
      expect(nameProblem(" a~")).toBeUndefined();
      expect(nameProblem("a\u007f")).toMatch(/printable ASCII/);
      expect(nameProblem("a\u001f")).toMatch(/printable ASCII/);
    });

    it("refuse a namespace reserved for AWS, whole message, and allow AWS/ later in the name", () => {
      expect(namespaceProblem("AWS/Lambda")).toBe(
        'namespace must not start with ":" or "AWS/" (reserved): AWS/Lambda',
      );
      expect(namespaceProblem("Shop/AWS/x")).toBeUndefined();
      expect(namespaceProblem("AWSome")).toBeUndefined();
    });
  });

  describe("a derived dimension value", () => {
    it("is kept as it is when it is safe, up to 1024 characters", () => {
      const long = `GET /${"a".repeat(1019)}`;
      expect(toDimensionValue(long, "x")).toBe(long);
      expect(toDimensionValue(" GET / ", "x")).toBe(" GET / ");
    });

    it("is cut to 1024 characters, with each unprintable character made a question mark", () => {
      const value = `\u00e9${"b".repeat(1100)}`;
      expect(toDimensionValue(value, "x")).toBe(`?${"b".repeat(1023)}`);
    });

    it("keeps a value of only unprintable characters, as question marks, rather than the fallback", () => {
      expect(toDimensionValue("\u00e9\u00e9", "x")).toBe("??");
    });

    it("falls back for an empty value", () => {
      expect(toDimensionValue("", "GET /*")).toBe("GET /*");
    });
  });

  describe("a single-metric line", () => {
    it("holds one directive with its dimensions, the members, and the value last", () => {
      const line = singleMetricLine({
        timestamp: 1_700_000_000_000,
        namespace: "Shop",
        dimensions: ["Service", "Check"],
        metric: { name: "HealthCheckFailed", unit: "Count" },
        value: 1,
        members: { Service: "orders", Check: "runtime:uptime", detail: "x" },
      });
      expect(JSON.parse(line)).toStrictEqual({
        _aws: {
          Timestamp: 1_700_000_000_000,
          CloudWatchMetrics: [
            {
              Namespace: "Shop",
              Dimensions: [["Service", "Check"]],
              Metrics: [{ Name: "HealthCheckFailed", Unit: "Count" }],
            },
          ],
        },
        Service: "orders",
        Check: "runtime:uptime",
        detail: "x",
        HealthCheckFailed: 1,
      });
      expect(Object.keys(JSON.parse(line)).at(-1)).toBe("HealthCheckFailed");
    });
  });
});

describe("dimensionNameProblem", () => {
  it("gives a name's own problem first, for a value that is no name at all", () => {
    const why = "a name must be 1-255 printable ASCII characters, not only spaces";
    expect(dimensionNameProblem(42)).toBe(`${why}: number`);
    expect(dimensionNameProblem("")).toBe(`${why}: ""`);
  });

  it("refuses a leading colon, quoting at most 64 characters of the name", () => {
    const name = `:${"x".repeat(63)}TAIL`;
    expect(dimensionNameProblem(name)).toBe(
      `a dimension name must not start with ":": ${JSON.stringify(name.slice(0, 64))}`,
    );
    expect(dimensionNameProblem("Tenant")).toBeUndefined();
  });
});
