/**
 * The embedded metric format, as pure functions: validation of names and values, and rendering of
 * one invocation's metrics into JSON lines that CloudWatch accepts. Nothing here writes.
 */
import type { StorageResolution, Unit } from "./contract";

/** Limits from the EMF specification and the CloudWatch API. */
export const LIMITS = {
  metricsPerDirective: 100,
  valuesPerMetric: 100,
  dimensionsPerSet: 30,
  nameLength: 255,
  dimensionValueLength: 1024,
  namespaceLength: 255,
  /** Lambda cuts log events at 256 KB; keep a margin for the newline and the runtime's framing. */
  lineBytes: 256 * 1024 - 1024,
  /** CloudWatch rejects magnitudes beyond 2^360. */
  maxMagnitude: 2 ** 360,
} as const;

export interface MetricSeries {
  readonly name: string;
  readonly unit: Unit;
  readonly resolution: StorageResolution;
  readonly values: readonly number[];
}

export interface MetricGroup {
  /** Each set names root members whose values are strings. `[[]]` means "no dimensions". */
  readonly dimensionSets: readonly (readonly string[])[];
  readonly series: readonly MetricSeries[];
}

export interface EmfInput {
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly namespace: string;
  readonly groups: readonly MetricGroup[];
  /** Dimension values and identifiers, repeated on every line this input renders to. */
  readonly members: Readonly<Record<string, unknown>>;
  /** Fields for Logs Insights that are small and always serialisable: written on the first line. */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** Fields for Logs Insights, written once; the first thing dropped when a line is too large. */
  readonly properties: Readonly<Record<string, unknown>>;
}

export interface MetricDefinition {
  readonly Name: string;
  readonly Unit: Unit;
  readonly StorageResolution?: 1;
}

interface Directive {
  Namespace: string;
  Dimensions: readonly (readonly string[])[];
  Metrics: MetricDefinition[];
}

// Printable ASCII only: CloudWatch rejects non-ASCII dimension values and control characters.
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
const NON_SPACE = /[^ ]/;
// The CloudWatch units (see UNITS in contract.ts), as one pattern: a Set of them costs 400 bytes
// in every bundle.
const UNIT =
  /^(?:Seconds|(?:Micro|Milli)seconds|Percent|None|(?:Count|Bytes|Bits|(?:Kilo|Mega|Giga|Tera)(?:bytes|bits))(?:\/Second)?)$/;

/** A metric value CloudWatch stores: a finite number within ±2^360. */
export function isValidValue(value: unknown): value is number {
  return (
    typeof value === "number" && Number.isFinite(value) && Math.abs(value) <= LIMITS.maxMagnitude
  );
}

export function isUnit(value: unknown): value is Unit {
  return typeof value === "string" && UNIT.test(value);
}

/** Why a string is unusable as a CloudWatch name or value, or undefined when it is fine. */
function textProblem(what: string, value: unknown, max: number): string | undefined {
  if (
    typeof value === "string" &&
    value.length <= max &&
    PRINTABLE_ASCII.test(value) &&
    value.trim() !== ""
  ) {
    return undefined;
  }
  const shown = typeof value === "string" ? JSON.stringify(value.slice(0, 64)) : typeof value;
  return `${what} must be 1-${max} printable ASCII characters, not only spaces: ${shown}`;
}

/** Why a metric, dimension or property name is unusable, or undefined when it is fine. */
export function nameProblem(name: unknown): string | undefined {
  return textProblem("a name", name, LIMITS.nameLength);
}

/** Why a dimension value is unusable, or undefined when it is fine. */
export function dimensionValueProblem(value: unknown): string | undefined {
  return textProblem("a dimension value", value, LIMITS.dimensionValueLength);
}

