/**
 * The canonical log line of one invocation, as a pure function of what happened: the request
 * metrics, the handler's own metrics, and the fields to query in Logs Insights.
 */
import {
  DIMENSIONS,
  EVENT_DIMENSION_SETS,
  FIELDS,
  METRICS,
  type MetricSpec,
  REQUEST_DIMENSION_SETS,
} from "./contract";
import type { RequestInfo } from "./events";
import type { RecordedData } from "./recorded-data";

export interface LineConfig {
  readonly namespace: string;
  readonly service: string;
  /** The service as a JSON string, made once. */
  readonly serviceJson: string;
  /** False: this function's invocations are counted per route only (see `VitalsOptions`). */
  readonly serviceWide: boolean;
  /**
   * The request directive's JSON by kind (the bits `WITH_COLD_START`, `WITH_TIMEOUT`,
   * `PER_ROUTE_ONLY`), each made on first use, so a cold start serialises only the one it writes.
   */
  readonly requestDirectives: (string | undefined)[];
}

/** What is known about an invocation when it starts. */
export interface Invocation {
  readonly timestamp: number;
  readonly request: RequestInfo;
  readonly requestId: string | undefined;
  readonly traceId: string | undefined;
  readonly coldStart: boolean;
}

/** What the line says went wrong. */
export interface LineError {
  readonly type: string;
  readonly message: string;
}

/** How an invocation ended, made once, when it ends. */
export interface Outcome {
  readonly latencyMs: number;
  /** The status the caller sees; undefined for non-HTTP events and timeouts. */
  readonly status: number | undefined;
  /** A thrown error, a result the event source will not accept, or the timeout. */
  readonly error: LineError | undefined;
  readonly timedOut: boolean;
}

/**
 * The common line in the two parts a handler's data goes between: the whole line is
 * `${head}${directives}]}${body}${members}}`, where a handler that recorded nothing adds nothing.
 */
export interface CommonLine {
  /** `{"_aws":{"Timestamp":…,"CloudWatchMetrics":[` and the request directive. */
  readonly head: string;
  /** The root members: dimensions, fields and request metrics, each with a leading comma. */
  readonly body: string;
}

/**
 * A handler's recorded data and the function that renders it. The recorder puts both in the
 * slot, so that only handlers that call `metricsFor` bundle the renderer: importing
 * `recorded-line.ts` here instead adds 3,044 B (26%) to the benchmark's handler, which records
 * nothing (esbuild, minified, measured at this commit).
 */
export interface Recording {
  readonly data: RecordedData;
  /** The invocation's lines with the data, or undefined when nothing was recorded. */
  readonly render: (
    config: LineConfig,
    invocation: Invocation,
    line: CommonLine,
    data: RecordedData,
  ) => string[] | undefined;
}

// The bits of a request directive's kind: what changes it from one invocation to the next. A
// kind is also the directive's index in `LineConfig.requestDirectives`.
/** The line counts a cold start. */
const WITH_COLD_START = 1;
/** The line counts a timeout. */
const WITH_TIMEOUT = 2;
/** The invocation counts per route only: a non-HTTP event, or a function that is not traffic. */
const PER_ROUTE_ONLY = 4;

/** The request metrics of each kind of line: ColdStart and Timeouts only when they happen. */
function requestMetrics(kind: number): MetricSpec[] {
  const metrics: MetricSpec[] = [
    METRICS.requests,
    METRICS.latency,
    METRICS.errors,
    METRICS.clientErrors,
  ];
  if (kind & WITH_COLD_START) metrics.push(METRICS.coldStart);
  if (kind & WITH_TIMEOUT) metrics.push(METRICS.timeouts);
  return metrics;
}

