/**
 * The front doors: which kind of event an invocation got, its method and route template, the
 * status its result will reach the caller with, and how to shape an error response for it.
 * Every function here accepts any value: a malformed event is described, never thrown on.
 */
import { toDimensionValue } from "./emf";

export type FrontDoor = "http-api" | "rest-api" | "function-url" | "alb" | "other";

export interface RequestInfo {
  readonly frontDoor: FrontDoor;
  /** An HTTP method from a fixed set (`OTHER` for anything else); undefined for non-HTTP events. */
  readonly method: string | undefined;
  /** The raw path, for the log line only: never a dimension. */
  readonly path: string | undefined;
  /** Bounded: a route template, a catch-all, or the kind of non-HTTP event. */
  readonly route: string;
}

/** A route template the user lists for front doors that have none (ALB, Function URLs). */
interface CompiledRoute {
  /** Undefined for templates without a method, and for `ANY`. */
  readonly method: string | undefined;
  readonly pattern: RegExp;
  readonly template: string;
}

export type RouteTable = readonly CompiledRoute[];

const METHOD = /^(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|TRACE|CONNECT)$/;
const MAX_PATH = 512;
/** The route of an HTTP request that no template describes. */
const CATCH_ALL = "/*";

/**
 * Compiles route templates such as `GET /orders/{id}`, `/files/{path+}` or `ANY /health`:
 * `{name}` matches one non-empty path segment, a final `{name+}` the rest of the path.
 * Throws a TypeError naming the bad template.
 *
 * @example
 * compileRoutes(["GET /orders/{id}", "/files/{path+}"]);
 */
export function compileRoutes(templates: readonly string[]): RouteTable {
  return templates.map((template) => {
    const [, rawMethod, path = ""] = /^(?:(\w+) +)?(\/\S*)$/.exec(String(template).trim()) ?? [];
    const method = rawMethod?.toUpperCase();
    // Literal parts are escaped and parameters become patterns. A brace left in a literal part
    // means a malformed template (an unclosed `{`); `{name+}` is valid only at the end.
    const parts = path.split(/(\{[^/{}]+\})/);
    const source = parts
      .map((part, i) => {
        if (i % 2 === 0) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
        return part.endsWith("+}") && i === parts.length - 2 ? ".+" : "[^/]+";
      })
      .join("");
    const badMethod = method !== undefined && method !== "ANY" && !METHOD.test(method);
    if (path === "" || badMethod || /[{}]/.test(source) || /\+\}(?!$)/.test(path)) {
      const why = badMethod ? "unknown method" : 'expected "[METHOD] /path/{param}", {name+} last';
      throw new TypeError(`lambda-vitals: route ${JSON.stringify(template)}: ${why}`);
    }
    return {
      method: method === "ANY" ? undefined : method,
      pattern: new RegExp(`^${source}$`),
      template: path,
    };
  });
}

