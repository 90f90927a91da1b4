/**
 * Replays the metric store through alarms exactly as CloudFormation would deploy them: the
 * `AWS::CloudWatch::Alarm` and `AWS::CloudWatch::CompositeAlarm` resources of a generated stack,
 * evaluated once a minute, giving each alarm's state for each minute.
 *
 * The rules, from the Amazon CloudWatch User Guide:
 * - "Alarm evaluation" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html):
 *   each datapoint is the statistic (or expression) over one `Period`; the alarm looks at the
 *   `EvaluationPeriods` most recent ones and goes to ALARM when `DatapointsToAlarm` of them
 *   breach (an "M out of N" alarm), to OK otherwise; a new alarm starts in INSUFFICIENT_DATA.
 * - "Configuring how CloudWatch alarms treat missing data"
 *   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html):
 *   `notBreaching` counts a missing datapoint as good, `breaching` as bad, `ignore` keeps the
 *   current state, `missing` (the default) leaves it out and goes to INSUFFICIENT_DATA when every
 *   datapoint is missing. When fewer real datapoints than `DatapointsToAlarm` exist, the alarm
 *   goes to ALARM only if every real one breaches (the page's table: `- - X` is ALARM for
 *   missing and ignore, `0 - -` is OK).
 * - "Percentile-based alarms and low data samples"
 *   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/percentiles-with-low-samples.html):
 *   for a percentile p from 0.5 to below 1, fewer than 10/(1-p) samples (10/p below 0.5) is a low
 *   sample count; `EvaluateLowSampleCountPercentile: ignore` keeps the alarm's state while it
 *   lasts, `evaluate` (the default) evaluates anyway.
 * - "Create a composite alarm"
 *   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Composite_Alarm.html):
 *   `AlarmRule` combines `ALARM(x)`, `OK(x)`, `INSUFFICIENT_DATA(x)`, `TRUE`, `FALSE` with `AND`,
 *   `OR`, `NOT` and parentheses; the composite is ALARM while the rule is true, OK otherwise.
 *
 * - PutMetricAlarm (Amazon CloudWatch API Reference): "Period multiplied by EvaluationPeriods
 *   can't be more than 604,800 seconds", one day for periods under an hour. A datapoint over a
 *   `Period` of hours or days (a burn-rate window) is the statistic over that whole range: sums,
 *   counts and `PR`/`TC` come from running totals over the replayed minutes, exactly.
 * - "Alarm evaluation window" (alarm-evaluation-window.html): the default `SlidingWindow`
 *   "advances each time the alarm is evaluated". That page does not say how often an alarm with a
 *   period of an hour or more is evaluated; this replay evaluates every alarm every minute.
 * - Statistics, "CloudWatch statistics definitions": `PR(n:m)` is the percentage of values in
 *   (n, m], `TC(n:m)` their count (local/statistics.ts).
 *
 * Left out, and said here so nobody relies on them: the evaluation range CloudWatch widens past
 * `EvaluationPeriods` to find data, delayed datapoints, anomaly-detection thresholds and
 * `Metrics` with SEARCH or Metrics Insights queries (refused with an error).
 */
import { type MathExpression, type PeriodValue, parseMathExpression } from "./metric-math";
import { type MetricQuery, type MetricStore, MINUTE_MS } from "./metric-store";
import { isStatistic, percentileOf, rangedOf, type StatisticName, statistic } from "./statistics";

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

/** A CloudFormation resource as the stack generator writes it. */
export interface AlarmResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

export interface ReplayOptions {
  /** The first minute evaluated (any millisecond in it). */
  readonly start: number;
  /** How many minutes to evaluate. */
  readonly minutes: number;
  /** Values for `{ Ref: "X" }` in dimensions, e.g. `{ HttpApi: "a1b2c3" }`. */
  readonly refs?: Readonly<Record<string, string>>;
}

/** Each alarm's state after each minute's evaluation, by logical id. */
export type AlarmTimeline = Record<string, AlarmState[]>;

