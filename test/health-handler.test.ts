/**
 * The health function as deployed (`functions/health.ts`, wrapped by `withVitals`), against a
 * CloudWatch endpoint on 127.0.0.1: status codes, deadline, cache, liveness, the scheduled run's
 * metrics, and what the response must never carry.
 */
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  DIMENSIONS,
  HEALTH_CHECK_DIMENSION,
  HEALTH_METRICS,
  METRICS,
} from "../functions/vitals/contract";
import { type HealthCheck, healthHandler, healthSettings } from "../functions/vitals/health";
import type { HealthHttpResult } from "../functions/vitals/health/format";
import { type FakeCloudWatch, startFakeCloudWatch } from "./fixtures/cloudwatch-server";
import { lambdaContext } from "./fixtures/context";
import { emfProblems } from "./fixtures/emf-spec";
import { albEvent, httpApiEvent, scheduleEvent } from "./fixtures/events";
import { fakeClock, settledJustBefore, tracked, untilReal } from "./fixtures/fake-clock";
import { type Captured, captureStdout } from "./fixtures/stdout";

const ACCESS_KEY = "AKIATESTONLYNOTREAL2";
const SECRET = "test-only-secret/handler+0123456789abcdef";
const TOKEN = "test-only-session-token-IQoJb3JpZ2luX2VjEJr";
const SERVICE = "orders-api";
const NAMESPACE = "LambdaVitals/test";

type Handler = (event: unknown, context: Context) => Promise<HealthHttpResult>;

let cloudWatch: FakeCloudWatch;
let stdout: Captured | undefined;

