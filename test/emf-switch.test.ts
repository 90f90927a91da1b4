/**
 * `VITALS_EMF=off`, the switch that keeps EMF lines out of a service's own tests: no line from the
 * wrapper or the health handler, while `invokeMeasured` still collects its own. The library reads
 * it when it loads, so each case loads a fresh copy.
 */
import type { Context } from "aws-lambda";
import { afterEach, describe, expect, it, vi } from "vitest";
import { lambdaContext } from "./fixtures/context";
import { httpApiEvent } from "./fixtures/events";
import { captureStdout } from "./fixtures/stdout";

const options = { namespace: "Test", service: "orders" };

async function freshLibrary(emf: string | undefined) {
  vi.resetModules();
  vi.stubEnv("VITALS_EMF", emf);
  const [main, health, testing] = await Promise.all([
    import("../functions/vitals/index.ts"),
    import("../functions/vitals/health/index.ts"),
    import("../functions/vitals/testing.ts"),
  ]);
  return { ...main, ...health, ...testing };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("VITALS_EMF", () => {
  it("off: a wrapped handler answers as before and writes no line", async () => {
    // Prepare
    const { withVitals, metricsFor } = await freshLibrary("off");
    const handler = withVitals(async (_event: unknown, context: Context) => {
      metricsFor(context).addMetric("OrdersCreated", 1);
      return { statusCode: 201, body: "{}" };
    }, options);
    const stdout = captureStdout();
    try {
      // Act
      const result = await handler(
        httpApiEvent({ method: "POST", path: "/orders" }),
        lambdaContext(),
      );
      // Assess
      expect(result).toEqual({ statusCode: 201, body: "{}" });
      expect(stdout.lines()).toEqual([]);
    } finally {
      stdout.restore();
    }
  });

  it("off: the scheduled health run writes no metric line either", async () => {
    // Prepare
    const { withVitals, healthHandler, healthSettings, runtimeChecks } = await freshLibrary("off");
    const handler = withVitals(
      healthHandler({ settings: healthSettings({}), checks: runtimeChecks() }),
      { ...options, serviceWide: false },
    );
    const stdout = captureStdout();
    try {
      // Act
      await handler({ source: "aws.events", "detail-type": "Scheduled Event" }, lambdaContext());
      // Assess
      expect(stdout.lines()).toEqual([]);
    } finally {
      stdout.restore();
    }
  });

  it("off: invokeMeasured still collects the invocation's line", async () => {
    // Prepare
    const { withVitals, invokeMeasured } = await freshLibrary("off");
    const handler = withVitals(async () => ({ statusCode: 204 }), options);
    const stdout = captureStdout();
    try {
      // Act
      const { lines } = await invokeMeasured(handler, httpApiEvent({ path: "/ping" }));
      // Assess
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ status: 204 });
      expect(stdout.lines()).toEqual([]);
    } finally {
      stdout.restore();
    }
  });

  it("any other value, or none, leaves the line on", async () => {
    for (const value of [undefined, "", "on", "OFF", "0"]) {
      // Prepare
      const { withVitals } = await freshLibrary(value);
      const handler = withVitals(async () => ({ statusCode: 200 }), options);
      const stdout = captureStdout();
      try {
        // Act
        await handler(httpApiEvent({ path: "/ping" }), lambdaContext());
        // Assess
        expect(stdout.documents(), `VITALS_EMF=${String(value)}`).toHaveLength(1);
      } finally {
        stdout.restore();
      }
    }
  });
});
