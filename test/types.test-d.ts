import type {
  ALBEvent,
  ALBResult,
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyResult,
  APIGatewayProxyStructuredResultV2,
  Context,
  SQSBatchResponse,
  SQSEvent,
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

  it("rejects handlers that do not return a promise, and unknown options", () => {
    // @ts-expect-error a callback-style handler is not accepted (Node 24 runtimes drop them)
    withVitals((_event: SQSEvent, _context: Context, _callback: () => void) => undefined);
    // @ts-expect-error typo in an option name
    withVitals(async () => 1, { namespce: "x" });
  });

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