beforeAll(async () => {
  cloudWatch = await startFakeCloudWatch();
});
afterAll(async () => {
  await cloudWatch.close();
});
beforeEach(() => {
  cloudWatch.reset();
  stdout = captureStdout();
});
afterEach(() => {
  stdout?.restore();
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

/** Loads `functions/health.ts` afresh under the given settings, as a new Lambda process would. */
async function loadHealth(settings: Record<string, string> = {}): Promise<Handler> {
  const env: Record<string, string> = {
    AWS_ENDPOINT_URL_CLOUDWATCH: cloudWatch.url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET,
    AWS_SESSION_TOKEN: TOKEN,
    AWS_MAX_ATTEMPTS: "1",
    AWS_EC2_METADATA_DISABLED: "true",
    IS_OFFLINE: "",
    VITALS_NAMESPACE: NAMESPACE,
    VITALS_SERVICE: SERVICE,
    VITALS_RELEASE: "abc1234",
    HEALTH_CACHE_MS: "0",
    HEALTH_CHECK_TIMEOUT_MS: "10000",
    HEALTH_DEADLINE_MS: "10000",
    ...settings,
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  const module = await import("../functions/health");
  return module.handler as Handler;
}

/** What anyone can send: GET /health without credentials. */
const publicEvent = (): APIGatewayProxyEventV2 =>
  httpApiEvent({ method: "GET", path: "/health", route: "/health" });
/** An operator's GET /health/details, signed with IAM credentials, as the aws_iam route passes it. */
const healthEvent = (): APIGatewayProxyEventV2 => {
  const event = httpApiEvent({ method: "GET", path: "/health/details", route: "/health/details" });
  const iam = {
    accessKey: "ASIATESTONLY",
    accountId: "123456789012",
    userArn: "arn:aws:iam::123456789012:role/ops",
  };
  return {
    ...event,
    requestContext: { ...event.requestContext, authorizer: { iam } },
  } as APIGatewayProxyEventV2;
};
const liveEvent = (): APIGatewayProxyEventV2 =>
  httpApiEvent({ method: "GET", path: "/health/live", route: "/health/live" });

interface Body {
  status: string;
  checks?: Record<string, { status: string; observedValue?: unknown; output?: string }[]>;
  [key: string]: unknown;
}
const bodyOf = (response: HealthHttpResult): Body => JSON.parse(response.body) as Body;

describe("what an anonymous caller reads", () => {
  it.each([
    ["pass", [0], 200],
    ["fail", [40], 503],
  ] as const)("GET /health: the status %s alone, answering %i", async (status, errors, code) => {
    // Prepare: a sibling's deployed name, which a failing siblings check would name
    cloudWatch.values = { Requests: [100], Errors: [...errors], Latency: [180] };
    const handler = await loadHealth({ HEALTH_SIBLING_FUNCTIONS: "orders-api-dev-getInvoice" });

    // Act
    const response = await handler(publicEvent(), lambdaContext({ timeoutMs: 10_000 }));

    // Assess: no version, release, figures, checks or names; the log line keeps them all
    expect(response.statusCode).toBe(code);
    expect(response.headers["content-type"]).toBe("application/health+json");
    expect(JSON.parse(response.body)).toEqual({ status });
    const line = stdout?.documents().find((d) => d.health !== undefined);
    const logged = (line?.health ?? { checks: {} }) as { checks: object };
    expect(Object.keys(logged.checks)).toContain("service:errorRate");
  });

  it("GET /health/details without an IAM identity, and GET /health/live: the status alone", async () => {
    // Prepare: the details route as a route without the authorizer would pass it
    const handler = await loadHealth();
    const unsigned = httpApiEvent({
      method: "GET",
      path: "/health/details",
      route: "/health/details",
    });

    // Act
    const details = await handler(unsigned, lambdaContext({ timeoutMs: 10_000 }));
    const live = await handler(liveEvent(), lambdaContext());

    // Assess
    expect(JSON.parse(details.body)).toEqual({ status: "pass" }); // no traffic: a quiet pass
    expect(JSON.parse(live.body)).toEqual({ status: "pass" });
  });

  it("a direct invocation, which IAM authorised, gets the details", async () => {
    // Prepare
    cloudWatch.values = { Requests: [200], Errors: [0], Latency: [180] };
    const handler = await loadHealth();

    // Act
    const response = await handler({}, lambdaContext({ timeoutMs: 10_000 }));

    // Assess
    expect(bodyOf(response)).toMatchObject({
      status: "pass",
      serviceId: SERVICE,
      releaseId: "abc1234",
    });
    expect(bodyOf(response).checks).toHaveProperty("service:errorRate");
  });
});

describe("GET /health/details, signed with IAM", () => {
  it("answers 200 application/health+json with every built-in check and the service fields", async () => {
    // Prepare
    cloudWatch.values = { Requests: [200], Errors: [0], Latency: [180] };
    const handler = await loadHealth();

    // Act
    const response = await handler(healthEvent(), lambdaContext({ timeoutMs: 10_000 }));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      "content-type": "application/health+json",
      "cache-control": "no-store",
    });
    const body = bodyOf(response);
    expect(body).toMatchObject({
      status: "pass",
      version: "1",
      releaseId: "abc1234",
      serviceId: SERVICE,
      description: `health of ${SERVICE}`,
    });
    expect(Object.keys(body.checks ?? {}).sort()).toEqual([
      "runtime:coldStart",
      "runtime:memoryUtilization",
      "runtime:uptime",
      "service:errorRate",
      "service:latencyP99",
    ]);
    expect(body.checks?.["service:latencyP99"]?.[0]).toMatchObject({ observedValue: 180 });
    expect(cloudWatch.requests).toHaveLength(2);
  });

  it("answers 503 when the service's error rate is above the fail threshold", async () => {
    // Prepare
    cloudWatch.values = { Requests: [100], Errors: [40], Latency: [180] };
    const handler = await loadHealth({ HEALTH_ERROR_RATE_FAIL_PERCENT: "10" });

    // Act
    const response = await handler(healthEvent(), lambdaContext());

    // Assess
    expect(response.statusCode).toBe(503);
    const body = bodyOf(response);
    expect(body.status).toBe("fail");
    expect(body.checks?.["service:errorRate"]?.[0]).toMatchObject({
      status: "fail",
      observedValue: 40,
      output: "error rate 40 percent is above 10 percent",
    });
  });

  it("answers warn, 200, within its deadline when CloudWatch hangs", async () => {
    // Prepare
    cloudWatch.mode = "hang";
    const handler = await loadHealth({ HEALTH_DEADLINE_MS: "800" });
    const clock = fakeClock();

    // Act
    const run = tracked(handler(healthEvent(), lambdaContext({ timeoutMs: 10_000 })));
    await untilReal(() => cloudWatch.requests.length === 2);
    const before = await settledJustBefore(run, 800);
    const response = await run.value;

    // Assess: no answer before the deadline, and the answer when it came, before the clock moved on
    expect(before).toBe(false);
    expect(clock.elapsed()).toBe(800);
    expect(response.statusCode).toBe(200);
    const body = bodyOf(response);
    expect(body.status).toBe("warn");
    expect(body.checks?.["service:errorRate"]?.[0]).toMatchObject({
      status: "warn",
      output: "timed out after 800 ms",
    });
  });

  it("keeps within the invocation's remaining time when that is shorter than the deadline", async () => {
    // Prepare: 1.5 s left, so the checks get 1 s (500 ms kept back to answer), not the 10 s set
    cloudWatch.mode = "hang";
    const handler = await loadHealth({ HEALTH_DEADLINE_MS: "10000" });
    const clock = fakeClock();

    // Act
    const run = tracked(handler(healthEvent(), lambdaContext({ timeoutMs: 1500 })));
    await untilReal(() => cloudWatch.requests.length === 2);
    const before = await settledJustBefore(run, 1000);
    const response = await run.value;

    // Assess
    expect(before).toBe(false);
    expect(clock.elapsed()).toBe(1000);
    expect(bodyOf(response).checks?.["service:latencyP99"]?.[0]?.output).toBe(
      "timed out after 1000 ms",
    );
  });

  it("reuses its result within HEALTH_CACHE_MS, so a flood does not reach CloudWatch", async () => {
    // Prepare
    cloudWatch.values = { Requests: [10], Errors: [0], Latency: [50] };
    const handler = await loadHealth({ HEALTH_CACHE_MS: "60000", HEALTH_DEADLINE_MS: "3000" });

    // Act
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => handler(healthEvent(), lambdaContext({ timeoutMs: 10_000 }))),
    );
    await handler(healthEvent(), lambdaContext({ timeoutMs: 10_000 }));

    // Assess
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(cloudWatch.requests).toHaveLength(2); // one GetMetricData per CloudWatch check, once
  });

  it("neither serves nor keeps a cached report for an invocation short of time", async () => {
    // Prepare: a slow CloudWatch that only a full budget waits for
    cloudWatch.values = { Requests: [10], Errors: [0], Latency: [50] };
    cloudWatch.mode = "slow";
    cloudWatch.slowMs = 300;
    const handler = await loadHealth({ HEALTH_CACHE_MS: "60000", HEALTH_DEADLINE_MS: "3000" });

    // Act: a rushed invocation (200 ms for its checks), then two with time
    const rushed = await handler(healthEvent(), lambdaContext({ timeoutMs: 700 }));
    const full = await handler(healthEvent(), lambdaContext({ timeoutMs: 10_000 }));
    const requestsAfterFull = cloudWatch.requests.length;
    const again = await handler(healthEvent(), lambdaContext({ timeoutMs: 10_000 }));

    // Assess: the rushed report warns; the next caller gets a fresh, full one, which is cached
    expect(JSON.parse(rushed.body).status).toBe("warn");
    expect(JSON.parse(full.body).status).toBe("pass");
    expect(JSON.parse(again.body).status).toBe("pass");
    expect(cloudWatch.requests).toHaveLength(requestsAfterFull);
  });

  it("keeps the cache for a function whose timeout is shorter than its deadline: 100 calls, one run", async () => {
    // Prepare: timeout 3 s and HEALTH_DEADLINE_MS 3000, so every invocation is short of time
    cloudWatch.values = { Requests: [10], Errors: [0], Latency: [50] };
    cloudWatch.mode = "slow";
    cloudWatch.slowMs = 50;
    const handler = await loadHealth({ HEALTH_CACHE_MS: "10000", HEALTH_DEADLINE_MS: "3000" });

    // Act: 100 at once, then 100 more once the first have their answer
    const first = await Promise.all(
      Array.from({ length: 100 }, () => handler(healthEvent(), lambdaContext({ timeoutMs: 3000 }))),
    );
    const later = await Promise.all(
      Array.from({ length: 100 }, () => handler(healthEvent(), lambdaContext({ timeoutMs: 3000 }))),
    );

    // Assess: one GetMetricData per CloudWatch check for all 200, not one per call
    expect(new Set([...first, ...later].map((r) => JSON.parse(r.body).status))).toEqual(
      new Set(["pass"]),
    );
    expect(cloudWatch.requests).toHaveLength(2);
  });

  it("asks CloudWatch again on every request with HEALTH_CACHE_MS=0", async () => {
    // Prepare
    const handler = await loadHealth({ HEALTH_CACHE_MS: "0" });

    // Act
    await handler(healthEvent(), lambdaContext());
    await handler(healthEvent(), lambdaContext());

    // Assess
    expect(cloudWatch.requests).toHaveLength(4);
  });
});

