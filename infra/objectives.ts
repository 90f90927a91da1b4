/**
 * Service level objectives, and the burn-rate windows that follow them: the Google SRE workbook's
 * multiwindow, multi-burn-rate alerts ("Alerting on SLOs", table 5-8), for a compliance period of
 * any length.
 *
 * An objective of 99.9 % leaves an error budget of 0.1 % of the requests in the period. The burn
 * rate is how fast it goes: the share of bad requests divided by the budget, so 1 spends exactly
 * the budget in the period. Each alert is a pair of windows that must both burn faster than its
 * rate: the long one says enough budget went, the short one (1/12 of it) says it is still going,
 * so an alert stops within the short window of the burning stopping.
 */
import { record, settingNumber } from "./config-values";
import TABLE from "./objectives.json";

/** What an objective reads: the availability of the answers, or their latency. */
export type Indicator = "availability" | "latency";

export const INDICATORS: readonly Indicator[] = ["availability", "latency"];

/** Whether a pair pages (feeds the page alarm) or opens a ticket. */
export type Severity = "page" | "ticket";

/** One alert of the workbook: spend `budgetShare` of the budget within `longSeconds`. */
export interface BurnPair {
  /** Its part of the logical ids and names: `FastBurn`, `SlowBurn`, `Ticket`. */
  readonly id: "FastBurn" | "SlowBurn" | "Ticket";
  readonly severity: Severity;
  /** The share of the period's budget that triggers it (0.02 is 2 %). */
  readonly budgetShare: number;
  readonly longSeconds: number;
  readonly shortSeconds: number;
  /** The burn rate both windows must reach: `budgetShare × period ÷ long window`. */
  readonly burnRate: number;
}

/** The objectives as the alarms, the dashboard and the health function read them. */
export interface Objectives {
  /** Percent of requests answered without a 5xx, a throw or a timeout (99.9). */
  readonly availability: number;
  /** Percent of requests answered within `latencyMs` (99). */
  readonly latencyPercent: number;
  readonly latencyMs: number;
  /** The compliance period, in days (30). */
  readonly periodDays: number;
  /**
   * The quiet-service guard: a long window with fewer bad requests than this does not fire,
   * so 1 failure out of 3 requests is not an outage (3).
   */
  readonly minBadRequests: number;
  /** The fixed error-rate and p99 alarms stop paging; they keep their state for the dashboard. */
  readonly replaceThresholdPages: boolean;
  /**
   * Objectives of their own for some routes (`custom.vitals.objectives.routes`), each with the
   * burn-rate alarms of its `Route` series beside the service's; what a route leaves out is the
   * service's. Period and guard are the service's.
   */
  readonly routes: readonly RouteObjective[];
}

/** A route's own objectives. */
export interface RouteObjective {
  /** As the dashboard's rows name it: `GET /orders/{id}`. */
  readonly route: string;
  readonly availability: number;
  readonly latencyPercent: number;
  readonly latencyMs: number;
}

/** What a route may set for itself. */
const ROUTE_SETTINGS = ["availability", "latencyPercent", "latencyMs"] as const;

/**
 * The settings of `custom.vitals.objectives`, each also a `--param`, in one table that the plugin
 * reads for its schema too (infra/objectives.json, as infra/thresholds.json for the thresholds).
 */
export const OBJECTIVE_TABLE = TABLE;

export type ObjectiveSetting = keyof typeof OBJECTIVE_TABLE;

export const OBJECTIVE_SETTINGS = Object.keys(OBJECTIVE_TABLE) as readonly ObjectiveSetting[];

export const DEFAULT_OBJECTIVES: Objectives = {
  ...(Object.fromEntries(
    OBJECTIVE_SETTINGS.map((name) => [name, OBJECTIVE_TABLE[name].default]),
  ) as unknown as Omit<Objectives, "routes">),
  routes: [],
};

/**
 * The compliance periods the budget can be counted over: at least the longest alarm window (3
 * days), and at most the 455 days CloudWatch keeps hourly data for ("Metrics retention", Amazon
 * CloudWatch concepts), so the dashboard's budget over the whole period has data to read.
 */
export const PERIOD_DAYS = { min: 3, max: 455 } as const;

const HOUR = 3600;
const DAY = 86_400;

/**
 * The workbook's three alerts for a 30-day period (2 % in 1 h at 14.4, 5 % in 6 h at 6, 10 % in
 * 3 days at 1), each burn rate recomputed for the period, short windows 1/12 of the long.
 *
 * @example
 * burnPairs(30).map((p) => p.burnRate); // [14.4, 6, 1]
 * burnPairs(28)[0]?.burnRate; // 13.44
 */
export function burnPairs(periodDays: number): readonly BurnPair[] {
  const pair = (
    id: BurnPair["id"],
    severity: Severity,
    budgetShare: number,
    longSeconds: number,
  ): BurnPair => ({
    id,
    severity,
    budgetShare,
    longSeconds,
    shortSeconds: longSeconds / 12,
    // rounded to 4 decimals: 0.02 × 720 is 14.4, not 14.400000000000002
    burnRate: Math.round(((budgetShare * periodDays * DAY) / longSeconds) * 1e4) / 1e4,
  });
  return [
    pair("FastBurn", "page", 0.02, HOUR),
    pair("SlowBurn", "page", 0.05, 6 * HOUR),
    pair("Ticket", "ticket", 0.1, 3 * DAY),
  ];
}

