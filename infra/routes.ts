/**
 * The per-route rows of the dashboard: for each HTTP event of a function, the `Route` values the
 * wrapper writes for the requests that event delivers. The wrapper names a route by its template
 * where the front door sends one (API Gateway), and `METHOD /*` where it does not (ALB, Function
 * URLs); the rows here follow the same rules, read from the contract the wrapper reads them
 * from, so every row is a series that exists.
 */
import {
  CATCH_ALL_PATH,
  DEFAULT_ROUTE,
  HTTP_METHOD,
  isCatchAllRoute,
  OTHER_METHOD,
  splitRouteTemplate,
} from "../functions/vitals/contract";
import { record } from "./config-values";

/**
 * The methods a request can carry through `ANY` (API Gateway's definition of ANY). ALB and
 * Function URL requests can also carry TRACE, CONNECT or others: those are counted service-wide
 * and appear in Logs Insights, but get no row of their own.
 */
export const ANY_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** The event kinds that carry HTTP requests, and so have rows on the dashboard. */
export const HTTP_EVENT_KINDS = ["http", "httpApi", "alb"] as const;

/**
 * Event kinds Serverless knows that carry no HTTP request: the wrapper counts them per route as
 * `event:<source>`, and the dashboard draws no row for them.
 */
export const OTHER_EVENT_KINDS = [
  "schedule",
  "sqs",
  "sns",
  "stream",
  "s3",
  "eventBridge",
  "cloudwatchEvent",
  "cloudwatchLog",
  "websocket",
  "iot",
  "iotFleetProvisioning",
  "cognitoUserPool",
  "alexaSkill",
  "alexaSmartHome",
  "kafka",
  "msk",
  "activemq",
  "rabbitmq",
  "cloudFront",
] as const;

/**
 * The `Route` values the wrapper writes for one function: from its `http` (REST), `httpApi`, `alb`
 * events and its `url`, in order, without repeats. Throws on an event kind it does not know
 * (a typo would otherwise leave a route off the dashboard without a word).
 *
 * `templates` is the `routes` list the function passes to `withVitals` (and
 * `custom.vitals.routes.<function>` repeats): the wrapper names the requests of catch-all events
 * (ALB, Function URL, `$default`, `{proxy+}`) by the first template that matches, so each gets
 * rows for the methods those events carry, beside the catch-all rows for requests none matches.
 *
 * @example
 * functionRoutes("getOrder", { events: [{ http: "GET orders/{id}" }, { httpApi: "*" }] });
 * // ["GET /orders/{id}", "$default"]
 * functionRoutes("files", { url: true }, ["GET /files/{path+}"]);
 * // ["GET /*", ..., "OPTIONS /*", "GET /files/{path+}"]
 */
export function functionRoutes(
  key: string,
  fn: Readonly<Record<string, unknown>>,
  templates: readonly string[] = [],
): string[] {
  const events = fn.events ?? [];
  if (!Array.isArray(events)) throw new Error(`functions.${key}.events must be a list`);
  const routes = events.flatMap((event, index) =>
    eventRoutes(`functions.${key}.events[${index}]`, event),
  );
  if (fn.url !== undefined && fn.url !== false) routes.push(...catchAll(ANY_METHODS));
  const carried = new Set(routes.flatMap(catchAllMethods));
  if (templates.length > 0 && carried.size === 0) {
    throw new Error(
      `custom.vitals.routes.${key}: the function has no event the wrapper matches routes for ` +
        "(alb, url, httpApi '*', a {proxy+} path); its rows come from its events",
    );
  }
  const matched = templates.flatMap((template, index) => {
    const { method, path } = parseTemplate(`custom.vitals.routes.${key}[${index}]`, template);
    return [...carried]
      .filter((m) => method === undefined || method === m)
      .map((m) => `${m} ${path}`);
  });
  return [...new Set([...routes, ...matched])];
}

/**
 * The methods whose requests the wrapper may name by a `routes` template instead of this row:
 * rows without a template (`METHOD /*`) and catch-alls (`$default`, `{proxy+}`).
 */
function catchAllMethods(route: string): readonly string[] {
  if (route === DEFAULT_ROUTE) return ANY_METHODS;
  const [method = "", path = ""] = route.split(" ");
  if (path !== CATCH_ALL_PATH && !isCatchAllRoute(path)) return [];
  return method === "ANY" ? ANY_METHODS : [method];
}

