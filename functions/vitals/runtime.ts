/**
 * What the Lambda runtime tells about the current invocation: request and trace ids, and whether
 * this is the environment's first, user-visible (on-demand) invocation.
 */
import type { Context } from "aws-lambda";
import { DEFAULT_NAMESPACE, NAMESPACE_VARIABLE, SERVICE_VARIABLE } from "./contract";

interface InvokeStore {
  getRequestId?: () => string | undefined;
  getXRayTraceId?: () => string | undefined;
}

/**
 * The namespace and service the environment names: `VITALS_NAMESPACE` and `VITALS_SERVICE`
 * (serverless.yml sets both), else `LambdaVitals` and the function's name; a blank variable counts
 * as unset. The wrapper writes under them and the health check reads them back, so both take them
 * from here.
 *
 * @example
 * vitalsEnv({ VITALS_SERVICE: "orders" }); // { namespace: "LambdaVitals", service: "orders" }
 */
export function vitalsEnv(env: Readonly<Record<string, string | undefined>> = process.env): {
  namespace: string;
  service: string;
} {
  return {
    namespace: nonBlank(env[NAMESPACE_VARIABLE]) ?? DEFAULT_NAMESPACE,
    service: nonBlank(env[SERVICE_VARIABLE]) ?? nonBlank(env.AWS_LAMBDA_FUNCTION_NAME) ?? "local",
  };
}

/**
 * An environment variable's value, or undefined when it is unset or blank: a variable that
 * `serverless.yml` sets to an empty string means "not configured", not "the empty name".
 *
 * @example
 * nonBlank("  "); // undefined
 * nonBlank("orders"); // "orders"
 */
export function nonBlank(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/**
 * The invocation's remaining time in milliseconds, or undefined when the context has no usable
 * deadline (a test's or a local server's context, one whose method throws). It may be 0 or less.
 *
 * @example
 * remainingTimeOf(context); // 2870
 */
export function remainingTimeOf(context: Context | undefined): number | undefined {
  try {
    const remaining: unknown = context?.getRemainingTimeInMillis?.();
    return typeof remaining === "number" && Number.isFinite(remaining) ? remaining : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A monotonic clock in milliseconds, for latencies. Not `performance.now()`: its first call loads
 * Node's `perf_hooks`, which the Lambda runtime client has not loaded, so a measured handler paid
 * about 1 ms of its cold start for it (aws-lambda-ric 4 on Node 24); `process.hrtime` is there
 * from the process's start.
 *
 * @example
 * const started = monotonicMs();
 * const latencyMs = monotonicMs() - started;
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

// The cold-start flag, the kind of mutable module state the library allows: it describes the
// process, not any one invocation.
let coldStart = true;

/**
 * True exactly once per process, on the first invocation, and only when a caller waited for the
 * initialisation: provisioned concurrency and SnapStart initialise ahead of traffic.
 */
export function takeColdStart(): boolean {
  if (!coldStart) return false;
  coldStart = false;
  const type = process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
  return type === undefined || type === "on-demand";
}

function invokeStore(): InvokeStore | undefined {
  const awslambda = (globalThis as { awslambda?: { InvokeStore?: InvokeStore } }).awslambda;
  return awslambda?.InvokeStore;
}

/**
 * The invocation's request id. The runtime's per-invocation store is preferred: with Lambda Managed
 * Instances it is the one source that is correct while invocations run concurrently.
 */
export function requestIdOf(context: Context | undefined): string | undefined {
  const fromStore = invokeStore()?.getRequestId?.();
  // Outside an invocation's scope the store answers "-" (as it does once the AWS SDK has
  // installed one in a process the Lambda runtime did not start, such as serverless-offline).
  const id = known(fromStore) ? fromStore : context?.awsRequestId;
  return known(id) ? id.slice(0, 128) : undefined;
}

function known(id: unknown): id is string {
  return typeof id === "string" && id !== "" && id !== "-";
}

/**
 * The X-Ray trace id's root (`1-5759e988-bd862e3fe1be46a994272793`), the part trace consoles
 * search by. The environment variable is per invocation only when invocations do not overlap.
 */
export function traceIdOf(concurrent: boolean): string | undefined {
  const fromStore = invokeStore()?.getXRayTraceId?.();
  const header = known(fromStore)
    ? fromStore
    : concurrent
      ? undefined
      : process.env._X_AMZN_TRACE_ID;
  if (!known(header)) return undefined;
  // "Root=1-...;Parent=...;Sampled=1": the root, found without a regex on every invocation.
  const inner = header.indexOf(";Root=");
  const start = header.startsWith("Root=") ? 5 : inner === -1 ? -1 : inner + 6;
  if (start === -1) return header.slice(0, 128);
  const end = header.indexOf(";", start);
  return header.slice(start, Math.min(end === -1 ? header.length : end, start + 64));
}
