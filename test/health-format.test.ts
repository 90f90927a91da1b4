/**
 * The response format of the IETF draft "Health Check Response Format for HTTP APIs", and the
 * HTTP result around it.
 */
import { describe, expect, it } from "vitest";
import type { CheckResult, HealthReport } from "../functions/vitals/health/checks";
import { HEALTH_CONTENT_TYPE, healthBody, healthResult } from "../functions/vitals/health/format";

const INFO = {
  version: "1",
  releaseId: "2026.11.25-abc1234",
  serviceId: "orders-api",
  description: "health of orders-api",
};
const TIME = "2026-11-25T03:00:00.000Z";

function result(fields: Partial<CheckResult> & Pick<CheckResult, "name">): CheckResult {
  return { status: "pass", time: TIME, durationMs: 3, ...fields };
}

describe("healthBody", () => {
  it("has the draft's service fields and one array per component:measurement key", () => {
    // Prepare
    const report: HealthReport = {
      status: "warn",
      results: [
        result({ name: "runtime:uptime", observedValue: 12.5, observedUnit: "s" }),
        result({
          name: "service:latencyP99",
          status: "warn",
          observedValue: 1500,
          observedUnit: "ms",
          output: "p99 latency 1500 ms is above 1000 ms",
        }),
      ],
    };

    // Act
    const body = healthBody(report, INFO);

    // Assess
    expect(body).toEqual({
      status: "warn",
      version: "1",
      releaseId: "2026.11.25-abc1234",
      serviceId: "orders-api",
      description: "health of orders-api",
      checks: {
        "runtime:uptime": [{ status: "pass", observedValue: 12.5, observedUnit: "s", time: TIME }],
        "service:latencyP99": [
          {
            status: "warn",
            observedValue: 1500,
            observedUnit: "ms",
            time: TIME,
            output: "p99 latency 1500 ms is above 1000 ms",
          },
        ],
      },
    });
  });

  it("keeps an observedValue of null: a measurement with nothing to measure", () => {
    // Act
    const body = healthBody(
      { status: "pass", results: [result({ name: "service:errorRate", observedValue: null })] },
      INFO,
    );

    // Assess
    expect(body.checks?.["service:errorRate"]?.[0]).toHaveProperty("observedValue", null);
  });

  it("never carries what a check keeps for the log", () => {
    // Prepare
    const report: HealthReport = {
      status: "fail",
      results: [result({ name: "db:ping", status: "fail", detail: "Error: password=hunter2" })],
    };

    // Act
    const text = JSON.stringify(healthBody(report, INFO));

    // Assess
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("durationMs");
  });

  it("is a bare pass with the service fields for the liveness route", () => {
    expect(healthBody(undefined, INFO)).toEqual({ status: "pass", ...INFO });
  });
});

describe("healthResult", () => {
  it.each([
    { status: "pass", statusCode: 200 },
    { status: "warn", statusCode: 200 },
    { status: "fail", statusCode: 503 },
  ] as const)("answers $status with $statusCode", ({ status, statusCode }) => {
    // Act
    const response = healthResult({ status, ...INFO, checks: {} });

    // Assess
    expect(response.statusCode).toBe(statusCode);
    expect(JSON.parse(response.body)).toMatchObject({ status });
  });

  it("is application/health+json and never cached", () => {
    // Act
    const response = healthResult({ status: "pass", ...INFO });

    // Assess
    expect(HEALTH_CONTENT_TYPE).toBe("application/health+json");
    expect(response.headers).toEqual({
      "content-type": "application/health+json",
      "cache-control": "no-store",
    });
  });
});
