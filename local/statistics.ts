/**
 * CloudWatch's statistics over the raw values of one period: Sum, Average, Minimum, Maximum,
 * SampleCount and percentiles (`p99`, `p99.9`). Pure functions of the values.
 *
 * Definitions: "CloudWatch statistics definitions" (Amazon CloudWatch User Guide,
 * Statistics-definitions.html): SampleCount is the number of data points in the period, Sum their
 * total, Average is Sum/SampleCount, Minimum and Maximum the lowest and highest value, and "p95 is
 * the 95th percentile and means that 95 percent of the data within the period is lower than this
 * value and 5 percent of the data is higher than this value". "Percentile rank (PR) is the
 * percentage of values that meet a fixed threshold. For example, PR(:300) returns the percentage
 * of data points that have a value of 300 or less. [...] Percentile rank is exclusive on the
 * lower bound and inclusive on the upper bound"; trimmed count (TC) is the number of data points
 * in the same kind of range. Both are read here with absolute bounds only (`PR(:1000)`,
 * `TC(100:2000)`): the forms with percentages are not implemented.
 */

/** The statistics the local engine computes; a percentile is `p` and 0 to 100, up to 2 decimals. */
export type StatisticName =
  | "Sum"
  | "Average"
  | "Minimum"
  | "Maximum"
  | "SampleCount"
  | `p${string}`
  | `PR(${string})`
  | `TC(${string})`;

const SIMPLE = new Set(["Sum", "Average", "Minimum", "Maximum", "SampleCount"]);
/** `p0` … `p100`, with at most two decimals, as CloudWatch's `ExtendedStatistic` accepts them. */
const PERCENTILE = /^p(\d{1,3})(\.\d{1,2})?$/;
/** `PR(n:m)` and `TC(n:m)` with absolute bounds, either one left out: `PR(:1000)`. */
const RANGED = /^(PR|TC)\((\d+(?:\.\d+)?)?:(\d+(?:\.\d+)?)?\)$/;

/** A ranged statistic: which one, and its bounds (lower exclusive, upper inclusive). */
export interface RangedStatistic {
  readonly kind: "PR" | "TC";
  readonly above: number;
  readonly upTo: number;
}

/**
 * The bounds of a `PR(n:m)` or `TC(n:m)` name; undefined when the name is not one, or when both
 * bounds are left out.
 *
 * @example
 * rangedOf("PR(:1000)"); // { kind: "PR", above: -Infinity, upTo: 1000 }
 */
export function rangedOf(name: string): RangedStatistic | undefined {
  const match = RANGED.exec(name);
  if (match === null || (match[2] === undefined && match[3] === undefined)) return undefined;
  const above = match[2] === undefined ? Number.NEGATIVE_INFINITY : Number(match[2]);
  const upTo = match[3] === undefined ? Number.POSITIVE_INFINITY : Number(match[3]);
  return above < upTo ? { kind: match[1] as "PR" | "TC", above, upTo } : undefined;
}

/**
 * Whether a name is a statistic the engine computes.
 *
 * @example
 * isStatistic("p99.9"); // true
 * isStatistic("PR(:1000)"); // true
 * isStatistic("tm90"); // false: trimmed means are not implemented
 */
export function isStatistic(name: string): name is StatisticName {
  return SIMPLE.has(name) || percentileOf(name) !== undefined || rangedOf(name) !== undefined;
}

/**
 * The percentile a `pNN`/`pNN.NN` name stands for, as a number from 0 to 100; undefined when the
 * name is not a percentile.
 *
 * @example
 * percentileOf("p99.5"); // 99.5
 * percentileOf("Average"); // undefined
 */
export function percentileOf(name: string): number | undefined {
  const match = PERCENTILE.exec(name);
  if (match === null) return undefined;
  const value = Number(`${match[1]}${match[2] ?? ""}`);
  return value <= 100 ? value : undefined;
}

/**
 * Computes one statistic over the raw values of a period. An empty period has no datapoint, so
 * the answer is `undefined`: CloudWatch returns no datapoint, not 0, and that holds for
 * SampleCount and Sum too.
 *
 * Percentiles use the nearest-rank definition, with no interpolation: the smallest written value
 * that at least `p` % of the values are lower than or equal to (rank `ceil(p/100 × n)`, at least
 * 1). CloudWatch documents what a percentile means but not its interpolation; nearest rank always
 * answers a value that was written, and gives the maximum for p99 over fewer than 100 values,
 * which is what a p99 over a few samples shows in CloudWatch too.
 *
 * @example
 * statistic([120, 80, 2000], "p99"); // 2000
 * statistic([120, 80, 2000], "Average"); // 733.33…
 * statistic([], "Sum"); // undefined
 */
export function statistic(values: readonly number[], name: StatisticName): number | undefined {
  if (values.length === 0) return undefined;
  switch (name) {
    case "SampleCount":
      return values.length;
    case "Sum":
      return sum(values);
    case "Average":
      return sum(values) / values.length;
    case "Minimum":
      return values.reduce((a, b) => Math.min(a, b));
    case "Maximum":
      return values.reduce((a, b) => Math.max(a, b));
  }
  const ranged = rangedOf(name);
  if (ranged !== undefined) {
    let inside = 0;
    for (const value of values) if (value > ranged.above && value <= ranged.upTo) inside += 1;
    return ranged.kind === "TC" ? inside : (100 * inside) / values.length;
  }
  const p = percentileOf(name);
  if (p === undefined)
    throw new RangeError(`local metrics: unknown statistic ${JSON.stringify(name)}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
