import { describe, expect, it } from "vitest";
import { isUnit, UNITS } from "../functions/vitals/contract";
import {
  dimensionValueProblem,
  isValidValue,
  LIMITS,
  metricDefinition,
  nameProblem,
  namespaceProblem,
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
