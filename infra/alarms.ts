/**
 * The alarms. Four read what the wrapper writes (error rate, p99 latency, timeouts, health); the
 * rest read what AWS itself counts, so an outage the wrapper never sees still fires one: each
 * function's invocation errors and throttles (`AWS/Lambda`) and the API's own 5xx
 * (`AWS/ApiGateway`). One composite alarm pages for all of them: an outage trips several
 * children at once, and on-call gets one notification, not four. docs/alarms.md has the table.
 */
import type { CfnResource } from "./cfn";
import type { Contract } from "./emitted";
import { type FunctionInput, hasHealthFunction, type StackInput } from "./service";
import { sloResources } from "./slo-alarms";

export const ALARM_TOPIC_ID = "AlarmTopic";
export const HAS_ALARM_EMAIL = "HasAlarmEmail";
/** The composite alarm: the only one with actions. */
export const PAGE_ALARM_ID = "PageAlarm";
/** Serverless' logical id of the HTTP API it makes for `httpApi` events. */
export const HTTP_API_ID = "HttpApi";

/**
 * CloudWatch's limits on a composite alarm's rule (AlarmRule: at most 10240 characters) and an
 * ARN's fixed part (`arn:aws:cloudwatch:<region>:<12-digit account>:alarm:`), used to refuse a
 * rule that CloudFormation would reject.
 */
const MAX_ALARM_RULE_CHARS = 10_240;

/** Notifications go to the topic only when the stage has an address; else the alarms just change state. */
const ACTIONS = {
  "Fn::If": [HAS_ALARM_EMAIL, [{ Ref: ALARM_TOPIC_ID }], { Ref: "AWS::NoValue" }],
};

/**
 * The alarms, the composite alarm that pages, the optional SNS topic with its e-mail
 * subscription, and the condition that decides whether the topic exists.
 *
 * @example
 * const { Resources, Conditions } = alarmResources(input, CONTRACT);
 * Object.keys(Resources); // ["ErrorRateAlarm", ..., "GetOrderErrorsAlarm", ..., "PageAlarm", "AlarmTopic", ...]
 */
export function alarmResources(
  input: StackInput,
  contract: Contract,
): { Conditions: Record<string, unknown>; Resources: Record<string, CfnResource> } {
  const alarms = { ...wrapperAlarms(input, contract), ...awsAlarms(input) };
  const slo =
    input.objectives === undefined
      ? undefined
      : sloResources(input, contract, input.objectives, input.ticketEmail);
  // The fixed thresholds keep paging unless the objectives replace them: then the error-rate and
  // p99 alarms keep their state for the dashboard, and the burn-rate pairs page instead.
  const replaced = new Set(
    input.objectives?.replaceThresholdPages ? ["ErrorRateAlarm", "LatencyP99Alarm"] : [],
  );
  const pageChildren = [
    ...Object.keys(alarms).filter((id) => !replaced.has(id)),
    ...(slo?.pages ?? []),
  ];
  const all = { ...alarms, ...slo?.Resources };
  return {
    Conditions: {
      [HAS_ALARM_EMAIL]: { "Fn::Not": [{ "Fn::Equals": [input.alarmEmail, ""] }] },
      ...slo?.Conditions,
    },
    Resources: {
      ...all,
      [PAGE_ALARM_ID]: pageAlarm(input, all, pageChildren),
      [ALARM_TOPIC_ID]: {
        Type: "AWS::SNS::Topic",
        // No KmsMasterKeyId: CloudWatch cannot publish to a topic encrypted with the AWS-managed
        // key (alias/aws/sns), and a customer key would be one more thing to pay for and manage.
        Condition: HAS_ALARM_EMAIL,
        Properties: { DisplayName: `${input.service} ${input.stage} alarms` },
      },
      AlarmEmailSubscription: {
        Type: "AWS::SNS::Subscription",
        Condition: HAS_ALARM_EMAIL,
        Properties: {
          TopicArn: { Ref: ALARM_TOPIC_ID },
          Protocol: "email",
          Endpoint: input.alarmEmail,
        },
      },
    },
  };
}

