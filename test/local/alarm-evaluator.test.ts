import { describe, expect, it } from "vitest";
import {
  type AlarmResource,
  createMetricStore,
  firstMinuteIn,
  MINUTE_MS,
  replayAlarms,
} from "../../local";

const START = Date.UTC(2026, 10, 25, 12, 0, 0);
const METRIC = { namespace: "Test", name: "M", dimensions: { Service: "s" } };

/** A store with one value per listed minute; `undefined` leaves the minute without data. */
function storeWith(values: readonly (number | undefined)[], metric = METRIC) {
  const store = createMetricStore();
  store.ingestSeries({
    ...metric,
    points: values.flatMap((v, i) =>
      v === undefined ? [] : [{ at: START + i * MINUTE_MS, values: [v] }],
    ),
  });
  return store;
}

function alarm(properties: Record<string, unknown>): AlarmResource {
  return {
    Type: "AWS::CloudWatch::Alarm",
    Properties: {
      Namespace: METRIC.namespace,
      MetricName: METRIC.name,
      Dimensions: [{ Name: "Service", Value: "s" }],
      Statistic: "Sum",
      Period: 60,
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      ...properties,
    },
  };
}

const replay = (
  resource: AlarmResource,
  values: readonly (number | undefined)[],
  minutes = values.length,
) => replayAlarms({ A: resource }, storeWith(values), { start: START, minutes }).A ?? [];

describe("evaluating a metric alarm", () => {
  it("goes to ALARM when M of the last N datapoints breach, and back to OK", () => {
    // Act
    const states = replay(
      alarm({ EvaluationPeriods: 5, DatapointsToAlarm: 3, TreatMissingData: "notBreaching" }),
      [0, 1, 1, 0, 1, 0, 0, 0, 0],
    );

    // Assess
    expect(states).toEqual(["OK", "OK", "OK", "OK", "ALARM", "ALARM", "OK", "OK", "OK"]);
  });

  it.each([
    // The missing-data page's table for 3 of 3: 0 breaching-capable, X breaching, - missing
    { points: [0, undefined, 1], missing: "OK", notBreaching: "OK", breaching: "OK", ignore: "OK" },
    {
      points: [undefined, undefined, undefined],
      missing: "INSUFFICIENT_DATA",
      notBreaching: "OK",
      breaching: "ALARM",
      ignore: "OK",
    },
    {
      points: [0, undefined, undefined],
      missing: "OK",
      notBreaching: "OK",
      breaching: "OK",
      ignore: "OK",
    },
    {
      points: [undefined, undefined, 1],
      missing: "ALARM",
      notBreaching: "OK",
      breaching: "ALARM",
      ignore: "ALARM",
    },
    {
      points: [1, 1, 1],
      missing: "ALARM",
      notBreaching: "ALARM",
      breaching: "ALARM",
      ignore: "ALARM",
    },
  ])("treats missing data as the AWS table says for $points", ({ points, ...expected }) => {
    // Prepare: the minutes before the window were OK, so "ignore" has an OK state to keep
    const values = [0, 0, 0, ...points];

    // Act and assess
    for (const [treat, state] of Object.entries(expected)) {
      expect(replay(alarm({ TreatMissingData: treat }), values).at(-1), treat).toBe(state);
    }
  });

  it("starts in INSUFFICIENT_DATA and keeps its state with ignore while nothing arrives", () => {
    expect(
      replay(alarm({ TreatMissingData: "ignore" }), [
        undefined,
        1,
        1,
        1,
        undefined,
        undefined,
        undefined,
      ]),
    ).toEqual(["INSUFFICIENT_DATA", "ALARM", "ALARM", "ALARM", "ALARM", "ALARM", "ALARM"]);
  });

  it("reads a percentile and, with EvaluateLowSampleCountPercentile ignore, holds its state on few samples", () => {
    // Prepare: one slow request in each quiet minute
    const base = {
      Statistic: undefined,
      ExtendedStatistic: "p99",
      Threshold: 1000,
      ComparisonOperator: "GreaterThanThreshold",
    };

    // Act
    const evaluated = replay(
      alarm({ ...base, EvaluateLowSampleCountPercentile: "evaluate" }),
      [1500, 1500, 1500],
    );
    const ignored = replay(
      alarm({ ...base, EvaluateLowSampleCountPercentile: "ignore" }),
      [1500, 1500, 1500],
    );

    // Assess
    expect(evaluated.at(-1)).toBe("ALARM");
    expect(ignored).toEqual(["INSUFFICIENT_DATA", "INSUFFICIENT_DATA", "INSUFFICIENT_DATA"]);
  });

  it("uses a Period longer than a minute as a rolling window", () => {
    // Act: one breaching value in the first minute, a 5-minute period, 1 of 1
    const states = replay(
      alarm({
        Period: 300,
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        TreatMissingData: "notBreaching",
      }),
      [1],
      7,
    );

    // Assess: it counts in every 5-minute window that holds minute 0
    expect(states).toEqual(["ALARM", "ALARM", "ALARM", "ALARM", "ALARM", "OK", "OK"]);
  });

  it("filters by the alarm's Unit", () => {
    // Prepare
    const store = createMetricStore();
    store.ingestSeries({ ...METRIC, unit: "Seconds", points: [{ at: START, values: [5] }] });

    // Act
    const timeline = replayAlarms(
      { A: alarm({ Unit: "Milliseconds", EvaluationPeriods: 1, DatapointsToAlarm: 1 }) },
      store,
      { start: START, minutes: 1 },
    );

    // Assess
    expect(timeline.A).toEqual(["INSUFFICIENT_DATA"]);
  });
});

