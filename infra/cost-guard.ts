/**
 * The cardinality guard: custom metrics are billed per series, so packaging warns when the stack
 * would write more than the budget (`custom.vitals.cost.metricBudget`) and stops above the hard
 * limit (`metricLimit`), naming the metric and the dimension that make the most series.
 */

import type { CostEstimate, MetricSeries } from "./cost";
import type { CostSettings } from "./cost-settings";

export type Verdict =
  | { readonly level: "ok" }
  | { readonly level: "warn" | "refuse"; readonly message: string };

/**
 * @example
 * cardinalityVerdict(estimate, { metricBudget: 40, metricLimit: 100 });
 * // { level: "warn", message: "lambda-vitals: 52 custom metrics, over the budget of 40 ..." }
 */
export function cardinalityVerdict(
  estimate: Pick<CostEstimate, "customMetrics" | "series">,
  settings: Pick<CostSettings, "metricBudget" | "metricLimit">,
): Verdict {
  const { customMetrics } = estimate;
  const over =
    settings.metricLimit !== undefined && customMetrics > settings.metricLimit
      ? {
          level: "refuse" as const,
          what: "hard limit",
          setting: "metricLimit",
          at: settings.metricLimit,
        }
      : settings.metricBudget !== undefined && customMetrics > settings.metricBudget
        ? {
            level: "warn" as const,
            what: "budget",
            setting: "metricBudget",
            at: settings.metricBudget,
          }
        : undefined;
  if (over === undefined) return { level: "ok" };
  const worst = largest(estimate.series);
  const culprit =
    worst === undefined
      ? ""
      : ` The most come from ${worst.metric} by ${worst.by}: ${worst.series} series, one per ` +
        `${worst.by} value.`;
  return {
    level: over.level,
    message:
      `lambda-vitals: ${customMetrics} custom metrics, over the ${over.what} of ${over.at} ` +
      `(custom.vitals.cost.${over.setting}).${culprit} Keep dimension values bounded; ` +
      "per-tenant or per-user values belong in properties (addProperty), never in dimensions.",
  };
}

/** The metric and dimension whose values make the most series. */
function largest(series: readonly MetricSeries[]): (MetricSeries & { by: string }) | undefined {
  let worst: (MetricSeries & { by: string }) | undefined;
  for (const s of series) {
    if (s.by === undefined) continue;
    if (worst === undefined || s.series > worst.series) worst = { ...s, by: s.by };
  }
  return worst;
}
