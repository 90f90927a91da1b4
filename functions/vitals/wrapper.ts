/**
 * `withVitals`: the one line that turns an existing Lambda handler into a measured one.
 */
import type { Context, Handler } from "aws-lambda";
import { dimensionValueProblem, namespaceProblem } from "./emf";
import { type Failure, toFailure } from "./errors";
import { describeEvent, type EventSource, jsonResponse, statusOf } from "./events";
import { invoke } from "./invoke";
import { type Invocation, type LineConfig, lineConfig, type Outcome, renderLines } from "./line";
import { reasonPhrase } from "./reason-phrases";
import { compileRoutes, type RouteTable, routesFromEnvironment } from "./routes";
import {
  monotonicMs,
  remainingTimeOf,
  requestIdOf,
  takeColdStart,
  traceIdOf,
  vitalsEnv,
} from "./runtime";
import { attach, type Slot } from "./slot";
import { writeLine } from "./write";

export interface VitalsOptions {
  /** CloudWatch namespace. Default: `VITALS_NAMESPACE`, else `LambdaVitals`. */
  readonly namespace?: string;
  /** The `Service` dimension. Default: `VITALS_SERVICE`, else the function's name. */
  readonly service?: string;
  /**
   * Route templates (`GET /orders/{id}`, `/files/{path+}`) for event sources that send none: ALB,
   * Function URLs and catch-all API routes (`$default`, `{proxy+}`). First match wins; other
   * requests count as `METHOD /*`. Default: `VITALS_ROUTES`, which the plugin sets from
   * `custom.vitals.routes.<function>`, else none.
   */
  readonly routes?: readonly string[];
  /**
   * How long before the deadline the line is written as a timeout. Default 200, at most 10%. The
   * line comes between one and 1.1 margins before the deadline: each invocation re-arms the timer
   * of the one before when that fires no later, and at most a tenth of the margin earlier.
   */
  readonly timeoutMarginMs?: number;
  /**
   * `false` counts this function's invocations per route only, out of the service-wide series
   * that the alarms and the health check read: for functions that are not the API's traffic,
   * such as the health function, whose probes would otherwise dilute the error rate and pull
   * the p99 toward their own latency. Default `true`.
   */
  readonly serviceWide?: boolean;
}

/**
 * What `withVitals` returns: a handler in its promise form, `(event, context)`, the one form that
 * every Node.js runtime calls, nodejs24.x included.
 */
export type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

interface Config extends LineConfig {
  readonly routes: RouteTable;
  readonly timeoutMarginMs: number;
  /** Lambda Managed Instances: invocations overlap, so per-process variables are not theirs. */
  readonly concurrent: boolean;
}

/** The longest delay `setTimeout` honours (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_DELAY = 2 ** 31 - 1;

const OPTION_KEYS: readonly string[] = [
  "namespace",
  "service",
  "routes",
  "timeoutMarginMs",
  "serviceWide",
];

function invalid(problem: string): never {
  throw new TypeError(`lambda-vitals: ${problem}`);
}

function resolveConfig(options: VitalsOptions): Config {
  if (typeof options !== "object" || options === null) {
    invalid(`options must be an object, got ${options}`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) {
      invalid(`unknown option "${key}" (known: ${OPTION_KEYS.join(", ")})`);
    }
  }
  const fromEnv = vitalsEnv();
  const namespace = options.namespace ?? fromEnv.namespace;
  const service = options.service ?? fromEnv.service;
  // Read once, here: `custom.vitals.routes.<function>` reaches the code through the environment.
  const {
    routes = routesFromEnvironment(),
    serviceWide = true,
    timeoutMarginMs: margin = 200,
  } = options;
  const namespaceIssue = namespaceProblem(namespace);
  if (namespaceIssue !== undefined) invalid(namespaceIssue);
  const serviceIssue = dimensionValueProblem(service);
  if (serviceIssue !== undefined) invalid(`service: ${serviceIssue}`);
  if (!(Number.isFinite(margin) && margin >= 0)) {
    invalid(`timeoutMarginMs must be a number >= 0, got ${margin}`);
  }
  if (typeof serviceWide !== "boolean") {
    invalid(`serviceWide must be true or false, got ${serviceWide}`);
  }
  if (!Array.isArray(routes)) invalid("routes must be an array of route templates");
  return {
    ...lineConfig(namespace, service, serviceWide),
    routes: compileRoutes(routes),
    timeoutMarginMs: margin,
    concurrent: process.env.AWS_LAMBDA_MAX_CONCURRENCY !== undefined,
  };
}

/** An invocation in flight: what its line will say about it, its slot, and when it started. */
interface Running extends Invocation {
  readonly slot: Slot;
  readonly started: number;
}

