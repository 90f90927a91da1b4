/**
 * Example: `GET /orders/{id}`, an ordinary handler wrapped in one line.
 */
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from "aws-lambda";
import { HttpError, metricsFor, withVitals } from "lambda-vitals";
import { json, ORDERS } from "./orders-store";

/** `GET /orders/{id}`: 200 with the order, 404 when there is none. */
export const getOrder = withVitals(
  async (
    event: APIGatewayProxyEventV2,
    context: Context,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const id = event.pathParameters?.id ?? "";
    const order = ORDERS.get(id);
    if (order === undefined) throw new HttpError(404, `order ${JSON.stringify(id)} not found`);
    const metrics = metricsFor(context);
    metrics.addDimension("Channel", order.channel); // bounded: the order's validated channel
    metrics.addMetric("OrdersViewed", 1, "Count");
    metrics.addProperty("orderId", id);
    return json(200, order);
  },
);
