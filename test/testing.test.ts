/**
 * invokeMeasured, the helper for users' own tests: a handler's result and parsed lines, with the
 * lines kept out of the test output and stdout always put back.
 */
import type { Callback, Context, SQSEvent } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";
import { HttpError, metricsFor, withVitals } from "../functions/vitals";
import { invokeMeasured } from "../functions/vitals/testing";
import { httpApiEvent, sqsEvent } from "./fixtures/events";
import { capturedEachTest } from "./fixtures/stdout";

const options = { namespace: "Test", service: "orders" };

// What reaches stdout past the helper: it must hold no EMF line.
const reached = capturedEachTest();

const createOrder = withVitals(async (_event: unknown, context: Context) => {
  metricsFor(context).addMetric("OrdersCreated", 1);
  return { statusCode: 201, body: "{}" };
}, options);

describe("invokeMeasured", () => {
  it("returns the handler's result and its lines, parsed, and keeps them out of stdout", async () => {
    // Act
    const { result, error, lines } = await invokeMeasured(
      createOrder,
      httpApiEvent({ method: "POST", path: "/orders", route: "/orders" }),
    );

    // Assess
    expect(result).toEqual({ statusCode: 201, body: "{}" });
    expect(error).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ Route: "POST /orders", status: 201, OrdersCreated: 1 });
    expect(reached.lines()).toEqual([]);
  });

  it("lets other output through", async () => {
    const chatty = withVitals(async () => {
      process.stdout.write("handler says hello\n");
      return { statusCode: 200 };
    }, options);
    const { lines } = await invokeMeasured(chatty, httpApiEvent());
    expect(lines).toHaveLength(1);
    expect(reached.lines()).toEqual(["handler says hello"]);
  });

  it("returns what a non-HTTP handler threw, with the line that counted it, and puts stdout back", async () => {
    const failure = new Error("poison message");
    const consume = withVitals(async (_event: SQSEvent) => {
      throw failure;
    }, options);
    const writer = process.stdout.write;

    const { result, error, lines } = await invokeMeasured(consume, sqsEvent());

    expect(result).toBeUndefined();
    expect(error).toBe(failure);
    expect(lines[0]).toMatchObject({
      Route: "event:sqs",
      Errors: 1,
      errorMessage: "poison message",
    });
    expect(process.stdout.write).toBe(writer);
  });

  it("measures callback handlers and HttpErrors like any other", async () => {
    const legacy = withVitals((_e: unknown, _c: Context, callback: Callback) => {
      callback(new HttpError(409, "order exists"));
    }, options);
    const { result, lines } = await invokeMeasured(legacy, httpApiEvent());
    expect(result).toMatchObject({ statusCode: 409 });
    expect(lines[0]).toMatchObject({ status: 409, ClientErrors: 1 });
  });

  it("uses the context fields given, and a fresh request id otherwise", async () => {
    const first = await invokeMeasured(createOrder, httpApiEvent());
    const second = await invokeMeasured(createOrder, httpApiEvent(), {
      context: { awsRequestId: "req-42" },
    });
    expect(first.lines[0]?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.lines[0]?.requestId).toBe("req-42");
  });

  it("gives the handler a 3 s deadline, so a hung handler writes its timeout line in time", async () => {
    // Prepare: a handler that answers only after the default deadline
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      const late = withVitals(
        () => new Promise((resolve) => setTimeout(resolve, 3100, { statusCode: 200 })),
        { ...options, timeoutMarginMs: 50 },
      );

      // Act
      const pending = invokeMeasured(late, httpApiEvent());
      await vi.advanceTimersByTimeAsync(3100);
      const { lines } = await pending;

      // Assess: the line came before the deadline, and the late answer wrote nothing more
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ Timeouts: 1, errorType: "Timeout" });
      expect(reached.lines()).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("refuses a call that overlaps another, and leaves the first one working", async () => {
    let release: () => void = () => {};
    const slow = withVitals(
      () =>
        new Promise<{ statusCode: number }>((resolve) => {
          release = () => resolve({ statusCode: 200 });
        }),
      options,
    );
    const first = invokeMeasured(slow, httpApiEvent());
    await expect(invokeMeasured(createOrder, httpApiEvent())).rejects.toThrow(/already running/);
    release();
    const { lines } = await first;
    expect(lines).toHaveLength(1);
    expect(reached.lines()).toEqual([]);
  });
});

