/**
 * The lines of an invocation whose handler recorded its own metrics, dimensions or properties.
 * Only `metricsFor` reaches this module, so a handler that records nothing does not bundle it.
 *
 * The data goes onto the common line, and spills onto extra lines only where CloudWatch's limits
 * force it: values beyond a metric's first 100, and metrics beyond what one line of 255 KB can
 * hold. Nothing the recorder accepted is lost, except properties that cannot be serialised or
 * that alone would not fit, which a note replaces.
 */
import { DIMENSIONS, DROPPED_METRIC_DATA, FIELDS, PROPERTIES_DROPPED } from "./contract";
import { LIMITS, metricDefinition, singleMetricLine } from "./emf";
import {
  type CommonLine,
  type Invocation,
  joinLine,
  type LineConfig,
  member,
  stringMember,
} from "./line";
import { packLines, type Sized } from "./pack";
import type { RecordedData, Series } from "./recorded-data";

/** One metric's slice of at most 100 values, as its directive entry and its root member. */
interface Entry extends Sized {
  readonly definition: string;
  readonly member: string;
}

/**
 * The invocation's lines with the handler's data, then, when the handler recorded data that
 * CloudWatch would reject, one warning line that counts it. Undefined when the handler recorded
 * nothing, so the common line is written.
 *
 * @example
 * const lines = renderRecording(config, invocation, commonLine(config, invocation, outcome), data);
 */
export function renderRecording(
  config: LineConfig,
  invocation: Invocation,
  line: CommonLine,
  data: RecordedData,
): string[] | undefined {
  const properties = propertyMembers(data.properties);
  if (data.series.size === 0 && properties === "" && data.dropped === 0) return undefined;

  // The handler's dimensions go on every line that carries its metrics, so each line stands
  // alone.
  const identity = data.series.size > 0 ? dimensionMembers(data.dimensions) : "";
  const head = directiveHead(config.namespace, data);
  const slices = valueSlices(data.series);
  // Counting a text's UTF-8 bytes takes a pass over it, so the line is first laid out with each
  // text at its most, 3 bytes a UTF-16 unit. When even so it all fits on one line, that is the
  // layout that exact sizes give too; only a line that may come near the limit is counted.
  const rough = layOut(line, identity, properties, head, slices, mostBytes);
  const { extras, lines } =
    rough.extras === properties && rough.lines.length === 1
      ? rough
      : layOut(line, identity, properties, head, slices, Buffer.byteLength);

  const rendered = lines.map((entries, index) => {
    const directives = directivesOf(head, entries);
    const members = identity + entries.map((entry) => entry.member).join("");
    return index === 0
      ? joinLine(line, directives, extras + members)
      : extraLine(config, invocation, directives, members);
  });
  if (data.dropped > 0) rendered.push(warningLine(config, invocation, data));
  return rendered;
}

/** The properties the first line keeps (or the note that replaces them), and the lines' entries. */
interface Layout {
  readonly extras: string;
  readonly lines: Entry[][];
}

/** A UTF-16 unit takes at most 3 bytes in UTF-8 (a surrogate pair, two units, takes 4). */
const mostBytes = (text: string): number => text.length * 3;

/** Spreads the entries over lines, with the texts' sizes counted by `bytes`. */
function layOut(
  line: CommonLine,
  identity: string,
  properties: string,
  head: string,
  slices: readonly (readonly Entry[])[],
  bytes: (text: string) => number,
): Layout {
  // The common line's size; "]}" and "}" join its parts. Names and values of dimensions are
  // printable ASCII, so their JSON's length is its size in bytes.
  const bare = bytes(line.head) + bytes(line.body) + 3 + identity.length;
  // Properties that would overflow the first line even without metrics are replaced by a note.
  const extras =
    bare + bytes(properties) <= LIMITS.lineBytes
      ? properties
      : member(PROPERTIES_DROPPED, '"line over size limit"');
  const lines = packLines(slices, {
    first: bare + bytes(extras),
    // A later line repeats only part of the common line (Timestamp, Service, Route, requestId)
    // besides the dimensions, so the common line's size is room enough for it.
    extra: bare,
    // ASCII (a validated namespace and names), so length is bytes; a comma before it, "]}" after
    directive: head.length + 3,
    limit: LIMITS.lineBytes,
  });
  return { extras, lines };
}

