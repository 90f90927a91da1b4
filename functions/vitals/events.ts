/**
 * The HTTP event sources: one table, one entry per source, each saying how the source's events are
 * recognised, what they say about the request, what status the caller will see for a result, and
 * what a response needs besides status, headers and body. A new event source is one more entry.
 * Every function here accepts any value: a malformed event is described, never thrown on.
 */
import { reasonPhrase } from "./reason-phrases";
import { normaliseMethod, type RouteTable, routeOf } from "./routes";

/** The event sources that carry HTTP requests. */
export type HttpEventSource = "http-api" | "rest-api" | "function-url" | "alb";
/** `other`: a queue, a schedule, a direct invoke: timed and counted, errors rethrown. */
export type EventSource = HttpEventSource | "other";

export interface RequestInfo {
  readonly source: EventSource;
  /** An HTTP method from a fixed set (`OTHER` for anything else); undefined for non-HTTP events. */
  readonly method: string | undefined;
  /** The raw path, for the log line only: never a dimension. */
  readonly path: string | undefined;
  /** Bounded: a route template, a catch-all, or the kind of non-HTTP event. */
  readonly route: string;
}

/** The status the caller sees for a handler's result. */
export interface ResponseStatus {
  readonly status: number;
  /** Set when the event source will not accept the result and answers 502: the line's error. */
  readonly error?: { readonly type: "InvalidResponse"; readonly message: string };
}

/** What a response needs besides status, headers and body; today only ALBs need more. */
export interface ResponseFields {
  readonly statusDescription: string;
  readonly isBase64Encoded: false;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[]>>;
}

type Fields = Record<string, unknown>;
type Headers = Readonly<Record<string, string>>;

/** A request as its event states it, before it is bounded. */
interface EventRequest {
  readonly method: unknown;
  readonly path: string | undefined;
  /** The route template the event source matched, if it names one. */
  readonly template: string | undefined;
}

/** Everything the library knows about one HTTP event source. */
interface HttpSource {
  readonly name: HttpEventSource;
  /** Whether an event (with a `requestContext`) came from this source. */
  readonly recognise: (event: Fields, requestContext: Fields) => boolean;
  /** What the event says about the request. */
  readonly request: (event: Fields, requestContext: Fields) => EventRequest;
  /** The status the caller will see for a handler's result. */
  readonly status: (result: unknown) => ResponseStatus;
  /** What a response to this event needs besides status, headers and body, if anything. */
  readonly responseFields?: (event: unknown, status: number, headers: Headers) => ResponseFields;
}

/** The raw path is for the log line only: a longer one is cut. */
const MAX_PATH = 512;

/** The sources in the order they are tried: ALB and Function URL events also fit later ones. */
const HTTP_SOURCES: readonly HttpSource[] = [
  {
    name: "alb",
    recognise: (_event, ctx) => fields(ctx.elb) !== undefined,
    // An ALB matches no route: the user's `routes` option names them.
    request: (event) => payload1(event, undefined),
    status: strictStatus,
    responseFields: albFields,
  },
  {
    name: "function-url",
    recognise: (event, ctx) =>
      isPayload2(event, ctx) && asString(ctx.domainName)?.includes(".lambda-url.") === true,
    // A Function URL matches no route: the user's `routes` option names them.
    request: (event, ctx) => payload2(event, ctx, undefined),
    status: lenientStatus,
  },
  {
    name: "http-api",
    recognise: isPayload2,
    request: (event, ctx) => payload2(event, ctx, asString(event.routeKey)),
    status: lenientStatus,
  },
  {
    name: "rest-api",
    recognise: (event) =>
      typeof event.httpMethod === "string" || typeof event.resource === "string",
    // An HTTP API sending payload 1.0 names its route in requestContext.routeKey
    // ("GET /orders/{id}" or "$default"); its `resource` may be the raw path, so it is only the
    // template for REST APIs, which have no route key.
    request: (event, ctx) =>
      payload1(
        event,
        asString(ctx.routeKey) ?? asString(event.resource) ?? asString(ctx.resourcePath),
      ),
    status: strictStatus,
  },
];

/** The sources by name, for the answers that follow a recognised request. */
const BY_NAME = Object.fromEntries(HTTP_SOURCES.map((source) => [source.name, source])) as Record<
  HttpEventSource,
  HttpSource
>;

function isPayload2(event: Fields, ctx: Fields): boolean {
  return event.version === "2.0" || fields(ctx.http) !== undefined;
}

function payload1(event: Fields, template: string | undefined): EventRequest {
  return { method: event.httpMethod, path: asString(event.path), template };
}

function payload2(event: Fields, ctx: Fields, template: string | undefined): EventRequest {
  const http = fields(ctx.http);
  return { method: http?.method, path: asString(event.rawPath) ?? asString(http?.path), template };
}

function fields(value: unknown): Fields | undefined {
  return typeof value === "object" && value !== null ? (value as Fields) : undefined;
}

