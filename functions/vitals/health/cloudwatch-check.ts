/**
 * The service's own recent behaviour, read back from CloudWatch: the error rate and p99 latency
 * of the metrics the wrapper wrote over the last few minutes, against thresholds.
 *
 * When CloudWatch fails, throttles or cannot be reached, the checks say so as `warn`: an outage of
 * the monitoring is not an outage of the service. The SDK is loaded on first use only, so no other
 * function's bundle or cold start pays for it.
 */
import type { Dimension, MetricDataQuery, MetricDataResult } from "@aws-sdk/client-cloudwatch";
import { DIMENSIONS, METRICS } from "../contract";
import type { HealthCheck, Observation } from "./checks";
import {
  cloudWatch,
  describeFailure,
  notQueriedOffline,
  queryWindow,
  safeWord,
  windowText,
} from "./cloudwatch-client";
import { judge, round } from "./observed";
import type { HealthSettings } from "./settings";

type Env = Readonly<Record<string, string | undefined>>;
type Settings = Pick<
  HealthSettings,
  "namespace" | "service" | "windowMinutes" | "errorRatePercent" | "p99Ms"
> &
  Partial<Pick<HealthSettings, "errorRateMinRequests" | "budgetAlarms">>;

/**
 * `service:errorRate` (percent of requests that failed) and `service:latencyP99` (ms), read with
 * `GetMetricData` from the `[Service]` series the wrapper writes, over the last `windowMinutes`
 * (the health function's own invocations are not in it: it is wrapped with `serviceWide: false`).
 * Above the `warn` or `fail` threshold a check reports that status; with no requests in the
 * window it passes with `observedValue: null`; when CloudWatch cannot answer it is `warn`.
 *
 * Running offline (`IS_OFFLINE`) without an endpoint override, the checks report `warn` without
 * loading the SDK: there is no CloudWatch to ask, and the real one must not be called from a laptop.
 *
 * @example
 * const checks = [...runtimeChecks(), ...cloudWatchChecks(healthSettings(process.env))];
 */
export function cloudWatchChecks(settings: Settings, env: Env = process.env): HealthCheck[] {
  const skipped = notQueriedOffline(env);
  const window = windowText(settings.windowMinutes);
  const errorRate: HealthCheck = {
    name: "service:errorRate",
    onFailure: "warn",
    run: (signal) =>
      skipped ??
      // The health function's own answers are not in the [Service] series (it is wrapped with
      // serviceWide: false), so its 503s cannot keep a quiet service failing on its own probes.
      read(settings, signal, ["requests", "errors"], (v) => {
        const requests = sum(v.requests);
        if (requests <= 0) return quiet("percent", window);
        const errors = sum(v.errors);
        const percent = round((errors / requests) * 100, 2);
        // The error-rate alarm's guard, over the window: one failure among a few requests is
        // not an outage, and /health must not fail where the alarm stays quiet.
        const least = (settings.errorRateMinRequests ?? 0) * settings.windowMinutes;
        if (requests < least) {
          return {
            status: "pass",
            observedValue: percent,
            observedUnit: "percent",
            output: `${requests} requests in ${window}, fewer than ${least}: not judged`,
          };
        }
        return judge(
          percent,
          "percent",
          settings.errorRatePercent,
          above("error rate", percent, "percent"),
        );
      }),
  };
  const latency: HealthCheck = {
    name: "service:latencyP99",
    onFailure: "warn",
    run: (signal) =>
      skipped ??
      read(settings, signal, ["latency"], (v) => {
        // More than one datapoint only if CloudWatch split the window: the worst one counts.
        if (v.latency.length === 0) return quiet("ms", window);
        const p99 = round(Math.max(...v.latency), 1);
        return judge(p99, "ms", settings.p99Ms, above("p99 latency", p99, "ms"));
      }),
  };
  const budget = settings.budgetAlarms ?? [];
  if (budget.length === 0) return [errorRate, latency];
  const errorBudget: HealthCheck = {
    name: "service:errorBudget",
    onFailure: "warn",
    run: (signal) => skipped ?? burning(budget, signal),
  };
  return [errorRate, latency, errorBudget];
}

/**
 * `service:errorBudget`: `warn` while one of the burn-rate pairs that page is in ALARM, the budget
 * going fast enough to page, as the alarms decide it (`DescribeAlarms`, composite alarms only:
 * the plugin grants `cloudwatch:DescribeAlarms` on `*`, which the API reference says composite
 * alarms need). An alarm not found is said: the stack is not deployed, or the list is wrong.
 */
