/**
 * Reads one log line the way CloudWatch Logs extracts embedded metric format (EMF) metrics: a
 * document CloudWatch would reject produces no metric here either, and says why.
 *
 * Rules: "Specification: Embedded metric format" (Amazon CloudWatch User Guide), the CloudWatch
 * `PutMetricData`, `MetricDatum` and `Dimension` API references, and the CloudWatch Logs
 * `PutLogEvents` limits.
 */
import { UNITS } from "../functions/vitals/contract";

/** One metric's values from one accepted document, under one dimension set. */
export interface EmfDatapoint {
  readonly namespace: string;
  readonly name: string;
  /** Dimension name → value, exactly the set the directive named (`{}` for `[[]]`). */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly unit: string;
  /** `_aws.Timestamp`, milliseconds since the epoch. */
  readonly timestamp: number;
  readonly values: readonly number[];
}

/** What reading one line gave: its datapoints, or the first reason CloudWatch would reject it. */
export type EmfReading =
  | { readonly accepted: true; readonly datapoints: readonly EmfDatapoint[] }
  | { readonly accepted: false; readonly reason: string };

/** A log event holds at most 1 MB (CloudWatch Logs `PutLogEvents`: 1,048,576 bytes less 26). */
const MAX_EVENT_BYTES = 1_048_576 - 26;
const FOURTEEN_DAYS_MS = 14 * 24 * 3600 * 1000;
const TWO_HOURS_MS = 2 * 3600 * 1000;
const MAX_DIMENSIONS_PER_SET = 30;
const MAX_METRICS_PER_DIRECTIVE = 100;
const MAX_VALUES_PER_METRIC = 100;
/** `MetricDatum`: values beyond 2^360 in magnitude are rejected. */
const MAX_MAGNITUDE = 2 ** 360;
const KNOWN_UNITS: ReadonlySet<string> = new Set(UNITS);
/** Printable ASCII, no control characters (`Dimension` value, namespace). */
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/** Marks the errors the reader throws at its first problem, which become the rejection's reason. */
const REJECTION = Symbol("rejected EMF document");

/**
 * Reads one line. `now` is the clock the Timestamp is checked against: CloudWatch accepts data
 * from 14 days in the past up to 2 hours in the future.
 *
 * @example
 * const reading = readEmfLine(line, Date.now());
 * if (reading.accepted) reading.datapoints.map((d) => d.name); // ["Requests", "Latency", ...]
 * else reading.reason; // "_aws.Timestamp is more than 14 days old"
 */
export function readEmfLine(line: string, now: number): EmfReading {
  try {
    return { accepted: true, datapoints: datapointsOf(line, now) };
  } catch (error) {
    if (error instanceof Error && error.cause === REJECTION) {
      return { accepted: false, reason: error.message };
    }
    throw error;
  }
}

function datapointsOf(line: string, now: number): EmfDatapoint[] {
  if (Buffer.byteLength(line, "utf8") > MAX_EVENT_BYTES) reject("the log event is over 1 MB");
  let document: unknown;
  try {
    document = JSON.parse(line);
  } catch {
    reject("not JSON");
  }
  const root = objectOr(document, "the document is not a JSON object");
  const aws = objectOr(root._aws, "_aws is missing or not an object");
  const timestamp = aws.Timestamp;
  if (typeof timestamp !== "number" || !Number.isInteger(timestamp)) {
    reject("_aws.Timestamp is not an integer of milliseconds");
  }
  if (timestamp < now - FOURTEEN_DAYS_MS) reject("_aws.Timestamp is more than 14 days old");
  if (timestamp > now + TWO_HOURS_MS) reject("_aws.Timestamp is more than 2 hours in the future");
  const directives = aws.CloudWatchMetrics;
  if (!Array.isArray(directives) || directives.length === 0) {
    reject("_aws.CloudWatchMetrics is not a non-empty array");
  }
  return directives.flatMap((directive, index) =>
    directiveDatapoints(
      root,
      objectOr(directive, `directive ${index} is not an object`),
      timestamp,
    ),
  );
}

