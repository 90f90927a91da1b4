/**
 * CloudWatch search expressions over the local store: `{Namespace,Dim1,Dim2} MetricName="X"
 * Dim1="v"`. The schema in braces matches metrics with exactly those dimensions; a quoted
 * name may hold any character ("CloudWatch search expression syntax", Amazon CloudWatch User
 * Guide). Each `Name="value"` term must match exactly; a bare word must equal the metric's name
 * or one of its dimension values.
 */
import type { StoredMetric } from "./metric-store";

export interface SearchQuery {
  readonly namespace: string;
  readonly dimensionNames: readonly string[];
  readonly terms: Readonly<Record<string, string>>;
  readonly words: readonly string[];
}

/**
 * Reads a search query; throws an Error naming what it cannot read.
 *
 * @example
 * parseSearch('{"Shop/pr-42",Service,Check} MetricName="HealthCheck"').namespace; // "Shop/pr-42"
 */
export function parseSearch(query: string): SearchQuery {
  const schema = /^\s*\{((?:"(?:[^"\\]|\\.)*"|[^}"])*)\}(.*)$/s.exec(query);
  if (schema === null) throw new Error(`SEARCH query "${query}" has no {Namespace,...} schema`);
  const [namespace = "", ...dimensionNames] = splitNames(schema[1] ?? "");
  if (namespace === "") throw new Error(`SEARCH query "${query}" names no namespace`);
  const terms: Record<string, string> = {};
  const words: string[] = [];
  const rest = schema[2] ?? "";
  const term =
    /\s*(?:("(?:[^"\\]|\\.)*"|[\w.:/-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[\w.:/-]+)|("(?:[^"\\]|\\.)*"|[\w.:/-]+))/y;
  let at = 0;
  while (at < rest.length && rest.slice(at).trim() !== "") {
    term.lastIndex = at;
    const match = term.exec(rest);
    if (match === null)
      throw new Error(`SEARCH query "${query}": cannot read "${rest.slice(at).trim()}"`);
    at = term.lastIndex;
    if (match[3] !== undefined) words.push(unquote(match[3]));
    else terms[unquote(match[1] ?? "")] = unquote(match[2] ?? "");
  }
  return { namespace, dimensionNames, terms, words };
}

/**
 * Whether a stored metric is one the query finds.
 *
 * @example
 * matchesSearch(parseSearch('{Shop,Service} MetricName="Health"'), metric);
 */
export function matchesSearch(query: SearchQuery, metric: StoredMetric): boolean {
  if (metric.namespace !== query.namespace) return false;
  const names = Object.keys(metric.dimensions).sort();
  const wanted = [...query.dimensionNames].sort();
  if (names.length !== wanted.length || names.some((name, i) => name !== wanted[i])) return false;
  for (const [name, value] of Object.entries(query.terms)) {
    const actual = name === "MetricName" ? metric.name : metric.dimensions[name];
    if (actual !== value) return false;
  }
  const values = [metric.name, ...Object.values(metric.dimensions)];
  return query.words.every((word) => values.includes(word));
}

/**
 * The label a found series gets: the values of the dimensions the query left open, or the
 * metric's name when it pinned them all.
 *
 * @example
 * searchLabel(query, { ...metric, dimensions: { Service: "shop", Check: "db:ping" } }); // "db:ping"
 */
export function searchLabel(query: SearchQuery, metric: StoredMetric): string {
  const open = Object.entries(metric.dimensions)
    .filter(([name]) => query.terms[name] === undefined)
    .map(([, value]) => value);
  return open.length > 0 ? open.join(" ") : metric.name;
}

function splitNames(schema: string): string[] {
  return [...schema.matchAll(/\s*("(?:[^"\\]|\\.)*"|[^,]+)\s*(?:,|$)/g)]
    .map((match) => unquote((match[1] ?? "").trim()))
    .filter((name) => name !== "");
}

function unquote(text: string): string {
  return text.startsWith('"') && text.endsWith('"') && text.length >= 2
    ? text.slice(1, -1).replace(/\\(.)/g, "$1")
    : text;
}