describe("evaluating a metric-math alarm", () => {
  const math = alarm({
    Namespace: undefined,
    MetricName: undefined,
    Dimensions: undefined,
    Statistic: undefined,
    Period: undefined,
    Threshold: 5,
    ComparisonOperator: "GreaterThanThreshold",
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    TreatMissingData: "notBreaching",
    Metrics: [
      {
        Id: "req",
        MetricStat: {
          Metric: {
            Namespace: "Api",
            MetricName: "Count",
            Dimensions: [{ Name: "ApiId", Value: { Ref: "HttpApi" } }],
          },
          Period: 60,
          Stat: "Sum",
        },
        ReturnData: false,
      },
      {
        Id: "err",
        MetricStat: {
          Metric: {
            Namespace: "Api",
            MetricName: "5xx",
            Dimensions: [{ Name: "ApiId", Value: { Ref: "HttpApi" } }],
          },
          Period: 60,
          Stat: "Sum",
        },
        ReturnData: false,
      },
      { Id: "rate", Expression: "IF(req >= 10, 100 * err / req, 0)", ReturnData: true },
    ],
  });
  const api = (name: string) => ({ namespace: "Api", name, dimensions: { ApiId: "a1" } });

  it("resolves Refs in dimensions and evaluates the returned expression", () => {
    // Prepare
    const store = createMetricStore();
    store.ingestSeries({
      ...api("Count"),
      points: [20, 20, 5].map((v, i) => ({ at: START + i * MINUTE_MS, values: [v] })),
    });
    store.ingestSeries({
      ...api("5xx"),
      points: [0, 2, 5].map((v, i) => ({ at: START + i * MINUTE_MS, values: [v] })),
    });

    // Act
    const timeline = replayAlarms({ A: math }, store, {
      start: START,
      minutes: 3,
      refs: { HttpApi: "a1" },
    });

    // Assess: 0 %, 10 %, and a quiet minute that does not count
    expect(timeline.A).toEqual(["OK", "ALARM", "OK"]);
  });

  it("refuses a Ref it was not given a value for", () => {
    expect(() =>
      replayAlarms({ A: math }, createMetricStore(), { start: START, minutes: 1 }),
    ).toThrow(/cannot resolve dimension value \{"Ref":"HttpApi"\}/);
  });
});

describe("evaluating a composite alarm", () => {
  it("is ALARM while its rule holds over the children's states", () => {
    // Prepare
    const resources = {
      A: alarm({
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        TreatMissingData: "notBreaching",
        AlarmName: "svc-a",
      }),
      Page: {
        Type: "AWS::CloudWatch::CompositeAlarm",
        Properties: {
          AlarmRule: { "Fn::Sub": `ALARM("\${A.Arn}") OR (TRUE AND NOT OK("svc-a"))` },
        },
      },
      Never: {
        Type: "AWS::CloudWatch::CompositeAlarm",
        Properties: { AlarmRule: "ALARM(svc-a) AND FALSE" },
      },
    };

    // Act
    const timeline = replayAlarms(resources, storeWith([0, 1, 0]), { start: START, minutes: 3 });

    // Assess
    expect(timeline.Page).toEqual(["OK", "ALARM", "OK"]);
    expect(timeline.Never).toEqual(["OK", "OK", "OK"]);
    expect(firstMinuteIn(timeline.Page, "ALARM")).toBe(1);
    expect(firstMinuteIn(timeline.Never, "ALARM")).toBeUndefined();
  });

  it("refuses a rule naming an alarm that does not exist", () => {
    const resources = {
      Page: { Type: "AWS::CloudWatch::CompositeAlarm", Properties: { AlarmRule: 'ALARM("nope")' } },
    };
    expect(() =>
      replayAlarms(resources, createMetricStore(), { start: START, minutes: 1 }),
    ).toThrow(/no alarm nope/);
  });
});

describe("refusing alarms it cannot evaluate faithfully", () => {
  it.each([
    [
      { ComparisonOperator: "LessThanLowerOrGreaterThanUpperThreshold" },
      /ComparisonOperator .* is not supported/,
    ],
    [{ Statistic: "tm90" }, /statistic tm90 is not supported/],
    [{ TreatMissingData: "sometimes" }, /TreatMissingData sometimes/],
    [{ DatapointsToAlarm: 4 }, /DatapointsToAlarm is above EvaluationPeriods/],
  ])("%o", (properties, error) => {
    expect(() => replay(alarm(properties), [1])).toThrow(error);
  });
});
