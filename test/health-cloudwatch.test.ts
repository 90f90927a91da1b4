/**
 * The CloudWatch checks, run with the real SDK client against a CloudWatch endpoint on 127.0.0.1,
 * and with aws-sdk-client-mock for answers that are awkward to serve.
 */
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { DIMENSIONS, METRICS } from "../functions/vitals/contract";
import { type CheckResult, type HealthCheck, runChecks } from "../functions/vitals/health/checks";
import { cloudWatchChecks } from "../functions/vitals/health/cloudwatch-check";
import { healthSettings } from "../functions/vitals/health/settings";
import { type FakeCloudWatch, startFakeCloudWatch } from "./fixtures/cloudwatch-server";
import { fakeClock, settledJustBefore, tracked, untilReal } from "./fixtures/fake-clock";

const ACCESS_KEY = "AKIATESTONLYNOTREAL1";
const SECRET = "test-only-secret/NotReal+0123456789abcdefghij";
const settings = healthSettings({
  VITALS_NAMESPACE: "LambdaVitals/test",
  VITALS_SERVICE: "orders-api",
  HEALTH_WINDOW_MINUTES: "5",
  HEALTH_ERROR_RATE_WARN_PERCENT: "1",
  HEALTH_ERROR_RATE_FAIL_PERCENT: "5",
  HEALTH_P99_WARN_MS: "1000",
  HEALTH_P99_FAIL_MS: "3000",
});
/** Generous: loading the SDK the first time is slow on a busy machine. */
const ROOMY_MS = 10_000;

let cloudWatch: FakeCloudWatch;

beforeAll(async () => {
  cloudWatch = await startFakeCloudWatch();
  // Only in this test process: the real client finds the fake through the usual AWS settings.
  vi.stubEnv("AWS_ENDPOINT_URL_CLOUDWATCH", cloudWatch.url);
  vi.stubEnv("AWS_REGION", "us-east-1");
  vi.stubEnv("AWS_ACCESS_KEY_ID", ACCESS_KEY);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", SECRET);
  vi.stubEnv("AWS_SESSION_TOKEN", "");
  vi.stubEnv("AWS_MAX_ATTEMPTS", "1");
  vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
  vi.stubEnv("IS_OFFLINE", "");
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await cloudWatch.close();
});

beforeEach(() => cloudWatch.reset());
afterEach(() => {
  vi.useRealTimers();
});

const [errorRate, latency] = cloudWatchChecks(settings) as [HealthCheck, HealthCheck];

async function check(which: HealthCheck, timeoutMs = ROOMY_MS): Promise<CheckResult> {
  const report = await runChecks([which], { budgetMs: timeoutMs, defaultTimeoutMs: timeoutMs });
  return report.results[0] as CheckResult;
}

describe("the request to CloudWatch", () => {
  it("asks GetMetricData, in AWS JSON 1.0, for the wrapper's [Service] series over whole minutes", async () => {
    // Prepare
    cloudWatch.values = { Requests: [100], Errors: [0], Latency: [120] };
    // A fixed date 42 s into a minute: the window ends at that minute's start
    vi.useFakeTimers({ toFake: ["Date"], now: Date.parse("2026-11-25T08:30:42.250Z") });
    const minute = Date.parse("2026-11-25T08:30:00.000Z") / 1000;

    // Act
    await check(errorRate);
    await check(latency);

    // Assess
    expect(cloudWatch.requests).toHaveLength(2);
    const [rates, p99] = cloudWatch.requests;
    for (const request of [rates, p99]) {
      expect(request?.target).toBe("GraniteServiceVersion20100801.GetMetricData");
      expect(request?.contentType).toMatch(/^application\/x-amz-json-1\.0/);
      const { StartTime = 0, EndTime = 0 } = request?.body ?? {};
      expect(EndTime).toBe(minute);
      expect(StartTime).toBe(minute - 5 * 60);
    }
    const service: { Name: string; Value: string }[] = [
      { Name: DIMENSIONS.service, Value: "orders-api" },
    ];
    const stat = (name: string, statistic: string, dimensions = service) => ({
      Metric: { Namespace: "LambdaVitals/test", MetricName: name, Dimensions: dimensions },
      Period: 300,
      Stat: statistic,
    });
    expect(rates?.body.MetricDataQueries?.map((q) => q.MetricStat)).toEqual([
      stat(METRICS.requests.name, "Sum"),
      stat(METRICS.errors.name, "Sum"),
    ]);
    expect(p99?.body.MetricDataQueries?.map((q) => q.MetricStat)).toEqual([
      {
        Metric: {
          Namespace: "LambdaVitals/test",
          MetricName: METRICS.latency.name,
          Dimensions: service,
        },
        Period: 300,
        Stat: "p99",
      },
    ]);
  });

  it("is signed with the credentials from the environment", async () => {
    // Act
    await check(latency);

    // Assess
    expect(cloudWatch.requests[0]?.authorization).toContain(`Credential=${ACCESS_KEY}/`);
  });
});

