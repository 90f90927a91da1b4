/**
 * Callback handlers, wrapped unchanged: the first result delivered through the callback or a
 * returned promise is the result, measured like any other, as Lambda's Node.js runtime does.
 */
import type { APIGatewayProxyResult, Callback, Context, Handler } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";
import { HttpError, withVitals } from "../../functions/vitals";
import { lambdaContext } from "../fixtures/context";
import { httpApiEvent, restApiEvent, sqsEvent } from "../fixtures/events";
import { capturedEachTest, only, options } from "./harness";

const out = capturedEachTest();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("callback handlers", () => {
  it("answers with what the callback delivers, and writes one line with its status", async () => {
    // Prepare: a callback handler as older services write them, answering 30 ms later
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance", "hrtime"] });
    const handler = (
      _event: unknown,
      _context: Context,
      callback: Callback<APIGatewayProxyResult>,
    ): void => {
      setTimeout(() => callback(null, { statusCode: 201, body: "created" }), 30);
    };

    // Act
    const pending = withVitals(handler, options)(restApiEvent({ method: "POST" }), lambdaContext());
    await vi.advanceTimersByTimeAsync(30);
    const result = await pending;

    // Assess: the latency is the time until the callback, on the faked clock
    expect(result).toEqual({ statusCode: 201, body: "created" });
    const doc = only(out.documents());
    expect(doc).toMatchObject({ status: 201, Requests: 1, Errors: 0, ClientErrors: 0 });
    expect(doc.Latency).toBe(30);
  });

  it("is exposed as an async (event, context) handler, the one form nodejs24.x calls", async () => {
    const wrapped = withVitals((_e: unknown, _c: Context, cb: Callback) => cb(null, 1), options);
    expect(wrapped.length).toBe(2);
    // A JavaScript caller that passes no callback gets the result, never a TypeError
    const call = wrapped as (...args: unknown[]) => Promise<unknown>;
    await expect(call(sqsEvent(), lambdaContext())).resolves.toBe(1);
  });

  it("answers an HttpError passed to the callback with its status", async () => {
    const handler = withVitals((_e: unknown, _c: Context, callback: Callback) => {
      callback(new HttpError(404));
    }, options);
    const response = (await handler(httpApiEvent(), lambdaContext({ requestId: "r-cb" }))) as {
      statusCode: number;
      body: string;
    };
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toEqual({ message: "Not Found", requestId: "r-cb" });
    expect(only(out.documents())).toMatchObject({ status: 404, ClientErrors: 1, Errors: 0 });
  });

  it("takes a string passed to the callback as an Error, as Lambda does, and hides it", async () => {
    const handler = withVitals((_e: unknown, _c: Context, callback: Callback) => {
      callback("database unreachable");
    }, options);
    const response = (await handler(httpApiEvent(), lambdaContext())) as {
      statusCode: number;
      body: string;
    };
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain("database");
    expect(only(out.documents())).toMatchObject({
      status: 500,
      Errors: 1,
      errorType: "Error",
      errorMessage: "database unreachable",
    });
  });

  it("rethrows a callback error for non-HTTP events, so retries work as before", async () => {
    const failure = new Error("poison message");
    const handler = withVitals((_e: unknown, _c: Context, callback: Callback) => {
      setImmediate(() => callback(failure));
    }, options);
    await expect(handler(sqsEvent(), lambdaContext())).rejects.toBe(failure);
    expect(only(out.documents())).toMatchObject({ Errors: 1, errorMessage: "poison message" });
  });

  it("takes the first of callback and returned promise, and ignores what comes later", async () => {
    // Prepare: one handler answers through the callback first, the other through its promise
    const callbackFirst: Handler<unknown, string> = async (_e, _c, callback) => {
      callback(null, "from the callback");
      await sleep(10);
      return "from the promise";
    };
    const promiseFirst: Handler<unknown, string> = (_e, _c, callback) => {
      setTimeout(() => callback(null, "from the callback"), 20);
      return Promise.resolve("from the promise");
    };

    // Act
    const first = await withVitals(callbackFirst, options)(sqsEvent(), lambdaContext());
    const second = await withVitals(promiseFirst, options)(sqsEvent(), lambdaContext());
    await sleep(40); // the late callback and the late promise have settled by now

    // Assess: one line each, nothing written late
    expect([first, second]).toEqual(["from the callback", "from the promise"]);
    expect(out.documents()).toHaveLength(2);
  });

  it("keeps the callback's result when the handler throws after calling back", async () => {
    const handler = withVitals((_e: unknown, _c: Context, callback: Callback) => {
      callback(null, { statusCode: 200, body: "done" });
      throw new Error("after the answer");
    }, options);
    await expect(handler(httpApiEvent(), lambdaContext())).resolves.toEqual({
      statusCode: 200,
      body: "done",
    });
    expect(only(out.documents())).toMatchObject({ status: 200, Errors: 0 });
  });

  it("waits for the callback when a callback handler returns something that is not a promise", async () => {
    const handler = withVitals((_e: unknown, _c: Context, callback: Callback) => {
      setTimeout(() => callback(null, "answered"), 10);
      return { not: "the result" } as unknown as undefined;
    }, options);
    await expect(handler(sqsEvent(), lambdaContext())).resolves.toBe("answered");
  });

  it("takes a synchronous handler's return value as its result, as nodejs24.x does", async () => {
    const handler = withVitals(
      (_event: unknown) => ({ statusCode: 204 }) as unknown as undefined,
      options,
    );
    await expect(handler(httpApiEvent(), lambdaContext())).resolves.toEqual({ statusCode: 204 });
    expect(only(out.documents())).toMatchObject({ status: 204 });
  });

  it("records the 502 a REST API sends for callback(null) without a result", async () => {
    const handler = withVitals(
      (_e: unknown, _c: Context, callback: Callback) => callback(null),
      options,
    );
    await expect(handler(restApiEvent(), lambdaContext())).resolves.toBeUndefined();
    expect(only(out.documents())).toMatchObject({
      status: 502,
      Errors: 1,
      errorType: "InvalidResponse",
    });
  });

  it("writes a timeout before the deadline for a handler that never calls back, and nothing when it does later", async () => {
    // Prepare: a handler that calls back only after its deadline
    let late: Callback | undefined;
    const handler = withVitals(
      (_e: unknown, _c: Context, callback: Callback) => {
        late = callback;
      },
      { ...options, timeoutMarginMs: 50 },
    );

    // Act: the invocation is still pending when the line is written
    const pending = handler(sqsEvent(), lambdaContext({ timeoutMs: 200 }));
    await sleep(250);
    const timedOut = out.documents();
    late?.(null, "too late");
    await expect(pending).resolves.toBe("too late");

    // Assess
    expect(only(timedOut)).toMatchObject({ Timeouts: 1, Errors: 1, errorType: "Timeout" });
    expect(out.documents()).toHaveLength(1);
  });
});

