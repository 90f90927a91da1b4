import { describe, expect, it } from "vitest";
import { createMetricStore, MINUTE_MS, minuteOf } from "../../local";
import { emfLine, NOW } from "../fixtures/emf-lines";

const service = { namespace: "Shop/dev", dimensions: { Service: "shop" } };
const minute = minuteOf(NOW);

describe("the local metric store", () => {
  it("keeps each minute's raw values per namespace, name and exact dimension set", () => {
    const store = createMetricStore();
    for (const latency of [10, 20, 1500]) {
      store.ingestLine(emfLine({ members: { Latency: latency } }), NOW);
    }
    store.ingestLine(emfLine({ timestamp: NOW + MINUTE_MS, members: { Latency: 7 } }), NOW);

    const latency = { ...service, name: "Latency" };
    expect(store.values(latency, minute, 60)).toEqual([10, 20, 1500]);
    expect(store.datapoint(latency, "p99", minute, 60)).toBe(1500);
    expect(store.datapoint(latency, "Average", minute, 60)).toBe(510);
    expect(store.datapoint(latency, "SampleCount", minute, 120)).toBe(4);
    expect(store.datapoint(latency, "Minimum", minute + MINUTE_MS, 60)).toBe(7);
    expect(store.datapoint(latency, "Sum", minute + 2 * MINUTE_MS, 60)).toBeUndefined();
    // The route-level series is a different metric: { Service } does not match { Service, Route }.
    const perRoute = { ...latency, dimensions: { Route: "GET /orders/{id}", Service: "shop" } };
    expect(store.datapoint(perRoute, "SampleCount", minute, 60)).toBe(3);
    expect(store.datapoint({ ...latency, dimensions: {} }, "Sum", minute, 60)).toBeUndefined();
  });

  it("counts rejected lines with their reasons, and stores nothing from them", () => {
    const store = createMetricStore();
    const result = store.ingestLine("START RequestId: 8235bba3 Version: $LATEST", NOW);
    store.ingestLine(emfLine({ members: { Latency: Number.NaN } }), NOW);
    store.ingestLine(emfLine(), NOW);

    expect(result).toEqual({ accepted: false, reason: "not JSON" });
    expect(store.rejections().map((r) => r.reason)).toEqual([
      "not JSON",
      "metric Latency has a value that is not a number: null",
    ]);
    expect(store.acceptedLines()).toBe(1);
    expect(store.datapoint({ ...service, name: "Requests" }, "Sum", minute, 60)).toBe(1);
  });

  it("filters by unit when a query names one, as an alarm's Unit does", () => {
    const store = createMetricStore();
    store.ingestLine(emfLine(), NOW);
    const latency = { ...service, name: "Latency" };
    expect(store.datapoint({ ...latency, unit: "Milliseconds" }, "Sum", minute, 60)).toBe(12.5);
    expect(store.datapoint({ ...latency, unit: "Seconds" }, "Sum", minute, 60)).toBeUndefined();
  });

  it("takes synthetic AWS series beside the EMF ones, and lists every metric", () => {
    const store = createMetricStore();
    const errors = {
      namespace: "AWS/Lambda",
      name: "Errors",
      dimensions: { FunctionName: "shop-dev-getOrder" },
    };
    store.ingestSeries({
      ...errors,
      unit: "Count",
      points: [
        { at: NOW, values: [3] },
        { at: NOW + MINUTE_MS, values: [2] },
      ],
    });
    expect(store.datapoint(errors, "Sum", minute, 120)).toBe(5);
    expect(store.metrics()).toEqual([{ ...errors, units: ["Count"] }]);
  });

  it("refuses a synthetic series with a value that is not finite", () => {
    const store = createMetricStore();
    const bad = { ...service, name: "Requests", points: [{ at: NOW, values: [Number.NaN] }] };
    expect(() => store.ingestSeries(bad)).toThrow(/Requests has a point/);
  });
});
