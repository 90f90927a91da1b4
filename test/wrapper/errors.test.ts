/** Statuses and errors: what the caller gets for a result or a throw, and what the line counts. */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HttpError, withVitals } from "../../functions/vitals";
import { lambdaContext } from "../fixtures/context";
import type { Doc } from "../fixtures/documents";
import { httpApiEvent, restApiEvent } from "../fixtures/events";
import { type Captured, captureStdout } from "../fixtures/stdout";
import { capturedEachTest, only, options, timersHoldingTheProcess } from "./harness";

const out = capturedEachTest();

describe("status and errors", () => {
  it("counts a 4xx result as a client error and a 5xx result as an error", async () => {
    const handler = withVitals(
      async (event: APIGatewayProxyEventV2) => ({
        statusCode: Number(event.rawPath.slice(1)),
      }),
      options,
    );
    await handler(httpApiEvent({ path: "/404" }), lambdaContext());
    await handler(httpApiEvent({ path: "/503" }), lambdaContext());
    const [clientError, serverError] = out.documents();
    expect(clientError).toMatchObject({ status: 404, Errors: 0, ClientErrors: 1 });
    expect(serverError).toMatchObject({ status: 503, Errors: 1, ClientErrors: 0 });
  });

  it("maps an HttpError to its status and exposes a 4xx message", async () => {
    const handler = withVitals(async (): Promise<unknown> => {
      throw new HttpError(404, "order 7 not found");
    }, options);
    const response = (await handler(httpApiEvent(), lambdaContext({ requestId: "r-404" }))) as {
      statusCode: number;
      body: string;
    };
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toEqual({ message: "order 7 not found", requestId: "r-404" });
    expect(only(out.documents())).toMatchObject({
      status: 404,
      ClientErrors: 1,
      Errors: 0,
      errorType: "HttpError",
      errorMessage: "order 7 not found",
    });
  });

  it("hides the message of a 5xx HttpError unless it is exposed", async () => {
    const hidden = withVitals(async (): Promise<unknown> => {
      throw new HttpError(503, "db password rejected", { cause: new Error("x") });
    }, options);
    const shown = withVitals(async (): Promise<unknown> => {
      throw new HttpError(503, "try again in a minute", { expose: true });
    }, options);
    const a = (await hidden(httpApiEvent(), lambdaContext())) as {
      statusCode: number;
      body: string;
    };
    const b = (await shown(httpApiEvent(), lambdaContext())) as { body: string };
    expect(a.statusCode).toBe(503);
    expect(JSON.parse(a.body).message).toBe("Service Unavailable");
    expect(a.body).not.toContain("password");
    expect(JSON.parse(b.body).message).toBe("try again in a minute");
  });

  it("keeps an HttpError's status whatever a JavaScript caller passed as expose, and never answers an empty message", async () => {
    const loose = withVitals(async (): Promise<unknown> => {
      throw new HttpError(404, "order 7 not found", { expose: 1 as unknown as boolean });
    }, options);
    const empty = withVitals(async (): Promise<unknown> => {
      throw new HttpError(409, "");
    }, options);
    const a = (await loose(httpApiEvent(), lambdaContext())) as {
      statusCode: number;
      body: string;
    };
    const b = (await empty(httpApiEvent(), lambdaContext())) as {
      statusCode: number;
      body: string;
    };
    expect(a.statusCode).toBe(404);
    expect(JSON.parse(a.body).message).toBe("order 7 not found");
    expect(b.statusCode).toBe(409);
    expect(JSON.parse(b.body).message).toBe("Conflict");
  });

  it("turns any other throw into a 500 that names only the request id", async () => {
    const handler = withVitals(async (): Promise<unknown> => {
      throw new TypeError("secret connection string postgres://u:p@db");
    }, options);
    const response = (await handler(httpApiEvent(), lambdaContext({ requestId: "r-500" }))) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    };
    expect(response.statusCode).toBe(500);
    expect(response.headers["content-type"]).toContain("application/json");
    expect(JSON.parse(response.body)).toEqual({
      message: "Internal Server Error",
      requestId: "r-500",
    });
    expect(response.body).not.toContain("postgres");
    expect(only(out.documents())).toMatchObject({
      status: 500,
      Errors: 1,
      errorType: "TypeError",
      errorMessage: "secret connection string postgres://u:p@db",
    });
  });

  it("keeps the status of errors shaped like the http-errors package", async () => {
    const handler = withVitals(async (): Promise<unknown> => {
      throw Object.assign(new Error("Payload Too Large"), { status: 413, expose: true });
    }, options);
    const response = (await handler(httpApiEvent(), lambdaContext())) as { statusCode: number };
    expect(response.statusCode).toBe(413);
  });

  it("survives throws of values that are not errors", async () => {
    const weird = {
      get message(): string {
        throw new Error("getter");
      },
      toString(): string {
        throw new Error("toString");
      },
    };
    for (const thrown of [undefined, null, "text", 42, weird]) {
      const handler = withVitals(async (): Promise<unknown> => {
        throw thrown;
      }, options);
      const response = (await handler(httpApiEvent(), lambdaContext())) as { statusCode: number };
      expect(response.statusCode).toBe(500);
    }
    expect(out.documents().map((d) => d.Errors)).toEqual([1, 1, 1, 1, 1]);
  });

  it("answers 500 for a thrown object whose getters throw, and leaves no timer that holds the process", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance", "hrtime"] });
    const holding = timersHoldingTheProcess();
    const hostile = {
      get expose(): boolean {
        throw new Error("getter boom");
      },
      get status(): number {
        throw new Error("getter boom");
      },
    };
    const handler = withVitals(async (): Promise<unknown> => {
      throw hostile;
    }, options);
    const response = (await handler(httpApiEvent(), lambdaContext({ timeoutMs: 1000 }))) as {
      statusCode: number;
    };
    expect(response.statusCode).toBe(500);
    expect(holding()).toBe(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(only(out.documents())).toMatchObject({ status: 500, Errors: 1 });
  });

  it("answers 500 for a handler that throws synchronously", async () => {
    const handler = withVitals(
      ((): Promise<unknown> => {
        throw new Error("sync");
      }) as () => Promise<unknown>,
      options,
    );
    const response = (await handler(httpApiEvent(), lambdaContext())) as { statusCode: number };
    expect(response.statusCode).toBe(500);
    expect(only(out.documents()).errorMessage).toBe("sync");
  });

  it("records the 502 that a REST API sends when the result has no status code", async () => {
    const handler = withVitals(async () => ({ body: "forgot the status" }), options);
    await handler(restApiEvent(), lambdaContext());
    expect(only(out.documents())).toMatchObject({
      status: 502,
      Errors: 1,
      errorType: "InvalidResponse",
    });
  });

  it("records the 200 that an HTTP API infers from a bare result", async () => {
    const handler = withVitals(async () => ({ id: 1 }), options);
    await handler(httpApiEvent(), lambdaContext());
    expect(only(out.documents())).toMatchObject({ status: 200, Errors: 0 });
  });
});

// How thrown values become responses and log fields, at their edges: the HttpError status range,
// its default message and exposure, errors shaped like the http-errors package's, and the clipping
// of what the line carries.
describe("thrown values at their edges", () => {
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
      expect(new HttpError(status, "m", expose === undefined ? {} : { expose }).expose).toBe(
        exposed,
      );
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
});
