/**
 * `lambda-vitals-metrics`: the same one-line wrapping as `lambda-vitals`, with a handler that
 * records its own data as a typical one does (a business metric, a dimension, a property). Its
 * cost over `lambda-vitals` is what recording costs; `npm run bench -- --compare <rev>` sets it
 * against another revision of the library.
 */
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { metricsFor, withVitals } from "lambda-vitals";
import { NAMESPACE, SERVICE, work } from "./workload";

export const handler = withVitals(
  async (event: APIGatewayProxyEventV2, context: Context) => {
    const metrics = metricsFor(context);
    metrics.addDimension("Channel", "web");
    metrics.addMetric("OrdersCreated", 1, "Count");
    metrics.addProperty("orderId", event.pathParameters?.id);
    return work(event, context);
  },
  { namespace: NAMESPACE, service: SERVICE },
);
