/** Fail-open: a fault in measuring never changes what the handler returns. */
import type { Context } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";
import { HttpError, metricsFor, withVitals } from "../../functions/vitals";
import { lambdaContext } from "../fixtures/context";
import { albEvent, httpApiEvent } from "../fixtures/events";
import { capturedEachTest, ok, only, options } from "./harness";

const out = capturedEachTest();

describe("fail-open", () => {
  it("returns the handler's result when a property cannot be serialised", async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const handler = withVitals(async (_event: unknown, context: Context) => {
      metricsFor(context).addProperty("loop", circular);
      metricsFor(context).addProperty("big", 10n);
      return { statusCode: 200, body: "still here" };
    }, options);
    const result = await handler(httpApiEvent(), lambdaContext());
    expect(result).toEqual({ statusCode: 200, body: "still here" });
    const doc = only(out.documents());
    expect(doc).toMatchObject({ Requests: 1, status: 200 });
    expect(doc.vitalsPropertiesDropped).toContain("not serialisable");
  });

  it("still writes the request metrics when rendering the handler's data fails", async () => {
    const handler = withVitals(async (_event: unknown, context: Context) => {
      metricsFor(context).addMetric("Orders", 1, "Count");
      // a renderer that breaks, as a bug in it or a foreign copy of the library would
      const slot = (context as unknown as Record<symbol, { recording?: unknown }>)[
        Symbol.for("lambda-vitals.slot.2")
      ];
      if (slot !== undefined)
        slot.recording = {
          render: () => {
            throw new Error("broken");
          },
        };
      return { statusCode: 200, body: "ok" };
    }, options);
    const result = await handler(httpApiEvent(), lambdaContext());
    expect(result).toEqual({ statusCode: 200, body: "ok" });
    const doc = only(out.documents());
    expect(doc).toMatchObject({ Requests: 1, status: 200 });
    expect(doc.Orders).toBeUndefined();
  });

  it("returns the handler's result when stdout throws", async () => {
    out.restore();
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => {
      throw new Error("EPIPE");
    });
    try {
      const result = await withVitals(ok, options)(httpApiEvent(), lambdaContext());
      expect(result).toEqual({ statusCode: 200, body: "ok" });
      expect(write).toHaveBeenCalledTimes(1);
    } finally {
      write.mockRestore(); // the harness restores its own capture after the test
    }
  });

  it("still runs the handler when the context is frozen or missing", async () => {
    const handler = withVitals(async (_event: unknown, context: Context) => {
      metricsFor(context).addMetric("Lost", 1);
      return { statusCode: 200 };
    }, options);
    await expect(handler(httpApiEvent(), Object.freeze(lambdaContext()))).resolves.toEqual({
      statusCode: 200,
    });
    await expect(handler(httpApiEvent(), undefined as unknown as Context)).resolves.toEqual({
      statusCode: 200,
    });
    expect(out.lines()).toHaveLength(2);
  });
});

// Fail-open: a fault inside the measurement never changes what the handler returns or throws.
// Each test breaks one thing the wrapper reads (the context, the event, the result) and checks that
// the caller gets exactly what it would have got without the wrapper.
describe("fail-open, one broken input at a time", () => {
  const base = { namespace: "Shop", service: "orders" };

  /** A context whose request id throws when read: the wrapper cannot start measuring. */
  function brokenContext(): Context {
    const context = lambdaContext();
    Object.defineProperty(context, "awsRequestId", {
      get() {
        throw new Error("context broken");
      },
    });
    return context;
  }

  /** An event every read of which throws, as a hostile or broken proxy object would. */
  const hostileEvent = new Proxy(
    {},
    {
      get() {
        throw new Error("hostile read");
      },
      has() {
        throw new Error("hostile has");
      },
    },
  );

  describe("when measuring cannot start", () => {
    it("still runs the handler and returns its very result, unmeasured", async () => {
      // Prepare
      const result = { statusCode: 200, body: "ok" };
      let calls = 0;
      const handler = withVitals(async () => {
        calls++;
        return result;
      }, base);
      // Act
      const returned = await handler(httpApiEvent(), brokenContext());
      // Assess
      expect(calls).toBe(1);
      expect(returned).toBe(result);
      expect(out.lines()).toEqual([]);
    });

    it("arms no timeout either: a handler that runs past the deadline writes nothing", async () => {
      // Prepare: the clock says 1 s is left; the handler takes 2 s
      vi.useFakeTimers();
      try {
        const context = { ...lambdaContext(), getRemainingTimeInMillis: () => 1000 };
        Object.defineProperty(context, "awsRequestId", {
          get() {
            throw new Error("context broken");
          },
        });
        const handler = withVitals(async () => {
          await new Promise((resolve) => setTimeout(resolve, 2000));
          return { statusCode: 200 };
        }, base);
        // Act
        const pending = handler(httpApiEvent(), context);
        const timers = vi.getTimerCount();
        await vi.advanceTimersByTimeAsync(2000);
        // Assess: the handler's own timer is the only one
        expect(timers).toBe(1);
        await expect(pending).resolves.toEqual({ statusCode: 200 });
        expect(out.lines()).toEqual([]);
      } finally {
        vi.useRealTimers();
      }
    });

    it("still answers an HttpError with its status and message", async () => {
      // Prepare
      const handler = withVitals(async () => {
        throw new HttpError(409, "already paid");
      }, base);
      // Act
      const response = await handler(httpApiEvent(), brokenContext());
      // Assess
      expect(response).toStrictEqual({
        statusCode: 409,
        headers: { "content-type": "application/json; charset=utf-8" },
        body: JSON.stringify({ message: "already paid" }),
        isBase64Encoded: false,
      });
      expect(out.lines()).toEqual([]);
    });
  });

  describe("a hostile event", () => {
    it("gets the handler's own error back, not one from the wrapper", async () => {
      // Prepare
      const failure = new Error("handler failed");
      const handler = withVitals(async (_event: unknown) => {
        throw failure;
      }, base);
      // Act
      const outcome = handler(hostileEvent, lambdaContext());
      // Assess
      await expect(outcome).rejects.toBe(failure);
    });

    it("gets the handler's result back", async () => {
      // Prepare
      const result = { done: true };
      const handler = withVitals(async (_event: unknown) => result, base);
      // Act
      const returned = await handler(hostileEvent, lambdaContext());
      // Assess
      expect(returned).toBe(result);
    });
  });

  describe("an ALB event whose headers throw when read", () => {
    it("gets an error response in the shape every front door accepts, and its line", async () => {
      // Prepare
      const event = albEvent();
      Object.defineProperty(event, "multiValueHeaders", {
        get() {
          throw new Error("headers broken");
        },
      });
      const handler = withVitals(async (_event: unknown) => {
        throw new HttpError(404, "no such order");
      }, base);
      // Act
      const response = await handler(event, lambdaContext({ requestId: "req-5" }));
      // Assess
      expect(response).toStrictEqual({
        statusCode: 404,
        body: JSON.stringify({ message: "no such order", requestId: "req-5" }),
      });
      expect(out.documents()).toHaveLength(1);
      expect(out.documents()[0]).toMatchObject({ status: 404, ClientErrors: 1 });
    });
  });

  describe("a result that throws when read", () => {
    it("is returned as it is", async () => {
      // Prepare
      const result = {
        get statusCode(): number {
          throw new Error("status broken");
        },
      };
      const handler = withVitals(async () => result, base);
      // Act
      const returned = await handler(httpApiEvent(), lambdaContext());
      // Assess
      expect(returned).toBe(result);
    });
  });
});
