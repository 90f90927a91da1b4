/**
 * `withVitals`: the one line that turns an existing Lambda handler into a measured one.
 */
import type { Context } from "aws-lambda";
import { dimensionValueProblem, namespaceProblem } from "./emf";
import { toFailure } from "./errors";
import {
  compileRoutes,
  describeEvent,
  jsonResponse,
  type RequestInfo,
  type RouteTable,
  reasonPhrase,
  statusOf,
} from "./events";
import { type Facts, type LineConfig, lineConfig, renderInvocation } from "./line";
import { requestIdOf, takeColdStart, traceIdOf, vitalsEnv } from "./runtime";
import { attach, type Slot } from "./slot";

export interface VitalsOptions {
  /** CloudWatch namespace. Default: `VITALS_NAMESPACE`, else `LambdaVitals`. */
  readonly namespace?: string;
  /** The `Service` dimension. Default: `VITALS_SERVICE`, else the function's name. */
  readonly service?: string;
  /**
   * Route templates (`GET /orders/{id}`, `/files/{path+}`) for front doors that send none: ALB,
   * Function URLs and catch-all API routes (`$default`, `{proxy+}`). First match wins; other
   * requests count as `METHOD /*`.
   */
  readonly routes?: readonly string[];
  /** How long before the deadline the line is written as a timeout. Default 200, at most 10%. */
  readonly timeoutMarginMs?: number;
  /**
   * `false` counts this function's invocations per route only, out of the service-wide series
   * that the alarms and the health check read: for functions that are not the API's traffic,
   * such as the health function, whose probes would otherwise dilute the error rate and pull
   * the p99 toward their own latency. Default `true`.
   */
  readonly serviceWide?: boolean;
}

/** A Lambda handler in its promise form, the only form Node 24 runtimes call. */
export type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

interface Config extends LineConfig {
  readonly routes: RouteTable;
  readonly timeoutMarginMs: number;
  /** Lambda Managed Instances: invocations overlap, so per-process variables are not theirs. */
  readonly concurrent: boolean;
}

