/**
 * The embedded metric format's rules, as pure functions: CloudWatch's limits, validation of names,
 * units and values, and a metric's definition in a directive. Nothing here writes.
 */
import type { MetricSpec, StorageResolution, Unit } from "./contract";

// The lengths the wrapper checks on every handler's path, as constants of their own: esbuild keeps
// a whole object when one member is read, so reading LIMITS here would bundle the recorder's
// limits into every handler (176 B more in the benchmark's handler, measured). LIMITS names them.
const NAME_LENGTH = 255;
const DIMENSION_VALUE_LENGTH = 1024;
const NAMESPACE_LENGTH = 255;

/**
 * Limits from the EMF specification and the CloudWatch API. Every value is a number literal: the
 * package's build keeps the object as a `var`, and a bundler drops an unused one only when nothing
 * in it is computed, so `2 ** 360` here cost every handler that never reads LIMITS 175 B (bench,
 * bundled from the package).
 */
export const LIMITS = {
  metricsPerDirective: 100,
  valuesPerMetric: 100,
  dimensionsPerSet: 30,
  nameLength: NAME_LENGTH,
  dimensionValueLength: DIMENSION_VALUE_LENGTH,
  namespaceLength: NAMESPACE_LENGTH,
  /** Lambda cuts log events at 256 KB; keep a margin for the newline and the runtime's framing. */
  lineBytes: 261_120, // 256 KiB − 1 KiB
  /** CloudWatch rejects magnitudes beyond 2^360. */
  maxMagnitude: 2.3485425827738332e108, // 2 ** 360 (test/emf.test.ts)
} as const;

export interface MetricDefinition {
  readonly Name: string;
  readonly Unit: Unit;
  readonly StorageResolution?: 1;
}

// Printable ASCII only: CloudWatch rejects non-ASCII dimension values and control characters.
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
const NON_SPACE = /[^ ]/;

/** A metric value CloudWatch stores: a finite number within ±2^360. */
export function isValidValue(value: unknown): value is number {
  return (
    typeof value === "number" && Number.isFinite(value) && Math.abs(value) <= LIMITS.maxMagnitude
  );
}

/**
 * Whether a value is usable as a CloudWatch name or value: 1-`max` printable ASCII characters,
 * not only spaces (the one blank that printable ASCII has).
 */
function isCloudWatchText(value: unknown, max: number): boolean {
  return (
    typeof value === "string" &&
    value.length <= max &&
    PRINTABLE_ASCII.test(value) &&
    NON_SPACE.test(value)
  );
}

/** Why a string is unusable as a CloudWatch name or value, or undefined when it is fine. */
function textProblem(what: string, value: unknown, max: number): string | undefined {
  if (isCloudWatchText(value, max)) return undefined;
  const shown = typeof value === "string" ? JSON.stringify(value.slice(0, 64)) : typeof value;
  return `${what} must be 1-${max} printable ASCII characters, not only spaces: ${shown}`;
}

/** Why a metric, dimension or property name is unusable, or undefined when it is fine. */
export function nameProblem(name: unknown): string | undefined {
  return textProblem("a name", name, NAME_LENGTH);
}

/**
 * Why a dimension name is unusable, or undefined when it is fine: a name, and not starting with
 * ":" (CloudWatch's `Dimension` reference reserves that).
 */
export function dimensionNameProblem(name: unknown): string | undefined {
  const problem = nameProblem(name);
  if (problem !== undefined) return problem;
  return (name as string).startsWith(":")
    ? `a dimension name must not start with ":": ${JSON.stringify((name as string).slice(0, 64))}`
    : undefined;
}

/** Why a dimension value is unusable, or undefined when it is fine. */
export function dimensionValueProblem(value: unknown): string | undefined {
  return textProblem("a dimension value", value, DIMENSION_VALUE_LENGTH);
}

/** Why a namespace is unusable, or undefined when it is fine. */
export function namespaceProblem(namespace: unknown): string | undefined {
  const problem = textProblem("namespace", namespace, NAMESPACE_LENGTH);
  if (problem !== undefined) return problem;
  return /^(?::|AWS\/)/.test(namespace as string)
    ? `namespace must not start with ":" or "AWS/" (reserved): ${namespace}`
    : undefined;
}

/**
 * Makes a string safe to use as a dimension value: printable ASCII, within the length limit, never
 * empty. Used for values the wrapper derives from events (route templates, methods).
 */
export function toDimensionValue(value: string, fallback: string): string {
  // Route templates are nearly always fine already: test before building a new string.
  if (isCloudWatchText(value, DIMENSION_VALUE_LENGTH)) return value;
  const safe = value.replace(/[^\x20-\x7e]/g, "?").slice(0, DIMENSION_VALUE_LENGTH);
  return NON_SPACE.test(safe) ? safe : fallback;
}

/**
 * A directive's definition of one metric; `StorageResolution` only for high resolution, since 60
 * is CloudWatch's default.
 *
 * @example
 * metricDefinition("QueueDepth", "Count", 1); // { Name: "QueueDepth", Unit: "Count", StorageResolution: 1 }
 */
export function metricDefinition(
  name: string,
  unit: Unit,
  resolution: StorageResolution,
): MetricDefinition {
  return resolution === 1
    ? { Name: name, Unit: unit, StorageResolution: 1 }
    : { Name: name, Unit: unit };
}

export interface SingleMetricLine {
  readonly timestamp: number;
  readonly namespace: string;
  /** Names of root members in `members` whose values are strings. */
  readonly dimensions: readonly string[];
  readonly metric: MetricSpec;
  readonly value: number;
  /** Dimension values and fields, written before the metric's value. */
  readonly members: Readonly<Record<string, unknown>>;
}

/**
 * A line of one metric with one value, for the small lines written beside the canonical one (the
 * warning about dropped data, the health checks). It holds one value and names the caller
 * validated, so no CloudWatch limit applies.
 *
 * @example
 * singleMetricLine({ timestamp: Date.now(), namespace: "Shop", dimensions: ["Service"],
 *   metric: { name: "Health", unit: "Count" }, value: 1, members: { Service: "orders" } });
 */
export function singleMetricLine(line: SingleMetricLine): string {
  const { name, unit } = line.metric;
  const directive = {
    Namespace: line.namespace,
    Dimensions: [line.dimensions],
    Metrics: [metricDefinition(name, unit, 60)],
  };
  return JSON.stringify({
    _aws: { Timestamp: line.timestamp, CloudWatchMetrics: [directive] },
    ...line.members,
    [name]: line.value,
  });
}
