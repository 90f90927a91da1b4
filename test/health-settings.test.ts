/** The health settings: defaults, what the environment overrides, and loud errors for typos. */
import { describe, expect, it } from "vitest";
import { HEALTH_ENV, healthSettings } from "../functions/vitals/health/settings";

describe("healthSettings", () => {
  it("has defaults for everything", () => {
    // Act
    const settings = healthSettings({});

    // Assess
    expect(settings).toEqual({
      deadlineMs: 3000,
      checkTimeoutMs: 2000,
      cacheMs: 10_000,
      windowMinutes: 5,
      errorRatePercent: { warn: 1, fail: 5 },
      errorRateMinRequests: 1,
      p99Ms: { warn: 1000, fail: 3000 },
      budgetAlarms: [],
      namespace: "LambdaVitals",
      service: "local",
      version: "1",
      releaseId: "unknown",
    });
  });

  it("reads every value from the environment serverless.yml sets", () => {
    // Act
    const settings = healthSettings({
      HEALTH_DEADLINE_MS: "4000",
      HEALTH_CHECK_TIMEOUT_MS: "1500",
      HEALTH_CACHE_MS: "0",
      HEALTH_WINDOW_MINUTES: "15",
      HEALTH_ERROR_RATE_WARN_PERCENT: "0.5",
      HEALTH_ERROR_RATE_FAIL_PERCENT: "2.5",
      HEALTH_ERROR_RATE_MIN_REQUESTS: "10",
      HEALTH_P99_WARN_MS: "800",
      HEALTH_P99_FAIL_MS: "2000",
      VITALS_NAMESPACE: "Shop/prod",
      VITALS_SERVICE: "orders",
      VITALS_VERSION: "2",
      VITALS_RELEASE: "abc1234",
    });

    // Assess
    expect(settings).toEqual({
      deadlineMs: 4000,
      checkTimeoutMs: 1500,
      cacheMs: 0,
      windowMinutes: 15,
      errorRatePercent: { warn: 0.5, fail: 2.5 },
      errorRateMinRequests: 10,
      p99Ms: { warn: 800, fail: 2000 },
      budgetAlarms: [],
      namespace: "Shop/prod",
      service: "orders",
      version: "2",
      releaseId: "abc1234",
    });
  });

  it("falls back to the function's name and version, as the wrapper does", () => {
    // Act
    const settings = healthSettings({
      AWS_LAMBDA_FUNCTION_NAME: "lambda-vitals-dev-health",
      AWS_LAMBDA_FUNCTION_VERSION: "7",
    });

    // Assess
    expect(settings).toMatchObject({ service: "lambda-vitals-dev-health", releaseId: "7" });
  });

  it.each([
    [
      "HEALTH_DEADLINE_MS",
      "3s",
      /HEALTH_DEADLINE_MS must be an integer from 100 to 60000, got "3s"/,
    ],
    ["HEALTH_CACHE_MS", "-1", /HEALTH_CACHE_MS must be an integer from 0 to .*got -1/],
    ["HEALTH_WINDOW_MINUTES", "2.5", /HEALTH_WINDOW_MINUTES must be an integer/],
    [
      "HEALTH_ERROR_RATE_FAIL_PERCENT",
      "150",
      /HEALTH_ERROR_RATE_FAIL_PERCENT must be a number from 0 to 100/,
    ],
    ["HEALTH_P99_WARN_MS", "fast", /HEALTH_P99_WARN_MS must be a number/],
    ["HEALTH_CHECK_TIMEOUT_MS", "Infinity", /HEALTH_CHECK_TIMEOUT_MS must be an integer/],
  ])("rejects %s=%s with a message naming it", (name, value, message) => {
    expect(() => healthSettings({ [name]: value })).toThrow(message);
    expect(() => healthSettings({ [name]: value })).toThrow(TypeError);
  });

  it("rejects a warn threshold above its fail threshold", () => {
    expect(() =>
      healthSettings({ HEALTH_P99_WARN_MS: "5000", HEALTH_P99_FAIL_MS: "3000" }),
    ).toThrow(/HEALTH_P99 warn threshold \(5000\) is above its fail threshold \(3000\)/);
  });

  it("treats an empty variable as unset", () => {
    expect(healthSettings({ HEALTH_CACHE_MS: "", VITALS_SERVICE: " " })).toMatchObject({
      cacheMs: 10_000,
      service: "local",
    });
  });

  it("documents a default inside its own range for every variable", () => {
    for (const [name, rule] of Object.entries(HEALTH_ENV)) {
      expect(rule.fallback, name).toBeGreaterThanOrEqual(rule.min);
      expect(rule.fallback, name).toBeLessThanOrEqual(rule.max);
    }
  });
});
