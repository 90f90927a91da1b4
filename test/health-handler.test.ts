/**
 * The health function as deployed (`functions/health.ts`, wrapped by `withVitals`), against a
 * CloudWatch endpoint on 127.0.0.1: status codes, deadline, cache, liveness, and what the response
 * must never carry. The scheduled run's metrics are test/health-scheduled.test.ts's.
 */
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { type HealthCheck, healthHandler, healthSettings } from "../functions/vitals/health";
import type { HealthHttpResult } from "../functions/vitals/health/format";
import { lambdaContext } from "./fixtures/context";
import { albEvent, httpApiEvent } from "./fixtures/events";
import { fakeClock, settledJustBefore, tracked, untilReal } from "./fixtures/fake-clock";
import {
  ACCESS_KEY,
  healthEvent,
  healthFunctionEachTest,
  SECRET,
  SERVICE,
  TOKEN,
} from "./fixtures/health-function";

const health = healthFunctionEachTest();

/** What anyone can send: GET /health without credentials. */
const publicEvent = (): APIGatewayProxyEventV2 =>
  httpApiEvent({ method: "GET", path: "/health", route: "/health" });
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
    health.cloudWatch.values = { Requests: [100], Errors: [...errors], Latency: [180] };
    const handler = await health.load({ HEALTH_SIBLING_FUNCTIONS: "orders-api-dev-getInvoice" });

    // Act
    const response = await handler(publicEvent(), lambdaContext({ timeoutMs: 10_000 }));

    // Assess: no version, release, figures, checks or names; the log line keeps them all
    expect(response.statusCode).toBe(code);
    expect(response.headers["content-type"]).toBe("application/health+json");
    expect(JSON.parse(response.body)).toEqual({ status });
    const line = health.stdout.documents().find((d) => d.health !== undefined);
    const logged = (line?.health ?? { checks: {} }) as { checks: object };
    expect(Object.keys(logged.checks)).toContain("service:errorRate");
  });

  it("GET /health/details without an IAM identity, and GET /health/live: the status alone", async () => {
    // Prepare: the details route as a route without the authorizer would pass it
    const handler = await health.load();
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
    health.cloudWatch.values = { Requests: [200], Errors: [0], Latency: [180] };
    const handler = await health.load();

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
    health.cloudWatch.values = { Requests: [200], Errors: [0], Latency: [180] };
    const handler = await health.load();

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
    expect(health.cloudWatch.requests).toHaveLength(2);
  });

  it("answers 503 when the service's error rate is above the fail threshold", async () => {
    // Prepare
    health.cloudWatch.values = { Requests: [100], Errors: [40], Latency: [180] };
    const handler = await health.load({ HEALTH_ERROR_RATE_FAIL_PERCENT: "10" });

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
    health.cloudWatch.mode = "hang";
    const handler = await health.load({ HEALTH_DEADLINE_MS: "800" });
    const clock = fakeClock();

    // Act
    const run = tracked(handler(healthEvent(), lambdaContext({ timeoutMs: 10_000 })));
    await untilReal(() => health.cloudWatch.requests.length === 2);
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
    health.cloudWatch.mode = "hang";
    const handler = await health.load({ HEALTH_DEADLINE_MS: "10000" });
    const clock = fakeClock();

    // Act
    const run = tracked(handler(healthEvent(), lambdaContext({ timeoutMs: 1500 })));
    await untilReal(() => health.cloudWatch.requests.length === 2);
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
    health.cloudWatch.values = { Requests: [10], Errors: [0], Latency: [50] };
    const handler = await health.load({ HEALTH_CACHE_MS: "60000", HEALTH_DEADLINE_MS: "3000" });

    // Act
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => handler(healthEvent(), lambdaContext({ timeoutMs: 10_000 }))),
    );
    await handler(healthEvent(), lambdaContext({ timeoutMs: 10_000 }));

    // Assess
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(health.cloudWatch.requests).toHaveLength(2); // one GetMetricData per CloudWatch check, once
  });

  it("neither serves nor keeps a cached report for an invocation short of time", async () => {
    // Prepare: a slow CloudWatch that only a full budget waits for
    health.cloudWatch.values = { Requests: [10], Errors: [0], Latency: [50] };
    health.cloudWatch.mode = "slow";
    health.cloudWatch.slowMs = 300;
    const handler = await health.load({ HEALTH_CACHE_MS: "60000", HEALTH_DEADLINE_MS: "3000" });

    // Act: a rushed invocation (200 ms for its checks), then two with time
    const rushed = await handler(healthEvent(), lambdaContext({ timeoutMs: 700 }));
    const full = await handler(healthEvent(), lambdaContext({ timeoutMs: 10_000 }));
    const requestsAfterFull = health.cloudWatch.requests.length;
    const again = await handler(healthEvent(), lambdaContext({ timeoutMs: 10_000 }));

    // Assess: the rushed report warns; the next caller gets a fresh, full one, which is cached
    expect(JSON.parse(rushed.body).status).toBe("warn");
    expect(JSON.parse(full.body).status).toBe("pass");
    expect(JSON.parse(again.body).status).toBe("pass");
    expect(health.cloudWatch.requests).toHaveLength(requestsAfterFull);
  });

  it("keeps the cache for a function whose timeout is shorter than its deadline: 100 calls, one run", async () => {
    // Prepare: timeout 3 s and HEALTH_DEADLINE_MS 3000, so every invocation is short of time
    health.cloudWatch.values = { Requests: [10], Errors: [0], Latency: [50] };
    health.cloudWatch.mode = "slow";
    health.cloudWatch.slowMs = 50;
    const handler = await health.load({ HEALTH_CACHE_MS: "10000", HEALTH_DEADLINE_MS: "3000" });

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
    expect(health.cloudWatch.requests).toHaveLength(2);
  });

  it("asks CloudWatch again on every request with HEALTH_CACHE_MS=0", async () => {
    // Prepare
    const handler = await health.load({ HEALTH_CACHE_MS: "0" });

    // Act
    await handler(healthEvent(), lambdaContext());
    await handler(healthEvent(), lambdaContext());

    // Assess
    expect(health.cloudWatch.requests).toHaveLength(4);
  });
});

