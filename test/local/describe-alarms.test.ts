/**
 * DescribeAlarms on the local CloudWatch (local/cloudwatch-api.ts): its filters and paging as
 * the API reference describes them, and a clear 400 for each kind of bad input.
 */
import { describe, expect, it } from "vitest";
import { createMetricStore } from "../../local";
import { answerCloudWatch, type LocalAlarm, TARGET_PREFIX } from "../../local/cloudwatch-api";

const ALARMS: LocalAlarm[] = [
  { name: "shop-prod-error-rate", type: "MetricAlarm", state: "OK", reason: "fine" },
  { name: "shop-prod-health", type: "MetricAlarm", state: "ALARM", reason: "no data" },
  { name: "shop-prod-page", type: "CompositeAlarm", state: "ALARM", reason: "child" },
  { name: "other-alarm", type: "MetricAlarm", state: "OK", reason: "" },
];

function ask(body: unknown) {
  return answerCloudWatch(
    createMetricStore(),
    `${TARGET_PREFIX}DescribeAlarms`,
    body,
    () => ALARMS,
  );
}

const names = (body: Record<string, unknown>) =>
  [
    ...((body.MetricAlarms ?? []) as { AlarmName: string }[]),
    ...((body.CompositeAlarms ?? []) as { AlarmName: string }[]),
  ].map((a) => a.AlarmName);

describe("DescribeAlarms on the local CloudWatch", () => {
  it("answers metric alarms only when AlarmTypes is absent, as AWS does", () => {
    const answer = ask({});
    expect(answer.status).toBe(200);
    expect(names(answer.body)).toEqual(["shop-prod-error-rate", "shop-prod-health", "other-alarm"]);
  });

  it("filters by names, prefix, state and type, with each alarm's state and reason", () => {
    const both = ["MetricAlarm", "CompositeAlarm"];
    expect(names(ask({ AlarmNames: ["shop-prod-page", "x"], AlarmTypes: both }).body)).toEqual([
      "shop-prod-page",
    ]);
    expect(names(ask({ AlarmNamePrefix: "shop-prod-", AlarmTypes: both }).body)).toHaveLength(3);
    expect(ask({ StateValue: "ALARM", AlarmTypes: both }).body).toEqual({
      MetricAlarms: [
        { AlarmName: "shop-prod-health", StateValue: "ALARM", StateReason: "no data" },
      ],
      CompositeAlarms: [{ AlarmName: "shop-prod-page", StateValue: "ALARM", StateReason: "child" }],
    });
  });

  it("pages by MaxRecords and NextToken", () => {
    const first = ask({ MaxRecords: 2 });
    expect(names(first.body)).toEqual(["shop-prod-error-rate", "shop-prod-health"]);
    const second = ask({ MaxRecords: 2, NextToken: first.body.NextToken });
    expect(names(second.body)).toEqual(["other-alarm"]);
    expect(second.body.NextToken).toBeUndefined();
  });

  it.each([
    [{ AlarmNames: "shop-prod-health" }, "InvalidParameterValue", "AlarmNames must be a list"],
    [{ AlarmNames: ["a"], AlarmNamePrefix: "a" }, "InvalidParameterCombination", "cannot both"],
    [{ AlarmNamePrefix: 3 }, "InvalidParameterValue", "AlarmNamePrefix must be a string"],
    [{ StateValue: "BAD" }, "InvalidParameterValue", 'StateValue "BAD" is not OK'],
    [{ AlarmTypes: ["Anomaly"] }, "InvalidParameterValue", "AlarmTypes must list"],
    [{ MaxRecords: 0 }, "InvalidParameterValue", "MaxRecords must be a whole number from 1 to 100"],
    [{ NextToken: "x" }, "InvalidNextToken", "NextToken is not one this API gave"],
  ])("refuses %j with %s", (body, type, message) => {
    const answer = ask(body);
    expect(answer.status).toBe(400);
    expect(answer.body.__type).toBe(type);
    expect(String(answer.body.message)).toContain(message);
  });
});
