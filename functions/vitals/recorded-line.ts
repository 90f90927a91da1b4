/**
 * The lines of an invocation whose handler recorded its own metrics, dimensions or properties.
 * Only `metricsFor` reaches this module, so a handler that records nothing does not bundle it.
 *
 * The data goes onto the common line as a template, like the rest of it, and spills onto extra
 * lines only where CloudWatch's limits force it: values beyond a metric's first 100, and metrics
 * beyond what one line of 255 KB can hold. Nothing the recorder accepted is lost, except
 * properties that cannot be serialised or that alone would not fit, which a note replaces.
 */
import { DIMENSIONS, DROPPED_METRIC_DATA } from "./contract";
import { LIMITS, metricDefinition, singleMetricLine } from "./emf";
import { commonLine, type Facts, KEY, key, type LineConfig, text } from "./line";
import type { Recording } from "./recorder";

/** One metric's slice of at most 100 values, as its directive entry and its root member. */
interface Entry {
  readonly definition: string;
  readonly member: string;
}

/** The member that replaces properties which cannot be written. */
export const PROPERTIES_NOTE = "vitalsPropertiesDropped";

/**
 * The most bytes the common line can take, so that sizes are counted without building it twice.
 * Its variable parts are clipped: path and error message to 512 UTF-16 units, error type, request
 * and trace id to 128, and a unit takes at most 6 bytes in JSON (`\u0001`, a lone surrogate);
 * route and service are at most 1024 printable ASCII characters and the namespace 255, at most 2
 * bytes each (`\"`). That is 13.6 KB with the fixed parts; a test builds that worst case.
 */
export const COMMON_LINE_MAX_BYTES = 16 * 1024;

/**
 * The invocation's lines with the handler's data, then, when the handler recorded data that
 * CloudWatch would reject, one warning line that counts it. Undefined when the handler recorded
 * nothing, so the common line is written.
 *
 * @example
 * const lines = renderRecording(config, facts, recording) ?? [commonLine(config, facts)];
 */
export function renderRecording(
  config: LineConfig,
  facts: Facts,
  recording: Recording,
): string[] | undefined {
  const { series, dimensions, dropped } = recording;
  const properties = propertyMembers(recording.properties);
  if (series.size === 0 && properties === "" && dropped === 0) return undefined;

  // The handler's dimensions go on every line that carries its metrics, so each line stands alone.
  let identity = "";
  if (series.size > 0) {
    for (const [name, value] of dimensions) identity += key(name) + JSON.stringify(value);
  }
  const head = `{"Namespace":${JSON.stringify(config.namespace)},"Dimensions":[${JSON.stringify([DIMENSIONS.service, ...dimensions.keys()])}],"Metrics":[`;
  const pages = entryPages(recording);

  const lines: string[] = [];
  // Sizes are counted without building the common line twice: it has a known upper bound, and
  // only properties large enough for that bound to matter have it measured.
  let first = COMMON_LINE_MAX_BYTES + identity.length;
  // A UTF-16 unit takes at most 3 bytes, so small properties need no exact count.
  const propertyBytes =
    first + properties.length * 3 <= LIMITS.lineBytes
      ? properties.length * 3
      : Buffer.byteLength(properties);
  if (first + propertyBytes > LIMITS.lineBytes) {
    first = Buffer.byteLength(commonLine(config, facts)) + identity.length;
  }
  // Properties that would overflow the first line even without metrics are replaced by a note.
  const extras =
    first + propertyBytes <= LIMITS.lineBytes
      ? properties
      : `${key(PROPERTIES_NOTE)}"line over size limit"`;
  let pending: Entry[] = [];
  let size = first + (extras === properties ? propertyBytes : extras.length);
  let isFirst = true;
  let extraBase: number | undefined;
  const flush = (): void => {
    const directives = directivesOf(head, pending);
    const members = identity + pending.map((e) => e.member).join("");
    lines.push(
      isFirst
        ? commonLine(config, facts, directives, extras + members)
        : extraLine(config, facts, directives, members),
    );
    isFirst = false;
    pending = [];
  };
  const nextLine = (): void => {
    flush();
    // Measured once, and only when a second line is needed.
    extraBase ??= Buffer.byteLength(extraLine(config, facts, "", identity));
    size = extraBase;
  };
  /** What an entry adds to the line: its definition, its member, and a new directive per 100. */
  const cost = (entry: Entry): number =>
    entry.definition.length +
    entry.member.length +
    1 +
    (pending.length % LIMITS.metricsPerDirective === 0 ? head.length + 3 : 0);
  pages.forEach((page, index) => {
    // A metric appears once per line: its next 100 values start a new one.
    if (index > 0) nextLine();
    for (const entry of page) {
      if (size + cost(entry) > LIMITS.lineBytes && (pending.length > 0 || isFirst)) nextLine();
      size += cost(entry);
      pending.push(entry);
    }
  });
  flush(); // the first line, or the last one's pending metrics
  if (dropped > 0) lines.push(warningLine(config, facts, recording));
  return lines;
}

