/**
 * The canonical log line of one invocation, as a pure function of what happened: the request
 * metrics, the handler's own metrics, and the fields to query in Logs Insights.
 */
import {
  DIMENSIONS,
  EVENT_DIMENSION_SETS,
  METRICS,
  REQUEST_DIMENSION_SETS,
  type Unit,
} from "./contract";
import type { RequestInfo } from "./events";
import type { SlotRecording } from "./slot";

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

export type Metric = { readonly name: string; readonly unit: Unit };

/** The request metrics of each shape of line: ColdStart and Timeouts only when they happen. */
export function requestMetrics(shape: number): Metric[] {
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

export function dimensionSets(shape: number): readonly (readonly string[])[] {
  return shape & 4 ? EVENT_DIMENSION_SETS : REQUEST_DIMENSION_SETS;
}

export function shapeOf(config: LineConfig, facts: Facts): number {
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
export const KEY = {
  service: key(DIMENSIONS.service),
  route: key(DIMENSIONS.route),
  requests: key(METRICS.requests.name),
  latency: key(METRICS.latency.name),
  errors: key(METRICS.errors.name),
  clientErrors: key(METRICS.clientErrors.name),
  coldStart: key(METRICS.coldStart.name),
  timeouts: key(METRICS.timeouts.name),
} as const;

/** `,"name":`, the start of a root member that follows another. */
export function key(name: string): string {
  return `,${JSON.stringify(name)}:`;
}

/** A string member, or nothing when the value is undefined. */
export function text(name: string, value: string | undefined): string {
  return value === undefined ? "" : `,"${name}":${JSON.stringify(value)}`;
}

/**
 * The line of an invocation whose handler recorded nothing, written as a template rather than
 * built as an object and serialised, which would be most of the wrapper's cost per invocation.
 * Paths and messages are clipped, so it needs no size check.
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
