/**
 * The sibling-functions check at its edges: the longest list and name it takes, the error rate
 * exactly at each threshold, an init crash with no invocation counted, and CloudWatch's answer
 * summed over several datapoints. Run with the real SDK client against a scripted CloudWatch on
 * 127.0.0.1, which answers the same datapoints for every function.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type CheckResult, runChecks } from "../../functions/vitals/health/checks";
import { healthSettings } from "../../functions/vitals/health/settings";
import {
  SIBLINGS_ENV,
  siblingChecks,
  siblingFunctions,
} from "../../functions/vitals/health/siblings-check";
import {
  type FakeCloudWatch,
  pointSdkAt,
  startFakeCloudWatch,
} from "../fixtures/cloudwatch-server";

const settings = healthSettings({
  HEALTH_WINDOW_MINUTES: "5",
  HEALTH_ERROR_RATE_WARN_PERCENT: "1",
  HEALTH_ERROR_RATE_FAIL_PERCENT: "5",
});
const ROOMY_MS = 10_000;
const ONE = { [SIBLINGS_ENV]: "shop-prod-getOrder", IS_OFFLINE: "" };

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

async function judged(
  errors: number[],
  invocations: number[],
  env: Record<string, string> = ONE,
): Promise<CheckResult> {
  cloudWatch.values = { Errors: errors, Invocations: invocations };
  const [check] = siblingChecks(settings, env);
  if (check === undefined) throw new Error("no check");
  const report = await runChecks([check], { budgetMs: ROOMY_MS, defaultTimeoutMs: ROOMY_MS });
  return report.results[0] as CheckResult;
}

describe("the list of sibling functions, at its limits", () => {
  it("takes a name of 64 characters and refuses one of 65", () => {
    const longest = "f".repeat(64);
    expect(siblingFunctions({ [SIBLINGS_ENV]: longest })).toEqual([longest]);
    expect(() => siblingFunctions({ [SIBLINGS_ENV]: `${longest}f` })).toThrow(
      new TypeError(
        `lambda-vitals health: HEALTH_SIBLING_FUNCTIONS has an invalid function name "${longest}f"`,
      ),
    );
  });

  it("takes 250 functions, what one GetMetricData call can ask about, and refuses 251", () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `fn-${i}`).join(",");
    expect(siblingFunctions({ [SIBLINGS_ENV]: names(250) })).toHaveLength(250);
    expect(() => siblingFunctions({ [SIBLINGS_ENV]: names(251) })).toThrow(
      new TypeError("lambda-vitals health: HEALTH_SIBLING_FUNCTIONS names more than 250 functions"),
    );
  });

  it("reads no list when the variable is unset", () => {
    expect(siblingFunctions({})).toEqual([]);
  });
});

describe("judging a sibling's error rate, at the thresholds", () => {
  it("passes at exactly the warn threshold, with no output", async () => {
    const result = await judged([1], [100]);
    expect(result).toMatchObject({ status: "pass", observedValue: 1, observedUnit: "percent" });
    expect(result.output).toBeUndefined();
  });

  it("warns at exactly the fail threshold, naming the function and the counts", async () => {
    expect(await judged([5], [100])).toMatchObject({
      status: "warn",
      observedValue: 5,
      output: "shop-prod-getOrder failed 5 of 100 invocations in the last 5 min",
    });
  });

  it("fails just above the fail threshold", async () => {
    expect(await judged([501], [10_000])).toMatchObject({ status: "fail", observedValue: 5.01 });
  });

  it("sums the datapoints of the window and rounds the rate to two decimals", async () => {
    expect(await judged([1, 0, 1], [100, 50, 150])).toMatchObject({
      status: "pass",
      observedValue: 0.67,
      observedUnit: "percent",
    });
  });

  it("counts errors without invocations (a crash at init) as every invocation failing", async () => {
    expect(await judged([3], [])).toMatchObject({
      status: "fail",
      observedValue: 100,
      output: "shop-prod-getOrder failed 3 of 3 invocations in the last 5 min",
    });
  });
});

describe("asking CloudWatch", () => {
  it("asks for each function's two series by an id of its own, with their data returned", async () => {
    await judged([], [], { ...ONE, [SIBLINGS_ENV]: "shop-a,shop-b" });
    const queries = cloudWatch.requests[0]?.body?.MetricDataQueries ?? [];
    expect(queries.map((q) => [q.Id, q.ReturnData, q.MetricStat?.Metric.MetricName])).toEqual([
      ["e0", true, "Errors"],
      ["i0", true, "Invocations"],
      ["e1", true, "Errors"],
      ["i1", true, "Invocations"],
    ]);
  });

  it("names the HTTP status CloudWatch refused with", async () => {
    cloudWatch.mode = "throttle";
    expect(await judged([], [])).toMatchObject({
      status: "warn",
      observedValue: null,
      output: expect.stringMatching(/^CloudWatch GetMetricData failed: HTTP 400 Throttl/),
    });
  });

  it("asks offline when an endpoint is set", async () => {
    const env = { ...ONE, IS_OFFLINE: "true", AWS_ENDPOINT_URL_CLOUDWATCH: cloudWatch.url };
    const result = await judged([0], [10], env);
    expect(result).toMatchObject({ status: "pass", observedValue: 0 });
    expect(cloudWatch.requests).toHaveLength(1);
  });

  it("asks offline when only the general endpoint is set", async () => {
    const env = { ...ONE, IS_OFFLINE: "true", AWS_ENDPOINT_URL: cloudWatch.url };
    await judged([0], [10], env);
    expect(cloudWatch.requests).toHaveLength(1);
  });

  it("does not ask offline when the endpoint is set to nothing", async () => {
    const env = { ...ONE, IS_OFFLINE: "true", AWS_ENDPOINT_URL_CLOUDWATCH: "" };
    expect(await judged([0], [10], env)).toMatchObject({
      status: "warn",
      output: "CloudWatch not queried offline (set AWS_ENDPOINT_URL_CLOUDWATCH to query one)",
    });
    expect(cloudWatch.requests).toHaveLength(0);
  });
});
