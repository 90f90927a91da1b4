/**
 * The cost estimate as text: one line for `serverless package` and `deploy`, and the breakdown
 * `serverless vitals cost` prints.
 */
import type { CostEstimate } from "./cost";
import { PRICES } from "./prices";

const usd = (value: number) => `$${value.toFixed(2)}`;

/**
 * @example
 * costLine(estimate);
 * // "lambda-vitals: CloudWatch about $31.20 a month for 1,000,000 requests (52 custom metrics, ..."
 */
export function costLine(estimate: CostEstimate): string {
  const quantity = (what: string) =>
    estimate.items.filter((i) => i.what.startsWith(what)).reduce((t, i) => t + i.quantity, 0);
  return (
    `lambda-vitals: CloudWatch about ${usd(estimate.totalUsd)} a month for ` +
    `${estimate.options.requestsPerMonth.toLocaleString("en-US")} requests ` +
    `(${estimate.customMetrics} custom metrics, ${quantity("alarms")} alarm metrics, ` +
    `${quantity("composite")} composite, ${quantity("dashboards")} dashboard; ` +
    `${PRICES.region} list prices). Breakdown: serverless vitals cost`
  );
}

/**
 * @example
 * formatCost(estimate).split("\n")[0]; // "CloudWatch, monthly, us-east-1 list prices of 2026-12-04"
 */
export function formatCost(estimate: CostEstimate): string {
  const rows = estimate.items.map((item) => [
    item.what,
    `${item.quantity.toLocaleString("en-US")} ${item.unit}`,
    usd(item.usd),
    item.note ?? "",
  ]);
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  const line = (r: readonly string[]) =>
    [
      (r[0] ?? "").padEnd(widths[0] ?? 0),
      (r[1] ?? "").padStart(widths[1] ?? 0),
      (r[2] ?? "").padStart(widths[2] ?? 0),
      r[3] ?? "",
    ]
      .join("  ")
      .trimEnd();
  const byRoute = estimate.series.filter((s) => s.by !== undefined);
  return [
    `CloudWatch, monthly, ${PRICES.region} list prices read ${PRICES.readOn} (other regions differ)`,
    "",
    ...rows.map(line),
    "",
    `total  ${usd(estimate.totalUsd)} a month`,
    "",
    "custom metrics by dimension:",
    ...byRoute.map((s) => `  ${s.metric} by ${s.by}: ${s.series}`),
    `  under [Service] only: ${estimate.series.filter((s) => s.by === undefined).length}`,
    "",
    "The account's free tier (10 metrics, 10 alarm metrics, 3 dashboards, 5 GB of logs) is not " +
      "deducted.",
  ].join("\n");
}
