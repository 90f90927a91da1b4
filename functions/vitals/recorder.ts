/**
 * A handler's own metrics, dimensions and properties. Their state lives on the invocation's
 * `context` object, never in module scope, so invocations that run at once in one process
 * (Lambda Managed Instances) cannot see or mix each other's data.
 */
import type { Context } from "aws-lambda";
import type { StorageResolution, Unit } from "./contract";
import { DIMENSIONS, METRICS } from "./contract";
import { dimensionValueProblem, isUnit, isValidValue, LIMITS, nameProblem } from "./emf";
import { PROPERTIES_NOTE, renderRecording } from "./recorded-line";
import { type Slot, type SlotRecording, slotOf } from "./slot";

/** The recording API a wrapped handler gets from `metricsFor(context)`. */
export interface Metrics {
  /** Records a value; calling again with the same name adds a value (up to 100 per line). */
  addMetric(name: string, value: number, unit?: Unit, resolution?: StorageResolution): void;
  /** Adds a dimension to this invocation's custom metrics (not to the request metrics). */
  addDimension(name: string, value: string): void;
  /** Adds a field to the invocation's log line, searchable in Logs Insights. */
  addProperty(key: string, value: unknown): void;
}

interface Series {
  readonly unit: Unit;
  readonly resolution: StorageResolution;
  readonly values: number[];
}

/** One invocation's recorded data, made on the first `metricsFor` call. */
export interface Recording extends SlotRecording {
  readonly series: Map<string, Series>;
  readonly dimensions: Map<string, string>;
  readonly properties: Record<string, unknown>;
  /** Why data was dropped (the first few), for the warning line. */
  readonly problems: string[];
  /** How many entries were dropped in all. */
  dropped: number;
  readonly metrics: Metrics;
}

/** Root members the wrapper writes itself; a handler's names may not take them over. */
// Made in a call marked pure, so that a bundle whose handlers never call metricsFor drops it.
export const RESERVED_NAMES: ReadonlySet<string> = /* @__PURE__ */ (() =>
  new Set([
    "_aws",
    "__proto__", // sets an object's prototype instead of a member when assigned
    DIMENSIONS.service,
    DIMENSIONS.route,
    ...Object.values(METRICS).map((metric) => metric.name),
    "requestId",
    "traceId",
    "method",
    "path",
    "status",
    "errorType",
    "errorMessage",
    PROPERTIES_NOTE,
    "toJSON", // JSON.stringify would call it in place of serialising the properties
  ]))();
const MAX_PROBLEMS = 20;
const MAX_CUSTOM_METRICS = 500;

function newRecording(slot: Slot): Recording {
  const recording: Recording = {
    series: new Map(),
    dimensions: new Map(),
    // No prototype: a property named "toString" or "__proto__" is just a field.
    properties: Object.create(null) as Record<string, unknown>,
    problems: [],
    dropped: 0,
    metrics: DETACHED,
    render: (config, facts) => renderRecording(config, facts, recording),
  };
  (recording as { metrics: Metrics }).metrics = recorder(slot, recording);
  return recording;
}

const DETACHED: Metrics = {
  addMetric() {},
  addDimension() {},
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
  const recording = (slot.recording as Recording | undefined) ?? newRecording(slot);
  slot.recording = recording;
  return recording.metrics;
}

function recorder(slot: Slot, r: Recording): Metrics {
  /** Notes why an entry was dropped; the first few reasons go on the warning line. */
  const drop = (what: string, name: unknown, why: string): void => {
    r.dropped++;
    const label = typeof name === "string" ? name.slice(0, 64) : typeof name;
    if (r.problems.length < MAX_PROBLEMS) r.problems.push(`${what} ${label} dropped: ${why}`);
  };
  /** Each name is one root member of the line, so a new name must be valid and unused. */
  const unusable = (name: string): string | undefined =>
    nameProblem(name) ??
    (RESERVED_NAMES.has(name) ||
    r.series.has(name) ||
    r.dimensions.has(name) ||
    Object.hasOwn(r.properties, name)
      ? "the name is reserved or already used on this line"
      : undefined);
  return {
    addMetric(name, value, unit = "None", resolution = 60) {
      if (slot.closed) return;
      const existing = r.series.get(name);
      let why = valueProblem(value, unit, resolution);
      if (why === undefined && existing === undefined) {
        why = unusable(name);
        if (r.series.size >= MAX_CUSTOM_METRICS) why ??= `over ${MAX_CUSTOM_METRICS} metrics`;
      } else if (
        why === undefined &&
        (existing?.unit !== unit || existing.resolution !== resolution)
      ) {
        why = "recorded before with another unit or resolution";
      }
      if (why !== undefined) drop("metric", name, why);
      else if (existing !== undefined) existing.values.push(value);
      else r.series.set(name, { unit, resolution, values: [value] });
    },
    addDimension(name, value) {
      if (slot.closed) return;
      const why =
        dimensionValueProblem(value) ??
        (r.dimensions.has(name)
          ? undefined
          : (unusable(name) ??
            (r.dimensions.size >= LIMITS.dimensionsPerSet - 1 // Service is always in the set
              ? `a dimension set holds ${LIMITS.dimensionsPerSet} at most`
              : undefined)));
      if (why !== undefined) drop("dimension", name, why);
      else r.dimensions.set(name, value);
    },
    addProperty(key, value) {
      if (slot.closed) return;
      const why = Object.hasOwn(r.properties, key) ? undefined : unusable(key);
      if (why !== undefined) drop("property", key, why);
      else r.properties[key] = value;
    },
  };
}

function valueProblem(value: unknown, unit: unknown, resolution: unknown): string | undefined {
  if (!isValidValue(value)) return `${describe(value)} is not a finite number within ±2^360`;
  if (!isUnit(unit)) return `unknown unit ${describe(unit)}`;
  if (resolution !== 1 && resolution !== 60) return "resolution must be 1 or 60";
  return undefined;
}

function describe(value: unknown): string {
  if (typeof value === "number") return String(value); // NaN, Infinity, 1e400
  if (typeof value === "string") return JSON.stringify(value.slice(0, 32));
  return typeof value;
}
