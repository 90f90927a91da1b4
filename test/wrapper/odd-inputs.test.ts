/**
 * Inputs a JavaScript caller or a runtime can hand the library that TypeScript would not allow:
 * each still gets a clear answer (an exact error message, a line with a plain field), never a
 * crash inside the wrapper. Found by mutation testing: each test kills mutants that survived.
 */
import type { Context } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { metricsFor, type VitalsOptions, withVitals } from "../../functions/vitals";
import { lambdaContext } from "../fixtures/context";
import type { Doc } from "../fixtures/documents";
import { httpApiEvent } from "../fixtures/events";
import { type Captured, captureStdout } from "../fixtures/stdout";

let out: Captured;
beforeEach(() => {
  out = captureStdout();
});
afterEach(() => {
  out.restore();
  vi.useRealTimers();
  delete (globalThis as { awslambda?: unknown }).awslambda;
});

const ok = async () => ({ statusCode: 200 });
const base = { namespace: "Shop", service: "orders" };

/** The line a handler that throws `thrown` writes. */
async function lineOfThrow(thrown: unknown): Promise<Doc> {
  await withVitals(async () => {
    throw thrown;
  }, base)(httpApiEvent(), lambdaContext());
  return out.documents()[0] as Doc;
}

describe("thrown values", () => {
  it("null is named by its type", async () => {
    expect(await lineOfThrow(null)).toMatchObject({ errorType: "object", errorMessage: "null" });
  });

  it("an error whose name is not a string is an Error, and keeps its message", async () => {
    const error = Object.assign(new Error("boom"), { name: 42 });
    expect(await lineOfThrow(error)).toMatchObject({ errorType: "Error", errorMessage: "boom" });
  });

  it("an error whose message throws when read keeps its name and an empty message", async () => {
    const error = new RangeError("x");
    Object.defineProperty(error, "message", {
      get() {
        throw new Error("unreadable");
      },
    });
    expect(await lineOfThrow(error)).toMatchObject({ errorType: "RangeError", errorMessage: "" });
  });

  it("a function with a status and expose is not an HTTP error: it answers 500", async () => {
    const shaped = Object.assign(() => undefined, { status: 404, expose: true });
    expect(await lineOfThrow(shaped)).toMatchObject({ status: 500, errorType: "function" });
  });

  it("an object whose every read throws is an Error with an empty message", async () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error("hostile");
        },
      },
    );
    expect(await lineOfThrow(hostile)).toMatchObject({
      status: 500,
      errorType: "Error",
      errorMessage: "",
    });
  });
});

describe("options", () => {
  it.each([null, "orders", 42])(
    "that are not an object (%j) are rejected with a clear message",
    (options) => {
      expect(() => withVitals(ok, options as unknown as VitalsOptions)).toThrow(
        new TypeError(`lambda-vitals: options must be an object, got ${options}`),
      );
    },
  );

  it("with an unknown key are rejected with the known ones listed", () => {
    expect(() => withVitals(ok, { ...base, retries: 3 } as VitalsOptions)).toThrow(
      new TypeError(
        'lambda-vitals: unknown option "retries" (known: namespace, service, routes, timeoutMarginMs, serviceWide)',
      ),
    );
  });
});

describe("deadlines at the edge of what setTimeout holds", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance", "hrtime"] });
  });

  function contextLeft(ms: number): Context {
    return { ...lambdaContext(), getRemainingTimeInMillis: () => ms };
  }

  it("sets a timer for a delay of exactly 2^31 - 1 ms", () => {
    void withVitals(() => new Promise<never>(() => {}), base)(
      httpApiEvent(),
      contextLeft(2 ** 31 - 1 + 200),
    );
    expect(vi.getTimerCount()).toBe(1);
  });

  it("sets none for a delay of 2^31 ms", () => {
    void withVitals(() => new Promise<never>(() => {}), base)(
      httpApiEvent(),
      contextLeft(2 ** 31 + 200),
    );
    expect(vi.getTimerCount()).toBe(0);
  });

  it("reports the time the handler ran, not the clock's reading, in the timeout message", async () => {
    // Prepare: a clock that has run 5 s before the invocation starts
    vi.advanceTimersByTime(5000);
    void withVitals(() => new Promise<never>(() => {}), base)(
      httpApiEvent(),
      lambdaContext({ timeoutMs: 1000 }),
    );
    // Act
    await vi.advanceTimersByTimeAsync(1000);
    // Assess
    expect(out.documents()[0]?.errorMessage).toBe("no result after 900 ms");
  });
});

describe("what a handler records", () => {
  async function recorded(record: (context: Context) => void): Promise<Doc[]> {
    await withVitals(async (_event: unknown, context: Context) => {
      record(context);
      return { statusCode: 200 };
    }, base)(httpApiEvent(), lambdaContext());
    return out.documents();
  }

  it("a name that is not a string is dropped and named by its type", async () => {
    const docs = await recorded((context) =>
      metricsFor(context).addMetric(42 as unknown as string, 1),
    );
    expect(docs[1]?.problems).toEqual([
      "metric number dropped: a name must be 1-255 printable ASCII characters, not only spaces: number",
    ]);
  });

  it("a value that is a long string is shown by its first 32 characters", async () => {
    const docs = await recorded((context) =>
      metricsFor(context).addMetric("Hits", "v".repeat(40) as unknown as number),
    );
    expect(docs[1]?.problems).toEqual([
      `metric Hits dropped: "${"v".repeat(32)}" is not a finite number within ±2^360`,
    ]);
  });
});

describe("what the runtime hands over", () => {
  it("a store without methods leaves the ids to the context and the environment", async () => {
    (globalThis as { awslambda?: unknown }).awslambda = { InvokeStore: {} };
    await withVitals(ok, base)(httpApiEvent(), lambdaContext({ requestId: "from-context" }));
    expect(out.documents()[0]).toMatchObject({ requestId: "from-context", status: 200 });
  });

  it("a request id that is not a string is left out", async () => {
    const context = { ...lambdaContext(), awsRequestId: 42 as unknown as string };
    await withVitals(ok, base)(httpApiEvent(), context);
    expect(out.documents()).toHaveLength(1);
    expect(out.documents()[0]).not.toHaveProperty("requestId");
  });
});