describe("the error rate check", () => {
  it.each([
    { errors: 0, status: "pass", value: 0 },
    { errors: 1, status: "pass", value: 1 },
    { errors: 2, status: "warn", value: 2 },
    { errors: 5, status: "warn", value: 5 },
    { errors: 6, status: "fail", value: 6 },
  ])("with $errors errors in 100 requests is $status", async ({ errors, status, value }) => {
    // Prepare
    cloudWatch.values = { Requests: [100], Errors: [errors] };

    // Act
    const result = await check(errorRate);

    // Assess
    expect(result).toMatchObject({ name: "service:errorRate", status, observedValue: value });
    expect(result.observedUnit).toBe("percent");
    if (status !== "pass") expect(result.output).toMatch(/^error rate .* is above \d+ percent$/);
  });

  it("adds up every datapoint CloudWatch returns", async () => {
    // Prepare: 3 errors in 200 requests, spread over two datapoints
    cloudWatch.values = { Requests: [120, 80], Errors: [3, 0] };

    // Act
    const result = await check(errorRate);

    // Assess
    expect(result).toMatchObject({ status: "warn", observedValue: 1.5 });
  });

  it("passes a quiet service: no requests is not an error rate", async () => {
    // Act
    const result = await check(errorRate);

    // Assess
    expect(result).toMatchObject({
      status: "pass",
      observedValue: null,
      output: "no requests in the last 5 min",
    });
  });
});

describe("the p99 latency check", () => {
  it.each([
    { p99: 250, status: "pass" },
    { p99: 1000, status: "pass" },
    { p99: 1500, status: "warn" },
    { p99: 4000, status: "fail" },
  ])("at $p99 ms is $status", async ({ p99, status }) => {
    // Prepare
    cloudWatch.values = { Latency: [p99] };

    // Act
    const result = await check(latency);

    // Assess
    expect(result).toMatchObject({ name: "service:latencyP99", status, observedValue: p99 });
    expect(result.observedUnit).toBe("ms");
  });

  it("takes the worst datapoint when the window comes back split", async () => {
    // Prepare
    cloudWatch.values = { Latency: [300, 3100] };

    // Act
    const result = await check(latency);

    // Assess
    expect(result).toMatchObject({ status: "fail", observedValue: 3100 });
  });

  it("passes with no datapoints", async () => {
    // Act
    const result = await check(latency);

    // Assess
    expect(result).toMatchObject({ status: "pass", observedValue: null });
  });
});