function directiveKind(config: LineConfig, invocation: Invocation, outcome: Outcome): number {
  let kind = 0;
  if (invocation.coldStart) kind |= WITH_COLD_START;
  if (outcome.timedOut) kind |= WITH_TIMEOUT;
  if (invocation.request.source === "other" || !config.serviceWide) kind |= PER_ROUTE_ONLY;
  return kind;
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

function requestDirective(config: LineConfig, kind: number): string {
  // The same value for the life of the config: a memo of a constant, not invocation state.
  config.requestDirectives[kind] ??= JSON.stringify({
    Namespace: config.namespace,
    Dimensions: kind & PER_ROUTE_ONLY ? EVENT_DIMENSION_SETS : REQUEST_DIMENSION_SETS,
    Metrics: requestMetrics(kind).map((m) => ({ Name: m.name, Unit: m.unit })),
  });
  return config.requestDirectives[kind];
}

/**
 * `,"name":json`, a root member that follows another. The contract's names need no escaping, so
 * the name is written as it is; `json` is the value, already in JSON.
 *
 * @example
 * member(METRICS.requests.name, 1); // ,"Requests":1
 */
export function member(name: string, json: string | number): string {
  return `,"${name}":${json}`;
}

/**
 * A string member named by the contract (`FIELDS`), or nothing when the value is undefined.
 *
 * @example
 * stringMember(FIELDS.requestId, invocation.requestId); // ,"requestId":"c0ffee..." or ""
 */
export function stringMember(name: string, value: string | undefined): string {
  return value === undefined ? "" : member(name, JSON.stringify(value));
}

/**
 * The common line's two parts, written as a template rather than built as an object and
 * serialised, which would be most of the wrapper's cost per invocation. Paths and messages are
 * clipped, so the line needs no size check.
 *
 * @example
 * const line = commonLine(lineConfig("Shop", "orders"), invocation, outcome);
 */
export function commonLine(
  config: LineConfig,
  invocation: Invocation,
  outcome: Outcome,
): CommonLine {
  const { status, error } = outcome;
  const { request } = invocation;
  const kind = directiveKind(config, invocation, outcome);
  // Without a status (a non-HTTP event, a timeout), any error counts: there is no 4xx to tell apart.
  const isError = status === undefined ? error !== undefined : status >= 500;
  const isClientError = status !== undefined && status >= 400 && status < 500;
  return {
    head: `{"_aws":{"Timestamp":${invocation.timestamp},"CloudWatchMetrics":[${requestDirective(config, kind)}`,
    body:
      member(DIMENSIONS.service, config.serviceJson) +
      member(DIMENSIONS.route, JSON.stringify(request.route)) +
      stringMember(FIELDS.requestId, invocation.requestId) +
      stringMember(FIELDS.traceId, invocation.traceId) +
      stringMember(FIELDS.method, request.method) +
      stringMember(FIELDS.path, request.path) +
      (status === undefined ? "" : member(FIELDS.status, status)) +
      stringMember(FIELDS.errorType, error?.type) +
      stringMember(FIELDS.errorMessage, error?.message) +
      member(METRICS.requests.name, 1) +
      member(METRICS.latency.name, Math.round(outcome.latencyMs * 100) / 100) +
      member(METRICS.errors.name, isError ? 1 : 0) +
      member(METRICS.clientErrors.name, isClientError ? 1 : 0) +
      (kind & WITH_COLD_START ? member(METRICS.coldStart.name, 1) : "") +
      (kind & WITH_TIMEOUT ? member(METRICS.timeouts.name, 1) : ""),
  };
}

/**
 * The common line whole, with a handler's directives (each with a leading comma) and root
 * members, already in JSON, in their places.
 *
 * @example
 * joinLine(commonLine(config, invocation, outcome)); // the line of a handler that recorded nothing
 */
export function joinLine(line: CommonLine, directives = "", members = ""): string {
  return `${line.head}${directives}]}${line.body}${members}}`;
}

/**
 * The invocation's lines: the common line, or, when the handler recorded data, the lines its
 * recording renders (see `recorded-line.ts`).
 *
 * @example
 * const [line] = renderLines(lineConfig("Shop", "orders"), invocation, outcome, undefined);
 */
export function renderLines(
  config: LineConfig,
  invocation: Invocation,
  outcome: Outcome,
  recording: Recording | undefined,
): string[] {
  const line = commonLine(config, invocation, outcome);
  if (recording !== undefined) {
    try {
      const lines = recording.render(config, invocation, line, recording.data);
      if (lines !== undefined) return lines;
    } catch {
      // fail open: the handler's own data is lost, the request metrics are not
    }
  }
  return [joinLine(line)];
}
