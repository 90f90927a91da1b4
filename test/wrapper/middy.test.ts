/**
 * middy, for real, in both orders, with a body parser that rejects a bad body before the handler
 * runs. Outside (`withVitals(middy(handler))`, the recommended order) every invocation writes
 * exactly one line; inside, a request that a middleware rejects writes none.
 */
import middy from "@middy/core";
import jsonBodyParser from "@middy/http-json-body-parser";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { withVitals } from "../../functions/vitals";
import { lambdaContext } from "../fixtures/context";
import { httpApiEvent } from "../fixtures/events";
import { capturedEachTest, only, options } from "./harness";

const out = capturedEachTest();

/** After the body parser, `body` holds the parsed JSON, whatever the event type says. */
const createOrder = async (
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyStructuredResultV2> => ({
  statusCode: 201,
  body: JSON.stringify({ item: (event.body as unknown as { item?: string }).item }),
});

const post = (body: string, contentType = "application/json") =>
  httpApiEvent({
    method: "POST",
    path: "/orders",
    route: "/orders",
    body,
    headers: { "content-type": contentType },
  });

describe("withVitals(middy(handler)): vitals outside, the recommended order", () => {
  const handler = withVitals(middy(createOrder).use(jsonBodyParser()), options);

  it("writes one line for a good request, with the handler's status", async () => {
    const response = await handler(post('{"item":"book"}'), lambdaContext());
    expect(response).toEqual({ statusCode: 201, body: '{"item":"book"}' });
    expect(only(out.documents())).toMatchObject({
      Route: "POST /orders",
      status: 201,
      Requests: 1,
      ClientErrors: 0,
    });
  });

  it.each([
    ["a body that is not JSON", post("{not json")],
    ["a body of another media type", post("item=book", "application/x-www-form-urlencoded")],
  ])(
    "answers %s with the parser's 415, and writes exactly one line for it",
    async (_name, event) => {
      const response = (await handler(event, lambdaContext({ requestId: "r-415" }))) as {
        statusCode: number;
        body: string;
      };
      expect(response.statusCode).toBe(415);
      expect(JSON.parse(response.body)).toMatchObject({ requestId: "r-415" });
      expect(only(out.documents())).toMatchObject({
        Route: "POST /orders",
        status: 415,
        Requests: 1,
        ClientErrors: 1,
        Errors: 0,
        errorType: "UnsupportedMediaTypeError",
      });
    },
  );
});

describe("middy(withVitals(handler)): vitals inside", () => {
  const handler = middy(withVitals(createOrder, options)).use(jsonBodyParser());

  it("writes one line for a request that reaches the handler", async () => {
    await handler(post('{"item":"book"}'), lambdaContext());
    expect(only(out.documents())).toMatchObject({ status: 201, Requests: 1 });
  });

  it("writes no line for a request the body parser rejects: the wrapped handler never ran", async () => {
    // This is what the inner order loses, and why the docs recommend the outer one
    await expect(handler(post("{not json"), lambdaContext())).rejects.toMatchObject({
      statusCode: 415,
    });
    expect(out.documents()).toEqual([]);
  });
});
