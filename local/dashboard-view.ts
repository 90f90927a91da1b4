/**
 * Draws the deployed dashboard's widgets over local data: each metric row becomes a series of
 * per-period statistics from the store, each expression is evaluated with metric math, and each
 * alarm widget lists its alarms' states. The result is plain JSON the page renders as is.
 */
import type { AlarmView } from "./alarm-states";
import type { DashboardWidget, DeployedDashboard } from "./deployed-dashboard";
import { parseMathExpression } from "./metric-math";
import { type MetricStore, MINUTE_MS, minuteOf } from "./metric-store";
import { matchesSearch, parseSearch, searchLabel } from "./search";
import { isStatistic } from "./statistics";

/** One value per timestamp of the range; null where there is no datapoint. */
export type Points = readonly (number | null)[];

/** What an expression row gives: one series, or the several a SEARCH finds. */
type Found = { readonly label?: string; readonly points: Points }[];

/**
 * `SEARCH('{Namespace,Dim} terms', 'Statistic', period)` as a whole expression, which is how
 * dashboards use it; SEARCH inside arithmetic is not drawn locally.
 */
const SEARCH_CALL = /^\s*SEARCH\(\s*'((?:[^'\\]|\\.)*)'\s*,\s*'([^']*)'\s*,\s*(\d+)\s*\)\s*$/s;

export interface SeriesView {
  readonly label: string;
  readonly color?: string;
  /** One value per entry of the widget's `times`; null where there is no datapoint. */
  readonly points: Points;
}

interface Place {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export type WidgetView = Place &
  (
    | { readonly kind: "text"; readonly markdown: string }
    | {
        readonly kind: "metric";
        readonly title: string;
        /** Period starts, in seconds since the epoch. */
        readonly times: readonly number[];
        readonly series: readonly SeriesView[];
        readonly yAxis: { readonly min?: number; readonly max?: number; readonly label?: string };
        /** What could not be drawn, and why: shown in the widget, never thrown. */
        readonly problems: readonly string[];
        /** What the reader should know about the data, such as metrics only AWS counts. */
        readonly notes: readonly string[];
      }
    | { readonly kind: "alarm"; readonly title: string; readonly alarms: readonly AlarmView[] }
    | { readonly kind: "unsupported"; readonly type: string }
  );

/** The window the page shows: the last `minutes` minutes, up to and including the current one. */
export interface ViewRange {
  readonly end: number;
  readonly minutes: number;
}

/** CloudWatch's defaults for a metric widget that names neither. */
const DEFAULT_PERIOD = 300;
const DEFAULT_STAT = "Average";
/** The console's default colours, in order, for series that name none. */
const PALETTE = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

/**
 * Every widget of the dashboard, computed from the store.
 *
 * @example
 * const views = viewDashboard(dashboard, store, { end: Date.now(), minutes: 30 }, alarmViews);
 */
export function viewDashboard(
  dashboard: DeployedDashboard,
  store: MetricStore,
  range: ViewRange,
  alarms: readonly AlarmView[],
): WidgetView[] {
  return dashboard.widgets.map((widget) => {
    const place = { x: widget.x, y: widget.y, width: widget.width, height: widget.height };
    const { properties } = widget;
    switch (widget.type) {
      case "text":
        return { ...place, kind: "text", markdown: String(properties.markdown ?? "") };
      case "metric":
        return { ...place, kind: "metric", ...metricView(widget, store, range) };
      case "alarm": {
        const arns = Array.isArray(properties.alarms) ? properties.alarms : [];
        const shown = arns.flatMap((arn) => {
          const id = dashboard.alarmIdsByArn[String(arn)];
          const view = alarms.find((alarm) => alarm.id === id);
          return view === undefined ? [] : [view];
        });
        return {
          ...place,
          kind: "alarm",
          title: String(properties.title ?? "Alarms"),
          alarms: shown,
        };
      }
      default:
        return { ...place, kind: "unsupported", type: widget.type };
    }
  });
}

interface Row {
  readonly id: string;
  readonly options: Record<string, unknown>;
  readonly metric?: { namespace: string; name: string; dimensions: Record<string, string> };
  readonly expression?: string;
}

function metricView(widget: DashboardWidget, store: MetricStore, range: ViewRange) {
  const { properties } = widget;
  const title = String(properties.title ?? "");
  const widgetStat = typeof properties.stat === "string" ? properties.stat : DEFAULT_STAT;
  const problems: string[] = [];
  // A widget with a time range of its own (`start: "-P30D"`) shows that range, not the page's;
  // with `setPeriodToTimeRange` each series is one value over the whole range.
  const ownRange =
    typeof properties.start === "string" ? relativeMinutes(properties.start) : undefined;
  if (typeof properties.start === "string" && ownRange === undefined)
    problems.push(
      `start ${properties.start}: only a relative start (-PT1H, -P30D) is read locally`,
    );
  const minutes = ownRange ?? range.minutes;
  const whole = properties.setPeriodToTimeRange === true;
  const period = whole ? minutes * 60 : (positiveInteger(properties.period) ?? DEFAULT_PERIOD);
  const periodMs = period * 1000;
  const last = whole
    ? minuteOf(range.end) + MINUTE_MS - periodMs
    : Math.floor(minuteOf(range.end) / periodMs) * periodMs;
  const count = whole ? 1 : Math.max(1, Math.ceil((minutes * MINUTE_MS) / periodMs));
  const times = Array.from({ length: count }, (_, i) => (last - (count - 1 - i) * periodMs) / 1000);
  const rows = readRows(properties.metrics, problems);
  const computed = new Map<string, Points>();
  const series: SeriesView[] = [];
  const show = (row: Row, found: Found, fallback: string) => {
    if (row.options.visible === false) return;
    for (const item of found) {
      const label =
        found.length > 1
          ? (item.label ?? fallback)
          : String(row.options.label ?? item.label ?? fallback);
      const color =
        typeof row.options.color === "string" && found.length === 1
          ? row.options.color
          : PALETTE[series.length % PALETTE.length];
      series.push({
        label: label === "" ? fallback : label,
        ...(color === undefined ? {} : { color }),
        points: item.points,
      });
    }
  };
  for (const row of rows) {
    if (row.metric === undefined) continue;
    const stat = typeof row.options.stat === "string" ? row.options.stat : widgetStat;
    const rowPeriod = whole ? period : (positiveInteger(row.options.period) ?? period);
    if (!isStatistic(stat)) {
      problems.push(`${row.metric.name}: the statistic ${stat} is not computed locally`);
      continue;
    }
    const points = times.map(
      (t) =>
        store.datapoint(row.metric as Row["metric"] & object, stat, t * 1000, rowPeriod) ?? null,
    );
    computed.set(row.id, points);
  }
  for (const row of rows) {
    if (row.metric !== undefined) {
      const points = computed.get(row.id);
      if (points !== undefined) show(row, [{ points }], row.metric.name);
      continue;
    }
    try {
      const found = expressionSeries(row.expression ?? "", store, times, computed);
      if (found.length === 1 && found[0] !== undefined) computed.set(row.id, found[0].points);
      show(row, found, row.id);
    } catch (error) {
      problems.push(`${row.id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  // Nothing local writes AWS's own metrics (AWS/Lambda, AWS/ApiGateway): say so, not "0".
  const notes = [
    ...new Set(
      rows.flatMap((row) =>
        row.metric?.namespace.startsWith("AWS/") ? [row.metric.namespace] : [],
      ),
    ),
  ].map((namespace) => `${namespace} is counted by AWS only: no local data`);
  return { title, times, series, yAxis: yAxisOf(properties.yAxis), problems, notes };
}

/**
 * The minutes of a relative ISO 8601 start such as the console writes it: `-PT3H`, `-P30D`,
 * `-PT15M`; undefined for anything else.
 *
 * @example
 * relativeMinutes("-P3D"); // 4320
 */
export function relativeMinutes(start: string): number | undefined {
  const match = /^-P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(start);
  if (match === null || (match[1] ?? match[2] ?? match[3]) === undefined) return undefined;
  const minutes = Number(match[1] ?? 0) * 1440 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
  return minutes > 0 ? minutes : undefined;
}

/**
 * An expression row's series: a SEARCH over the store's metrics, or metric math evaluated period
 * by period with the same evaluator the local alarms use (`local/metric-math.ts`).
 */
function expressionSeries(
  expression: string,
  store: MetricStore,
  times: readonly number[],
  computed: ReadonlyMap<string, Points>,
): Found {
  const search = SEARCH_CALL.exec(expression);
  if (search !== null) {
    const parsed = parseSearch((search[1] ?? "").replace(/\\(.)/g, "$1"));
    const stat = search[2] ?? "";
    const period = Number(search[3]);
    if (!isStatistic(stat)) throw new Error(`SEARCH statistic ${stat} is not computed locally`);
    return store
      .metrics()
      .filter((metric) => matchesSearch(parsed, metric))
      .map((metric) => ({
        label: searchLabel(parsed, metric),
        points: times.map((t) => store.datapoint(metric, stat, t * 1000, period) ?? null),
      }));
  }
  if (/\bSEARCH\s*\(/i.test(expression)) {
    throw new Error("SEARCH inside other metric math is not drawn locally");
  }
  const math = parseMathExpression(expression);
  for (const id of math.ids) {
    if (!computed.has(id)) throw new Error(`"${id}" is not the id of a metric in this widget`);
  }
  const points = times.map((_, i) => {
    const values = Object.fromEntries(
      math.ids.map((id) => [id, computed.get(id)?.[i] ?? undefined]),
    );
    const value = math.evaluate(values);
    return value === undefined || !Number.isFinite(value) ? null : value;
  });
  return [{ points }];
}

/** Reads the `metrics` array: `[ns, name, dim, value, ..., {options}]`, `"."` repeating above. */
function readRows(metrics: unknown, problems: string[]): Row[] {
  if (!Array.isArray(metrics)) return [];
  const rows: Row[] = [];
  let previous: unknown[] = [];
  for (const [index, raw] of metrics.entries()) {
    if (!Array.isArray(raw) || raw.length === 0) {
      problems.push(`metrics[${index}] is not a row`);
      continue;
    }
    const last = raw[raw.length - 1];
    const options = isRecord(last) ? last : {};
    if (isRecord(raw[0])) {
      const expression = raw[0].expression;
      if (typeof expression !== "string") {
        problems.push(`metrics[${index}] has neither a metric nor an expression`);
        continue;
      }
      rows.push({ id: String(raw[0].id ?? `e${index + 1}`), options: raw[0], expression });
      continue;
    }
    const cells = (isRecord(last) ? raw.slice(0, -1) : raw).map((cell, i) =>
      cell === "." ? previous[i] : cell,
    );
    previous = cells;
    if (
      cells.some((cell) => typeof cell !== "string") ||
      cells.length < 2 ||
      cells.length % 2 !== 0
    ) {
      problems.push(`metrics[${index}] is not [namespace, name, dimension, value, ...]`);
      continue;
    }
    const [namespace, name, ...pairs] = cells as string[];
    const dimensions: Record<string, string> = {};
    for (let i = 0; i + 1 < pairs.length; i += 2)
      dimensions[pairs[i] as string] = pairs[i + 1] as string;
    rows.push({
      id: String(options.id ?? `m${index + 1}`),
      options,
      metric: { namespace: namespace as string, name: name as string, dimensions },
    });
  }
  return rows;
}

function yAxisOf(yAxis: unknown): { min?: number; max?: number; label?: string } {
  const left = isRecord(yAxis) && isRecord(yAxis.left) ? yAxis.left : {};
  return {
    ...(typeof left.min === "number" ? { min: left.min } : {}),
    ...(typeof left.max === "number" ? { max: left.max } : {}),
    ...(typeof left.label === "string" ? { label: left.label } : {}),
  };
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