function directiveDatapoints(
  root: Record<string, unknown>,
  directive: Record<string, unknown>,
  timestamp: number,
): EmfDatapoint[] {
  const namespace = readNamespace(directive.Namespace);
  const sets = directive.Dimensions;
  if (!Array.isArray(sets) || sets.length === 0) reject("Dimensions is not a non-empty array");
  const dimensionSets = sets.map((set) => readDimensionSet(root, set));
  const metrics = directive.Metrics;
  if (!Array.isArray(metrics)) reject("Metrics is not an array");
  if (metrics.length > MAX_METRICS_PER_DIRECTIVE) {
    reject(`Metrics has ${metrics.length} definitions (at most ${MAX_METRICS_PER_DIRECTIVE})`);
  }
  return metrics.flatMap((definition) => {
    const metric = readMetric(root, definition);
    return dimensionSets.map((dimensions) => ({ namespace, dimensions, timestamp, ...metric }));
  });
}

function readNamespace(namespace: unknown): string {
  if (typeof namespace !== "string" || namespace.length < 1 || namespace.length > 255) {
    reject("Namespace is not a string of 1 to 255 characters");
  }
  if (!PRINTABLE_ASCII.test(namespace)) reject("Namespace is not printable ASCII");
  if (namespace.startsWith(":")) reject('Namespace starts with ":"');
  // PutMetricData reserves the AWS/ prefix for AWS services' own metrics.
  if (namespace.startsWith("AWS/")) reject('Namespace starts with "AWS/" (reserved for AWS)');
  return namespace;
}

function readDimensionSet(root: Record<string, unknown>, set: unknown): Record<string, string> {
  if (!Array.isArray(set)) reject("a dimension set is not an array");
  if (set.length > MAX_DIMENSIONS_PER_SET) {
    reject(`a dimension set has ${set.length} keys (at most ${MAX_DIMENSIONS_PER_SET})`);
  }
  const dimensions: Record<string, string> = {};
  for (const key of set) {
    if (typeof key !== "string" || key.length < 1 || key.length > 255) {
      reject(`dimension key ${JSON.stringify(key)} is not a name of 1 to 255 characters`);
    }
    // CloudWatch's `Dimension` reference: a dimension name must not start with a colon.
    if (key.startsWith(":")) reject(`dimension key ${JSON.stringify(key)} starts with ":"`);
    const value = root[key];
    if (typeof value !== "string") reject(`dimension ${key} is not a string member of the root`);
    if (value.length > 1024 || !PRINTABLE_ASCII.test(value) || value.trim() === "") {
      reject(`dimension ${key} is not 1 to 1024 printable ASCII characters with a non-space`);
    }
    dimensions[key] = value;
  }
  return dimensions;
}

function readMetric(
  root: Record<string, unknown>,
  definition: unknown,
): { name: string; unit: string; values: number[] } {
  const metric = objectOr(definition, "a metric definition is not an object");
  const name = metric.Name;
  if (typeof name !== "string" || name.length < 1 || name.length > 255) {
    reject(`metric Name ${JSON.stringify(name)} is not a name of 1 to 255 characters`);
  }
  const unit = metric.Unit ?? "None";
  if (typeof unit !== "string" || !KNOWN_UNITS.has(unit)) {
    reject(`metric ${name} has an unknown Unit ${JSON.stringify(unit)}`);
  }
  const resolution = metric.StorageResolution;
  if (resolution !== undefined && resolution !== 1 && resolution !== 60) {
    reject(`metric ${name} has StorageResolution ${JSON.stringify(resolution)} (1 or 60)`);
  }
  const member = root[name];
  const values = Array.isArray(member) ? member : [member];
  if (values.length === 0 || values.length > MAX_VALUES_PER_METRIC) {
    reject(`metric ${name} has ${values.length} values (1 to ${MAX_VALUES_PER_METRIC})`);
  }
  for (const value of values) {
    if (typeof value !== "number" || !Number.isFinite(value) || Math.abs(value) > MAX_MAGNITUDE) {
      reject(`metric ${name} has a value that is not a number: ${JSON.stringify(value)}`);
    }
  }
  return { name, unit, values: values as number[] };
}

function objectOr(value: unknown, reason: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) reject(reason);
  return value as Record<string, unknown>;
}

function reject(reason: string): never {
  throw new Error(reason, { cause: REJECTION });
}
