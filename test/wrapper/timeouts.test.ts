import { describe, expect, it, vi } from "vitest";
import { withVitals } from "../../functions/vitals";
import { lambdaContext } from "../fixtures/context";
import { emfProblems } from "../fixtures/emf-spec";
import { httpApiEvent } from "../fixtures/events";
import { capturedEachTest, ok, only, options } from "./harness";

const out = capturedEachTest();

describe("timeouts", () => {
  it("writes the line with Timeouts 1 before the deadline, and nothing when the handler ends late", async () => {
    // Prepare: a handler that outlives a 1 s deadline
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
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

  it("writes no timeout when the handler finishes in time, and leaves no timer behind", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
    const handler = withVitals(ok, options);
    await handler(httpApiEvent(), lambdaContext({ timeoutMs: 1000 }));
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(out.lines()).toHaveLength(1);
    expect(only(out.documents()).Timeouts).toBeUndefined();
  });

  it("uses the configured margin when it is under 10% of the time left", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
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
