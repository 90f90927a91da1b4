/**
 * invokeMeasured at its edges: the context a handler sees by default, which chunks count as EMF
 * lines (strings and bytes, every line a document with `_aws`) and which go through to stdout,
 * and a stdout the handler replaced itself.
 */
import type { Context } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { withVitals } from "../../functions/vitals";
import { invokeMeasured } from "../../functions/vitals/testing";
import { httpApiEvent } from "../fixtures/events";
import { type Captured, captureStdout } from "../fixtures/stdout";

const options = { namespace: "Test", service: "orders" };

// What reaches stdout past the helper.
let reached: Captured;
beforeEach(() => {
  reached = captureStdout();
});
afterEach(() => {
  reached.restore();
});

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
