/**
 * A handler's own metrics, dimensions and properties. Their state lives on the invocation's
 * `context` object, never in module scope, so invocations that run at once in one process
 * (Lambda Managed Instances) cannot see or mix each other's data.
 */
import type { Context } from "aws-lambda";
import type { StorageResolution, Unit } from "./contract";
import { DIMENSIONS, FIELDS, isUnit, METRICS, PROPERTIES_DROPPED } from "./contract";
import {
  dimensionNameProblem,
  dimensionValueProblem,
  isValidValue,
  LIMITS,
  nameProblem,
} from "./emf";
import type { Recording } from "./line";
import type { RecordedData } from "./recorded-data";
import { renderRecording, sameNames } from "./recorded-line";
import { type Slot, slotOf } from "./slot";

/** The recording API a wrapped handler gets from `metricsFor(context)`. */
export interface Metrics {
  /** Records a value; calling again with the same name adds a value (100 per line, 1,000 in all). */
  addMetric(name: string, value: number, unit?: Unit, resolution?: StorageResolution): void;
  /** Adds a dimension to this invocation's custom metrics (not to the request metrics). */
  addDimension(name: string, value: string): void;
  /**
   * Adds another dimension set: every custom metric of the invocation is also written under
   * `Service` and these dimensions, beside the set that `addDimension` builds.
   */
  addDimensionSet(dimensions: Readonly<Record<string, string>>): void;
  /** Adds a field to the invocation's log line, searchable in Logs Insights. */
  addProperty(key: string, value: unknown): void;
}

/** The recording the slot carries, with the API that `metricsFor` hands out for it. */
interface MetricsRecording extends Recording {
  readonly metrics: Metrics;
}

/** Root members the wrapper writes itself; a handler's names may not take them over. */
// Made in a call marked pure, so that a bundle whose handlers never call metricsFor drops it:
// esbuild keeps a plain module-level `new Set([...])` even when nothing reads it (150 B more in
// the benchmark's handler, measured).
export const RESERVED_NAMES: ReadonlySet<string> = /* @__PURE__ */ (() =>
  new Set([
    "_aws",
    "__proto__", // sets an object's prototype instead of a member when assigned
    "toJSON", // JSON.stringify would call it in place of serialising the properties
    ...Object.values(DIMENSIONS),
    ...Object.values(METRICS).map((metric) => metric.name),
    ...Object.values(FIELDS),
    PROPERTIES_DROPPED,
  ]))();
const MAX_PROBLEMS = 20;
const MAX_CUSTOM_METRICS = 500;
/**
 * Values of one metric in one invocation: ten full lines of 100. A loop that records without a
 * bound would otherwise write a line per 100 values, and megabytes of billed logs.
 */
const MAX_VALUES_PER_METRIC = 1000;
/**
 * Dimension sets of one invocation, the one `addDimension` builds included. Each set counts
 * every value again as another billed metric, and is repeated in each directive: ten sets of 30
 * long names still leave room on a line for the dimensions' values and the metrics.
 */
const MAX_DIMENSION_SETS = 10;

const DETACHED: Metrics = {
  addMetric() {},
  addDimension() {},
  addDimensionSet() {},
  addProperty() {},
};

/**
 * The metrics of the invocation that `context` belongs to. Safe under concurrent invocations:
 * each one has its own context. Outside a wrapped handler it returns a recorder that drops
 * everything, so code stays callable from unit tests and scripts.
 *
 * @example
 * export const handler = withVitals(async (event: APIGatewayProxyEventV2, context: Context) => {
 *   const metrics = metricsFor(context);
 *   metrics.addDimension("Tenant", tenantOf(event)); // bounded values only: each one is billed
 *   metrics.addMetric("OrdersCreated", 1, "Count");
 *   metrics.addProperty("orderId", order.id);
 *   return { statusCode: 201, body: JSON.stringify(order) };
 * });
 */
export function metricsFor(context: Context): Metrics {
  const slot = slotOf(context);
  if (slot === undefined) return DETACHED;
  // The slot's recording is only ever one this module made.
  const recording = (slot.recording as MetricsRecording | undefined) ?? newRecording(slot);
  slot.recording = recording;
  return recording.metrics;
}

function newRecording(slot: Slot): MetricsRecording {
  const data: RecordedData = {
    series: new Map(),
    dimensions: new Map(),
    baseSet: [],
    addedSets: [],
    // No prototype: a property named "toString" or "__proto__" is just a field.
    properties: Object.create(null) as Record<string, unknown>,
    problems: [],
    dropped: 0,
  };
  return { data, render: renderRecording, metrics: recorder(slot, data) };
}

function recorder(slot: Slot, data: RecordedData): Metrics {
  return {
    addMetric(name, value, unit = "None", resolution = 60) {
      if (slot.closed) return;
      const why = metricProblem(data, name, value, unit, resolution);
      if (why !== undefined) return drop(data, "metric", name, why);
      const series = data.series.get(name);
      if (series !== undefined) series.values.push(value);
      else data.series.set(name, { unit, resolution, values: [value] });
    },
    addDimension(name, value) {
      if (slot.closed) return;
      const why = dimensionProblem(data, name, value);
      if (why !== undefined) return drop(data, "dimension", name, why);
      if (!data.baseSet.includes(name)) data.baseSet.push(name);
      data.dimensions.set(name, value);
    },
    addDimensionSet(dimensions) {
      if (slot.closed) return;
      const entries = entriesOf(dimensions);
      if (entries === undefined) {
        return drop(data, "dimension set", dimensions, "it must be an object of names and values");
      }
      const names = entries.map(([name]) => name);
      const why = dimensionSetProblem(data, entries);
      if (why !== undefined) return drop(data, "dimension set", names.join(","), why);
      if (data.addedSets.some((set) => sameNames(set, names))) return; // it would count twice
      // dimensionSetProblem found every value a valid string
      for (const [name, value] of entries) data.dimensions.set(name, value as string);
      data.addedSets.push(names);
    },
    addProperty(key, value) {
      if (slot.closed) return;
      const why = Object.hasOwn(data.properties, key) ? undefined : newNameProblem(data, key);
      if (why !== undefined) return drop(data, "property", key, why);
      data.properties[key] = value;
    },
  };
}