async function burning(names: readonly string[], signal: AbortSignal): Promise<Observation> {
  let found: { name: string; state: string }[];
  try {
    const { module, client } = await cloudWatch();
    signal.throwIfAborted();
    const output = await client.send(
      new module.DescribeAlarmsCommand({
        AlarmNames: [...names],
        AlarmTypes: ["CompositeAlarm"],
        MaxRecords: 100,
      }),
      { abortSignal: signal },
    );
    found = (output.CompositeAlarms ?? []).map((a) => ({
      name: String(a.AlarmName),
      state: String(a.StateValue),
    }));
  } catch (error) {
    if (signal.aborted) throw error; // the runner reports the timeout
    return {
      status: "warn",
      observedValue: null,
      output: describeFailure(error, "DescribeAlarms"),
    };
  }
  const inAlarm = names.filter((name) => found.some((a) => a.name === name && a.state === "ALARM"));
  const missing = names.filter((name) => !found.some((a) => a.name === name));
  if (inAlarm.length > 0) {
    return {
      status: "warn",
      observedValue: inAlarm.length,
      observedUnit: "alarms",
      output: `the error budget is burning fast enough to page: ${inAlarm.join(", ")}`,
    };
  }
  if (missing.length > 0) {
    return {
      status: "warn",
      observedValue: null,
      output: `no such alarm (not deployed yet?): ${missing.join(", ")}`,
    };
  }
  return {
    status: "pass",
    observedValue: 0,
    observedUnit: "alarms",
    output: "no burn-rate page in ALARM",
  };
}

/**
 * How each request metric the checks read is queried, keyed by its name in the contract's
 * `METRICS`, so a metric the contract does not have cannot be asked for.
 */
const QUERIES = {
  requests: { id: "requests", stat: "Sum" },
  errors: { id: "errors", stat: "Sum" },
  latency: { id: "latencyP99", stat: "p99" },
} as const satisfies Partial<Record<keyof typeof METRICS, { id: string; stat: string }>>;

type Wanted = keyof typeof QUERIES;

async function read<W extends Wanted>(
  settings: Settings,
  signal: AbortSignal,
  wanted: readonly W[],
  decide: (values: Record<W, number[]>) => Observation,
): Promise<Observation> {
  let results: MetricDataResult[];
  try {
    const { module, client } = await cloudWatch();
    signal.throwIfAborted();
    const { StartTime, EndTime, period } = queryWindow(settings.windowMinutes, Date.now());
    const queries: MetricDataQuery[] = wanted.map((w) => {
      const { id, stat } = QUERIES[w];
      const dimensions: Dimension[] = [{ Name: DIMENSIONS.service, Value: settings.service }];
      const metric = { Namespace: settings.namespace, MetricName: METRICS[w].name };
      return {
        Id: id,
        ReturnData: true,
        MetricStat: {
          Metric: { ...metric, Dimensions: dimensions },
          Period: period,
          Stat: stat,
        },
      };
    });
    const output = await client.send(
      new module.GetMetricDataCommand({ StartTime, EndTime, MetricDataQueries: queries }),
      { abortSignal: signal },
    );
    results = output.MetricDataResults ?? [];
  } catch (error) {
    if (signal.aborted) throw error; // the runner reports the timeout
    return { status: "warn", observedValue: null, output: describeFailure(error) };
  }
  const values = {} as Record<W, number[]>;
  for (const w of wanted) {
    const result = results.find((r) => r.Id === QUERIES[w].id);
    const numbers = (result?.Values ?? []).filter((v) => Number.isFinite(v));
    const status = result?.StatusCode ?? "Complete";
    if (numbers.length === 0 && status !== "Complete") {
      return {
        status: "warn",
        observedValue: null,
        output: `CloudWatch returned ${safeWord(status)} for ${METRICS[w].name}`,
      };
    }
    values[w] = numbers;
  }
  return decide(values);
}

/** Why a value fails or warns: it is above the limit. */
function above(label: string, value: number, unit: string): (limit: number) => string {
  return (limit) => `${label} ${value} ${unit} is above ${limit} ${unit}`;
}

function quiet(unit: string, window: string): Observation {
  return {
    status: "pass",
    observedValue: null,
    observedUnit: unit,
    output: `no requests in ${window}`,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, v) => total + v, 0);
}