describe("what the response never carries", () => {
  it.each(["echo-auth", "error500", "malformed"] as const)(
    "no credentials, environment or raw errors when CloudWatch answers %s",
    async (mode) => {
      // Prepare
      cloudWatch.mode = mode;
      const handler = await loadHealth();

      // Act
      const response = await handler(healthEvent(), lambdaContext());

      // Assess
      const text = response.body + JSON.stringify(response.headers);
      expect(cloudWatch.requests[0]?.authorization).toContain(ACCESS_KEY);
      for (const secret of [
        ACCESS_KEY,
        SECRET,
        TOKEN,
        cloudWatch.url,
        "Signature",
        "Internal failure",
      ]) {
        expect(text).not.toContain(secret);
      }
      expect(text).not.toMatch(/\n\s+at /); // no stack trace
      const logs = stdout?.lines().join("\n") ?? "";
      for (const secret of [SECRET, TOKEN]) expect(logs).not.toContain(secret);
      expect(bodyOf(response).checks?.["service:errorRate"]?.[0]?.status).toBe("warn");
    },
  );
});

describe("GET /health/live", () => {
  it("answers pass without running any check or calling CloudWatch", async () => {
    // Prepare
    const handler = await loadHealth();

    // Act
    const response = await handler(liveEvent(), lambdaContext());

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("application/health+json");
    expect(bodyOf(response)).toEqual({ status: "pass" });
    expect(cloudWatch.requests).toHaveLength(0);
  });

  it("answers an ALB in its shape, with multi-value headers when the target group uses them", async () => {
    // Prepare
    const handler = await loadHealth();

    // Act
    const plain = await handler(albEvent({ path: "/health/live" }), lambdaContext());
    const multi = await handler(
      albEvent({ path: "/health/live", multiValue: true }),
      lambdaContext(),
    );

    // Assess
    expect(plain).toMatchObject({
      statusCode: 200,
      statusDescription: "200 OK",
      isBase64Encoded: false,
    });
    expect(plain.multiValueHeaders).toBeUndefined();
    expect(multi.multiValueHeaders).toEqual({
      "content-type": ["application/health+json"],
      "cache-control": ["no-store"],
    });
  });
});

