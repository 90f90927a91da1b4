/**
 * The CloudWatch `GetMetricData` API on 127.0.0.1, answered from the local metric store, in the
 * protocol the installed `@aws-sdk/client-cloudwatch` speaks: AWS JSON 1.0 (`POST /`,
 * `x-amz-target: GraniteServiceVersion20100801.GetMetricData`, epoch-second timestamps). Under
 * `npm start` the health function's SDK client is pointed here (`AWS_ENDPOINT_URL_CLOUDWATCH`).
 *
 * Semantics follow the `GetMetricData` API reference: one datapoint per `Period` from
 * `StartTime` (inclusive) to `EndTime` (exclusive), only periods that hold data, newest first
 * unless `ScanBy` is `TimestampAscending`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { MetricStore } from "./metric-store";
import { isStatistic } from "./statistics";

export const TARGET_PREFIX = "GraniteServiceVersion20100801.";
const CONTENT_TYPE = "application/x-amz-json-1.0";
/** A request body larger than this is refused: GetMetricData's own limit is far below it. */
const MAX_BODY_BYTES = 1_048_576;
/** GetMetricData accepts at most 500 queries per call. */
const MAX_QUERIES = 500;
/**
 * GetMetricData returns "a total of as many as 100,800 data points" per call (its API reference).
 * CloudWatch pages the rest of a MetricStat-only call with NextToken; the local one has no pages,
 * so it refuses a call that could need them, before it walks a single period.
 */
const MAX_DATAPOINTS = 100_800;

/** An answer in AWS JSON 1.0: the HTTP status and the JSON body. */
export interface ApiAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * Whether a request is meant for this API rather than for the dashboard page.
 *
 * @example
 * isCloudWatchRequest(req); // true for the SDK's POST / with an x-amz-target header
 */
export function isCloudWatchRequest(req: IncomingMessage): boolean {
  return req.method === "POST" && typeof req.headers["x-amz-target"] === "string";
}

/**
 * Answers one API call: `GetMetricData` from the store, anything else with the error AWS gives
 * for an unknown operation. Bad input gets a 400 that names what is wrong.
 *
 * @example
 * answerCloudWatch(store, "GraniteServiceVersion20100801.GetMetricData", body).status; // 200
 */
export function answerCloudWatch(store: MetricStore, target: string, body: unknown): ApiAnswer {
  if (target !== `${TARGET_PREFIX}GetMetricData`) {
    return failure(
      "UnknownOperationException",
      `the local CloudWatch answers GetMetricData only, not ${target}`,
    );
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return failure("SerializationException", "the request body is not a JSON object");
  }
  const request = body as Record<string, unknown>;
  const start = request.StartTime;
  const end = request.EndTime;
  if (typeof start !== "number" || typeof end !== "number" || !(end > start)) {
    return failure(
      "InvalidParameterValue",
      "StartTime and EndTime must be times with EndTime after StartTime",
    );
  }
  const queries = request.MetricDataQueries;
  if (!Array.isArray(queries) || queries.length === 0 || queries.length > MAX_QUERIES) {
    return failure(
      "InvalidParameterValue",
      `MetricDataQueries must hold 1 to ${MAX_QUERIES} queries`,
    );
  }
  const ascending = request.ScanBy === "TimestampAscending";
  const reads: ReadQuery[] = [];
  for (const [index, query] of queries.entries()) {
    const read = readQuery(query, index);
    if (typeof read === "string") return failure("InvalidParameterValue", read);
    reads.push(read);
  }
  const requested = reads.reduce((sum, read) => sum + Math.ceil((end - start) / read.period), 0);
  if (requested > MAX_DATAPOINTS) {
    return failure(
      "InvalidParameterCombination",
      `You have requested up to ${requested} datapoints, which exceeds the limit of ${MAX_DATAPOINTS}. ` +
        "You may reduce the datapoints requested by increasing Period, or decreasing the time range.",
    );
  }
  const results: Record<string, unknown>[] = [];
  for (const read of reads) {
    if (!read.returnData) continue;
    const points: [number, number][] = [];
    for (let t = start; t < end; t += read.period) {
      const value = store.datapoint(read.metric, read.stat, t * 1000, read.period);
      if (value !== undefined) points.push([t, value]);
    }
    if (!ascending) points.reverse();
    results.push({
      Id: read.id,
      Label: read.label,
      Timestamps: points.map(([t]) => t),
      Values: points.map(([, v]) => v),
      StatusCode: "Complete",
    });
  }
  return { status: 200, body: { MetricDataResults: results, Messages: [] } };
}

