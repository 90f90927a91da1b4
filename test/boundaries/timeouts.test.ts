/**
 * When the timeout line is written: the margin, its limits, and contexts whose deadline is
 * missing, spent or broken.
 */
import type { Context } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { withVitals } from "../../functions/vitals";
import { lambdaContext } from "../fixtures/context";
import { PER_ROUTE } from "../fixtures/documents";
import { httpApiEvent, sqsEvent } from "../fixtures/events";
import { type Captured, captureStdout } from "../fixtures/stdout";

let out: Captured;
beforeEach(() => {
  out = captureStdout();
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
});
afterEach(() => {
  out.restore();
  vi.useRealTimers();
});

const base = { namespace: "Shop", service: "orders" };
const never = () => new Promise<never>(() => {});

describe("the timeout margin", () => {
  it("accepts 0, which writes the line at the deadline itself", async () => {
    // Prepare
    const handler = withVitals(never, { ...base, timeoutMarginMs: 0 });
    // Act
    void handler(httpApiEvent(), lambdaContext({ timeoutMs: 1000 }));
    await vi.advanceTimersByTimeAsync(999);
    const early = out.lines().length;
    await vi.advanceTimersByTimeAsync(1);
    // Assess
    expect(early).toBe(0);
    expect(out.documents()[0]).toMatchObject({
      Timeouts: 1,
      errorMessage: "no result after 1000 ms",
    });
  });

  it.each([-1, -0.5, Number.POSITIVE_INFINITY])("rejects %s", (margin) => {
    expect(() => withVitals(never, { ...base, timeoutMarginMs: margin })).toThrow(
      new TypeError(`lambda-vitals: timeoutMarginMs must be a number >= 0, got ${margin}`),
    );
  });

  it("is cut to a tenth of the time left", async () => {
    // Prepare: 200 ms by default, but only 2 s are left
    const handler = withVitals(never, base);
    // Act
    void handler(httpApiEvent(), lambdaContext({ timeoutMs: 2000 }));
    await vi.advanceTimersByTimeAsync(1799);
    const early = out.lines().length;
    await vi.advanceTimersByTimeAsync(1);
    // Assess
    expect(early).toBe(0);
    expect(out.lines()).toHaveLength(1);
  });
});

describe("the timeout line", () => {
  it("of a non-HTTP event counts a timeout and an error, per route only", async () => {
    // Act
    void withVitals(never, base)(sqsEvent(), lambdaContext({ timeoutMs: 1000 }));
    await vi.advanceTimersByTimeAsync(1000);
    // Assess
    const [doc] = out.documents();
    expect(doc).toMatchObject({ Route: "event:sqs", Timeouts: 1, Errors: 1, errorType: "Timeout" });
    expect(doc).not.toHaveProperty("status");
    const aws = doc?._aws as { CloudWatchMetrics: { Dimensions: unknown }[] };
    expect(aws.CloudWatchMetrics[0]?.Dimensions).toEqual(PER_ROUTE);
  });

  it("is the only line when the handler fails after it", async () => {
    // Prepare
    let fail: (error: Error) => void = () => {};
    const handler = withVitals(
      () =>
        new Promise<never>((_, reject) => {
          fail = reject;
        }),
      base,
    );
    // Act
    const pending = handler(httpApiEvent(), lambdaContext({ timeoutMs: 1000 }));
    await vi.advanceTimersByTimeAsync(1000);
    fail(new Error("late"));
    const response = (await pending) as { statusCode: number };
    // Assess: the caller still gets its 500, and the timeout stays the one line
    expect(response.statusCode).toBe(500);
    expect(out.documents()).toHaveLength(1);
    expect(out.documents()[0]).toMatchObject({ Timeouts: 1 });
  });
});

describe("a context without a usable deadline", () => {
  function contextLeft(remaining: () => number): Context {
    return { ...lambdaContext(), getRemainingTimeInMillis: remaining };
  }

  it.each([
    ["no time left", () => 0],
    ["a negative time", () => -5],
    ["not a number", () => Number.NaN],
    ["a string", () => "1000" as unknown as number],
    ["an infinite time", () => Number.POSITIVE_INFINITY],
    [
      "a throwing clock",
      () => {
        throw new Error("no clock");
      },
    ],
  ])("sets no timer when it reports %s, and writes the ordinary line", async (_, remaining) => {
    // Prepare: a handler that takes 5 s, longer than any deadline these could be read as
    const handler = withVitals(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5000));
      return { statusCode: 200 };
    }, base);
    // Act
    const pending = handler(httpApiEvent(), contextLeft(remaining));
    await vi.advanceTimersByTimeAsync(5000);
    await pending;
    // Assess
    expect(out.documents()).toHaveLength(1);
    expect(out.documents()[0]).not.toHaveProperty("Timeouts");
    expect(out.documents()[0]).toMatchObject({ status: 200 });
  });
});
