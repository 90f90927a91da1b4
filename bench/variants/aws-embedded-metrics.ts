/**
 * `aws-embedded-metrics`: `metricScope`, with `AWS_EMF_ENVIRONMENT=Lambda` set by the harness so
 * that it writes to stdout (`console.log`) instead of probing for an agent. It has no cold-start
 * metric of its own, so the flag is kept by hand as its docs suggest.
 */

import { metricScope, Unit } from "aws-embedded-metrics";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { NAMESPACE, SERVICE, work } from "./workload";

let coldStart = true;

export const handler = metricScope(
  (metrics) => async (event: APIGatewayProxyEventV2, context: Context) => {
    const started = performance.now();
    const result = await work(event, context);
    metrics.setNamespace(NAMESPACE);
    metrics.setDimensions({ Service: SERVICE, Route: event.routeKey });
    metrics.putMetric("Requests", 1, Unit.Count);
    const failed = result.statusCode !== undefined && result.statusCode >= 500;
    metrics.putMetric("Errors", failed ? 1 : 0, Unit.Count);
    metrics.putMetric("Latency", performance.now() - started, Unit.Milliseconds);
    if (coldStart) {
      coldStart = false;
      metrics.putMetric("ColdStart", 1, Unit.Count);
    }
    return result;
  },
);
