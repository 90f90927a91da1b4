/**
 * `powertools`: Powertools for AWS Lambda Metrics with its middy middleware, the way its docs show
 * it: one module-level `Metrics`, `logMetrics` publishing after the handler, its own cold-start
 * metric. Its service dimension is named `service` (Powertools' fixed name).
 */
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { NAMESPACE, SERVICE, work } from "./workload";

const metrics = new Metrics({ namespace: NAMESPACE, serviceName: SERVICE });

export const handler = middy(async (event: APIGatewayProxyEventV2, context: Context) => {
  const started = performance.now();
  const result = await work(event, context);
  metrics.addDimension("Route", event.routeKey);
  metrics.addMetric("Requests", MetricUnit.Count, 1);
  const failed = result.statusCode !== undefined && result.statusCode >= 500;
  metrics.addMetric("Errors", MetricUnit.Count, failed ? 1 : 0);
  metrics.addMetric("Latency", MetricUnit.Milliseconds, performance.now() - started);
  return result;
}).use(logMetrics(metrics, { captureColdStartMetric: true }));
