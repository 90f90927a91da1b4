/**
 * A handler's own metrics, dimensions and properties. Their state lives on the invocation's
 * `context` object, never in module scope, so invocations that run at once in one process
 * (Lambda Managed Instances) cannot see or mix each other's data.
 */
import type { Context } from "aws-lambda";
import type { StorageResolution, Unit } from "./contract";
import { DIMENSIONS } from "./contract";
import {
  dimensionValueProblem,
  isUnit,
  isValidValue,
  LIMITS,
  type MetricSeries,
  nameProblem,
} from "./emf";

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

/** One invocation's recorded data. */
export interface Recording {
  readonly series: Map<string, Series>;
  readonly dimensions: Map<string, string>;
  readonly properties: Record<string, unknown>;
  /** Why data was dropped (the first few), for the warning line. */
  readonly problems: string[];
  /** How many entries were dropped in all. */
  dropped: number;
  /** Set when the line has been written: later data has nowhere to go. */
  closed: boolean;
  metrics: Metrics | undefined;
}

const RECORDING = Symbol.for("lambda-vitals.recording");
/** Root members the wrapper writes itself; a handler's names may not take them over. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  "_aws",
  DIMENSIONS.service,
  DIMENSIONS.route,
  "Requests",
  "Latency",
  "Errors",
  "ClientErrors",
  "ColdStart",
  "Timeouts",
  "requestId",
  "traceId",
  "method",
  "path",
  "status",
  "errorType",
  "errorMessage",
]);
const MAX_PROBLEMS = 20;
const MAX_CUSTOM_DIMENSIONS = LIMITS.dimensionsPerSet - 1; // Service is always in the set
const MAX_CUSTOM_METRICS = 500;

export function newRecording(): Recording {
  return {
    series: new Map(),
    dimensions: new Map(),
    // No prototype: a property named "toString" or "__proto__" is just a field.
    properties: Object.create(null) as Record<string, unknown>,
    problems: [],
    dropped: 0,
    closed: false,
    metrics: undefined,
  };
}

/** Attaches a recording to the invocation's context; false when the context cannot hold it. */
export function attach(context: unknown, recording: Recording): boolean {
  if (typeof context !== "object" || context === null) return false;
  try {
    Object.defineProperty(context, RECORDING, { value: recording, configurable: true });
    return true;
  } catch {
    return false; // a frozen context: the handler's metrics are dropped, its result is not
  }
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
  const recording = (context as unknown as Record<symbol, Recording | undefined> | undefined)?.[
    RECORDING
  ];
  if (recording === undefined) return DETACHED;
  recording.metrics ??= recorder(recording);
  return recording.metrics;
}

function recorder(r: Recording): Metrics {
  const problem = (text: string): void => {
    r.dropped++;
    if (r.problems.length < MAX_PROBLEMS) r.problems.push(text);
  };
  const taken = (name: string): string | undefined => {
    if (RESERVED_NAMES.has(name)) return "is reserved by lambda-vitals";
    if (r.series.has(name)) return "is already a metric";
    if (r.dimensions.has(name)) return "is already a dimension";
    if (Object.hasOwn(r.properties, name)) return "is already a property";
    return undefined;
  };
  return {
    addMetric(name, value, unit = "None", resolution = 60) {
      if (r.closed) return;
      const bad = nameProblem(name);
      if (bad !== undefined) return problem(`metric dropped: ${bad}`);
      if (!isValidValue(value)) {
        return problem(`metric ${name} dropped: ${describe(value)} is not a finite number`);
      }
      if (!isUnit(unit)) return problem(`metric ${name} dropped: unknown unit ${describe(unit)}`);
      if (resolution !== 1 && resolution !== 60) {
        return problem(`metric ${name} dropped: resolution must be 1 or 60`);
      }
      const existing = r.series.get(name);
      if (existing !== undefined) {
        if (existing.unit !== unit || existing.resolution !== resolution) {
          return problem(`metric ${name} dropped: recorded before with another unit or resolution`);
        }
        existing.values.push(value);
        return;
      }
      const clash = taken(name);
      if (clash !== undefined) return problem(`metric ${name} dropped: the name ${clash}`);
      if (r.series.size >= MAX_CUSTOM_METRICS) {
        return problem(`metric ${name} dropped: more than ${MAX_CUSTOM_METRICS} metrics`);
      }
      r.series.set(name, { unit, resolution, values: [value] });
    },
    addDimension(name, value) {
      if (r.closed) return;
      const bad = nameProblem(name) ?? dimensionValueProblem(value);
      if (bad !== undefined) return problem(`dimension dropped: ${bad}`);
      if (r.dimensions.has(name)) {
        r.dimensions.set(name, value);
        return;
      }
      const clash = taken(name);
      if (clash !== undefined) return problem(`dimension ${name} dropped: the name ${clash}`);
      if (r.dimensions.size >= MAX_CUSTOM_DIMENSIONS) {
        return problem(`dimension ${name} dropped: a set holds ${LIMITS.dimensionsPerSet} at most`);
      }
      r.dimensions.set(name, value);
    },
    addProperty(key, value) {
      if (r.closed) return;
      const bad = nameProblem(key);
      if (bad !== undefined) return problem(`property dropped: ${bad}`);
      if (!Object.hasOwn(r.properties, key)) {
        const clash = taken(key);
        if (clash !== undefined) return problem(`property ${key} dropped: the name ${clash}`);
      }
      r.properties[key] = value;
    },
  };
}

function describe(value: unknown): string {
  if (typeof value === "number") return String(value); // NaN, Infinity, 1e400
  if (typeof value === "string") return JSON.stringify(value.slice(0, 32));
  return typeof value;
}

/** The handler's metrics as EMF series, in the order they were first recorded. */
export function customSeries(r: Recording): MetricSeries[] {
  const out: MetricSeries[] = [];
  for (const [name, s] of r.series) {
    out.push({ name, unit: s.unit, resolution: s.resolution, values: s.values });
  }
  return out;
}