type Timer = ReturnType<typeof setTimeout>;

/**
 * The timeout line's timer, kept by a wrapped handler from one invocation to the next: re-arming
 * it with `refresh()` costs a fraction of a new `setTimeout` and its `clearTimeout`, which took a
 * fifth of the wrapper's time per invocation (bench/FINDINGS.md). It is armed for one invocation
 * at a time, its holder; one that starts while another holds it (Managed Instances, a local
 * server) gets a timer of its own. Between invocations it is unreferenced, so it never keeps a
 * process alive, and if it fires then, there is no holder and it writes nothing.
 */
interface KeptTimer {
  /** The timer, its delay (`refresh()` re-arms it with that one) and the `setTimeout` that made it. */
  armed:
    | { readonly timer: Timer; readonly delay: number; readonly madeBy: typeof setTimeout }
    | undefined;
  holder: Running | undefined;
}

/**
 * Wraps a handler so that every invocation writes one EMF line: requests, latency, errors,
 * client errors, cold starts and timeouts per route, plus the handler's own metrics.
 *
 * The handler is called as Lambda calls it: async `(event, context)`, or callback-style
 * `(event, context, callback)`; the first result it delivers, through the callback or a returned
 * promise, is the result. The wrapped handler is async `(event, context)`, which every Node.js
 * runtime calls, so a wrapped callback handler also runs on nodejs24.x.
 *
 * For HTTP events (API Gateway REST and HTTP APIs, Function URLs, ALB) a thrown `HttpError`
 * becomes a response with its status, and any other throw a 500 that names only the request id.
 * For other events the error is rethrown, so retries and dead-letter queues work as before.
 * Invalid options throw a TypeError here, at initialisation, not on the first request.
 *
 * @example
 * import { withVitals } from "lambda-vitals";
 * export const handler = withVitals(async (event: APIGatewayProxyEventV2, context: Context) => {
 *   return { statusCode: 200, body: "ok" };
 * });
 * // A callback handler, unchanged:
 * export const legacy = withVitals((event, context, callback) => callback(null, { statusCode: 204 }));
 */
export function withVitals<E, R>(
  handler: Handler<E, R>,
  options: VitalsOptions = {},
): LambdaHandler<E, R> {
  if (typeof handler !== "function") {
    invalid(`withVitals needs a handler function, got ${typeof handler}`);
  }
  const config = resolveConfig(options);
  const kept: KeptTimer = { armed: undefined, holder: undefined };

  return async (event: E, context: Context): Promise<R> => {
    const running = start(config, event, context);
    const timer = watch(config, kept, running, context);
    let result: R;
    try {
      result = await invoke(handler, event, context);
    } catch (thrown) {
      return respondToError(config, running, event, thrown) as R;
    } finally {
      // However the invocation ends, its timer must not fire later as a false timeout.
      release(kept, timer);
    }
    end(config, running, result, undefined);
    return result;
  };
}

function start(config: Config, event: unknown, context: Context): Running | undefined {
  const started = monotonicMs();
  try {
    const slot: Slot = { closed: false, recording: undefined };
    attach(context, slot);
    return {
      request: describeEvent(event, config.routes),
      slot,
      started,
      timestamp: Date.now(),
      requestId: requestIdOf(context),
      traceId: traceIdOf(config.concurrent),
      coldStart: takeColdStart(),
    };
  } catch {
    return undefined; // fail open: the handler runs unmeasured rather than not at all
  }
}

