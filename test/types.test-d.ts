import middy from "@middy/core";
import type {
  ALBEvent,
  ALBHandler,
  ALBResult,
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyHandler,
  APIGatewayProxyHandlerV2,
  APIGatewayProxyResult,
  APIGatewayProxyResultV2,
  APIGatewayProxyStructuredResultV2,
  Callback,
  Context,
  Handler,
  SQSBatchResponse,
  SQSEvent,
  SQSHandler,
} from "aws-lambda";
import { describe, expectTypeOf, it } from "vitest";
import { type LambdaHandler, type Metrics, metricsFor, withVitals } from "../functions/vitals";

describe("wrapping keeps the handler's types", () => {
  it("HTTP API 2.0", () => {
    const handler = async (
      _event: APIGatewayProxyEventV2,
      _context: Context,
    ): Promise<APIGatewayProxyStructuredResultV2> => ({ statusCode: 200 });
    const wrapped = withVitals(handler);
    expectTypeOf(wrapped).toEqualTypeOf<
      LambdaHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>
    >();
    expectTypeOf(wrapped).parameter(0).toEqualTypeOf<APIGatewayProxyEventV2>();
    expectTypeOf(wrapped).returns.resolves.toEqualTypeOf<APIGatewayProxyStructuredResultV2>();
  });

  it("REST API 1.0", () => {
    const wrapped = withVitals(
      async (_event: APIGatewayProxyEvent, _context: Context): Promise<APIGatewayProxyResult> => ({
        statusCode: 200,
        body: "",
      }),
    );
    expectTypeOf(wrapped).parameter(0).toEqualTypeOf<APIGatewayProxyEvent>();
    expectTypeOf(wrapped).returns.resolves.toEqualTypeOf<APIGatewayProxyResult>();
  });

  it("ALB", () => {
    const wrapped = withVitals(
      async (_event: ALBEvent): Promise<ALBResult> => ({ statusCode: 200 }),
      { routes: ["/orders/{id}"] },
    );
    expectTypeOf(wrapped).parameter(0).toEqualTypeOf<ALBEvent>();
    expectTypeOf(wrapped).parameter(1).toEqualTypeOf<Context>();
    expectTypeOf(wrapped).returns.resolves.toEqualTypeOf<ALBResult>();
  });

  it("a non-HTTP event", () => {
    const wrapped = withVitals(
      async (_event: SQSEvent): Promise<SQSBatchResponse> => ({ batchItemFailures: [] }),
    );
    expectTypeOf(wrapped).parameter(0).toEqualTypeOf<SQSEvent>();
    expectTypeOf(wrapped).returns.resolves.toEqualTypeOf<SQSBatchResponse>();
  });

  it("rejects what is not a Lambda handler, and unknown options", () => {
    // @ts-expect-error a fourth required parameter: Lambda never passes one
    withVitals((_event: SQSEvent, _context: Context, _callback: Callback, _extra: number) => {});
    // @ts-expect-error not a function
    withVitals("handler");
    // @ts-expect-error typo in an option name
    withVitals(async () => 1, { namespce: "x" });
  });
});

describe("callback handlers and the Handler types of @types/aws-lambda", () => {
  it("a callback handler keeps its event type and takes its result type from the callback", () => {
    const wrapped = withVitals(
      (
        _event: APIGatewayProxyEvent,
        _context: Context,
        callback: Callback<APIGatewayProxyResult>,
      ) => callback(null, { statusCode: 200, body: "" }),
    );
    expectTypeOf(wrapped).toEqualTypeOf<
      LambdaHandler<APIGatewayProxyEvent, APIGatewayProxyResult>
    >();
  });

  it("Handler<E, R>", () => {
    const handler: Handler<{ orderId: string }, number> = async () => 1;
    expectTypeOf(withVitals(handler)).toEqualTypeOf<LambdaHandler<{ orderId: string }, number>>();
  });

  it("APIGatewayProxyHandler, and the wrapped handler is one again", () => {
    const handler: APIGatewayProxyHandler = async () => ({ statusCode: 200, body: "" });
    const wrapped: APIGatewayProxyHandler = withVitals(handler);
    expectTypeOf(withVitals(handler)).parameter(0).toEqualTypeOf<APIGatewayProxyEvent>();
    expectTypeOf(withVitals(handler)).returns.resolves.toEqualTypeOf<APIGatewayProxyResult>();
    expectTypeOf(wrapped).toEqualTypeOf<APIGatewayProxyHandler>();
  });

  it("APIGatewayProxyHandlerV2", () => {
    const handler: APIGatewayProxyHandlerV2 = (_event, _context, callback) =>
      callback(null, { statusCode: 204 });
    const wrapped = withVitals(handler);
    expectTypeOf(wrapped).parameter(0).toEqualTypeOf<APIGatewayProxyEventV2>();
    expectTypeOf(wrapped).returns.resolves.toEqualTypeOf<APIGatewayProxyResultV2>();
  });

  it("ALBHandler", () => {
    const handler: ALBHandler = async () => ({ statusCode: 200 });
    const wrapped: ALBHandler = withVitals(handler, { routes: ["/orders/{id}"] });
    expectTypeOf(withVitals(handler)).parameter(0).toEqualTypeOf<ALBEvent>();
    expectTypeOf(wrapped).toEqualTypeOf<ALBHandler>();
  });

  it("SQSHandler", () => {
    const handler: SQSHandler = async () => ({ batchItemFailures: [] });
    const wrapped = withVitals(handler);
    expectTypeOf(wrapped).parameter(0).toEqualTypeOf<SQSEvent>();
    // SQSHandler's result is `SQSBatchResponse | void`: the same type comes back
    expectTypeOf(wrapped).returns.resolves.toEqualTypeOf<Awaited<ReturnType<SQSHandler>>>();
  });

  it("middy in either order keeps the event and result types", () => {
    const inner = async (
      _event: APIGatewayProxyEventV2,
    ): Promise<APIGatewayProxyStructuredResultV2> => ({
      statusCode: 200,
    });
    const outside = withVitals(middy(inner));
    expectTypeOf(outside).parameter(0).toEqualTypeOf<APIGatewayProxyEventV2>();
    expectTypeOf(outside).returns.resolves.toEqualTypeOf<APIGatewayProxyStructuredResultV2>();
    const inside = middy(withVitals(inner));
    expectTypeOf(inside).parameter(0).toEqualTypeOf<APIGatewayProxyEventV2>();
  });
});

describe("the recorder", () => {
  it("gives handlers a typed recorder", () => {
    expectTypeOf(metricsFor).returns.toEqualTypeOf<Metrics>();
    expectTypeOf<Metrics["addMetric"]>()
      .parameter(2)
      .toEqualTypeOf<
        | "Seconds"
        | "Microseconds"
        | "Milliseconds"
        | "Bytes"
        | "Kilobytes"
        | "Megabytes"
        | "Gigabytes"
        | "Terabytes"
        | "Bits"
        | "Kilobits"
        | "Megabits"
        | "Gigabits"
        | "Terabits"
        | "Percent"
        | "Count"
        | "Bytes/Second"
        | "Kilobytes/Second"
        | "Megabytes/Second"
        | "Gigabytes/Second"
        | "Terabytes/Second"
        | "Bits/Second"
        | "Kilobits/Second"
        | "Megabits/Second"
        | "Gigabits/Second"
        | "Terabits/Second"
        | "Count/Second"
        | "None"
        | undefined
      >();
    expectTypeOf<Metrics["addMetric"]>().parameter(3).toEqualTypeOf<1 | 60 | undefined>();
  });
});