/** Each metric's values in slices of 100: `slices[k]` holds every metric's k-th slice. */
function valueSlices(series: ReadonlyMap<string, Series>): Entry[][] {
  const slices: Entry[][] = [];
  for (const [name, { unit, resolution, values }] of series) {
    const definition = JSON.stringify(metricDefinition(name, unit, resolution));
    for (let start = 0, k = 0; start < values.length; start += LIMITS.valuesPerMetric, k++) {
      const slice = values.slice(start, start + LIMITS.valuesPerMetric);
      const member = memberKey(name) + JSON.stringify(slice.length === 1 ? slice[0] : slice);
      const entries = slices[k] ?? [];
      slices[k] = entries;
      // ASCII (a validated name, numbers), so length is bytes; the comma between definitions
      entries.push({ definition, member, bytes: definition.length + member.length + 1 });
    }
  }
  return slices;
}

/** `,"Tenant":"acme",...`: the dimensions' root members. */
function dimensionMembers(dimensions: ReadonlyMap<string, string>): string {
  let members = "";
  for (const [name, value] of dimensions) members += memberKey(name) + JSON.stringify(value);
  return members;
}

/**
 * The start of the handler's directive, up to its metric definitions. Every set gets `Service`;
 * a set with the same names as one before it is left out, since it would count every value again.
 */
function directiveHead(namespace: string, data: RecordedData): string {
  const sets = [[DIMENSIONS.service, ...data.baseSet]];
  for (const set of data.addedSets) {
    const names = [DIMENSIONS.service, ...set];
    if (!sets.some((other) => sameNames(other, names))) sets.push(names);
  }
  const dimensions = JSON.stringify(sets);
  return `{"Namespace":${JSON.stringify(namespace)},"Dimensions":${dimensions},"Metrics":[`;
}

/** Whether two dimension sets name the same dimensions, in any order, as CloudWatch sees them. */
export function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name) => b.includes(name));
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
function extraLine(
  config: LineConfig,
  invocation: Invocation,
  directives: string,
  members: string,
): string {
  return (
    `{"_aws":{"Timestamp":${invocation.timestamp},"CloudWatchMetrics":[${directives.slice(1)}]}` +
    member(DIMENSIONS.service, config.serviceJson) +
    member(DIMENSIONS.route, JSON.stringify(invocation.request.route)) +
    `${stringMember(FIELDS.requestId, invocation.requestId)}${members}}`
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
    return member(PROPERTIES_DROPPED, JSON.stringify(`properties not serialisable: ${why}`));
  }
}

/**
 * `,"name":`, the start of a root member whose name the handler chose, so it is escaped (the
 * contract's names are written as they are, see `member`).
 */
function memberKey(name: string): string {
  return `,${JSON.stringify(name)}:`;
}

/** A valid EMF line of its own, so that dropped data shows up as a metric, not only as text. */
function warningLine(config: LineConfig, invocation: Invocation, data: RecordedData): string {
  return singleMetricLine({
    timestamp: invocation.timestamp,
    namespace: config.namespace,
    dimensions: [DIMENSIONS.service],
    metric: DROPPED_METRIC_DATA,
    value: data.dropped,
    members: {
      [DIMENSIONS.service]: config.service,
      [FIELDS.requestId]: invocation.requestId,
      level: "WARN",
      message: `lambda-vitals dropped ${data.dropped} metric entries that CloudWatch would reject`,
      problems: data.problems,
    },
  });
}
