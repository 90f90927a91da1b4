/**
 * The invocations `npm start` has seen, read from their canonical EMF lines: what the terminal
 * prints one line for and the dashboard page lists in its table.
 */
import { DIMENSIONS, FIELDS, METRICS } from "../functions/vitals/contract";

/** One request as the wrapper's canonical line describes it. */
export interface Invocation {
  /** `_aws.Timestamp`, ms since the epoch. */
  readonly time: number;
  readonly route: string;
  readonly method?: string;
  readonly path?: string;
  /** The status the caller saw; absent for events that are not HTTP requests. */
  readonly status?: number;
  readonly latencyMs: number;
  readonly coldStart: boolean;
  readonly timeout: boolean;
  readonly requestId: string;
  readonly errorType?: string;
  readonly errorMessage?: string;
}

/** Longest text kept from a line's free-form fields: the table and terminal need no more. */
const MAX_TEXT = 512;

/**
 * The invocation an accepted EMF document describes, or undefined when it is not a canonical
 * request line (an overflow line, a health check's metric line, a dropped-data warning).
 *
 * @example
 * invocationOf(JSON.parse(line))?.route; // "GET /orders/{id}"
 */
export function invocationOf(document: unknown): Invocation | undefined {
  if (typeof document !== "object" || document === null) return undefined;
  const root = document as Record<string, unknown>;
  const aws = root._aws as { Timestamp?: unknown } | undefined;
  const requestId = text(root[FIELDS.requestId]);
  const route = text(root[DIMENSIONS.route]);
  const latency = root[METRICS.latency.name];
  if (root[METRICS.requests.name] !== 1 || requestId === undefined || route === undefined) {
    return undefined;
  }
  if (typeof latency !== "number" || typeof aws?.Timestamp !== "number") return undefined;
  const status = root[FIELDS.status];
  return {
    time: aws.Timestamp,
    route,
    requestId,
    latencyMs: latency,
    coldStart: root[METRICS.coldStart.name] === 1,
    timeout: root[METRICS.timeouts.name] === 1,
    ...optional("method", text(root[FIELDS.method])),
    ...optional("path", text(root[FIELDS.path])),
    ...optional("status", Number.isInteger(status) ? (status as number) : undefined),
    ...optional("errorType", text(root[FIELDS.errorType])),
    ...optional("errorMessage", text(root[FIELDS.errorMessage])),
  };
}

/**
 * Keeps the latest `limit` invocations, newest last. One per server: never module state.
 *
 * @example
 * const log = createInvocationLog(500);
 * log.add(invocation);
 * log.latest(); // up to 500, oldest first
 */
export function createInvocationLog(limit: number): {
  readonly add: (invocation: Invocation) => void;
  readonly latest: () => readonly Invocation[];
  readonly total: () => number;
} {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`invocation log: limit must be a positive integer, got ${limit}`);
  }
  const kept: Invocation[] = [];
  let total = 0;
  return {
    add: (invocation) => {
      kept.push(invocation);
      total += 1;
      if (kept.length > limit) kept.splice(0, kept.length - limit);
    },
    latest: () => [...kept],
    total: () => total,
  };
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value.slice(0, MAX_TEXT) : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