/**
 * Serves one HTTP request for the API: reads the body (bounded), answers, and never throws.
 *
 * @example
 * createServer((req, res) => isCloudWatchRequest(req) && serveCloudWatch(store, req, res));
 */
export async function serveCloudWatch(
  store: MetricStore,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      return send(res, failure("SerializationException", "the request body is over 1 MB"));
    }
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return send(res, failure("SerializationException", "the request body is not JSON"));
  }
  const target = String(req.headers["x-amz-target"] ?? "");
  send(res, answerCloudWatch(store, target, body));
}

interface ReadQuery {
  readonly id: string;
  readonly label: string;
  readonly returnData: boolean;
  readonly period: number;
  readonly stat: Parameters<MetricStore["datapoint"]>[1];
  readonly metric: Parameters<MetricStore["datapoint"]>[0];
}

function readQuery(query: unknown, index: number): ReadQuery | string {
  const where = `MetricDataQueries[${index}]`;
  if (typeof query !== "object" || query === null) return `${where} is not an object`;
  const {
    Id: id,
    MetricStat: stat,
    Expression: expression,
    ReturnData,
    Label,
  } = query as Record<string, unknown>;
  if (typeof id !== "string" || !/^[a-z][A-Za-z0-9_]{0,254}$/.test(id)) {
    return `${where}.Id must start with a lower-case letter and hold only letters, digits and _`;
  }
  if (expression !== undefined)
    return `${where}: the local CloudWatch answers MetricStat queries, not Expression`;
  if (typeof stat !== "object" || stat === null) return `${where}.MetricStat is missing`;
  const {
    Metric: metric,
    Period: period,
    Stat: name,
    Unit: unit,
  } = stat as Record<string, unknown>;
  if (typeof period !== "number" || !Number.isInteger(period) || period < 60 || period % 60 !== 0) {
    return `${where}.MetricStat.Period must be a multiple of 60 seconds (the store keeps minutes)`;
  }
  if (typeof name !== "string" || !isStatistic(name))
    return `${where}.MetricStat.Stat ${JSON.stringify(name)} is not a statistic`;
  if (typeof metric !== "object" || metric === null) return `${where}.MetricStat.Metric is missing`;
  const {
    Namespace: namespace,
    MetricName: metricName,
    Dimensions: dimensions,
  } = metric as Record<string, unknown>;
  if (typeof namespace !== "string" || typeof metricName !== "string") {
    return `${where}.MetricStat.Metric needs Namespace and MetricName`;
  }
  const pairs: Record<string, string> = {};
  for (const dimension of Array.isArray(dimensions) ? dimensions : []) {
    const { Name, Value } = (dimension ?? {}) as Record<string, unknown>;
    if (typeof Name !== "string" || typeof Value !== "string")
      return `${where}: a dimension needs Name and Value`;
    pairs[Name] = Value;
  }
  return {
    id,
    label: typeof Label === "string" ? Label : metricName,
    returnData: ReturnData !== false,
    period,
    stat: name,
    metric: {
      namespace,
      name: metricName,
      dimensions: pairs,
      ...(typeof unit === "string" ? { unit } : {}),
    },
  };
}

function failure(type: string, message: string): ApiAnswer {
  return { status: 400, body: { __type: type, message } };
}

function send(res: ServerResponse, answer: ApiAnswer): void {
  const type = typeof answer.body.__type === "string" ? answer.body.__type : undefined;
  res.writeHead(answer.status, {
    "content-type": CONTENT_TYPE,
    "x-amzn-requestid": crypto.randomUUID(),
    // the SDK reads the error code from here when the service also speaks the query protocol
    ...(type === undefined ? {} : { "x-amzn-query-error": `${type};Sender` }),
  });
  res.end(JSON.stringify(answer.body));
}
