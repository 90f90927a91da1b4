/**
 * invokeMeasured takes a handler typed as a service types it (an adoption finding: `Handler` and
 * `APIGatewayProxyHandler` needed a cast), and its result keeps the handler's result type.
 */
import type {
  APIGatewayProxyHandler,
  APIGatewayProxyHandlerV2,
  APIGatewayProxyResult,
  APIGatewayProxyStructuredResultV2,
  Handler,
  SQSHandler,
} from "aws-lambda";
import { describe, expectTypeOf, it } from "vitest";
import { withVitals } from "../functions/vitals";
import { invokeMeasured } from "../functions/vitals/testing";
import { httpApiEvent, restApiEvent, sqsEvent } from "./fixtures/events";

describe("invokeMeasured's types", () => {
  it("takes a handler declared APIGatewayProxyHandler and gives its result type", () => {
    const handler: APIGatewayProxyHandler = withVitals(async () => ({ statusCode: 200, body: "" }));
    expectTypeOf(invokeMeasured(handler, restApiEvent()))
      .resolves.toHaveProperty("result")
      .toEqualTypeOf<APIGatewayProxyResult | undefined>();
  });

  it("takes APIGatewayProxyHandlerV2, Handler and SQSHandler without a cast", () => {
    const v2: APIGatewayProxyHandlerV2 = withVitals(async () => ({ statusCode: 200 }));
    expectTypeOf(invokeMeasured(v2, httpApiEvent()))
      .resolves.toHaveProperty("result")
      .toEqualTypeOf<APIGatewayProxyStructuredResultV2 | string | undefined>();
    const plain: Handler<{ id: string }, number> = withVitals(async (event: { id: string }) =>
      Number(event.id),
    );
    expectTypeOf(invokeMeasured(plain, { id: "1" }))
      .resolves.toHaveProperty("result")
      .toEqualTypeOf<number | undefined>();
    const queue: SQSHandler = withVitals(async () => undefined);
    expectTypeOf(invokeMeasured(queue, sqsEvent())).resolves.toHaveProperty("error").toBeUnknown();
  });

  it("refuses an event of the wrong type", () => {
    const plain: Handler<{ id: string }, number> = withVitals(async () => 1);
    // @ts-expect-error: the event must be the handler's event type
    void invokeMeasured(plain, { name: "x" });
  });
});
