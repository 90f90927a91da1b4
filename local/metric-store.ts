/**
 * An in-memory CloudWatch for development: per-minute series of raw values, keyed by namespace,
 * metric name and dimension set, fed with EMF log lines (read with CloudWatch's rules) and with
 * synthetic series for what only AWS counts (`AWS/Lambda`, `AWS/ApiGateway`). It answers the
 * statistics that the dashboard, the alarms and the health check ask for.
 *
 * Development-time only: nothing under `functions/` or `infra/` imports it.
 */
import { readEmfLine } from "./emf-reader";
import { type StatisticName, statistic } from "./statistics";

/** Which metric: CloudWatch matches the namespace, the name and the whole dimension set exactly. */
export interface MetricQuery {
  readonly namespace: string;
  readonly name: string;
  /** Dimension name → value; `{}` for a metric without dimensions. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** When set, only values written with this unit count (as an alarm's `Unit` filters). */
  readonly unit?: string;
}

/** A stored metric: its identity and the units it was written with. */
export interface StoredMetric {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly units: readonly string[];
}

/** A line CloudWatch would not have turned into metrics, and why. */
export interface Rejection {
  readonly line: string;
  readonly reason: string;
}

/** One minute of a synthetic series: the minute (any millisecond inside it) and its values. */
export interface SeriesPoint {
  readonly at: number;
  readonly values: readonly number[];
}

/** A series that only AWS would count, such as `AWS/Lambda` `Errors` for one function. */
export interface SyntheticSeries {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly unit?: string;
  readonly points: readonly SeriesPoint[];
}

export interface MetricStore {
  /** Reads one log line with CloudWatch's EMF rules; a rejected line is counted, with its reason. */
  readonly ingestLine: (line: string, now: number) => IngestResult;
  /** Adds values as AWS would have published them; namespaces such as `AWS/Lambda` are allowed. */
  readonly ingestSeries: (series: SyntheticSeries) => void;
  /** The raw values of `[start, start + periodSeconds)`, oldest minute first. */
  readonly values: (query: MetricQuery, start: number, periodSeconds: number) => number[];
  /** One statistic over `[start, start + periodSeconds)`; undefined when no value was written. */
  readonly datapoint: (
    query: MetricQuery,
    stat: StatisticName,
    start: number,
    periodSeconds: number,
  ) => number | undefined;
  /** Every metric stored so far, for SEARCH expressions and listings. */
  readonly metrics: () => StoredMetric[];
  /** Every rejected line so far, in the order read. */
  readonly rejections: () => readonly Rejection[];
  /** How many lines were accepted. */
  readonly acceptedLines: () => number;
}

export type IngestResult =
  | { readonly accepted: true; readonly datapoints: number }
  | { readonly accepted: false; readonly reason: string };

/** CloudWatch's standard resolution: the store keeps one bucket of raw values per minute. */
export const MINUTE_MS = 60_000;

interface Series {
  readonly metric: Omit<StoredMetric, "units">;
  readonly units: Set<string>;
  /** Minute start (ms) → values with their units. */
  readonly minutes: Map<number, { value: number; unit: string }[]>;
}

/**
 * The start of the minute a timestamp falls in, in milliseconds since the epoch.
 *
 * @example
 * minuteOf(Date.UTC(2026, 0, 1, 12, 0, 42)); // Date.UTC(2026, 0, 1, 12, 0, 0)
 */
export function minuteOf(timestamp: number): number {
  return Math.floor(timestamp / MINUTE_MS) * MINUTE_MS;
}

/**
 * Creates an empty store. Each store is independent: a test or a local server makes its own.
 *
 * @example
 * const store = createMetricStore();
 * store.ingestLine(emfLine, Date.now());
 * store.ingestSeries({ namespace: "AWS/Lambda", name: "Errors",
 *   dimensions: { FunctionName: "shop-dev-getOrder" }, points: [{ at: Date.now(), values: [3] }] });
 * const query = { namespace: "Shop/dev", name: "Latency", dimensions: { Service: "shop" } };
 * store.datapoint(query, "p99", minuteOf(Date.now()), 60); // the minute's p99, or undefined
 */
export function createMetricStore(): MetricStore {
  const series = new Map<string, Series>();
  const rejected: Rejection[] = [];
  let accepted = 0;

  const add = (
    metric: Omit<StoredMetric, "units">,
    unit: string,
    at: number,
    values: readonly number[],
  ) => {
    const key = keyOf(metric);
    let entry = series.get(key);
    if (entry === undefined) {
      entry = { metric: copyOf(metric), units: new Set(), minutes: new Map() };
      series.set(key, entry);
    }
    entry.units.add(unit);
    const minute = minuteOf(at);
    const bucket = entry.minutes.get(minute) ?? [];
    for (const value of values) bucket.push({ value, unit });
    entry.minutes.set(minute, bucket);
  };

  const values = (query: MetricQuery, start: number, periodSeconds: number): number[] => {
    const entry = series.get(keyOf(query));
    if (entry === undefined) return [];
    const found: number[] = [];
    for (let minute = minuteOf(start); minute < start + periodSeconds * 1000; minute += MINUTE_MS) {
      for (const { value, unit } of entry.minutes.get(minute) ?? []) {
        if (query.unit === undefined || query.unit === unit) found.push(value);
      }
    }
    return found;
  };

  return {
    ingestLine: (line, now) => {
      const reading = readEmfLine(line, now);
      if (!reading.accepted) {
        rejected.push({ line, reason: reading.reason });
        return reading;
      }
      accepted += 1;
      for (const point of reading.datapoints) add(point, point.unit, point.timestamp, point.values);
      return { accepted: true, datapoints: reading.datapoints.length };
    },
    ingestSeries: (synthetic) => {
      if (synthetic.namespace.trim() === "" || synthetic.name.trim() === "") {
        throw new TypeError("local metrics: a series needs a namespace and a name");
      }
      for (const point of synthetic.points) {
        if (!Number.isFinite(point.at) || point.values.some((value) => !Number.isFinite(value))) {
          throw new TypeError(
            `local metrics: ${synthetic.name} has a point that is not a time with finite values`,
          );
        }
        add(synthetic, synthetic.unit ?? "None", point.at, point.values);
      }
    },
    values,
    datapoint: (query, stat, start, periodSeconds) =>
      statistic(values(query, start, periodSeconds), stat),
    metrics: () =>
      [...series.values()].map((entry) => ({ ...copyOf(entry.metric), units: [...entry.units] })),
    rejections: () => [...rejected],
    acceptedLines: () => accepted,
  };
}

/** Dimension order does not matter to CloudWatch, so the key sorts them. */
function keyOf(metric: {
  namespace: string;
  name: string;
  dimensions: Readonly<Record<string, string>>;
}): string {
  const dimensions = Object.entries(metric.dimensions).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return JSON.stringify([metric.namespace, metric.name, dimensions]);
}

function copyOf(metric: Omit<StoredMetric, "units">): Omit<StoredMetric, "units"> {
  return { namespace: metric.namespace, name: metric.name, dimensions: { ...metric.dimensions } };
}