/**
 * The `IF` that the error-rate alarms and charts share: a minute with fewer requests than the
 * guard counts as 0 %, so one failure in a quiet minute is not a 100 % outage.
 *
 * @example
 * guardedRate("errors", "requests", 5); // "IF(requests >= 5, 100 * errors / requests, 0)"
 */
export function guardedRate(failed: string, total: string, minRequests: number): string {
  return `IF(${total} >= ${minRequests}, 100 * ${failed} / ${total}, 0)`;
}

function alarmName(input: StackInput, what: string): string {
  return `${input.service}-${input.stage}-${what}`;
}

function wrapperAlarms(input: StackInput, contract: Contract): Record<string, CfnResource> {
  const { metrics, healthMetrics, dimensions } = contract;
  const { thresholds } = input;
  const serviceDimension = [{ Name: dimensions.service, Value: input.service }];
  const stat = (metric: { name: string }, statistic: string) => ({
    Metric: { Namespace: input.namespace, MetricName: metric.name, Dimensions: serviceDimension },
    Period: 60,
    Stat: statistic,
  });
  const name = (what: string) => alarmName(input, what);

  const alarms: Record<string, CfnResource> = {
    ErrorRateAlarm: alarm({
      AlarmName: name("error-rate"),
      AlarmDescription:
        `More than ${thresholds.errorRatePercent}% of requests answered 5xx or threw, in 3 of the ` +
        `last 5 minutes (minutes with fewer than ${thresholds.errorRateMinRequests} requests ` +
        "count as healthy). Look at the errors-by-route query and the per-route rows.",
      Metrics: [
        { Id: "requests", MetricStat: stat(metrics.requests, "Sum"), ReturnData: false },
        { Id: "errors", MetricStat: stat(metrics.errors, "Sum"), ReturnData: false },
        {
          Id: "errorRate",
          Label: "5xx rate %",
          Expression: guardedRate("errors", "requests", thresholds.errorRateMinRequests),
          ReturnData: true,
        },
      ],
      Threshold: thresholds.errorRatePercent,
      ComparisonOperator: "GreaterThanThreshold",
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      // no requests, no error rate: silence is not an outage of this service
      TreatMissingData: "notBreaching",
    }),
    LatencyP99Alarm: alarm({
      AlarmName: name("latency-p99"),
      AlarmDescription:
        `p99 latency above ${thresholds.latencyP99Ms} ms in 3 of the last 5 minutes. ` +
        "Look at the slowest-requests query, cold starts and Lambda duration and throttles.",
      Namespace: input.namespace,
      MetricName: metrics.latency.name,
      Dimensions: serviceDimension,
      ExtendedStatistic: "p99",
      Unit: metrics.latency.unit,
      Period: 60,
      Threshold: thresholds.latencyP99Ms,
      ComparisonOperator: "GreaterThanThreshold",
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      TreatMissingData: "notBreaching",
      // "ignore" would leave a p99 alarm unevaluated below 1000 requests a minute (10/(1-0.99)),
      // so most services would have none. Evaluated, a quiet minute's p99 is its slowest request;
      // 3 slow minutes out of 5 are needed, so one slow request does not page.
      EvaluateLowSampleCountPercentile: "evaluate",
    }),
    TimeoutsAlarm: alarm({
      AlarmName: name("timeouts"),
      AlarmDescription:
        `${thresholds.timeouts} or more invocations ran into the Lambda timeout within 5 minutes, ` +
        "in 1 of the last 3 such periods: the caller got no answer. Look for errorType " +
        '"Timeout" in Logs Insights and at the slow dependency it waited on.',
      Namespace: input.namespace,
      MetricName: metrics.timeouts.name,
      Dimensions: serviceDimension,
      Statistic: "Sum",
      Period: 300,
      Threshold: thresholds.timeouts,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      EvaluationPeriods: 3,
      DatapointsToAlarm: 1,
      // Timeouts is written only when one happens: missing data means none happened
      TreatMissingData: "notBreaching",
    }),
  };
  // Without the health function nothing writes `Health`, and a breaching-on-missing alarm would
  // fire forever: the alarm exists only beside the function that feeds it.
  if (hasHealthFunction(input)) {
    alarms.HealthAlarm = alarm({
      AlarmName: name("health"),
      AlarmDescription:
        "The scheduled health run reported fail, or did not report at all, in 3 of the last 5 " +
        "minutes. GET /health shows which check fails; if there is no data, the health " +
        "function or its schedule is broken.",
      Namespace: input.namespace,
      MetricName: healthMetrics.health.name,
      Dimensions: serviceDimension,
      Statistic: "Minimum",
      Period: 60,
      Threshold: 1,
      ComparisonOperator: "LessThanThreshold",
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      // the prober writes every minute: no data means the prober itself is down
      TreatMissingData: "breaching",
    });
  }
  return alarms;
}

