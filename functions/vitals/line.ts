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

export interface LineConfig {
  readonly namespace: string;
  readonly service: string;
  /** The service as a JSON string, made once. */
  readonly serviceJson: string;
  /** False: this function's invocations are counted per route only (see `VitalsOptions`). */
  readonly serviceWide: boolean;
  /**
   * The request directive's JSON by shape (the bits `COLD_START`, `TIMED_OUT`, `PER_ROUTE_ONLY`),
   * each made on first use, so a cold start serialises only the one it writes.
   */
  readonly requestDirectives: (string | undefined)[];
}

/** What the wrapper observed about one invocation; the outcome is filled in when it ends. */
export interface Facts {
  readonly timestamp: number;
  readonly request: RequestInfo;
  readonly requestId: string | undefined;
  readonly traceId: string | undefined;
  readonly coldStart: boolean;
  latencyMs: number;
  /** The status the caller sees; undefined for non-HTTP events and timeouts. */
  status: number | undefined;
  error: { readonly type: string; readonly message: string } | undefined;
  /** A non-HTTP invocation that threw, or any invocation that ran out of time. */
  failed: boolean;
  timedOut: boolean;
}

/**
 * What a handler's recorded data leaves for the line: how to render it. The recorder makes it
 * and the slot carries it, so only handlers that record pull the general renderer in.
 */
export interface SlotRecording {
  /** The invocation's lines with the recorded data, or undefined when nothing was recorded. */
  render(config: LineConfig, facts: Facts): string[] | undefined;
}

// The bits of a line's shape: what changes its request directive from one invocation to the
// next. A shape is also the directive's index in `LineConfig.requestDirectives`.
/** The line counts a cold start. */
const COLD_START = 1;
/** The line counts a timeout. */
const TIMED_OUT = 2;
/** The invocation counts per route only: a non-HTTP event, or a function that is not traffic. */
const PER_ROUTE_ONLY = 4;

/** The request metrics of each shape of line: ColdStart and Timeouts only when they happen. */
function requestMetrics(shape: number): MetricSpec[] {
  const metrics: MetricSpec[] = [
    METRICS.requests,
    METRICS.latency,
    METRICS.errors,
    METRICS.clientErrors,
  ];
  if (shape & COLD_START) metrics.push(METRICS.coldStart);
  if (shape & TIMED_OUT) metrics.push(METRICS.timeouts);
  return metrics;
}

function shapeOf(config: LineConfig, facts: Facts): number {
  let shape = 0;
  if (facts.coldStart) shape |= COLD_START;
  if (facts.timedOut) shape |= TIMED_OUT;
  if (facts.request.frontDoor === "other" || !config.serviceWide) shape |= PER_ROUTE_ONLY;
  return shape;
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
    Dimensions: shape & PER_ROUTE_ONLY ? EVENT_DIMENSION_SETS : REQUEST_DIMENSION_SETS,
    Metrics: requestMetrics(shape).map((m) => ({ Name: m.name, Unit: m.unit })),
  });
  return config.requestDirectives[shape];
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
 * stringMember(FIELDS.requestId, facts.requestId); // ,"requestId":"c0ffee..." or ""
 */
export function stringMember(name: string, value: string | undefined): string {
  return value === undefined ? "" : member(name, JSON.stringify(value));
}

/**
 * The line of an invocation whose handler recorded nothing, written as a template rather than
 * built as an object and serialised, which would be most of the wrapper's cost per invocation.
 * Paths and messages are clipped, so it needs no size check. `directives` (each with a leading
 * comma) and `members` are the handler's data, already in JSON.
 *
 * @example
 * const line = commonLine(lineConfig("Shop", "orders"), facts);
 */
export function commonLine(
  config: LineConfig,
  facts: Facts,
  directives = "",
  members = "",
): string {
  const { status, error, request } = facts;
  const shape = shapeOf(config, facts);
  const isError = facts.failed || (status !== undefined && status >= 500);
  const isClientError = status !== undefined && status >= 400 && status < 500;
  return (
    `{"_aws":{"Timestamp":${facts.timestamp},"CloudWatchMetrics":[${requestDirective(config, shape)}${directives}]}` +
    member(DIMENSIONS.service, config.serviceJson) +
    member(DIMENSIONS.route, JSON.stringify(request.route)) +
    stringMember(FIELDS.requestId, facts.requestId) +
    stringMember(FIELDS.traceId, facts.traceId) +
    stringMember(FIELDS.method, request.method) +
    stringMember(FIELDS.path, request.path) +
    (status === undefined ? "" : member(FIELDS.status, status)) +
    stringMember(FIELDS.errorType, error?.type) +
    stringMember(FIELDS.errorMessage, error?.message) +
    member(METRICS.requests.name, 1) +
    member(METRICS.latency.name, Math.round(facts.latencyMs * 100) / 100) +
    member(METRICS.errors.name, isError ? 1 : 0) +
    member(METRICS.clientErrors.name, isClientError ? 1 : 0) +
    (shape & COLD_START ? member(METRICS.coldStart.name, 1) : "") +
    (shape & TIMED_OUT ? member(METRICS.timeouts.name, 1) : "") +
    `${members}}`
  );
}

/**
 * Renders the invocation's lines: the common line, or, when the handler recorded data, what the
 * recording renders (see `recorded-line.ts`).
 *
 * @example
 * const [line] = renderInvocation(lineConfig("Shop", "orders"), facts, undefined);
 */
export function renderInvocation(
  config: LineConfig,
  facts: Facts,
  recording: SlotRecording | undefined,
): string[] {
  if (recording !== undefined) {
    try {
      const lines = recording.render(config, facts);
      if (lines !== undefined) return lines;
    } catch {
      // fail open: the handler's own data is lost, the request metrics are not
    }
  }
  return [commonLine(config, facts)];
}