interface MetricAlarm {
  readonly id: string;
  readonly name: string;
  readonly period: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly breaches: (value: number) => boolean;
  readonly treatMissingData: "breaching" | "notBreaching" | "ignore" | "missing";
  /** The datapoint for the period starting at `start`, and whether its sample count is too low. */
  readonly datapoint: (
    reader: WindowReader,
    start: number,
  ) => { value: PeriodValue; lowSamples: boolean };
}

/**
 * Reads statistics over windows of the store. Sums, counts and ranged counts of a window of
 * hours or days are the difference of two running totals, kept per metric over the replayed
 * range, so a 3-day window evaluated every minute reads two numbers, not 4,320 minutes of values.
 */
interface WindowReader {
  readonly store: MetricStore;
  readonly datapoint: (
    query: MetricQuery,
    stat: StatisticName,
    start: number,
    periodSeconds: number,
  ) => PeriodValue;
}

const OPERATORS: Readonly<Record<string, (value: number, threshold: number) => boolean>> = {
  GreaterThanThreshold: (v, t) => v > t,
  GreaterThanOrEqualToThreshold: (v, t) => v >= t,
  LessThanThreshold: (v, t) => v < t,
  LessThanOrEqualToThreshold: (v, t) => v <= t,
};

/**
 * Evaluates every alarm of a stack's resources once a minute over the store's data, composite
 * alarms after the metric alarms they read. Throws for an alarm it cannot evaluate faithfully
 * (an unknown operator or statistic, a SEARCH, an unresolved `Ref`).
 *
 * @example
 * const timeline = replayAlarms(buildStack(input).Resources, store, { start, minutes: 10,
 *   refs: { HttpApi: "api-id" } });
 * timeline.ErrorRateAlarm; // ["OK", "OK", "ALARM", ...], one state per minute
 * firstMinuteIn(timeline.ErrorRateAlarm, "ALARM"); // 2
 */
export function replayAlarms(
  resources: Readonly<Record<string, AlarmResource>>,
  store: MetricStore,
  options: ReplayOptions,
): AlarmTimeline {
  const refs = options.refs ?? {};
  const metricAlarms = Object.entries(resources)
    .filter(([, r]) => r.Type === "AWS::CloudWatch::Alarm")
    .map(([id, r]) => metricAlarm(id, r.Properties, refs));
  const composites = inDependencyOrder(
    Object.entries(resources)
      .filter(([, r]) => r.Type === "AWS::CloudWatch::CompositeAlarm")
      .map(([id, r]) => ({ id, ...compositeRule(id, r.Properties, resources) })),
  );

  const timeline: AlarmTimeline = {};
  const current: Record<string, AlarmState> = {};
  for (const alarm of [...metricAlarms, ...composites]) {
    timeline[alarm.id] = [];
    current[alarm.id] = "INSUFFICIENT_DATA";
  }
  const first = Math.floor(options.start / MINUTE_MS) * MINUTE_MS;
  const lookBack = Math.max(0, ...metricAlarms.map((a) => a.period * a.evaluationPeriods * 1000));
  const reader = windowReader(store, first - lookBack, first + options.minutes * MINUTE_MS);
  for (let minute = 0; minute < options.minutes; minute += 1) {
    // Evaluated when the minute has ended: its datapoints are in.
    const end = first + (minute + 1) * MINUTE_MS;
    for (const alarm of metricAlarms) {
      current[alarm.id] = nextState(alarm, reader, end, current[alarm.id] ?? "INSUFFICIENT_DATA");
    }
    for (const composite of composites) {
      current[composite.id] = composite.rule((id) => current[id] ?? "INSUFFICIENT_DATA")
        ? "ALARM"
        : "OK";
    }
    for (const id of Object.keys(timeline)) timeline[id]?.push(current[id] ?? "INSUFFICIENT_DATA");
  }
  return timeline;
}

