/**
 * Route templates: the bounded `Route` dimension of an HTTP request. API Gateway names the
 * template it matched; for front doors that name none (ALB, Function URLs) and for catch-all
 * routes, the user's `routes` option does.
 */
import {
  CATCH_ALL_PATH,
  DEFAULT_ROUTE,
  HTTP_METHOD,
  isCatchAllRoute,
  OTHER_METHOD,
  ROUTES_VARIABLE,
  splitRouteTemplate,
} from "./contract";
import { toDimensionValue } from "./emf";

/** A route template the user lists for front doors that have none (ALB, Function URLs). */
interface CompiledRoute {
  /** Undefined for templates without a method, and for `ANY`. */
  readonly method: string | undefined;
  readonly pattern: RegExp;
  readonly template: string;
}

export type RouteTable = readonly CompiledRoute[];

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
    const { method, path } = splitRouteTemplate(template) ?? { method: undefined, path: "" };
    // Literal parts are escaped and parameters become patterns. A brace left in a literal part
    // means a malformed template (an unclosed `{`); `{name+}` is valid only at the end.
    const parts = path.split(/(\{[^/{}]+\})/);
    const source = parts
      .map((part, i) => {
        if (i % 2 === 0) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
        return part.endsWith("+}") && i === parts.length - 2 ? ".+" : "[^/]+";
      })
      .join("");
    const badMethod = method !== undefined && method !== "ANY" && !HTTP_METHOD.test(method);
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

/**
 * An HTTP method from a fixed set, `OTHER` for anything else: the method is part of the `Route`
 * dimension, so a caller must not be able to invent new ones.
 *
 * @example
 * normaliseMethod("get"); // "GET"
 * normaliseMethod("BREW"); // "OTHER"
 */
export function normaliseMethod(value: unknown): string {
  const method = typeof value === "string" ? value.toUpperCase() : "";
  return HTTP_METHOD.test(method) ? method : OTHER_METHOD;
}

/**
 * The bounded route of a request: the template its front door matched (with the method in front
 * when the door's template has none), refined by the user's table when that template is a
 * catch-all or missing, else `METHOD /*`.
 *
 * @example
 * routeOf("GET", "/orders/{id}", "/orders/7", []); // "GET /orders/{id}"
 * routeOf("GET", undefined, "/orders/7", compileRoutes(["/orders/{id}"])); // "GET /orders/{id}"
 */
export function routeOf(
  method: string,
  template: string | undefined,
  path: string | undefined,
  table: RouteTable,
): string {
  // HTTP API route keys carry the method ("GET /orders/{id}"); REST resources do not.
  let route =
    template === undefined || template.includes(" ") || template === DEFAULT_ROUTE
      ? template
      : `${method} ${template}`;
  if ((route === undefined || isCatchAllRoute(route)) && path !== undefined && table.length > 0) {
    const matched = matchRoute(table, method, path);
    if (matched !== undefined) route = `${method} ${matched}`;
  }
  const fallback = `${method} ${CATCH_ALL_PATH}`;
  return toDimensionValue(route ?? fallback, fallback);
}

function matchRoute(table: RouteTable, method: string, path: string): string | undefined {
  return table.find((r) => (r.method ?? method) === method && r.pattern.test(path))?.template;
}

/**
 * The route templates the plugin hands a function in `VITALS_ROUTES` (its
 * `custom.vitals.routes.<function>`), read once when the wrapper is created: the templates are
 * written once, in serverless.yml, when the code passes no `routes`. Throws a TypeError naming
 * the variable when it is not a JSON list of strings.
 *
 * @example
 * routesFromEnvironment({ VITALS_ROUTES: '["GET /files/{path+}"]' }); // ["GET /files/{path+}"]
 */
export function routesFromEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string[] {
  // A blank variable counts as unset, as every VITALS_* variable does.
  const value = env[ROUTES_VARIABLE]?.trim() || "[]";
  let routes: unknown;
  try {
    routes = JSON.parse(value);
  } catch {}
  if (!Array.isArray(routes) || routes.some((route) => typeof route !== "string")) {
    throw new TypeError(`lambda-vitals: ${ROUTES_VARIABLE} must be a JSON list of route templates`);
  }
  return routes;
}
