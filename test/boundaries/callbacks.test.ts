/**
 * Callbacks at their edges: `callback(undefined, result)` is a success like `callback(null, ...)`,
 * and a handler that declares no callback parameter but reaches it (a rest parameter, as some
 * middleware does) is answered by a call made before it returns, as Lambda's runtime would.
 */
import type { APIGatewayProxyResult, Callback, Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { withVitals } from "../../functions/vitals";
import { lambdaContext } from "../fixtures/context";
import { httpApiEvent, sqsEvent } from "../fixtures/events";
import { capturedEachTest, only, options } from "../wrapper/harness";

const out = capturedEachTest();

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
    await expect(wrapped(sqsEvent(), lambdaContext())).rejects.toEqual(new Error("poison message"));
    expect(only(out.documents())).toMatchObject({ Errors: 1, errorMessage: "poison message" });
  });

  it("answers with what it returns when it does not call back", async () => {
    const handler = async (..._args: unknown[]) => ({ statusCode: 204 });
    const result = await withVitals(handler, options)(httpApiEvent(), lambdaContext());
    expect(result).toEqual({ statusCode: 204 });
  });
});