describe("what the response never carries", () => {
  it.each(["echo-auth", "error500", "malformed"] as const)(
    "no credentials, environment or raw errors when CloudWatch answers %s",
    async (mode) => {
      // Prepare
      health.cloudWatch.mode = mode;
      const handler = await health.load();

      // Act
      const response = await handler(healthEvent(), lambdaContext());

      // Assess
      const text = response.body + JSON.stringify(response.headers);
      expect(health.cloudWatch.requests[0]?.authorization).toContain(ACCESS_KEY);
      for (const secret of [
        ACCESS_KEY,
        SECRET,
        TOKEN,
        health.cloudWatch.url,
        "Signature",
        "Internal failure",
      ]) {
        expect(text).not.toContain(secret);
      }
      expect(text).not.toMatch(/\n\s+at /); // no stack trace
      const logs = health.stdout.lines().join("\n");
      for (const secret of [SECRET, TOKEN]) expect(logs).not.toContain(secret);
      expect(bodyOf(response).checks?.["service:errorRate"]?.[0]?.status).toBe("warn");
    },
  );
});

describe("GET /health/live", () => {
  it("answers pass without running any check or calling CloudWatch", async () => {
    // Prepare
    const handler = await health.load();

    // Act
    const response = await handler(liveEvent(), lambdaContext());

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("application/health+json");
    expect(bodyOf(response)).toEqual({ status: "pass" });
    expect(health.cloudWatch.requests).toHaveLength(0);
  });

  it("answers an ALB in its shape, with multi-value headers when the target group uses them", async () => {
    // Prepare
    const handler = await health.load();

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

describe("initialisation", () => {
  it("fails loudly on a malformed setting", async () => {
    await expect(health.load({ HEALTH_P99_FAIL_MS: "3 seconds" })).rejects.toThrow(
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
