/**
 * The health check's error rate uses the error-rate alarm's minimum-requests guard, so `/health`
 * does not fail a quiet service for one failure while the alarm, rightly, stays quiet.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type CheckResult, type HealthCheck, runChecks } from "../functions/vitals/health/checks";
import { cloudWatchChecks } from "../functions/vitals/health/cloudwatch-check";
import { healthSettings } from "../functions/vitals/health/settings";
import { type FakeCloudWatch, pointSdkAt, startFakeCloudWatch } from "./fixtures/cloudwatch-server";

let cloudWatch: FakeCloudWatch;

beforeAll(async () => {
  cloudWatch = await startFakeCloudWatch();
  pointSdkAt(cloudWatch.url);
  vi.stubEnv("IS_OFFLINE", "");
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await cloudWatch.close();
});

async function errorRate(env: Record<string, string>): Promise<CheckResult> {
  const settings = healthSettings({
    HEALTH_WINDOW_MINUTES: "5",
    HEALTH_ERROR_RATE_FAIL_PERCENT: "1",
    ...env,
  });
  const check = cloudWatchChecks(settings)[0] as HealthCheck;
  const report = await runChecks([check], { budgetMs: 10_000, defaultTimeoutMs: 10_000 });
  return report.results[0] as CheckResult;
}

describe("the error rate check's minimum-requests guard", () => {
  it("passes one failure in 5 requests when the guard asks for 10 a minute", async () => {
    // Prepare
    cloudWatch.values = { Requests: [5], Errors: [1] };

    // Act
    const result = await errorRate({ HEALTH_ERROR_RATE_MIN_REQUESTS: "10" });

    // Assess
    expect(result).toMatchObject({
      status: "pass",
      observedValue: 20,
      output: "5 requests in the last 5 min, fewer than 50: not judged",
    });
  });

  it("judges the rate once the window holds enough requests", async () => {
    // Prepare
    cloudWatch.values = { Requests: [50], Errors: [1] };

    // Act and assess
    expect(await errorRate({ HEALTH_ERROR_RATE_MIN_REQUESTS: "10" })).toMatchObject({
      status: "fail",
      observedValue: 2,
    });
  });

  it("judges a window with one request a minute without the setting", async () => {
    // Prepare
    cloudWatch.values = { Requests: [5], Errors: [1] };

    // Act and assess
    expect(await errorRate({})).toMatchObject({ status: "fail", observedValue: 20 });
  });

  it("does not judge fewer requests than one a minute without the setting", async () => {
    // Prepare
    cloudWatch.values = { Requests: [4], Errors: [1] };

    // Act and assess
    expect(await errorRate({})).toMatchObject({
      status: "pass",
      output: "4 requests in the last 5 min, fewer than 5: not judged",
    });
  });

  it("refuses a guard that is not a whole number", () => {
    expect(() => healthSettings({ HEALTH_ERROR_RATE_MIN_REQUESTS: "2.5" })).toThrow(
      /HEALTH_ERROR_RATE_MIN_REQUESTS must be an integer/,
    );
  });

  it("refuses a guard of 0, as custom.vitals.alarms does: one param feeds both", () => {
    expect(() => healthSettings({ HEALTH_ERROR_RATE_MIN_REQUESTS: "0" })).toThrow(
      /HEALTH_ERROR_RATE_MIN_REQUESTS must be an integer from 1 to 1000000, got 0/,
    );
  });
});
