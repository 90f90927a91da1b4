/**
 * The health function's scheduled run (`functions/health.ts`), against a CloudWatch endpoint on
 * 127.0.0.1: Health on the invocation's line and one HealthCheck line per check, and no health
 * metric for any other event.
 */
import { describe, expect, it } from "vitest";
import {
  DIMENSIONS,
  HEALTH_CHECK_DIMENSION,
  HEALTH_METRICS,
  METRICS,
} from "../functions/vitals/contract";
import { lambdaContext } from "./fixtures/context";
import { emfProblems } from "./fixtures/emf-spec";
import { scheduleEvent } from "./fixtures/events";
import {
  type EmfDoc,
  healthEvent,
  healthFunctionEachTest,
  NAMESPACE,
  SERVICE,
} from "./fixtures/health-function";

const health = healthFunctionEachTest();

function directiveOf(doc: EmfDoc, metric: string) {
  return doc._aws.CloudWatchMetrics.find((dir) => dir.Metrics.some((m) => m.Name === metric));
}

/** Each check's HealthCheck value, by its name, from the lines written so far. */
function checkValues(): Record<string, unknown> {
  return Object.fromEntries(
    health
      .docsWith(HEALTH_METRICS.check.name)
      .map((d) => [d[HEALTH_CHECK_DIMENSION], d[HEALTH_METRICS.check.name]]),
  );
}

describe("the scheduled run", () => {
  it("writes Health on the invocation's line and one HealthCheck line per check", async () => {
    // Prepare
    health.cloudWatch.values = { Requests: [100], Errors: [0], Latency: [100] };
    const handler = await health.load();

    // Act
    await handler(scheduleEvent(), lambdaContext());

    // Assess
    for (const written of health.stdout.lines()) expect(emfProblems(written)).toEqual([]);
    const [line, ...others] = health.docsWith(HEALTH_METRICS.health.name);
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
    const checks = health.docsWith(HEALTH_METRICS.check.name);
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
    health.cloudWatch.values = { Requests: [100], Errors: [0], Latency: [9000] };
    const handler = await health.load();

    // Act
    await handler(scheduleEvent(), lambdaContext());

    // Assess
    expect(health.docsWith(HEALTH_METRICS.health.name)[0]?.[HEALTH_METRICS.health.name]).toBe(0);
    const values = checkValues();
    expect(values).toMatchObject({ "service:latencyP99": 0, "service:errorRate": 1 });
  });

  it("keeps Health at 1 when CloudWatch itself is down: a warning, not an outage", async () => {
    // Prepare
    health.cloudWatch.mode = "error500";
    const handler = await health.load();

    // Act
    await handler(scheduleEvent(), lambdaContext());

    // Assess
    expect(health.docsWith(HEALTH_METRICS.health.name)[0]?.[HEALTH_METRICS.health.name]).toBe(1);
    const values = checkValues();
    expect(values).toMatchObject({ "service:latencyP99": 0, "service:errorRate": 0 });
  });

  it("writes no health metric for other events, such as a direct invoke", async () => {
    // Prepare
    const handler = await health.load();

    // Act
    const result = await handler({} as never, lambdaContext());

    // Assess: the report comes back, but only the schedule feeds the alarm's metric
    expect(["pass", "warn", "fail"]).toContain(JSON.parse(result.body).status);
    expect(JSON.parse(result.body).checks).toHaveProperty("service:errorRate");
    expect(health.docsWith(HEALTH_METRICS.health.name)).toHaveLength(0);
    expect(health.docsWith(HEALTH_METRICS.check.name)).toHaveLength(0);
  });

  it("counts its own requests per route only, out of the series its checks read", async () => {
    // Prepare
    const handler = await health.load();

    // Act
    await handler(healthEvent(), lambdaContext());

    // Assess
    const [line] = health.docsWith(METRICS.requests.name);
    expect(line?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([["Service", "Route"]]);
  });

  it("writes no health metric for HTTP requests", async () => {
    // Prepare
    const handler = await health.load();

    // Act
    await handler(healthEvent(), lambdaContext());

    // Assess
    expect(health.docsWith(HEALTH_METRICS.health.name)).toHaveLength(0);
    expect(health.docsWith(HEALTH_METRICS.check.name)).toHaveLength(0);
    expect(health.docsWith(METRICS.requests.name)).toHaveLength(1);
  });
});
