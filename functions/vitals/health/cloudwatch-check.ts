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
import { cloudWatch, notQueriedOffline, sdkMissing } from "./cloudwatch-client";
import type { HealthSettings, WarnFailLimits } from "./settings";

type Env = Readonly<Record<string, string | undefined>>;
type Settings = Pick<
  HealthSettings,
  "namespace" | "service" | "windowMinutes" | "errorRatePercent" | "p99Ms"
> &
  Partial<Pick<HealthSettings, "errorRateMinRequests">>;

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
  const window = `the last ${settings.windowMinutes} min`;
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
        return judge("error rate", percent, "percent", settings.errorRatePercent);
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
        return judge("p99 latency", p99, "ms", settings.p99Ms);
      }),
  };
  return [errorRate, latency];
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
    // Whole minutes only: the current one is still arriving and would read as a drop in traffic.
    const end = Math.floor(Date.now() / 60_000) * 60_000;
    const period = settings.windowMinutes * 60;
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
      new module.GetMetricDataCommand({
        StartTime: new Date(end - period * 1000),
        EndTime: new Date(end),
        MetricDataQueries: queries,
      }),
      { abortSignal: signal },
    );
    results = output.MetricDataResults ?? [];
  } catch (error) {
    if (signal.aborted) throw error; // the runner reports the timeout
    const output = sdkMissing(error) ?? describeFailure(error);
    return { status: "warn", observedValue: null, output };
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

/** A short, safe reason: the HTTP status and AWS error code, never the error's message. */
function describeFailure(error: unknown): string {
  const e = (typeof error === "object" && error !== null ? error : {}) as {
    name?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const code = safeWord(e.name);
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === "number") return `CloudWatch GetMetricData failed: HTTP ${status} ${code}`;
  if (typeof e.message === "string" && /region is missing/i.test(e.message)) {
    return "CloudWatch not configured: no AWS region";
  }
  if (code === "CredentialsProviderError") return "CloudWatch not configured: no AWS credentials";
  return `CloudWatch unreachable: ${code}`;
}

/** Above `fail` fails, above `warn` warns: a threshold of 0 means "any at all". */
function judge(label: string, value: number, unit: string, limits: WarnFailLimits): Observation {
  const observed = { observedValue: value, observedUnit: unit };
  const over = (limit: number) => `${label} ${value} ${unit} is above ${limit} ${unit}`;
  if (value > limits.fail) return { status: "fail", ...observed, output: over(limits.fail) };
  if (value > limits.warn) return { status: "warn", ...observed, output: over(limits.warn) };
  return { status: "pass", ...observed };
}

function quiet(unit: string, window: string): Observation {
  return {
    status: "pass",
    observedValue: null,
    observedUnit: unit,
    output: `no requests in ${window}`,
  };
}

function safeWord(value: unknown): string {
  return typeof value === "string" && /^[A-Za-z][\w.]{0,63}$/.test(value) ? value : "Error";
}

function sum(values: readonly number[]): number {
  return values.reduce((total, v) => total + v, 0);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
