import type { Context } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { withVitals } from "../../functions/vitals";
import { lambdaContext } from "../fixtures/context";
import { PER_ROUTE } from "../fixtures/documents";
import { emfProblems } from "../fixtures/emf-spec";
import { httpApiEvent, sqsEvent } from "../fixtures/events";
import { type Captured, captureStdout } from "../fixtures/stdout";
import { capturedEachTest, ok, only, options, timersHoldingTheProcess } from "./harness";

const out = capturedEachTest();

describe("timeouts", () => {
  it("writes the line with Timeouts 1 before the deadline, and nothing when the handler ends late", async () => {
    // Prepare: a handler that outlives a 1 s deadline
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance", "hrtime"] });
    let finish: (value: { statusCode: number }) => void = () => {};
    const handler = withVitals(
      () =>
        new Promise<{ statusCode: number }>((resolve) => {
          finish = resolve;
        }),
      options,
    );
    const context = lambdaContext({ timeoutMs: 1000 });
    // Act
    const pending = handler(httpApiEvent(), context);
    await vi.advanceTimersByTimeAsync(850);
    const beforeMargin = out.lines().length;
    await vi.advanceTimersByTimeAsync(100);
    // Assess: written 100 ms (10% of 1 s) before the deadline
    expect(beforeMargin).toBe(0);
    const doc = only(out.documents());
    expect(doc).toMatchObject({ Timeouts: 1, Errors: 1, errorType: "Timeout", Requests: 1 });
    expect(doc.Latency).toBe(900);
    expect(emfProblems(out.lines()[0] ?? "", Date.now())).toEqual([]);
    // Act: the late completion still returns its result, and writes no second line
    finish({ statusCode: 200 });
    await expect(pending).resolves.toEqual({ statusCode: 200 });
    expect(out.lines()).toHaveLength(1);
  });

  it("writes no timeout when the handler finishes in time, and leaves no timer that holds the process", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance", "hrtime"] });
    const holding = timersHoldingTheProcess();
    const handler = withVitals(ok, options);
    await handler(httpApiEvent(), lambdaContext({ timeoutMs: 1000 }));
    expect(holding()).toBe(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(out.lines()).toHaveLength(1);
    expect(only(out.documents()).Timeouts).toBeUndefined();
  });

  it("uses the configured margin when it is under 10% of the time left", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance", "hrtime"] });
    const handler = withVitals(() => new Promise<never>(() => {}), {
      ...options,
      timeoutMarginMs: 50,
    });
    void handler(httpApiEvent(), lambdaContext({ timeoutMs: 10_000 }));
    await vi.advanceTimersByTimeAsync(9_940);
    expect(out.lines()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(20);
    expect(only(out.documents()).Timeouts).toBe(1);
  });

  it("sets no timer for a deadline beyond what setTimeout can hold", async () => {
    const handler = withVitals(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { statusCode: 200 };
    }, options);
    await handler(httpApiEvent(), lambdaContext({ timeoutMs: 3e9 }));
    expect(only(out.documents()).Timeouts).toBeUndefined();
  });

  it("measures without a deadline when the context has none", async () => {
    const handler = withVitals(ok, options);
    await handler(httpApiEvent(), lambdaContext({ timeoutMs: undefined }));
    expect(only(out.documents()).Timeouts).toBeUndefined();
  });
});

// When the timeout line is written: the margin, its limits, and contexts whose deadline is
// missing, spent or broken.
describe("the timeout line at its edges", () => {
  let out: Captured;
  beforeEach(() => {
    out = captureStdout();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance", "hrtime"] });
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
      expect(doc).toMatchObject({
        Route: "event:sqs",
        Timeouts: 1,
        Errors: 1,
        errorType: "Timeout",
      });
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
});
