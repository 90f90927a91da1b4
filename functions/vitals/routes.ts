/**
 * Route templates: the bounded `Route` dimension of an HTTP request. API Gateway names the
 * template it matched; for front doors that name none (ALB, Function URLs) and for catch-all
 * routes, the user's `routes` option does.
 */
import { toDimensionValue } from "./emf";

/** A route template the user lists for front doors that have none (ALB, Function URLs). */
interface CompiledRoute {
  /** Undefined for templates without a method, and for `ANY`. */
  readonly method: string | undefined;
  readonly pattern: RegExp;
  readonly template: string;
}

export type RouteTable = readonly CompiledRoute[];

const METHOD = /^(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|TRACE|CONNECT)$/;
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
  return METHOD.test(method) ? method : "OTHER";
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
    template === undefined || template.includes(" ") || template === "$default"
      ? template
      : `${method} ${template}`;
  if ((route === undefined || isCatchAll(route)) && path !== undefined && table.length > 0) {
    const matched = matchRoute(table, method, path);
    if (matched !== undefined) route = `${method} ${matched}`;
  }
  const fallback = `${method} ${CATCH_ALL}`;
  return toDimensionValue(route ?? fallback, fallback);
}

function matchRoute(table: RouteTable, method: string, path: string): string | undefined {
  return table.find((r) => (r.method ?? method) === method && r.pattern.test(path))?.template;
}

/** A template API Gateway uses for "anything": finer routes from the user's table win over it. */
function isCatchAll(template: string): boolean {
  return template === "$default" || template.includes("+}");
}