/**
 * What AWS counts and the wrapper cannot: one alarm per function and per metric rather than one
 * metric-math sum, so no alarm reaches CloudWatch's 10-metric limit however many functions the
 * service has, and the alarm's name says which function to look at.
 */
function awsAlarms(input: StackInput): Record<string, CfnResource> {
  const alarms: Record<string, CfnResource> = {};
  for (const fn of input.functions) {
    alarms[`${fn.logicalName}ErrorsAlarm`] = invocationErrorsAlarm(input, fn);
    alarms[`${fn.logicalName}ThrottlesAlarm`] = throttlesAlarm(input, fn);
  }
  if (input.apis.httpApi) {
    // HTTP APIs publish `Count` and `5xx` under `ApiId` (API Gateway developer guide, "Monitor
    // CloudWatch metrics for HTTP APIs in API Gateway").
    alarms.HttpApi5xxAlarm = apiAlarm(input, "http-api-5xx", "HTTP API", {
      dimension: { Name: "ApiId", Value: { Ref: HTTP_API_ID } },
      count: "Count",
      errors: "5xx",
    });
  }
  if (input.apis.restApiName !== undefined) {
    // REST APIs publish `Count` and `5XXError` under `ApiName` ("Amazon API Gateway dimensions
    // and metrics").
    alarms.RestApi5xxAlarm = apiAlarm(input, "rest-api-5xx", "REST API", {
      dimension: { Name: "ApiName", Value: input.apis.restApiName },
      count: "Count",
      errors: "5XXError",
    });
  }
  return alarms;
}

function lambdaMetric(fn: FunctionInput, metric: string) {
  return {
    Namespace: "AWS/Lambda",
    MetricName: metric,
    Dimensions: [{ Name: "FunctionName", Value: fn.name }],
    Statistic: "Sum",
    Period: 60,
  };
}

function invocationErrorsAlarm(input: StackInput, fn: FunctionInput): CfnResource {
  const { invocationErrors } = input.thresholds;
  return alarm({
    AlarmName: alarmName(input, `${fn.key}-invocation-errors`),
    AlarmDescription:
      `${fn.name} failed ${invocationErrors} or more invocations in a minute as Lambda counts ` +
      "them: a crash at init, an out-of-memory kill, a timeout, or an error the wrapper could not " +
      "answer. Callers got a 5xx, maybe with no log line of ours. Look at the function's log " +
      'group for "INIT_REPORT", "Runtime.", "Task timed out" and "Max Memory Used".',
    ...lambdaMetric(fn, "Errors"),
    Threshold: invocationErrors,
    ComparisonOperator: "GreaterThanOrEqualToThreshold",
    // Each one is a defect no line of ours explains: it fires at once and stays for 5 minutes.
    EvaluationPeriods: 5,
    DatapointsToAlarm: 1,
    // Lambda publishes Errors only for minutes with invocations: no data, no failure
    TreatMissingData: "notBreaching",
  });
}

