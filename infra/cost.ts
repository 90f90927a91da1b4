/**
 * What the stack costs in CloudWatch each month, computed from the generated resources (alarms
 * and dashboards are counted by kind, so an alarm any generator adds is priced with the rest)
 * and from the metric contract (custom metrics: each metric × each dimension set × the rows of
 * its dimension values). Pure: the prices are `PRICES` (infra/prices.ts).
 */
import type { CostSettings } from "./cost-settings";
import { MINUTES_PER_MONTH } from "./cost-settings";
import { CONTRACT, type Contract, emittedMetrics } from "./emitted";
import { HEALTH_FUNCTION_KEY } from "./environment";
import { PRICES, tiered } from "./prices";
import type { StackInput } from "./service";

/**
 * The size of one invocation's canonical line for a typical HTTP API request (measured by
 * test/infra/cost.test.ts on a real `withVitals` line), and of the START, END and REPORT lines
 * Lambda writes around every invocation in its Text log format (its documentation's examples).
 */
export const LINE_BYTES = 560;
export const PLATFORM_LINE_BYTES = 330;

/**
 * What one health run asks CloudWatch for and writes (functions/vitals/health/): the service's
 * requests, errors and p99 latency, and each other function's `AWS/Lambda` Errors and
 * Invocations; one `HealthCheck` series per check (three runtime checks, two service checks, and
 * one for the other functions when there are any). test/infra/cost.test.ts checks both.
 */
export const HEALTH_RUN = {
  serviceMetrics: 3,
  metricsPerSibling: 2,
  runtimeChecks: 3,
  serviceChecks: 2,
} as const;

export interface CostOptions {
  /** Requests a month the functions answer (the what-if of `--requests-per-month`). */
  readonly requestsPerMonth: number;
  /** `GET /health` calls a minute, from load balancers or uptime checks. */
  readonly healthRequestsPerMinute: number;
}

export const DEFAULT_COST_OPTIONS: CostOptions = {
  requestsPerMonth: 1_000_000,
  healthRequestsPerMinute: 1,
};

/** One line of the breakdown. */
export interface CostItem {
  readonly what: string;
  readonly quantity: number;
  readonly unit: string;
  /** Dollars a month, us-east-1 list price. */
  readonly usd: number;
  readonly note?: string;
}

/** The custom metrics one metric makes under one dimension set. */
export interface MetricSeries {
  readonly metric: string;
  readonly dimensions: readonly string[];
  /** The dimension that multiplies it (`Route`, `Check`), or undefined for a single series. */
  readonly by: string | undefined;
  readonly series: number;
}

export interface CostEstimate {
  readonly items: readonly CostItem[];
  readonly totalUsd: number;
  readonly customMetrics: number;
  readonly series: readonly MetricSeries[];
  readonly options: CostOptions;
}

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/**
 * Prices the generated stack for a month.
 *
 * @example
 * const stack = readServiceConfig(config);
 * const estimate = estimateCost(buildStack(stack).Resources, stack, costSettings(config));
 * estimate.totalUsd; // 31.2…
 */
export function estimateCost(
  resources: Readonly<Record<string, Resource>>,
  stack: StackInput,
  settings: CostSettings,
  options: CostOptions = DEFAULT_COST_OPTIONS,
  contract: Contract = CONTRACT,
): CostEstimate {
  const series = customMetricSeries(stack, settings, contract);
  const customMetrics = series.reduce((total, s) => total + s.series, 0);
  const alarms = alarmCounts(resources);
  const dashboards = Object.values(resources).filter(
    (r) => r.Type === "AWS::CloudWatch::Dashboard",
  ).length;
  const health = healthCalls(stack, settings, options);
  const logs = logCost(stack, settings, options);
  const items: CostItem[] = [
    {
      what: "custom metrics",
      quantity: customMetrics,
      unit: "metrics",
      usd: tiered(customMetrics, PRICES.customMetric),
    },
    {
      what: "alarms, standard resolution",
      quantity: alarms.standard,
      unit: "alarm metrics",
      usd: alarms.standard * PRICES.standardAlarmMetric,
      note:
        alarms.standardAlarms === alarms.standard ? undefined : `${alarms.standardAlarms} alarms`,
    },
    {
      what: "alarms, high resolution",
      quantity: alarms.highResolution,
      unit: "alarm metrics",
      usd: alarms.highResolution * PRICES.highResolutionAlarmMetric,
    },
    {
      what: "composite alarms",
      quantity: alarms.composite,
      unit: "alarms",
      usd: alarms.composite * PRICES.compositeAlarm,
    },
    {
      what: "dashboards",
      quantity: dashboards,
      unit: "dashboards",
      usd: dashboards * PRICES.dashboard,
      note: "the account's first 3 are free",
    },
    {
      what: "GetMetricData, health schedule",
      quantity: health.scheduled,
      unit: "metrics requested",
      usd: (health.scheduled / 1000) * PRICES.getMetricDataPer1000Metrics,
    },
    {
      what: "GetMetricData, GET /health",
      quantity: health.requested,
      unit: "metrics requested",
      usd: (health.requested / 1000) * PRICES.getMetricDataPer1000Metrics,
      note: `${options.healthRequestsPerMinute}/min, cached ${settings.healthCacheMs / 1000} s`,
    },
    {
      what: "log ingestion",
      quantity: round(logs.gb, 3),
      unit: "GB",
      usd: logs.ingestionUsd,
      note: `${options.requestsPerMonth.toLocaleString("en-US")} requests, ${logs.bytesPerInvocation} B each`,
    },
    {
      what: "log storage",
      quantity: round(logs.storedGb, 3),
      unit: "GB kept",
      usd: logs.storageUsd,
      note:
        settings.retentionDays === undefined
          ? "no retention set: this grows every month"
          : `${settings.retentionDays} days retention`,
    },
  ];
  const totalUsd = items.reduce((total, item) => total + item.usd, 0);
  return { items, totalUsd, customMetrics, series, options };
}

