/**
 * The requests serverless-offline is running, read from its own log lines, so that its timeout can
 * be shown as the request it ended. serverless-offline logs `GET /orders/1 (λ: getOrder)` when it
 * hands a request to a function, `(λ: getOrder) RequestId: …  Duration: …` when the function
 * answers, and, when its own timer fires first, only `[504] - Lambda timeout.`, with no function
 * or request named (serverless-offline 14, src/events/http/HttpServer.js and
 * src/lambda/LambdaFunction.js). Its timer counts from the moment it hands the request over, which
 * in a cold worker is before the handler's module has loaded.
 */

/** A request serverless-offline handed to a function and has not answered yet. */
export interface OfflineRequest {
  readonly method: string;
  readonly path: string;
  readonly functionKey: string;
  readonly startedAt: number;
}

/** A request serverless-offline ended with its own 504. */
export interface OfflineTimeout {
  /** Absent when no request was waiting (an invocation through the Lambda Invoke API). */
  readonly request?: OfflineRequest;
  /** The function's `timeout` as serverless-offline reads it, once the template is known. */
  readonly timeoutSeconds?: number;
  /** Whether the wrapper wrote its own timeout line for the request before serverless-offline's. */
  readonly wrapperWroteLine: boolean;
}

export type OfflineLine =
  | { readonly kind: "started" | "finished" }
  | { readonly kind: "timeout"; readonly timeout: OfflineTimeout };

export interface OfflineRequests {
  /** Reads one of serverless-offline's log lines; undefined for a line about something else. */
  readonly read: (text: string, now: number) => OfflineLine | undefined;
  /** The wrapper wrote a line with `Timeouts: 1` for this method and path. */
  readonly wrapperTimedOut: (method: string, path: string) => void;
}

const STARTED = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) (\S+) \(λ: ([^)]+)\)$/;
const FINISHED = /^\(λ: ([^)]+)\) RequestId: \S+ {2}Duration: /;
const TIMED_OUT = /\[504\] - Lambda timeout\.$/;

/**
 * Follows serverless-offline's requests. `timeoutOf` gives a function's timeout in seconds
 * (undefined until the template is printed); when several requests wait, the one whose timeout
 * falls first is the one a timeout line ended.
 *
 * @example
 * const requests = createOfflineRequests(() => 6);
 * requests.read("GET /slow (λ: slow)", 0); // { kind: "started" }
 * requests.read("✖ [504] - Lambda timeout.", 6000); // { kind: "timeout", timeout: { request: ... } }
 */
export function createOfflineRequests(
  timeoutOf: (functionKey: string) => number | undefined,
): OfflineRequests {
  const pending: { request: OfflineRequest; wrapperWroteLine: boolean }[] = [];
  const deadline = (request: OfflineRequest) =>
    request.startedAt + (timeoutOf(request.functionKey) ?? 0) * 1000;

  const read = (text: string, now: number): OfflineLine | undefined => {
    const started = STARTED.exec(text);
    if (started !== null) {
      const [, method = "", path = "", functionKey = ""] = started;
      pending.push({
        request: { method, path, functionKey, startedAt: now },
        wrapperWroteLine: false,
      });
      return { kind: "started" };
    }
    const finished = FINISHED.exec(text);
    if (finished !== null) {
      const at = pending.findIndex((entry) => entry.request.functionKey === finished[1]);
      if (at !== -1) pending.splice(at, 1);
      return { kind: "finished" };
    }
    if (!TIMED_OUT.test(text)) return undefined;
    let first = -1;
    pending.forEach((entry, i) => {
      const current = pending[first];
      if (current === undefined || deadline(entry.request) < deadline(current.request)) first = i;
    });
    const [ended] = first === -1 ? [] : pending.splice(first, 1);
    if (ended === undefined) return { kind: "timeout", timeout: { wrapperWroteLine: false } };
    const seconds = timeoutOf(ended.request.functionKey);
    return {
      kind: "timeout",
      timeout: {
        request: ended.request,
        wrapperWroteLine: ended.wrapperWroteLine,
        ...(seconds === undefined ? {} : { timeoutSeconds: seconds }),
      },
    };
  };

  const wrapperTimedOut = (method: string, path: string) => {
    const entry = pending.find(
      (candidate) =>
        !candidate.wrapperWroteLine &&
        candidate.request.method === method &&
        candidate.request.path === path,
    );
    if (entry !== undefined) entry.wrapperWroteLine = true;
  };

  return { read, wrapperTimedOut };
}

/**
 * A function's timeout as serverless-offline 14 reads it: the function's `timeout`, else
 * `provider.timeout`, else 6 seconds (its DEFAULT_LAMBDA_TIMEOUT).
 *
 * @example
 * offlineTimeoutSeconds({ timeout: 3 }, { timeout: 10 }); // 3
 */
export function offlineTimeoutSeconds(
  fn: Readonly<Record<string, unknown>> | undefined,
  provider: Readonly<Record<string, unknown>>,
): number {
  const given = fn?.timeout ?? provider.timeout;
  const seconds = typeof given === "string" ? Number(given) : given;
  return typeof seconds === "number" && Number.isFinite(seconds) && seconds > 0 ? seconds : 6;
}
