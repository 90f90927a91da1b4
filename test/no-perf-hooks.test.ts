/**
 * `globalThis.performance` is a lazy global: its first read loads Node's perf_hooks, about 1 ms of
 * a cold start that the Lambda runtime client has not paid before the handler runs (aws-lambda-ric
 * 4 on Node 24). The library's clock is `process.hrtime` (`monotonicMs`), so neither a measured
 * invocation, however it ends, nor the health checks and their cache read that global.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HttpError, withVitals } from "../functions/vitals";
import { cachedFor } from "../functions/vitals/health/cache";
import { runChecks } from "../functions/vitals/health/checks";
import { lambdaContext } from "./fixtures/context";
import { httpApiEvent, sqsEvent } from "./fixtures/events";
import { type Captured, captureStdout } from "./fixtures/stdout";

let out: Captured;
let reads: number;
const original = Object.getOwnPropertyDescriptor(globalThis, "performance");

beforeEach(() => {
  out = captureStdout();
  reads = 0;
  const real = globalThis.performance;
  Object.defineProperty(globalThis, "performance", {
    configurable: true,
    get() {
      reads += 1;
      return real;
    },
  });
});
afterEach(() => {
  if (original !== undefined) Object.defineProperty(globalThis, "performance", original);
  out.restore();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the library's clock", () => {
  it("is not performance in a measured invocation, whether it answers, throws or times out", async () => {
    // Prepare
    const options = { namespace: "Shop", service: "orders" };
    const answers = withVitals(async () => ({ statusCode: 200 }), options);
    const throwsHttp = withVitals(async () => {
      throw new HttpError(404, "no such order");
    }, options);
    const throwsForQueue = withVitals(async () => {
      throw new Error("poison message");
    }, options);
    const outlivesDeadline = withVitals(async () => {
      await sleep(80);
      return { statusCode: 200 };
    }, options);
    // Act
    await answers(httpApiEvent(), lambdaContext());
    await throwsHttp(httpApiEvent(), lambdaContext());
    await throwsForQueue(sqsEvent(), lambdaContext()).catch(() => undefined);
    await outlivesDeadline(httpApiEvent(), lambdaContext({ timeoutMs: 40 }));
    // Assess: four invocations, the last one's line its timeout, and no read of the global
    expect(out.documents().map((doc) => doc.Latency !== undefined)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(out.documents()[3]).toMatchObject({ Timeouts: 1 });
    expect(reads).toBe(0);
  });

  it("is not performance in the health checks and their cache", async () => {
    // Prepare
    const report = cachedFor(60_000, () =>
      runChecks([{ name: "store:ping", onFailure: "fail", run: async () => ({}) }], {
        budgetMs: 1000,
        defaultTimeoutMs: 1000,
      }),
    );
    // Act: the second call is served from the cache, by its clock
    const first = await report(undefined);
    const second = await report(undefined);
    // Assess
    expect(first.results.map((result) => result.status)).toEqual(["pass"]);
    expect(second).toBe(first);
    expect(reads).toBe(0);
  });
});
