/**
 * What the health checks that read CloudWatch share: the client, loaded on first use only, so no
 * other function's bundle or cold start pays for the SDK; the one rule for when CloudWatch is not
 * asked at all; the window they read; and how a failed query is reported.
 */
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { Observation } from "./checks";

type Env = Readonly<Record<string, string | undefined>>;

export interface CloudWatchSdk {
  readonly module: typeof import("@aws-sdk/client-cloudwatch");
  readonly client: CloudWatchClient;
}

// One client per process, like any SDK client: it holds the connection pool and the resolved
// credentials. It holds no invocation's data.
let sdk: Promise<CloudWatchSdk> | undefined;

/**
 * The SDK module and its one client. A failed import is forgotten, so the next check tries again.
 *
 * @example
 * const { module, client } = await cloudWatch();
 * await client.send(new module.GetMetricDataCommand(input), { abortSignal: signal });
 */
export function cloudWatch(): Promise<CloudWatchSdk> {
  sdk ??= import("@aws-sdk/client-cloudwatch").then(
    // No options: region, credentials, retries and `AWS_ENDPOINT_URL_CLOUDWATCH` come from the
    // environment, the way every AWS tool reads them.
    (module) => ({ module, client: new module.CloudWatchClient({}) }),
    (error: unknown) => {
      sdk = undefined;
      throw isNotFound(error) ? new Error(SDK_MISSING, { cause: error }) : error;
    },
  );
  return sdk;
}

/**
 * What a check reports when the SDK is not installed: an optional peer dependency of the package,
 * which only these checks need, so a service that uses neither never installs it.
 */
export const SDK_MISSING =
  "@aws-sdk/client-cloudwatch is not installed: npm install @aws-sdk/client-cloudwatch (lambda-vitals/health needs it for cloudWatchChecks and siblingChecks)";

/** The failure's message when it is the SDK's absence, else undefined: for the checks' output. */
export function sdkMissing(error: unknown): string | undefined {
  return error instanceof Error && error.message === SDK_MISSING ? SDK_MISSING : undefined;
}

/** Node's code for a package that is not there, from `import()` and from `require()`. */
function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND";
}

/**
 * Offline (`IS_OFFLINE`, as serverless-offline sets it) without an endpoint override there is no
 * CloudWatch to ask, and the real one must not be called from a laptop: the `warn` to report.
 * Undefined when CloudWatch is to be queried.
 *
 * @example
 * notQueriedOffline({ IS_OFFLINE: "true" })?.status; // "warn"
 */
export function notQueriedOffline(env: Env): Observation | undefined {
  const override = env.AWS_ENDPOINT_URL_CLOUDWATCH ?? env.AWS_ENDPOINT_URL;
  if (env.IS_OFFLINE !== "true" || (override !== undefined && override !== "")) return undefined;
  return {
    status: "warn",
    observedValue: null,
    output: "CloudWatch not queried offline (set AWS_ENDPOINT_URL_CLOUDWATCH to query one)",
  };
}

/** The window the checks read, as `GetMetricData` takes it. */
export interface QueryWindow {
  readonly StartTime: Date;
  readonly EndTime: Date;
  /** The whole window as one period, in seconds. */
  readonly period: number;
}

/**
 * The last `minutes` whole minutes: the current one is still arriving and would read as a drop
 * in traffic.
 *
 * @example
 * const { StartTime, EndTime, period } = queryWindow(5, Date.now());
 */
export function queryWindow(minutes: number, now: number): QueryWindow {
  const end = Math.floor(now / 60_000) * 60_000;
  const period = minutes * 60;
  return {
    StartTime: new Date(end - period * 1000),
    EndTime: new Date(end),
    period,
  };
}

/**
 * The window as the checks' outputs name it.
 *
 * @example
 * windowText(5); // "the last 5 min"
 */
export function windowText(minutes: number): string {
  return `the last ${minutes} min`;
}

/**
 * A short, safe reason for a failed query: the HTTP status and AWS error code, never the error's
 * message, which may hold account ids or ARNs.
 *
 * @example
 * describeFailure(throttlingError); // "CloudWatch GetMetricData failed: HTTP 400 Throttling"
 */
export function describeFailure(error: unknown, operation = "GetMetricData"): string {
  const missing = sdkMissing(error);
  if (missing !== undefined) return missing;
  const e = (typeof error === "object" && error !== null ? error : {}) as {
    name?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const code = safeWord(e.name);
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === "number") return `CloudWatch ${operation} failed: HTTP ${status} ${code}`;
  if (typeof e.message === "string" && /region is missing/i.test(e.message)) {
    return "CloudWatch not configured: no AWS region";
  }
  if (code === "CredentialsProviderError") return "CloudWatch not configured: no AWS credentials";
  return `CloudWatch unreachable: ${code}`;
}

/**
 * A word from CloudWatch (an error code, a status) fit to print, else `Error`.
 *
 * @example
 * safeWord("Throttling"); // "Throttling"
 */
export function safeWord(value: unknown): string {
  return typeof value === "string" && /^[A-Za-z][\w.]{0,63}$/.test(value) ? value : "Error";
}