/**
 * The first minute (0-based) an alarm was in a state, or undefined if it never was.
 *
 * @example
 * firstMinuteIn(["OK", "ALARM"], "ALARM"); // 1
 */
export function firstMinuteIn(
  states: readonly AlarmState[] | undefined,
  state: AlarmState,
): number | undefined {
  const index = (states ?? []).indexOf(state);
  return index < 0 ? undefined : index;
}

/** The statistics a window's running totals give exactly: Sum, SampleCount, Average, PR, TC. */
function runningTotalOf(stat: StatisticName): ((t: Totals) => PeriodValue) | undefined {
  if (stat === "Sum") return (t) => t.sum;
  if (stat === "SampleCount") return (t) => t.count;
  if (stat === "Average") return (t) => t.sum / t.count;
  const ranged = rangedOf(stat);
  if (ranged === undefined) return undefined;
  return ranged.kind === "TC" ? (t) => t.inside : (t) => (100 * t.inside) / t.count;
}

interface Totals {
  readonly count: number;
  readonly sum: number;
  readonly inside: number;
}

/**
 * A reader over `[from, to)`: windows inside it that a running total answers read two totals;
 * any other statistic or window reads the store's values.
 */
function windowReader(store: MetricStore, from: number, to: number): WindowReader {
  const base = Math.floor(from / MINUTE_MS) * MINUTE_MS;
  const minutes = Math.ceil((to - base) / MINUTE_MS);
  type Running = { count: Float64Array; sum: Float64Array; inside: Float64Array };
  // by query object (each alarm makes its queries once), then by statistic
  const running = new WeakMap<MetricQuery, Map<string, Running>>();
  const totalsOf = (query: MetricQuery, stat: StatisticName): Running => {
    let byStat = running.get(query);
    if (byStat === undefined) {
      byStat = new Map();
      running.set(query, byStat);
    }
    const ranged = rangedOf(stat);
    const key = ranged === undefined ? "" : `${ranged.above}:${ranged.upTo}`;
    let totals = byStat.get(key);
    if (totals === undefined) {
      // index i holds the totals of the minutes before base + i minutes
      totals = {
        count: new Float64Array(minutes + 1),
        sum: new Float64Array(minutes + 1),
        inside: new Float64Array(minutes + 1),
      };
      for (let i = 0; i < minutes; i += 1) {
        let count = 0;
        let sum = 0;
        let inside = 0;
        for (const value of store.values(query, base + i * MINUTE_MS, 60)) {
          count += 1;
          sum += value;
          if (ranged !== undefined && value > ranged.above && value <= ranged.upTo) inside += 1;
        }
        totals.count[i + 1] = (totals.count[i] ?? 0) + count;
        totals.sum[i + 1] = (totals.sum[i] ?? 0) + sum;
        totals.inside[i + 1] = (totals.inside[i] ?? 0) + inside;
      }
      byStat.set(key, totals);
    }
    return totals;
  };
  return {
    store,
    datapoint: (query, stat, start, periodSeconds) => {
      const read = runningTotalOf(stat);
      const from = (start - base) / MINUTE_MS;
      const to = from + periodSeconds / 60;
      if (
        read === undefined ||
        !Number.isInteger(from) ||
        !Number.isInteger(to) ||
        from < 0 ||
        to > minutes
      ) {
        return store.datapoint(query, stat, start, periodSeconds);
      }
      const totals = totalsOf(query, stat);
      const count = (totals.count[to] ?? 0) - (totals.count[from] ?? 0);
      // no value in the window: no datapoint, as CloudWatch answers
      if (count === 0) return undefined;
      return read({
        count,
        sum: (totals.sum[to] ?? 0) - (totals.sum[from] ?? 0),
        inside: (totals.inside[to] ?? 0) - (totals.inside[from] ?? 0),
      });
    },
  };
}