function matchRoute(table: RouteTable, method: string, path: string): string | undefined {
  return table.find((r) => (r.method ?? method) === method && r.pattern.test(path))?.template;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function normaliseMethod(value: unknown): string {
  const method = typeof value === "string" ? value.toUpperCase() : "";
  return METHOD.test(method) ? method : "OTHER";
}

function clipPath(path: string | undefined): string | undefined {
  return path !== undefined && path.length > MAX_PATH ? path.slice(0, MAX_PATH) : path;
}

/** A template API Gateway uses for "anything": finer routes from the user's table win over it. */
function isCatchAll(template: string): boolean {
  return template === "$default" || template.includes("+}");
}

/**
 * Describes an event: its front door, method, path and bounded route.
 *
 * @example
 * describeEvent(httpApiEvent, []).route; // "GET /orders/{id}"
 */
export function describeEvent(event: unknown, routes: RouteTable): RequestInfo {
  const e = record(event);
  const ctx = record(e?.requestContext);
  if (e !== undefined && ctx !== undefined) {
    if (record(ctx.elb) !== undefined) {
      return http("alb", e.httpMethod, text(e.path), undefined, routes);
    }
    if (e.version === "2.0" || record(ctx.http) !== undefined) {
      const httpCtx = record(ctx.http);
      const frontDoor = text(ctx.domainName)?.includes(".lambda-url.")
        ? "function-url"
        : "http-api";
      const routeKey = frontDoor === "http-api" ? text(e.routeKey) : undefined;
      const path = text(e.rawPath) ?? text(httpCtx?.path);
      return http(frontDoor, httpCtx?.method, path, routeKey, routes);
    }
    if (typeof e.httpMethod === "string" || typeof e.resource === "string") {
      // An HTTP API sending payload 1.0 names its route in requestContext.routeKey
      // ("GET /orders/{id}" or "$default"); its `resource` may be the raw path, so it is only the
      // template for REST APIs, which have no route key.
      const template = text(ctx.routeKey) ?? text(e.resource) ?? text(ctx.resourcePath);
      return http("rest-api", e.httpMethod, text(e.path), template, routes);
    }
  }
  return { frontDoor: "other", method: undefined, path: undefined, route: otherRoute(e) };
}

function http(
  frontDoor: FrontDoor,
  rawMethod: unknown,
  path: string | undefined,
  template: string | undefined,
  routes: RouteTable,
): RequestInfo {
  const method = normaliseMethod(rawMethod);
  // HTTP API route keys carry the method ("GET /orders/{id}"); REST resources do not.
  let route =
    template === undefined || template.includes(" ") || template === "$default"
      ? template
      : `${method} ${template}`;
  if ((route === undefined || isCatchAll(route)) && path !== undefined && routes.length > 0) {
    const matched = matchRoute(routes, method, path);
    if (matched !== undefined) route = `${method} ${matched}`;
  }
  const bounded = toDimensionValue(route ?? `${method} ${CATCH_ALL}`, `${method} ${CATCH_ALL}`);
  return { frontDoor, method, path: clipPath(path), route: bounded };
}

/**
 * Bounded labels for events that are not HTTP requests. Record sources (`aws:sqs`, `aws:s3`, ...)
 * are names AWS defines, so their count is bounded; they are still cut to a safe shape.
 */
function otherRoute(e: Record<string, unknown> | undefined): string {
  const records = e?.Records;
  const first = record(Array.isArray(records) ? records[0] : undefined);
  const source = text(first?.eventSource) ?? text(first?.EventSource);
  if (source?.startsWith("aws:")) return `event:${source.slice(4, 24).replace(/[^\w-]/g, "_")}`;
  if (e?.source === "aws.scheduler" || e?.["detail-type"] === "Scheduled Event") {
    return "event:schedule";
  }
  return typeof e?.["detail-type"] === "string" ? "event:eventbridge" : "event:invoke";
}

export interface Outcome {
  readonly status: number;
  /** Set when the front door will not accept the result and answers 502 instead. */
  readonly problem?: string;
}

/**
 * The status the caller will see for a handler's result. HTTP APIs and Function URLs (payload
 * 2.0) treat a result without `statusCode` as a 200 JSON body; REST APIs and ALBs answer 502.
 */
export function statusOf(frontDoor: FrontDoor, result: unknown): Outcome {
  const status = record(result)?.statusCode;
  const lenient = frontDoor === "http-api" || frontDoor === "function-url";
  const body = record(result)?.body;
  if (!lenient && body !== undefined && body !== null && typeof body !== "string") {
    return { status: 502, problem: `result body is a ${typeof body}, not a string` };
  }
  if (Number.isInteger(status) && (status as number) >= 100 && (status as number) <= 599) {
    return { status: status as number };
  }
  if (lenient && (status === undefined || record(result) === undefined)) return { status: 200 };
  return { status: 502, problem: `result has no valid statusCode (${typeof status})` };
}

/** A JSON response in the shape the event's front door expects. */
export function jsonResponse(
  frontDoor: FrontDoor,
  event: unknown,
  status: number,
  body: unknown,
): Record<string, unknown> {
  const headers = { "content-type": "application/json; charset=utf-8" };
  const alb = albFields(frontDoor, event, status, headers);
  return {
    statusCode: status,
    // With multi-value headers on, an ALB reads only multiValueHeaders.
    ...(alb?.multiValueHeaders === undefined ? { headers } : {}),
    body: JSON.stringify(body),
    isBase64Encoded: false,
    ...alb,
  };
}

export interface AlbFields {
  readonly statusDescription: string;
  readonly isBase64Encoded: false;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[]>>;
}

/**
 * What an ALB needs in a response besides status, headers and body: a status line, and the
 * headers as `multiValueHeaders` when the target group has multi-value headers on (its events
 * then carry `multiValueHeaders`). Undefined for the other front doors.
 *
 * @example
 * albFields("alb", event, 503, { "content-type": "application/json" })?.statusDescription;
 * // "503 Service Unavailable"
 */
export function albFields(
  frontDoor: FrontDoor,
  event: unknown,
  status: number,
  headers: Readonly<Record<string, string>>,
): AlbFields | undefined {
  if (frontDoor !== "alb") return undefined;
  const multi = record(record(event)?.multiValueHeaders) !== undefined;
  const statusDescription = `${status} ${reasonPhrase(status)}`;
  if (!multi) return { statusDescription, isBase64Encoded: false };
  const multiValueHeaders = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, [value]]),
  );
  return { statusDescription, isBase64Encoded: false, multiValueHeaders };
}

// The error statuses handlers use. Importing node:http for its table would load the whole HTTP
// stack at cold start (several milliseconds outside Lambda's own runtime).
const REASONS: Readonly<Record<number, string>> = {
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  412: "Precondition Failed",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** The reason phrase of 200 or an error status; `Client Error` or `Server Error` for rarer ones. */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? (status < 500 ? "Client Error" : "Server Error");
}