/**
 * Every custom metric the code writes for this stack: the request metrics under `[Service]` and
 * once per route row under `[Service, Route]`, the health metrics, `DroppedMetricData`.
 *
 * @example
 * customMetricSeries(stack, settings).find((s) => s.metric === "Latency" && s.by === "Route")
 *   ?.series; // the number of route rows
 */
export function customMetricSeries(
  stack: StackInput,
  settings: Pick<CostSettings, "eventRoutes">,
  contract: Contract = CONTRACT,
): MetricSeries[] {
  const routes = new Set([...stack.functions.flatMap((fn) => fn.routes), ...settings.eventRoutes]);
  const hasHealth = stack.functions.some((fn) => fn.key === HEALTH_FUNCTION_KEY);
  const checks =
    HEALTH_RUN.runtimeChecks + HEALTH_RUN.serviceChecks + (siblingCount(stack) > 0 ? 1 : 0);
  const healthNames = new Set(Object.values(contract.healthMetrics).map((m) => m.name));
  const rows = (dimension: string): number => {
    if (dimension === contract.dimensions.route) return routes.size;
    if (dimension === contract.healthCheckDimension) return checks;
    return 1;
  };
  return emittedMetrics(contract)
    .filter((metric) => hasHealth || !healthNames.has(metric.name))
    .flatMap((metric) =>
      metric.dimensionSets.map((dimensions) => {
        const by = dimensions.find((d) => d !== contract.dimensions.service);
        return {
          metric: metric.name,
          dimensions,
          by,
          series: by === undefined ? 1 : rows(by),
        };
      }),
    );
}

function siblingCount(stack: StackInput): number {
  return stack.functions.filter((fn) => fn.key !== HEALTH_FUNCTION_KEY).length;
}

/**
 * Alarms by how CloudWatch bills them: a metric alarm per metric it reads (each `MetricStat` of a
 * math alarm; a single-metric alarm is one), at the high-resolution price when its period is
 * under a minute; a composite alarm at its own price.
 */
function alarmCounts(resources: Readonly<Record<string, Resource>>) {
  let standard = 0;
  let standardAlarms = 0;
  let highResolution = 0;
  let composite = 0;
  for (const resource of Object.values(resources)) {
    if (resource.Type === "AWS::CloudWatch::CompositeAlarm") composite += 1;
    if (resource.Type !== "AWS::CloudWatch::Alarm") continue;
    const properties = resource.Properties ?? {};
    const queries = Array.isArray(properties.Metrics) ? properties.Metrics : [];
    const stats = queries
      .map((q) => (q as { MetricStat?: { Period?: unknown } }).MetricStat)
      .filter((stat) => stat !== undefined);
    const periods = stats.length === 0 ? [properties.Period] : stats.map((s) => s.Period);
    const metrics = Math.max(1, stats.length);
    if (periods.some((p) => typeof p === "number" && p < 60)) highResolution += metrics;
    else {
      standard += metrics;
      standardAlarms += 1;
    }
  }
  return { standard, standardAlarms, highResolution, composite };
}

/** Metrics requested a month by the health checks: on the schedule, and for `/health` callers. */
function healthCalls(stack: StackInput, settings: CostSettings, options: CostOptions) {
  if (!stack.functions.some((fn) => fn.key === HEALTH_FUNCTION_KEY)) {
    return { scheduled: 0, requested: 0, perRun: 0 };
  }
  const perRun = HEALTH_RUN.serviceMetrics + HEALTH_RUN.metricsPerSibling * siblingCount(stack);
  // A warm instance answers from its cache until it expires: at most one run per cache period.
  const runsPerMinute =
    settings.healthCacheMs > 0
      ? Math.min(options.healthRequestsPerMinute, 60_000 / settings.healthCacheMs)
      : options.healthRequestsPerMinute;
  return {
    scheduled: settings.healthRunsPerMonth * perRun,
    requested: Math.round(runsPerMinute * MINUTES_PER_MONTH * perRun),
    perRun,
  };
}

const GB = 1024 ** 3;

/** Log volume: every invocation writes its line and Lambda's three, health runs included. */
function logCost(stack: StackInput, settings: CostSettings, options: CostOptions) {
  const hasHealth = stack.functions.some((fn) => fn.key === HEALTH_FUNCTION_KEY);
  const invocations =
    options.requestsPerMonth +
    (hasHealth
      ? settings.healthRunsPerMonth + options.healthRequestsPerMinute * MINUTES_PER_MONTH
      : 0);
  const bytesPerInvocation = LINE_BYTES + PLATFORM_LINE_BYTES;
  const gb = (invocations * bytesPerInvocation) / GB;
  // Kept: the days of retention's worth of a month's volume; without retention, one month's so far.
  const storedGb = settings.retentionDays === undefined ? gb : gb * (settings.retentionDays / 30);
  return {
    bytesPerInvocation,
    gb,
    storedGb,
    ingestionUsd: tiered(gb, PRICES.lambdaLogIngestionPerGb),
    storageUsd: storedGb * PRICES.logStoragePerGbMonth,
  };
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
