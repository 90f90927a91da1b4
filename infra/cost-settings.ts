/**
 * What the cost estimate needs from the resolved `serverless.yml` beyond the generators' input:
 * how often the health function runs on its schedule, how long `/health` caches its answer, how
 * long logs are kept, which non-HTTP events write a `Route` row of their own, and the custom
 * metric budget and hard limit (`custom.vitals.cost`, fed from `params`).
 */
import { HEALTH_FUNCTION_KEY } from "./environment";

export interface CostSettings {
  /** Scheduled health runs a month (30 days); 0 without a schedule. */
  readonly healthRunsPerMonth: number;
  /** `HEALTH_CACHE_MS` of the health function: `/health` asks CloudWatch at most once per this. */
  readonly healthCacheMs: number;
  /** `provider.logRetentionInDays` (or the functions' own); undefined keeps logs forever. */
  readonly retentionDays: number | undefined;
  /** `Route` values written by non-HTTP events (`event:schedule`, `event:sqs`...). */
  readonly eventRoutes: readonly string[];
  /** Above this many custom metrics packaging warns; undefined: no budget. */
  readonly metricBudget: number | undefined;
  /** Above this many custom metrics packaging stops; undefined: no limit. */
  readonly metricLimit: number | undefined;
}

export const MINUTES_PER_MONTH = 30 * 24 * 60;
/** The health function's cache when `HEALTH_CACHE_MS` is not set (health/settings.ts). */
const DEFAULT_HEALTH_CACHE_MS = 10_000;
const HTTP_EVENTS = new Set(["http", "httpApi", "alb", "url"]);
/** The route the wrapper writes for each non-HTTP event kind Serverless configures. */
const EVENT_ROUTES: Readonly<Record<string, string>> = {
  schedule: "event:schedule",
  eventBridge: "event:eventbridge",
  sqs: "event:sqs",
  sns: "event:sns",
  s3: "event:s3",
  stream: "event:kinesis",
};

/**
 * Reads the settings the estimate needs; a schedule or a budget it cannot read is refused with
 * the setting's path.
 *
 * @example
 * costSettings({ provider: { logRetentionInDays: 30 },
 *   functions: { health: { events: [{ schedule: "rate(1 minute)" }] } }, vitals: {} })
 *   .healthRunsPerMonth; // 43200
 */
export function costSettings(config: {
  readonly provider?: unknown;
  readonly functions: unknown;
  readonly vitals: unknown;
}): CostSettings {
  const provider = record(config.provider);
  const functions = record(config.functions);
  const cost = record(record(config.vitals).cost);
  const health = record(functions[HEALTH_FUNCTION_KEY]);
  const events = (fn: unknown): Record<string, unknown>[] => {
    const list = record(fn).events;
    return Array.isArray(list) ? list.map(record) : [];
  };
  let runsPerMinute = 0;
  for (const [index, event] of events(health).entries()) {
    if (event.schedule === undefined) continue;
    const where = `functions.${HEALTH_FUNCTION_KEY}.events[${index}].schedule`;
    const schedule = record(event.schedule);
    const rate = typeof event.schedule === "string" ? event.schedule : schedule.rate;
    for (const expression of Array.isArray(rate) ? rate : [rate]) {
      runsPerMinute += perMinute(expression, where);
    }
  }
  const eventRoutes = new Set<string>();
  for (const fn of Object.values(functions)) {
    for (const event of events(fn)) {
      for (const kind of Object.keys(event)) {
        if (!HTTP_EVENTS.has(kind)) eventRoutes.add(EVENT_ROUTES[kind] ?? "event:invoke");
      }
    }
  }
  const cacheMs = record(health.environment).HEALTH_CACHE_MS;
  return {
    healthRunsPerMonth: runsPerMinute * MINUTES_PER_MONTH,
    healthCacheMs: cacheMs === undefined ? DEFAULT_HEALTH_CACHE_MS : Number(cacheMs),
    retentionDays:
      provider.logRetentionInDays === undefined ? undefined : Number(provider.logRetentionInDays),
    eventRoutes: [...eventRoutes].sort(),
    metricBudget: count(cost.metricBudget, "custom.vitals.cost.metricBudget"),
    metricLimit: count(cost.metricLimit, "custom.vitals.cost.metricLimit"),
  };
}

const UNIT_MINUTES: Readonly<Record<string, number>> = { minute: 1, hour: 60, day: 1440 };

/** `rate(5 minutes)` → 0.2. A cron expression is refused: its runs a month are not one figure. */
function perMinute(expression: unknown, where: string): number {
  const match = /^rate\((\d+)\s+(minute|hour|day)s?\)$/.exec(String(expression).trim());
  const minutes = UNIT_MINUTES[match?.[2] ?? ""];
  if (match === null || minutes === undefined || Number(match[1]) <= 0) {
    throw new Error(
      `${where}: ${JSON.stringify(expression)} is not a rate(N minutes|hours|days); the cost ` +
        "estimate counts the health function's runs from it",
    );
  }
  return 1 / (Number(match[1]) * minutes);
}

function count(value: unknown, where: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(
      `${where} must be a whole number of custom metrics, not ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/**
 * The what-if options of `serverless vitals cost`, as the CLI hands them over (strings), checked:
 * a count that is not a whole number of zero or more is refused with the option's name.
 *
 * @example
 * costOptions({ "requests-per-month": "5000000" }, { requestsPerMonth: 1e6, healthRequestsPerMinute: 1 });
 * // { requestsPerMonth: 5000000, healthRequestsPerMinute: 1 }
 */
export function costOptions<
  T extends { requestsPerMonth: number; healthRequestsPerMinute: number },
>(raw: Readonly<Record<string, unknown>>, defaults: T): T {
  const read = (name: string, fallback: number): number => {
    const value = raw[name];
    if (value === undefined) return fallback;
    const n =
      typeof value === "string" && value.trim() !== ""
        ? Number(value.replaceAll("_", ""))
        : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new Error(
        `--${name} must be a whole number of 0 or more, not ${JSON.stringify(value)}`,
      );
    }
    return n;
  };
  return {
    ...defaults,
    requestsPerMonth: read("requests-per-month", defaults.requestsPerMonth),
    healthRequestsPerMinute: read("health-requests-per-minute", defaults.healthRequestsPerMinute),
  };
}
