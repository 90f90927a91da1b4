import { describe, expect, it } from "vitest";
import { isStatistic, percentileOf, statistic } from "../../local";

describe("statistics over one period's raw values", () => {
  const values = [40, 10, 30, 20];

  it("computes Sum, Average, Minimum, Maximum and SampleCount as CloudWatch defines them", () => {
    expect(statistic(values, "Sum")).toBe(100);
    expect(statistic(values, "Average")).toBe(25);
    expect(statistic(values, "Minimum")).toBe(10);
    expect(statistic(values, "Maximum")).toBe(40);
    expect(statistic(values, "SampleCount")).toBe(4);
  });

  it("has no datapoint for an empty period, not 0, for every statistic", () => {
    for (const name of ["Sum", "Average", "Minimum", "Maximum", "SampleCount", "p99"] as const) {
      expect(statistic([], name)).toBeUndefined();
    }
  });

  it("answers percentiles by nearest rank, always a value that was written", () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(statistic(hundred, "p50")).toBe(50);
    expect(statistic(hundred, "p99")).toBe(99);
    expect(statistic(hundred, "p99.5")).toBe(100);
    expect(statistic(hundred, "p100")).toBe(100);
    expect(statistic(hundred, "p0")).toBe(1);
    expect(statistic(values, "p50")).toBe(20);
  });

  it("gives the maximum as p99 of fewer than 100 values: one slow request in a quiet minute", () => {
    expect(statistic([12, 15, 1500], "p99")).toBe(1500);
  });

  it("accepts pNN and pNN.NN up to p100 and nothing else", () => {
    expect(percentileOf("p99.9")).toBe(99.9);
    expect(percentileOf("p100")).toBe(100);
    expect(percentileOf("p100.5")).toBeUndefined();
    expect(percentileOf("p99.123")).toBeUndefined();
    expect(isStatistic("tm90")).toBe(false);
    expect(isStatistic("Average")).toBe(true);
    expect(() => statistic(values, "p101")).toThrow(/unknown statistic "p101"/);
  });
});
