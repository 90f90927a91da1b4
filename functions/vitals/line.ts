/**
 * The canonical log line of one invocation, as a pure function of what happened: the request
 * metrics, the handler's own metrics, and the fields to query in Logs Insights.
 */
import {
  DIMENSIONS,
  DROPPED_METRIC_DATA,
  EVENT_DIMENSION_SETS,
  METRICS,
  REQUEST_DIMENSION_SETS,
  type Unit,
} from "./contract";
import {
  LIMITS,
  type MetricDefinition,
  type MetricGroup,
  type MetricSeries,
  metricDefinition,
  renderEmf,
} from "./emf";
import type { RequestInfo } from "./events";
import { customSeries, isEmpty, type Recording } from "./recorder";

export interface LineConfig {
  readonly namespace: string;
  readonly service: string;
  /** The service as a JSON string, made once. */
  readonly serviceJson: string;
  /** False: this function's invocations are counted per route only (see `VitalsOptions`). */
  readonly serviceWide: boolean;
  /**
   * The request directive's JSON, by shape: bit 1 adds ColdStart, bit 2 adds Timeouts, and bit 4
   * counts the invocation per route only (a non-HTTP event, or a function that is not traffic).
   * Each is made on first use, so a cold start serialises only the one it writes.
   */
  readonly requestDirectives: (string | undefined)[];
}

/** What the wrapper observed about one invocation. */
export interface Facts {
  readonly timestamp: number;
  readonly latencyMs: number;
  readonly request: RequestInfo;
  readonly requestId: string | undefined;
  readonly traceId: string | undefined;
  readonly coldStart: boolean;
  /** The status the caller sees; undefined for non-HTTP events and timeouts. */
  readonly status: number | undefined;
  readonly error: { readonly type: string; readonly message: string } | undefined;
  /** A non-HTTP invocation that threw, or any invocation that ran out of time. */
  readonly failed: boolean;
  readonly timedOut: boolean;
}

type Metric = { readonly name: string; readonly unit: Unit };

/** The request metrics of each shape of line: ColdStart and Timeouts only when they happen. */
function requestMetrics(shape: number): Metric[] {
  const metrics: Metric[] = [
    METRICS.requests,
    METRICS.latency,
    METRICS.errors,
    METRICS.clientErrors,
  ];
  if (shape & 1) metrics.push(METRICS.coldStart);
  if (shape & 2) metrics.push(METRICS.timeouts);
  return metrics;
}

function dimensionSets(shape: number): readonly (readonly string[])[] {
  return shape & 4 ? EVENT_DIMENSION_SETS : REQUEST_DIMENSION_SETS;
}

function shapeOf(config: LineConfig, facts: Facts): number {
  return (
    (facts.coldStart ? 1 : 0) |
    (facts.timedOut ? 2 : 0) |
    (facts.request.frontDoor === "other" || !config.serviceWide ? 4 : 0)
  );
}

/**
 * Prepares the parts of the line that are the same on every invocation, once per wrapper.
 *
 * @example
 * const config = lineConfig("LambdaVitals/prod", "orders");
 */
export function lineConfig(namespace: string, service: string, serviceWide = true): LineConfig {
  const serviceJson = JSON.stringify(service);
  return { namespace, service, serviceJson, serviceWide, requestDirectives: [] };
}

function requestDirective(config: LineConfig, shape: number): string {
  // The same value for the life of the config: a memo of a constant, not invocation state.
  config.requestDirectives[shape] ??= JSON.stringify({
    Namespace: config.namespace,
    Dimensions: dimensionSets(shape),
    Metrics: requestMetrics(shape).map((m) => ({ Name: m.name, Unit: m.unit })),
  });
  return config.requestDirectives[shape];
}

/** `,"Name":` for each member of the common line, from the contract, made once. */
const KEY = {
  service: key(DIMENSIONS.service),
  route: key(DIMENSIONS.route),
  requests: key(METRICS.requests.name),
  latency: key(METRICS.latency.name),
  errors: key(METRICS.errors.name),
  clientErrors: key(METRICS.clientErrors.name),
  coldStart: key(METRICS.coldStart.name),
  timeouts: key(METRICS.timeouts.name),
} as const;

function key(name: string): string {
  return `,${JSON.stringify(name)}:`;
}

function text(name: string, value: string | undefined): string {
  return value === undefined ? "" : `,"${name}":${JSON.stringify(value)}`;
}

/**
 * The line of an invocation whose handler recorded nothing, written as a template rather than
 * built as an object and serialised, which would be most of the wrapper's cost per invocation.
 * Paths and messages are clipped, so it needs no size check.
 */
function commonLine(config: LineConfig, facts: Facts, directives = "", members = ""): string {
  const { status, error, request } = facts;
  const shape = shapeOf(config, facts);
  const isError = facts.failed || facts.timedOut || (status !== undefined && status >= 500);
  const isClientError = status !== undefined && status >= 400 && status < 500;
  return (
    `{"_aws":{"Timestamp":${facts.timestamp},"CloudWatchMetrics":[${requestDirective(config, shape)}${directives}]}` +
    `${KEY.service}${config.serviceJson}${KEY.route}${JSON.stringify(request.route)}` +
    text("requestId", facts.requestId) +
    text("traceId", facts.traceId) +
    text("method", request.method) +
    text("path", request.path) +
    (status === undefined ? "" : `,"status":${status}`) +
    text("errorType", error?.type) +
    text("errorMessage", error?.message) +
    `${KEY.requests}1${KEY.latency}${Math.round(facts.latencyMs * 100) / 100}` +
    `${KEY.errors}${isError ? 1 : 0}${KEY.clientErrors}${isClientError ? 1 : 0}` +
    (shape & 1 ? `${KEY.coldStart}1` : "") +
    (shape & 2 ? `${KEY.timeouts}1` : "") +
    `${members}}`
  );
}

