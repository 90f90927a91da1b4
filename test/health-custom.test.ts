/**
 * A team's own checks, added the way the README shows, and the rules the handler enforces on
 * them at initialisation.
 */
import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { withVitals } from "../functions/vitals";
import {
  type HealthCheck,
  healthHandler,
  healthSettings,
  runtimeChecks,
} from "../functions/vitals/health";
import { lambdaContext } from "./fixtures/context";
import { httpApiEvent } from "./fixtures/events";
import { captureStdout } from "./fixtures/stdout";

const settings = healthSettings({ VITALS_SERVICE: "orders-api", HEALTH_CACHE_MS: "0" });
// An operator's signed GET /health/details: the answer carries each check (docs/health.md)
const unsigned = httpApiEvent({ method: "GET", path: "/health/details", route: "/health/details" });
const event = {
  ...unsigned,
  requestContext: {
    ...unsigned.requestContext,
    authorizer: { iam: { userArn: "arn:aws:iam::1:role/ops" } },
  },
};

function database(ping: (signal: AbortSignal) => Promise<void>, onFailure: "warn" | "fail") {
  return {
    name: "postgres:responseTime",
    onFailure,
    timeoutMs: 300,
    async run(signal) {
      const started = performance.now();
      await ping(signal);
      return { observedValue: Math.round(performance.now() - started), observedUnit: "ms" };
    },
  } satisfies HealthCheck;
}

async function call(checks: HealthCheck[], context: Context = lambdaContext()) {
  const stdout = captureStdout();
  try {
    const handler = withVitals(healthHandler({ settings, checks }));
    const response = await handler(event, context);
    return { response, body: JSON.parse(response.body), logs: stdout.documents() };
  } finally {
    stdout.restore();
  }
}

describe("a custom check", () => {
  it("adds its result under its own key", async () => {
    // Act
    const { response, body } = await call([...runtimeChecks(), database(async () => {}, "fail")]);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(body.checks["postgres:responseTime"][0]).toMatchObject({
      status: "pass",
      observedUnit: "ms",
    });
  });

  it("whose dependency is down fails the service when it declares onFailure fail", async () => {
    // Act
    const { response, body } = await call([
      database(async () => Promise.reject(new Error("ECONNREFUSED 10.0.0.5:5432")), "fail"),
    ]);

    // Assess
    expect(response.statusCode).toBe(503);
    expect(body.checks["postgres:responseTime"][0]).toMatchObject({
      status: "fail",
      output: "failed (Error)",
    });
    expect(response.body).not.toContain("10.0.0.5");
  });

  it("whose dependency is down only warns when it declares onFailure warn", async () => {
    // Act
    const { response, body } = await call([
      database(async () => Promise.reject(new Error("ECONNREFUSED")), "warn"),
    ]);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(body.status).toBe("warn");
  });

  it("that hangs is cut off at its timeout and its signal is aborted", async () => {
    // Prepare
    let aborted = false;
    const hang = (signal: AbortSignal) =>
      new Promise<void>(() => {
        signal.addEventListener("abort", () => {
          aborted = true;
        });
      });

    // Act
    const { response, body } = await call([database(hang, "fail")]);

    // Assess
    expect(response.statusCode).toBe(503);
    expect(body.checks["postgres:responseTime"][0].output).toBe("timed out after 300 ms");
    expect(aborted).toBe(true);
  });

  it("leaves why it failed in the log line, not in the response", async () => {
    // Act
    const { logs } = await call([
      database(async () => Promise.reject(new Error("ECONNREFUSED 10.0.0.5:5432")), "fail"),
    ]);

    // Assess
    const line = logs.find((doc) => "health" in doc) as {
      health: { status: string; checks: Record<string, { detail?: string }> };
    };
    expect(line.health.status).toBe("fail");
    expect(line.health.checks["postgres:responseTime"]?.detail).toContain("ECONNREFUSED");
  });
});

describe("healthHandler rejects at initialisation", () => {
  const ok: HealthCheck = { name: "a:b", onFailure: "warn", run: () => ({}) };
  it.each([
    { checks: [ok, { ...ok }], message: /duplicate check "a:b"/ },
    { checks: [{ ...ok, name: "" }], message: /check name: a dimension value must be 1-1024/ },
    { checks: [{ ...ok, name: "caf\u00e9:latency" }], message: /check name: .*printable ASCII/ },
    {
      checks: [{ ...ok, onFailure: "error" as "warn" }],
      message: /onFailure must be "warn" or "fail"/,
    },
    { checks: [{ ...ok, run: undefined as never }], message: /run must be a function/ },
    { checks: [{ ...ok, timeoutMs: 0 }], message: /timeoutMs must be a number > 0/ },
  ])("$message", ({ checks, message }) => {
    expect(() => healthHandler({ settings, checks })).toThrow(message);
  });
});
