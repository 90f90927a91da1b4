/**
 * The CloudWatch checks' observations as a caller of `run` sees them (a user may compose checks or
 * call one directly, not only through the health handler): units on every answer, a `pass` that
 * says so, and an aborted signal that rejects rather than answering.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { cloudWatchChecks, healthSettings } from "../../functions/vitals/health";
import type { HealthCheck } from "../../functions/vitals/health/checks";
import { SIBLINGS_ENV, siblingChecks } from "../../functions/vitals/health/siblings-check";
import {
  type FakeCloudWatch,
  pointSdkAt,
  startFakeCloudWatch,
} from "../fixtures/cloudwatch-server";

const settings = healthSettings({
  VITALS_SERVICE: "orders-api",
  HEALTH_WINDOW_MINUTES: "5",
  HEALTH_ERROR_RATE_WARN_PERCENT: "1",
  HEALTH_ERROR_RATE_FAIL_PERCENT: "5",
  HEALTH_ERROR_RATE_MIN_REQUESTS: "10",
  HEALTH_P99_WARN_MS: "1000",
  HEALTH_P99_FAIL_MS: "3000",
});
const ONLINE = { IS_OFFLINE: "" };

let cloudWatch: FakeCloudWatch;

beforeAll(async () => {
  cloudWatch = await startFakeCloudWatch();
  pointSdkAt(cloudWatch.url);
  vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await cloudWatch.close();
});

beforeEach(() => {
  cloudWatch.reset();
});

function named(checks: HealthCheck[], name: string): HealthCheck {
  const check = checks.find((c) => c.name === name);
  if (check === undefined) throw new Error(`no check ${name}`);
  return check;
}

const errorRate = () => named(cloudWatchChecks(settings, ONLINE), "service:errorRate");
const latency = () => named(cloudWatchChecks(settings, ONLINE), "service:latencyP99");
const siblings = () =>
  named(
    siblingChecks(settings, { [SIBLINGS_ENV]: "shop-prod-getOrder", ...ONLINE }),
    "functions:errorRate",
  );
const live = () => new AbortController().signal;

describe("the service checks' observations, read directly", () => {
  it("say pass, with the unit, below the thresholds", async () => {
    cloudWatch.values = { Requests: [100], Errors: [1], Latency: [250] };
    expect(await errorRate().run(live())).toEqual({
      status: "pass",
      observedValue: 1,
      observedUnit: "percent",
    });
    expect(await latency().run(live())).toEqual({
      status: "pass",
      observedValue: 250,
      observedUnit: "ms",
    });
  });

  it("give a quiet service's value in its unit: percent and ms", async () => {
    expect(await errorRate().run(live())).toEqual({
      status: "pass",
      observedValue: null,
      observedUnit: "percent",
      output: "no requests in the last 5 min",
    });
    expect(await latency().run(live())).toEqual({
      status: "pass",
      observedValue: null,
      observedUnit: "ms",
      output: "no requests in the last 5 min",
    });
  });

  it("say pass, in percent, for a rate the minimum-requests guard does not judge", async () => {
    cloudWatch.values = { Requests: [5], Errors: [1] };
    expect(await errorRate().run(live())).toEqual({
      status: "pass",
      observedValue: 20,
      observedUnit: "percent",
      output: "5 requests in the last 5 min, fewer than 50: not judged",
    });
  });

  it("reject with the abort's reason when their signal is aborted, so the runner reports the timeout", async () => {
    const controller = new AbortController();
    const reason = new Error("service:errorRate timed out after 1 ms");
    controller.abort(reason);
    await expect(errorRate().run(controller.signal)).rejects.toBe(reason);
  });
});

describe("the sibling check's observations, read directly", () => {
  it("is a warn-on-failure check", () => {
    expect(siblings().onFailure).toBe("warn");
  });

  it("says pass, in percent, below the thresholds and with no invocations", async () => {
    cloudWatch.values = { Errors: [0], Invocations: [10] };
    expect(await siblings().run(live())).toEqual({
      status: "pass",
      observedValue: 0,
      observedUnit: "percent",
    });
    cloudWatch.values = {};
    expect(await siblings().run(live())).toEqual({
      status: "pass",
      observedValue: null,
      observedUnit: "percent",
      output: "no invocations in the last 5 min",
    });
  });

  it("rejects with the abort's reason when its signal is aborted", async () => {
    const controller = new AbortController();
    const reason = new Error("functions:errorRate timed out after 1 ms");
    controller.abort(reason);
    await expect(siblings().run(controller.signal)).rejects.toBe(reason);
  });
});
