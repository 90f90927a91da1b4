/**
 * The health function: `GET /health` runs the checks (or reuses a fresh result), `GET /health/live`
 * answers without touching anything, and any non-HTTP event (the schedule) runs the checks and
 * writes them as metrics.
 */
import type { Context } from "aws-lambda";
import { HEALTH_METRICS } from "../contract";
import { dimensionValueProblem } from "../emf";
import { describeEvent, type RequestInfo, responseFields } from "../events";
import { metricsFor } from "../recorder";
import { remainingTimeOf, requestIdOf } from "../runtime";
import { writeLine } from "../write";
import { cachedFor } from "./cache";
import { type HealthCheck, type HealthReport, runChecks } from "./checks";
import {
  type HealthHttpResult,
  healthBody,
  healthResult,
  publicHealthBody,
  type ServiceInfo,
} from "./format";
import { healthCheckLines, healthValue } from "./metrics";
import { isOperator } from "./operator";
import type { HealthSettings } from "./settings";

export interface HealthOptions {
  readonly checks: readonly HealthCheck[];
  readonly settings: HealthSettings;
  /** The draft's `description`. Default: `health of <service>`. */
  readonly description?: string;
}

/** The route `describeEvent` gives EventBridge and Scheduler schedules. */
const SCHEDULE_ROUTE = "event:schedule";

/** Time kept back from the invocation's remaining time to answer and write the line. */
const RESERVE_MS = 500;

/**
 * Builds the health handler; wrap it with `withVitals` like any other. Invalid checks (a missing
 * name, a duplicate, an `onFailure` other than warn or fail) throw a TypeError here, at init.
 *
 * @example
 * const settings = healthSettings(process.env);
 * export const handler = withVitals(
 *   healthHandler({ settings, checks: [...runtimeChecks(), ...cloudWatchChecks(settings)] }),
 *   { serviceWide: false },
 * );
 */
export function healthHandler(
  options: HealthOptions,
): (event: unknown, context: Context) => Promise<HealthHttpResult> {
  const { settings } = options;
  const checks = validChecks(options.checks);
  const info: ServiceInfo = {
    version: settings.version,
    releaseId: settings.releaseId,
    serviceId: settings.service,
    description: options.description ?? `health of ${settings.service}`,
  };
  const run = (budgetMs: number) =>
    runChecks(checks, { budgetMs, defaultTimeoutMs: settings.checkTimeoutMs });
  const report = cachedFor(settings.cacheMs, run);
  // Invocations short of time share a memo of their own: a report cut short by its budget must
  // not be served to callers that have the time for a full one, yet a function whose timeout is
  // below HEALTH_DEADLINE_MS makes every invocation short, and without a memo each of them would
  // call CloudWatch. The first caller's budget bounds the shared run; later callers of the same
  // function have later deadlines, so it ends within theirs too.
  const rushedReport = cachedFor(settings.cacheMs, run);

  return async (event, context) => {
    const request = describeEvent(event, []);
    const http = request.source !== "other";
    const operator = isOperator(event, http);
    if (http && /\/live\/?$/.test(request.path ?? "")) {
      const live = operator ? healthBody(undefined, info) : publicHealthBody({ status: "pass" });
      return forEventSource(healthResult(live), request, event);
    }

    const budgetMs = budget(settings.deadlineMs, context);
    const current = await (budgetMs < settings.deadlineMs ? rushedReport : report)(budgetMs);
    const metrics = metricsFor(context);
    metrics.addProperty("health", logSummary(current));
    // Only the schedule writes health metrics, so the alarm sees one datapoint a minute; a direct
    // invoke or any other event gets the report without touching them.
    if (request.route === SCHEDULE_ROUTE) {
      metrics.addMetric(
        HEALTH_METRICS.health.name,
        healthValue(current.status),
        HEALTH_METRICS.health.unit,
      );
      const lines = healthCheckLines({
        timestamp: Date.now(),
        namespace: settings.namespace,
        service: settings.service,
        requestId: requestIdOf(context),
        results: current.results,
      });
      for (const line of lines) writeLine(line);
    }
    // The details go to IAM-authenticated callers only; everyone has them in the log line.
    const body = operator ? healthBody(current, info) : publicHealthBody(current);
    return forEventSource(healthResult(body), request, event);
  };
}

/** The result in the shape of the event's source: an ALB also reads a status line. */
function forEventSource(
  result: HealthHttpResult,
  request: RequestInfo,
  event: unknown,
): HealthHttpResult {
  return {
    ...result,
    ...responseFields(request.source, event, result.statusCode, result.headers),
  };
}

/** The configured deadline, cut short when the invocation itself has less time left. */
function budget(deadlineMs: number, context: Context): number {
  const remaining = remainingTimeOf(context);
  if (remaining === undefined) return deadlineMs;
  return Math.max(0, Math.min(deadlineMs, remaining - RESERVE_MS));
}

/** For Logs Insights: every check's status, output, duration and, when it threw, why. */
function logSummary(report: HealthReport): Record<string, unknown> {
  return {
    status: report.status,
    checks: Object.fromEntries(
      report.results.map((r) => [
        r.name,
        {
          status: r.status,
          output: r.output,
          detail: r.detail,
          durationMs: r.durationMs,
          time: r.time,
        },
      ]),
    ),
  };
}

function validChecks(checks: readonly HealthCheck[]): readonly HealthCheck[] {
  if (!Array.isArray(checks)) throw new TypeError("lambda-vitals health: checks must be an array");
  const seen = new Set<string>();
  for (const check of checks) {
    const name: unknown = check?.name;
    // The name becomes the `Check` dimension's value, so it must be one CloudWatch accepts.
    const problem = dimensionValueProblem(name);
    if (problem !== undefined) throw new TypeError(`lambda-vitals health: check name: ${problem}`);
    const label = JSON.stringify(name);
    if (seen.has(name as string))
      throw new TypeError(`lambda-vitals health: duplicate check ${label}`);
    seen.add(name as string);
    if (check.onFailure !== "warn" && check.onFailure !== "fail") {
      throw new TypeError(
        `lambda-vitals health: check ${label}: onFailure must be "warn" or "fail"`,
      );
    }
    if (typeof check.run !== "function") {
      throw new TypeError(`lambda-vitals health: check ${label}: run must be a function`);
    }
    const timeout = check.timeoutMs;
    if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) {
      throw new TypeError(`lambda-vitals health: check ${label}: timeoutMs must be a number > 0`);
    }
  }
  return [...checks];
}