/** Notes why an entry was dropped; the first few reasons go on the warning line. */
function drop(data: RecordedData, what: string, name: unknown, why: string): void {
  data.dropped++;
  const label = typeof name === "string" ? name.slice(0, 64) : typeof name;
  const problem = `${what} ${label} dropped: ${why}`;
  // A loop that keeps failing the same way takes one reason, not all twenty.
  if (data.problems.length < MAX_PROBLEMS && data.problems.at(-1) !== problem) {
    data.problems.push(problem);
  }
}

/** Why a metric value cannot be recorded, or undefined when it can. */
function metricProblem(
  data: RecordedData,
  name: string,
  value: unknown,
  unit: unknown,
  resolution: unknown,
): string | undefined {
  if (!isValidValue(value)) return `${describe(value)} is not a finite number within ±2^360`;
  if (!isUnit(unit)) return `unknown unit ${describe(unit)}`;
  if (resolution !== 1 && resolution !== 60) return "resolution must be 1 or 60";
  const series = data.series.get(name);
  if (series === undefined) {
    return (
      newNameProblem(data, name) ??
      (data.series.size >= MAX_CUSTOM_METRICS ? `over ${MAX_CUSTOM_METRICS} metrics` : undefined)
    );
  }
  if (series.unit !== unit || series.resolution !== resolution) {
    return "recorded before with another unit or resolution";
  }
  return series.values.length >= MAX_VALUES_PER_METRIC
    ? `over ${MAX_VALUES_PER_METRIC} values in one invocation`
    : undefined;
}

/** Why `addDimension` cannot take this dimension, or undefined when it can. */
function dimensionProblem(data: RecordedData, name: string, value: unknown): string | undefined {
  const valueProblem = dimensionValueProblem(value);
  if (valueProblem !== undefined) return valueProblem;
  const current = data.dimensions.get(name);
  if (current === undefined) {
    return (
      dimensionNameProblem(name) ?? newNameProblem(data, name) ?? dimensionCountProblem(data, 1)
    );
  }
  // The base set's own value may change; a value that an added set names may not.
  if (current !== value && data.addedSets.some((set) => set.includes(name))) {
    return "a dimension set from addDimensionSet gives it another value";
  }
  return undefined;
}

/** Why `addDimensionSet` cannot take this set, or undefined when it can (or has it already). */
function dimensionSetProblem(data: RecordedData, entries: [string, unknown][]): string | undefined {
  for (const [name, value] of entries) {
    const problem = setMemberProblem(data, name, value);
    if (problem !== undefined) return `${name.slice(0, 64)}: ${problem}`;
  }
  const names = entries.map(([name]) => name);
  if (data.addedSets.some((set) => sameNames(set, names))) return undefined;
  const added = names.filter((name) => !data.dimensions.has(name)).length;
  if (1 + data.addedSets.length >= MAX_DIMENSION_SETS) {
    return `over ${MAX_DIMENSION_SETS} dimension sets, addDimension's included`;
  }
  return dimensionCountProblem(data, added);
}

/** Dimension names of one invocation, across all its sets: `Service` makes the 30th. */
function dimensionCountProblem(data: RecordedData, added: number): string | undefined {
  return data.dimensions.size + added >= LIMITS.dimensionsPerSet
    ? `over ${LIMITS.dimensionsPerSet} dimensions with Service, across all sets`
    : undefined;
}

/** One dimension of a set: a valid value, and a name that is new or already has that value. */
function setMemberProblem(data: RecordedData, name: string, value: unknown): string | undefined {
  const valueProblem = dimensionValueProblem(value);
  if (valueProblem !== undefined) return valueProblem;
  const current = data.dimensions.get(name);
  if (current === undefined) return dimensionNameProblem(name) ?? newNameProblem(data, name);
  return current === value ? undefined : "it has another value on this line";
}

/** The set's names and values, or undefined when it is not an object that can be read. */
function entriesOf(dimensions: unknown): [string, unknown][] | undefined {
  if (typeof dimensions !== "object" || dimensions === null || Array.isArray(dimensions)) {
    return undefined;
  }
  try {
    return Object.entries(dimensions);
  } catch {
    return undefined; // a proxy or a getter that throws: the handler must not see it
  }
}

/** Each name is one root member of the line, so a new name must be valid and unused. */
function newNameProblem(data: RecordedData, name: string): string | undefined {
  const problem = nameProblem(name);
  if (problem !== undefined) return problem;
  const taken =
    RESERVED_NAMES.has(name) ||
    data.series.has(name) ||
    data.dimensions.has(name) ||
    Object.hasOwn(data.properties, name);
  return taken ? "the name is reserved or already used on this line" : undefined;
}

function describe(value: unknown): string {
  if (typeof value === "number") return String(value); // NaN, Infinity, 1e400
  if (typeof value === "string") return JSON.stringify(value.slice(0, 32));
  return typeof value;
}