/** The value when it is a string: events are untrusted, so every field is checked before use. */
function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * Describes an event: its source, method, path and bounded route.
 *
 * @example
 * describeEvent(httpApiEvent, []).route; // "GET /orders/{id}"
 */
export function describeEvent(event: unknown, routes: RouteTable): RequestInfo {
  const e = fields(event);
  const ctx = fields(e?.requestContext);
  if (e !== undefined && ctx !== undefined) {
    for (const source of HTTP_SOURCES) {
      if (!source.recognise(e, ctx)) continue;
      const request = source.request(e, ctx);
      const method = normaliseMethod(request.method);
      const path = request.path;
      return {
        source: source.name,
        method,
        path: path?.slice(0, MAX_PATH),
        route: routeOf(method, request.template, path, routes),
      };
    }
  }
  return { source: "other", method: undefined, path: undefined, route: otherRoute(e) };
}

/**
 * Bounded labels for events that are not HTTP requests. Record sources (`aws:sqs`, `aws:s3`, ...)
 * are names AWS defines, so their count is bounded; they are still cut to a safe shape.
 */
function otherRoute(e: Fields | undefined): string {
  const records = e?.Records;
  const first = fields(Array.isArray(records) ? records[0] : undefined);
  const source = asString(first?.eventSource) ?? asString(first?.EventSource);
  if (source?.startsWith("aws:")) return `event:${source.slice(4, 24).replace(/[^\w-]/g, "_")}`;
  if (e?.source === "aws.scheduler" || e?.["detail-type"] === "Scheduled Event") {
    return "event:schedule";
  }
  return typeof e?.["detail-type"] === "string" ? "event:eventbridge" : "event:invoke";
}

/**
 * The status the caller will see for a handler's result from this event source.
 *
 * @example
 * statusOf("http-api", { hello: 1 }); // { status: 200 }: payload 2.0 sends it as a JSON body
 * statusOf("rest-api", { hello: 1 }).status; // 502
 */
export function statusOf(source: HttpEventSource, result: unknown): ResponseStatus {
  return BY_NAME[source].status(result);
}

/** REST APIs and ALBs answer 502 to a result without a valid status code or a string body. */
function strictStatus(result: unknown): ResponseStatus {
  const body = fields(result)?.body;
  if (body !== undefined && body !== null && typeof body !== "string") {
    return rejected(`result body is a ${typeof body}, not a string`);
  }
  return statusCodeOf(result);
}

/** HTTP APIs and Function URLs (payload 2.0) send a result without `statusCode` as a 200 JSON body. */
function lenientStatus(result: unknown): ResponseStatus {
  return fields(result)?.statusCode === undefined ? { status: 200 } : statusCodeOf(result);
}

function statusCodeOf(result: unknown): ResponseStatus {
  const status = fields(result)?.statusCode;
  if (isStatus(status)) return { status };
  return rejected(`result has no valid statusCode (${typeof status})`);
}

/** A result the event source will not accept: the caller gets its 502. */
function rejected(message: string): ResponseStatus {
  return { status: 502, error: { type: "InvalidResponse", message } };
}

function isStatus(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 100 && (value as number) <= 599;
}

/**
 * A JSON response in the shape the event's source expects.
 *
 * @example
 * jsonResponse("alb", albEvent, 404, { message: "Not Found" }).statusDescription; // "404 Not Found"
 */
export function jsonResponse(
  source: HttpEventSource,
  event: unknown,
  status: number,
  body: unknown,
): Record<string, unknown> {
  const headers = { "content-type": "application/json; charset=utf-8" };
  const extra = BY_NAME[source].responseFields?.(event, status, headers);
  return {
    statusCode: status,
    // With multi-value headers on, an ALB reads only multiValueHeaders.
    ...(extra?.multiValueHeaders === undefined ? { headers } : {}),
    body: JSON.stringify(body),
    isBase64Encoded: false,
    ...extra,
  };
}

/**
 * What a response to this event source needs besides status, headers and body; undefined
 * when it needs nothing more (every source but ALB, and non-HTTP events).
 *
 * @example
 * responseFields("alb", event, 503, { "content-type": "application/json" })?.statusDescription;
 * // "503 Service Unavailable"
 */
export function responseFields(
  source: EventSource,
  event: unknown,
  status: number,
  headers: Headers,
): ResponseFields | undefined {
  return source === "other" ? undefined : BY_NAME[source].responseFields?.(event, status, headers);
}

/**
 * An ALB reads a status line, and the headers as `multiValueHeaders` when the target group has
 * multi-value headers on (its events then carry `multiValueHeaders`).
 */
function albFields(event: unknown, status: number, headers: Headers): ResponseFields {
  const statusLine = {
    statusDescription: `${status} ${reasonPhrase(status)}`,
    isBase64Encoded: false,
  } as const;
  if (fields(fields(event)?.multiValueHeaders) === undefined) return statusLine;
  const multiValueHeaders = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, [value]]),
  );
  return { ...statusLine, multiValueHeaders };
}