/** `GET /orders/{id}`, `/files/{path+}` or `ANY /x`: the forms `withVitals`' `routes` accepts. */
function parseTemplate(where: string, template: unknown): { method?: string; path: string } {
  const split = typeof template === "string" ? splitRouteTemplate(template) : undefined;
  if (split === undefined) {
    throw new Error(`${where}: expected "[METHOD] /path/{param}", got ${JSON.stringify(template)}`);
  }
  const { method, path } = split;
  return method === undefined || method === "ANY"
    ? { path }
    : { method: wrapperMethod(method), path };
}

function eventRoutes(where: string, event: unknown): string[] {
  const entries = typeof event === "object" && event !== null ? Object.entries(event) : [];
  const [kind, value] = entries[0] ?? [];
  if (entries.length !== 1 || kind === undefined) {
    throw new Error(`${where}: expected one event kind, such as "httpApi: GET /path"`);
  }
  switch (kind) {
    case "httpApi":
      return [httpApiRoute(`${where}.httpApi`, value)];
    case "http":
      return restRoutes(`${where}.http`, value);
    case "alb":
      return albRoutes(`${where}.alb`, value);
    default:
      if ((OTHER_EVENT_KINDS as readonly string[]).includes(kind)) return [];
      throw new Error(
        `${where}: unknown event kind "${kind}". lambda-vitals charts ${HTTP_EVENT_KINDS.join(", ")} ` +
          `and function url; it counts ${OTHER_EVENT_KINDS.join(", ")} without a row.`,
      );
  }
}

/**
 * HTTP API route keys reach the wrapper as they are (`GET /orders/{id}`, `ANY /{proxy+}`,
 * `$default`): Serverless writes `*` as ANY, and a `*` route as `$default`.
 */
function httpApiRoute(where: string, value: unknown): string {
  const { method, path } =
    typeof value === "string" ? splitRoute(where, value) : methodAndPath(where, value);
  if (path === "*") return DEFAULT_ROUTE;
  return `${method === "*" ? "ANY" : method.toUpperCase()} ${path}`;
}

/**
 * A REST API sends the matched resource and the request's own method, so `ANY` (or `any`) is
 * one series per method the caller used. Serverless accepts paths with or without a leading `/`.
 */
function restRoutes(where: string, value: unknown): string[] {
  const { method, path } =
    typeof value === "string" ? splitRoute(where, value) : methodAndPath(where, value);
  const trimmed = path.replace(/^\/+|\/+$/g, "");
  const resource = `/${trimmed}`;
  const upper = method.toUpperCase();
  const methods = upper === "ANY" || upper === "*" ? ANY_METHODS : [wrapperMethod(upper)];
  return methods.map((m) => `${m} ${resource}`);
}

/** An ALB sends no template: the wrapper writes `METHOD /*` for the methods the listener rule lets through. */
function albRoutes(where: string, value: unknown): string[] {
  const conditions = record(record(value, where).conditions ?? {}, `${where}.conditions`);
  const listed = conditions.method;
  if (listed === undefined) return catchAll(ANY_METHODS);
  const methods = Array.isArray(listed) ? listed : [listed];
  return catchAll(
    methods.map((m) => {
      if (typeof m !== "string") throw new Error(`${where}.conditions.method: expected strings`);
      return wrapperMethod(m.toUpperCase());
    }),
  );
}

function catchAll(methods: readonly string[]): string[] {
  return methods.map((method) => `${method} ${CATCH_ALL_PATH}`);
}

function wrapperMethod(method: string): string {
  return HTTP_METHOD.test(method) ? method : OTHER_METHOD;
}

function splitRoute(where: string, route: string): { method: string; path: string } {
  const trimmed = route.trim();
  if (trimmed === "*") return { method: "*", path: "*" };
  const [method, path, ...rest] = trimmed.split(/\s+/);
  if (method === undefined || path === undefined || rest.length > 0) {
    throw new Error(`${where}: expected "METHOD /path", got ${JSON.stringify(route)}`);
  }
  return { method, path };
}

function methodAndPath(where: string, value: unknown): { method: string; path: string } {
  const { method, path } = record(value, where);
  if (typeof path !== "string" || path.trim() === "") throw new Error(`${where}.path must be set`);
  return { method: typeof method === "string" ? method : "*", path: path.trim() };
}
