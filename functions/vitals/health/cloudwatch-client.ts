/**
 * The CloudWatch client the health checks share, loaded on first use only, so no other function's
 * bundle or cold start pays for the SDK; and the one rule for when CloudWatch is not asked at all.
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
