/**
 * The health function's settings, read from the environment that `serverless.yml` sets and
 * checked once, at initialisation: a typo in a threshold fails the deployment's first invocation
 * loudly instead of making every check quietly pass.
 */
import { BUDGET_ALARMS_VARIABLE } from "../contract";
import { nonBlank, vitalsEnv } from "../runtime";

export interface WarnFailLimits {
  /** Above this, the measurement is `warn`. */
  readonly warn: number;
  /** Above this, `fail`. At least `warn`. */
  readonly fail: number;
}

export interface HealthSettings {
  /** All checks together finish within this, and within the invocation's remaining time. */
  readonly deadlineMs: number;
  /** A check's own timeout unless it sets one. */
  readonly checkTimeoutMs: number;
  /** How long results are reused; 0 runs the checks on every request. */
  readonly cacheMs: number;
  /** How many recent minutes of the service's metrics the CloudWatch checks read. */
  readonly windowMinutes: number;
  /** Error rate in percent of requests. */
  readonly errorRatePercent: WarnFailLimits;
  /**
   * Requests a minute below which the error rate is not judged (the error-rate alarm's guard):
   * the check needs this many times `windowMinutes` requests in its window. At least 1, as
   * `custom.vitals.alarms.errorRateMinRequests` must be: one param feeds both.
   */
  readonly errorRateMinRequests: number;
  /** 99th percentile latency in milliseconds. */
  readonly p99Ms: WarnFailLimits;
  /**
   * The burn-rate alarm pairs that page (`HEALTH_BUDGET_ALARMS`, set by the plugin): the
   * `service:errorBudget` check warns while one is in ALARM. Empty: no such check.
   */
  readonly budgetAlarms: readonly string[];
  /** The wrapper's namespace and `Service` dimension: the metrics the checks read and write. */
  readonly namespace: string;
  readonly service: string;
  /** The IETF `version` (public version of the service) and `releaseId` (what is deployed). */
  readonly version: string;
  readonly releaseId: string;
}

type Env = Readonly<Record<string, string | undefined>>;

interface NumberRule {
  readonly fallback: number;
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
}

/** Environment variables, their defaults and allowed ranges; docs/health.md's table is checked against it. */
export const HEALTH_ENV = {
  HEALTH_DEADLINE_MS: { fallback: 3000, min: 100, max: 60_000, integer: true },
  HEALTH_CHECK_TIMEOUT_MS: { fallback: 2000, min: 10, max: 60_000, integer: true },
  HEALTH_CACHE_MS: { fallback: 10_000, min: 0, max: 3_600_000, integer: true },
  HEALTH_WINDOW_MINUTES: { fallback: 5, min: 1, max: 1440, integer: true },
  HEALTH_ERROR_RATE_WARN_PERCENT: { fallback: 1, min: 0, max: 100, integer: false },
  HEALTH_ERROR_RATE_FAIL_PERCENT: { fallback: 5, min: 0, max: 100, integer: false },
  // At least 1, as the alarms' guard: a guard of 0 would judge a rate over no requests at all.
  HEALTH_ERROR_RATE_MIN_REQUESTS: { fallback: 1, min: 1, max: 1_000_000, integer: true },
  HEALTH_P99_WARN_MS: { fallback: 1000, min: 0, max: 900_000, integer: false },
  HEALTH_P99_FAIL_MS: { fallback: 3000, min: 0, max: 900_000, integer: false },
} as const satisfies Record<string, NumberRule>;

/**
 * Reads and validates the settings. Throws a TypeError that names the variable and the value
 * expected when one is malformed or out of range.
 *
 * @example
 * const settings = healthSettings(process.env); // at module scope: fails the init, not a request
 * settings.p99Ms.fail; // 3000 unless HEALTH_P99_FAIL_MS says otherwise
 */
export function healthSettings(env: Env): HealthSettings {
  const read = (name: keyof typeof HEALTH_ENV): number => readNumber(env, name, HEALTH_ENV[name]);
  const errorRatePercent = ordered(
    "HEALTH_ERROR_RATE",
    read("HEALTH_ERROR_RATE_WARN_PERCENT"),
    read("HEALTH_ERROR_RATE_FAIL_PERCENT"),
  );
  const p99Ms = ordered("HEALTH_P99", read("HEALTH_P99_WARN_MS"), read("HEALTH_P99_FAIL_MS"));
  return {
    deadlineMs: read("HEALTH_DEADLINE_MS"),
    checkTimeoutMs: read("HEALTH_CHECK_TIMEOUT_MS"),
    cacheMs: read("HEALTH_CACHE_MS"),
    windowMinutes: read("HEALTH_WINDOW_MINUTES"),
    errorRatePercent,
    errorRateMinRequests: read("HEALTH_ERROR_RATE_MIN_REQUESTS"),
    p99Ms,
    budgetAlarms: alarmNames(env[BUDGET_ALARMS_VARIABLE]),
    // The wrapper's own reading, so the checks read what the wrapper writes.
    ...vitalsEnv(env),
    version: nonBlank(env.VITALS_VERSION) ?? "1",
    releaseId:
      nonBlank(env.VITALS_RELEASE) ?? nonBlank(env.AWS_LAMBDA_FUNCTION_VERSION) ?? "unknown",
  };
}

/** DescribeAlarms takes at most 100 names of at most 255 characters (its API reference). */
function alarmNames(raw: string | undefined): string[] {
  const names = (raw ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  if (names.length > 100 || names.some((name) => name.length > 255)) {
    throw new TypeError(
      `lambda-vitals health: ${BUDGET_ALARMS_VARIABLE} must list at most 100 alarm names of at most 255 characters each, comma-separated`,
    );
  }
  return names;
}

function readNumber(env: Env, name: string, rule: NumberRule): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return rule.fallback;
  const value = Number(raw.trim());
  const kind = rule.integer ? "an integer" : "a number";
  if (!Number.isFinite(value) || (rule.integer && !Number.isInteger(value))) {
    throw new TypeError(
      `lambda-vitals health: ${name} must be ${kind} from ${rule.min} to ${rule.max}, got ${JSON.stringify(raw)}`,
    );
  }
  if (value < rule.min || value > rule.max) {
    throw new TypeError(
      `lambda-vitals health: ${name} must be ${kind} from ${rule.min} to ${rule.max}, got ${value}`,
    );
  }
  return value;
}

function ordered(prefix: string, warn: number, fail: number): WarnFailLimits {
  if (warn > fail) {
    throw new TypeError(
      `lambda-vitals health: ${prefix} warn threshold (${warn}) is above its fail threshold (${fail})`,
    );
  }
  return { warn, fail };
}