/** The longest delay `setTimeout` honours (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_DELAY = 2 ** 31 - 1;

const OPTION_KEYS: ReadonlySet<string> = new Set([
  "namespace",
  "service",
  "routes",
  "timeoutMarginMs",
  "serviceWide",
]);

function resolveConfig(options: VitalsOptions): Config {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`lambda-vitals: options must be an object, got ${options}`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw new TypeError(
        `lambda-vitals: unknown option "${key}" (known: ${[...OPTION_KEYS].join(", ")})`,
      );
    }
  }
  const env = process.env;
  const fromEnv = vitalsEnv(env);
  const namespace = options.namespace ?? fromEnv.namespace;
  const service = options.service ?? fromEnv.service;
  const margin = options.timeoutMarginMs ?? 200;
  const problem =
    namespaceProblem(namespace) ??
    prefixed("service", dimensionValueProblem(service)) ??
    (Number.isFinite(margin) && margin >= 0
      ? undefined
      : `timeoutMarginMs must be a number >= 0, got ${margin}`);
  if (problem !== undefined) throw new TypeError(`lambda-vitals: ${problem}`);
  if (options.serviceWide !== undefined && typeof options.serviceWide !== "boolean") {
    throw new TypeError(
      `lambda-vitals: serviceWide must be true or false, got ${options.serviceWide}`,
    );
  }
  if (options.routes !== undefined && !Array.isArray(options.routes)) {
    throw new TypeError("lambda-vitals: routes must be an array of route templates");
  }
  return {
    ...lineConfig(namespace, service, options.serviceWide ?? true),
    routes: compileRoutes(options.routes ?? []),
    timeoutMarginMs: margin,
    concurrent: env.AWS_LAMBDA_MAX_CONCURRENCY !== undefined,
  };
}

function prefixed(what: string, problem: string | undefined): string | undefined {
  return problem === undefined ? undefined : `${what}: ${problem}`;
}

/** One invocation in flight. */
interface Invocation {
  readonly request: RequestInfo;
  readonly slot: Slot;
  readonly started: number;
  readonly timestamp: number;
  readonly requestId: string | undefined;
  readonly traceId: string | undefined;
  readonly coldStart: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Wraps a handler so that every invocation writes one EMF line: requests, latency, errors,
 * client errors, cold starts and timeouts per route, plus the handler's own metrics.
 *
 * For HTTP events (API Gateway REST and HTTP APIs, Function URLs, ALB) a thrown `HttpError`
 * becomes a response with its status, and any other throw a 500 that names only the request id.
 * For other events the error is rethrown, so retries and dead-letter queues work as before.
 * Invalid options throw a TypeError here, at initialisation, not on the first request.
 *
 * @example
 * import { withVitals } from "./vitals";
 * export const handler = withVitals(async (event: APIGatewayProxyEventV2, context: Context) => {
 *   return { statusCode: 200, body: "ok" };
 * });
 */
export function withVitals<E, R>(
  handler: LambdaHandler<E, R>,
  options: VitalsOptions = {},
): LambdaHandler<E, R> {
  if (typeof handler !== "function") {
    throw new TypeError(
      `lambda-vitals: withVitals needs a handler function, got ${typeof handler}`,
    );
  }
  const config = resolveConfig(options);

  return async (event: E, context: Context): Promise<R> => {
    const invocation = begin(config, event, context);
    let result: R;
    try {
      result = await handler(event, context);
    } catch (thrown) {
      return failed(config, invocation, event, thrown) as R;
    } finally {
      // However the invocation ends, its timer must not fire later as a false timeout.
      if (invocation?.timer !== undefined) clearTimeout(invocation.timer);
    }
    finish(config, invocation, result, undefined);
    return result;
  };
}

function begin(config: Config, event: unknown, context: Context): Invocation | undefined {
  const started = performance.now();
  try {
    const slot: Slot = { closed: false, recording: undefined };
    attach(context, slot);
    const invocation: Invocation = {
      request: describeEvent(event, config.routes),
      slot,
      started,
      timestamp: Date.now(),
      requestId: requestIdOf(context),
      traceId: traceIdOf(config.concurrent),
      coldStart: takeColdStart(),
      timer: undefined,
    };
    const remaining = remainingTime(context);
    if (remaining !== undefined) {
      const delay = Math.max(0, remaining - Math.min(config.timeoutMarginMs, remaining / 10));
      // Node fires a longer delay at once (with a warning); Lambda's deadlines are far shorter.
      if (delay <= MAX_TIMER_DELAY) {
        invocation.timer = setTimeout(onTimeout, delay, config, invocation);
      }
    }
    return invocation;
  } catch {
    return undefined; // fail open: the handler runs unmeasured rather than not at all
  }
}

function remainingTime(context: Context): number | undefined {
  try {
    const remaining = context?.getRemainingTimeInMillis?.();
    return typeof remaining === "number" && Number.isFinite(remaining) && remaining > 0
      ? remaining
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs shortly before the deadline: once it passes, Lambda stops the environment and anything not
 * yet written is lost. A late completion finds the slot closed and writes nothing.
 */
function onTimeout(config: Config, invocation: Invocation): void {
  if (invocation.slot.closed) return;
  try {
    const elapsed = performance.now() - invocation.started;
    emit(config, invocation, {
      latencyMs: elapsed,
      status: undefined,
      error: { type: "Timeout", message: `no result after ${Math.round(elapsed)} ms` },
      failed: true,
      timedOut: true,
    });
  } catch {
    // a throw here would be an uncaught exception that ends the whole process
  }
}

/** The handler threw: HTTP callers get a response, other callers get the error back. */
function failed(
  config: Config,
  invocation: Invocation | undefined,
  event: unknown,
  thrown: unknown,
): unknown {
  const failure = toFailure(thrown);
  const request = invocation?.request ?? safelyDescribe(event, config.routes);
  if (request.frontDoor === "other") {
    finish(config, invocation, undefined, failure);
    throw thrown;
  }
  const message = failure.publicMessage ?? reasonPhrase(failure.status);
  const body = { message, requestId: invocation?.requestId };
  let response: Record<string, unknown>;
  try {
    response = jsonResponse(request.frontDoor, event, failure.status, body);
  } catch {
    // an event whose fields throw when read: answer in the shape every front door accepts
    response = { statusCode: failure.status, body: JSON.stringify(body) };
  }
  finish(config, invocation, response, failure);
  return response;
}

/** `describeEvent` for an event that already made `begin` fail: it may be hostile. */
function safelyDescribe(event: unknown, routes: RouteTable): RequestInfo {
  try {
    return describeEvent(event, routes);
  } catch {
    return { frontDoor: "other", method: undefined, path: undefined, route: "event:invoke" };
  }
}

function finish(
  config: Config,
  invocation: Invocation | undefined,
  result: unknown,
  failure: { readonly type: string; readonly message: string } | undefined,
): void {
  if (invocation === undefined || invocation.slot.closed) return;
  try {
    const latencyMs = performance.now() - invocation.started;
    const http = invocation.request.frontDoor !== "other";
    const outcome = http ? statusOf(invocation.request.frontDoor, result) : undefined;
    const error =
      failure ??
      (outcome?.problem !== undefined
        ? { type: "InvalidResponse", message: outcome.problem }
        : undefined);
    emit(config, invocation, {
      latencyMs,
      status: outcome?.status,
      error,
      failed: !http && failure !== undefined,
      timedOut: false,
    });
  } catch {
    // fail open: whatever went wrong in measuring, the caller still gets the handler's result
  }
}

function emit(
  config: Config,
  invocation: Invocation,
  outcome: Pick<Facts, "latencyMs" | "status" | "error" | "failed" | "timedOut">,
): void {
  const { slot } = invocation;
  slot.closed = true; // the timer itself is cleared where the handler's promise settles
  const facts: Facts = {
    timestamp: invocation.timestamp,
    request: invocation.request,
    requestId: invocation.requestId,
    traceId: invocation.traceId,
    coldStart: invocation.coldStart,
    // Listed rather than spread: this runs on every invocation, and a literal is cheaper.
    latencyMs: outcome.latencyMs,
    status: outcome.status,
    error: outcome.error,
    failed: outcome.failed,
    timedOut: outcome.timedOut,
  };
  for (const line of renderInvocation(config, facts, slot.recording)) writeLine(line);
}

/**
 * Writes one EMF line with `process.stdout.write`, never `console.*`: Lambda prefixes console
 * output (text format) or wraps it in a JSON string (JSON format), and CloudWatch then extracts
 * no metric from it. A broken stdout must not break the invocation.
 *
 * @example
 * for (const line of renderEmf(input)) writeLine(line);
 */
export function writeLine(line: string): void {
  try {
    process.stdout.write(`${line}\n`);
  } catch {
    // fail open: the caller's result matters more than its metrics
  }
}
