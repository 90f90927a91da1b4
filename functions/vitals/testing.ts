/**
 * `lambda-vitals/testing`, for the users' own unit tests: invoke a wrapped handler and get its
 * result and its parsed EMF lines, with the lines kept out of the test output. Not part of the
 * main entry, so no function bundle carries it: import it in tests only.
 */
import { randomUUID } from "node:crypto";
import type { Context, Handler } from "aws-lambda";
import { invoke } from "./invoke";

/** One EMF document as written: `_aws`, the metrics, dimensions and properties at its root. */
export type EmfLine = Readonly<Record<string, unknown>>;

export interface Measured<R> {
  /** What the wrapped handler returned (for HTTP events, also the response to an error). */
  readonly result: R | undefined;
  /** What it threw: only non-HTTP events rethrow. Undefined when it returned. */
  readonly error: unknown;
  /** The EMF lines this invocation wrote while it ran, parsed. */
  readonly lines: readonly EmfLine[];
}

export interface MeasureOptions {
  /**
   * Fields of the Lambda context to use instead of the defaults: a fresh `awsRequestId`, a
   * `getRemainingTimeInMillis` counting down from 3 s (so a hung handler writes its timeout line
   * before a test runner's usual 5 s limit), and the names of a function called `test`.
   */
  readonly context?: Partial<Context>;
}

type Write = typeof process.stdout.write;

/** Marks the stdout writer this module installed, so that a second, overlapping call is refused. */
const CAPTURING = Symbol.for("lambda-vitals.testing.capturing");

/**
 * Invokes a handler wrapped with `withVitals` and returns its result and the EMF lines it wrote,
 * parsed. While the handler runs, EMF lines written to stdout are taken out of the output and
 * collected; anything else written to stdout goes through. stdout is put back when the call ends,
 * however it ends. Calls must not overlap: await one before starting the next (a second call
 * while one runs throws, as the lines of the two could not be told apart).
 *
 * The handler may be typed as `withVitals` returns it or as the service declares it: `Handler`,
 * `APIGatewayProxyHandler` and the other `aws-lambda` handler types are called as Lambda calls
 * them (a callback handler's callback result is the result).
 *
 * @example
 * import { invokeMeasured } from "lambda-vitals/testing";
 * const { result, lines } = await invokeMeasured(handler, httpApiEvent);
 * expect(result?.statusCode).toBe(201);
 * expect(lines[0]).toMatchObject({ Route: "POST /orders", OrdersCreated: 1 });
 */
export async function invokeMeasured<E, R>(
  handler: Handler<E, R>,
  event: E,
  options: MeasureOptions = {},
): Promise<Measured<R>> {
  const stdout = process.stdout;
  const original = stdout.write;
  if ((original as { [CAPTURING]?: boolean })[CAPTURING] === true) {
    throw new Error(
      "lambda-vitals testing: invokeMeasured is already running; await it before the next call",
    );
  }
  const lines: EmfLine[] = [];
  const capture = Object.assign(
    function write(this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
      const emf = emfLinesIn(chunk);
      if (emf === undefined) return Reflect.apply(original, stdout, [chunk, ...rest]);
      lines.push(...emf);
      // A stream calls back once the chunk is handled; this one is handled now.
      const done = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
      if (done !== undefined) process.nextTick(done);
      return true;
    },
    { [CAPTURING]: true },
  ) as unknown as Write;
  stdout.write = capture;
  try {
    const result = await invoke(handler, event, testContext(options.context));
    return { result, error: undefined, lines };
  } catch (error) {
    return { result: undefined, error, lines };
  } finally {
    if (stdout.write === capture) stdout.write = original;
  }
}

/** The chunk's lines when every one of them is an EMF document, else undefined. */
function emfLinesIn(chunk: unknown): EmfLine[] | undefined {
  const text =
    typeof chunk === "string"
      ? chunk
      : chunk instanceof Uint8Array
        ? Buffer.from(chunk).toString("utf8")
        : undefined;
  const parts = text?.split("\n").filter((part) => part !== "") ?? [];
  if (parts.length === 0) return undefined;
  const documents: EmfLine[] = [];
  for (const part of parts) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(part);
    } catch {
      return undefined;
    }
    if (typeof parsed !== "object" || parsed === null || !("_aws" in parsed)) return undefined;
    documents.push(parsed as EmfLine);
  }
  return documents;
}

function testContext(overrides: Partial<Context> = {}): Context {
  const deadline = Date.now() + 3000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: "test",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:test",
    memoryLimitInMB: "1024",
    awsRequestId: randomUUID(),
    logGroupName: "/aws/lambda/test",
    logStreamName: "test",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}
