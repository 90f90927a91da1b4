/**
 * The alarms: error rate, p99 latency, timeouts and health, service-wide, on the contract's
 * metrics. Each one says in its description what firing means, and each chooses how to read
 * missing data from how its metric is written.
 */
import type { CfnResource } from "./cfn";
import type { Contract } from "./emitted";
import { hasHealthFunction, type StackInput } from "./service";

export const ALARM_TOPIC_ID = "AlarmTopic";
export const HAS_ALARM_EMAIL = "HasAlarmEmail";

/** Notifications go to the topic only when the stage has an address; else the alarms just change state. */
const ACTIONS = {
  "Fn::If": [HAS_ALARM_EMAIL, [{ Ref: ALARM_TOPIC_ID }], { Ref: "AWS::NoValue" }],
};

/**
 * The alarms, the optional SNS topic with its e-mail subscription, and the condition that
 * decides whether the topic exists.
 *
 * @example
 * const { Resources, Conditions } = alarmResources(input, CONTRACT);
 * Object.keys(Resources); // ["ErrorRateAlarm", "LatencyP99Alarm", ..., "AlarmTopic", ...]
 */
export function alarmResources(
  input: StackInput,
  contract: Contract,
): { Conditions: Record<string, unknown>; Resources: Record<string, CfnResource> } {
  const { metrics, healthMetrics, dimensions } = contract;
  const { thresholds } = input;
  const serviceDimension = [{ Name: dimensions.service, Value: input.service }];
  const stat = (metric: { name: string }, statistic: string) => ({
    Metric: { Namespace: input.namespace, MetricName: metric.name, Dimensions: serviceDimension },
    Period: 60,
    Stat: statistic,
  });
  const name = (what: string) => `${input.service}-${input.stage}-${what}`;

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
          // a quiet minute with one failure is not a 100% outage
          Expression: `IF(requests >= ${thresholds.errorRateMinRequests}, 100 * errors / requests, 0)`,
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

  return {
    Conditions: {
      [HAS_ALARM_EMAIL]: { "Fn::Not": [{ "Fn::Equals": [input.alarmEmail, ""] }] },
    },
    Resources: {
      ...alarms,
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

function alarm(properties: Record<string, unknown>): CfnResource {
  return {
    Type: "AWS::CloudWatch::Alarm",
    Properties: { ...properties, AlarmActions: ACTIONS, OKActions: ACTIONS },
  };
}