/** Arms the timeout line, when the context says how much time is left. */
function watch(
  config: Config,
  kept: KeptTimer,
  running: Running | undefined,
  context: Context,
): Timer | undefined {
  const remaining = remainingTimeOf(context);
  if (running === undefined || remaining === undefined || remaining <= 0) return undefined;
  // Positive: the margin is at most a tenth of the time left.
  const margin = Math.min(config.timeoutMarginMs, remaining / 10);
  const delay = remaining - margin;
  // Node fires a longer delay at once (with a warning); Lambda's deadlines are far shorter.
  if (delay > MAX_TIMER_DELAY) return undefined;
  if (kept.holder !== undefined) return setTimeout(onTimeout, delay, config, running);
  kept.holder = running;
  const { armed } = kept;
  if (armed !== undefined && armed.madeBy === setTimeout) {
    // It serves a deadline it fires no later than, and at most a tenth of the margin earlier:
    // the line comes between one and 1.1 margins before the deadline.
    if (armed.delay <= delay && delay - armed.delay <= margin / 10) {
      return armed.timer.refresh().ref();
    }
    clearTimeout(armed.timer);
  }
  // A timer of another clock (a test started or stopped faking it) cannot be cleared with this
  // one: it is left unreferenced, and writes nothing when it fires, as it is no longer the kept one.
  const timer = setTimeout(() => {
    if (kept.armed?.timer === timer) onTimeout(config, kept.holder);
  }, delay);
  kept.armed = { timer, delay, madeBy: setTimeout };
  return timer;
}

/** The invocation has ended: its own timer is cleared, the kept one idles unreferenced. */
function release(kept: KeptTimer, timer: Timer | undefined): void {
  if (timer !== undefined && timer === kept.armed?.timer) {
    kept.holder = undefined;
    timer.unref();
  } else {
    clearTimeout(timer);
  }
}

/**
 * Runs shortly before the deadline: once it passes, Lambda stops the environment and anything not
 * yet written is lost. A late completion finds the slot closed and writes nothing; the kept timer
 * firing between invocations finds no invocation at all.
 */
function onTimeout(config: Config, running: Running | undefined): void {
  if (running === undefined || running.slot.closed) return;
  try {
    const latencyMs = monotonicMs() - running.started;
    const message = `no result after ${Math.round(latencyMs)} ms`;
    const error = { type: "Timeout", message };
    write(config, running, { latencyMs, status: undefined, error, timedOut: true });
  } catch {
    // a throw here would be an uncaught exception that ends the whole process
  }
}

/** The handler threw: HTTP callers get a response, other callers get the error back. */
function respondToError(
  config: Config,
  running: Running | undefined,
  event: unknown,
  thrown: unknown,
): unknown {
  const failure = toFailure(thrown);
  let source: EventSource;
  try {
    source = (running?.request ?? describeEvent(event, config.routes)).source;
  } catch {
    // `start` failed on this event, and describing it again threw: it may be hostile
    source = "other";
  }
  if (source === "other") {
    end(config, running, undefined, failure);
    throw thrown;
  }
  const body = {
    // An empty message says nothing: the reason phrase does.
    message: failure.publicMessage || reasonPhrase(failure.status),
    requestId: running?.requestId,
  };
  let response: Record<string, unknown>;
  try {
    response = jsonResponse(source, event, failure.status, body);
  } catch {
    // an event whose fields throw when read: answer in the shape every event source accepts
    response = { statusCode: failure.status, body: JSON.stringify(body) };
  }
  end(config, running, response, failure);
  return response;
}

/** The invocation ended with `result` (and `failure`, if it threw): its outcome, then its line. */
function end(
  config: Config,
  running: Running | undefined,
  result: unknown,
  failure: Failure | undefined,
): void {
  // Unmeasured (`start` failed), or already written (the timeout line).
  if (running === undefined || running.slot.closed) return;
  try {
    const latencyMs = monotonicMs() - running.started;
    const { source } = running.request;
    const response = source === "other" ? undefined : statusOf(source, result);
    const error = failure ?? response?.error;
    write(config, running, { latencyMs, status: response?.status, error, timedOut: false });
  } catch {
    // fail open: whatever went wrong in measuring, the caller still gets the handler's result
  }
}

/** Writes the invocation's lines, once: the slot is closed first, so a late end writes nothing. */
function write(config: Config, running: Running, outcome: Outcome): void {
  const { slot } = running;
  slot.closed = true; // the timer itself is cleared where the handler's promise settles
  for (const line of renderLines(config, running, outcome, slot.recording)) writeLine(line);
}