// Callbacks at their edges: `callback(undefined, result)` is a success like `callback(null, ...)`,
// and a handler that declares no callback parameter but reaches it (a rest parameter, as some
// middleware does) is answered by a call made before it returns, as Lambda's runtime would.
describe("callbacks at their edges", () => {
  describe("a callback handler", () => {
    it("succeeds with callback(undefined, result), as with null", async () => {
      const handler = (_e: unknown, _c: Context, callback: Callback<APIGatewayProxyResult>) => {
        callback(undefined, { statusCode: 202, body: "queued" });
      };
      const result = await withVitals(handler, options)(httpApiEvent(), lambdaContext());
      expect(result).toEqual({ statusCode: 202, body: "queued" });
      expect(only(out.documents())).toMatchObject({ status: 202, Errors: 0 });
    });
  });

  describe("a handler that reaches the callback through a rest parameter", () => {
    it("answers with the result it calls back with before returning", async () => {
      const handler = (...args: unknown[]) => {
        (args[2] as Callback<APIGatewayProxyResult>)(null, { statusCode: 201, body: "made" });
        return undefined;
      };
      const result = await withVitals(handler, options)(httpApiEvent(), lambdaContext());
      expect(result).toEqual({ statusCode: 201, body: "made" });
      expect(only(out.documents())).toMatchObject({ status: 201 });
    });

    it("keeps the first call back and ignores a later one", async () => {
      const handler = (...args: unknown[]) => {
        const callback = args[2] as Callback<APIGatewayProxyResult>;
        callback(null, { statusCode: 200, body: "first" });
        callback(null, { statusCode: 500, body: "second" });
        return undefined;
      };
      const result = await withVitals(handler, options)(httpApiEvent(), lambdaContext());
      expect(result).toEqual({ statusCode: 200, body: "first" });
    });

    it("fails with new Error(text) when it calls back with a string, rethrown for a queue", async () => {
      const handler = (...args: unknown[]) => {
        (args[2] as Callback)("poison message");
        return undefined;
      };
      const wrapped = withVitals(handler, options);
      await expect(wrapped(sqsEvent(), lambdaContext())).rejects.toEqual(
        new Error("poison message"),
      );
      expect(only(out.documents())).toMatchObject({ Errors: 1, errorMessage: "poison message" });
    });

    it("answers with what it returns when it does not call back", async () => {
      const handler = async (..._args: unknown[]) => ({ statusCode: 204 });
      const result = await withVitals(handler, options)(httpApiEvent(), lambdaContext());
      expect(result).toEqual({ statusCode: 204 });
    });
  });
});