/**
 * How many burn-rate pairs page: each indicator's page pairs, for the service and for each route
 * with objectives of its own. The health function asks DescribeAlarms for all of them at once.
 *
 * @example
 * pagePairCount(DEFAULT_OBJECTIVES); // 4
 */
export function pagePairCount(objectives: Objectives): number {
  const pages = burnPairs(objectives.periodDays).filter((p) => p.severity === "page").length;
  return (1 + objectives.routes.length) * INDICATORS.length * pages;
}

/**
 * Reads `custom.vitals.objectives` and the `--param slo…` values (a `--param` wins). `false`
 * turns the burn-rate alarms off; absent gives the defaults. Refuses an objective that leaves no
 * budget or no objective, a threshold that is not a positive number and a period CloudWatch
 * cannot count.
 *
 * @example
 * objectiveSettings({ availability: 99.5 }, {}); // { availability: 99.5, latencyPercent: 99, ... }
 * objectiveSettings(false, {}); // undefined
 */
export function objectiveSettings(
  value: unknown,
  params: Readonly<Record<string, string>>,
): Objectives | undefined {
  if (value === false) return undefined;
  const written =
    value === undefined || value === true ? {} : record(value, "custom.vitals.objectives");
  for (const key of Object.keys(written)) {
    if (key !== "routes" && !(OBJECTIVE_SETTINGS as readonly string[]).includes(key)) {
      throw new Error(
        `custom.vitals.objectives.${key} is not a setting; known: ${[...OBJECTIVE_SETTINGS, "routes"].join(", ")}`,
      );
    }
  }
  const pick = (name: ObjectiveSetting): unknown =>
    params[OBJECTIVE_TABLE[name].param] ?? written[name] ?? OBJECTIVE_TABLE[name].default;
  const where = (name: ObjectiveSetting) =>
    `custom.vitals.objectives.${name} (--param ${OBJECTIVE_TABLE[name].param})`;
  const percent = (name: "availability" | "latencyPercent") =>
    checkedPercent(pick(name), where(name));
  const latencyMs = checkedMs(pick("latencyMs"), where("latencyMs"));
  const periodDays = settingNumber(pick("periodDays"));
  if (
    periodDays === undefined ||
    !Number.isInteger(periodDays) ||
    periodDays < PERIOD_DAYS.min ||
    periodDays > PERIOD_DAYS.max
  ) {
    throw new Error(
      `${where("periodDays")} must be a whole number of days from ${PERIOD_DAYS.min} (the ` +
        `longest alarm window) to ${PERIOD_DAYS.max} (CloudWatch keeps hourly data that long), ` +
        `got ${String(pick("periodDays"))}`,
    );
  }
  const minBadRequests = settingNumber(pick("minBadRequests"));
  if (minBadRequests === undefined || !Number.isInteger(minBadRequests) || minBadRequests < 1) {
    throw new Error(
      `${where("minBadRequests")} must be a whole number >= 1, got ${String(pick("minBadRequests"))}`,
    );
  }
  const replace = pick("replaceThresholdPages");
  const replaceThresholdPages = replace === true || replace === "true";
  if (!replaceThresholdPages && replace !== false && replace !== "false") {
    throw new Error(
      `${where("replaceThresholdPages")} must be true or false, got ${String(replace)}`,
    );
  }
  const service = {
    availability: percent("availability"),
    latencyPercent: percent("latencyPercent"),
    latencyMs,
  };
  return {
    ...service,
    periodDays,
    minBadRequests,
    replaceThresholdPages,
    routes: routeObjectives(written.routes, service),
  };
}

function routeObjectives(value: unknown, service: Omit<RouteObjective, "route">): RouteObjective[] {
  if (value === undefined) return [];
  return Object.entries(record(value, "custom.vitals.objectives.routes")).map(([route, given]) => {
    const where = `custom.vitals.objectives.routes["${route}"]`;
    const own = record(given, where);
    for (const key of Object.keys(own)) {
      if (!(ROUTE_SETTINGS as readonly string[]).includes(key)) {
        throw new Error(
          `${where}.${key} is not a setting of a route; known: ${ROUTE_SETTINGS.join(", ")}`,
        );
      }
    }
    return {
      route,
      availability:
        own.availability === undefined
          ? service.availability
          : checkedPercent(own.availability, `${where}.availability`),
      latencyPercent:
        own.latencyPercent === undefined
          ? service.latencyPercent
          : checkedPercent(own.latencyPercent, `${where}.latencyPercent`),
      latencyMs:
        own.latencyMs === undefined
          ? service.latencyMs
          : checkedMs(own.latencyMs, `${where}.latencyMs`),
    };
  });
}

function checkedPercent(value: unknown, where: string): number {
  const number = settingNumber(value);
  if (number === undefined || number <= 0 || number >= 100) {
    throw new Error(
      `${where} must be a percentage above 0 and below 100, got ${String(value)}: ` +
        "100 leaves no error budget to spend",
    );
  }
  return number;
}

function checkedMs(value: unknown, where: string): number {
  const number = settingNumber(value);
  if (number === undefined || number <= 0) {
    throw new Error(`${where} must be a number of milliseconds > 0, got ${String(value)}`);
  }
  return number;
}