interface EmfDoc {
  _aws: {
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
  };
  [key: string]: unknown;
}

function docsWith(metric: string): EmfDoc[] {
  return (stdout?.documents() ?? [])
    .map((d) => d as unknown as EmfDoc)
    .filter((d) =>
      d._aws?.CloudWatchMetrics?.some((dir) => dir.Metrics.some((m) => m.Name === metric)),
    );
}

function directiveOf(doc: EmfDoc, metric: string) {
  return doc._aws.CloudWatchMetrics.find((dir) => dir.Metrics.some((m) => m.Name === metric));
}

describe("the scheduled run", () => {
  it("writes Health on the invocation's line and one HealthCheck line per check", async () => {
    // Prepare
    cloudWatch.values = { Requests: [100], Errors: [0], Latency: [100] };
    const handler = await loadHealth();

    // Act
    await handler(scheduleEvent(), lambdaContext());

    // Assess
    for (const written of stdout?.lines() ?? []) expect(emfProblems(written)).toEqual([]);
    const [line, ...others] = docsWith(HEALTH_METRICS.health.name);
    expect(others).toHaveLength(0);
    expect(line).toMatchObject({
      [HEALTH_METRICS.health.name]: 1,
      [DIMENSIONS.service]: SERVICE,
      [METRICS.requests.name]: 1, // the canonical line itself
    });
    expect(typeof line?.requestId).toBe("string");
    expect(directiveOf(line as EmfDoc, HEALTH_METRICS.health.name)).toMatchObject({
      Namespace: NAMESPACE,
      Dimensions: [[DIMENSIONS.service]],
    });
    const checks = docsWith(HEALTH_METRICS.check.name);
    expect(checks.map((d) => d[HEALTH_CHECK_DIMENSION]).sort()).toEqual([
      "runtime:coldStart",
      "runtime:memoryUtilization",
      "runtime:uptime",
      "service:errorRate",
      "service:latencyP99",
    ]);
    for (const doc of checks) {
      expect(doc).toMatchObject({
        [HEALTH_METRICS.check.name]: 1,
        [DIMENSIONS.service]: SERVICE,
        requestId: line?.requestId, // the check lines join the invocation's line
      });
      expect(directiveOf(doc, HEALTH_METRICS.check.name)).toMatchObject({
        Namespace: NAMESPACE,
        Dimensions: [[DIMENSIONS.service, HEALTH_CHECK_DIMENSION]],
      });
    }
  });

  it("writes Health 0 and the failing check's HealthCheck 0 when the service fails", async () => {
    // Prepare
    cloudWatch.values = { Requests: [100], Errors: [0], Latency: [9000] };
    const handler = await loadHealth();

    // Act
    await handler(scheduleEvent(), lambdaContext());

    // Assess
    expect(docsWith(HEALTH_METRICS.health.name)[0]?.[HEALTH_METRICS.health.name]).toBe(0);
    const values = Object.fromEntries(
      docsWith(HEALTH_METRICS.check.name).map((d) => [d[HEALTH_CHECK_DIMENSION], d.HealthCheck]),
    );
    expect(values).toMatchObject({ "service:latencyP99": 0, "service:errorRate": 1 });
  });

  it("keeps Health at 1 when CloudWatch itself is down: a warning, not an outage", async () => {
    // Prepare
    cloudWatch.mode = "error500";
    const handler = await loadHealth();

    // Act
    await handler(scheduleEvent(), lambdaContext());

    // Assess
    expect(docsWith(HEALTH_METRICS.health.name)[0]?.[HEALTH_METRICS.health.name]).toBe(1);
    const values = Object.fromEntries(
      docsWith(HEALTH_METRICS.check.name).map((d) => [d[HEALTH_CHECK_DIMENSION], d.HealthCheck]),
    );
    expect(values).toMatchObject({ "service:latencyP99": 0, "service:errorRate": 0 });
  });

  it("writes no health metric for other events, such as a direct invoke", async () => {
    // Prepare
    const handler = await loadHealth();

    // Act
    const result = await handler({} as never, lambdaContext());

    // Assess: the report comes back, but only the schedule feeds the alarm's metric
    expect(["pass", "warn", "fail"]).toContain(JSON.parse(result.body).status);
    expect(JSON.parse(result.body).checks).toHaveProperty("service:errorRate");
    expect(docsWith(HEALTH_METRICS.health.name)).toHaveLength(0);
    expect(docsWith(HEALTH_METRICS.check.name)).toHaveLength(0);
  });

  it("counts its own requests per route only, out of the series its checks read", async () => {
    // Prepare
    const handler = await loadHealth();

    // Act
    await handler(healthEvent(), lambdaContext());

    // Assess
    const [line] = docsWith(METRICS.requests.name);
    expect(line?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([["Service", "Route"]]);
  });

  it("writes no health metric for HTTP requests", async () => {
    // Prepare
    const handler = await loadHealth();

    // Act
    await handler(healthEvent(), lambdaContext());

    // Assess
    expect(docsWith(HEALTH_METRICS.health.name)).toHaveLength(0);
    expect(docsWith(HEALTH_METRICS.check.name)).toHaveLength(0);
    expect(docsWith(METRICS.requests.name)).toHaveLength(1);
  });
});

describe("initialisation", () => {
  it("fails loudly on a malformed setting", async () => {
    await expect(loadHealth({ HEALTH_P99_FAIL_MS: "3 seconds" })).rejects.toThrow(
      /HEALTH_P99_FAIL_MS must be a number from 0 to \d+, got "3 seconds"/,
    );
  });
});

// The health handler at its edges, called directly: checks that are not a list or hold a hole,
// a context with no deadline, and paths that only look like the liveness route.
describe("the health handler at its edges, called directly", () => {
  const settings = healthSettings({ VITALS_SERVICE: "orders-api" });

  /** A check that answers after `ms`, counting its runs. */
  function slowCheck(ms: number) {
    const state = { runs: 0 };
    const check: HealthCheck = {
      name: "db:ping",
      onFailure: "fail",
      run: () =>
        new Promise((resolve) => {
          state.runs++;
          setTimeout(resolve, ms, { observedValue: ms, observedUnit: "ms" });
        }),
    };
    return { check, state };
  }

  describe("the health handler's checks", () => {
    it("must be a list", () => {
      expect(() =>
        healthHandler({ settings, checks: "db:ping" as unknown as HealthCheck[] }),
      ).toThrow(new TypeError("lambda-vitals health: checks must be an array"));
    });

    it("must not hold a hole", () => {
      expect(() => healthHandler({ settings, checks: [null as unknown as HealthCheck] })).toThrow(
        /^lambda-vitals health: check name: a dimension value must be .*: undefined$/,
      );
    });
  });

  describe("the health handler's deadline", () => {
    it("gives the checks the configured deadline when the context tells no remaining time", async () => {
      // Prepare: a context without getRemainingTimeInMillis, as a script or a test may pass
      const { check } = slowCheck(30);
      const handler = healthHandler({ settings, checks: [check] });

      // Act: a direct invocation, which gets the details
      const result = await handler({}, {} as Context);

      // Assess
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body)).toMatchObject({
        status: "pass",
        checks: { "db:ping": [{ status: "pass", observedValue: 30 }] },
      });
    });
  });

  describe("the liveness route", () => {
    it("is a path that ends in /live, not one that continues past it", async () => {
      const { check, state } = slowCheck(1);
      const handler = healthHandler({ settings, checks: [check] });

      await handler(httpApiEvent({ path: "/health/live/" }), {} as Context);
      expect(state.runs).toBe(0);
      await handler(httpApiEvent({ path: "/health/live/deep" }), {} as Context);
      expect(state.runs).toBe(1);
    });
  });
});