describe("when CloudWatch misbehaves, the checks warn and say why", () => {
  it("waits for a slow answer that comes within the timeout", async () => {
    // Prepare
    cloudWatch.mode = "slow";
    cloudWatch.slowMs = 300;
    cloudWatch.values = { Latency: [200] };

    // Act
    const result = await check(latency);

    // Assess
    expect(result).toMatchObject({ status: "pass", observedValue: 200 });
  });

  it("warns within its timeout when CloudWatch hangs", async () => {
    // Prepare
    cloudWatch.mode = "hang";
    const clock = fakeClock();

    // Act
    const run = tracked(check(errorRate, 500));
    await untilReal(() => cloudWatch.requests.length === 1); // it did ask
    const before = await settledJustBefore(run, 500);
    const result = await run.value;

    // Assess: no answer before the timeout, and the answer at it
    expect(before).toBe(false);
    expect(clock.elapsed()).toBe(500);
    expect(result).toMatchObject({ status: "warn", output: "timed out after 500 ms" });
    expect(cloudWatch.requests).toHaveLength(1);
  });

  it("abandons the hanging request instead of leaving it open", async () => {
    // Prepare
    cloudWatch.mode = "hang";

    // Act: cut off at 300 ms; then the next invocation asks again and is answered
    await check(latency, 300);
    cloudWatch.mode = "answer";
    await check(latency);

    // Assess: by the time CloudWatch answered the second request, it had seen the first one's
    // connection closed (the SDK got the abort signal), an order of events, not a wait
    expect(cloudWatch.requests).toHaveLength(2);
    expect(cloudWatch.abandoned).toBe(1);
  });

  it.each([
    { mode: "error500", output: /^CloudWatch GetMetricData failed: HTTP 500 \w+/ },
    { mode: "throttle", output: /^CloudWatch GetMetricData failed: HTTP 400 Throttl/ },
    { mode: "malformed", output: /^CloudWatch / },
  ] as const)("warns on $mode", async ({ mode, output }) => {
    // Prepare
    cloudWatch.mode = mode;

    // Act
    const result = await check(errorRate);

    // Assess
    expect(result.status).toBe("warn");
    expect(result.observedValue).toBeNull();
    expect(result.output).toMatch(output);
    expect(result.output).not.toMatch(/Internal failure|Rate exceeded|html/);
  });

  it("never passes on what CloudWatch said about the credentials", async () => {
    // Prepare: the error message carries the request's Authorization header
    cloudWatch.mode = "echo-auth";

    // Act
    const result = await check(errorRate);

    // Assess
    const text = JSON.stringify(result);
    expect(cloudWatch.requests[0]?.authorization).toContain(ACCESS_KEY);
    expect(text).not.toContain(ACCESS_KEY);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain("Signature");
    expect(result).toMatchObject({ status: "warn", output: expect.stringMatching(/HTTP 400/) });
  });
});

describe("offline", () => {
  it("warns without asking anyone when no CloudWatch endpoint is set", async () => {
    // Prepare
    const [offline] = cloudWatchChecks(settings, { IS_OFFLINE: "true" }) as [HealthCheck];

    // Act
    const result = await check(offline);

    // Assess
    expect(result).toMatchObject({ status: "warn", observedValue: null });
    expect(result.output).toMatch(/not queried offline.*AWS_ENDPOINT_URL_CLOUDWATCH/);
    expect(cloudWatch.requests).toHaveLength(0);
  });

  it("asks the endpoint it is given", async () => {
    // Prepare
    const env = { IS_OFFLINE: "true", AWS_ENDPOINT_URL_CLOUDWATCH: cloudWatch.url };
    const [offline] = cloudWatchChecks(settings, env) as [HealthCheck];

    // Act
    const result = await check(offline);

    // Assess
    expect(result.status).toBe("pass");
    expect(cloudWatch.requests).toHaveLength(1);
  });
});

describe("answers that are easier to mock", () => {
  // Created in a hook, not while collecting: mocking the prototype would reach every test above.
  let mock: ReturnType<typeof mockClient>;
  beforeAll(() => {
    mock = mockClient(CloudWatchClient);
  });
  afterEach(() => mock.reset());
  afterAll(() => mock.restore());

  it("warns when CloudWatch returns a status instead of data", async () => {
    // Prepare
    mock.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: "requests", Values: [], Timestamps: [], StatusCode: "Forbidden" },
        { Id: "errors", Values: [], Timestamps: [], StatusCode: "Forbidden" },
      ],
    });

    // Act
    const result = await check(errorRate);

    // Assess
    expect(result).toMatchObject({
      status: "warn",
      output: `CloudWatch returned Forbidden for ${METRICS.requests.name}`,
    });
  });

  it("uses partial data when there is some", async () => {
    // Prepare
    mock.on(GetMetricDataCommand).resolves({
      MetricDataResults: [{ Id: "latencyP99", Values: [3500], StatusCode: "PartialData" }],
    });

    // Act
    const result = await check(latency);

    // Assess
    expect(result).toMatchObject({ status: "fail", observedValue: 3500 });
    expect(cloudWatch.requests).toHaveLength(0);
  });

  it("hides the message of an error the SDK throws", async () => {
    // Prepare
    mock.on(GetMetricDataCommand).rejects(new Error(`connect ECONNREFUSED; key ${SECRET}`));

    // Act
    const result = await check(latency);

    // Assess
    expect(result).toMatchObject({ status: "warn", output: "CloudWatch unreachable: Error" });
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });
});
