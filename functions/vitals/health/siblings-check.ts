/**
 * The service's other functions as Lambda itself counts them: a function that crashes at init, is
 * killed for memory or times out writes no line of ours, so the wrapper's metrics look healthy
 * while its route answers 5xx. This check reads each sibling's `AWS/Lambda` Errors and
 * Invocations over the last few minutes, so `/health` fails while a route does.
 *
 * The functions come from `HEALTH_SIBLING_FUNCTIONS` (comma-separated function names), which
 * `serverless.yml` sets and `serverless package` checks against the service's functions. The SDK
 * is loaded on first use only, as in the other CloudWatch checks.
 */
import type { MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { SIBLINGS_VARIABLE } from "../contract";
import type { HealthCheck, Observation } from "./checks";
import {
  cloudWatch,
  describeFailure,
  notQueriedOffline,
  queryWindow,
  windowText,
} from "./cloudwatch-client";
import { judge, round } from "./observed";
import type { HealthSettings } from "./settings";

type Env = Readonly<Record<string, string | undefined>>;
type Settings = Pick<HealthSettings, "windowMinutes" | "errorRatePercent">;

/** The environment variable that names the other functions. */
export { SIBLINGS_VARIABLE as SIBLINGS_ENV };

/** `GetMetricData` takes at most 500 queries; two per function. */
const MAX_SIBLINGS = 250;

/**
 * The function names in `HEALTH_SIBLING_FUNCTIONS`. Throws a TypeError at init for a list that
 * `GetMetricData` could not take in one call, or with a name that cannot be a function name.
 *
 * @example
 * siblingFunctions({ HEALTH_SIBLING_FUNCTIONS: "shop-prod-getOrder, shop-prod-createOrder" });
 * // ["shop-prod-getOrder", "shop-prod-createOrder"]
 */
export function siblingFunctions(env: Env): string[] {
  const names = (env[SIBLINGS_VARIABLE] ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  for (const name of names) {
    // Lambda function names: letters, digits, hyphens and underscores, at most 64 characters.
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
      throw new TypeError(
        `lambda-vitals health: ${SIBLINGS_VARIABLE} has an invalid function name ${JSON.stringify(name)}`,
      );
    }
  }
  if (names.length > MAX_SIBLINGS) {
    throw new TypeError(
      `lambda-vitals health: ${SIBLINGS_VARIABLE} names more than ${MAX_SIBLINGS} functions`,
    );
  }
  return [...new Set(names)];
}

/**
 * `functions:errorRate`: the worst invocation error rate among the sibling functions over the
 * last `windowMinutes`, as Lambda counts it (`Errors / Invocations`), judged against the same
 * error-rate thresholds as the service's own. No check when there are no siblings; `warn` when
 * CloudWatch cannot answer or is not queried offline.
 *
 * @example
 * const checks = [...runtimeChecks(), ...cloudWatchChecks(settings), ...siblingChecks(settings)];
 */
export function siblingChecks(settings: Settings, env: Env = process.env): HealthCheck[] {
  const functions = siblingFunctions(env);
  if (functions.length === 0) return [];
  const offline = notQueriedOffline(env);
  const skipped: Reading | undefined = offline === undefined ? undefined : { failed: offline };
  return [
    {
      name: "functions:errorRate",
      onFailure: "warn",
      run: async (signal) =>
        worstOf(settings, skipped ?? (await read(settings, functions, signal))),
    },
  ];
}

interface Counts {
  readonly name: string;
  readonly errors: number;
  readonly invocations: number;
}

type Reading = { readonly counts: readonly Counts[] } | { readonly failed: Observation };

async function read(
  settings: Settings,
  functions: readonly string[],
  signal: AbortSignal,
): Promise<Reading> {
  try {
    const { module, client } = await cloudWatch();
    signal.throwIfAborted();
    const { StartTime, EndTime, period } = queryWindow(settings.windowMinutes, Date.now());
    const queries: MetricDataQuery[] = functions.flatMap((name, i) =>
      (["Errors", "Invocations"] as const).map((metric) => ({
        Id: `${metric === "Errors" ? "e" : "i"}${i}`,
        ReturnData: true,
        MetricStat: {
          Metric: {
            Namespace: "AWS/Lambda",
            MetricName: metric,
            Dimensions: [{ Name: "FunctionName", Value: name }],
          },
          Period: period,
          Stat: "Sum",
        },
      })),
    );
    const output = await client.send(
      new module.GetMetricDataCommand({ StartTime, EndTime, MetricDataQueries: queries }),
      { abortSignal: signal },
    );
    const results = output.MetricDataResults ?? [];
    const total = (id: string) =>
      (results.find((r) => r.Id === id)?.Values ?? [])
        .filter((v) => Number.isFinite(v))
        .reduce((sum, v) => sum + v, 0);
    return {
      counts: functions.map((name, i) => ({
        name,
        errors: total(`e${i}`),
        invocations: total(`i${i}`),
      })),
    };
  } catch (error) {
    if (signal.aborted) throw error; // the runner reports the timeout
    return { failed: { status: "warn", observedValue: null, output: describeFailure(error) } };
  }
}

/** The worst sibling's error rate, judged against the service's error-rate limits. */
function worstOf(settings: Settings, reading: Reading): Observation {
  if ("failed" in reading) return reading.failed;
  const window = windowText(settings.windowMinutes);
  // An init crash may be counted as an error with no invocation: never divide by less than errors.
  const rated = reading.counts
    .filter((c) => c.invocations > 0 || c.errors > 0)
    .map((c) => ({
      ...c,
      percent: round((100 * c.errors) / Math.max(c.invocations, c.errors), 2),
    }));
  const worst = rated.reduce<(typeof rated)[number] | undefined>(
    (top, c) => (top === undefined || c.percent > top.percent ? c : top),
    undefined,
  );
  if (worst === undefined) {
    return {
      status: "pass",
      observedValue: null,
      observedUnit: "percent",
      output: `no invocations in ${window}`,
    };
  }
  const said = `${worst.name} failed ${worst.errors} of ${Math.max(worst.invocations, worst.errors)} invocations in ${window}`;
  return judge(worst.percent, "percent", settings.errorRatePercent, () => said);
}
