/** Statuses and errors: what the caller gets for a result or a throw, and what the line counts. */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";
import { HttpError, withVitals } from "../../functions/vitals";
import { lambdaContext } from "../fixtures/context";
import { httpApiEvent, restApiEvent } from "../fixtures/events";
import { capturedEachTest, only, options } from "./harness";

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

  it("answers 500 for a thrown object whose getters throw, and leaves no timer behind", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
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
    expect(vi.getTimerCount()).toBe(0);
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
