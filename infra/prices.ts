/**
 * CloudWatch and Lambda log list prices in US East (N. Virginia), us-east-1, in US dollars, as
 * read on 2026-12-04 from AWS's "Amazon CloudWatch pricing" page (paid tier; "Vended Logs" for
 * Lambda's tiered log ingestion, which applies to logs a Lambda function writes, since May 2025).
 *
 * Several regions charge more for the same items (the page lists each region's prices); the
 * figures printed say "us-east-1 list prices" for that reason. The free tier (10
 * custom metrics, 10 alarm metrics, 3 dashboards of up to 50 metrics, 5 GB of logs) is shared by
 * the whole account, so the estimate leaves it out: it is the cost of what this stack adds.
 */

/** A tiered price: `upTo` units (cumulative, per month) at `usd` each; the last tier has no end. */
export interface Tier {
  readonly upTo: number;
  readonly usd: number;
}

export const PRICES = {
  source: "Amazon CloudWatch pricing (aws.amazon.com/cloudwatch/pricing), us-east-1, paid tier",
  readOn: "2026-12-04",
  region: "us-east-1",
  /** Per custom metric (one name × one combination of dimension values) per month. */
  customMetric: [
    { upTo: 10_000, usd: 0.3 },
    { upTo: 250_000, usd: 0.1 },
    { upTo: 1_000_000, usd: 0.05 },
    { upTo: Number.POSITIVE_INFINITY, usd: 0.02 },
  ] as readonly Tier[],
  /** Per alarm metric per month; a metric-math alarm is billed for each metric it reads. */
  standardAlarmMetric: 0.1,
  /** An alarm whose period is under 60 s, per metric per month. */
  highResolutionAlarmMetric: 0.3,
  compositeAlarm: 0.5,
  /** Per dashboard per month. */
  dashboard: 3,
  /** `GetMetricData`, per 1,000 metrics requested. */
  getMetricDataPer1000Metrics: 0.01,
  /** Other API calls (`DescribeAlarms`, `GetMetricStatistics`), per 1,000 requests. */
  apiPer1000Requests: 0.01,
  /** Lambda's log ingestion into CloudWatch Logs (Standard class, vended-log tiers), per GB. */
  lambdaLogIngestionPerGb: [
    { upTo: 10_240, usd: 0.5 },
    { upTo: 30_720, usd: 0.25 },
    { upTo: 51_200, usd: 0.1 },
    { upTo: Number.POSITIVE_INFINITY, usd: 0.05 },
  ] as readonly Tier[],
  /** Log storage (archival), per GB per month. */
  logStoragePerGbMonth: 0.03,
} as const;

/**
 * What `quantity` units cost across tiers: each tier prices the units that fall inside it.
 *
 * @example
 * tiered(10_001, PRICES.customMetric); // 10,000 × 0.30 + 1 × 0.10 = 3000.1
 */
export function tiered(quantity: number, tiers: readonly Tier[]): number {
  let total = 0;
  let below = 0;
  for (const tier of tiers) {
    const inTier = Math.min(quantity, tier.upTo) - below;
    if (inTier <= 0) break;
    total += inTier * tier.usd;
    below = tier.upTo;
  }
  return total;
}
