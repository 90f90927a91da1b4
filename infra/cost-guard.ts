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
      : ` The most come from the dimension ${worst.by}: ${worst.values} values under ` +
        `${worst.metrics.join(", ")}, ${worst.series} series.`;
  return {
    level: over.level,
    message:
      `lambda-vitals: ${customMetrics} custom metrics, over the ${over.what} of ${over.at} ` +
      `(custom.vitals.cost.${over.setting}).${culprit} Keep dimension values bounded; ` +
      "per-tenant or per-user values belong in properties (addProperty), never in dimensions.",
  };
}

/** The dimension whose values make the most series, with the metrics written under it. */
function largest(series: readonly MetricSeries[]) {
  const by = new Map<string, { metrics: string[]; values: number; series: number }>();
  for (const s of series) {
    if (s.by === undefined) continue;
    const group = by.get(s.by) ?? { metrics: [], values: 0, series: 0 };
    group.metrics.push(s.metric);
    group.values = Math.max(group.values, s.series);
    group.series += s.series;
    by.set(s.by, group);
  }
  let worst: ({ by: string } & { metrics: string[]; values: number; series: number }) | undefined;
  for (const [name, group] of by) {
    if (worst === undefined || group.series > worst.series) worst = { by: name, ...group };
  }
  return worst;
}