/** Each metric's values in slices of 100: page 0 holds every metric's first slice. */
function entryPages(recording: Recording): Entry[][] {
  const pages: Entry[][] = [];
  for (const [name, { unit, resolution, values }] of recording.series) {
    const definition = JSON.stringify(metricDefinition(name, unit, resolution));
    for (let start = 0, page = 0; start < values.length; start += LIMITS.valuesPerMetric, page++) {
      const slice = values.slice(start, start + LIMITS.valuesPerMetric);
      const value = JSON.stringify(slice.length === 1 ? slice[0] : slice);
      const entries = pages[page] ?? [];
      pages[page] = entries;
      entries.push({ definition, member: key(name) + value });
    }
  }
  return pages;
}

/** The metrics' directives, at most 100 metrics each, with a leading comma; "" for none. */
function directivesOf(head: string, entries: readonly Entry[]): string {
  let out = "";
  for (let i = 0; i < entries.length; i += LIMITS.metricsPerDirective) {
    const chunk = entries.slice(i, i + LIMITS.metricsPerDirective);
    out += `,${head}${chunk.map((e) => e.definition).join(",")}]}`;
  }
  return out;
}

/** A line after the first: the identity to join it to its invocation, and more of its metrics. */
function extraLine(config: LineConfig, facts: Facts, directives: string, members: string): string {
  return (
    `{"_aws":{"Timestamp":${facts.timestamp},"CloudWatchMetrics":[${directives.slice(1)}]}` +
    `${KEY.service}${config.serviceJson}${KEY.route}${JSON.stringify(facts.request.route)}` +
    `${text("requestId", facts.requestId)}${members}}`
  );
}

/** The handler's properties as root members (`,"key":value`), or a note when they cannot be. */
function propertyMembers(properties: Readonly<Record<string, unknown>>): string {
  try {
    const json = JSON.stringify(properties);
    return json === "{}" ? "" : `,${json.slice(1, -1)}`;
  } catch (error) {
    // a cycle or a BigInt: the line is still written, with a note instead of the properties
    const why = error instanceof Error ? error.message : "unknown";
    return key(PROPERTIES_NOTE) + JSON.stringify(`properties not serialisable: ${why}`);
  }
}

/** A valid EMF line of its own, so that dropped data shows up as a metric, not only as text. */
function warningLine(config: LineConfig, facts: Facts, recording: Recording): string {
  return singleMetricLine({
    timestamp: facts.timestamp,
    namespace: config.namespace,
    dimensions: [DIMENSIONS.service],
    metric: DROPPED_METRIC_DATA,
    value: recording.dropped,
    members: {
      [DIMENSIONS.service]: config.service,
      requestId: facts.requestId,
      level: "WARN",
      message: `lambda-vitals dropped ${recording.dropped} metric entries that CloudWatch would reject`,
      problems: recording.problems,
    },
  });
}
