/**
 * The lines of an invocation whose handler recorded its own metrics, dimensions or properties.
 * Only `metricsFor` reaches this module, so a handler that records nothing does not bundle it.
 */
import { DIMENSIONS, DROPPED_METRIC_DATA } from "./contract";
import {
  LIMITS,
  type MetricDefinition,
  type MetricGroup,
  type MetricSeries,
  metricDefinition,
  renderEmf,
} from "./emf";
import {
  commonLine,
  dimensionSets,
  type Facts,
  type LineConfig,
  type Metric,
  requestMetrics,
  shapeOf,
} from "./line";
import type { Recording } from "./recorder";

/** True when the handler recorded nothing that the line must carry. */
function isEmpty(r: Recording): boolean {
  for (const _ in r.properties) return false;
  return r.series.size === 0 && r.dropped === 0;
}

/** The handler's metrics as EMF series, in the order they were first recorded. */
function customSeries(r: Recording): MetricSeries[] {
  const out: MetricSeries[] = [];
  for (const [name, s] of r.series) {
    out.push({ name, unit: s.unit, resolution: s.resolution, values: s.values });
  }
  return out;
}

/** Longest recorded data the quick path takes; larger data goes where sizes are checked exactly. */
const QUICK_MEMBERS_CHARS = 32 * 1024;

/**
 * The line of an invocation whose handler recorded a little data, within every limit (at most 100
 * metrics of at most 100 values, nothing dropped, small properties): the common line with one more
 * directive and the handler's members. Undefined when the general path must take it.
 */
function recordedLine(
  config: LineConfig,
  facts: Facts,
  recording: Recording,
): string[] | undefined {
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
  return [commonLine(config, facts, directive, json === "{}" ? "" : `,${json.slice(1, -1)}`)];
}

/**
 * The lines of an invocation whose handler recorded data: the canonical line (rarely more, see
 * `renderEmf`), then, when the handler recorded data CloudWatch would reject, one warning line
 * that counts it. Undefined when the handler recorded nothing, so the common line is written.
 *
 * @example
 * const lines = renderRecording(config, facts, recording) ?? [commonLine(config, facts)];
 */
export function renderRecording(
  config: LineConfig,
  facts: Facts,
  recording: Recording,
): string[] | undefined {
  if (isEmpty(recording)) return undefined;
  return recordedLine(config, facts, recording) ?? renderWithRecording(config, facts, recording);
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