/** Longest recorded data the quick path takes; larger data goes where sizes are checked exactly. */
const QUICK_MEMBERS_CHARS = 32 * 1024;

/**
 * The line of an invocation whose handler recorded a little data, within every limit (at most 100
 * metrics of at most 100 values, nothing dropped, small properties): the common line with one more
 * directive and the handler's members. Undefined when the general path must take it.
 */
function recordedLine(config: LineConfig, facts: Facts, recording: Recording): string | undefined {
  if (recording.dropped > 0 || recording.series.size > LIMITS.metricsPerDirective) return undefined;
  // Properties first, then dimensions and values, as the general path orders them; the recorder
  // has already refused names that would collide.
  const members: Record<string, unknown> = { ...recording.properties };
  let directive = "";
  if (recording.series.size > 0) {
    for (const [name, value] of recording.dimensions) members[name] = value;
    const metrics: MetricDefinition[] = [];
    for (const [name, s] of recording.series) {
      if (s.values.length > LIMITS.valuesPerMetric) return undefined;
      members[name] = s.values.length === 1 ? s.values[0] : s.values;
      metrics.push(metricDefinition(name, s.unit, s.resolution));
    }
    const dimensionSets = [customDimensionSet(recording)];
    directive = `,${JSON.stringify({ Namespace: config.namespace, Dimensions: dimensionSets, Metrics: metrics })}`;
  }
  let json: string;
  try {
    json = JSON.stringify(members);
  } catch {
    return undefined; // a cycle or a BigInt: the general path replaces the properties with a note
  }
  if (json.length > QUICK_MEMBERS_CHARS) return undefined;
  return commonLine(config, facts, directive, json === "{}" ? "" : `,${json.slice(1, -1)}`);
}

/**
 * Renders the invocation's lines: the canonical line (rarely more, see `renderEmf`), then, when
 * the handler recorded data CloudWatch would reject, one warning line that counts it.
 *
 * @example
 * const [line] = renderInvocation(lineConfig("Shop", "orders"), facts, undefined);
 */
export function renderInvocation(
  config: LineConfig,
  facts: Facts,
  recording: Recording | undefined,
): string[] {
  if (recording === undefined || isEmpty(recording)) return [commonLine(config, facts)];
  const line = recordedLine(config, facts, recording);
  return line !== undefined ? [line] : renderWithRecording(config, facts, recording);
}

/**
 * The lines of an invocation whose handler recorded data: the common line's members, which stay
 * the one definition of them, plus the handler's metrics, dimensions and properties, rendered
 * within CloudWatch's limits.
 */
function renderWithRecording(config: LineConfig, facts: Facts, recording: Recording): string[] {
  const { _aws, ...members } = JSON.parse(commonLine(config, facts)) as Record<string, unknown>;
  const shape = shapeOf(config, facts);
  const requestSeries = requestMetrics(shape).map((m) => single(m, members[m.name] as number));
  const groups: MetricGroup[] = [{ dimensionSets: dimensionSets(shape), series: requestSeries }];
  // Identity goes on every line renderEmf writes; the other fields on the first only.
  const identity: Record<string, unknown> = {};
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(members)) {
    if (key === DIMENSIONS.service || key === DIMENSIONS.route || key === "requestId") {
      identity[key] = value;
    } else if (!requestSeries.some((s) => s.name === key)) {
      fields[key] = value;
    }
  }
  if (recording.series.size > 0) {
    for (const [name, value] of recording.dimensions) identity[name] = value;
    groups.push({
      dimensionSets: [customDimensionSet(recording)],
      series: customSeries(recording),
    });
  }
  const lines = renderEmf({
    timestamp: facts.timestamp,
    namespace: config.namespace,
    groups,
    members: identity,
    fields,
    properties: recording.properties,
  });
  if (recording.dropped > 0) lines.push(warningLine(config, facts, recording));
  return lines;
}

/** The handler's own metrics are counted per service and the dimensions it added. */
function customDimensionSet(recording: Recording): string[] {
  return [DIMENSIONS.service, ...recording.dimensions.keys()];
}

function single(metric: Metric, value: number): MetricSeries {
  return { name: metric.name, unit: metric.unit, resolution: 60, values: [value] };
}

/** A valid EMF line of its own, so that dropped data shows up as a metric, not only as text. */
function warningLine(config: LineConfig, facts: Facts, recording: Recording): string {
  const [line] = renderEmf({
    timestamp: facts.timestamp,
    namespace: config.namespace,
    groups: [
      {
        dimensionSets: [[DIMENSIONS.service]],
        series: [single(DROPPED_METRIC_DATA, recording.dropped)],
      },
    ],
    members: { [DIMENSIONS.service]: config.service, requestId: facts.requestId },
    properties: {
      level: "WARN",
      message: `lambda-vitals dropped ${recording.dropped} metric entries that CloudWatch would reject`,
      problems: recording.problems,
    },
  });
  return line ?? "";
}
