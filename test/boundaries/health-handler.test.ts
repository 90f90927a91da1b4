/**
 * The health handler at its edges, called directly: checks that are not a list or hold a hole,
 * a context with no deadline, and paths that only look like the liveness route.
 */
import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { type HealthCheck, healthHandler, healthSettings } from "../../functions/vitals/health";
import { httpApiEvent } from "../fixtures/events";

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
