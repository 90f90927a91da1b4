/**
 * `limit`: the least any EMF instrumentation can do by hand, with the same metrics as the others:
 * one `performance.now()` pair, one `JSON.stringify`, one `process.stdout.write`.
 */
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { NAMESPACE, SERVICE, work } from "./workload";

const METRICS = [
  { Name: "Requests", Unit: "Count" },
  { Name: "Errors", Unit: "Count" },
  { Name: "Latency", Unit: "Milliseconds" },
];
const COLD_METRICS = [...METRICS, { Name: "ColdStart", Unit: "Count" }];
const DIMENSIONS = [["Service", "Route"]];
let coldStart = true;

export const handler = async (event: APIGatewayProxyEventV2, context: Context) => {
  const started = performance.now();
  const result = await work(event, context);
  const cold = coldStart;
  coldStart = false;
  const doc = {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        { Namespace: NAMESPACE, Dimensions: DIMENSIONS, Metrics: cold ? COLD_METRICS : METRICS },
      ],
    },
    Service: SERVICE,
    Route: event.routeKey,
    Requests: 1,
    Errors: result.statusCode !== undefined && result.statusCode >= 500 ? 1 : 0,
    Latency: performance.now() - started,
    ColdStart: cold ? 1 : undefined,
  };
  process.stdout.write(`${JSON.stringify(doc)}\n`);
  return result;
};
