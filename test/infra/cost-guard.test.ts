/**
 * The cardinality guard (infra/cost-guard.ts): over the budget it warns, over the hard limit it
 * refuses, and either way it names the metric and the dimension that make the most series.
 */
import { describe, expect, it } from "vitest";
import { customMetricSeries } from "../../infra/cost";
import { cardinalityVerdict } from "../../infra/cost-guard";
import { costSettings } from "../../infra/cost-settings";
import { readServiceConfig } from "../../infra/service";
import { serviceConfig } from "../fixtures/service-config";

/** The shop with `count` HTTP functions, one route each, beside the health function. */
function shopSeries(count: number) {
  const config = serviceConfig({ routes: Array.from({ length: count }, (_, i) => `route${i}`) });
  const series = customMetricSeries(readServiceConfig(config), costSettings(config));
  return { series, customMetrics: series.reduce((t, s) => t + s.series, 0) };
}

describe("cardinalityVerdict", () => {
  it("is quiet within the budget and when none is set", () => {
    const estimate = shopSeries(3);
    expect(estimate.customMetrics).toBe(44);
    expect(cardinalityVerdict(estimate, { metricBudget: 44, metricLimit: 100 })).toEqual({
      level: "ok",
    });
    expect(
      cardinalityVerdict(estimate, { metricBudget: undefined, metricLimit: undefined }),
    ).toEqual({ level: "ok" });
  });

  it("warns over the budget, naming the metric and the dimension", () => {
    // Prepare: 20 routes + /health + event:schedule = 22 Route rows for each request metric
    const estimate = shopSeries(20);

    // Act
    const verdict = cardinalityVerdict(estimate, { metricBudget: 100, metricLimit: 1000 });

    // Assess
    expect(verdict.level).toBe("warn");
    if (verdict.level === "ok") return;
    expect(verdict.message).toContain(
      `${estimate.customMetrics} custom metrics, over the budget of 100 (custom.vitals.cost.metricBudget)`,
    );
    expect(verdict.message).toContain(
      "the dimension Route: 22 values under Requests, Latency, Errors, ClientErrors, ColdStart, " +
        "Timeouts, 132 series",
    );
    expect(verdict.message).toContain("belong in properties (addProperty), never in dimensions");
  });

  it("refuses over the hard limit", () => {
    const verdict = cardinalityVerdict(shopSeries(20), { metricBudget: 10, metricLimit: 100 });
    expect(verdict.level).toBe("refuse");
    if (verdict.level === "ok") return;
    expect(verdict.message).toContain(
      "over the hard limit of 100 (custom.vitals.cost.metricLimit)",
    );
  });
});
