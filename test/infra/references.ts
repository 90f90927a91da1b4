/**
 * Reads back which metrics a template's dashboards and alarms look at, and compares them with
 * what the code emits. A widget or an alarm on a metric nobody writes shows a flat line forever
 * and never fires; this is the check that catches it.
 */
import type { EmittedMetric } from "../../infra/emitted";

export interface MetricReference {
  /** Where it was found: `VitalsDashboard: Latency · service`, `ErrorRateAlarm`. */
  readonly where: string;
  readonly namespace: string;
  readonly name: string;
  /** Dimension names and values; a SEARCH lists names with the values it pins, others empty. */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly unit?: string;
}

export interface Emitted {
  readonly namespace: string;
  readonly service: string;
  readonly routes: readonly string[];
  readonly metrics: readonly EmittedMetric[];
  /** Function names whose `AWS/Lambda` metrics may be charted. */
  readonly functionNames: readonly string[];
}

type Resources = Readonly<Record<string, { readonly Type: string; readonly Properties?: unknown }>>;

/**
 * Every metric the dashboards and alarms of a template reference.
 *
 * @example
 * metricReferences(template.Resources).map((ref) => ref.name); // ["Requests", "Errors", ...]
 */
export function metricReferences(resources: Resources): MetricReference[] {
  return Object.entries(resources).flatMap(([id, resource]) => {
    const properties = (resource.Properties ?? {}) as Record<string, unknown>;
    if (resource.Type === "AWS::CloudWatch::Dashboard") {
      return dashboardReferences(id, properties.DashboardBody);
    }
    if (resource.Type === "AWS::CloudWatch::Alarm") return alarmReferences(id, properties);
    return [];
  });
}

/**
 * What is wrong with the references: unknown metrics, dimension sets the code never writes,
 * units that differ, a service or route the code does not use, foreign namespaces.
 *
 * @example
 * staleReferences(metricReferences(template.Resources), emitted); // [] when all is well
 */
export function staleReferences(
  references: readonly MetricReference[],
  emitted: Emitted,
): string[] {
  return references.flatMap((ref) => {
    const at = `${ref.where}: ${ref.namespace} ${ref.name}`;
    if (ref.namespace === "AWS/Lambda") {
      const fn = ref.dimensions.FunctionName;
      return fn !== undefined && emitted.functionNames.includes(fn)
        ? []
        : [`${at}: FunctionName ${fn} is not a function of this service`];
    }
    if (ref.namespace === "AWS/ApiGateway") {
      // The API's own counts: HTTP APIs by ApiId, REST APIs by ApiName.
      const { ApiId: id, ApiName: name } = ref.dimensions;
      return id !== undefined || name !== undefined ? [] : [`${at}: names no API`];
    }
    if (ref.namespace !== emitted.namespace)
      return [`${at}: not the namespace ${emitted.namespace}`];
    const metric = emitted.metrics.find((m) => m.name === ref.name);
    if (metric === undefined) return [`${at}: the code emits no metric of this name`];
    const problems: string[] = [];
    const keys = Object.keys(ref.dimensions).sort().join(",");
    if (!metric.dimensionSets.some((set) => [...set].sort().join(",") === keys)) {
      problems.push(`${at}: dimensions [${keys}] are not a set the code writes`);
    }
    if (ref.unit !== undefined && ref.unit !== metric.unit) {
      problems.push(`${at}: unit ${ref.unit}, the code writes ${metric.unit}`);
    }
    const { Service: service, Route: route } = ref.dimensions;
    if (service !== undefined && service !== "" && service !== emitted.service) {
      problems.push(`${at}: Service "${service}" is not "${emitted.service}"`);
    }
    if (route !== undefined && route !== "" && !emitted.routes.includes(route)) {
      problems.push(`${at}: Route "${route}" is not a route of this service`);
    }
    return problems;
  });
}

function alarmReferences(id: string, properties: Record<string, unknown>): MetricReference[] {
  if (typeof properties.MetricName === "string") {
    return [
      {
        where: id,
        namespace: String(properties.Namespace),
        name: properties.MetricName,
        dimensions: dimensionList(properties.Dimensions),
        ...(typeof properties.Unit === "string" ? { unit: properties.Unit } : {}),
      },
    ];
  }
  const queries = Array.isArray(properties.Metrics) ? properties.Metrics : [];
  return queries.flatMap((query: { MetricStat?: { Metric?: Record<string, unknown> } }) => {
    const metric = query.MetricStat?.Metric;
    if (metric === undefined) return [];
    return [
      {
        where: id,
        namespace: String(metric.Namespace),
        name: String(metric.MetricName),
        dimensions: dimensionList(metric.Dimensions),
      },
    ];
  });
}

function dimensionList(value: unknown): Record<string, string> {
  const list = Array.isArray(value) ? (value as { Name: string; Value: unknown }[]) : [];
  return Object.fromEntries(list.map((d) => [d.Name, String(d.Value)]));
}

/** The body is JSON, possibly inside `Fn::Sub`; its `${...}` placeholders sit inside strings. */
function dashboardReferences(id: string, body: unknown): MetricReference[] {
  const sub = (body as { "Fn::Sub"?: unknown } | undefined)?.["Fn::Sub"];
  const text = typeof body === "string" ? body : Array.isArray(sub) ? sub[0] : sub;
  if (typeof text !== "string") throw new Error(`${id}: DashboardBody is not a JSON string`);
  const parsed = JSON.parse(text.replace(/\$\{[^}]*\}/g, "placeholder")) as {
    widgets?: { type?: string; properties?: { title?: string; metrics?: unknown[][] } }[];
  };
  return (parsed.widgets ?? []).flatMap((widget) => {
    if (widget.type !== "metric") return [];
    const where = `${id}: ${widget.properties?.title ?? "untitled"}`;
    let previous: unknown[] = [];
    return (widget.properties?.metrics ?? []).flatMap((row) => {
      const first = row[0];
      if (typeof first === "object" && first !== null) {
        const expression = (first as { expression?: unknown }).expression;
        return typeof expression === "string" ? searchReferences(where, expression) : [];
      }
      // "." repeats the value at the same position in the row above (the console's shorthand)
      const full = row.map((cell, i) => (cell === "." ? previous[i] : cell));
      previous = full;
      const strings = full.filter((cell): cell is string => typeof cell === "string");
      const [namespace = "", name = "", ...rest] = strings;
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < rest.length; i += 2) dimensions[rest[i] ?? ""] = rest[i + 1] ?? "";
      return [{ where, namespace, name, dimensions }];
    });
  });
}

/** `SEARCH('{Namespace,Dim1,Dim2} MetricName="X" Dim1="v"', 'Stat', 60)`: the schema and terms. */
function searchReferences(where: string, expression: string): MetricReference[] {
  const matches = [...expression.matchAll(/SEARCH\(\s*'\{([^}]*)\}([^']*)'/g)];
  return matches.map((match) => {
    // A name in the schema may be in double quotes (it must be, with a `/` or `-` in it).
    const [namespace = "", ...names] = (match[1] ?? "")
      .split(",")
      .map((s) => s.trim().replace(/^"(.*)"$/, "$1"));
    const terms = Object.fromEntries(
      [...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((t) => [t[1] ?? "", t[2] ?? ""]),
    );
    const dimensions = Object.fromEntries(names.map((n) => [n, terms[n] ?? ""]));
    return { where, namespace, name: terms.MetricName ?? "", dimensions };
  });
}