function nextState(
  alarm: MetricAlarm,
  reader: WindowReader,
  end: number,
  current: AlarmState,
): AlarmState {
  const points = Array.from({ length: alarm.evaluationPeriods }, (_, k) =>
    alarm.datapoint(reader, end - (alarm.evaluationPeriods - k) * alarm.period * 1000),
  );
  // Low sample count with `ignore`: the state stays until enough data arrives.
  if (points.some((p) => p.lowSamples)) return current;
  const values = points.map((p) => p.value);
  const real = values.filter((v): v is number => v !== undefined);
  const breaching = real.filter(alarm.breaches).length;
  const missing = values.length - real.length;
  switch (alarm.treatMissingData) {
    case "breaching":
      return breaching + missing >= alarm.datapointsToAlarm ? "ALARM" : "OK";
    case "notBreaching":
      return breaching >= alarm.datapointsToAlarm ? "ALARM" : "OK";
    default: {
      if (real.length === 0)
        return alarm.treatMissingData === "ignore" ? current : "INSUFFICIENT_DATA";
      if (real.length < alarm.datapointsToAlarm) return breaching === real.length ? "ALARM" : "OK";
      return breaching >= alarm.datapointsToAlarm ? "ALARM" : "OK";
    }
  }
}

function metricAlarm(
  id: string,
  p: Record<string, unknown>,
  refs: Readonly<Record<string, string>>,
): MetricAlarm {
  const where = `alarm ${id}`;
  const evaluationPeriods = positiveInteger(p.EvaluationPeriods, `${where}: EvaluationPeriods`);
  const datapointsToAlarm =
    p.DatapointsToAlarm === undefined
      ? evaluationPeriods
      : positiveInteger(p.DatapointsToAlarm, `${where}: DatapointsToAlarm`);
  if (datapointsToAlarm > evaluationPeriods)
    throw new Error(`${where}: DatapointsToAlarm is above EvaluationPeriods`);
  const operator = OPERATORS[String(p.ComparisonOperator)];
  if (operator === undefined)
    throw new Error(
      `${where}: ComparisonOperator ${String(p.ComparisonOperator)} is not supported`,
    );
  const threshold = Number(p.Threshold);
  if (!Number.isFinite(threshold)) throw new Error(`${where}: Threshold is not a number`);
  const treat = p.TreatMissingData ?? "missing";
  if (
    treat !== "breaching" &&
    treat !== "notBreaching" &&
    treat !== "ignore" &&
    treat !== "missing"
  ) {
    throw new Error(`${where}: TreatMissingData ${String(treat)} is not one of CloudWatch's four`);
  }
  const common = {
    id,
    name: String(p.AlarmName ?? id),
    evaluationPeriods,
    datapointsToAlarm,
    threshold,
    breaches: (value: number) => operator(value, threshold),
    treatMissingData: treat,
  } as const;
  if (Array.isArray(p.Metrics)) return { ...common, ...mathDatapoints(where, p.Metrics, refs) };
  const period = positiveInteger(p.Period, `${where}: Period`);
  const stat = String(p.ExtendedStatistic ?? p.Statistic);
  const query = metricQuery(where, p, refs);
  const ignoreLow = p.EvaluateLowSampleCountPercentile === "ignore";
  return {
    ...common,
    period,
    datapoint: (reader, start) => {
      const checked = checkedStatistic(where, stat);
      if (!ignoreLow)
        return { value: reader.datapoint(query, checked, start, period), lowSamples: false };
      const values = reader.store.values(query, start, period);
      return {
        value: statistic(values, checked),
        lowSamples: lowSampleCount(stat, values.length),
      };
    },
  };
}

/** The doc's rule: p in [0.5, 1) needs 10/(1-p) samples, p in (0, 0.5) needs 10/p. */
function lowSampleCount(stat: string, samples: number): boolean {
  const percent = percentileOf(stat);
  if (percent === undefined) return false;
  const p = percent / 100;
  if (p >= 1 || p <= 0) return false;
  return samples < (p >= 0.5 ? 10 / (1 - p) : 10 / p);
}

