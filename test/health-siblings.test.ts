/**
 * The sibling-functions check, run with the real SDK client against CloudWatch endpoints on
 * 127.0.0.1: the scripted one (protocol, failures) and one that answers from a local metric
 * store (several functions, each with its own counts).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type CheckResult, type HealthCheck, runChecks } from "../functions/vitals/health/checks";
import { healthSettings } from "../functions/vitals/health/settings";
import {
  SIBLINGS_ENV,
  siblingChecks,
  siblingFunctions,
} from "../functions/vitals/health/siblings-check";
import { createMetricStore, MINUTE_MS } from "../local";
import { type FakeCloudWatch, pointSdkAt, startFakeCloudWatch } from "./fixtures/cloudwatch-server";
import { fakeClock, untilReal } from "./fixtures/fake-clock";
import { type StoreCloudWatch, startStoreCloudWatch } from "./fixtures/store-cloudwatch";

const settings = healthSettings({
  HEALTH_WINDOW_MINUTES: "5",
  HEALTH_ERROR_RATE_WARN_PERCENT: "1",
  HEALTH_ERROR_RATE_FAIL_PERCENT: "5",
});
const ROOMY_MS = 10_000;
const ONE = { [SIBLINGS_ENV]: "shop-prod-getOrder", IS_OFFLINE: "" };

let scripted: FakeCloudWatch;
let store = createMetricStore();
let fromStore: StoreCloudWatch;

beforeAll(async () => {
  scripted = await startFakeCloudWatch();
  // the store is replaced per test; the server reads the current one
  fromStore = await startStoreCloudWatch(() => store);
  pointSdkAt(scripted.url);
  vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await scripted.close();
  await fromStore.close();
});

beforeEach(() => {
  scripted.reset();
  store = createMetricStore();
});

afterEach(() => {
  vi.useRealTimers();
});

async function check(
  which: HealthCheck | undefined,
  limits = { budgetMs: ROOMY_MS, defaultTimeoutMs: ROOMY_MS },
): Promise<CheckResult> {
  if (which === undefined) throw new Error("no check");
  const report = await runChecks([which], limits);
  return report.results[0] as CheckResult;
}

describe("the list of sibling functions", () => {
  it("reads HEALTH_SIBLING_FUNCTIONS, the variable the docs name", () => {
    expect(SIBLINGS_ENV).toBe("HEALTH_SIBLING_FUNCTIONS");
    expect(siblingFunctions({ [SIBLINGS_ENV]: " a-1, b_2 ,,a-1" })).toEqual(["a-1", "b_2"]);
  });

  it("adds no check when there are no siblings", () => {
    expect(siblingChecks(settings, {})).toEqual([]);
    expect(siblingChecks(settings, { [SIBLINGS_ENV]: " " })).toEqual([]);
  });

  it("refuses a name that cannot be a Lambda function's, at init", () => {
    expect(() => siblingFunctions({ [SIBLINGS_ENV]: "ok,not ok" })).toThrow(
      'HEALTH_SIBLING_FUNCTIONS has an invalid function name "not ok"',
    );
  });
});

describe("the request to CloudWatch", () => {
  it("asks for each sibling's AWS/Lambda Errors and Invocations over the window", async () => {
    // Act
    await check(siblingChecks(settings, ONE)[0]);

    // Assess
    const [request] = scripted.requests;
    expect(request?.target).toBe("GraniteServiceVersion20100801.GetMetricData");
    const { StartTime = 0, EndTime = 0, MetricDataQueries = [] } = request?.body ?? {};
    expect(EndTime - StartTime).toBe(300);
    expect(EndTime % 60).toBe(0);
    expect(MetricDataQueries.map((q) => q.MetricStat)).toEqual(
      ["Errors", "Invocations"].map((MetricName) => ({
        Metric: {
          Namespace: "AWS/Lambda",
          MetricName,
          Dimensions: [{ Name: "FunctionName", Value: "shop-prod-getOrder" }],
        },
        Period: 300,
        Stat: "Sum",
      })),
    );
  });

  it("warns when CloudWatch fails, without its message", async () => {
    // Prepare
    scripted.mode = "error500";

    // Act
    const result = await check(siblingChecks(settings, ONE)[0]);

    // Assess
    expect(result).toMatchObject({
      status: "warn",
      output: expect.stringMatching(/^CloudWatch GetMetricData failed: HTTP 500 \w+$/),
    });
  });

  it.each([
    { cutOffBy: "its timeout", limits: { budgetMs: ROOMY_MS, defaultTimeoutMs: 500 } },
    { cutOffBy: "the budget", limits: { budgetMs: 500, defaultTimeoutMs: ROOMY_MS } },
  ])("closes the request it made when $cutOffBy cuts it off", async ({ limits }) => {
    // Prepare: CloudWatch never answers the first request, and the clock moves only when told
    scripted.mode = "hang";
    fakeClock();
    const cutOff = check(siblingChecks(settings, ONE)[0], limits);
    await untilReal(() => scripted.requests.length === 1);

    // Act: the 500 ms run out; then the next invocation asks again and is answered
    await vi.advanceTimersByTimeAsync(500);
    const result = await cutOff;
    scripted.mode = "answer";
    await check(siblingChecks(settings, ONE)[0]);

    // Assess: by the time CloudWatch answered the second request, it had seen the first one's
    // connection closed (the SDK got the abort signal), not left open behind the check
    expect(result).toMatchObject({ status: "warn", output: "timed out after 500 ms" });
    expect(scripted.requests).toHaveLength(2);
    expect(scripted.abandoned).toBe(1);
  });

  it("warns without asking when offline with no CloudWatch to ask", async () => {
    // Act
    const result = await check(siblingChecks(settings, { ...ONE, IS_OFFLINE: "true" })[0]);

    // Assess
    expect(result.status).toBe("warn");
    expect(result.output).toMatch(/not queried offline/);
    expect(scripted.requests).toHaveLength(0);
  });
});

describe("judging the siblings", () => {
  const siblings = { [SIBLINGS_ENV]: "shop-prod-getOrder,shop-prod-createOrder", IS_OFFLINE: "" };
  const lastMinute = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
  const counts = (fn: string, metric: string, value: number) =>
    store.ingestSeries({
      namespace: "AWS/Lambda",
      name: metric,
      dimensions: { FunctionName: fn },
      points: [{ at: lastMinute, values: [value] }],
    });

  async function judged(): Promise<CheckResult> {
    vi.stubEnv("AWS_ENDPOINT_URL_CLOUDWATCH", fromStore.url);
    try {
      // A fresh module: the SDK client reads the endpoint when it is made.
      vi.resetModules();
      const fresh = await import("../functions/vitals/health/siblings-check");
      return await check(fresh.siblingChecks(settings, siblings)[0]);
    } finally {
      vi.stubEnv("AWS_ENDPOINT_URL_CLOUDWATCH", scripted.url);
    }
  }

  it("fails while one sibling crashes on every invocation, and names it", async () => {
    // Prepare: getOrder fails at init on each of its 20 invocations; createOrder is fine
    counts("shop-prod-getOrder", "Errors", 20);
    counts("shop-prod-getOrder", "Invocations", 20);
    counts("shop-prod-createOrder", "Errors", 0);
    counts("shop-prod-createOrder", "Invocations", 40);

    // Act
    const result = await judged();

    // Assess
    expect(result).toMatchObject({
      name: "functions:errorRate",
      status: "fail",
      observedValue: 100,
      observedUnit: "percent",
      output: "shop-prod-getOrder failed 20 of 20 invocations in the last 5 min",
    });
  });

  it("warns between the thresholds, and passes below them", async () => {
    // Prepare: 2 % of createOrder's invocations
    counts("shop-prod-createOrder", "Errors", 2);
    counts("shop-prod-createOrder", "Invocations", 100);

    // Act and assess
    expect(await judged()).toMatchObject({ status: "warn", observedValue: 2 });
  });

  it("passes with no value when no sibling was invoked", async () => {
    // Act and assess
    expect(await judged()).toMatchObject({
      status: "pass",
      observedValue: null,
      output: "no invocations in the last 5 min",
    });
  });
});
