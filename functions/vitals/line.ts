/**
 * The canonical log line of one invocation, as a pure function of what happened: the request
 * metrics, the handler's own metrics, and the fields to query in Logs Insights.
 */
import {
  DIMENSIONS,
  DROPPED_METRIC_DATA,
  METRICS,
  REQUEST_DIMENSION_SETS,
  type StorageResolution,
  type Unit,
} from "./contract";
import { type MetricGroup, type MetricSeries, renderEmf } from "./emf";
import type { RequestInfo } from "./events";
import { customSeries, type Recording } from "./recorder";

export interface LineConfig {
  readonly namespace: string;
  readonly service: string;
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

function single(
  metric: { readonly name: string; readonly unit: Unit },
  value: number,
  resolution: StorageResolution = 60,
): MetricSeries {
  return { name: metric.name, unit: metric.unit, resolution, values: [value] };
}

/**
 * Renders the invocation's lines: the canonical line (rarely more, see `renderEmf`), then, when
 * the handler recorded data CloudWatch would reject, one warning line that counts it.
 *
 * @example
 * const [line] = renderInvocation({ namespace: "Shop", service: "orders" }, facts, recording);
 */
export function renderInvocation(config: LineConfig, facts: Facts, recording: Recording): string[] {
  const status = facts.status;
  const isError = facts.failed || facts.timedOut || (status !== undefined && status >= 500);
  const isClientError = status !== undefined && status >= 400 && status < 500;
  const requestSeries = [
    single(METRICS.requests, 1),
    single(METRICS.latency, Math.round(facts.latencyMs * 100) / 100),
    single(METRICS.errors, isError ? 1 : 0),
    single(METRICS.clientErrors, isClientError ? 1 : 0),
  ];
  if (facts.coldStart) requestSeries.push(single(METRICS.coldStart, 1));
  if (facts.timedOut) requestSeries.push(single(METRICS.timeouts, 1));
  const groups: MetricGroup[] = [{ dimensionSets: REQUEST_DIMENSION_SETS, series: requestSeries }];

  const members: Record<string, unknown> = {
    [DIMENSIONS.service]: config.service,
    [DIMENSIONS.route]: facts.request.route,
    requestId: facts.requestId,
  };
  if (recording.series.size > 0) {
    const dimensionSet = [DIMENSIONS.service, ...recording.dimensions.keys()];
    for (const [name, value] of recording.dimensions) members[name] = value;
    groups.push({ dimensionSets: [dimensionSet], series: customSeries(recording) });
  }

  const fields: Record<string, unknown> = {
    traceId: facts.traceId,
    method: facts.request.method,
    path: facts.request.path,
    status,
    errorType: facts.error?.type,
    errorMessage: facts.error?.message,
  };
  const input = {
    timestamp: facts.timestamp,
    namespace: config.namespace,
    groups,
    members,
    fields,
    properties: recording.properties,
  };
  const lines = renderEmf(input);
  if (recording.dropped > 0) lines.push(warningLine(config, facts, recording));
  return lines;
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