/** Why a namespace is unusable, or undefined when it is fine. */
export function namespaceProblem(namespace: unknown): string | undefined {
  const problem = textProblem("namespace", namespace, LIMITS.namespaceLength);
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
  if (
    value.length <= LIMITS.dimensionValueLength &&
    PRINTABLE_ASCII.test(value) &&
    NON_SPACE.test(value)
  ) {
    return value;
  }
  const safe = value.replace(/[^\x20-\x7e]/g, "?").slice(0, LIMITS.dimensionValueLength);
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

/**
 * Renders one invocation's metrics as EMF lines (without the trailing newline).
 *
 * Usually one line. More only when CloudWatch's limits force it: a metric holding more than 100
 * values spills its later values onto extra lines, and a line over the size limit first loses its
 * properties, then has its metrics split across lines. Properties that cannot be serialised (a
 * cycle, a BigInt) are replaced by a note instead of failing the line.
 *
 * @example
 * renderEmf({
 *   timestamp: Date.now(), namespace: "Shop",
 *   groups: [{ dimensionSets: [["Service"]], series: [{ name: "Orders", unit: "Count", resolution: 60, values: [1] }] }],
 *   members: { Service: "orders" }, properties: { requestId: "abc" },
 * }); // ['{"_aws":{...},"Service":"orders","requestId":"abc","Orders":1}']
 */
export function renderEmf(input: EmfInput): string[] {
  const pages = paginate(input.groups);
  const lines: string[] = [];
  pages.forEach((groups, page) => {
    if (page === 0) fitLines(input, groups, input.fields, input.properties, lines);
    else fitLines(input, groups, undefined, undefined, lines);
  });
  return lines;
}

/** Splits series with more than 100 values into pages; page 0 holds every metric's first 100. */
function paginate(groups: readonly MetricGroup[]): MetricGroup[][] {
  const limit = LIMITS.valuesPerMetric;
  if (groups.every((g) => g.series.every((s) => s.values.length <= limit))) return [[...groups]];
  const pages: MetricGroup[][] = [];
  for (const group of groups) {
    for (const series of group.series) {
      for (let start = 0, page = 0; start < series.values.length; start += limit, page++) {
        const groupsOnPage = pages[page] ?? [];
        pages[page] = groupsOnPage;
        let target = groupsOnPage.find((g) => g.dimensionSets === group.dimensionSets);
        if (target === undefined) {
          target = { dimensionSets: group.dimensionSets, series: [] };
          groupsOnPage.push(target);
        }
        (target.series as MetricSeries[]).push({
          ...series,
          values: series.values.slice(start, start + limit),
        });
      }
    }
  }
  return pages;
}

/** Appends one line, or several when the line would exceed the size limit. */
function fitLines(
  input: EmfInput,
  groups: readonly MetricGroup[],
  fields: Readonly<Record<string, unknown>> | undefined,
  properties: Readonly<Record<string, unknown>> | undefined,
  lines: string[],
): void {
  const line = serialise(input, groups, fields, properties);
  if (byteLength(line) <= LIMITS.lineBytes) {
    lines.push(line);
    return;
  }
  if (properties !== undefined) {
    const note = { vitalsPropertiesDropped: "line over size limit" };
    fitLines(input, groups, { ...fields, ...note }, undefined, lines);
    return;
  }
  const series = groups.flatMap((g) => g.series.map((s) => ({ group: g, s })));
  if (series.length < 2) return; // a single metric of 100 numbers always fits; nothing to split
  const half = Math.ceil(series.length / 2);
  let carried = fields; // the fields go on the first of the split lines only
  for (const part of [series.slice(0, half), series.slice(half)]) {
    const regrouped = groups
      .map((g) => ({
        dimensionSets: g.dimensionSets,
        series: part.filter((p) => p.group === g).map((p) => p.s),
      }))
      .filter((g) => g.series.length > 0);
    fitLines(input, regrouped, carried, undefined, lines);
    carried = undefined;
  }
}

function serialise(
  input: EmfInput,
  groups: readonly MetricGroup[],
  fields: Readonly<Record<string, unknown>> | undefined,
  properties: Readonly<Record<string, unknown>> | undefined,
): string {
  const directives: Directive[] = [];
  const values: Record<string, number | readonly number[]> = {};
  for (const group of groups) {
    for (let i = 0; i < group.series.length; i += LIMITS.metricsPerDirective) {
      const chunk = group.series.slice(i, i + LIMITS.metricsPerDirective);
      directives.push({
        Namespace: input.namespace,
        Dimensions: group.dimensionSets,
        Metrics: chunk.map((s) => metricDefinition(s.name, s.unit, s.resolution)),
      });
      for (const s of chunk) values[s.name] = s.values.length === 1 ? (s.values[0] ?? 0) : s.values;
    }
  }
  const aws = { Timestamp: input.timestamp, CloudWatchMetrics: directives };
  // Members and metric values come after properties so that a property can never overwrite them;
  // `_aws` is set again for the same reason, and stays the first key.
  const doc = { _aws: aws, ...properties, ...fields, ...input.members, ...values };
  doc._aws = aws;
  try {
    return JSON.stringify(doc);
  } catch (error) {
    const note = `properties not serialisable: ${error instanceof Error ? error.message : "unknown"}`;
    const safe = { ...fields, vitalsPropertiesDropped: note };
    return JSON.stringify({ _aws: aws, ...safe, ...input.members, ...values });
  }
}

function byteLength(line: string): number {
  // A UTF-16 unit takes at most 3 bytes in UTF-8, so short lines need no exact count.
  return line.length * 3 <= LIMITS.lineBytes ? line.length : Buffer.byteLength(line, "utf8");
}