function throttlesAlarm(input: StackInput, fn: FunctionInput): CfnResource {
  const { throttles } = input.thresholds;
  return alarm({
    AlarmName: alarmName(input, `${fn.key}-throttles`),
    AlarmDescription:
      `${fn.name} had ${throttles} or more throttled invocations a minute in 3 of the last 5 ` +
      "minutes: Lambda refused requests for lack of concurrency, and callers got an error " +
      "from API Gateway with no log line at all. Look at ConcurrentExecutions, reserved " +
      "concurrency and the account's concurrency quota.",
    ...lambdaMetric(fn, "Throttles"),
    Threshold: throttles,
    ComparisonOperator: "GreaterThanOrEqualToThreshold",
    // Clients retry a short burst; a sustained one is missing capacity.
    EvaluationPeriods: 5,
    DatapointsToAlarm: 3,
    TreatMissingData: "notBreaching",
  });
}

function apiAlarm(
  input: StackInput,
  what: string,
  kind: string,
  api: { dimension: { Name: string; Value: unknown }; count: string; errors: string },
): CfnResource {
  const { errorRatePercent, errorRateMinRequests } = input.thresholds;
  const stat = (metric: string) => ({
    Metric: { Namespace: "AWS/ApiGateway", MetricName: metric, Dimensions: [api.dimension] },
    Period: 60,
    Stat: "Sum",
  });
  return alarm({
    AlarmName: alarmName(input, what),
    AlarmDescription:
      `More than ${errorRatePercent}% of the ${kind}'s answers were 5xx as API Gateway counts ` +
      `them, in 3 of the last 5 minutes (minutes with fewer than ${errorRateMinRequests} ` +
      "requests count as healthy). This includes functions that crashed, timed out or were " +
      "throttled before the wrapper could answer. Compare with the error-rate alarm: if only " +
      "this one fires, look at the invocation-errors and throttles alarms and the access log.",
    Metrics: [
      { Id: "requests", MetricStat: stat(api.count), ReturnData: false },
      { Id: "errors", MetricStat: stat(api.errors), ReturnData: false },
      {
        Id: "errorRate",
        Label: `${kind} 5xx rate %`,
        Expression: guardedRate("errors", "requests", errorRateMinRequests),
        ReturnData: true,
      },
    ],
    Threshold: errorRatePercent,
    ComparisonOperator: "GreaterThanThreshold",
    EvaluationPeriods: 5,
    DatapointsToAlarm: 3,
    TreatMissingData: "notBreaching",
  });
}

/**
 * One page for an outage: ALARM while any child is in ALARM. A crash at init trips the function's
 * invocation errors, the API's 5xx and the health alarm within minutes of each other; as separate
 * notifications that is three pages for one cause. The children keep their state (and the
 * dashboard shows which ones fired); only this alarm notifies.
 */
function pageAlarm(
  input: StackInput,
  alarms: Record<string, CfnResource>,
  ids: readonly string[],
): CfnResource {
  const rule = ids.map((id) => `ALARM("\${${id}.Arn}")`).join(" OR ");
  const arnLength = `arn:aws:cloudwatch:${input.region}:123456789012:alarm:`.length;
  const length = ids.reduce(
    (total, id) =>
      total + `ALARM("")`.length + arnLength + String(alarms[id]?.Properties.AlarmName).length,
    (ids.length - 1) * " OR ".length,
  );
  if (length > MAX_ALARM_RULE_CHARS) {
    throw new Error(
      `lambda-vitals: ${ids.length} alarms make a composite rule of ${length} characters, over ` +
        `CloudWatch's ${MAX_ALARM_RULE_CHARS}; split the service or shorten its function names`,
    );
  }
  return {
    Type: "AWS::CloudWatch::CompositeAlarm",
    Properties: {
      AlarmName: alarmName(input, "page"),
      AlarmDescription:
        `${input.service} ${input.stage} needs someone: at least one of its ${ids.length} alarms ` +
        "is in ALARM. The notification names the alarms that triggered it; docs/alarms.md says " +
        "what each means and where to look first.",
      // Fn::Sub with each child's ARN also makes CloudFormation create the children first.
      AlarmRule: { "Fn::Sub": rule },
      AlarmActions: ACTIONS,
      OKActions: ACTIONS,
    },
  };
}

/** A child alarm: it changes state and shows on the dashboard; the composite alarm notifies. */
function alarm(properties: Record<string, unknown>): CfnResource {
  return { Type: "AWS::CloudWatch::Alarm", Properties: properties };
}