// invokeMeasured at its edges: the context a handler sees by default, which chunks count as EMF
// lines (strings and bytes, every line a document with `_aws`) and which go through to stdout,
// and a stdout the handler replaced itself.
describe("invokeMeasured at its edges", () => {
  // What reaches stdout past the helper.

  /** A handler that writes the given chunks to stdout before it answers. */
  function writing(...chunks: (string | Uint8Array)[]) {
    return withVitals(async () => {
      for (const chunk of chunks) process.stdout.write(chunk);
      return { statusCode: 200 };
    }, options);
  }

  describe("the context invokeMeasured gives a handler", () => {
    it("names a function called test, at $LATEST, with 1024 MB, that waits for the event loop", async () => {
      let seen: Context | undefined;
      const handler = withVitals(async (_event: unknown, context: Context) => {
        seen = context;
        return { statusCode: 200 };
      }, options);

      await invokeMeasured(handler, httpApiEvent());

      expect(seen).toMatchObject({
        callbackWaitsForEmptyEventLoop: true,
        functionName: "test",
        functionVersion: "$LATEST",
        invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:test",
        memoryLimitInMB: "1024",
        logGroupName: "/aws/lambda/test",
        logStreamName: "test",
      });
    });
  });

  describe("what invokeMeasured collects and what it lets through", () => {
    it("collects an EMF line written as bytes", async () => {
      const line = JSON.stringify({ _aws: { Timestamp: 1 }, Own: 1 });
      const { lines } = await invokeMeasured(
        writing(new TextEncoder().encode(`${line}\n`)),
        httpApiEvent(),
      );
      expect(lines[0]).toStrictEqual({ _aws: { Timestamp: 1 }, Own: 1 });
      expect(lines).toHaveLength(2);
      expect(reached.lines()).toEqual([]);
    });

    it("lets through JSON that is not an EMF document: no _aws, null, a number", async () => {
      const { lines } = await invokeMeasured(
        writing('{"level":"INFO"}\n', "null\n", "42\n"),
        httpApiEvent(),
      );
      expect(lines).toHaveLength(1);
      expect(reached.lines()).toEqual(['{"level":"INFO"}', "null", "42"]);
    });

    it("lets through text that is not JSON, as text or as bytes, and an empty chunk", async () => {
      const { lines } = await invokeMeasured(
        writing("{not json\n", new TextEncoder().encode("plain bytes\n"), "", "\n"),
        httpApiEvent(),
      );
      expect(lines).toHaveLength(1);
      expect(reached.lines()).toEqual(["{not json", "plain bytes"]);
    });

    it("lets a chunk through whole when one of its lines is not EMF", async () => {
      const emf = JSON.stringify({ _aws: { Timestamp: 1 } });
      const { lines } = await invokeMeasured(writing(`${emf}\nhello\n`), httpApiEvent());
      expect(lines).toHaveLength(1);
      expect(reached.lines()).toEqual([emf, "hello"]);
    });
  });

  describe("chunks invokeMeasured does not read as text", () => {
    it("lets a DataView and a Uint16Array through to stdout, and the handler answers", async () => {
      // Prepare: bytes in views that are neither a string nor a Uint8Array
      const bytes = new TextEncoder().encode("seen through a view\n");
      const dataView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const wide = new Uint16Array(new TextEncoder().encode("wide!\n").buffer);
      // Act
      const { result, error, lines } = await invokeMeasured(
        withVitals(async () => {
          // Node's stdout takes any ArrayBufferView; its types name only Uint8Array
          process.stdout.write(dataView as unknown as Uint8Array);
          process.stdout.write(wide as unknown as Uint8Array);
          return { statusCode: 200 };
        }, options),
        httpApiEvent(),
      );
      // Assess
      expect(error).toBeUndefined();
      expect(result).toEqual({ statusCode: 200 });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ status: 200 });
      expect(reached.text()).toBe("seen through a view\nwide!\n");
    });

    it("lets a chunk of only newlines through as written", async () => {
      const { lines } = await invokeMeasured(writing("\n\n"), httpApiEvent());
      expect(lines).toHaveLength(1);
      expect(reached.text()).toBe("\n\n");
    });
  });

  describe("a stdout the handler replaced", () => {
    it("is left in place when the call ends", async () => {
      const own = ((..._args: unknown[]) => true) as typeof process.stdout.write;
      const replacing = withVitals(async () => {
        process.stdout.write = own;
        return { statusCode: 200 };
      }, options);
      const before = process.stdout.write;

      try {
        await invokeMeasured(replacing, httpApiEvent());
        expect(process.stdout.write).toBe(own);
      } finally {
        process.stdout.write = before;
      }
    });
  });
});