function mathDatapoints(
  where: string,
  metrics: unknown[],
  refs: Readonly<Record<string, string>>,
): Pick<MetricAlarm, "period" | "datapoint"> {
  const stats: { id: string; query: MetricQuery; stat: StatisticName; period: number }[] = [];
  const expressions: { id: string; expression: MathExpression }[] = [];
  let returned: string | undefined;
  for (const item of metrics as Record<string, unknown>[]) {
    const id = String(item.Id);
    if (item.ReturnData !== false) {
      if (returned !== undefined) throw new Error(`${where}: more than one query returns data`);
      returned = id;
    }
    const metricStat = item.MetricStat as Record<string, unknown> | undefined;
    if (metricStat !== undefined) {
      const metric = (metricStat.Metric ?? {}) as Record<string, unknown>;
      stats.push({
        id,
        query: metricQuery(`${where} ${id}`, { ...metric, Unit: metricStat.Unit }, refs),
        stat: checkedStatistic(`${where} ${id}`, String(metricStat.Stat)),
        period: positiveInteger(metricStat.Period, `${where} ${id}: Period`),
      });
    } else if (typeof item.Expression === "string") {
      if (/SEARCH|SELECT|METRICS\(/i.test(item.Expression))
        throw new Error(`${where}: ${id} is a query this evaluator does not run`);
      expressions.push({ id, expression: parseMathExpression(item.Expression) });
    } else {
      throw new Error(`${where}: ${id} has neither MetricStat nor Expression`);
    }
  }
  if (returned === undefined) throw new Error(`${where}: no query returns data`);
  const periods = new Set(stats.map((s) => s.period));
  const [period] = periods;
  if (period === undefined || periods.size > 1)
    throw new Error(`${where}: the metrics must share one Period`);
  const result = returned;
  return {
    period,
    datapoint: (reader, start) => {
      const values: Record<string, PeriodValue> = {};
      for (const s of stats) values[s.id] = reader.datapoint(s.query, s.stat, start, s.period);
      // In the order given: an expression may read one defined before it.
      for (const e of expressions) values[e.id] = e.expression.evaluate(values);
      return { value: values[result], lowSamples: false };
    },
  };
}

function metricQuery(
  where: string,
  p: Record<string, unknown>,
  refs: Readonly<Record<string, string>>,
): MetricQuery {
  const dimensions: Record<string, string> = {};
  for (const d of (Array.isArray(p.Dimensions) ? p.Dimensions : []) as {
    Name: unknown;
    Value: unknown;
  }[]) {
    dimensions[String(d.Name)] = resolved(where, d.Value, refs);
  }
  const unit = typeof p.Unit === "string" ? { unit: p.Unit } : {};
  return { namespace: String(p.Namespace), name: String(p.MetricName), dimensions, ...unit };
}

function resolved(where: string, value: unknown, refs: Readonly<Record<string, string>>): string {
  if (typeof value === "string") return value;
  const ref = (value as { Ref?: unknown } | null)?.Ref;
  if (typeof ref === "string" && refs[ref] !== undefined) return refs[ref];
  throw new Error(
    `${where}: cannot resolve dimension value ${JSON.stringify(value)} (pass it in refs)`,
  );
}

function checkedStatistic(where: string, stat: string): StatisticName {
  if (!isStatistic(stat)) throw new Error(`${where}: statistic ${stat} is not supported`);
  return stat;
}

function positiveInteger(value: unknown, where: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new Error(`${where} must be a whole number >= 1`);
  return number;
}

type StateOf = (id: string) => AlarmState;

/**
 * The rule as a function of the other alarms' states. `${X.Arn}` inside `Fn::Sub` stands for the
 * alarm whose logical id is X; a plain name is matched against the alarms' `AlarmName`.
 */
function compositeRule(
  id: string,
  p: Record<string, unknown>,
  resources: Readonly<Record<string, AlarmResource>>,
): { rule: (state: StateOf) => boolean; reads: ReadonlySet<string> } {
  const reads = new Set<string>();
  const raw = p.AlarmRule;
  const sub = (raw as { "Fn::Sub"?: unknown } | null)?.["Fn::Sub"];
  const text = typeof raw === "string" ? raw : typeof sub === "string" ? sub : undefined;
  if (text === undefined) throw new Error(`composite ${id}: AlarmRule is not a string or Fn::Sub`);
  const byName = new Map(
    Object.entries(resources).map(([key, r]) => [String(r.Properties.AlarmName ?? key), key]),
  );
  const target = (reference: string): string => {
    const arn = /^\$\{([A-Za-z0-9]+)\.Arn\}$/.exec(reference);
    const key =
      arn?.[1] ?? byName.get(reference.replace(/^arn:aws:cloudwatch:[^:]*:\d*:alarm:/, ""));
    if (key === undefined || resources[key] === undefined)
      throw new Error(`composite ${id}: no alarm ${reference}`);
    reads.add(key);
    return key;
  };
  const tokens = [
    ...text.matchAll(
      /\s*(ALARM|OK|INSUFFICIENT_DATA)\(\s*("([^"]*)"|[^)\s]+)\s*\)|\s*(AND|OR|NOT|TRUE|FALSE|\(|\))/gy,
    ),
  ];
  if (
    tokens
      .map((t) => t[0])
      .join("")
      .trim() !== text.trim()
  )
    throw new Error(`composite ${id}: cannot read AlarmRule ${text}`);
  let at = 0;
  type Rule = (state: StateOf) => boolean;
  const or = (): Rule => {
    let left = and();
    while (tokens[at]?.[4] === "OR") {
      at += 1;
      const l = left;
      const r = and();
      left = (s) => l(s) || r(s);
    }
    return left;
  };
  const and = (): Rule => {
    let left = not();
    while (tokens[at]?.[4] === "AND") {
      at += 1;
      const l = left;
      const r = not();
      left = (s) => l(s) && r(s);
    }
    return left;
  };
  const not = (): Rule => {
    if (tokens[at]?.[4] === "NOT") {
      at += 1;
      const inner = not();
      return (s) => !inner(s);
    }
    return atom();
  };
  const atom = (): Rule => {
    const token = tokens[at];
    at += 1;
    if (token === undefined) throw new Error(`composite ${id}: AlarmRule ends too early`);
    if (token[1] !== undefined) {
      const wanted = token[1] as AlarmState;
      const key = target(token[3] ?? token[2] ?? "");
      return (s) => s(key) === wanted;
    }
    if (token[4] === "TRUE") return () => true;
    if (token[4] === "FALSE") return () => false;
    if (token[4] === "(") {
      const inner = or();
      if (tokens[at]?.[4] !== ")") throw new Error(`composite ${id}: unbalanced parentheses`);
      at += 1;
      return inner;
    }
    throw new Error(`composite ${id}: unexpected ${token[0].trim()}`);
  };
  const rule = or();
  if (at !== tokens.length)
    throw new Error(`composite ${id}: unexpected ${tokens[at]?.[0].trim()}`);
  return { rule, reads };
}

/**
 * Composite alarms that read other composite alarms (the page reads the burn-rate pairs) come
 * after them, so that each minute's state of a composite is that of the states it reads. A cycle,
 * which CloudWatch refuses too, is refused.
 */
function inDependencyOrder<T extends { id: string; reads: ReadonlySet<string> }>(
  composites: readonly T[],
): T[] {
  const byId = new Map(composites.map((c) => [c.id, c]));
  const ordered: T[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (composite: T) => {
    if (state.get(composite.id) === "done") return;
    if (state.get(composite.id) === "visiting")
      throw new Error(`composite ${composite.id}: its rule reads itself through other composites`);
    state.set(composite.id, "visiting");
    for (const read of composite.reads) {
      const inner = byId.get(read);
      if (inner !== undefined) visit(inner);
    }
    state.set(composite.id, "done");
    ordered.push(composite);
  };
  for (const composite of composites) visit(composite);
  return ordered;
}
