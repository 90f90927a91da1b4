/**
 * How thrown values become responses and log fields, at their edges: the HttpError status range,
 * its default message and exposure, errors shaped like the http-errors package's, and the clipping
 * of what the line carries.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HttpError, withVitals } from "../../functions/vitals";
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
});

interface Answer {
  readonly statusCode: number;
  readonly body: { message: string; requestId?: string };
  readonly doc: Doc;
}

/** Throws `thrown` from a wrapped HTTP handler: the response (body parsed) and the line. */
async function answerTo(thrown: unknown): Promise<Answer> {
  const handler = withVitals(
    async (): Promise<{ statusCode: number; body: string }> => {
      throw thrown;
    },
    { namespace: "Shop", service: "orders" },
  );
  const response = await handler(httpApiEvent(), lambdaContext({ requestId: "req-9" }));
  const docs = out.documents();
  expect(docs).toHaveLength(1);
  return {
    statusCode: response.statusCode,
    body: JSON.parse(response.body) as Answer["body"],
    doc: docs[0] as Doc,
  };
}

/** An error shaped like the http-errors package's, which the wrapper maps like an HttpError. */
function httpErrorsLike(fields: Record<string, unknown>, message = "from a library"): Error {
  return Object.assign(new Error(message), fields);
}

describe("HttpError", () => {
  it.each([400, 599])("accepts the status %i, the ends of the error range", (status) => {
    expect(new HttpError(status).status).toBe(status);
  });

  it.each([399, 600, 404.5, Number.NaN, 200])(
    "rejects the status %s with a RangeError",
    (status) => {
      expect(() => new HttpError(status)).toThrow(
        new RangeError(`HttpError status must be an integer from 400 to 599, got ${status}`),
      );
    },
  );

  it("is a real Error with its name, its cause, and its reason phrase as its default message", () => {
    const cause = new Error("socket hang up");
    const error = new HttpError(503, undefined, { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("HttpError");
    expect(error.message).toBe("Service Unavailable");
    expect(error.cause).toBe(cause);
  });

  it.each([
    [499, undefined, true],
    [500, undefined, false],
    [503, true, true],
    [404, false, false],
  ])("with status %i and expose %s exposes its message: %s", (status, expose, exposed) => {
    expect(new HttpError(status, "m", expose === undefined ? {} : { expose }).expose).toBe(exposed);
  });

  it("answers its default message when it has none, exposed for a 4xx", async () => {
    const answer = await answerTo(new HttpError(404));
    expect(answer.statusCode).toBe(404);
    expect(answer.body).toStrictEqual({ message: "Not Found", requestId: "req-9" });
    expect(answer.doc).toMatchObject({ errorType: "HttpError", errorMessage: "Not Found" });
  });

  it("answers 599 with the class's reason phrase, counted as an error", async () => {
    const answer = await answerTo(new HttpError(599, "upstream broke"));
    expect(answer.statusCode).toBe(599);
    expect(answer.body).toStrictEqual({ message: "Server Error", requestId: "req-9" });
    expect(answer.doc).toMatchObject({ status: 599, Errors: 1, ClientErrors: 0 });
  });
});

describe("errors shaped like http-errors", () => {
  it.each([
    [{ status: 400, expose: true }, 400, "from a library"],
    [{ statusCode: 599, expose: false }, 599, "Server Error"],
    [{ status: 429, statusCode: 503, expose: true }, 429, "from a library"],
  ])("keep the status of %j", async (fields, status, message) => {
    const answer = await answerTo(httpErrorsLike(fields));
    expect(answer.statusCode).toBe(status);
    expect(answer.body.message).toBe(message);
  });

  it.each([
    [{ status: 302, expose: true }],
    [{ status: 399, expose: true }],
    [{ statusCode: 600, expose: false }],
    [{ status: "404", expose: true }],
    [{ status: 404 }],
    [{ status: 404, expose: "yes" }],
  ])("become a 500 that hides the message when the shape is off: %j", async (fields) => {
    const answer = await answerTo(httpErrorsLike(fields, "secret detail"));
    expect(answer.statusCode).toBe(500);
    expect(answer.body).toStrictEqual({ message: "Internal Server Error", requestId: "req-9" });
    expect(answer.doc).toMatchObject({ status: 500, errorMessage: "secret detail", Errors: 1 });
  });
});

describe("what the line keeps of an error", () => {
  it("keeps a message of 512 characters whole, and clips a longer one with an ellipsis", async () => {
    const whole = await answerTo(new Error("m".repeat(512)));
    out.restore();
    out = captureStdout();
    const clipped = await answerTo(new Error("m".repeat(513)));
    expect(whole.doc.errorMessage).toBe("m".repeat(512));
    expect(clipped.doc.errorMessage).toBe(`${"m".repeat(512)}…`);
  });

  it("clips the error type to 128 characters", async () => {
    const error = new Error("x");
    error.name = "N".repeat(200);
    const answer = await answerTo(error);
    expect(answer.doc.errorType).toBe("N".repeat(128));
  });

  it("names a thrown value that is not an error by its type", async () => {
    const answer = await answerTo("plain text");
    expect(answer.doc).toMatchObject({ errorType: "string", errorMessage: "plain text" });
    expect(answer.statusCode).toBe(500);
  });
});
